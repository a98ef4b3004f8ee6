#!/bin/bash
# Managed by kubeha: waits until node NODE has registered with the API server.
# Expects (rendered in): NODE, TIMEOUT. Runs on a master with /etc/kubernetes/admin.conf.
set -eu

NODE="worker-0"
TIMEOUT=300
export KUBECONFIG=/etc/kubernetes/admin.conf

fatal() { echo "[kubeha] ERROR: $*" >&2; exit 1; }

main() {
  deadline=$(( $(date +%s) + TIMEOUT ))
  until kubectl get node "$NODE" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || fatal "node $NODE did not register within ${TIMEOUT}s"
    sleep 2
  done
  echo "[kubeha] node $NODE registered"
}

main
