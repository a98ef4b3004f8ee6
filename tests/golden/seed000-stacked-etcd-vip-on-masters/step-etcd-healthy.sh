#!/bin/bash
# Managed by kubeha: waits until every stacked etcd member (run by kubeadm on the masters)
# answers /health over TLS, using kubeadm's healthcheck client certificate.
# Expects (rendered in): ENDPOINTS (space-separated https URLs), TIMEOUT.
# <the kubeha shell library: tests/golden/_shared/lib.sh>

ENDPOINTS="https://172.26.133.161:2379 https://172.26.133.162:2379 https://172.26.133.163:2379"
TIMEOUT=180

member_healthy() {
  local answer
  answer=$(curl --silent --fail --max-time 3 --cacert "$STACKED_ETCD_PKI/ca.crt" \
    --cert "$STACKED_ETCD_PKI/healthcheck-client.crt" --key "$STACKED_ETCD_PKI/healthcheck-client.key" \
    "$1/health") || return 1
  [ "$(jq -r .health <<<"$answer")" = true ]
}

main() {
  local deadline endpoint
  deadline=$(($(date +%s) + TIMEOUT))
  for endpoint in $ENDPOINTS; do
    wait_until $((deadline - $(date +%s))) "etcd member $endpoint healthy" member_healthy "$endpoint"
    info "etcd member $endpoint healthy"
  done
}

main
