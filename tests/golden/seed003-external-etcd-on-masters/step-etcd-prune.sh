#!/bin/bash
# Managed by kubeha: removes from the running etcd cluster every member whose peer URL is no
# longer configured (a host left the config, alive or dead), before any new member joins: a
# replacement then never counts the old member against quorum. Runs when the configured members
# change. Nothing to do while no cluster runs yet (bootstrap).
# Expects (rendered in): ENDPOINTS (client URLs of the configured members, space-separated),
# PEER_URLS (theirs, space-separated), PKI_DIR.
set -eu

ENDPOINTS="https://10.10.40.90:2379 https://10.10.40.91:2379 https://10.10.40.92:2379"
PEER_URLS="https://10.10.40.90:2380 https://10.10.40.91:2380 https://10.10.40.92:2380"
PKI_DIR="/etc/etcd/pki"

info() { echo "[kubeha] $*"; }

etcd_ctl() {
  endpoint=$1
  shift
  ETCDCTL_API=3 /usr/local/bin/etcdctl --endpoints="$endpoint" --cacert="$PKI_DIR/ca.crt" \
    --cert="$PKI_DIR/client.crt" --key="$PKI_DIR/client.key" --dial-timeout=2s --command-timeout=5s "$@"
}

# healthy ENDPOINT: the member answers healthy (which needs its quorum). A port that refuses or
# cannot be reached fails at once (etcdctl would retry the dial until its timeout), and a member
# without quorum fails within 2 s.
healthy() {
  hostport=${1#https://}
  timeout 1 bash -c "exec 3<>/dev/tcp/${hostport%:*}/${hostport##*:}" 2>/dev/null || return 1
  etcd_ctl "$1" endpoint health --command-timeout=2s >/dev/null 2>&1
}

main() {
  peer=""
  for endpoint in $ENDPOINTS; do
    if healthy "$endpoint"; then
      peer=$endpoint
      break
    fi
  done
  if [ -z "$peer" ]; then
    info "no configured etcd member answers healthy yet: nothing to prune"
    return
  fi
  # member list (simple): "id, status, name, peer URLs, client URLs, learner"
  list=$(etcd_ctl "$peer" member list | awk -F', ' '{ print $1, $4, ($3 == "" ? "(unstarted)" : $3) }')
  removed=0
  while read -r id url name; do
    case " $PEER_URLS " in
      *" $url "*) ;;
      *)
        info "removing etcd member $name ($url, $id): no longer configured"
        etcd_ctl "$peer" member remove "$id"
        removed=$((removed + 1))
        ;;
    esac
  done <<<"$list"
  info "etcd members not in the config: $removed removed"
  etcd_ctl "$peer" member list
}

main
