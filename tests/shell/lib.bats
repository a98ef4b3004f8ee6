#!/usr/bin/env bats
# templates/host/lib.sh, the shell library every step script carries: the probes and readers the
# decision branches rest on, against a real loopback port and stub etcdctl, curl and systemctl.

load helpers

LISTENER=""

setup() { common_setup; }

teardown() {
  if [ -n "$LISTENER" ]; then kill "$LISTENER" 2>/dev/null || true; fi
}

# lib CODE: runs CODE in a bash that sourced the library (as a step script does).
lib() { run bash -c "source '$SCRIPTS/lib.sh'; $1"; }

# listen: a real TCP listener on 127.0.0.1 (node); sets OPEN_PORT, and CLOSED_PORT to a port that
# was free a moment ago.
listen() {
  local ports=$BATS_TEST_TMPDIR/ports
  "${KUBEHA_NODE:?}" -e '
    const net = require("net");
    const free = net.createServer().listen(0, "127.0.0.1", () => {
      const closed = free.address().port;
      free.close(() => {
        const s = net.createServer((c) => c.end()).listen(0, "127.0.0.1", () => {
          require("fs").writeFileSync(process.argv[1], `${s.address().port} ${closed}\n`);
        });
      });
    });' "$ports" 3>&- &
  LISTENER=$!
  local _
  for _ in $(seq 50); do [ -s "$ports" ] && break; sleep 0.1; done
  read -r OPEN_PORT CLOSED_PORT <"$ports"
}

@test "port_open: a listening loopback port is open, a closed one is not, at once" {
  rm "$STUB/bin/timeout" # the real timeout
  listen
  lib "port_open https://127.0.0.1:$OPEN_PORT"
  [ "$status" -eq 0 ]
  lib "port_open https://127.0.0.1:$OPEN_PORT/some/path"
  [ "$status" -eq 0 ]
  SECONDS=0
  lib "port_open https://127.0.0.1:$CLOSED_PORT"
  [ "$status" -ne 0 ]
  [ "$SECONDS" -le 1 ]
}

@test "running_since_changed: active and started after every file changed" {
  touch "$STUB/active"
  touch -d "2026-01-01 10:00:00" "$ROOT/a" "$ROOT/b"
  echo "Thu 2026-01-01 11:00:00 UTC" >"$STUB/started"
  lib "running_since_changed etcd.service '$ROOT/a' '$ROOT/b'"
  [ "$status" -eq 0 ]
  called systemctl "show -p ActiveEnterTimestamp --timestamp=us\\+utc --value etcd.service$"
}

@test "running_since_changed: within one second, a file written before the start counts as applied, one written after it does not" {
  touch "$STUB/active"
  touch -d "2026-01-01 11:00:00.300000" "$ROOT/a"
  touch -d "2026-01-01 11:00:00.900000" "$ROOT/b"
  echo "Thu 2026-01-01 11:00:00.700000 UTC" >"$STUB/started"
  lib "running_since_changed containerd.service '$ROOT/a'"
  [ "$status" -eq 0 ]
  lib "running_since_changed containerd.service '$ROOT/a' '$ROOT/b'"
  [ "$status" -ne 0 ]
}

@test "running_since_changed: false when a file changed after the start, is missing, or the unit is not active" {
  touch "$STUB/active"
  touch -d "2026-01-01 10:00:00" "$ROOT/a"
  touch -d "2026-01-01 12:00:00" "$ROOT/b"
  echo "Thu 2026-01-01 11:00:00 UTC" >"$STUB/started"
  lib "running_since_changed etcd.service '$ROOT/a' '$ROOT/b'"
  [ "$status" -ne 0 ]
  lib "running_since_changed etcd.service '$ROOT/a' '$ROOT/missing'"
  [ "$status" -ne 0 ]
  lib "running_since_changed etcd.service '$ROOT/a'"
  [ "$status" -eq 0 ]
  rm "$STUB/active"
  lib "running_since_changed etcd.service '$ROOT/a'"
  [ "$status" -ne 0 ]
}

