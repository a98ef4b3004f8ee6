#!/bin/bash
# Managed by kubeha: removes from the running etcd cluster every member whose peer URL is no
# longer configured (a host left the config, alive or dead), before any new member joins: a
# replacement then never counts the old member against quorum. Runs when the configured members
# change. Nothing to do while no cluster runs yet (bootstrap). A member list that cannot be read
# fails the step: nothing is reported removed that was not.
# Expects (rendered in): ENDPOINTS (client URLs of the configured members, space-separated),
# PEER_URLS (theirs, space-separated).
# <the kubeha shell library: tests/golden/_shared/lib.sh>

ENDPOINTS="https://10.10.40.90:2379 https://10.10.40.91:2379 https://10.10.40.92:2379"
PEER_URLS="https://10.10.40.90:2380 https://10.10.40.91:2380 https://10.10.40.92:2380"

main() {
  local peer="" endpoint list id name url removed=0
  for endpoint in $ENDPOINTS; do
    if etcd_healthy "$endpoint"; then
      peer=$endpoint
      break
    fi
  done
  if [ -z "$peer" ]; then
    info "no configured etcd member answers healthy yet: nothing to prune"
    return
  fi
  list=$(etcd_members "$peer") || fatal "could not read the etcd member list from $peer"
  [ -n "$list" ] || fatal "the etcd member list from $peer is empty"
  while read -r id name url _; do
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
