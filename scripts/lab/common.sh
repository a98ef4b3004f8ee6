# shellcheck shell=bash disable=SC2034 # settings used by the other files
# Shared settings and helpers of the kubeha lab. Sourced by lab.sh, never run.

log() { printf '[lab %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf '[lab] error: %s\n' "$*" >&2; exit 1; }

LAB_SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# The lab's addresses, bridge and port: constants.env, their one home.
# shellcheck source=scripts/lab/constants.env
. "${LAB_SCRIPT_DIR}/constants.env"
REPO_ROOT="$(cd "${LAB_SCRIPT_DIR}/../.." && pwd)"
LAB_DIR="${KUBEHA_CACHE:-${HOME}/.cache/kubeha}/lab"
SSH_DIR="${LAB_DIR}/ssh"
SSH_KEY="${SSH_DIR}/id_ed25519"
LAB_SUITE="bookworm"

# KUBEHA_LAB_ID=x KUBEHA_LAB_NET=10.78.0: a second lab beside the main one, independent of it
# (own hosts, bridge, cgroups, machine and veth names, stack file; same image and key), e.g. to
# try lab changes while the main lab runs. Every command then acts on that lab only.
LAB_ID="${KUBEHA_LAB_ID:-}"
if [[ -n "${LAB_ID}" ]]; then
  [[ "${LAB_ID}" =~ ^[a-z0-9]{1,4}$ ]] || die "KUBEHA_LAB_ID must be 1-4 of [a-z0-9], not '${LAB_ID}'"
  [[ "${KUBEHA_LAB_NET:-${LAB_MAIN_NET}}" != "${LAB_MAIN_NET}" ]] ||
    die "KUBEHA_LAB_ID needs KUBEHA_LAB_NET, a /24 of its own (e.g. ${LAB_GROWTH_NET}), not the main lab's ${LAB_MAIN_NET}"
  HOSTS_DIR="${LAB_DIR}/hosts-${LAB_ID}"
  LAB_BRIDGE="${LAB_BRIDGE_PREFIX}${LAB_ID}"
  LAB_CGROUP="kubeha-lab-${LAB_ID}"
  LAB_MACHINE_PREFIX="${LAB_ID}-"
  LAB_TOPOLOGY_FILE="${LAB_DIR}/topology-${LAB_ID}"
  LAB_STACK_FILE="${LAB_DIR}/Pulumi.lab-${LAB_ID}.yaml"
else
  HOSTS_DIR="${LAB_DIR}/hosts"
  LAB_BRIDGE="${LAB_MAIN_BRIDGE}"
  LAB_CGROUP="kubeha-lab"
  LAB_MACHINE_PREFIX=""
  LAB_TOPOLOGY_FILE="${LAB_DIR}/topology"
  LAB_STACK_FILE="${REPO_ROOT}/Pulumi.lab.yaml"
fi
# The lab hosts' SSH host keys, read from their disks (not over the network): the stack's
# kubeha:knownHostsFile, so that every deployment onto the lab verifies real keys.
LAB_KNOWN_HOSTS="${LAB_DIR}/known_hosts${LAB_ID:+-${LAB_ID}}"
LAB_NET_PREFIX="${KUBEHA_LAB_NET:-${LAB_MAIN_NET}}"
[[ "${LAB_NET_PREFIX}" =~ ^10\.[0-9]{1,3}\.[0-9]{1,3}$ ]] || die "KUBEHA_LAB_NET must look like 10.78.0, not '${LAB_NET_PREFIX}'"
LAB_BRIDGE_ADDR="${LAB_NET_PREFIX}.${LAB_BRIDGE_HOST}"
LAB_VIP="${LAB_NET_PREFIX}.${LAB_VIP_HOST}"
# The hosts' default gateway: an address nobody holds. Kubernetes wants a default route
# (service IPs from host processes, flannel's and the kubelet's interface choice), and
# nothing sent to it leaves the bridge.
LAB_GATEWAY="${LAB_NET_PREFIX}.${LAB_GATEWAY_HOST}"
# Topology: "colocated" (masters carry the lb role) or "dedicated" (lb1, lb2).
# Without KUBEHA_LAB_LB, the topology of the last `up` (kept until `down`).
LAB_LB="${KUBEHA_LAB_LB:-$(cat "${LAB_TOPOLOGY_FILE}" 2>/dev/null || echo colocated)}"
# Workers w1..wN at .21 up (LAB_WORKER_BASE + i) (the bench's growth figure uses 6). Without KUBEHA_LAB_WORKERS, as
# many as the last `up` made (kept until `down`), else 2.
LAB_WORKERS_FILE="${LAB_DIR}/workers${LAB_ID:+-${LAB_ID}}"
LAB_WORKERS="${KUBEHA_LAB_WORKERS:-$(cat "${LAB_WORKERS_FILE}" 2>/dev/null || echo 2)}"
[[ "${LAB_WORKERS}" =~ ^[1-9]$ ]] || die "KUBEHA_LAB_WORKERS must be 1-9, not '${LAB_WORKERS}'"

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

# machine_prep: what the hosts' Kubernetes needs from this machine (kernel modules and
# settings no host can change from inside: they are not per network namespace).
machine_prep() {
  local m want cur
  # Modules later Kubernetes work wants; absent ones are fine (built in on this VM).
  for m in overlay br_netfilter nf_conntrack ip_vs; do
    modprobe "${m}" >/dev/null 2>&1 || true
  done
  # kube-proxy sets nf_conntrack_max to max(131072, 32768 per CPU) unless it has exactly that
  # value, and fails ("open /proc/sys/net/netfilter/nf_conntrack_max: permission denied")
  # where it cannot write it: in any network namespace but the machine's.
  if [[ -w /proc/sys/net/netfilter/nf_conntrack_max ]]; then
    want=$((32768 * $(nproc)))
    ((want >= 131072)) || want=131072
    cur="$(cat /proc/sys/net/netfilter/nf_conntrack_max)"
    if [[ "${cur}" != "${want}" ]]; then
      echo "${want}" >/proc/sys/net/netfilter/nf_conntrack_max
      log "machine: net.netfilter.nf_conntrack_max ${cur} -> ${want} (kube-proxy's value)"
    fi
  fi
  # inotify instances and watches are counted per user on the whole machine, and every host's
  # root is this machine's root: systemd, containerd and kubelet of several hosts exhaust the
  # default 128 instances ("too many open files").
  for m in fs.inotify.max_user_instances=1024 fs.inotify.max_user_watches=524288; do
    want="${m#*=}"
    cur="$(sysctl -n "${m%%=*}" 2>/dev/null)" || continue
    if ((cur < want)); then
      sysctl -q -w "${m}" >/dev/null
      log "machine: ${m%%=*} ${cur} -> ${want}"
    fi
  done
}

# ---- topology -------------------------------------------------------------
# lab_hosts prints one line per host: NAME ADDRESS ROLES(comma) PRIORITY(or -)
lab_hosts() {
  case "${LAB_LB}" in
    colocated | "")
      printf '%s\n' \
        "m1 ${LAB_NET_PREFIX}.${LAB_HOST_M1} master,etcd,lb 150" \
        "m2 ${LAB_NET_PREFIX}.${LAB_HOST_M2} master,etcd,lb 140" \
        "m3 ${LAB_NET_PREFIX}.${LAB_HOST_M3} master,etcd,lb 130"
      ;;
    dedicated)
      printf '%s\n' \
        "m1 ${LAB_NET_PREFIX}.${LAB_HOST_M1} master,etcd -" \
        "m2 ${LAB_NET_PREFIX}.${LAB_HOST_M2} master,etcd -" \
        "m3 ${LAB_NET_PREFIX}.${LAB_HOST_M3} master,etcd -" \
        "lb1 ${LAB_NET_PREFIX}.${LAB_HOST_LB1} lb 150" \
        "lb2 ${LAB_NET_PREFIX}.${LAB_HOST_LB2} lb 140"
      ;;
    *) die "KUBEHA_LAB_LB must be 'dedicated' or unset, not '${LAB_LB}'" ;;
  esac
  local i
  for ((i = 1; i <= LAB_WORKERS; i++)); do
    echo "w${i} ${LAB_NET_PREFIX}.$((LAB_WORKER_BASE + i)) worker -"
  done
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
