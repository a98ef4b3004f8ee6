#!/usr/bin/env bats
# templates/etcd/etcd-stale-member-stacked.sh on master 10.0.0.1 (stacked etcd; the others at
# 10.0.0.2-3): a master without etcd data or kubeadm state drops the old member with its peer URL.

load helpers

PKI=""
G1="11111111111111111111 https://10.0.0.1:2380"
G2="22222222222222222222 https://10.0.0.2:2380"
G3="33333333333333333333 https://10.0.0.3:2380"

setup() {
  common_setup
  PKI=$ROOT/etc/kubernetes/pki/etcd
  echo ca >"$PKI/ca.crt"
  echo key >"$PKI/ca.key"
}

check() { run bash "$SCRIPTS/etcd-stale-member-stacked.sh"; }

@test "own etcd data: nothing asked, nothing removed" {
  mkdir -p "$ROOT/var/lib/etcd/member"
  gateway_members "$STUB/gateway.json" "$G1" "$G2" "$G3"
  check
  [ "$status" -eq 0 ]
  output_has "this master has its etcd data or kubeadm state: its member is its own"
  not_called curl
  not_called kubeadm
}

@test "kubeadm state (kubelet.conf or the step file): nothing asked, nothing removed" {
  touch "$ROOT/etc/kubernetes/kubelet.conf"
  check
  [ "$status" -eq 0 ]
  output_has "its member is its own"
  rm "$ROOT/etc/kubernetes/kubelet.conf"
  echo join >"$ROOT/etc/kubeha/kubeadm-step"
  check
  [ "$status" -eq 0 ]
  output_has "its member is its own"
  not_called curl
}

@test "no etcd CA key: fails" {
  rm "$PKI/ca.key"
  check
  [ "$status" -ne 0 ]
  output_has "ca.key is missing"
}

@test "no other master's member answers (first deployment): nothing to check" {
  printf '%s\n' https://10.0.0.2:2379 https://10.0.0.3:2379 >"$STUB/gateway-down"
  check
  [ "$status" -eq 0 ]
  output_has "no other master's etcd member answers: nothing to check (first deployment)"
  not_called curl ".*/member/remove"
  [ -z "$(find "$TMPDIR" -mindepth 1 -maxdepth 1 -name 'tmp.*')" ]
}

@test "another master's member accepts connections but its member list cannot be read: the step FAILS" {
  gateway_members "$STUB/gateway.json" "$G1" "$G2" "$G3"
  echo "<html>503</html>" >"$STUB/gateway-output"
  echo https://10.0.0.2:2379 >"$STUB/gateway-down"
  open 10.0.0.3:2379
  check
  [ "$status" -ne 0 ]
  output_has "could not read the etcd member list from https://10.0.0.3:2379 (it accepts connections)"
  output_lacks "nothing to check"
  not_called curl ".*/member/remove"
}

@test "the first other master's member answers no list, the next one does: that one is used" {
  gateway_members "$STUB/gateway.json" "$G1" "$G2" "$G3"
  echo 1 >"$STUB/gateway-list-fail-calls"
  open 10.0.0.2:2379 10.0.0.3:2379
  check
  [ "$status" -eq 0 ]
  called curl ".* https://10.0.0.2:2379/v3/cluster/member/list$"
  called curl ".* https://10.0.0.3:2379/v3/cluster/member/remove$"
}

@test "a member with this master's peer URL: removed through the member that answered, with a client certificate made by kubeadm" {
  echo https://10.0.0.2:2379 >"$STUB/gateway-down"
  gateway_members "$STUB/gateway.json" "$G1" "$G2" "$G3"
  check
  [ "$status" -eq 0 ]
  output_has "removing etcd member 11111111111111111111 at https://10.0.0.1:2380: this master lost its etcd data"
  called kubeadm "init phase certs etcd-healthcheck-client --cert-dir [^ ]+ --kubernetes-version v1.32.13$"
  called curl ".* --cert [^ ]+/etcd/healthcheck-client.crt .* -d \\{\"ID\":\"11111111111111111111\"\\} https://10.0.0.3:2379/v3/cluster/member/remove$"
  [ "$(jq -r '[.members[].ID] | join(" ")' "$STUB/gateway.json")" = "22222222222222222222 33333333333333333333" ]
  # The temporary certificates are gone.
  [ -z "$(find "$TMPDIR" -mindepth 1 -maxdepth 1 -name 'tmp.*')" ]
}

@test "no member with this master's peer URL: nothing removed, it joins as a new one" {
  gateway_members "$STUB/gateway.json" "$G2" "$G3"
  check
  [ "$status" -eq 0 ]
  output_has "the etcd cluster has no member at https://10.0.0.1:2380: this master joins as a new one"
  called curl ".* https://10.0.0.2:2379/v3/cluster/member/list$"
  not_called curl ".*/member/remove"
}

@test "the remove fails: the step fails" {
  gateway_members "$STUB/gateway.json" "$G1" "$G2" "$G3"
  touch "$STUB/gateway-remove-fails"
  check
  [ "$status" -ne 0 ]
}
