#!/usr/bin/env bash
# `npm run forget-host -- STACK HOST [--rebuilt]`: drops the steps that ran on a host from the
# stack's state (see forget-host.js): a dead host that left the config, or one reinstalled.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bash "$here/toolchain/ensure.sh" --quiet
# shellcheck source=toolchain/env.sh
source "$here/toolchain/env.sh"
# shellcheck source=passphrase.sh
source "$here/passphrase.sh"
cd "$here/.."
if [[ -n ${1:-} ]]; then stack_passphrase "$1" || exit 1; fi
exec node "$here/forget-host.js" "$@"
