#!/bin/bash
# Managed by kubeha: with stacked etcd (kubeadm's static pods), removes from the etcd cluster every
# member whose peer URL is no longer a configured master's, before the other masters join: kubeadm
# cannot add a member while a dead one still counts against quorum. Runs on the first master when
# the configured masters change; asks the local member over etcd's HTTP gateway with kubeadm's
# healthcheck client certificate.
# Expects (rendered in): PEER_URLS (the masters', space-separated), PKI_DIR, TIMEOUT.
set -eu

PEER_URLS="https://172.26.133.161:2380 https://172.26.133.162:2380 https://172.26.133.163:2380"
PKI_DIR="/etc/kubernetes/pki/etcd"
TIMEOUT=120

info() { echo "[kubeha] $*"; }
fatal() { echo "[kubeha] ERROR: $*" >&2; exit 1; }

# api PATH BODY: a POST to the local member's gateway.
api() {
  curl --silent --show-error --fail --max-time 5 --cacert "$PKI_DIR/ca.crt" \
    --cert "$PKI_DIR/healthcheck-client.crt" --key "$PKI_DIR/healthcheck-client.key" \
    -X POST -d "$2" "https://127.0.0.1:2379/v3/$1"
}

main() {
  deadline=$(($(date +%s) + TIMEOUT))
  until api cluster/member/list '{}' >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || fatal "the local etcd member did not answer within ${TIMEOUT}s"
    sleep 1
  done
  # One "ID PEER_URL" per member, from {"members":[{"ID":"..",..,"peerURLs":[".."],..},..]}.
  list=$(api cluster/member/list '{}' | tr '{' '\n' | sed -n 's/.*"ID":"\([0-9]*\)".*"peerURLs":\["\([^"]*\)".*/\1 \2/p')
  [ -n "$list" ] || fatal "could not read the etcd member list"
  removed=0
  while read -r id url; do
    case " $PEER_URLS " in
      *" $url "*) ;;
      *)
        info "removing etcd member $url ($id): no longer a configured master"
        api cluster/member/remove "{\"ID\":\"$id\"}" >/dev/null
        removed=$((removed + 1))
        ;;
    esac
  done <<<"$list"
  info "etcd members not in the config: $removed removed; members: $(echo "$list" | awk '{ print $2 }' | xargs)"
}

main
