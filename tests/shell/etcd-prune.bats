#!/usr/bin/env bats
# templates/etcd/etcd-prune.sh (external etcd, configured members m1-m3 at 10.0.0.1-3): removes
# exactly the members whose peer URL is not configured, and fails when it cannot read the list.

load helpers

M1="1111111111111111 m1 https://10.0.0.1:2380 https://10.0.0.1:2379"
M2="2222222222222222 m2 https://10.0.0.2:2380 https://10.0.0.2:2379"
M3="3333333333333333 m3 https://10.0.0.3:2380 https://10.0.0.3:2379"
M4="4444444444444444 m4 https://10.0.0.4:2380 https://10.0.0.4:2379"
M5="5555555555555555 - https://10.0.0.5:2380 -"

setup() {
  common_setup
  open 10.0.0.1:2379 10.0.0.2:2379 10.0.0.3:2379
  healthy https://10.0.0.1:2379
}

prune() { run bash "$SCRIPTS/etcd-prune.sh"; }

@test "removes the one member that left the config, and only it" {
  members "$STUB/members.json" "$M1" "$M2" "$M3" "$M4"
  prune
  [ "$status" -eq 0 ]
  output_has "removing etcd member m4 (https://10.0.0.4:2380, 4444444444444444): no longer configured"
  output_has "etcd members not in the config: 1 removed"
  called etcdctl "--endpoints=https://10.0.0.1:2379 .* member remove 4444444444444444$"
  [ "$(grep -c 'member remove' "$CALLS")" -eq 1 ]
  [ "$(jq -r '[.members[].name] | join(" ")' "$STUB/members.json")" = "m1 m2 m3" ]
}

@test "removes every member that left the config, a never-started one too, and counts them" {
  members "$STUB/members.json" "$M4" "$M1" "$M2" "$M5" "$M3"
  prune
  [ "$status" -eq 0 ]
  output_has "etcd members not in the config: 2 removed"
  called etcdctl ".* member remove 4444444444444444$"
  called etcdctl ".* member remove 5555555555555555$"
  [ "$(grep -c 'member remove' "$CALLS")" -eq 2 ]
  [ "$(jq -r '[.members[].ID] | join(" ")' "$STUB/members.json")" = "1111111111111111 2222222222222222 3333333333333333" ]
}

@test "every member configured: nothing removed (0 removed), the list shown" {
  members "$STUB/members.json" "$M1" "$M2" "$M3"
  prune
  [ "$status" -eq 0 ]
  output_has "etcd members not in the config: 0 removed"
  output_has "2222222222222222, started, m2, https://10.0.0.2:2380"
  not_called etcdctl ".* member remove"
}

@test "a configured member that never started is kept" {
  members "$STUB/members.json" "$M1" "$M2" "3333333333333333 - https://10.0.0.3:2380 -"
  prune
  [ "$status" -eq 0 ]
  output_has "0 removed"
  not_called etcdctl ".* member remove"
}

@test "asks the first healthy configured member" {
  : >"$STUB/healthy"
  healthy https://10.0.0.3:2379
  members "$STUB/members.json" "$M1" "$M2" "$M3" "$M4"
  prune
  [ "$status" -eq 0 ]
  called etcdctl "--endpoints=https://10.0.0.3:2379 .* member list -w json --hex$"
  called etcdctl "--endpoints=https://10.0.0.3:2379 .* member remove 4444444444444444$"
}

@test "member list fails: the step FAILS, nothing reported removed" {
  members "$STUB/members.json" "$M1" "$M2" "$M3" "$M4"
  touch "$STUB/list-fails"
  prune
  [ "$status" -ne 0 ]
  output_has "could not read the etcd member list from https://10.0.0.1:2379"
  output_lacks "removed"
  not_called etcdctl ".* member remove"
}

@test "member list answers something else than JSON: the step FAILS, nothing reported removed" {
  echo "4444444444444444, started, m4, https://10.0.0.4:2380, https://10.0.0.4:2379, false" >"$STUB/list-output"
  prune
  [ "$status" -ne 0 ]
  output_has "could not read the etcd member list"
  output_lacks "removed"
  not_called etcdctl ".* member remove"
}

@test "member list answers JSON without members: the step FAILS, nothing reported removed" {
  echo '{"header":{}}' >"$STUB/list-output"
  prune
  [ "$status" -ne 0 ]
  output_lacks "removed"
  not_called etcdctl ".* member remove"
}

@test "member list is empty: the step FAILS" {
  members "$STUB/members.json"
  prune
  [ "$status" -ne 0 ]
  output_has "the etcd member list from https://10.0.0.1:2379 is empty"
  output_lacks "removed"
}

@test "member remove fails: the step FAILS, no count reported" {
  members "$STUB/members.json" "$M1" "$M2" "$M3" "$M4"
  touch "$STUB/remove-fails"
  prune
  [ "$status" -ne 0 ]
  output_lacks "removed"
}

@test "no configured member healthy (no cluster yet): nothing to prune, no member list read" {
  : >"$STUB/healthy"
  members "$STUB/members.json" "$M1" "$M4"
  prune
  [ "$status" -eq 0 ]
  output_has "no configured etcd member answers healthy yet: nothing to prune"
  not_called etcdctl ".* member "
}

@test "ports closed (no etcd yet): nothing to prune, etcdctl not even asked for health" {
  : >"$STUB/open"
  prune
  [ "$status" -eq 0 ]
  output_has "nothing to prune"
  not_called etcdctl
}
