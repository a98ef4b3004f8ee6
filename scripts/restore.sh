#!/usr/bin/env bash
# `npm run restore -- STACK SNAPSHOT [--force]`: restores the etcd of the stack's cluster from one
# snapshot, every member from the same file (see restore.js).
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bash "$here/toolchain/ensure.sh" --quiet
# shellcheck source=toolchain/env.sh
source "$here/toolchain/env.sh"
# shellcheck source=passphrase.sh
source "$here/passphrase.sh"
cd "$here/.."
if [[ -n ${1:-} && ${1:-} != -* ]]; then stack_passphrase "$1" || exit 1; fi
exec node "$here/restore.js" "$@"
