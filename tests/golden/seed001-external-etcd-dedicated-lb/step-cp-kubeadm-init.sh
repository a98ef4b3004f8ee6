#!/bin/bash
# kubeha inputs: config=<hash>
# Managed by kubeha: kubeadm init on the first master, once. The shared PKI (CAs, service-account
# key) is already in place, so every master of the cluster agrees on it.
# Expects: the init configuration (kubeadm-init.yaml) written by kubeha.
# kubeadm runs detached from the SSH session, under a lock, with a marker written when it
# succeeded: if `pulumi up` is killed midway, kubeadm still finishes, and the next run waits for
# it instead of starting a second one. An init that was itself cut short is run again over what
# it left (its phases reuse existing certificates and kubeconfigs).
# The step that owns kubeadm on this node is recorded in STEP_FILE: deleting the other step (this
# master became, or stopped being, the first one) must not reset it.
# A first master that lost its disk (reinstalled under the same name) finds the cluster running
# on the other masters: it joins it as a control plane instead of initialising a second cluster,
# with a short-lived token it makes itself (it holds the cluster CA), drained as a master's join
# is (the apiserver drain library): no nginx hands its new apiserver a connection until it answers
# ready. A first `kubeadm init` is not drained: there is no other apiserver to hand them to.
# Expects also: kubeadm-rejoin.yaml (a control-plane JoinConfiguration whose token is
# TOKEN_PLACEHOLDER). Rendered in: OTHER_APISERVERS and OTHER_ETCD_URLS (stacked etcd: the other
# masters' members; empty with external etcd), space-separated URLs; INIT_TOKEN_DESCRIPTION, the
# description kubeha's init configuration gives kubeadm init's own token; APISERVER_ADDRESS, this
# master's address, and APISERVER_TIMEOUT, how long a rejoined apiserver may take to answer ready.
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

APISERVER_ADDRESS="192.168.109.134"
APISERVER_TIMEOUT=300
OTHER_APISERVERS="https://192.168.109.135:6443"
INIT_TOKEN_DESCRIPTION="kubeha: kubeadm init's own token, deleted right after init"
OTHER_ETCD_URLS=""
TOKEN_PLACEHOLDER="@@TOKEN@@"

CONFIG="/etc/kubeha/kubeadm-init.yaml"
REJOIN_CONFIG="/etc/kubeha/kubeadm-rejoin.yaml"
MARKER="/etc/kubeha/kubeadm-init.done"
JOINED="/etc/kubeha/kubeadm-join.done"
REJOINING="/etc/kubeha/kubeadm-rejoin.started"
STEP_FILE="/etc/kubeha/kubeadm-step"
LOCK="/run/kubeha-kubeadm.lock"
LOG="/var/log/kubeha/kubeadm-init.log"
ADMIN_CONF="/etc/kubernetes/admin.conf"

# The URL of another master's apiserver of this cluster (its CA) that answers ready, if any.
running_elsewhere() {
  local url
  for url in $OTHER_APISERVERS; do
    if [ "$(curl --silent --max-time 3 --cacert "/etc/kubernetes/pki/ca.crt" "$url/readyz" 2>/dev/null)" = ok ]; then
      echo "$url"
      return 0
    fi
  done
  return 1
}

# The URL of another master's stacked etcd member that accepts connections, if any.
etcd_elsewhere() {
  local url
  for url in $OTHER_ETCD_URLS; do
    if port_open "$url"; then
      echo "$url"
      return 0
    fi
  done
  return 1
}

# rejoin [KUBEADM_FLAG]: this first master joins the running cluster as a control plane.
rejoin() {
  local token config
  # Not local: the EXIT trap reads it after this function returned (set -u).
  work=$(mktemp -d)
  trap 'rm -rf "$work"; undrain' EXIT
  kubeadm init phase kubeconfig admin --config "$CONFIG" --kubeconfig-dir "$work" >/dev/null
  token=$(kubeadm token create --kubeconfig "$work/admin.conf" --ttl 15m --description "kubeha: rejoin of the reinstalled first master")
  # Substituted in the shell, not by sed: the token stays off every command line (ps).
  config=$(<"$REJOIN_CONFIG")
  (umask 077 && printf '%s\n' "${config//"$TOKEN_PLACEHOLDER"/"$token"}" >"$work/join.yaml")
  # A new log, readable by root only: it may show kubeadm's secrets.
  install -m 0600 /dev/null "$LOG"
  drain
  if ! setsid sh -c "kubeadm join --config $work/join.yaml ${1:-} && touch $MARKER" >"$LOG" 2>&1; then
    show_log >&2
    fatal "kubeadm join of this first master into the running cluster failed (log: $LOG)"
  fi
  show_log
  echo init >"$STEP_FILE"
  info "this first master joined the running cluster again"
  wait_until "$APISERVER_TIMEOUT" "kube-apiserver ready after the rejoin" apiserver_ready
  info "kube-apiserver ready: back in every nginx's rotation"
}

