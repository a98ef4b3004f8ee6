// Package shim exposes the Terraform random provider's constructor to the Pulumi bridge.
package shim

import (
	"github.com/hashicorp/terraform-plugin-framework/provider"

	tfrandom "github.com/terraform-providers/terraform-provider-random/internal/provider"
)

// NewProvider returns the Terraform Plugin Framework provider.
func NewProvider() provider.Provider { return tfrandom.New() }
