#!/bin/bash
# Managed by kubeha: kubeadm join of this node through the HA endpoint, once.
# Expects: kubeadm-join.yaml written by kubeha, with a placeholder where the bootstrap token goes.
# The token is rendered into this script (which travels on stdin and lives in a 0600 temporary
# file while it runs) and put into a temporary copy of the configuration for the join only: it is
# never stored on the node, never on a command line, and blanked from the output.
# As with kubeadm init: detached from the SSH session, under a lock, with a marker on success.
# The step that owns kubeadm on this node is recorded in STEP_FILE (see kubeadm-init.sh).
# <the kubeha shell library: tests/golden/_shared/lib.sh>

CONFIG="/etc/kubeha/kubeadm-join.yaml"
MARKER="/etc/kubeha/kubeadm-join.done"
STEP_FILE="/etc/kubeha/kubeadm-step"
LOCK="/run/kubeha-kubeadm.lock"
LOG="/var/log/kubeha/kubeadm-join.log"
TOKEN="bwar7u.rupobucqjc724a3j"
TOKEN_PLACEHOLDER="@@TOKEN@@"

# show FILE [>&2]: blanks the token in a log (kubeadm does not print it, but may in an error), then shows it.
show() {
  local text
  text=$(<"$1")
  printf '%s\n' "${text//"$TOKEN"/<bootstrap token>}" >"$1"
  cat "$1"
}

# One attempt: 0 joined, 2 failed in preflight (nothing changed on the node), 1 failed later.
join_once() {
  local extra=$1
  # A new log, readable by root only: it may show kubeadm's secrets.
  install -m 0600 /dev/null "$LOG"
  if setsid sh -c "kubeadm join --config $WORK/join.yaml $extra && touch $MARKER" >"$LOG" 2>&1; then
    show "$LOG"
    return 0
  fi
  show "$LOG" >&2
  if grep -q "error execution phase preflight" "$LOG"; then return 2; fi
  return 1
}

# The configuration with the token, in a directory only root reads, removed when the step ends.
with_token() {
  local config
  WORK=$(mktemp -d)
  trap 'rm -rf "$WORK"' EXIT
  config=$(<"$CONFIG")
  (umask 077 && printf '%s\n' "${config//"$TOKEN_PLACEHOLDER"/"$TOKEN"}" >"$WORK/join.yaml")
}

main() {
  mkdir -p "/var/log/kubeha"
  exec 9>"$LOCK"
  flock 9
  if [ -f "$MARKER" ] || { [ -f "/etc/kubernetes/kubelet.conf" ] && [ ! -f "/etc/kubernetes/bootstrap-kubelet.conf" ]; }; then
    echo join >"$STEP_FILE"
    info "this node has joined, nothing changed"
    return
  fi
  local extra="" attempt rc
  with_token
  if [ -f "/etc/kubernetes/bootstrap-kubelet.conf" ] || [ -n "$(ls -A "/etc/kubernetes/manifests" 2>/dev/null)" ]; then
    info "an earlier kubeadm join was cut short: running it again over what it left"
    extra="--ignore-preflight-errors=all"
  fi
  # A freshly started apiserver may not know the bootstrap token yet (Unauthorized in preflight).
  for attempt in 1 2 3 4 5 6 7 8 9 10 11 12; do
    rc=0
    join_once "$extra" || rc=$?
    case $rc in
      0) echo join >"$STEP_FILE"; info "joined the cluster"; return ;;
      2) info "preflight failed (attempt $attempt), retrying in 5 s"; sleep 5 ;;
      *) fatal "kubeadm join failed (log: $LOG)" ;;
    esac
  done
  fatal "kubeadm join kept failing in preflight (log: $LOG)"
}

main
