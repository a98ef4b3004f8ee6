# shellcheck shell=bash
# The parts of build.sh: Go builds, pause, the Debian userland for the iptables images, the image
# tarballs, bin/, VERSION. Sourced by build.sh, which sets the variables used here.

K8S_CMDS=(kube-apiserver kube-controller-manager kube-scheduler kube-proxy kubelet kubeadm kubectl)
IMAGE_PATH_ENV=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# Version ldflags of every Go part (they are part of the stamps' keys).
compute_ldflags() {
  local commit date
  commit=$(modcommit k8s.io/kubernetes "$K8S_VERSION")
  date=$(modtime k8s.io/kubernetes "$K8S_VERSION")
  K8S_LDFLAGS=$(k8s_ldflags "$K8S_VERSION" "$commit" "$date")
  ETCD_LDFLAGS="-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=$(modcommit go.etcd.io/etcd/server/v3 "$ETCD_VERSION" | cut -c1-7)"
  ETCD_IMAGE_LDFLAGS="-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=$(modcommit go.etcd.io/etcd/server/v3 "$ETCD_IMAGE_VERSION" | cut -c1-7)"
  COREDNS_LDFLAGS="-s -w -X github.com/coredns/coredns/coremain.GitCommit=$(modcommit github.com/coredns/coredns "$COREDNS_VERSION" | cut -c1-7)"
  FLANNEL_LDFLAGS="-s -w -X github.com/flannel-io/flannel/pkg/version.Version=$FLANNEL_VERSION -linkmode=external -extldflags=-static"
  CNI_LDFLAGS="-s -w -X github.com/containernetworking/plugins/pkg/utils/buildversion.BuildVersion=$CNI_PLUGINS_VERSION"
  CRANE_LDFLAGS="-s -w -X github.com/google/go-containerregistry/cmd/crane/cmd.Version=$CRANE_VERSION"
}

build_crane() {
  go_build crane "$MODS/crane" "$CRANE.new" "$CRANE_LDFLAGS" github.com/google/go-containerregistry/cmd/crane
  mv "$CRANE.new" "$CRANE"
}

build_kubernetes() {
  local pkgs=() c v
  for c in "${K8S_CMDS[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$c"); done
  rm -rf "$BUILD/k8s"
  mkdir -p "$BUILD/k8s"
  go_build kubernetes "$MODS/k8s" "$BUILD/k8s/" "$K8S_LDFLAGS" "${pkgs[@]}"
  v=$("$BUILD/k8s/kubeadm" version -o short)
  [[ $v == "$K8S_VERSION" ]] || die "kubeadm version -o short printed '$v', expected $K8S_VERSION"
}

build_etcd() {
  local c out
  rm -rf "$BUILD/etcd"
  for c in server etcdctl etcdutl; do
    go_build "etcd-$c" "$MODS/etcd" "$BUILD/etcd/${c/server/etcd}" "$ETCD_LDFLAGS" "go.etcd.io/etcd/$c/v3"
  done
  out=$("$BUILD/etcd/etcd" --version)
  [[ $out == *"etcd Version: ${ETCD_VERSION#v}"$'\n'* ]] || die "bin/etcd is not etcd $ETCD_VERSION: $out"
}

build_etcd_image_server() {
  rm -rf "$BUILD/etcd-image"
  go_build etcd-image-server "$MODS/etcd-image" "$BUILD/etcd-image/etcd" "$ETCD_IMAGE_LDFLAGS" go.etcd.io/etcd/server/v3
}

build_coredns() {
  go_build coredns "$MODS/coredns" "$BUILD/coredns/coredns" "$COREDNS_LDFLAGS" github.com/coredns/coredns
}

# flanneld's udp backend is cgo (as upstream: CGO_ENABLED=1, linked statically); netgo/osusergo
# keep glibc's NSS out of the static binary.
build_flanneld() {
  CGO_ENABLED=1 GO_BUILD_FLAGS="-tags=netgo,osusergo" go_build flanneld "$MODS/flannel" "$BUILD/flannel/flanneld" "$FLANNEL_LDFLAGS" github.com/flannel-io/flannel
}

