#!/bin/bash
# Managed by kubeha: waits until node NODE has registered with the API server.
# Expects (rendered in): NODE, TIMEOUT. Runs on a master with the admin kubeconfig.
# <the kubeha shell library: tests/golden/_shared/lib.sh>

NODE="node1"
TIMEOUT=300
export KUBECONFIG="/etc/kubernetes/admin.conf"

registered() {
  kubectl get node "$NODE" --request-timeout=10s >/dev/null 2>&1
}

main() {
  wait_until "$TIMEOUT" "node $NODE registering" registered
  info "node $NODE registered"
}

main
