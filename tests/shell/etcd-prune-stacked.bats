#!/usr/bin/env bats
# templates/etcd/etcd-prune-stacked.sh on the first master (stacked etcd, masters 10.0.0.1-3):
# removes through the local member's gateway exactly the members whose peer URL is no master's,
# and fails when it cannot read the list.

load helpers

LOCAL=https://127.0.0.1:2379
G1="11111111111111111111 https://10.0.0.1:2380"
G2="22222222222222222222 https://10.0.0.2:2380"
G3="33333333333333333333 https://10.0.0.3:2380"
G4="44444444444444444444 https://10.0.0.4:2380"

setup() { common_setup; }

prune() { run bash "$SCRIPTS/etcd-prune-stacked.sh"; }

@test "removes the member of the master that left the config, and only it, through the local gateway" {
  gateway_members "$STUB/gateway.json" "$G1" "$G4" "$G2" "$G3"
  prune
  [ "$status" -eq 0 ]
  output_has "removing etcd member https://10.0.0.4:2380 (44444444444444444444): no longer a configured master"
  output_has "etcd members not in the config: 1 removed; members: https://10.0.0.1:2380 https://10.0.0.4:2380 https://10.0.0.2:2380 https://10.0.0.3:2380"
  called curl ".* -X POST -d \\{\"ID\":\"44444444444444444444\"\\} $LOCAL/v3/cluster/member/remove$"
  [ "$(grep -c 'member/remove' "$CALLS")" -eq 1 ]
  [ "$(jq -r '[.members[].ID] | join(" ")' "$STUB/gateway.json")" = "11111111111111111111 22222222222222222222 33333333333333333333" ]
  # kubeadm's healthcheck client certificate
  called curl ".* --cert $ROOT/etc/kubernetes/pki/etcd/healthcheck-client.crt --key $ROOT/etc/kubernetes/pki/etcd/healthcheck-client.key "
}

@test "every member a configured master's: 0 removed" {
  gateway_members "$STUB/gateway.json" "$G1" "$G2" "$G3"
  prune
  [ "$status" -eq 0 ]
  output_has "etcd members not in the config: 0 removed"
  not_called curl ".*/member/remove"
}

@test "two members gone: both removed, counted" {
  gateway_members "$STUB/gateway.json" "$G1" "$G4" "55555555555555555555 https://10.0.0.5:2380"
  prune
  [ "$status" -eq 0 ]
  output_has "2 removed"
  [ "$(jq -r '[.members[].ID] | join(" ")' "$STUB/gateway.json")" = "11111111111111111111" ]
}

@test "the local member never answers: the step FAILS after the timeout, nothing reported removed" {
  echo "$LOCAL" >"$STUB/gateway-down"
  prune
  [ "$status" -ne 0 ]
  output_has "the local etcd member answering: not within 2s"
  output_lacks "removed"
}

@test "member list answers something else than JSON: the step FAILS, nothing reported removed" {
  echo "<html>503 Service Unavailable</html>" >"$STUB/gateway-output"
  prune
  [ "$status" -ne 0 ]
  output_has "could not read the etcd member list"
  output_lacks "removed"
  not_called curl ".*/member/remove"
}

@test "member list fails after the member answered once: the step FAILS, nothing reported removed" {
  gateway_members "$STUB/gateway.json" "$G1" "$G4"
  echo 2 >"$STUB/gateway-list-fail-from"
  prune
  [ "$status" -ne 0 ]
  output_has "could not read the etcd member list"
  output_lacks "removed"
  not_called curl ".*/member/remove"
}

@test "member list is empty: the step FAILS" {
  gateway_members "$STUB/gateway.json"
  prune
  [ "$status" -ne 0 ]
  output_has "the etcd member list is empty"
  output_lacks "removed"
}

@test "member remove fails: the step FAILS, no count reported" {
  gateway_members "$STUB/gateway.json" "$G1" "$G4"
  touch "$STUB/gateway-remove-fails"
  prune
  [ "$status" -ne 0 ]
  output_lacks "removed"
}
