#!/usr/bin/env bats
# templates/controlPlane/kubeadm/bootstrap-token.sh and bootstrap-token-revoke.sh on the first
# master: the token (rendered into the script) is issued as a labelled bootstrap-token Secret from
# stdin, never on a command line, the tokens of earlier joins are removed, and the revoke step
# deletes every labelled token.

load helpers

setup() {
  common_setup
}

@test "issues the token as kube-system's bootstrap-token Secret, valid for two hours, off every command line" {
  run bash "$SCRIPTS/bootstrap-token.sh"
  [ "$status" -eq 0 ]
  shown=$output
  called kubectl "apply -f -$"
  run ! grep -q 0123456789abcdef "$CALLS"
  grep -qx "  name: bootstrap-token-abcdef" "$STUB/applied.yaml"
  grep -qx '    kubeha.io/bootstrap-token: "true"' "$STUB/applied.yaml"
  grep -qx "type: bootstrap.kubernetes.io/token" "$STUB/applied.yaml"
  grep -qx '  token-secret: "0123456789abcdef"' "$STUB/applied.yaml"
  grep -qx "  auth-extra-groups: system:bootstrappers:kubeadm:default-node-token" "$STUB/applied.yaml"
  expires=$(sed -n 's/^  expiration: "\(.*\)"$/\1/p' "$STUB/applied.yaml")
  left=$(($(date -u -d "$expires" +%s) - $(date -u +%s)))
  [ "$left" -gt 7000 ] && [ "$left" -le 7200 ]
  [[ "$shown" == *"bootstrap token abcdef valid until $expires"* ]]
  [[ "$shown" != *0123456789abcdef* ]]
}

@test "removes kubeha's other tokens (of earlier joins), not the one it issued" {
  run bash "$SCRIPTS/bootstrap-token.sh"
  [ "$status" -eq 0 ]
  called kubectl "-n kube-system delete secret -l kubeha.io/bootstrap-token --field-selector metadata.name!=bootstrap-token-abcdef --ignore-not-found$"
}

@test "a failed apply fails the step, before any token is removed" {
  printf '#!/bin/bash\necho "kubectl $*" >>"$CALLS"; echo "stub kubectl: refused" >&2; exit 1\n' >"$STUB/bin/kubectl"
  run bash "$SCRIPTS/bootstrap-token.sh"
  [ "$status" -ne 0 ]
  not_called kubectl "-n kube-system delete"
}

@test "revoke: deletes every token of kubeha's (labelled or not), no other, and the token file of kubeha's earlier versions" {
  (umask 077 && echo "abcdef.0123456789abcdef" >"$ROOT/etc/kubeha/bootstrap-token")
  ours=$(printf '%s' "kubeha: joins of nodes" | base64 -w0)
  printf 'bootstrap-token-abcdef %s\nbootstrap-token-other1 %s\nbootstrap-token-ghijkl %s\n' "$ours" "$(printf 'someone else' | base64 -w0)" "$ours" >"$STUB/token-secrets"
  run bash "$SCRIPTS/bootstrap-token-revoke.sh"
  [ "$status" -eq 0 ]
  called kubectl "-n kube-system delete secret bootstrap-token-abcdef bootstrap-token-ghijkl --ignore-not-found$"
  [ ! -e "$ROOT/etc/kubeha/bootstrap-token" ]
  output_has "bootstrap tokens revoked: bootstrap-token-abcdef bootstrap-token-ghijkl"
}

@test "revoke: nothing left to revoke deletes nothing and is no failure" {
  run bash "$SCRIPTS/bootstrap-token-revoke.sh"
  [ "$status" -eq 0 ]
  not_called kubectl "-n kube-system delete"
  output_has "bootstrap tokens revoked: none left"
}

@test "revoke: an API that cannot list the tokens fails the step" {
  printf '#!/bin/bash\necho "kubectl $*" >>"$CALLS"; echo "stub kubectl: connection refused" >&2; exit 1\n' >"$STUB/bin/kubectl"
  run bash "$SCRIPTS/bootstrap-token-revoke.sh"
  [ "$status" -ne 0 ]
  output_has "cannot list the bootstrap tokens"
}

@test "revoke: an apiserver that refuses the admin at first (its RBAC cache behind, right after the joins) is asked again" {
  printf '%s %s\n' bootstrap-token-abcdef "$(printf '%s' 'kubeha: joins of nodes' | base64 -w0)" >"$STUB/token-secrets"
  # The first list is Forbidden, the next ones answer.
  printf '#!/bin/bash\nif [[ "$*" == *"get secrets"* ]] && [ ! -e "$STUB/listed-once" ]; then touch "$STUB/listed-once"; echo "Error from server (Forbidden): secrets is forbidden" >&2; exit 1; fi\nexec %q "$@"\n' "$BATS_TEST_DIRNAME/stubs/kubectl" >"$STUB/bin/kubectl"
  run bash "$SCRIPTS/bootstrap-token-revoke.sh"
  [ "$status" -eq 0 ]
  output_has "bootstrap tokens revoked: bootstrap-token-abcdef"
}

@test "an apiserver that refuses the admin at first (right after an init or a rejoin) is asked again, and the token issued" {
  printf '#!/bin/bash\nif [[ "$*" == "apply -f -" ]] && [ ! -e "$STUB/applied-once" ]; then touch "$STUB/applied-once"; echo "Error from server (Forbidden): secrets is forbidden" >&2; exit 1; fi\nexec %q "$@"\n' "$BATS_TEST_DIRNAME/stubs/kubectl" >"$STUB/bin/kubectl"
  run bash "$SCRIPTS/bootstrap-token.sh"
  [ "$status" -eq 0 ]
  output_has "bootstrap token abcdef valid until"
  grep -q "token-secret: \"0123456789abcdef\"" "$STUB/applied.yaml"
}
