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
IMAGE_PATH=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
TOOLS=$CACHE/artifacts/tools

declare -A FILE_OF=()
if [[ -n $LIST ]]; then
  while read -r ref file; do FILE_OF[$ref]=$file; done <"$LIST"
else
  [[ -f $DIR/VERSION ]] || die "$DIR/VERSION is missing (pass an image list)"
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

# Smoke tests per image, run with chroot in the unpacked root file system: the binaries the
# pods run must start (and so find their libraries), the version must be the tagged one.
# Lines: "EXPECTED-OUTPUT-SUBSTRING<TAB>COMMAND...".
smoke_tests() {
  local ref=$1 tag=${1##*:} name
  name=$(basename "${ref%:*}")
  case $name in
    kube-apiserver | kube-controller-manager | kube-scheduler)
      printf 'Kubernetes %s\t/usr/local/bin/%s --version\n' "$tag" "$name"
      ;;
    kube-proxy)
      printf 'Kubernetes %s\t/usr/local/bin/kube-proxy --version\n' "$tag"
      printf 'iptables v\tiptables --version\n'
      printf 'ip6tables-restore v\tip6tables-restore --version\n'
      printf 'conntrack v\tconntrack --version\n'
      printf 'xtables-\treadlink /usr/sbin/iptables\n'
      ;;
    etcd)
      printf 'etcd Version: %s\tetcd --version\n' "${tag%-*}"
      printf 'etcdctl version\tetcdctl version\n'
      printf 'ok\tsh -c "echo ok"\n'
      ;;
    coredns) printf 'CoreDNS-%s\t/coredns -version\n' "${tag#v}" ;;
    pause) printf 'pause.c v%s\t/pause -v\n' "$tag" ;;
    flannel)
      printf '%s\t/opt/bin/flanneld --version\n' "$tag"
      printf 'iptables v\tiptables --version\n'
      printf 'copied\tsh -c "cp -f /etc/protocols /tmp/p && rm /tmp/p && echo copied"\n'
      ;;
    flannel-cni-plugin)
      printf 'cniVersion\tenv CNI_COMMAND=VERSION /flannel\n'
      printf 'copied\tsh -c "cp -f /flannel /tmp/f && rm /tmp/f && echo copied"\n'
      ;;
    *) die "no smoke test for $ref" ;;
  esac
}

# The root file system of REF unpacked in namespace NS: the directory the native snapshotter
# bind-mounts for a view of the image's top snapshot.
unpacked_root() {
  local ns=$1 top
  top=$("$CTR" -a "$SOCK" -n "$ns" snapshots --snapshotter native ls |
    awk 'NR > 1 { k[$1] = 1; if ($2 != "") p[$2] = 1 } END { for (x in k) if (!(x in p)) print x }')
  [[ -n $top && $top != *$'\n'* ]] || die "cannot find the top snapshot in namespace $ns"
  # One command: ctr's lease ends with it, after which the view itself may be collected (the
  # directory it shows belongs to the image's snapshot and stays).
  "$CTR" -a "$SOCK" -n "$ns" snapshots --snapshotter native view --target /mnt "view-$ns" "$top" |
    awk '$1 == "mount" && $2 == "-t" { print $4 }'
}

main() {
  local ref file got want ok=yes
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

  # Unpack each image (own namespace, native snapshotter) and run its binaries in a chroot.
  local i=0 root want_out cmd out
  [[ $(id -u) == 0 ]] || warn "not root: the unpacked images are not smoke-tested (chroot)"
  for ref in $(printf '%s\n' "${!FILE_OF[@]}" | LC_ALL=C sort); do
    i=$((i + 1))
    file=$DIR/${FILE_OF[$ref]}
    "$CTR" -a "$SOCK" -n "u$i" images import --snapshotter native "$file" >/dev/null ||
      die "unpacking $file failed"
    root=$(unpacked_root "u$i")
    [[ -d $root ]] || die "no unpacked root for $ref"
    if [[ $ref == */coredns:* ]] && command -v getcap >/dev/null; then
      [[ $(getcap "$root/coredns") == *cap_net_bind_service=ep* ]] || {
        warn "$ref: /coredns lost its cap_net_bind_service file capability when unpacked"
        ok=no
      }
    fi
    [[ $(id -u) == 0 ]] || continue
    # A container has /dev/null; a bare chroot needs one for the shell scripts' redirections.
    mkdir -p "$root/dev"
    [[ -e $root/dev/null ]] || mknod -m 666 "$root/dev/null" c 1 3
    while IFS=$'\t' read -r want_out cmd; do
      if ! out=$(eval "env -i $IMAGE_PATH chroot \"\$root\" $cmd" 2>&1) || [[ $out != *"$want_out"* ]]; then
        warn "$ref: '$cmd' printed: $(head -c 300 <<<"$out")"
        ok=no
      fi
    done < <(smoke_tests "$ref")
    log "verify: $ref unpacks; $(smoke_tests "$ref" | wc -l) smoke test(s) run"
  done
  [[ $ok == yes ]] || die "some images failed their checks (see above)"
  log "verify: every image unpacks and its binaries run"
}

main
