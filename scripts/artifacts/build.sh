#!/usr/bin/env bash
# Builds kubeha's offline artifacts on this machine, from the Go module proxy and Debian apt only:
#
#   ${KUBEHA_CACHE:-$HOME/.cache/kubeha}/artifacts/k8s-<version>/
#     bin/{kubeadm,kubelet,kubectl,etcd,etcdctl,etcdutl}   static linux/amd64 binaries
#     images/<name>.tar                             one image tarball per image, for
#                                                   `ctr -n k8s.io images import --no-unpack`
#     VERSION                                       versions and image refs
#
# Versions come from the wrapper modules in scripts/artifacts/go/ (see README.md). Each part is
# stamped when done; an interrupted run resumes, a complete run is not repeated. The output is
# assembled in a work directory and renamed into place at the end.
#
# Usage: bash scripts/artifacts/build.sh [--force] [--no-verify]
#   --force      rebuild every part (Go's build cache still applies)
#   --no-verify  skip importing the images into a throw-away containerd
# Environment: KUBEHA_CACHE, KUBEHA_BUILD_JOBS (go build -p, default 2), KUBEHA_PROGRESS_EVERY
# (seconds between progress lines, default 60), GO (go binary), KUBEHA_GOCACHE.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"
# shellcheck source=parts.sh
source "$HERE/parts.sh"

FORCE=no
VERIFY=yes
while (($#)); do
  case $1 in
    --force) FORCE=yes ;;
    --no-verify) VERIFY=no ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
      exit 0
      ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
  shift
done

CACHE=${KUBEHA_CACHE:-$HOME/.cache/kubeha}
ART_ROOT=$CACHE/artifacts
MODS=$HERE/go
JOBS=${KUBEHA_BUILD_JOBS:-2}
PROGRESS_EVERY=${KUBEHA_PROGRESS_EVERY:-60}

