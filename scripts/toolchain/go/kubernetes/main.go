// Command pulumi-resource-kubernetes serves the Pulumi Kubernetes provider.
// ensure.sh writes schema-embed.json and terraform-mapping-embed.json (the
// provider's schema.json with the version filled in) before building.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema-embed.json
var schema []byte

//go:embed terraform-mapping-embed.json
var terraformMapping []byte

func main() {
	provider.Serve("kubernetes", version.Version, schema, terraformMapping)
}
