#!/bin/bash
# Managed by kubeha: this host's part in restoring the cluster's etcd from one snapshot, driven
# host by host by `npm run restore` (scripts/restore.js), which runs these modes in this order:
#   roles                  prints "member" and/or "master": what this host takes part as
#   health                 the local member answers healthy (exit 0), which needs its quorum
#   receive SHA256         stores the snapshot read from stdin, checked against SHA256
#   pause-control-plane    (master) stops kube-apiserver, -controller-manager and -scheduler
#   stop-etcd              (member) stops the local member
#   restore                (member) replaces its data with the received snapshot's, as a member of
#                          a new logical cluster of every configured member, revisions bumped and
#                          marked compacted so that every watch sees the jump; the old data is kept
#                          beside it (one generation)
#   start-etcd             (member) starts it again
#   wait-healthy           (member) waits until the local member is healthy
#   resume-control-plane   (master) starts them again, waits until the apiserver is ready
#   nodes-ready            (master) waits until every node is Ready
# Expects (rendered in): NAME, PEER_URL, INITIAL_CLUSTER, TOKEN, MEMBER and MASTER (yes or no),
# TOPOLOGY (external: kubeha's etcd unit; stacked: kubeadm's static pod), DATA_DIR, CA, CERT, KEY,
# TIMEOUT.
# <the kubeha shell library: tests/golden/_shared/lib.sh>

NAME="kube-master01"
PEER_URL="https://172.26.133.161:2380"
INITIAL_CLUSTER="kube-master01=https://172.26.133.161:2380,kube-master02=https://172.26.133.162:2380,kube-master03=https://172.26.133.163:2380"
TOKEN="kubeha-etcd"
MEMBER=yes
MASTER=yes
TOPOLOGY=stacked
DATA_DIR="/var/lib/etcd"
CA="/etc/kubernetes/pki/etcd/ca.crt"
CERT="/etc/kubernetes/pki/etcd/healthcheck-client.crt"
KEY="/etc/kubernetes/pki/etcd/healthcheck-client.key"
TIMEOUT=300
STAGING="/var/lib/kubeha/restore"
SNAPSHOT="$STAGING/snapshot.db"
PAUSED="/etc/kubeha/paused-manifests"
MANIFESTS="/etc/kubernetes/manifests"
LOCAL="https://127.0.0.1:2379"
APISERVER="https://127.0.0.1:6443"
# So far above any revision a cluster reaches between snapshots that no watch misses the jump.
BUMP_REVISION=1000000000

local_healthy() {
  port_open "$LOCAL" && ETCDCTL_API=3 /usr/local/bin/etcdctl --endpoints="$LOCAL" --cacert="$CA" --cert="$CERT" --key="$KEY" \
    --dial-timeout=2s --command-timeout=3s endpoint health >/dev/null 2>&1
}

require() {
  [ "$1" = yes ] || fatal "$2: this host is not one (roles: $(roles))"
}

roles() {
  local out=""
  [ "$MEMBER" = yes ] && out="member"
  [ "$MASTER" = yes ] && out="${out:+$out }master"
  echo "$out"
}

receive() {
  local want=$1 got
  [[ $want =~ ^[0-9a-f]{64}$ ]] || fatal "receive needs the snapshot's sha256"
  install -d -m 0700 "$STAGING"
  cat >"$SNAPSHOT.part"
  got=$(sha256sum <"$SNAPSHOT.part")
  got=${got%% *}
  [ "$got" = "$want" ] || { rm -f "$SNAPSHOT.part"; fatal "the snapshot received has sha256 $got, not $want: cut off or damaged on the way"; }
  chmod 0600 "$SNAPSHOT.part"
  mv -f "$SNAPSHOT.part" "$SNAPSHOT"
  /usr/local/bin/etcdutl snapshot status "$SNAPSHOT" -w json >/dev/null || fatal "etcdutl cannot read the snapshot received"
  info "snapshot received ($(stat -c %s "$SNAPSHOT") bytes, sha256 $want)"
}

# park MANIFEST...: moves static pod manifests out of the kubelet's directory (it stops their pods).
park() {
  local file
  install -d -m 0700 "$PAUSED"
  for file in "$@"; do
    if [ -f "$MANIFESTS/$file" ]; then mv -f "$MANIFESTS/$file" "$PAUSED/$file"; fi
  done
}

