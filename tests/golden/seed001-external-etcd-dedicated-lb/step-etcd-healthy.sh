#!/bin/bash
# Managed by kubeha: waits until every etcd member answers healthy over TLS.
# Expects (rendered in): ENDPOINTS, PKI_DIR, TIMEOUT.
set -eu

ENDPOINTS="https://192.168.109.134:2379,https://192.168.109.135:2379,https://192.168.109.136:2379"
PKI_DIR="/etc/etcd/pki"
TIMEOUT=180

info() { echo "[kubeha] $*"; }
fatal() { echo "[kubeha] ERROR: $*" >&2; exit 1; }

etcd_ctl() {
  ETCDCTL_API=3 /usr/local/bin/etcdctl --endpoints="$ENDPOINTS" --cacert="$PKI_DIR/ca.crt" \
    --cert="$PKI_DIR/client.crt" --key="$PKI_DIR/client.key" --dial-timeout=2s --command-timeout=5s "$@"
}

wait_healthy() {
  deadline=$(( $(date +%s) + TIMEOUT ))
  until etcd_ctl endpoint health >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || { etcd_ctl endpoint health || true; fatal "etcd is not healthy after ${TIMEOUT}s"; }
    sleep 1
  done
}

main() {
  wait_healthy
  etcd_ctl endpoint health
  etcd_ctl member list
}

main
