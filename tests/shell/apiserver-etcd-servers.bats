#!/usr/bin/env bats
# templates/controlPlane/kubeadm/apiserver-etcd-servers.sh on master 10.0.0.1: a change of the
# external etcd members rewrites --etcd-servers, with the apiserver drained (new connections from
# other hosts and from this host's nginx refused) from before the rewrite until the new apiserver
# is ready. The rendered SERVERS are https://10.0.0.1:2379,https://10.0.0.2:2379.

load helpers

OLD="https://10.0.0.1:2379,https://10.0.0.9:2379"
NEW="https://10.0.0.1:2379,https://10.0.0.2:2379"
MANIFEST_DIR=$ROOT/etc/kubernetes/manifests

setup() {
  common_setup
  install -m 0755 "$BATS_TEST_DIRNAME/stubs/iptables" "$STUB/bin/iptables"
  install -m 0755 "$BATS_TEST_DIRNAME/stubs/pgrep" "$STUB/bin/pgrep"
  mkdir -p "$MANIFEST_DIR"
  printf 'spec:\n  containers:\n  - command:\n    - kube-apiserver\n    - --etcd-servers=%s\n' "$OLD" >"$MANIFEST_DIR/kube-apiserver.yaml"
  echo "https://127.0.0.1:6443" >"$STUB/ready"
}

teardown() {
  if [ -s "$STUB/apiserver-pid" ]; then kill "$(cat "$STUB/apiserver-pid")" 2>/dev/null || true; fi
}

# running_apiserver SERVERS: a stand-in kube-apiserver process whose command line has these members.
running_apiserver() {
  # Its sleep goes with it (teardown), and it holds none of bats' output open (3>&-: bats reads
  # its TAP output from fd 3 until every holder closes it).
  printf '#!/bin/bash\ntrap '"'"'kill $!; exit 0'"'"' TERM\nsleep 600 &\nwait\n' >"$BATS_TEST_TMPDIR/fake-apiserver"
  bash "$BATS_TEST_TMPDIR/fake-apiserver" "--etcd-servers=$1" </dev/null >/dev/null 2>&1 3>&- &
  echo $! >"$STUB/apiserver-pid"
}

DRAIN_INPUT="INPUT -p tcp --dport 6443 ! -i lo -m conntrack --ctstate NEW -m comment --comment kubeha-drain-apiserver -j REJECT --reject-with tcp-reset"
DRAIN_OUTPUT="OUTPUT -p tcp -d 10.0.0.1 --dport 6443 -m owner --uid-owner www-data -m conntrack --ctstate NEW -m comment --comment kubeha-drain-apiserver -j REJECT --reject-with tcp-reset"

@test "drains before rewriting the manifest, and undrains once the new apiserver is ready" {
  running_apiserver "$NEW"
  run bash "$SCRIPTS/apiserver-etcd-servers.sh"
  [ "$status" -eq 0 ]
  grep -qx -- "    - --etcd-servers=$NEW" "$MANIFEST_DIR/kube-apiserver.yaml"
  # Both rules went in while the manifest still had the old members, and came out after the new.
  [ "$(cat "$STUB/iptables-log")" = "$(printf '%s\n' "insert INPUT --etcd-servers=$OLD" "insert OUTPUT --etcd-servers=$OLD" "delete INPUT --etcd-servers=$NEW" "delete OUTPUT --etcd-servers=$NEW")" ]
  grep -qxF -- "iptables -I INPUT 1 ${DRAIN_INPUT#INPUT }" "$CALLS"
  grep -qxF -- "iptables -I OUTPUT 1 ${DRAIN_OUTPUT#OUTPUT }" "$CALLS"
  [ ! -s "$STUB/iptables-rules" ]
  output_has "kube-apiserver drained"
  output_has "kube-apiserver ready on $NEW"
}

@test "members unchanged: no drain, and a drain that a killed run left behind is removed" {
  sed -i "s|--etcd-servers=.*|--etcd-servers=$NEW|" "$MANIFEST_DIR/kube-apiserver.yaml"
  printf '%s\n' "$DRAIN_INPUT" "$DRAIN_OUTPUT" "$DRAIN_INPUT" >"$STUB/iptables-rules"
  running_apiserver "$NEW"
  run bash "$SCRIPTS/apiserver-etcd-servers.sh"
  [ "$status" -eq 0 ]
  not_called iptables "-I"
  [ ! -s "$STUB/iptables-rules" ]
  output_has "uses the etcd members already"
}

@test "a new apiserver that never gets ready fails the step, and the drain is removed all the same" {
  running_apiserver "$OLD"
  run bash "$SCRIPTS/apiserver-etcd-servers.sh"
  [ "$status" -ne 0 ]
  output_has "did not come back ready on $NEW"
  called iptables "-I INPUT 1"
  [ ! -s "$STUB/iptables-rules" ]
}

@test "a drain that cannot be put in place fails the step before the manifest is touched" {
  touch "$STUB/iptables-fails"
  running_apiserver "$NEW"
  run bash "$SCRIPTS/apiserver-etcd-servers.sh"
  [ "$status" -ne 0 ]
  output_has "cannot drain kube-apiserver"
  grep -qx -- "    - --etcd-servers=$OLD" "$MANIFEST_DIR/kube-apiserver.yaml"
}
