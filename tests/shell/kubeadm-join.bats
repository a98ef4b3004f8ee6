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
