#!/usr/bin/env bash
# `npm run backup -- STACK [--dir DIR] [--member NAME]`: takes an etcd snapshot now on one member
# of the stack's cluster and copies it, with its checksum, to DIR on this machine (see backup.js).
set -euo pipefail
exec bash "$(dirname "${BASH_SOURCE[0]}")/stack-tool.sh" backup "$@"
