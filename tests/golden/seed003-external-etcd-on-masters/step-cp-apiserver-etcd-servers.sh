#!/bin/bash
# Managed by kubeha: keeps this master's kube-apiserver on the configured external etcd members.
# kubeadm writes --etcd-servers into the apiserver's static pod once, at init or join; when the
# members change it would keep dialling a removed member and never use a new one. Rewrites that
# one flag line in the manifest (the kubelet then restarts the apiserver) and waits until the new
# apiserver answers ready, so that a chain of these steps restarts one apiserver at a time.
# Expects (rendered in): SERVERS (comma-separated), TIMEOUT.
# <the kubeha shell library: tests/golden/_shared/lib.sh>

SERVERS="https://10.10.40.90:2379,https://10.10.40.91:2379,https://10.10.40.92:2379"
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
  [ "$(running_servers)" = "$SERVERS" ] &&
    [ "$(curl --silent --insecure --max-time 3 "https://127.0.0.1:6443/readyz" 2>/dev/null)" = ok ]
}

main() {
  [ -f "$MANIFEST" ] || fatal "$MANIFEST is missing: has this master joined?"
  local count tmp
  count=$(grep -c -- "$FLAG" "$MANIFEST" || true)
  [ "$count" = 1 ] || fatal "$MANIFEST has $count --etcd-servers lines, expected 1: left as it is"
  if grep -q -x -- " *$FLAG$SERVERS" "$MANIFEST"; then
    info "kube-apiserver uses the etcd members already: $SERVERS"
  else
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
