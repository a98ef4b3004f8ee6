#!/bin/bash
# Managed by kubeha: waits until every stacked etcd member (run by kubeadm on the masters)
# answers /health over TLS, using kubeadm's healthcheck client certificate.
# Expects (rendered in): ENDPOINTS (space-separated https URLs), PKI_DIR, TIMEOUT.
set -eu

ENDPOINTS="https://172.26.133.161:2379 https://172.26.133.162:2379 https://172.26.133.163:2379"
PKI_DIR="/etc/kubernetes/pki/etcd"
TIMEOUT=180

info() { echo "[kubeha] $*"; }
fatal() { echo "[kubeha] ERROR: $*" >&2; exit 1; }

member_healthy() {
  curl --silent --fail --max-time 3 --cacert "$PKI_DIR/ca.crt" \
    --cert "$PKI_DIR/healthcheck-client.crt" --key "$PKI_DIR/healthcheck-client.key" \
    "$1/health" | grep -q '"health":"true"'
}

main() {
  deadline=$(( $(date +%s) + TIMEOUT ))
  for endpoint in $ENDPOINTS; do
    until member_healthy "$endpoint"; do
      [ "$(date +%s)" -lt "$deadline" ] || fatal "etcd member $endpoint is not healthy after ${TIMEOUT}s"
      sleep 1
    done
    info "etcd member $endpoint healthy"
  done
}

main
