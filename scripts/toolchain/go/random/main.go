// Command pulumi-resource-random serves the Terraform random provider through the Pulumi
// Terraform bridge. Built by scripts/toolchain/ensure.sh in two passes: with
// KUBEHA_TFGEN=1 the same program is the schema generator (`schema --out DIR`), whose
// schema.json and bridge-metadata.json are then embedded for the second, serving build.
package main

import (
	"context"
	_ "embed"
	"os"

	pftfbridge "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfbridge"
	pftfgen "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfgen"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge/tokens"

	"github.com/terraform-providers/terraform-provider-random/shim"
)

// version is set with -ldflags "-X main.version=..."; the bridge refuses an empty one.
var version string

//go:embed schema-embed.json
var schema []byte

//go:embed bridge-metadata.json
var bridgeMetadata []byte

func providerInfo() tfbridge.ProviderInfo {
	info := tfbridge.ProviderInfo{
		P:            pftfbridge.ShimProvider(shim.NewProvider()),
		Name:         "random",
		DisplayName:  "random",
		Version:      version,
		Publisher:    "Pulumi",
		License:      "Apache-2.0",
		GitHubOrg:    "hashicorp",
		Repository:   "https://github.com/pulumi/pulumi-random",
		Description:  "A Pulumi package to safely use randomness in Pulumi programs.",
		MetadataInfo: tfbridge.NewProviderMetadata(bridgeMetadata),
	}
	// The whole Terraform name is kept, as in the published SDK:
	// random_password -> random:index/randomPassword:RandomPassword, and so on.
	info.MustComputeTokens(tokens.SingleModule("", "index", tokens.MakeStandard("random")))
	return info
}

func main() {
	if os.Getenv("KUBEHA_TFGEN") == "1" {
		pftfgen.Main("random", providerInfo())
		return
	}
	pftfbridge.Main(context.Background(), "random", providerInfo(), pftfbridge.ProviderMetadata{PackageSchema: schema})
}
