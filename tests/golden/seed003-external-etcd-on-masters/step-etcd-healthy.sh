#!/bin/bash
# Managed by kubeha: waits until every etcd member answers healthy over TLS.
# Expects (rendered in): ENDPOINTS (comma-separated), TIMEOUT.
# <the kubeha shell library: tests/golden/_shared/lib.sh>

ENDPOINTS="https://10.10.40.90:2379,https://10.10.40.91:2379,https://10.10.40.92:2379"
TIMEOUT=180

all_healthy() {
  etcd_ctl "$ENDPOINTS" endpoint health >/dev/null 2>&1
}

main() {
  if ! (wait_until "$TIMEOUT" "etcd healthy" all_healthy); then
    etcd_ctl "$ENDPOINTS" endpoint health || true
    fatal "etcd is not healthy after ${TIMEOUT}s"
  fi
  etcd_ctl "$ENDPOINTS" endpoint health
  etcd_ctl "$ENDPOINTS" member list
}

main
