#!/usr/bin/env bash
# `npm run backup -- STACK [--dir DIR] [--member NAME]`: takes an etcd snapshot now on one member
# of the stack's cluster and copies it, with its checksum, to DIR on this machine (see backup.js).
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
exec node "$here/backup.js" "$@"
