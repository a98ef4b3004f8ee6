#!/bin/sh
# Managed by kubeha. keepalived's health check: the apiservers must answer /readyz through this
# host's own nginx, so a dead nginx, or no apiserver reachable through it, fails the check.
# nginx may hand the request to an apiserver that is still starting (least_conn favours a new,
# idle one) and relay its "not ready": then the host is fine as long as some apiserver is ready,
# and moving the VIP would only break clients' connections.
# Expects: nothing (values are rendered in).
set -u

code=$(curl --silent --insecure --max-time 1 --output /dev/null --write-out '%{http_code}' \
  "https://127.0.0.1:16443/readyz") || true
[ "$code" = 200 ] && exit 0
# No HTTP answer at all: nginx is down, or it found no apiserver to connect to.
[ "$code" = 000 ] && exit 1
for apiserver in 172.26.133.161:6443 172.26.133.162:6443 172.26.133.163:6443; do
  curl --silent --fail --insecure --max-time 0.5 --output /dev/null "https://$apiserver/readyz" && exit 0
done
exit 1
