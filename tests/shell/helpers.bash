# Shared by the .bats files: a fresh scratch root per test, stub commands on PATH that record
# their arguments in $CALLS and behave as the files under $STUB say, and member-list builders.
# Run through tests/shell/shell.test.ts, which renders the scripts into $KUBEHA_SCRIPTS with every
# kubeha path under $KUBEHA_ROOT.

bats_require_minimum_version 1.5.0 # run ! CMD

: "${KUBEHA_SCRIPTS:?run these through tests/shell/shell.test.ts (npm test), which renders the scripts}"
: "${KUBEHA_ROOT:?}"
ROOT=$KUBEHA_ROOT
# common_setup wipes it: only the scratch root shell.test.ts made.
[[ $ROOT == */kubeha-shell-*/root ]] || { echo "KUBEHA_ROOT=$ROOT is not a scratch root of shell.test.ts" >&2; exit 1; }
# shellcheck disable=SC2034 # used by the .bats files
SCRIPTS=$KUBEHA_SCRIPTS

common_setup() {
  # The root is shared by the tests of a run (the rendered scripts name it): each test starts it
  # afresh. bats runs a file's tests one after the other.
  rm -rf "$ROOT"
  mkdir -p "$ROOT/etc/kubeha" "$ROOT/etc/kubernetes/pki/etcd" "$ROOT/run" "$ROOT/usr/local/bin" "$ROOT/etc/etcd/pki" "$ROOT/etc/systemd/system" "$ROOT/var/lib"
  STUB=$BATS_TEST_TMPDIR/stub
  CALLS=$STUB/calls
  mkdir -p "$STUB/bin"
  : >"$CALLS"
  export STUB CALLS
  # Only the stubs and the system's own tools: nothing from the toolchain's PATH (kubeadm, etcd).
  export PATH="$STUB/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin"
  export TMPDIR=$BATS_TEST_TMPDIR
  local tool
  for tool in kubeadm kubectl curl systemctl timeout; do
    install -m 0755 "$BATS_TEST_DIRNAME/stubs/$tool" "$STUB/bin/$tool"
  done
  install -m 0755 "$BATS_TEST_DIRNAME/stubs/etcdctl" "$ROOT/usr/local/bin/etcdctl"
}

# called CMD [ARGS-PATTERN]: a stub was called with arguments matching the extended regex.
called() {
  grep -Eq -- "^$1( |\$)${2:-}" "$CALLS" || {
    echo "no call of $1 matching '${2:-}'; calls:" >&2
    cat "$CALLS" >&2
    return 1
  }
}

# not_called CMD [ARGS-PATTERN]
not_called() {
  if grep -Eq -- "^$1( |\$)${2:-}" "$CALLS"; then
    echo "unexpected call of $1 matching '${2:-}'; calls:" >&2
    cat "$CALLS" >&2
    return 1
  fi
}

# output_has TEXT / output_lacks TEXT: fixed strings in bats' $output.
output_has() {
  [[ $output == *"$1"* ]] || {
    echo "output lacks: $1" >&2
    return 1
  }
}
output_lacks() {
  [[ $output != *"$1"* ]] || {
    echo "output has: $1" >&2
    return 1
  }
}

# open HOST:PORT...: port_open (through the timeout stub) finds these accepting connections.
open() { printf '%s\n' "$@" >>"$STUB/open"; }

# healthy URL...: etcdctl endpoint health succeeds against these.
healthy() { printf '%s\n' "$@" >>"$STUB/healthy"; }

# members FILE "HEXID NAME PEER_URL CLIENT_URL"...: writes `etcdctl member list -w json --hex`'s
# answer ("-" leaves the name empty or the client URLs out, as for a member that never started;
# etcd 3.5 spells that key clientURLS with --hex).
members() {
  local file=$1 member id name peer client
  shift
  local json='{"header":{"cluster_id":"cdf818194e3a8c32","member_id":"8e9e05c52164694d","raft_term":2},"members":[]}'
  for member in "$@"; do
    read -r id name peer client <<<"$member"
    [ "$name" != - ] || name=""
    json=$(jq -c --arg id "$id" --arg name "$name" --arg peer "$peer" --arg client "$client" \
      '.members += [{ID: $id, name: $name, peerURLs: [$peer]} + (if $client == "-" then {} else {clientURLS: [$client]} end)]' <<<"$json")
  done
  echo "$json" >"$file"
}

# gateway_members FILE "DECIMAL_ID PEER_URL"...: the gateway's cluster/member/list answer.
gateway_members() {
  local file=$1 member id peer
  shift
  local json='{"header":{"cluster_id":"14841639068965178418","member_id":"10276657743932975437"},"members":[]}'
  for member in "$@"; do
    read -r id peer <<<"$member"
    json=$(jq -c --arg id "$id" --arg peer "$peer" '.members += [{ID: $id, name: "m", peerURLs: [$peer], clientURLs: [($peer | sub(":2380$"; ":2379"))]}]' <<<"$json")
  done
  echo "$json" >"$file"
}
