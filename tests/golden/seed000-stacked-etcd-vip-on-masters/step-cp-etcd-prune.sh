#!/bin/bash
# Managed by kubeha: with stacked etcd (kubeadm's static pods), removes from the etcd cluster every
# member whose peer URL is no longer a configured master's, before the other masters join: kubeadm
# cannot add a member while a dead one still counts against quorum. Runs on the first master when
# the configured masters change; asks the local member over etcd's HTTP gateway with kubeadm's
# healthcheck client certificate. A member list that cannot be read fails the step.
# Expects (rendered in): PEER_URLS (the masters', space-separated), TIMEOUT.
# <the kubeha shell library: tests/golden/_shared/lib.sh>

PEER_URLS="https://172.26.133.161:2380 https://172.26.133.162:2380 https://172.26.133.163:2380"
TIMEOUT=120
LOCAL="https://127.0.0.1:2379"

local_member_answers() {
  stacked_etcd_api "$LOCAL" cluster/member/list '{}' >/dev/null 2>&1
}

main() {
  local list id url removed=0
  wait_until "$TIMEOUT" "the local etcd member answering" local_member_answers
  list=$(stacked_etcd_members "$LOCAL") || fatal "could not read the etcd member list"
  [ -n "$list" ] || fatal "the etcd member list is empty"
  while read -r id url; do
    case " $PEER_URLS " in
      *" $url "*) ;;
      *)
        info "removing etcd member $url ($id): no longer a configured master"
        stacked_etcd_api "$LOCAL" cluster/member/remove "{\"ID\":\"$id\"}" >/dev/null
        removed=$((removed + 1))
        ;;
    esac
  done <<<"$list"
  info "etcd members not in the config: $removed removed; members: $(cut -d' ' -f2 <<<"$list" | paste -sd ' ' -)"
}

main
