#!/bin/bash
# Managed by kubeha: keeps this master's kube-apiserver on the configured external etcd members.
# kubeadm writes --etcd-servers into the apiserver's static pod once, at init or join; when the
# members change it would keep dialling a removed member and never use a new one. Rewrites the flag
# in the manifest (the kubelet then restarts the apiserver) and waits until the new apiserver
# answers ready, so that a chain of these steps restarts one apiserver at a time.
# Expects (rendered in): SERVERS (comma-separated), TIMEOUT.
set -eu

SERVERS="https://192.168.109.134:2379,https://192.168.109.135:2379,https://192.168.109.136:2379"
TIMEOUT=180
MANIFEST=/etc/kubernetes/manifests/kube-apiserver.yaml

info() { echo "[kubeha] $*"; }
fatal() { echo "[kubeha] ERROR: $*" >&2; exit 1; }

# The --etcd-servers of every running kube-apiserver process (the old one may still be exiting).
running_servers() {
  pgrep -a -x kube-apiserver 2>/dev/null | tr ' ' '\n' | sed -n 's/^--etcd-servers=//p' | sort -u | paste -sd ' ' -
}

ready() {
  [ "$(curl --silent --insecure --max-time 3 https://127.0.0.1:6443/readyz 2>/dev/null)" = ok ]
}

main() {
  [ -f "$MANIFEST" ] || fatal "$MANIFEST is missing: has this master joined?"
  count=$(grep -c -- '- --etcd-servers=' "$MANIFEST" || true)
  [ "$count" = 1 ] || fatal "$MANIFEST has $count --etcd-servers lines, expected 1: left as it is"
  if grep -q -x -- " *- --etcd-servers=$SERVERS" "$MANIFEST"; then
    info "kube-apiserver uses the etcd members already: $SERVERS"
  else
    tmp=$(mktemp /etc/kubernetes/kube-apiserver.yaml.XXXXXX)
    sed "s|^\( *- --etcd-servers=\).*|\1$SERVERS|" "$MANIFEST" >"$tmp"
    chmod 0600 "$tmp"
    # Outside the manifests directory until complete: the kubelet reads every file there.
    mv "$tmp" "$MANIFEST"
    info "kube-apiserver's --etcd-servers set to $SERVERS: the kubelet restarts it"
  fi
  deadline=$(($(date +%s) + TIMEOUT))
  until [ "$(running_servers)" = "$SERVERS" ] && ready; do
    [ "$(date +%s)" -lt "$deadline" ] || fatal "kube-apiserver did not come back ready on $SERVERS within ${TIMEOUT}s (running: $(running_servers))"
    sleep 1
  done
  info "kube-apiserver ready on $SERVERS"
}

main
