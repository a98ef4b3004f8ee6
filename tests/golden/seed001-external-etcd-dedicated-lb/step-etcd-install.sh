#!/bin/bash
# Managed by kubeha: installs etcd 3.5.24 (etcd and etcdctl) into /usr/local/bin.
# offline: from STAGING, where kubeha copied the binaries of kubeha:artifactDir/bin.
# online: the official release from GitHub, checked against the release's SHA256SUMS.
# Expects (rendered in): SOURCE, STAGING, VERSION (online), MINOR (the required x.y series).
set -eu

SOURCE="online"
STAGING="/var/lib/kubeha/etcd"
VERSION="3.5.24"
MINOR="3.5"

info() { echo "[kubeha] $*"; }
fatal() { echo "[kubeha] ERROR: $*" >&2; exit 1; }

download_release() {
  base="https://github.com/etcd-io/etcd/releases/download/v$VERSION"
  tarball="etcd-v$VERSION-linux-amd64.tar.gz"
  mkdir -p "$STAGING/download"
  cd "$STAGING/download"
  curl -fsSL --retry 3 -o "$tarball" "$base/$tarball" || fatal "cannot download $base/$tarball"
  curl -fsSL --retry 3 -o SHA256SUMS "$base/SHA256SUMS" || fatal "cannot download $base/SHA256SUMS"
  grep " $tarball\$" SHA256SUMS | sha256sum -c --quiet - || fatal "$tarball does not match the release's SHA256SUMS"
  tar -xzf "$tarball" --strip-components=1 "etcd-v$VERSION-linux-amd64/etcd" "etcd-v$VERSION-linux-amd64/etcdctl"
  mv -f etcd etcdctl "$STAGING/"
}

install_binaries() {
  for tool in etcd etcdctl; do
    [ -f "$STAGING/$tool" ] || fatal "$STAGING/$tool is missing"
    if cmp -s "$STAGING/$tool" "/usr/local/bin/$tool"; then continue; fi
    install -m 0755 "$STAGING/$tool" "/usr/local/bin/$tool.kubeha-new"
    mv -f "/usr/local/bin/$tool.kubeha-new" "/usr/local/bin/$tool"
    info "installed /usr/local/bin/$tool"
  done
}

check_version() {
  actual=$(/usr/local/bin/etcd --version | awk '/^etcd Version:/ { print $3 }')
  case "$actual" in
    "$MINOR".*) info "etcd $actual installed" ;;
    *) fatal "etcd $actual is installed, but kubeha needs etcd $MINOR.x (kubeadm refuses older external etcd)" ;;
  esac
}

main() {
  if [ "$SOURCE" = online ] && ! /usr/local/bin/etcd --version 2>/dev/null | grep -q "^etcd Version: $VERSION\$"; then
    download_release
  fi
  if [ "$SOURCE" = offline ] || [ -f "$STAGING/etcd" ]; then
    install_binaries
  fi
  check_version
}

main
