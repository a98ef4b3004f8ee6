#!/usr/bin/env bats
# templates/controlPlane/kubeadm/kubeadm-init.sh on the first master (10.0.0.1): init, rejoin or
# refuse. Rendered twice: stacked etcd (it looks for the other masters' members too) and external.

load helpers

setup() {
  common_setup
  K=$ROOT/etc/kubeha
  MARKER=$K/kubeadm-init.done
  JOINED=$K/kubeadm-join.done
  REJOINING=$K/kubeadm-rejoin.started
  STEP_FILE=$K/kubeadm-step
  ADMIN_CONF=$ROOT/etc/kubernetes/admin.conf
  LOG=$ROOT/var/log/kubeha/kubeadm-init.log
  echo "kind: InitConfiguration" >"$K/kubeadm-init.yaml"
  printf 'kind: JoinConfiguration\ndiscovery:\n  bootstrapToken:\n    token: @@TOKEN@@\n' >"$K/kubeadm-rejoin.yaml"
  install -m 0755 "$BATS_TEST_DIRNAME/stubs/iptables" "$STUB/bin/iptables"
}

stacked() { run bash "$SCRIPTS/kubeadm-init-stacked.sh"; }
external() { run bash "$SCRIPTS/kubeadm-init-external.sh"; }

@test "initialised before (marker present): nothing runs but the token clean-up, the log of that init is kept" {
  touch "$MARKER"
  mkdir -p "$(dirname "$LOG")"
  echo "Your Kubernetes control-plane has initialized successfully!" >"$LOG"
  stacked
  [ "$status" -eq 0 ]
  output_has "this master is initialised, nothing changed"
  # Only the token list (and delete) of delete_default_token: no init, join or token create.
  [ -z "$(grep '^kubeadm' "$CALLS" | grep -v '^kubeadm token \(list\|delete\) ')" ]
  not_called curl
  [ "$(cat "$STEP_FILE")" = init ]
  grep -q "initialized successfully" "$LOG"
}

@test "initialised by a run killed before it deleted kubeadm init's own token: this run deletes it and blanks it in the log" {
  touch "$MARKER"
  mkdir -p "$(dirname "$LOG")"
  printf 'kubeadm join 10.0.0.9:16443 --token abcdef.0123456789abcdef \\\n' >"$LOG"
  stacked
  [ "$status" -eq 0 ]
  called kubeadm "token list --kubeconfig $ADMIN_CONF$"
  called kubeadm "token delete --kubeconfig $ADMIN_CONF abcdef$"
  not_called kubeadm "token delete .* kubeha$"
  output_has "deleted kubeadm init's own bootstrap token abcdef"
  grep -q -- "--token <bootstrap token>" "$LOG"
  run ! grep -q "0123456789abcdef" "$LOG"
  [ "$(stat -c %a "$LOG")" = 600 ]
}

@test "joined the cluster earlier (it became the first master): nothing runs" {
  touch "$JOINED"
  stacked
  [ "$status" -eq 0 ]
  output_has "joined the running cluster earlier: it is now the first one"
  not_called kubeadm
  [ "$(cat "$STEP_FILE")" = init ]
}

@test "a rejoin was cut short: rejoins again over what it left, preflight errors ignored" {
  touch "$REJOINING"
  echo https://127.0.0.1:6443 >"$STUB/ready"
  stacked
  [ "$status" -eq 0 ]
  output_has "an earlier join of this first master into the running cluster was cut short"
  called kubeadm "token create --kubeconfig [^ ]+/admin.conf --ttl 15m"
  called kubeadm "join --config [^ ]+/join.yaml --ignore-preflight-errors=all$"
  not_called kubeadm "init --config"
  [ -f "$MARKER" ]
  [ "$(cat "$STEP_FILE")" = init ]
}

@test "another master's apiserver answers and no admin.conf: rejoins with a fresh token in place of the placeholder, drained until its apiserver answers ready" {
  printf '%s\n' https://10.0.0.3:6443 https://127.0.0.1:6443 >"$STUB/ready"
  stacked
  [ "$status" -eq 0 ]
  output_has "the cluster runs already (https://10.0.0.3:6443 answers)"
  output_has "this first master joined the running cluster again"
  output_has "kube-apiserver ready: back in every nginx's rotation"
  called curl ".* https://10.0.0.2:6443/readyz$"
  called curl ".* https://10.0.0.3:6443/readyz$"
  called kubeadm "init phase kubeconfig admin --config $K/kubeadm-init.yaml --kubeconfig-dir "
  called kubeadm "token create --kubeconfig [^ ]+/admin.conf --ttl 15m --description"
  called kubeadm "join --config [^ ]+/join.yaml$"
  not_called kubeadm "init --config"
  grep -qx "    token: abcdef.0123456789abcdef" "$STUB/join.yaml"
  run ! grep -q @@TOKEN@@ "$STUB/join.yaml"
  [ -f "$REJOINING" ]
  [ -f "$MARKER" ]
  [ "$(cat "$STEP_FILE")" = init ]
  # The work directory (an admin kubeconfig, the token) is gone.
  [ -z "$(find "$TMPDIR" -mindepth 1 -maxdepth 1 -name 'tmp.*')" ]
  # Drained before the join, the readiness asked after it, and no rule left.
  drained=$(grep -n "^iptables -I INPUT" "$CALLS" | cut -d: -f1)
  joined=$(grep -n "^kubeadm join" "$CALLS" | cut -d: -f1)
  asked=$(grep -n "^curl .*127.0.0.1:6443/readyz" "$CALLS" | tail -n 1 | cut -d: -f1)
  [ "$drained" -lt "$joined" ] && [ "$joined" -lt "$asked" ]
  [ ! -s "$STUB/iptables-rules" ]
}

