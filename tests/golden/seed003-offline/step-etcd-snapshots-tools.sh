#!/bin/bash
# kubeha inputs: etcdutl=<hash>
# Managed by kubeha: installs TOOLS (etcdutl, and etcdctl where no etcd install brought it: a
# stacked master runs etcd only in kubeadm's pod) into /usr/local/bin where this host takes etcd
# snapshots. Installs a tool only when it differs; etcd itself is never touched.
# offline: from STAGING, where kubeha copied them from kubeha:artifactDir/bin.
# online: the official release from GitHub, checked against the release's SHA256SUMS.
# Expects (rendered in): SOURCE, VERSION, MINOR (the required x.y series), TOOLS.
# <the kubeha shell library: tests/golden/_shared/lib.sh>

SOURCE="offline"
STAGING="/var/lib/kubeha/etcd-tools"
VERSION="3.5.24"
MINOR="3.5"
read -r -a TOOLS <<<"etcdutl"

download_release() {
  local base="https://github.com/etcd-io/etcd/releases/download/v$VERSION"
  local tarball="etcd-v$VERSION-linux-amd64.tar.gz" tool
  mkdir -p "$STAGING/download"
  cd "$STAGING/download"
  curl -fsSL --retry 3 --max-time 300 -o "$tarball" "$base/$tarball" || fatal "cannot download $base/$tarball"
  curl -fsSL --retry 3 --max-time 60 -o SHA256SUMS "$base/SHA256SUMS" || fatal "cannot download $base/SHA256SUMS"
  grep " $tarball\$" SHA256SUMS | sha256sum -c --quiet - || fatal "$tarball does not match the release's SHA256SUMS"
  for tool in "${TOOLS[@]}"; do
    tar -xzf "$tarball" --strip-components=1 "etcd-v$VERSION-linux-amd64/$tool"
    mv -f "$tool" "$STAGING/"
  done
}

install_tools() {
  local tool
  for tool in "${TOOLS[@]}"; do
    [ -f "$STAGING/$tool" ] || fatal "$STAGING/$tool is missing"
    if cmp -s "$STAGING/$tool" "/usr/local/bin/$tool"; then continue; fi
    install -m 0755 "$STAGING/$tool" "/usr/local/bin/$tool.kubeha-new"
    mv -f "/usr/local/bin/$tool.kubeha-new" "/usr/local/bin/$tool"
    info "installed /usr/local/bin/$tool"
  done
}

# The version etcdutl reports ("etcdutl version: 3.5.35" is its first line), or nothing.
installed_version() {
  local out
  out=$(/usr/local/bin/etcdutl version 2>/dev/null) || return 0
  out=${out%%$'\n'*}
  echo "${out#etcdutl version: }"
}

main() {
  local tool missing=no
  for tool in "${TOOLS[@]}"; do [ -x "/usr/local/bin/$tool" ] || missing=yes; done
  if [ "$SOURCE" = online ] && { [ "$missing" = yes ] || [ "$(installed_version)" != "$VERSION" ]; }; then
    download_release
  fi
  if [ "$SOURCE" = offline ] || [ -f "$STAGING/etcdutl" ]; then
    install_tools
  fi
  local actual
  for tool in "${TOOLS[@]}"; do [ -x "/usr/local/bin/$tool" ] || fatal "/usr/local/bin/$tool is not installed"; done
  actual=$(installed_version)
  case "$actual" in
    "$MINOR".*) info "${TOOLS[*]} $actual installed" ;;
    *) fatal "etcdutl '$actual' is installed, but kubeha's snapshots need etcdutl $MINOR.x" ;;
  esac
}

main