# Versions: the wrapper modules are the single source of truth.
K8S_VERSION=$(modversion "$MODS/k8s" k8s.io/kubernetes)
ETCD_VERSION=$(modversion "$MODS/etcd" go.etcd.io/etcd/server/v3)
ETCD_IMAGE_VERSION=$(modversion "$MODS/etcd-image" go.etcd.io/etcd/server/v3)
COREDNS_VERSION=$(modversion "$MODS/coredns" github.com/coredns/coredns)
FLANNEL_VERSION=$(modversion "$MODS/flannel" github.com/flannel-io/flannel)
CNI_PLUGINS_VERSION=$(modversion "$MODS/flannel-cni" github.com/containernetworking/plugins)
CRANE_VERSION=$(modversion "$MODS/crane" github.com/google/go-containerregistry)
GO_MIN=$(awk '$1 == "go" { print $2 }' "$MODS"/*/go.mod | sort -V | tail -n1)
# plan/deployed-versions.json holds what the program deploys: the modules built here must be those versions.
VERSIONS_JSON=$HERE/../../plan/deployed-versions.json
pinned() { jq -er --arg k "$1" '.[$k]' "$VERSIONS_JSON" || die "$VERSIONS_JSON has no \"$1\""; }
same_version() { [[ ${1#v} == "${2#v}" ]] || die "$3 is $1 in $MODS, but plan/deployed-versions.json says $2: change both together"; }
same_version "$K8S_VERSION" "$(pinned kubernetes)" "Kubernetes"
same_version "$ETCD_VERSION" "$(pinned etcdArtifact)" "etcd (bin/etcd)"
same_version "$ETCD_IMAGE_VERSION" "$(pinned etcdImage)" "etcd (kubeadm's image)"
same_version "$COREDNS_VERSION" "$(pinned coredns)" "CoreDNS"
same_version "$FLANNEL_VERSION" "$(pinned flannel)" "flannel"
# The refs the program deploys (plan/versions.ts).
FLANNEL_IMAGE=ghcr.io/flannel-io/flannel:$FLANNEL_VERSION
FLANNEL_CNI_IMAGE=ghcr.io/flannel-io/flannel-cni-plugin:$(pinned flannelCniPlugin)
PAUSE_TAG=$(pinned pause)

FINAL=$ART_ROOT/k8s-${K8S_VERSION#v}
WORK=$ART_ROOT/.work/k8s-${K8S_VERSION#v}
OUT=$WORK/out
BUILD=$WORK/build
TOOLS=$ART_ROOT/tools
CRANE=$TOOLS/crane

# Everything that shapes the output; README.md is not part of it.
mapfile -t KEY_FILES < <(cd "$HERE" && find . -type f ! -name README.md | LC_ALL=C sort)
BUILD_KEY=$(cd "$HERE" && sha256_of_files "${KEY_FILES[@]}")

main() {
  local t_start=$SECONDS
  log "kubernetes $K8S_VERSION, etcd $ETCD_VERSION (image $ETCD_IMAGE_VERSION), coredns $COREDNS_VERSION, flannel $FLANNEL_VERSION"
  if [[ $FORCE == no ]] && final_is_current; then
    log "up to date: $FINAL (build key ${BUILD_KEY:0:12}, $(fmt_secs $((SECONDS - t_start))))"
    echo "artifacts: $FINAL"
    return 0
  fi
  [[ $FORCE == yes ]] && rm -rf "$WORK/stamps"
  mkdir -p "$WORK" "$BUILD" "$TOOLS"
  exec 9>"$WORK/.lock"
  flock -n 9 || die "another build.sh is working in $WORK"
  setup_go
  log "Go $GO_VERSION ($GO), GOPROXY=$GOPROXY_SHOWN, GOCACHE=$GOCACHE, go build -p $JOBS"
  compute_ldflags

  part crane "$(gokey crane "$CRANE_LDFLAGS")" build_crane "$CRANE"
  part kubernetes "$(gokey k8s "$K8S_LDFLAGS ${K8S_CMDS[*]}")" build_kubernetes "$BUILD/k8s/kubeadm"
  part etcd "$(gokey etcd "$ETCD_LDFLAGS")" build_etcd "$BUILD/etcd/etcd" "$BUILD/etcd/etcdctl" "$BUILD/etcd/etcdutl"
  part etcd-image-server "$(gokey etcd-image "$ETCD_IMAGE_LDFLAGS")" build_etcd_image_server "$BUILD/etcd-image/etcd"
  part coredns "$(gokey coredns "$COREDNS_LDFLAGS")" build_coredns "$BUILD/coredns/coredns"
  part flanneld "$(gokey flannel "$FLANNEL_LDFLAGS")" build_flanneld "$BUILD/flannel/flanneld"
  part flannel-cni-plugin "$(gokey flannel-cni "$CNI_LDFLAGS")" build_flannel_cni "$BUILD/flannel-cni/flannel"
  part pause "$(sha256_of_string "$BUILD_KEY $(gcc --version 2>/dev/null | head -n1)")" build_pause "$BUILD/pause/pause"
  part userland "$BUILD_KEY" build_userland "$BUILD/layers/userland.tar" "$BUILD/layers/busybox.tar" "$BUILD/debs.txt"

  local inputs
  inputs=$(cd "$BUILD" && sha256_of_files k8s/* etcd/* etcd-image/* coredns/* flannel/* flannel-cni/* pause/pause layers/{userland,busybox}.tar)
  part binaries "$(sha256_of_string "$BUILD_KEY $inputs")" install_binaries "$OUT/bin/kubeadm"
  part images "$(sha256_of_string "$BUILD_KEY $inputs")" build_images "$OUT/images/kube-apiserver.tar"
  if [[ $VERIFY == yes ]]; then
    part verify "$(sha256_of_string "$BUILD_KEY $inputs")" verify_images "$OUT/images"
  else
    warn "--no-verify: the images were not test-imported"
  fi
  write_version
  finalize

  log "time per part (this run):"
  local t
  for t in "${TIMINGS[@]}"; do log "  $t"; done
  log "total $(fmt_secs $((SECONDS - t_start))), $(du -sh "$FINAL" | cut -f1) in $FINAL"
  echo "artifacts: $FINAL"
}

# Key of a Go part: Go version, the wrapper module, the helpers, and EXTRA.
gokey() { sha256_of_string "$GO_VERSION $(sha256_of_files "$MODS/$1/go.mod" "$MODS/$1/go.sum" "$HERE/lib.sh") ${2:-}"; }

# The final directory is current when it was made from the same scripts and is complete.
final_is_current() {
  [[ -f $FINAL/VERSION ]] || return 1
  grep -qx "build-key: $BUILD_KEY" "$FINAL/VERSION" || return 1
  local f
  for f in kubeadm kubelet kubectl etcd etcdctl etcdutl; do [[ -x $FINAL/bin/$f ]] || return 1; done
  while read -r _ _ f; do
    [[ -s $FINAL/$f ]] || return 1
  done < <(grep '^image: ' "$FINAL/VERSION")
  grep -q '^image: ' "$FINAL/VERSION"
}

# Moves the finished output into place; the previous directory (if any) is removed after.
finalize() {
  local old=""
  if [[ -e $FINAL ]]; then
    old=$ART_ROOT/.old-k8s-${K8S_VERSION#v}.$$
    mv "$FINAL" "$old"
  fi
  mv "$OUT" "$FINAL"
  [[ -z $old ]] || rm -rf "$old"
  # These parts wrote into $OUT, which is gone now.
  rm -f "$WORK/stamps/binaries" "$WORK/stamps/images" "$WORK/stamps/verify"
}

main
