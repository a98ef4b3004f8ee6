#!/bin/bash
# Managed by kubeha: keeps this master's kube-apiserver on the configured external etcd members.
# kubeadm writes --etcd-servers into the apiserver's static pod once, at init or join; when the
# members change it would keep dialling a removed member and never use a new one. Rewrites that
# one flag line in the manifest (the kubelet then restarts the apiserver) and waits until the new
# apiserver answers ready, so that a chain of these steps restarts one apiserver at a time.
# The restart is drained: new connections to this apiserver from other hosts and from this host's
# nginx are refused (a TCP reset) until the new one is ready, so every nginx in front of it hands
# them to another apiserver at once (proxy_next_upstream), and no client through the HA endpoint
# sees the restart. Connections already open finish with the old apiserver's graceful shutdown;
# the kubelet's probes and this script's checks (loopback, root) still reach it.
# Expects (rendered in): SERVERS (comma-separated), ADDRESS (this master's), TIMEOUT.
# <the kubeha shell library: tests/golden/_shared/lib.sh>

SERVERS="https://10.10.40.90:2379,https://10.10.40.91:2379,https://10.10.40.92:2379"
ADDRESS="10.10.40.90"
TIMEOUT=180
MANIFEST="/etc/kubernetes/manifests/kube-apiserver.yaml"
FLAG="- --etcd-servers="
PORT="6443"
NGINX_USER="www-data"
DRAIN_COMMENT="kubeha-drain-apiserver"

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
  [ "$(running_servers)" = "$SERVERS" ] &&
    [ "$(curl --silent --insecure --max-time 3 "https://127.0.0.1:6443/readyz" 2>/dev/null)" = ok ]
}

# The two iptables rules of a drain, "CHAIN SPEC..." each: new connections from other hosts, and
# from this host's nginx to this master's address, get a TCP reset.
drain_rules() {
  echo "INPUT -p tcp --dport $PORT ! -i lo -m conntrack --ctstate NEW -m comment --comment $DRAIN_COMMENT -j REJECT --reject-with tcp-reset"
  echo "OUTPUT -p tcp -d $ADDRESS --dport $PORT -m owner --uid-owner $NGINX_USER -m conntrack --ctstate NEW -m comment --comment $DRAIN_COMMENT -j REJECT --reject-with tcp-reset"
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
