#!/bin/bash
# kubeha inputs: hostsBlock=<hash> modules=<hash> sysctls=<hash>
# Managed by kubeha: OS preparation of a Kubernetes node: swap off, kernel modules, sysctls,
# hostname, hosts entries, time sync check. Idempotent; runs again only when its inputs change.
# Expects (rendered in): NODE_NAME, CLUSTER; the kernel modules, sysctls and hosts-block files
# written by kubeha beforehand.
# <the kubeha shell library: tests/golden/_shared/lib.sh>

NODE_NAME="master-0"
CLUSTER="kubeha"

disable_swap() {
  if [ -n "$(tail -n +2 /proc/swaps)" ]; then
    swapoff -a
    info "swap turned off"
  fi
  if grep -Eq '^[^#].*[[:space:]]swap[[:space:]]' /etc/fstab 2>/dev/null; then
    sed -i -E 's/^([^#].*[[:space:]]swap[[:space:]].*)$/# kubeha: \1/' /etc/fstab
    info "swap entries commented out in /etc/fstab"
  fi
}

# A module built into the kernel may have no /sys/module entry: then what it provides shows it.
module_present() {
  [ -d "/sys/module/$1" ] && return 0
  case "$1" in
    overlay) grep -qw overlay /proc/filesystems ;;
    br_netfilter) [ -d /proc/sys/net/bridge ] ;;
    *) return 1 ;;
  esac
}

load_modules() {
  while read -r module; do
    case "$module" in ''|'#'*) continue ;; esac
    module_present "$module" && continue
    modprobe "$module" || fatal "kernel module $module cannot be loaded"
  done < "/etc/modules-load.d/kubeha.conf"
}

apply_sysctls() {
  # Containers may not write /proc/sys: then the values must already be right.
  sysctl --quiet --load="/etc/sysctl.d/99-kubeha.conf" 2>/dev/null || true
  while IFS='=' read -r key value; do
    case "$key" in ''|'#'*) continue ;; esac
    key=$(echo "$key" | tr -d ' '); value=$(echo "$value" | tr -d ' ')
    actual=$(sysctl -n "$key" 2>/dev/null || echo missing)
    [ "$actual" = "$value" ] || fatal "sysctl $key is $actual, needs $value"
  done < "/etc/sysctl.d/99-kubeha.conf"
}

set_hostname() {
  if [ "$(hostname)" != "$NODE_NAME" ]; then
    echo "$NODE_NAME" > /etc/hostname
    hostname "$NODE_NAME"
    info "hostname set to $NODE_NAME"
  fi
}

set_hosts_entries() {
  tmp=$(mktemp)
  sed "/^# BEGIN kubeha $CLUSTER\$/,/^# END kubeha $CLUSTER\$/d" /etc/hosts > "$tmp"
  cat "/etc/kubeha/hosts-block" >> "$tmp"
  if ! cmp -s "$tmp" /etc/hosts; then
    cat "$tmp" > /etc/hosts
    info "hosts entries updated"
  fi
  rm -f "$tmp"
}

check_time_sync() {
  synced=$(timedatectl show -p NTPSynchronized --value 2>/dev/null || echo unknown)
  [ "$synced" = yes ] || warn "the clock is not NTP-synchronised ($synced): certificates and etcd need agreeing clocks"
}

# kubeadm expects the static-pod directory; offline artifacts are copied into their staging dir.
make_directories() {
  mkdir -p "/etc/kubernetes/manifests" "/var/lib/kubeha/artifacts/bin" "/var/lib/kubeha/artifacts/images"
}

main() {
  make_directories
  disable_swap
  load_modules
  apply_sysctls
  set_hostname
  set_hosts_entries
  check_time_sync
  info "node $NODE_NAME prepared"
}

main
