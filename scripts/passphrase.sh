# shellcheck shell=bash
# Which passphrase a stack's secrets are encrypted with, decided before pulumi runs. Sourced by
# scripts/pulumi.sh and the scripts that run pulumi on the lab stacks; run from the repo root.
# The documented example passphrase (README, "Point kubeha at real hosts") is no secret: it is
# only for the example stacks (dev, and any committed Pulumi.seedNNN.yaml) and the lab stacks
# (lab, and lab-<id> of a second lab, scripts/lab/common.sh). Any other stack whose secrets need a
# passphrase gets none by default: without PULUMI_CONFIG_PASSPHRASE or _FILE it stops here.

KUBEHA_EXAMPLE_PASSPHRASE=kubeha-example

# example_stack NAME: NAME (with or without org/project/) is an example or lab stack.
example_stack() {
  local short=${1##*/}
  [[ $short == dev || $short == lab || $short =~ ^lab-[a-z0-9]{1,4}$ ]] && return 0
  [[ $short =~ ^seed[0-9]{3}$ ]] && git ls-files --error-unmatch "Pulumi.$short.yaml" >/dev/null 2>&1
}

# stack_file_value NAME KEY: a top-level scalar of Pulumi.NAME.yaml (secretsprovider, encryptionsalt), or nothing.
stack_file_value() {
  local file=Pulumi.${1##*/}.yaml
  [[ -f $file ]] || return 0
  awk -v key="$2" '$1 == key ":" { sub(/^[^:]*:[ \t]*/, ""); gsub(/^["'\'']|["'\'']$/, ""); print; exit }' "$file"
}

# needs_passphrase NAME [SECRETS_PROVIDER]: the stack's secrets use the passphrase provider. The
# provider is the one given (stack init --secrets-provider), else its stack file's; with neither,
# a stack file's encryptionsalt says passphrase, and otherwise the backend decides: Pulumi Cloud
# (http(s)://) keeps the secrets itself, the DIY backends (file://, s3://, ...) use a passphrase.
needs_passphrase() {
  local provider=${2:-$(stack_file_value "$1" secretsprovider)}
  if [[ -n $provider ]]; then
    [[ $provider == passphrase ]]
    return
  fi
  [[ -n $(stack_file_value "$1" encryptionsalt) ]] && return 0
  [[ ${PULUMI_BACKEND_URL:-} != http://* && ${PULUMI_BACKEND_URL:-} != https://* ]]
}

# stack_passphrase NAME [SECRETS_PROVIDER]: exports the example passphrase for an example or lab
# stack that has none; fails (status 1), saying how to set one, for another stack that needs one
# and has none, or has the example one.
stack_passphrase() {
  local stack=$1 provider=${2:-}
  if example_stack "$stack"; then
    if [[ -z ${PULUMI_CONFIG_PASSPHRASE+x} && -z ${PULUMI_CONFIG_PASSPHRASE_FILE:-} ]]; then
      export PULUMI_CONFIG_PASSPHRASE=$KUBEHA_EXAMPLE_PASSPHRASE
    fi
    return 0
  fi
  needs_passphrase "$stack" "$provider" || return 0
  local how="set PULUMI_CONFIG_PASSPHRASE (e.g. read -rs PULUMI_CONFIG_PASSPHRASE && export PULUMI_CONFIG_PASSPHRASE) or PULUMI_CONFIG_PASSPHRASE_FILE=<file holding it>, or give the stack another secrets provider (pulumi stack init $stack --secrets-provider=...)"
  if [[ ${PULUMI_CONFIG_PASSPHRASE-} == "$KUBEHA_EXAMPLE_PASSPHRASE" && -z ${PULUMI_CONFIG_PASSPHRASE_FILE:-} ]]; then
    echo "[kubeha] stack $stack: PULUMI_CONFIG_PASSPHRASE is the published example passphrase, which is only for the example stacks (dev, seedNNN) and the lab stacks (lab, lab-<id>). Fix: $how." >&2
    return 1
  fi
  if [[ -z ${PULUMI_CONFIG_PASSPHRASE+x} && -z ${PULUMI_CONFIG_PASSPHRASE_FILE:-} ]]; then
    echo "[kubeha] stack $stack: its secrets are encrypted with a passphrase, and none is set (the example passphrase is only for the example stacks dev and seedNNN and the lab stacks). Fix: $how." >&2
    return 1
  fi
}

# pulumi_args_stack ARGS...: the stack pulumi ARGS act on, as "NAME PROVIDER" (PROVIDER from
# --secrets-provider, may be empty); nothing for commands that need no stack (version, plugin,
# login, stack ls, --help, ...). NAME is the --stack/-s value, else the NAME of `stack init|select|rm NAME`,
# else the selected stack (`pulumi stack --show-name`), else empty.
pulumi_args_stack() {
  local stack='' provider='' positional='' words=() arg
  while (($#)); do
    arg=$1
    case $arg in
      --help | -h | --version) return 0 ;;
      --stack | -s) stack=${2:-} && shift ;;
      --stack=*) stack=${arg#--stack=} ;;
      --secrets-provider) provider=${2:-} && shift ;;
      --secrets-provider=*) provider=${arg#--secrets-provider=} ;;
      --copy-config-from | --teams | --cwd | -C | --color | --tracing | --config-file) shift ;;
      --) break ;;
      -*) ;;
      *) words+=("$arg") ;;
    esac
    shift
  done
  case ${words[0]:-} in
    '' | version | help | plugin | login | logout | whoami | gen-completion | completion | about | install | new | schema | org | policy | env) return 0 ;;
    stack)
      case ${words[1]:-} in
        ls) return 0 ;;
        init | select | rm | remove) positional=${words[2]:-} ;;
      esac
      ;;
  esac
  stack=${stack:-$positional}
  [[ -n $stack ]] || stack=$(pulumi stack --show-name --non-interactive 2>/dev/null) || stack=''
  [[ -n $stack ]] && printf '%s %s\n' "$stack" "$provider"
  return 0
}

# args_passphrase ARGS...: stack_passphrase for the stack pulumi ARGS act on, if any.
args_passphrase() {
  local stack provider
  read -r stack provider < <(pulumi_args_stack "$@") || return 0
  stack_passphrase "$stack" "$provider"
}
