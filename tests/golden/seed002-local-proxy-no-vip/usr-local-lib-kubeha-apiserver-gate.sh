#!/bin/bash
# Managed by kubeha: the boot gate of this master's kube-apiserver (unit kubeha-apiserver-gate.service).
# A master that comes back (a reboot, a host that died) starts its apiserver through the kubelet,
# and it accepts connections long before it answers ready: every nginx, balancing at the TCP level,
# would hand it requests that fail (/readyz 500, "Forbidden" before its RBAC cache is up). So
# before the kubelet starts, the gate drains it (the apiserver drain library, rules of its own),
# and lets it into rotation once it answers ready on loopback, or after WAIT_SECONDS at the most.
#   apiserver-gate.sh drain     add the gate's rules (the unit's ExecStartPre, before the kubelet)
#   apiserver-gate.sh wait      until this apiserver is ready (the unit's main process)
#   apiserver-gate.sh undrain   remove them (ExecStopPost: whatever ended the unit)
# A host without an apiserver manifest (kubeadm has not joined it yet) is not gated.
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

APISERVER_ADDRESS="10.0.0.11"
WAIT_SECONDS=600
DRAIN_TAG=kubeha-gate-apiserver

case "${1:-}" in
  drain)
    if [ -f "/etc/kubernetes/manifests/kube-apiserver.yaml" ]; then drain; else info "no kube-apiserver manifest here: not gated"; fi
    ;;
  wait)
    [ -f "/etc/kubernetes/manifests/kube-apiserver.yaml" ] || exit 0
    wait_until "$WAIT_SECONDS" "kube-apiserver ready on this master" apiserver_ready
    info "kube-apiserver ready: back in rotation"
    ;;
  undrain) undrain ;;
  *) fatal "usage: $0 drain|wait|undrain" ;;
esac
