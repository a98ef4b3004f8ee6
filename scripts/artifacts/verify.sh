#!/usr/bin/env bash
# Imports every image tarball of an artifact directory into a throw-away containerd (temporary
# root, state and socket; stopped at the end), the way kubeha's offline install does
# (`ctr -n k8s.io images import --no-unpack`), and checks the names and platforms it registers.
# Then unpacks each image with the native snapshotter and checks the files the pods need.
#
# Usage: bash scripts/artifacts/verify.sh ARTIFACT_DIR [IMAGE_LIST]
#   IMAGE_LIST: lines "REF images/NAME.tar" (default: the "image:" lines of ARTIFACT_DIR/VERSION)
# Uses containerd/ctr from PATH, else Debian's containerd package unpacked (not installed) into
# ${KUBEHA_CACHE:-$HOME/.cache/kubeha}/artifacts/tools/containerd.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"

DIR=${1:?usage: verify.sh ARTIFACT_DIR [IMAGE_LIST]}
LIST=${2:-}
CACHE=${KUBEHA_CACHE:-$HOME/.cache/kubeha}
TOOLS=$CACHE/artifacts/tools

declare -A FILE_OF
if [[ -n $LIST ]]; then
  while read -r ref file; do FILE_OF[$ref]=$file; done <"$LIST"
else
  while read -r _ ref file; do FILE_OF[$ref]=$file; done < <(grep '^image: ' "$DIR/VERSION")
fi
((${#FILE_OF[@]})) || die "no images listed for $DIR"

find_containerd() {
  if command -v containerd >/dev/null && command -v ctr >/dev/null; then
    CONTAINERD=$(command -v containerd)
    CTR=$(command -v ctr)
    return
  fi
  local dir=$TOOLS/containerd deb
  if [[ ! -x $dir/usr/bin/containerd ]]; then
    log "verify: fetching Debian's containerd package (unpacked into $dir, not installed)"
    mkdir -p "$TOOLS/debs"
    (cd "$TOOLS/debs" && apt-get -qq -o APT::Sandbox::User=root download containerd) ||
      die "no containerd/ctr on PATH and apt-get download containerd failed; install containerd or use --no-verify"
    deb=$(find "$TOOLS/debs" -maxdepth 1 -name 'containerd_*.deb' | sort -V | tail -n1)
    rm -rf "$dir.new"
    mkdir -p "$dir.new"
    dpkg-deb -x "$deb" "$dir.new"
    rm -rf "$dir"
    mv "$dir.new" "$dir"
  fi
  CONTAINERD=$dir/usr/bin/containerd
  CTR=$dir/usr/bin/ctr
}

T=""
CONTAINERD_PID=""
cleanup() {
  if [[ -n $CONTAINERD_PID ]]; then
    kill "$CONTAINERD_PID" 2>/dev/null || true
    wait "$CONTAINERD_PID" 2>/dev/null || true
  fi
  if [[ -n $T ]]; then
    # The native snapshotter leaves no mounts; unmount defensively anyway before removing.
    grep -o " $T/[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount 2>/dev/null || true
    rm -rf "$T"
  fi
}
trap cleanup EXIT

start_containerd() {
  T=$(mktemp -d /tmp/kubeha-verify.XXXXXX)
  SOCK=$T/c.sock
  cat >"$T/config.toml" <<EOF
version = 2
root = "$T/root"
state = "$T/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs"]
[grpc]
  address = "$SOCK"
[ttrpc]
  address = "$SOCK.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$T/opt"
EOF
  "$CONTAINERD" --config "$T/config.toml" >"$T/containerd.log" 2>&1 &
  CONTAINERD_PID=$!
  local _
  for _ in $(seq 100); do
    [[ -S $SOCK ]] && "$CTR" -a "$SOCK" version >/dev/null 2>&1 && return 0
    kill -0 "$CONTAINERD_PID" 2>/dev/null || break
    sleep 0.1
  done
  tail -n 20 "$T/containerd.log" >&2
  die "the temporary containerd did not start (log above)"
}

# Paths an image must contain: the binaries the pods run.
expected_paths() {
  case $1 in
    */kube-proxy:*) echo usr/local/bin/kube-proxy usr/sbin/xtables-nft-multi usr/sbin/xtables-legacy-multi usr/sbin/conntrack bin/sh ;;
    */kube-*:*) echo "usr/local/bin/$(basename "${1%%:*}")" ;;
    */etcd:*) echo usr/local/bin/etcd usr/local/bin/etcdctl bin/sh ;;
    */coredns:*) echo coredns ;;
    */pause:*) echo pause ;;
    */flannel:*) echo opt/bin/flanneld usr/sbin/xtables-nft-multi bin/cp ;;
    */flannel-cni-plugin:*) echo flannel bin/cp ;;
  esac
}

main() {
  local ref file got want p snaps ok=yes
  find_containerd
  log "verify: $("$CTR" --version), temporary containerd"
  start_containerd

  for ref in "${!FILE_OF[@]}"; do
    file=$DIR/${FILE_OF[$ref]}
    [[ -s $file ]] || die "$file is missing"
    "$CTR" -a "$SOCK" -n k8s.io images import --no-unpack "$file" >/dev/null ||
      die "ctr -n k8s.io images import --no-unpack $file failed"
  done
  got=$("$CTR" -a "$SOCK" -n k8s.io images ls -q | LC_ALL=C sort)
  want=$(printf '%s\n' "${!FILE_OF[@]}" | LC_ALL=C sort)
  if [[ $got != "$want" ]]; then
    diff <(echo "$want") <(echo "$got") >&2 || true
    die "the imported image names differ from the expected refs (< expected, > imported)"
  fi
  while read -r ref _ _ _ _ platforms _; do
    [[ $platforms == linux/amd64 ]] || die "$ref has platform '$platforms', expected linux/amd64"
  done < <("$CTR" -a "$SOCK" -n k8s.io images ls | tail -n +2)
  log "verify: ctr -n k8s.io images import --no-unpack registered all ${#FILE_OF[@]} refs (linux/amd64)"

  # Unpack each image (own namespace, native snapshotter) and look for the files its pods run.
  for ref in "${!FILE_OF[@]}"; do
    file=$DIR/${FILE_OF[$ref]}
    "$CTR" -a "$SOCK" -n unpack images rm "$ref" >/dev/null 2>&1 || true
    "$CTR" -a "$SOCK" -n unpack images import --snapshotter native "$file" >/dev/null ||
      die "unpacking $file failed"
    snaps=$T/root/io.containerd.snapshotter.v1.native/snapshots
    for p in $(expected_paths "$ref"); do
      if ! compgen -G "$snaps/*/$p" >/dev/null; then
        warn "$ref: /$p is missing"
        ok=no
      fi
    done
    if [[ $ref == */coredns:* ]] && command -v getcap >/dev/null; then
      [[ $(getcap "$snaps"/*/coredns) == *cap_net_bind_service=ep* ]] || {
        warn "$ref: /coredns lost its cap_net_bind_service file capability when unpacked"
        ok=no
      }
    fi
  done
  [[ $ok == yes ]] || die "some images lack files (see above)"
  log "verify: every image unpacks and holds its binaries"
}

main
