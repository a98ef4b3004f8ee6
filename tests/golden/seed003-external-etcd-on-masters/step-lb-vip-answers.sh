#!/bin/bash
# Managed by kubeha: waits until a TCP endpoint accepts connections (the VIP answers).
# Expects (rendered in): ADDRESS, PORT, TIMEOUT.
# <the kubeha shell library: tests/golden/_shared/lib.sh>

ADDRESS="10.10.40.100"
PORT=16443
TIMEOUT=90

answers() {
  timeout 2 bash -c "exec 3<>/dev/tcp/$ADDRESS/$PORT" 2>/dev/null
}

main() {
  wait_until "$TIMEOUT" "$ADDRESS:$PORT answering" answers
  info "$ADDRESS:$PORT answers"
}

main
