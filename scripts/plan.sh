#!/usr/bin/env bash
# `npm run plan -- STACK [--json-out FILE] [--summary-out FILE] [-- PREVIEW_ARGS...]`: a real
# `pulumi preview --json` of STACK (through scripts/pulumi.sh: the project's toolchain, backend and
# passphrase), its JSON kept for tools, and a review-ready Markdown summary on stdout
# (plan-summary/). PREVIEW_ARGS go to `pulumi preview` (e.g. --config-file FILE).
#   --json-out FILE      the preview's JSON (default .kubeha-plan/STACK.preview.json)
#   --summary-out FILE   the summary (default .kubeha-plan/STACK.summary.md)
# Exit codes, for CI to gate on:
#   0  no change   2  changes   3  refused by kubeha (validation, membership, quorum)   1  the preview failed
# A preview never connects to a host: it only plans.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)

usage() {
  echo "usage: npm run plan -- STACK [--json-out FILE] [--summary-out FILE] [-- PREVIEW_ARGS...]" >&2
  exit 1
}

stack=${1:-}
[[ -n $stack && $stack != -* ]] || usage
shift
json_out='' summary_out=''
while (($#)); do
  case $1 in
    --json-out) json_out=${2:?--json-out needs a file} && shift ;;
    --summary-out) summary_out=${2:?--summary-out needs a file} && shift ;;
    --) shift && break ;;
    *) usage ;;
  esac
  shift
done
short=${stack##*/}
json_out=${json_out:-$repo/.kubeha-plan/$short.preview.json}
summary_out=${summary_out:-$repo/.kubeha-plan/$short.summary.md}
mkdir -p "$(dirname "$json_out")" "$(dirname "$summary_out")"

errors=$(mktemp)
trap 'rm -f "$errors"' EXIT
status=0
bash "$here/pulumi.sh" preview --stack "$stack" --json --non-interactive "$@" >"$json_out" 2>"$errors" || status=$?
chmod 0600 "$json_out"

# shellcheck source=toolchain/env.sh
source "$here/toolchain/env.sh"
rc=0
node "$here/plan/run.js" --stack "$stack" --preview "$json_out" --status "$status" --summary-out "$summary_out" --stderr "$errors" || rc=$?
echo "[kubeha] plan: summary in $summary_out, preview JSON in $json_out (exit $rc)" >&2
exit "$rc"
