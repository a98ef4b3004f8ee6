// Command pulumi-resource-tls serves the Terraform TLS provider through the Pulumi
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

	"github.com/hashicorp/terraform-provider-tls/shim"
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
		Name:         "tls",
		DisplayName:  "tls",
		Version:      version,
		Publisher:    "Pulumi",
		License:      "Apache-2.0",
		GitHubOrg:    "hashicorp",
		Repository:   "https://github.com/pulumi/pulumi-tls",
		Description:  "A Pulumi package to create TLS resources in Pulumi programs.",
		MetadataInfo: tfbridge.NewProviderMetadata(bridgeMetadata),
	}
	// tls_private_key -> tls:index/privateKey:PrivateKey, data source tls_public_key -> tls:index/getPublicKey:getPublicKey.
	info.MustComputeTokens(tokens.SingleModule("tls_", "index", tokens.MakeStandard("tls")))
	return info
}

func main() {
	if os.Getenv("KUBEHA_TFGEN") == "1" {
		pftfgen.Main("tls", providerInfo())
		return
	}
	pftfbridge.Main(context.Background(), "tls", providerInfo(), pftfbridge.ProviderMetadata{PackageSchema: schema})
}
