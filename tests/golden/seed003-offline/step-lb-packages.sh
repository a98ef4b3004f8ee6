#!/bin/bash
# Managed by kubeha: makes sure the distribution packages of one step are installed.
# Expects (rendered in): PACKAGES (Debian package names), SOURCE (online | offline).
set -eu

PACKAGES="nginx libnginx-mod-stream keepalived curl"
SOURCE="offline"

info() { echo "[kubeha] $*"; }
fatal() { echo "[kubeha] ERROR: $*" >&2; exit 1; }

missing_packages() {
  for package in $PACKAGES; do
    dpkg-query -W -f='${Status}\n' "$package" 2>/dev/null | grep -q '^install ok installed$' || echo "$package"
  done
}

install_missing() {
  if [ "$SOURCE" != online ]; then
    fatal "packageSource is offline and these packages are missing: $1 (preinstall them or serve them from a local mirror)"
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  # shellcheck disable=SC2086 # one word per package
  apt-get install -y -q --no-install-recommends $1
}

main() {
  missing=$(missing_packages | tr '\n' ' ')
  if [ -z "${missing// /}" ]; then
    info "packages present ($PACKAGES), nothing changed"
    return
  fi
  info "installing $missing"
  install_missing "$missing"
}

main
