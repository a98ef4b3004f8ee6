#!/usr/bin/env bash
# `npm run forget-host -- STACK HOST [--rebuilt]`: drops the steps that ran on a host from the
# stack's state (see forget-host.js): a dead host that left the config, or one reinstalled.
set -euo pipefail
exec bash "$(dirname "${BASH_SOURCE[0]}")/stack-tool.sh" forget-host "$@"
