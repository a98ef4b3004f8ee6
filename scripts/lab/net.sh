# shellcheck shell=bash
# The lab network: bridge khabr0 with 10.77.0.1/24 on this machine, one veth
# per host (made by systemd-nspawn: vb-NAME here, host0 inside). No NAT, no
# forwarding: the hosts reach each other and this machine's bridge address
# only. Their default route points at 10.77.0.254, which nobody holds, so
# Kubernetes finds a default route and nothing leaves the bridge. Sourced by lab.sh.

net_bridge_exists() { ip link show dev "${LAB_BRIDGE}" >/dev/null 2>&1; }

net_up() {
  if ! net_bridge_exists; then
    # Refuse to shadow a network this machine already uses.
    if ip -o -4 addr show | awk '{print $4}' | grep -q "^${LAB_NET_PREFIX//./\\.}\."; then
      die "${LAB_NET_PREFIX}.0/24 is already in use on this machine"
    fi
    ip link add "${LAB_BRIDGE}" type bridge
    log "created bridge ${LAB_BRIDGE}"
  fi
  # No IPv6 on the bridge: nothing to autoconfigure, nothing to leak.
  if [[ -e "/proc/sys/net/ipv6/conf/${LAB_BRIDGE}/disable_ipv6" ]]; then
    echo 1 >"/proc/sys/net/ipv6/conf/${LAB_BRIDGE}/disable_ipv6"
  fi
  if ! ip -o -4 addr show dev "${LAB_BRIDGE}" | grep -q " ${LAB_BRIDGE_ADDR}/24 "; then
    ip addr add "${LAB_BRIDGE_ADDR}/24" dev "${LAB_BRIDGE}"
  fi
  ip link set "${LAB_BRIDGE}" up
}

# The machine-side veth of a host.
net_veth() { echo "vb-${LAB_MACHINE_PREFIX}$1"; }

net_veth_exists() { ip link show dev "$(net_veth "$1")" >/dev/null 2>&1; }

net_down() {
  local link
  # Host veths left behind (normally they vanish with the host's namespace).
  while read -r link; do
    [[ -n "${link}" ]] || continue
    ip link del "${link}" 2>/dev/null || true
  done < <(ip -o link show master "${LAB_BRIDGE}" 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1)
  if net_bridge_exists; then
    ip link del "${LAB_BRIDGE}"
    log "removed bridge ${LAB_BRIDGE}"
  fi
}

# net_host_config ROOT ADDRESS: a static address on host0 via systemd-networkd,
# kept on the host's disk so it survives stop/start; a default route to a gateway
# nobody holds; this machine's bridge address as name server (nothing answers there:
# lookups of outside names fail at once; CoreDNS does not start without a name server).
net_host_config() {
  local root="$1" addr="$2"
  mkdir -p "${root}/etc/systemd/network"
  cat >"${root}/etc/systemd/network/10-kubeha-lab-host0.network" <<EOF
# Written by kubeha scripts/lab: the lab network has no route out; the gateway
# ${LAB_GATEWAY} is held by nobody (Kubernetes wants a default route).
[Match]
Name=host0

[Network]
Address=${addr}/24
Gateway=${LAB_GATEWAY}
LinkLocalAddressing=no
IPv6AcceptRA=no
LLMNR=no
MulticastDNS=no
EOF
  rm -f "${root}/etc/resolv.conf"
  cat >"${root}/etc/resolv.conf" <<EOF
# Written by kubeha scripts/lab at every start: no name service answers in the lab.
nameserver ${LAB_BRIDGE_ADDR}
EOF
}
