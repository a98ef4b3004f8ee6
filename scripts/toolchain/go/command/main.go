// Command pulumi-resource-command is kubeha's own build of the resource plugin that
// @pulumi/command asks for. The Go module proxy reachable here serves no release of
// pulumi-command's provider module, so this program implements, from the published SDK's
// interface (node_modules/@pulumi/command), the two resources kubeha uses:
// command:remote:Command and command:remote:CopyToRemote. Anything else is refused with a
// clear error. Where a user has the official plugin installed, the toolchain uses that instead.
package main

import (
	"fmt"
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// version is set with -ldflags "-X main.version=..." to the version @pulumi/command asks for.
var version = "0.0.0-dev"

func main() {
	err := provider.Main("command", func(host *provider.HostClient) (pulumirpc.ResourceProviderServer, error) {
		return newServer(host, version), nil
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-resource-command: %v\n", err)
		os.Exit(1)
	}
}
