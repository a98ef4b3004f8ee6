# shellcheck shell=bash disable=SC2034 # settings used by the other files
# Shared settings and helpers of the kubeha lab. Sourced by lab.sh, never run.

LAB_SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "${LAB_SCRIPT_DIR}/../.." && pwd)"
LAB_DIR="${KUBEHA_CACHE:-${HOME}/.cache/kubeha}/lab"
HOSTS_DIR="${LAB_DIR}/hosts"
SSH_DIR="${LAB_DIR}/ssh"
SSH_KEY="${SSH_DIR}/id_ed25519"
LAB_STACK_FILE="${REPO_ROOT}/Pulumi.lab.yaml"

LAB_BRIDGE="khabr0"
LAB_NET_PREFIX="10.77.0"
LAB_BRIDGE_ADDR="${LAB_NET_PREFIX}.1"
LAB_VIP="${LAB_NET_PREFIX}.100"
LAB_SUITE="bookworm"
# Topology: "colocated" (masters carry the lb role) or "dedicated" (lb1, lb2).
# Without KUBEHA_LAB_LB, the topology of the last `up` (kept until `down`).
LAB_TOPOLOGY_FILE="${LAB_DIR}/topology"
LAB_LB="${KUBEHA_LAB_LB:-$(cat "${LAB_TOPOLOGY_FILE}" 2>/dev/null || echo colocated)}"

log() { printf '[lab %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf '[lab] error: %s\n' "$*" >&2; exit 1; }

# Seconds since the epoch with decimals, for timings.
now() { date +%s.%N; }
# elapsed START -> "12.3s"
elapsed() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.1fs", e - s }'; }

require_root() {
  [[ $(id -u) -eq 0 ]] || die "the lab needs root (nspawn, mounts, bridge)"
}

# Install the machine-side tools the lab needs, only when one is missing.
ensure_machine_tools() {
  local -a need=()
  local cmd pkg pair
  for pair in debootstrap:debootstrap systemd-nspawn:systemd-container jq:jq \
    ssh:openssh-client ssh-keygen:openssh-client ip:iproute2 nsenter:util-linux \
    setsid:util-linux modprobe:kmod mountpoint:util-linux; do
    cmd="${pair%%:*}"
    pkg="${pair#*:}"
    command -v "${cmd}" >/dev/null 2>&1 || need+=("${pkg}")
  done
  [[ ${#need[@]} -eq 0 ]] && return 0
  mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
  log "installing on this machine: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q "${need[@]}" >/dev/null 2>&1 || {
    apt-get update -q >/dev/null 2>&1 || true
    apt-get install -y -q "${need[@]}" >/dev/null
  }
}

# Kernel modules later Kubernetes work wants; absent ones are fine for now.
load_kernel_modules() {
  local m
  for m in overlay br_netfilter nf_conntrack ip_vs; do
    modprobe "${m}" >/dev/null 2>&1 || true
  done
}

# ---- topology -------------------------------------------------------------
# lab_hosts prints one line per host: NAME ADDRESS ROLES(comma) PRIORITY(or -)
lab_hosts() {
  case "${LAB_LB}" in
    colocated | "")
      printf '%s\n' \
        "m1 ${LAB_NET_PREFIX}.11 master,etcd,lb 150" \
        "m2 ${LAB_NET_PREFIX}.12 master,etcd,lb 140" \
        "m3 ${LAB_NET_PREFIX}.13 master,etcd,lb 130"
      ;;
    dedicated)
      printf '%s\n' \
        "m1 ${LAB_NET_PREFIX}.11 master,etcd -" \
        "m2 ${LAB_NET_PREFIX}.12 master,etcd -" \
        "m3 ${LAB_NET_PREFIX}.13 master,etcd -" \
        "lb1 ${LAB_NET_PREFIX}.31 lb 150" \
        "lb2 ${LAB_NET_PREFIX}.32 lb 140"
      ;;
    *) die "KUBEHA_LAB_LB must be 'dedicated' or unset, not '${LAB_LB}'" ;;
  esac
  printf '%s\n' \
    "w1 ${LAB_NET_PREFIX}.21 worker -" \
    "w2 ${LAB_NET_PREFIX}.22 worker -"
}

lab_host_names() { lab_hosts | awk '{print $1}'; }

# host_field NAME FIELD(2=address 3=roles 4=priority)
host_field() {
  lab_hosts | awk -v n="$1" -v f="$2" '$1 == n { print $f; found = 1 } END { exit !found }'
}

# host_address NAME: from the topology, else from the disk of a host left
# from another topology.
host_address() {
  host_field "$1" 2 2>/dev/null && return 0
  sed -n 's|^Address=\(.*\)/24$|\1|p' \
    "${HOSTS_DIR}/$1/upper/etc/systemd/network/10-kubeha-lab-host0.network" 2>/dev/null | grep . ||
    die "unknown host '$1'"
}
host_roles() { host_field "$1" 3; }

# known_host NAME: fails unless NAME is a lab host of the current topology
# or has a directory left from another topology.
known_host() {
  host_field "$1" 1 >/dev/null 2>&1 || [[ -d "${HOSTS_DIR}/$1" ]]
}

# ---- ssh ------------------------------------------------------------------
SSH_OPTS=(
  -i "${SSH_KEY}"
  -o StrictHostKeyChecking=no
  -o UserKnownHostsFile=/dev/null
  -o LogLevel=ERROR
  -o ConnectTimeout=5
  -o IdentitiesOnly=yes
  -o BatchMode=yes
)

ensure_ssh_key() {
  [[ -f "${SSH_KEY}" ]] && return 0
  mkdir -p "${SSH_DIR}"
  chmod 0700 "${SSH_DIR}"
  ssh-keygen -q -t ed25519 -N '' -C kubeha-lab -f "${SSH_KEY}"
  chmod 0600 "${SSH_KEY}"
  log "generated the lab SSH key ${SSH_KEY}"
}

# lab_ssh ADDRESS [CMD...]  (non-interactive, for scripts)
lab_ssh() {
  local addr="$1"
  shift
  # shellcheck disable=SC2029 # the command is meant to run on the host
  ssh "${SSH_OPTS[@]}" "root@${addr}" "$@"
}
