#!/usr/bin/env bash
# `npm run forget-host -- STACK HOST`: drops the steps of a dead host that left the config from
# the stack's state (see forget-host.js), so that the next `pulumi up` can remove it.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bash "$here/toolchain/ensure.sh" --quiet
# shellcheck source=toolchain/env.sh
source "$here/toolchain/env.sh"
cd "$here/.."
exec node "$here/forget-host.js" "$@"
