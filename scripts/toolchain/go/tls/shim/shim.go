// Package shim exposes the Terraform TLS provider's constructor to the Pulumi bridge.
package shim

import (
	"github.com/hashicorp/terraform-plugin-framework/provider"

	tftls "github.com/hashicorp/terraform-provider-tls/internal/provider"
)

// NewProvider returns the Terraform Plugin Framework provider.
func NewProvider() provider.Provider { return tftls.New() }
