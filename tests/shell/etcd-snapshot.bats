#!/usr/bin/env bats
# templates/etcd/etcd-snapshot.sh, one scheduled snapshot of member m1: saved through the local
# member with the client certificate, published only once etcdutl read it whole, with a checksum
# beside it, and the newest KEEP (3 here) kept.

load helpers

DIR_REL=var/backups/kubeha/etcd

setup() {
  common_setup
  install -m 0755 "$BATS_TEST_DIRNAME/stubs/etcdutl" "$ROOT/usr/local/bin/etcdutl"
  DIR=$ROOT/$DIR_REL
}

# snapshot_files: the published snapshots of the directory, oldest first.
snapshot_files() {
  find "$DIR" -maxdepth 1 -name 'etcd-m1-*.db' -printf '%f\n' | sort
}

@test "a snapshot is saved from the local member, verified, checksummed and kept 0600 in a 0700 directory" {
  run bash "$SCRIPTS/etcd-snapshot.sh"
  [ "$status" -eq 0 ]
  called etcdctl "--endpoints=https://127.0.0.1:2379 --cacert=/etc/etcd/pki/ca.crt --cert=/etc/etcd/pki/client.crt --key=/etc/etcd/pki/client.key .* snapshot save $DIR/\.etcd-m1-[0-9T]+Z\.partial$"
  output_has "snapshot of member m1 at revision 4242: 917 keys, 14 bytes"
  file=$(snapshot_files)
  [[ $file =~ ^etcd-m1-[0-9]{8}T[0-9]{6}Z\.db$ ]]
  [ "${lines[-1]}" = "snapshot: $DIR/$file" ]
  [ "$(stat -c %a "$DIR")" = 700 ]
  [ "$(stat -c %a "$DIR/$file")" = 600 ]
  (cd "$DIR" && sha256sum -c --quiet "$file.sha256")
  [ -z "$(find "$DIR" -name '.*')" ]
}

@test "the newest KEEP snapshots stay; older ones go with their checksums, other files stay" {
  mkdir -p "$DIR"
  for stamp in 20260101T000000Z 20260102T000000Z 20260103T000000Z; do
    echo "etcd snapshot" >"$DIR/etcd-m1-$stamp.db"
    echo "sum  etcd-m1-$stamp.db" >"$DIR/etcd-m1-$stamp.db.sha256"
  done
  echo "etcd snapshot" >"$DIR/etcd-m2-20250101T000000Z.db"
  echo "mine" >"$DIR/notes.txt"
  run bash "$SCRIPTS/etcd-snapshot.sh"
  [ "$status" -eq 0 ]
  output_has "removed $DIR/etcd-m1-20260101T000000Z.db (keeping the newest 3)"
  [ "$(snapshot_files | head -n2 | tr '\n' ' ')" = "etcd-m1-20260102T000000Z.db etcd-m1-20260103T000000Z.db " ]
  [ "$(snapshot_files | wc -l)" -eq 3 ]
  [ ! -e "$DIR/etcd-m1-20260101T000000Z.db.sha256" ]
  [ -e "$DIR/etcd-m2-20250101T000000Z.db" ]
  [ -e "$DIR/notes.txt" ]
}

@test "a failed save publishes nothing, leaves no partial file and removes no older snapshot" {
  mkdir -p "$DIR"
  for stamp in 20260101T000000Z 20260102T000000Z 20260103T000000Z; do echo "etcd snapshot" >"$DIR/etcd-m1-$stamp.db"; done
  touch "$STUB/save-fails"
  run bash "$SCRIPTS/etcd-snapshot.sh"
  [ "$status" -ne 0 ]
  output_has "etcdctl snapshot save from https://127.0.0.1:2379 failed"
  [ "$(snapshot_files | wc -l)" -eq 3 ]
  [ -z "$(find "$DIR" -name '.*')" ]
}

@test "a snapshot etcdutl cannot read is not published" {
  echo "garbage" >"$STUB/snapshot"
  run bash "$SCRIPTS/etcd-snapshot.sh"
  [ "$status" -ne 0 ]
  output_has "etcdutl snapshot status refused"
  [ -z "$(snapshot_files)" ]
  [ -z "$(find "$DIR" -name '.*')" ]
}

@test "a partial file an earlier run left (cut off, host rebooted) is removed, never published" {
  mkdir -p "$DIR"
  echo partial >"$DIR/.etcd-m1-20260101T000000Z.partial"
  echo partial >"$DIR/.etcd-m1-20260101T000000Z.partial.part"
  run bash "$SCRIPTS/etcd-snapshot.sh"
  [ "$status" -eq 0 ]
  [ "$(snapshot_files | wc -l)" -eq 1 ]
  [ -z "$(find "$DIR" -name '.*')" ]
}

@test "two runs within one second give two snapshots (the second waits for the next second)" {
  run bash -c "bash '$SCRIPTS/etcd-snapshot.sh' && bash '$SCRIPTS/etcd-snapshot.sh'"
  [ "$status" -eq 0 ]
  [ "$(snapshot_files | wc -l)" -eq 2 ]
}
