// The Terraform provider keeps its constructor in an internal package; a module whose path lies
// under the provider's path may import it.
module github.com/terraform-providers/terraform-provider-random/shim

go 1.25.8

require github.com/terraform-providers/terraform-provider-random v1.3.2-0.20260824155315-e1092b0cfc07
