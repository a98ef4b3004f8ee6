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
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// version is set with -ldflags "-X main.version=..." to the version @pulumi/command asks for.
var version = "0.0.0-dev"

func main() {
	exitWithEngine()
	err := provider.Main("command", func(host *provider.HostClient) (pulumirpc.ResourceProviderServer, error) {
		return newServer(host, version), nil
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-resource-command: %v\n", err)
		os.Exit(1)
	}
}

// exitWithEngine ends the plugin when the engine that started it is gone (a killed `pulumi up`),
// instead of leaving it running, possibly half-way through a remote command, as an orphan.
func exitWithEngine() {
	parent := os.Getppid()
	go func() {
		for range time.Tick(time.Second) {
			if os.Getppid() != parent {
				os.Exit(2)
			}
		}
	}()
}
