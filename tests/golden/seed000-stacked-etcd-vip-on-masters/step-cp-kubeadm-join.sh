#!/bin/bash
# Managed by kubeha: kubeadm join of this node through the HA endpoint, once.
# Expects: kubeadm-join.yaml (secret: holds the bootstrap token) written by kubeha.
# As with kubeadm init: detached from the SSH session, under a lock, with a marker on success.
# The step that owns kubeadm on this node is recorded in STEP_FILE (see kubeadm-init.sh).
# <the kubeha shell library: tests/golden/_shared/lib.sh>

CONFIG="/etc/kubeha/kubeadm-join.yaml"
MARKER="/etc/kubeha/kubeadm-join.done"
STEP_FILE="/etc/kubeha/kubeadm-step"
LOCK="/run/kubeha-kubeadm.lock"
LOG="/var/log/kubeha/kubeadm-join.log"

# One attempt: 0 joined, 2 failed in preflight (nothing changed on the node), 1 failed later.
join_once() {
  local extra=$1
  # A new log, readable by root only: it may show kubeadm's secrets.
  install -m 0600 /dev/null "$LOG"
  if setsid sh -c "kubeadm join --config $CONFIG $extra && touch $MARKER" >"$LOG" 2>&1; then
    cat "$LOG"
    return 0
  fi
  cat "$LOG" >&2
  if grep -q "error execution phase preflight" "$LOG"; then return 2; fi
  return 1
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
