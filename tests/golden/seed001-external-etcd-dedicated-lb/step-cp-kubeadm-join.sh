#!/bin/bash
# Managed by kubeha: kubeadm join of this node through the HA endpoint, once.
# Expects: kubeadm-join.yaml written by kubeha, with a placeholder where the bootstrap token goes.
# The token is rendered into this script (which travels on stdin and lives in a 0600 temporary
# file while it runs) and put into a temporary copy of the configuration for the join only: it is
# never stored on the node, never on a command line, and blanked from the output.
# As with kubeadm init: detached from the SSH session, under a lock, with a marker on success.
# The step that owns kubeadm on this node is recorded in STEP_FILE (see kubeadm-init.sh).
# A master's join is drained (the apiserver drain library): its new apiserver accepts connections
# before it is ready, so no nginx may hand it one until it answers ready.
# <the kubeha shell library: tests/golden/_shared/lib.sh>

# --- kubeha apiserver drain (templates/controlPlane/kubeadm/apiserver-drain.sh), in the steps that start or restart a kube-apiserver ---
# nginx balances the apiservers at the TCP level: it cannot see that an apiserver which accepts
# connections is not ready yet (a starting one answers /readyz with 500). While drained, new
# connections to this master's apiserver from other hosts and from this host's nginx get a TCP
# reset, so every nginx hands them to another apiserver at once (proxy_next_upstream); the
# kubelet's probes and the step's own checks (loopback) still reach it. Connections already open
# finish with the old apiserver's graceful shutdown.
# Expects APISERVER_ADDRESS (this master's address). DRAIN_TAG names the rules (default
# kubeha-drain-apiserver, a step's drain): the boot gate (apiserver-gate.sh) has its own, so
# neither takes away the other's drain.

# The two iptables rules of a drain, "CHAIN SPEC..." each: new connections from other hosts, and
# from this host's nginx to this master's address.
drain_rules() {
  local tag=${DRAIN_TAG:-kubeha-drain-apiserver}
  echo "INPUT -p tcp --dport 6443 ! -i lo -m conntrack --ctstate NEW -m comment --comment $tag -j REJECT --reject-with tcp-reset"
  echo "OUTPUT -p tcp -d $APISERVER_ADDRESS --dport 6443 -m owner --uid-owner www-data -m conntrack --ctstate NEW -m comment --comment $tag -j REJECT --reject-with tcp-reset"
}

drain() {
  local chain spec
  while read -r chain spec; do
    # shellcheck disable=SC2086 # the spec is a list of arguments
    iptables -C "$chain" $spec 2>/dev/null || iptables -I "$chain" 1 $spec || fatal "cannot drain kube-apiserver (iptables -I $chain)"
  done < <(drain_rules)
  info "kube-apiserver drained: new connections go to the other apiservers"
}

# Removes every copy of the rules (a drain that a killed run left behind too): on every exit.
undrain() {
  local chain spec
  while read -r chain spec; do
    # shellcheck disable=SC2086 # the spec is a list of arguments
    while iptables -C "$chain" $spec 2>/dev/null; do iptables -D "$chain" $spec || break; done
  done < <(drain_rules)
}

# This master's apiserver answers ready on loopback.
apiserver_ready() {
  [ "$(curl --silent --insecure --max-time 3 "https://127.0.0.1:6443/readyz" 2>/dev/null)" = ok ]
}

CONFIG="/etc/kubeha/kubeadm-join.yaml"
MARKER="/etc/kubeha/kubeadm-join.done"
STEP_FILE="/etc/kubeha/kubeadm-step"
LOCK="/run/kubeha-kubeadm.lock"
LOG="/var/log/kubeha/kubeadm-join.log"
TOKEN="5fes2n.l6bvr3adncnx2mgx"
TOKEN_PLACEHOLDER="@@TOKEN@@"
# This master's address; empty on a worker (no apiserver).
APISERVER_ADDRESS="192.168.109.135"
APISERVER_TIMEOUT=300

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
  trap 'rm -rf "$WORK"; on_master undrain' EXIT
  config=$(<"$CONFIG")
  (umask 077 && printf '%s\n' "${config//"$TOKEN_PLACEHOLDER"/"$TOKEN"}" >"$WORK/join.yaml")
}

is_master() { [ -n "$APISERVER_ADDRESS" ]; }

# on_master COMMAND...: runs COMMAND on a master, nothing on a worker.
on_master() {
  if is_master; then "$@"; fi
}

joined() {
  echo join >"$STEP_FILE"
  info "joined the cluster"
  if is_master; then
    wait_until "$APISERVER_TIMEOUT" "kube-apiserver ready after the join" apiserver_ready
    info "kube-apiserver ready: back in every nginx's rotation"
  fi
}

main() {
  mkdir -p "/var/log/kubeha"
  exec 9>"$LOCK"
  flock 9
  if [ -f "$MARKER" ] || { [ -f "/etc/kubernetes/kubelet.conf" ] && [ ! -f "/etc/kubernetes/bootstrap-kubelet.conf" ]; }; then
    # A drain that a run killed mid-join left behind goes too.
    on_master undrain
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
  on_master drain
  # A freshly started apiserver may not know the bootstrap token yet (Unauthorized in preflight).
  for attempt in 1 2 3 4 5 6 7 8 9 10 11 12; do
    rc=0
    join_once "$extra" || rc=$?
    case $rc in
      0) joined; return ;;
      2) info "preflight failed (attempt $attempt), retrying in 5 s"; sleep 5 ;;
      *) fatal "kubeadm join failed (log: $LOG)" ;;
    esac
  done
  fatal "kubeadm join kept failing in preflight (log: $LOG)"
}

main
