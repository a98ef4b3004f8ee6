#!/usr/bin/env bats
# templates/controlPlane/kubeadm/bootstrap-token.sh on the first master: the token is issued as a
# bootstrap-token Secret from stdin, never on a command line.

load helpers

setup() {
  common_setup
  (umask 077 && echo "abcdef.0123456789abcdef" >"$ROOT/etc/kubeha/bootstrap-token")
}

@test "issues the token as kube-system's bootstrap-token Secret, valid for two hours, off every command line" {
  run bash "$SCRIPTS/bootstrap-token.sh"
  [ "$status" -eq 0 ]
  shown=$output
  called kubectl "apply -f -$"
  run ! grep -q 0123456789abcdef "$CALLS"
  grep -qx "  name: bootstrap-token-abcdef" "$STUB/applied.yaml"
  grep -qx "type: bootstrap.kubernetes.io/token" "$STUB/applied.yaml"
  grep -qx '  token-secret: "0123456789abcdef"' "$STUB/applied.yaml"
  grep -qx "  auth-extra-groups: system:bootstrappers:kubeadm:default-node-token" "$STUB/applied.yaml"
  expires=$(sed -n 's/^  expiration: "\(.*\)"$/\1/p' "$STUB/applied.yaml")
  left=$(($(date -u -d "$expires" +%s) - $(date -u +%s)))
  [ "$left" -gt 7000 ] && [ "$left" -le 7200 ]
  [[ "$shown" == *"bootstrap token abcdef valid until $expires"* ]]
  [[ "$shown" != *0123456789abcdef* ]]
}

@test "a failed apply fails the step" {
  printf '#!/bin/bash\necho "kubectl $*" >>"$CALLS"; echo "stub kubectl: refused" >&2; exit 1\n' >"$STUB/bin/kubectl"
  run bash "$SCRIPTS/bootstrap-token.sh"
  [ "$status" -ne 0 ]
}