build_flannel_cni() {
  go_build flannel-cni-plugin "$MODS/flannel-cni" "$BUILD/flannel-cni/flannel" "$CNI_LDFLAGS" \
    github.com/containernetworking/plugins/plugins/meta/flannel
}

# pause: the C source Kubernetes builds registry.k8s.io/pause from (build/pause/linux/pause.c in
# the k8s.io/kubernetes module), linked statically.
build_pause() {
  local src="$GOMODCACHE/k8s.io/kubernetes@$K8S_VERSION/build/pause/linux/pause.c"
  [[ -f $src ]] || go_deps "$MODS/k8s" k8s.io/kubernetes/cmd/kubeadm >/dev/null
  [[ -f $src ]] || die "$src is missing"
  command -v gcc >/dev/null || die "gcc is needed for pause (apt-get install gcc libc6-dev)"
  mkdir -p "$BUILD/pause"
  gcc -Os -Wall -Werror -static -DVERSION="v$PAUSE_TAG-kubeha" -o "$BUILD/pause/pause.new" "$src" ||
    die "compiling pause failed (is libc6-dev installed?)"
  strip "$BUILD/pause/pause.new"
  mv "$BUILD/pause/pause.new" "$BUILD/pause/pause"
}

# The newest cached .deb of a package, downloading it with apt when none is cached.
deb_of() {
  local p=$1 dir=$ART_ROOT/debs f
  mkdir -p "$dir"
  f=$(find "$dir" -maxdepth 1 -name "${p}_*_*.deb" | sort -V | tail -n1)
  if [[ -z $f ]]; then
    (cd "$dir" && apt-get -qq -o APT::Sandbox::User=root download "$p" >&2) ||
      die "apt-get download $p failed: are the apt lists current (apt-get update) and the mirror reachable?"
    f=$(find "$dir" -maxdepth 1 -name "${p}_*_*.deb" | sort -V | tail -n1)
  fi
  [[ -n $f ]] || die "no .deb for $p in $dir"
  printf '%s\n' "$f"
}

# "PACKAGE VERSION" of a .deb file.
deb_name_version() {
  # shellcheck disable=SC2016 # dpkg-deb's format, not shell expansions
  dpkg-deb -W --showformat='${Package} ${Version}\n' "$1"
}

