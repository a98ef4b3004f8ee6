#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# `npm run pulumi -- ARGS`: runs `pulumi ARGS` from the repo root with the project's toolchain
# (scripts/toolchain/ensure.sh, quiet when everything is in place, then scripts/toolchain/env.sh).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bash "$here/toolchain/ensure.sh" --quiet
# shellcheck source=toolchain/env.sh
source "$here/toolchain/env.sh"
cd "$here/.."
exec pulumi "$@" # PATH now starts with the toolchain
