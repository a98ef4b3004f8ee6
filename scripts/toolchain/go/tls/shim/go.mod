// The Terraform provider keeps its constructor in an internal package; a module whose path lies
// under the provider's path may import it.
module github.com/hashicorp/terraform-provider-tls/shim

go 1.25.8

require github.com/hashicorp/terraform-provider-tls v1.2.1-0.20260819085117-d044ca7c6f52
