#!/usr/bin/env bats
# templates/etcd/etcd-restore.sh, member m1 (also a master) of m1-m3 with external etcd: what
# `npm run restore` runs on it. The snapshot arrives checked; the data is restored only with etcd
# stopped, as a member of the new cluster of every configured member, the old data kept once.

load helpers

setup() {
  common_setup
  install -m 0755 "$BATS_TEST_DIRNAME/stubs/etcdutl" "$ROOT/usr/local/bin/etcdutl"
  DATA=$ROOT/var/lib/etcd/kubeha
  mkdir -p "$DATA/member"
  echo old >"$DATA/member/db"
  echo "etcd snapshot" >"$BATS_TEST_TMPDIR/snap.db"
  SUM=$(sha256sum <"$BATS_TEST_TMPDIR/snap.db" | cut -d' ' -f1)
}

@test "roles: what this host takes part as" {
  run bash "$SCRIPTS/etcd-restore.sh" roles
  [ "$output" = "member master" ]
}

@test "receive stores the snapshot only when its sha256 matches" {
  run bash "$SCRIPTS/etcd-restore.sh" receive "$(printf '0%.0s' {1..64})" <"$BATS_TEST_TMPDIR/snap.db"
  [ "$status" -ne 0 ]
  output_has "cut off or damaged on the way"
  [ ! -e "$ROOT/var/lib/kubeha/restore/snapshot.db" ]
  run bash "$SCRIPTS/etcd-restore.sh" receive "$SUM" <"$BATS_TEST_TMPDIR/snap.db"
  [ "$status" -eq 0 ]
  [ "$(stat -c %a "$ROOT/var/lib/kubeha/restore/snapshot.db")" = 600 ]
}

@test "restore refuses while the member still runs" {
  bash "$SCRIPTS/etcd-restore.sh" receive "$SUM" <"$BATS_TEST_TMPDIR/snap.db"
  echo "127.0.0.1:2379" >"$STUB/open"
  run bash "$SCRIPTS/etcd-restore.sh" restore
  [ "$status" -ne 0 ]
  output_has "still runs: stop it first"
  [ "$(cat "$DATA/member/db")" = old ]
}

@test "restore makes the member one of the new cluster of every configured member, bumped and compacted, and keeps the old data once" {
  mkdir -p "$DATA.before-restore" && echo older >"$DATA.before-restore/x"
  bash "$SCRIPTS/etcd-restore.sh" receive "$SUM" <"$BATS_TEST_TMPDIR/snap.db"
  run bash "$SCRIPTS/etcd-restore.sh" restore
  [ "$status" -eq 0 ]
  called etcdutl "snapshot restore $ROOT/var/lib/kubeha/restore/snapshot.db --name=m1 --initial-cluster=m1=https://10.0.0.1:2380,m2=https://10.0.0.2:2380,m3=https://10.0.0.3:2380 --initial-cluster-token=kubeha-etcd --initial-advertise-peer-urls=https://10.0.0.1:2380 --data-dir=$DATA.kubeha-restore --bump-revision=1000000000 --mark-compacted$"
  [ "$(cat "$DATA/member/snap/db")" = restored ]
  [ "$(cat "$DATA.before-restore/member/db")" = old ]
  [ ! -e "$DATA.before-restore/x" ]
  [ ! -e "$ROOT/var/lib/kubeha/restore/snapshot.db" ]
}

@test "a failed etcdutl restore leaves the member's data as it was" {
  bash "$SCRIPTS/etcd-restore.sh" receive "$SUM" <"$BATS_TEST_TMPDIR/snap.db"
  touch "$STUB/restore-fails"
  run bash "$SCRIPTS/etcd-restore.sh" restore
  [ "$status" -ne 0 ]
  output_has "etcdutl snapshot restore failed for member m1"
  [ "$(cat "$DATA/member/db")" = old ]
}

@test "stopping etcd stops its unit and waits until its port is closed; starting does not wait for the peers" {
  run bash "$SCRIPTS/etcd-restore.sh" stop-etcd
  [ "$status" -eq 0 ]
  called systemctl "stop etcd.service"
  run bash "$SCRIPTS/etcd-restore.sh" start-etcd
  [ "$status" -eq 0 ]
  called systemctl "start --no-block etcd.service"
}

@test "pausing the control plane parks its manifests until resumed; the etcd manifest of kubeadm is not touched" {
  mkdir -p "$ROOT/etc/kubernetes/manifests"
  for m in kube-apiserver kube-controller-manager kube-scheduler etcd; do echo "kind: Pod" >"$ROOT/etc/kubernetes/manifests/$m.yaml"; done
  run bash "$SCRIPTS/etcd-restore.sh" pause-control-plane
  [ "$status" -eq 0 ]
  [ "$(ls "$ROOT/etc/kubernetes/manifests")" = etcd.yaml ]
  [ "$(ls "$ROOT/etc/kubeha/paused-manifests" | wc -l)" -eq 3 ]
}

@test "an unknown mode is refused" {
  run bash "$SCRIPTS/etcd-restore.sh" everything
  [ "$status" -ne 0 ]
  output_has "usage:"
}