@test "running_since_changed: false when systemd reports no start time" {
  touch "$STUB/active"
  touch -d "2026-01-01 10:00:00" "$ROOT/a"
  lib "running_since_changed etcd.service '$ROOT/a'"
  [ "$status" -ne 0 ]
}

@test "etcd_members: one line per member, either spelling of the client URLs, - for an empty name or none" {
  echo '{"members":[{"ID":"8e9e05c52164694d","name":"m1","peerURLs":["https://10.0.0.1:2380"],"clientURLS":["https://10.0.0.1:2379"]},{"ID":"91bc3c398fb3c146","name":"m2","peerURLs":["https://10.0.0.2:2380"],"clientURLs":["https://10.0.0.2:2379"]},{"ID":"fd422379fda50e48","peerURLs":["https://10.0.0.3:2380"]}]}' >"$STUB/members.json"
  lib "etcd_members https://10.0.0.1:2379"
  [ "$status" -eq 0 ]
  [ "$output" = "$(printf '%s\n' '8e9e05c52164694d m1 https://10.0.0.1:2380 https://10.0.0.1:2379' '91bc3c398fb3c146 m2 https://10.0.0.2:2380 https://10.0.0.2:2379' 'fd422379fda50e48 - https://10.0.0.3:2380 -')" ]
  called etcdctl "--endpoints=https://10.0.0.1:2379 --cacert=$ROOT/etc/etcd/pki/ca.crt --cert=$ROOT/etc/etcd/pki/client.crt --key=$ROOT/etc/etcd/pki/client.key --dial-timeout=2s --command-timeout=5s member list -w json --hex$"
}

@test "etcd_members: fails when etcdctl fails, or answers something else than a member list" {
  touch "$STUB/list-fails"
  lib "etcd_members https://10.0.0.1:2379"
  [ "$status" -ne 0 ]
  rm "$STUB/list-fails"
  echo "not json" >"$STUB/list-output"
  lib "etcd_members https://10.0.0.1:2379"
  [ "$status" -ne 0 ]
  echo '{"header":{}}' >"$STUB/list-output"
  lib "etcd_members https://10.0.0.1:2379"
  [ "$status" -ne 0 ]
}

@test "stacked_etcd_members: decimal IDs and peer URLs from the gateway; fails when it is down or answers no list" {
  gateway_members "$STUB/gateway.json" "10501334649042878790 https://10.0.0.1:2380" "2 https://10.0.0.2:2380"
  lib "stacked_etcd_members https://127.0.0.1:2379"
  [ "$status" -eq 0 ]
  [ "$output" = "$(printf '%s\n' '10501334649042878790 https://10.0.0.1:2380' '2 https://10.0.0.2:2380')" ]
  called curl "--silent --show-error --fail --max-time 5 --cacert $ROOT/etc/kubernetes/pki/etcd/ca.crt --cert $ROOT/etc/kubernetes/pki/etcd/healthcheck-client.crt "
  echo "<html>" >"$STUB/gateway-output"
  lib "stacked_etcd_members https://127.0.0.1:2379"
  [ "$status" -ne 0 ]
  echo https://127.0.0.1:2379 >"$STUB/gateway-down"
  lib "stacked_etcd_members https://127.0.0.1:2379"
  [ "$status" -ne 0 ]
}

@test "wait_until: returns once the command succeeds; fatal naming what it waited for after the time" {
  lib "n=0; ok() { n=\$((n + 1)); [ \$n -ge 2 ]; }; wait_until 5 'the thing' ok && echo done"
  [ "$status" -eq 0 ]
  [ "$output" = "done" ]
  lib "wait_until 1 'the other thing' false; echo not reached"
  [ "$status" -eq 1 ]
  output_has "[kubeha] ERROR: the other thing: not within 1s"
  output_lacks "not reached"
}
