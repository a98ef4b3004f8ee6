#!/usr/bin/env bats
# templates/etcd/apply-etcd.sh on member m2 (https://10.0.0.2:2380) of m1-m3: restart a member
# with data (or leave it running), bootstrap, join, replace.

load helpers

M1="1111111111111111 m1 https://10.0.0.1:2380 https://10.0.0.1:2379"
M3="3333333333333333 m3 https://10.0.0.3:2380 https://10.0.0.3:2379"
CONFIGURED="m1=https://10.0.0.1:2380,m2=https://10.0.0.2:2380,m3=https://10.0.0.3:2380"

setup() {
  common_setup
  DATA=$ROOT/var/lib/etcd/kubeha
  ENV_FILE=$ROOT/etc/etcd/bootstrap.env
  UNIT_FILE=$ROOT/etc/systemd/system/etcd.service
  printf '%s' "$CONFIGURED" >"$ROOT/etc/etcd/initial-cluster"
  install -m 0755 /dev/null "$ROOT/usr/local/bin/etcd"
  echo "[Unit]" >"$UNIT_FILE"
  for f in ca.crt server.crt server.key peer.crt peer.key client.crt client.key; do echo x >"$ROOT/etc/etcd/pki/$f"; done
}

apply() { run bash "$SCRIPTS/apply-etcd.sh"; }

# with_data: m2 has its data directory; STARTED: when the running unit started.
with_data() {
  mkdir -p "$DATA/member"
  echo "ETCD_INITIAL_CLUSTER=$CONFIGURED" >"$ENV_FILE"
}

# every file the member runs on last changed at $1 (a date).
files_changed_at() {
  touch -d "$1" "$UNIT_FILE" "$ROOT"/etc/etcd/pki/* "$ROOT/usr/local/bin/etcd"
}

@test "with data, healthy, running since its unit, certificates and binaries changed: nothing restarted" {
  with_data
  open 127.0.0.1:2379
  healthy https://127.0.0.1:2379
  touch "$STUB/active"
  files_changed_at "2026-01-01 10:00:00"
  echo "Thu 2026-01-01 11:00:00 UTC" >"$STUB/started"
  apply
  [ "$status" -eq 0 ]
  output_has "runs on its current unit, certificates and binaries: nothing restarted"
  not_called systemctl "restart"
  not_called systemctl "stop"
  called systemctl "daemon-reload"
}

@test "with data, healthy, a certificate newer than the running process: restarts and waits until healthy" {
  with_data
  open 127.0.0.1:2379
  healthy https://127.0.0.1:2379
  touch "$STUB/active"
  files_changed_at "2026-01-01 10:00:00"
  touch -d "2026-01-01 12:00:00" "$ROOT/etc/etcd/pki/server.crt"
  echo "Thu 2026-01-01 11:00:00 UTC" >"$STUB/started"
  apply
  [ "$status" -eq 0 ]
  output_has "restarted and healthy"
  called timeout "2 systemctl restart etcd.service$"
  called systemctl "restart etcd.service$"
  not_called etcdctl ".* member "
}

@test "with data, healthy, unit not active: restarts it" {
  with_data
  open 127.0.0.1:2379
  healthy https://127.0.0.1:2379
  files_changed_at "2026-01-01 10:00:00"
  apply
  [ "$status" -eq 0 ]
  called systemctl "restart etcd.service$"
  output_has "restarted and healthy"
}

@test "with data, healthy, restart does not come back: fails" {
  with_data
  open 127.0.0.1:2379
  healthy https://127.0.0.1:2379
  touch "$STUB/restart-fails"
  apply
  [ "$status" -ne 0 ]
  output_has "did not come back within 2s of its restart"
}

@test "with data, not healthy: restarts without waiting" {
  with_data
  apply
  [ "$status" -eq 0 ]
  output_has "restarted (it was not healthy before: not waiting)"
  called systemctl "restart --no-block etcd.service$"
  not_called etcdctl ".* member "
}

@test "with data but no bootstrap environment (an older kubeha): writes one with the configured cluster" {
  mkdir -p "$DATA/member"
  apply
  [ "$status" -eq 0 ]
  [ "$(cat "$ENV_FILE")" = "$(printf 'ETCD_INITIAL_CLUSTER=%s\nETCD_INITIAL_CLUSTER_STATE=new' "$CONFIGURED")" ]
}

@test "no data, no other member answers: bootstraps the configured cluster (state new)" {
  apply
  [ "$status" -eq 0 ]
  output_has "no other member answers yet: m2 bootstraps the configured cluster"
  [ "$(cat "$ENV_FILE")" = "$(printf 'ETCD_INITIAL_CLUSTER=%s\nETCD_INITIAL_CLUSTER_STATE=new' "$CONFIGURED")" ]
  [ "$(stat -c %a "$DATA")" = 700 ]
  called systemctl "stop etcd.service$"
  called systemctl "enable etcd.service$"
  called systemctl "restart --no-block etcd.service$"
  not_called etcdctl ".* member "
  # Only the other members are asked, at their client port.
  called timeout "1 bash -c exec 3<>/dev/tcp/10.0.0.1/2379$"
  called timeout "1 bash -c exec 3<>/dev/tcp/10.0.0.3/2379$"
  not_called timeout ".*/dev/tcp/10.0.0.2/"
}

