#!/usr/bin/env bash
# Runs one of kubeha's tools that act on a deployed stack (scripts/TOOL.js: forget-host, backup,
# restore) with the project's toolchain and the stack's passphrase (scripts/passphrase.sh):
#   stack-tool.sh TOOL STACK ARGS...
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tool=${1:?usage: stack-tool.sh TOOL STACK ARGS...}
shift
bash "$here/toolchain/ensure.sh" --quiet
# shellcheck source=toolchain/env.sh
source "$here/toolchain/env.sh"
# shellcheck source=passphrase.sh
source "$here/passphrase.sh"
cd "$here/.."
if [[ -n ${1:-} && ${1:-} != -* ]]; then stack_passphrase "$1" || exit 1; fi
exec node "$here/$tool.js" "$@"
