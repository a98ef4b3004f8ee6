# shellcheck shell=bash
# Source this file (bash), do not execute it:  source scripts/toolchain/env.sh
# After scripts/toolchain/ensure.sh has run, it puts Node.js >= 22, pulumi and its Node.js
# language host first on PATH and sets Pulumi's environment for this repo:
#   KUBEHA_NODE                    the node (>= 22) binary
#   KUBEHA_PULUMI                  the pulumi binary
#   KUBEHA_TOOLCHAIN_MODE          own (built by ensure.sh) or user (your pulumi on PATH)
#   PULUMI_HOME                    <cache>/toolchain/pulumi-home (own mode only)
#   PULUMI_SKIP_UPDATE_CHECK=true
#   PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
#   PULUMI_IGNORE_AMBIENT_PLUGINS=true (own mode only)
#   PULUMI_BACKEND_URL             file://<repo>/.pulumi-state unless already set
# No passphrase: scripts/passphrase.sh decides it per stack (the example one only for the example
# and lab stacks), in scripts/pulumi.sh and the scripts that run pulumi on the lab stacks.
# Returns non-zero, without exiting your shell, when the toolchain is not built yet.

_kubeha_env() {
  local here repo out dir new_path
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd) || return 1
  repo=$(cd "$here/../.." && pwd) || return 1
  out=$(bash "$here/ensure.sh" --print-env) || return
  eval "$out"

  # Prepend the toolchain's directories to PATH, dropping earlier copies of them.
  local -a dirs
  IFS=: read -r -a dirs <<<"$KUBEHA_TOOLCHAIN_PATH"
  new_path=:$PATH:
  for dir in "${dirs[@]}"; do
    new_path=${new_path//:"$dir":/:}
  done
  new_path=${new_path#:}
  new_path=${new_path%:}
  export PATH=$KUBEHA_TOOLCHAIN_PATH${new_path:+:$new_path}

  export PULUMI_SKIP_UPDATE_CHECK=true
  export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
  if [[ $KUBEHA_TOOLCHAIN_MODE == own ]]; then
    export PULUMI_IGNORE_AMBIENT_PLUGINS=true
  fi
  if [[ -z ${PULUMI_BACKEND_URL:-} ]]; then
    mkdir -p "$repo/.pulumi-state" || return 1
    export PULUMI_BACKEND_URL=file://$repo/.pulumi-state
  fi
}

if _kubeha_env; then
  unset -f _kubeha_env
else
  _kubeha_rc=$?
  unset -f _kubeha_env
  return "$_kubeha_rc"
fi