# Layers from Debian 12 packages (see README.md): busybox (static; sh, cp, ... for the flannel
# init containers and the iptables wrapper) and the userland of the iptables images (iptables
# with both backends, conntrack and their libraries, unpacked from the .debs, no maintainer scripts).
build_userland() {
  local root=$BUILD/userland bb=$BUILD/busybox pkgs p deb a
  command -v apt-get >/dev/null || die "apt-get is needed to fetch iptables/conntrack/busybox .debs"
  mapfile -t pkgs < <(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
    --no-replaces --no-enhances iptables conntrack | grep -v -e '^ ' -e '^<' -e ':' | LC_ALL=C sort -u)
  [[ " ${pkgs[*]} " == *" iptables "* && " ${pkgs[*]} " == *" libc6 "* ]] ||
    die "apt-cache does not know iptables/libc6: run apt-get update"
  rm -rf "$root" "$bb" "$BUILD/layers"
  mkdir -p "$root" "$bb/bin" "$bb/tmp" "$BUILD/layers"
  : >"$BUILD/debs.txt"
  for p in "${pkgs[@]}"; do
    deb=$(deb_of "$p")
    dpkg-deb -x "$deb" "$root"
    deb_name_version "$deb" >>"$BUILD/debs.txt"
  done
  rm -rf "$root"/usr/share/{doc,man,info,lintian,locale,bug,bash-completion} "$root"/usr/lib/x86_64-linux-gnu/gconv
  rm -f "$root"/usr/sbin/iptables-apply "$root"/usr/sbin/ip6tables-apply
  install -m 0755 "$HERE/iptables-wrapper" "$root/usr/sbin/iptables-wrapper"
  for a in iptables ip6tables; do
    for p in "" -save -restore; do ln -sfn iptables-wrapper "$root/usr/sbin/$a$p"; done
  done
  if [[ $(id -u) == 0 ]]; then
    chroot "$root" /usr/sbin/xtables-nft-multi iptables --version >/dev/null || die "iptables-nft does not run in the userland"
    chroot "$root" /usr/sbin/xtables-legacy-multi iptables --version >/dev/null || die "iptables-legacy does not run in the userland"
    chroot "$root" /usr/sbin/conntrack --version >/dev/null || die "conntrack does not run in the userland"
  else
    warn "not root: the userland binaries were not test-run in a chroot"
  fi

  deb=$(deb_of busybox-static)
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$bb" ./bin/busybox
  deb_name_version "$deb" >>"$BUILD/debs.txt"
  for a in $("$bb/bin/busybox" --list); do
    [[ $a == busybox ]] || ln -s busybox "$bb/bin/$a"
  done
  chmod 1777 "$bb/tmp"
  mklayer "$root" "$BUILD/layers/userland.tar"
  mklayer "$bb" "$BUILD/layers/busybox.tar"
}

install_binaries() {
  rm -rf "${OUT:?}/bin"
  mkdir -p "$OUT/bin"
  install -m 0755 "$BUILD"/k8s/{kubeadm,kubelet,kubectl} "$BUILD"/etcd/{etcd,etcdctl,etcdutl} "$OUT/bin/"
  local f
  if command -v readelf >/dev/null; then
    for f in "$OUT"/bin/* "$BUILD"/*/*; do
      [[ $(readelf -lW "$f" 2>/dev/null) != *"program interpreter"* ]] || die "$f is not statically linked"
    done
  fi
}