@test "no data, another member's port open but not healthy (no quorum yet): bootstraps" {
  open 10.0.0.1:2379 10.0.0.3:2379
  apply
  [ "$status" -eq 0 ]
  output_has "bootstraps the configured cluster"
  grep -qx "ETCD_INITIAL_CLUSTER_STATE=new" "$ENV_FILE"
  called etcdctl "--endpoints=https://10.0.0.1:2379 .* endpoint health"
}

@test "no data, a healthy member, not listed: member add, then starts into the running cluster (state existing)" {
  open 10.0.0.1:2379 10.0.0.3:2379
  healthy https://10.0.0.3:2379
  members "$STUB/members.json" "$M1" "$M3"
  apply
  [ "$status" -eq 0 ]
  output_has "a cluster runs (answered at https://10.0.0.3:2379): m2 joins it"
  output_has "added member m2 to the running cluster"
  called etcdctl "--endpoints=https://10.0.0.3:2379 .* member add m2 --peer-urls=https://10.0.0.2:2380$"
  not_called etcdctl ".* member remove"
  [ "$(cat "$ENV_FILE")" = "$(printf 'ETCD_INITIAL_CLUSTER=%s\nETCD_INITIAL_CLUSTER_STATE=existing' "m1=https://10.0.0.1:2380,m3=https://10.0.0.3:2380,m2=https://10.0.0.2:2380")" ]
  called systemctl "restart --no-block etcd.service$"
}

@test "no data, a healthy member, listed with a client URL (it ran, its data is lost): member remove, then add" {
  open 10.0.0.1:2379
  healthy https://10.0.0.1:2379
  members "$STUB/members.json" "$M1" "2222222222222222 m2 https://10.0.0.2:2380 https://10.0.0.2:2379" "$M3"
  apply
  [ "$status" -eq 0 ]
  output_has "ran before and has no data now: replacing its identity"
  called etcdctl "--endpoints=https://10.0.0.1:2379 .* member remove 2222222222222222$"
  called etcdctl ".* member add m2 --peer-urls=https://10.0.0.2:2380$"
  # remove before add
  [ "$(grep -n 'member remove' "$CALLS" | cut -d: -f1)" -lt "$(grep -n 'member add' "$CALLS" | cut -d: -f1)" ]
  grep -qx "ETCD_INITIAL_CLUSTER=m1=https://10.0.0.1:2380,m3=https://10.0.0.3:2380,m2=https://10.0.0.2:2380" "$ENV_FILE"
  grep -qx "ETCD_INITIAL_CLUSTER_STATE=existing" "$ENV_FILE"
}

@test "no data, listed but never ran (added earlier, no client URL): no add, starts under that member" {
  open 10.0.0.1:2379
  healthy https://10.0.0.1:2379
  members "$STUB/members.json" "$M1" "2222222222222222 - https://10.0.0.2:2380 -" "$M3"
  apply
  [ "$status" -eq 0 ]
  output_has "member m2 is listed and has never run: it starts into the running cluster"
  not_called etcdctl ".* member add"
  not_called etcdctl ".* member remove"
  grep -qx "ETCD_INITIAL_CLUSTER=m1=https://10.0.0.1:2380,m2=https://10.0.0.2:2380,m3=https://10.0.0.3:2380" "$ENV_FILE"
}

@test "join: another member that never started is named unstarted-ID in the initial cluster" {
  open 10.0.0.1:2379
  healthy https://10.0.0.1:2379
  members "$STUB/members.json" "$M1" "3333333333333333 - https://10.0.0.3:2380 -"
  apply
  [ "$status" -eq 0 ]
  grep -qx "ETCD_INITIAL_CLUSTER=m1=https://10.0.0.1:2380,unstarted-3333333333333333=https://10.0.0.3:2380,m2=https://10.0.0.2:2380" "$ENV_FILE"
}

@test "join: the member list cannot be read: fails, no bootstrap environment, etcd not started" {
  open 10.0.0.1:2379
  healthy https://10.0.0.1:2379
  touch "$STUB/list-fails"
  apply
  [ "$status" -ne 0 ]
  output_has "could not read the etcd member list from https://10.0.0.1:2379"
  [ ! -e "$ENV_FILE" ]
  not_called systemctl "restart"
  not_called etcdctl ".* member add"
}

@test "join: the member list is not JSON: fails, no bootstrap environment" {
  open 10.0.0.1:2379
  healthy https://10.0.0.1:2379
  echo "1111111111111111, started, m1, https://10.0.0.1:2380, https://10.0.0.1:2379, false" >"$STUB/list-output"
  apply
  [ "$status" -ne 0 ]
  output_has "could not read the etcd member list"
  [ ! -e "$ENV_FILE" ]
  not_called etcdctl ".* member add"
}

@test "join: member add refused until the timeout: fails, etcd not started" {
  open 10.0.0.1:2379
  healthy https://10.0.0.1:2379
  members "$STUB/members.json" "$M1" "$M3"
  touch "$STUB/add-fails"
  apply
  [ "$status" -ne 0 ]
  output_has "etcd adding member m2: not within 2s"
  [ ! -e "$ENV_FILE" ]
  not_called systemctl "restart"
}

@test "etcd not installed (offline, no binary in artifactDir): fails naming it" {
  rm "$ROOT/usr/local/bin/etcd"
  apply
  [ "$status" -ne 0 ]
  output_has "etcd is not installed"
}

@test "no initial-cluster file: fails before bootstrapping anything" {
  rm "$ROOT/etc/etcd/initial-cluster"
  apply
  [ "$status" -ne 0 ]
  output_has "initial-cluster is missing or empty"
  [ ! -e "$ENV_FILE" ]
  not_called systemctl "restart"
}
