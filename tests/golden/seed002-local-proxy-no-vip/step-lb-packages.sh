#!/bin/bash
# Managed by kubeha: makes sure the distribution packages of one step are installed.
# Expects (rendered in): PACKAGES (Debian package names), SOURCE (online | offline).
# <the kubeha shell library: tests/golden/_shared/lib.sh>

PACKAGES="nginx libnginx-mod-stream"
SOURCE="online"

installed() {
  local status
  status=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) || return 1
  [ "$status" = "install ok installed" ]
}

missing_packages() {
  local package
  for package in $PACKAGES; do
    installed "$package" || echo "$package"
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
  local missing
  missing=$(missing_packages | paste -sd ' ' -)
  if [ -z "$missing" ]; then
    info "packages present ($PACKAGES), nothing changed"
    return
  fi
  info "installing $missing"
  install_missing "$missing"
}

main