# A layer holding FILE at PATH (mode 0755): layer_of NAME SRC PATH [NAME2 SRC2 PATH2 ...]
layer_of() {
  local name=$1 dir
  dir=$BUILD/layer-src/$name
  rm -rf "$dir"
  shift
  while (($#)); do
    mkdir -p "$dir/$(dirname "$2")"
    install -m 0755 "$1" "$dir/$2"
    shift 2
  done
  mklayer "$dir" "$BUILD/layers/$name.tar"
  printf '%s\n' "$BUILD/layers/$name.tar"
}

# image NAME REF LAYER... -- MUTATE-FLAG...: the image tarball images/NAME.tar carrying REF.
# crane appends the layers to an empty OCI base in the loopback registry, then mutate sets the
# config (platform, entrypoint, ...) and writes the tarball, tagged REF.
image() {
  local name=$1 ref=$2 layers=() tmp
  shift 2
  while [[ $1 != -- ]]; do
    layers+=(-f "$1")
    shift
  done
  shift
  tmp=$REGISTRY/kubeha-build/$name:latest
  "$CRANE" append --insecure --oci-empty-base "${layers[@]}" -t "$tmp" >>"$WORK/logs/crane.log" 2>&1 ||
    die "crane append for $name failed (see $WORK/logs/crane.log)"
  "$CRANE" mutate --insecure "$tmp" --set-platform linux/amd64 \
    -l "org.opencontainers.image.version=${ref##*:}" -l "io.kubeha.build=offline (scripts/artifacts/build.sh)" \
    "$@" -t "$ref" -o "$OUT/images/$name.tar.new" >>"$WORK/logs/crane.log" 2>&1 ||
    die "crane mutate for $name failed (see $WORK/logs/crane.log)"
  mv "$OUT/images/$name.tar.new" "$OUT/images/$name.tar"
  printf '%s images/%s.tar\n' "$ref" "$name" >>"$BUILD/images.txt"
  log "  $ref -> images/$name.tar ($(du -h "$OUT/images/$name.tar" | cut -f1))"
}

start_registry() {
  local logf=$WORK/logs/registry.log port="" i
  mkdir -p "$WORK/logs"
  "$CRANE" registry serve --address 127.0.0.1:0 >"$logf" 2>&1 &
  REGISTRY_PID=$!
  BG_PIDS+=("$REGISTRY_PID")
  for i in $(seq 50); do
    port=$(sed -n 's/.*serving on port \([0-9]*\).*/\1/p' "$logf" | head -n1)
    [[ -z $port ]] || break
    kill -0 "$REGISTRY_PID" 2>/dev/null || die "crane registry serve exited: $(cat "$logf")"
    sleep 0.1 || true
    [[ $i -lt 50 ]] || die "crane registry serve did not start"
  done
  REGISTRY=127.0.0.1:$port
}

stop_registry() {
  if [[ -n ${REGISTRY_PID:-} ]]; then
    kill "$REGISTRY_PID" 2>/dev/null || true
    wait "$REGISTRY_PID" 2>/dev/null || true
    forget_background "$REGISTRY_PID"
    REGISTRY_PID=""
  fi
}

# The images kubeadm expects, as `kubeadm config images list` prints them.
kubeadm_images() {
  "$BUILD/k8s/kubeadm" config images list --kubernetes-version "$K8S_VERSION" --image-repository registry.k8s.io 2>/dev/null
}

build_images() {
  local ref name l_bb l_user refs
  rm -rf "$OUT/images" "$BUILD/layer-src"
  mkdir -p "$OUT/images" "$WORK/logs"
  : >"$BUILD/images.txt"
  : >"$WORK/logs/crane.log"
  l_bb=$BUILD/layers/busybox.tar
  l_user=$BUILD/layers/userland.tar
  mapfile -t refs < <(kubeadm_images)
  ((${#refs[@]} >= 7)) || die "kubeadm config images list gave too few images: ${refs[*]}"
  start_registry
  for ref in "${refs[@]}"; do
    name=${ref#registry.k8s.io/}
    name=${name%%:*}
    name=${name##*/}
    case $name in
      kube-apiserver | kube-controller-manager | kube-scheduler)
        [[ ${ref##*:} == "$K8S_VERSION" ]] || die "kubeadm wants $ref, this build is $K8S_VERSION"
        image "$name" "$ref" "$(layer_of "$name" "$BUILD/k8s/$name" "usr/local/bin/$name")" -- \
          --env "$IMAGE_PATH_ENV" --entrypoint "/usr/local/bin/$name"
        ;;
      kube-proxy)
        image "$name" "$ref" "$l_bb" "$l_user" "$(layer_of "$name" "$BUILD/k8s/$name" "usr/local/bin/$name")" -- \
          --env "$IMAGE_PATH_ENV" --entrypoint "/usr/local/bin/$name"
        ;;
      etcd)
        [[ ${ref##*:} == "${ETCD_IMAGE_VERSION#v}-0" ]] ||
          die "kubeadm wants $ref, go/etcd-image builds etcd $ETCD_IMAGE_VERSION: update go/etcd-image/go.mod"
        image etcd "$ref" "$l_bb" "$(layer_of etcd "$BUILD/etcd-image/etcd" usr/local/bin/etcd \
          "$BUILD/etcd/etcdctl" usr/local/bin/etcdctl "$BUILD/etcd/etcdutl" usr/local/bin/etcdutl)" -- \
          --env "$IMAGE_PATH_ENV" --exposed-ports 2379,2380
        ;;
      coredns)
        [[ ${ref##*:} == "$COREDNS_VERSION" ]] ||
          die "kubeadm wants $ref, go/coredns builds $COREDNS_VERSION: update go/coredns/go.mod"
        image coredns "$ref" "$(coredns_layer)" -- \
          --entrypoint /coredns --user 65532:65532 --exposed-ports 53/tcp,53/udp
        ;;
      pause)
        [[ ${ref##*:} == "$PAUSE_TAG" ]] || die "kubeadm wants $ref; the program's containerd config names pause:$PAUSE_TAG"
        image pause "$ref" "$(layer_of pause "$BUILD/pause/pause" pause)" -- --entrypoint /pause --user 65535:65535
        ;;
      *) die "kubeadm lists $ref, which this script does not know how to build" ;;
    esac
  done

  image flannel "$FLANNEL_IMAGE" "$l_bb" "$l_user" "$(layer_of flanneld "$BUILD/flannel/flanneld" opt/bin/flanneld)" -- \
    --env "$IMAGE_PATH_ENV" --entrypoint /opt/bin/flanneld
  image flannel-cni-plugin "$FLANNEL_CNI_IMAGE" "$l_bb" "$(layer_of flannel-cni "$BUILD/flannel-cni/flannel" flannel)" -- \
    --env "$IMAGE_PATH_ENV"
  stop_registry
  # The payload layers are in the tarballs now; keep only the shared ones (userland part).
  rm -rf "$BUILD/layer-src"
  find "$BUILD/layers" -name '*.tar' ! -name userland.tar ! -name busybox.tar -delete
}

# coredns binds :53 as user 65532 with the file capability cap_net_bind_service=+ep, like upstream.
coredns_layer() {
  local dir=$BUILD/layer-src/coredns
  rm -rf "$dir"
  mkdir -p "$dir"
  install -m 0755 "$BUILD/coredns/coredns" "$dir/coredns"
  if command -v setcap >/dev/null; then
    setcap cap_net_bind_service=+ep "$dir/coredns" || die "setcap on coredns failed"
  else
    # struct vfs_cap_data, revision 2, effective, permitted = CAP_NET_BIND_SERVICE (10).
    python3 -c 'import os,struct,sys; os.setxattr(sys.argv[1], "security.capability", struct.pack("<5I", 0x02000001, 1 << 10, 0, 0, 0))' \
      "$dir/coredns" || die "setting the file capability on coredns failed (install libcap2-bin)"
  fi
  mklayer "$dir" "$BUILD/layers/coredns.tar"
  printf '%s\n' "$BUILD/layers/coredns.tar"
}

verify_images() {
  bash "$HERE/verify.sh" "$OUT" "$BUILD/images.txt"
}

write_version() {
  local f=$OUT/VERSION
  {
    echo "# kubeha offline artifacts, built by scripts/artifacts/build.sh (see scripts/artifacts/README.md)"
    echo "kubernetes: $K8S_VERSION"
    echo "kubernetes-staging-substitutes: $(awk '/=> k8s.io\// && /not on the proxy/ { printf "%s%s@%s", sep, $1, $4; sep=", " }' "$MODS/k8s/go.mod")"
    echo "etcd: $ETCD_VERSION (bin/etcd, bin/etcdctl, bin/etcdutl)"
    echo "etcd-image: etcd $ETCD_IMAGE_VERSION, etcdctl/etcdutl $ETCD_VERSION"
    echo "coredns: $COREDNS_VERSION"
    echo "flannel: $FLANNEL_VERSION"
    echo "flannel-cni-plugin: github.com/containernetworking/plugins/plugins/meta/flannel $CNI_PLUGINS_VERSION"
    echo "pause: $PAUSE_TAG (pause.c of k8s.io/kubernetes $K8S_VERSION, gcc -static)"
    echo "crane: $CRANE_VERSION ($CRANE)"
    echo "go: $GO_VERSION"
    echo "debian-packages: $(paste -sd, "$BUILD/debs.txt" | sed 's/,/, /g')"
    echo "built: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "build-key: $BUILD_KEY"
    sed 's/^/image: /' "$BUILD/images.txt"
  } >"$f"
}
