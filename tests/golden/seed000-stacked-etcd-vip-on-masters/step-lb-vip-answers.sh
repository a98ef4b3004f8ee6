#!/bin/bash
# Managed by kubeha: waits until a TCP endpoint accepts connections (the VIP answers).
# Expects (rendered in): ADDRESS, PORT, TIMEOUT.
set -eu

ADDRESS="172.26.133.160"
PORT=16443
TIMEOUT=90

fatal() { echo "[kubeha] ERROR: $*" >&2; exit 1; }

main() {
  deadline=$(( $(date +%s) + TIMEOUT ))
  until timeout 2 bash -c "exec 3<>/dev/tcp/$ADDRESS/$PORT" 2>/dev/null; do
    [ "$(date +%s)" -lt "$deadline" ] || fatal "$ADDRESS:$PORT does not answer after ${TIMEOUT}s"
    sleep 1
  done
  echo "[kubeha] $ADDRESS:$PORT answers"
}

main
