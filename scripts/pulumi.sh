#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# `npm run pulumi -- ARGS`: runs `pulumi ARGS` from the repo root with the project's toolchain
# (scripts/toolchain/ensure.sh, quiet when everything is in place, then scripts/toolchain/env.sh).
#
# The example stacks work on a fresh clone: when ARGS name a stack (--stack NAME, -s NAME or
# --stack=NAME) whose Pulumi.NAME.yaml is committed in this repo, and the backend is a local file
# backend (the default .pulumi-state/, or PULUMI_BACKEND_URL=file://...) that has no such stack
# yet, the stack is created first (`pulumi stack init NAME`), its config and encryption salt kept
# from that file. So `npm run pulumi -- preview --stack dev` just works. Other backends, and
# `stack init/rm/select/rename`, are left alone.
#
# The passphrase (scripts/passphrase.sh): the example stacks (dev, committed seedNNN) and the lab
# stacks get the documented example passphrase when none is set; any other stack that needs a
# passphrase and has none (PULUMI_CONFIG_PASSPHRASE, PULUMI_CONFIG_PASSPHRASE_FILE), or has the
# example one, stops here before pulumi runs, saying how to set one.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bash "$here/toolchain/ensure.sh" --quiet
# shellcheck source=toolchain/env.sh
source "$here/toolchain/env.sh"
# shellcheck source=passphrase.sh
source "$here/passphrase.sh"
cd "$here/.."

# stack_arg ARGS...: the stack ARGS name with --stack/-s, else nothing.
stack_arg() {
  local stack=''
  while (($#)); do
    case $1 in
      --stack | -s) stack=${2:-} && shift ;;
      --stack=*) stack=${1#--stack=} ;;
      --) break ;;
    esac
    shift
  done
  printf '%s' "$stack"
}

# ensure_committed_stack NAME: creates NAME in a local file backend from its committed config file.
ensure_committed_stack() {
  local stack=$1 short=${1##*/} listed found
  [[ $PULUMI_BACKEND_URL == file://* ]] || return 0
  [[ -f Pulumi.$short.yaml ]] || return 0
  git ls-files --error-unmatch "Pulumi.$short.yaml" >/dev/null 2>&1 || return 0
  # A backend that cannot list its stacks: let the command itself say what is wrong.
  listed=$(pulumi stack ls --json --non-interactive 2>/dev/null) || return 0
  found=$(node -e '
    const [stack, short] = process.argv.slice(1);
    const names = JSON.parse(process.argv[3] || "[]").map((s) => s.name);
    console.log(names.some((n) => n === stack || n.split("/").pop() === short) ? "yes" : "no");' "$stack" "$short" "$listed")
  if [[ $found == no ]]; then
    echo "[kubeha] creating stack $stack in $PULUMI_BACKEND_URL from the committed Pulumi.$short.yaml" >&2
    pulumi stack init "$stack" --non-interactive >&2
  fi
}

# The passphrase first: creating a committed stack already needs it.
args_passphrase "$@" || exit 1
if [[ ${1:-} != stack || ! ${2:-} =~ ^(init|rm|remove|select|rename)$ ]]; then
  stack=$(stack_arg "$@")
  if [[ -n $stack ]]; then ensure_committed_stack "$stack"; fi
fi
exec pulumi "$@" # PATH now starts with the toolchain