# unpark MANIFEST...: moves them back (the kubelet starts their pods).
unpark() {
  local file
  for file in "$@"; do
    if [ -f "$PAUSED/$file" ]; then mv -f "$PAUSED/$file" "$MANIFESTS/$file"; fi
  done
}

port_closed() { ! port_open "$1"; }

apiserver_ready() {
  curl --silent --fail --max-time 3 --cacert "/etc/kubernetes/pki/ca.crt" "$APISERVER/readyz" >/dev/null 2>&1
}

pause_control_plane() {
  require "$MASTER" pause-control-plane
  park kube-apiserver.yaml kube-controller-manager.yaml kube-scheduler.yaml
  wait_until "$TIMEOUT" "kube-apiserver stopped" port_closed "$APISERVER"
  info "control plane paused (kube-apiserver, -controller-manager and -scheduler stopped)"
}

resume_control_plane() {
  require "$MASTER" resume-control-plane
  unpark kube-apiserver.yaml kube-controller-manager.yaml kube-scheduler.yaml
  wait_until "$TIMEOUT" "kube-apiserver ready" apiserver_ready
  info "control plane resumed: kube-apiserver ready"
}

stop_etcd() {
  require "$MEMBER" stop-etcd
  if [ "$TOPOLOGY" = external ]; then
    systemctl stop etcd.service
  else
    park etcd.yaml
  fi
  wait_until "$TIMEOUT" "etcd member $NAME stopped" port_closed "$LOCAL"
  info "etcd member $NAME stopped"
}

start_etcd() {
  require "$MEMBER" start-etcd
  if [ "$TOPOLOGY" = external ]; then
    # --no-block: the member waits for its peers, which start after it.
    systemctl start --no-block etcd.service
  else
    unpark etcd.yaml
  fi
  info "etcd member $NAME starting"
}

restore() {
  require "$MEMBER" restore
  local fresh="$DATA_DIR.kubeha-restore" previous="$DATA_DIR.before-restore"
  [ -s "$SNAPSHOT" ] || fatal "no snapshot received here ($SNAPSHOT)"
  port_closed "$LOCAL" || fatal "etcd member $NAME still runs: stop it first"
  rm -rf "$fresh"
  /usr/local/bin/etcdutl snapshot restore "$SNAPSHOT" --name="$NAME" --initial-cluster="$INITIAL_CLUSTER" \
    --initial-cluster-token="$TOKEN" --initial-advertise-peer-urls="$PEER_URL" --data-dir="$fresh" \
    --bump-revision="$BUMP_REVISION" --mark-compacted >/dev/null 2>&1 || fatal "etcdutl snapshot restore failed for member $NAME"
  chmod 0700 "$fresh"
  rm -rf "$previous"
  if [ -d "$DATA_DIR" ]; then mv "$DATA_DIR" "$previous"; fi
  mv "$fresh" "$DATA_DIR"
  rm -f "$SNAPSHOT"
  info "etcd member $NAME restored from the snapshot (its data before: $previous)"
}

all_nodes_ready() {
  local out
  out=$(KUBECONFIG="/etc/kubernetes/admin.conf" kubectl get nodes --no-headers --request-timeout=10s 2>/dev/null) || return 1
  [ -n "$out" ] && ! awk '$2 != "Ready" { bad = 1 } END { exit !bad }' <<<"$out"
}

main() {
  case "${1:-}" in
    roles) roles ;;
    health) local_healthy ;;
    receive) receive "${2:-}" ;;
    pause-control-plane) pause_control_plane ;;
    stop-etcd) stop_etcd ;;
    restore) restore ;;
    start-etcd) start_etcd ;;
    wait-healthy)
      require "$MEMBER" wait-healthy
      wait_until "$TIMEOUT" "etcd member $NAME healthy" local_healthy
      info "etcd member $NAME healthy"
      ;;
    resume-control-plane) resume_control_plane ;;
    nodes-ready)
      require "$MASTER" nodes-ready
      wait_until "$TIMEOUT" "every node Ready" all_nodes_ready
      info "every node Ready"
      ;;
    *) fatal "usage: $0 roles|health|receive SHA256|pause-control-plane|stop-etcd|restore|start-etcd|wait-healthy|resume-control-plane|nodes-ready" ;;
  esac
}

main "$@"
