#!/usr/bin/env bats
# templates/controlPlane/kubeadm/kubeadm-join.sh on a joining node: the token travels in the
# script only, goes into a temporary copy of the configuration for the join, and nowhere else.

load helpers

setup() {
  common_setup
  K=$ROOT/etc/kubeha
  printf 'kind: JoinConfiguration\ndiscovery:\n  bootstrapToken:\n    token: "@@TOKEN@@"\n' >"$K/kubeadm-join.yaml"
  chmod 0600 "$K/kubeadm-join.yaml"
}

@test "joins with the token put into a temporary copy; the node's configuration, the command lines and the output never hold it" {
  touch "$STUB/join-echoes-token"
  run bash "$SCRIPTS/kubeadm-join.sh"
  [ "$status" -eq 0 ]
  [[ "$output" == *"joined the cluster"* ]]
  [[ "$output" == *"discovery with token <bootstrap token>"* ]]
  [[ "$output" != *0123456789abcdef* ]]
  grep -qx '    token: "abcdef.0123456789abcdef"' "$STUB/join.yaml"
  grep -q "@@TOKEN@@" "$K/kubeadm-join.yaml"
  run ! grep -rq 0123456789abcdef "$ROOT" "$CALLS"
  # The temporary copy is gone.
  [ -z "$(find "$TMPDIR" -mindepth 1 -maxdepth 1 -name 'tmp.*')" ]
  [ -f "$K/kubeadm-join.done" ]
}

@test "a failed join fails the step with the log shown, the token blanked, and no copy left" {
  touch "$STUB/join-echoes-token" "$STUB/join-fails"
  run bash "$SCRIPTS/kubeadm-join.sh"
  [ "$status" -ne 0 ]
  [[ "$output" == *"kubeadm join failed"* ]]
  [[ "$output" == *"discovery with token <bootstrap token>"* ]]
  [[ "$output" != *0123456789abcdef* ]]
  [ -z "$(find "$TMPDIR" -mindepth 1 -maxdepth 1 -name 'tmp.*')" ]
  [ ! -f "$K/kubeadm-join.done" ]
}

DRAIN_INPUT="INPUT -p tcp --dport 6443 ! -i lo -m conntrack --ctstate NEW -m comment --comment kubeha-drain-apiserver -j REJECT --reject-with tcp-reset"
DRAIN_OUTPUT="OUTPUT -p tcp -d 10.0.0.1 --dport 6443 -m owner --uid-owner www-data -m conntrack --ctstate NEW -m comment --comment kubeha-drain-apiserver -j REJECT --reject-with tcp-reset"

master_setup() {
  install -m 0755 "$BATS_TEST_DIRNAME/stubs/iptables" "$STUB/bin/iptables"
}

@test "a master joins drained: no nginx hands its apiserver a connection until it answers ready on loopback" {
  master_setup
  echo "https://127.0.0.1:6443" >"$STUB/ready"
  run bash "$SCRIPTS/kubeadm-join-master.sh"
  [ "$status" -eq 0 ]
  [[ "$output" == *"kube-apiserver ready: back in every nginx's rotation"* ]]
  # Both rules went in before kubeadm join, the readiness check came after it, and the rules are gone.
  drained=$(grep -n "iptables -I OUTPUT" "$CALLS" | cut -d: -f1)
  joined=$(grep -n "^kubeadm join" "$CALLS" | cut -d: -f1)
  asked=$(grep -n "^curl .*127.0.0.1:6443/readyz" "$CALLS" | tail -n 1 | cut -d: -f1)
  grep -qF -- "iptables -I INPUT 1 ${DRAIN_INPUT#INPUT }" "$CALLS"
  [ "$drained" -lt "$joined" ] && [ "$joined" -lt "$asked" ]
  [ ! -s "$STUB/iptables-rules" ]
}

@test "a joined master whose apiserver never gets ready fails the step, and the drain is removed all the same" {
  master_setup
  run bash "$SCRIPTS/kubeadm-join-master.sh"
  [ "$status" -ne 0 ]
  [[ "$output" == *"kube-apiserver ready after the join: not within 2s"* ]]
  [ ! -s "$STUB/iptables-rules" ]
}

@test "a master that has joined changes nothing, and a drain that a killed join left behind is removed" {
  master_setup
  touch "$K/kubeadm-join.done"
  printf '%s\n%s\n' "$DRAIN_INPUT" "$DRAIN_OUTPUT" >"$STUB/iptables-rules"
  run bash "$SCRIPTS/kubeadm-join-master.sh"
  [ "$status" -eq 0 ]
  [[ "$output" == *"this node has joined, nothing changed"* ]]
  [ ! -s "$STUB/iptables-rules" ]
  run ! grep -q "^kubeadm join" "$CALLS"
}

@test "a worker's join drains nothing (it runs no apiserver)" {
  master_setup
  run bash "$SCRIPTS/kubeadm-join.sh"
  [ "$status" -eq 0 ]
  run ! grep -q "^iptables" "$CALLS"
}