# redact_secrets: stdin to stdout with bootstrap tokens and kubeadm certificate keys blanked, so
# that kubeadm's log can be shown in the step's output (which Pulumi keeps in the state). Here,
# not in the shared library: only this step shows such a log.
redact_secrets() {
  sed -E -e 's/\b[a-z0-9]{6}\.[a-z0-9]{16}\b/<bootstrap token>/g' \
    -e 's/(--certificate-key)[ =]+[0-9a-f]{64}/\1 <certificate key>/g' -e 's/^[0-9a-f]{64}$/<certificate key>/'
}

# redact_log: blanks secrets in the log itself (it stays on the master). Also on the next run after
# one killed while kubeadm ran: the detached kubeadm finished and printed its token into the log.
redact_log() {
  [ -f "$LOG" ] || return 0
  (umask 077 && redact_secrets <"$LOG" >"$LOG.redacted" && mv -f "$LOG.redacted" "$LOG")
}

# show_log [>&2]: redacts the log, then shows it.
show_log() {
  redact_log
  cat "$LOG"
}

# kubeadm init always makes a token of its own (kubeha's configuration gives it a description and
# 15 minutes) and prints it: it is deleted at once, also by a run after one killed before it got
# here (the detached init finished without it); kubeha mints the tokens joins need.
delete_default_token() {
  local token
  kubeadm token list --kubeconfig "$ADMIN_CONF" 2>/dev/null | awk -v d="$INIT_TOKEN_DESCRIPTION" 'index($0, d) { print $1 }' |
    while read -r token; do
      kubeadm token delete --kubeconfig "$ADMIN_CONF" "${token%%.*}" >/dev/null
      info "deleted kubeadm init's own bootstrap token ${token%%.*}"
    done
}

main() {
  mkdir -p "/var/log/kubeha"
  exec 9>"$LOCK"
  flock 9
  if [ -f "$MARKER" ]; then
    # A drain that a run killed mid-rejoin left behind goes too.
    undrain
    echo init >"$STEP_FILE"
    redact_log
    delete_default_token
    info "this master is initialised, nothing changed (config changes to a running control plane need kubeadm upgrade)"
    return
  fi
  if [ -f "$JOINED" ]; then
    # The first master left the config; this one joined the running cluster earlier.
    echo init >"$STEP_FILE"
    info "this master joined the running cluster earlier: it is now the first one, nothing to initialise"
    return
  fi
  if [ -f "$REJOINING" ]; then
    info "an earlier join of this first master into the running cluster was cut short: running it again over what it left"
    rejoin --ignore-preflight-errors=all
    return
  fi
  local url member extra=""
  if [ ! -f "$ADMIN_CONF" ] && url=$(running_elsewhere); then
    info "the cluster runs already ($url answers): this master lost its kubeadm state, it joins the cluster instead of initialising a second one"
    touch "$REJOINING"
    rejoin
    return
  fi
  if [ ! -f "$ADMIN_CONF" ] && member=$(etcd_elsewhere); then
    fatal "no other master's apiserver answers, but the cluster's etcd runs at $member: not initialising a second cluster. Fix: bring an apiserver of the running cluster back, then run pulumi up again."
  fi
  if [ -f "$ADMIN_CONF" ]; then
    info "an earlier kubeadm init was cut short: running it again over what it left"
    extra="--ignore-preflight-errors=all"
  fi
  # The detached shell inherits the lock (fd 9) and writes the marker itself.
  # A new log, readable by root only: it may show kubeadm's secrets.
  install -m 0600 /dev/null "$LOG"
  if ! setsid sh -c "kubeadm init --config $CONFIG $extra && touch $MARKER" >"$LOG" 2>&1; then
    show_log >&2
    fatal "kubeadm init failed (log: $LOG)"
  fi
  delete_default_token
  show_log
  echo init >"$STEP_FILE"
  info "control plane initialised"
}

main
