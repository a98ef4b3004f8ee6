#!/bin/bash
# kubeha inputs: etcd=<hash> etcdctl=<hash>
# Managed by kubeha: installs etcd 3.5.24 (etcd and etcdctl) into /usr/local/bin.
# offline: from STAGING, where kubeha copied the binaries of kubeha:artifactDir/bin.
# online: the official release from GitHub, checked against the release's SHA256SUMS.
# Expects (rendered in): SOURCE, VERSION (online), MINOR (the required x.y series).
# <the kubeha shell library: tests/golden/_shared/lib.sh>

SOURCE="offline"
STAGING="/var/lib/kubeha/etcd"
VERSION="3.5.24"
MINOR="3.5"

download_release() {
  local base="https://github.com/etcd-io/etcd/releases/download/v$VERSION"
  local tarball="etcd-v$VERSION-linux-amd64.tar.gz"
  mkdir -p "$STAGING/download"
  cd "$STAGING/download"
  curl -fsSL --retry 3 --max-time 300 -o "$tarball" "$base/$tarball" || fatal "cannot download $base/$tarball"
  curl -fsSL --retry 3 --max-time 60 -o SHA256SUMS "$base/SHA256SUMS" || fatal "cannot download $base/SHA256SUMS"
  grep " $tarball\$" SHA256SUMS | sha256sum -c --quiet - || fatal "$tarball does not match the release's SHA256SUMS"
  tar -xzf "$tarball" --strip-components=1 "etcd-v$VERSION-linux-amd64/etcd" "etcd-v$VERSION-linux-amd64/etcdctl"
  mv -f etcd etcdctl "$STAGING/"
}

install_binaries() {
  local tool
  for tool in etcd etcdctl; do
    [ -f "$STAGING/$tool" ] || fatal "$STAGING/$tool is missing"
    if cmp -s "$STAGING/$tool" "/usr/local/bin/$tool"; then continue; fi
    install -m 0755 "$STAGING/$tool" "/usr/local/bin/$tool.kubeha-new"
    mv -f "/usr/local/bin/$tool.kubeha-new" "/usr/local/bin/$tool"
    info "installed /usr/local/bin/$tool"
  done
}

# The version etcd reports ("etcd Version: 3.5.24" is its first line), or nothing.
installed_version() {
  local out
  out=$(/usr/local/bin/etcd --version 2>/dev/null) || return 0
  out=${out%%$'\n'*}
  echo "${out#etcd Version: }"
}

main() {
  if [ "$SOURCE" = online ] && [ "$(installed_version)" != "$VERSION" ]; then
    download_release
  fi
  if [ "$SOURCE" = offline ] || [ -f "$STAGING/etcd" ]; then
    install_binaries
  fi
  local actual
  actual=$(installed_version)
  case "$actual" in
    "$MINOR".*) info "etcd $actual installed" ;;
    *) fatal "etcd '$actual' is installed, but kubeha needs etcd $MINOR.x (kubeadm refuses older external etcd)" ;;
  esac
}

main
