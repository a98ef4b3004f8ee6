#!/usr/bin/env bash
# `npm run restore -- STACK SNAPSHOT [--force]`: restores the etcd of the stack's cluster from one
# snapshot, every member from the same file (see restore.js).
set -euo pipefail
exec bash "$(dirname "${BASH_SOURCE[0]}")/stack-tool.sh" restore "$@"
