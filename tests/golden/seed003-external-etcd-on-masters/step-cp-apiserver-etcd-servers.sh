#!/bin/bash
# Managed by kubeha: keeps this master's kube-apiserver on the configured external etcd members.
# kubeadm writes --etcd-servers into the apiserver's static pod once, at init or join; when the
# members change it would keep dialling a removed member and never use a new one. Rewrites that
# one flag line in the manifest (the kubelet then restarts the apiserver) and waits until the new
# apiserver answers ready, so that a chain of these steps restarts one apiserver at a time.
# The restart is drained (the apiserver drain library, inserted below): no client through the HA endpoint sees it.
# Expects (rendered in): SERVERS (comma-separated), APISERVER_ADDRESS (this master's), TIMEOUT.
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

SERVERS="https://10.10.40.90:2379,https://10.10.40.91:2379,https://10.10.40.92:2379"
APISERVER_ADDRESS="10.10.40.90"
TIMEOUT=180
MANIFEST="/etc/kubernetes/manifests/kube-apiserver.yaml"
FLAG="- --etcd-servers="

# The --etcd-servers of every running kube-apiserver process (the old one may still be exiting).
running_servers() {
  local pid arg
  for pid in $(pgrep -x kube-apiserver || true); do
    tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | while read -r arg; do
      [ "${arg#--etcd-servers=}" = "$arg" ] || echo "${arg#--etcd-servers=}"
    done
  done | sort -u | paste -sd ' ' -
}

ready_on_servers() {
  [ "$(running_servers)" = "$SERVERS" ] && apiserver_ready
}

main() {
  trap undrain EXIT
  [ -f "$MANIFEST" ] || fatal "$MANIFEST is missing: has this master joined?"
  local count tmp
  count=$(grep -c -- "$FLAG" "$MANIFEST" || true)
  [ "$count" = 1 ] || fatal "$MANIFEST has $count --etcd-servers lines, expected 1: left as it is"
  if grep -q -x -- " *$FLAG$SERVERS" "$MANIFEST"; then
    info "kube-apiserver uses the etcd members already: $SERVERS"
  else
    drain
    tmp=$(mktemp "/etc/kubernetes/kube-apiserver.yaml.XXXXXX")
    sed "s|^\( *$FLAG\).*|\1$SERVERS|" "$MANIFEST" >"$tmp"
    chmod 0600 "$tmp"
    # Outside the manifests directory until complete: the kubelet reads every file there.
    mv "$tmp" "$MANIFEST"
    info "kube-apiserver's --etcd-servers set to $SERVERS: the kubelet restarts it"
  fi
  if ! (wait_until "$TIMEOUT" "kube-apiserver ready on $SERVERS" ready_on_servers); then
    fatal "kube-apiserver did not come back ready on $SERVERS within ${TIMEOUT}s (running: $(running_servers))"
  fi
  info "kube-apiserver ready on $SERVERS"
}

main