@test "rejoin: an apiserver that never answers ready fails the step, and the drain is removed all the same" {
  echo https://10.0.0.2:6443 >"$STUB/ready"
  stacked
  [ "$status" -ne 0 ]
  output_has "kube-apiserver ready after the rejoin: not within 2s"
  called iptables "-I INPUT"
  [ ! -s "$STUB/iptables-rules" ]
}

@test "a first kubeadm init is not drained (no other apiserver to take the connections)" {
  external
  [ "$status" -eq 0 ]
  called kubeadm "init --config"
  not_called iptables "-I"
}

@test "rejoin: a failed kubeadm join fails the step and leaves no marker (the next run rejoins again)" {
  echo https://10.0.0.2:6443 >"$STUB/ready"
  touch "$STUB/join-fails"
  stacked
  [ "$status" -ne 0 ]
  output_has "kubeadm join of this first master into the running cluster failed"
  output_has "stub kubeadm: join failed"
  [ ! -f "$MARKER" ]
  [ -f "$REJOINING" ]
  [ ! -f "$STEP_FILE" ]
}

@test "rejoin: a failed token create fails the step before any join" {
  echo https://10.0.0.2:6443 >"$STUB/ready"
  touch "$STUB/token-fails"
  stacked
  [ "$status" -ne 0 ]
  not_called kubeadm "join"
  [ ! -f "$MARKER" ]
  [ ! -f "$STEP_FILE" ]
}

@test "stacked etcd: no apiserver answers but another master's etcd does: refuses a second cluster" {
  open 10.0.0.3:2379
  stacked
  [ "$status" -ne 0 ]
  output_has "the cluster's etcd runs at https://10.0.0.3:2379: not initialising a second cluster"
  not_called kubeadm
  [ ! -f "$MARKER" ]
  [ ! -f "$STEP_FILE" ]
}

@test "stacked etcd: nothing answers elsewhere: kubeadm init, marker and step file written" {
  stacked
  [ "$status" -eq 0 ]
  output_has "control plane initialised"
  called timeout "1 bash -c exec 3<>/dev/tcp/10.0.0.2/2379"
  called timeout "1 bash -c exec 3<>/dev/tcp/10.0.0.3/2379"
  called kubeadm "init --config $K/kubeadm-init.yaml$"
  [ -f "$MARKER" ]
  [ "$(cat "$STEP_FILE")" = init ]
  [ "$(stat -c %a "$LOG")" = 600 ]
  grep -q "initialized successfully" "$LOG"
}

@test "kubeadm init's own token is deleted at once, and no token or certificate key reaches the step's output" {
  stacked
  [ "$status" -eq 0 ]
  called kubeadm "token list --kubeconfig $ADMIN_CONF$"
  called kubeadm "token delete --kubeconfig $ADMIN_CONF abcdef$"
  not_called kubeadm "token delete .* kubeha$"
  [ "$(grep -c '^kubeadm' "$CALLS")" -eq 3 ]
  output_has "deleted kubeadm init's own bootstrap token abcdef"
  output_has "kubeadm join 10.0.0.100:16443 --token <bootstrap token>"
  output_has "--certificate-key <certificate key>"
  [[ "$output" != *0123456789abcdef* && "$output" != *2222222222* ]]
  # Nor does the log on the master, which stays readable by root only.
  run ! grep -q "0123456789abcdef\|2222222222" "$LOG"
  grep -q "initialized successfully" "$LOG"
  [ "$(stat -c %a "$LOG")" = 600 ]
}

@test "external etcd: no apiserver answers: kubeadm init without looking for etcd members" {
  open 10.0.0.2:2379 10.0.0.3:2379
  external
  [ "$status" -eq 0 ]
  output_has "control plane initialised"
  not_called timeout
  called kubeadm "init --config $K/kubeadm-init.yaml$"
  [ -f "$MARKER" ]
}

@test "an init cut short (admin.conf, no marker): kubeadm init again with preflight errors ignored, even with the others' etcd up" {
  touch "$ADMIN_CONF"
  open 10.0.0.2:2379
  echo https://10.0.0.2:6443 >"$STUB/ready"
  stacked
  [ "$status" -eq 0 ]
  output_has "an earlier kubeadm init was cut short"
  called kubeadm "init --config $K/kubeadm-init.yaml --ignore-preflight-errors=all$"
  not_called kubeadm "join"
  not_called kubeadm "token create"
  [ -f "$MARKER" ]
}

@test "a failed kubeadm init fails the step with its log, no marker, no step file" {
  touch "$STUB/init-fails"
  external
  [ "$status" -ne 0 ]
  output_has "kubeadm init failed"
  output_has "stub kubeadm: init failed"
  [ ! -f "$MARKER" ]
  [ ! -f "$STEP_FILE" ]
}

@test "external etcd: an apiserver answering not ready is not a running cluster: kubeadm init" {
  echo https://10.0.0.2:6443 >"$STUB/not-ready"
  external
  [ "$status" -eq 0 ]
  called curl ".* https://10.0.0.2:6443/readyz$"
  not_called kubeadm "join"
  not_called kubeadm "token create"
  called kubeadm "init --config"
}

@test "stacked etcd: an apiserver not ready while its etcd accepts connections: refuses a second cluster" {
  echo https://10.0.0.2:6443 >"$STUB/not-ready"
  open 10.0.0.2:2379
  stacked
  [ "$status" -ne 0 ]
  output_has "not initialising a second cluster"
  not_called kubeadm
}
