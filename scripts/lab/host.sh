# shellcheck shell=bash
# Lab hosts: one systemd-nspawn container per host, booted from an overlay of
# the cached image (lower) and the host's own upper directory (its disk, kept
# across stop/start). Each host runs in its own cgroup kubeha-lab/NAME in every
# cgroup hierarchy, so that the hosts' systemd instances and kubelets do not
# collide (a host's cgroup namespace is rooted there) and so that `stop` can
# find and kill everything that belongs to it. Sourced by lab.sh.

host_dir() { echo "${HOSTS_DIR}/$1"; }
host_root() { echo "${HOSTS_DIR}/$1/root"; }

# Every cgroup hierarchy of this machine (mount points): the cgroup v1 controllers,
# the named systemd one and the cgroup2 one (hybrid), or the cgroup2 root alone.
cgroup_hierarchies() {
  awk '$3 == "cgroup2" || $3 == "cgroup" { print $2 }' /proc/self/mounts
}

# cgroup_paths NAME: the cgroup directories of a host: ${LAB_CGROUP}/NAME in every
# hierarchy; at the root of the systemd and cgroup2 ones (as systemd-nspawn wants), below
# the caller's own cgroup in each controller one (a host stays inside whatever the caller
# runs in there, e.g. a session's memory cgroup).
cgroup_paths() {
  local name="$1"
  awk -v name="${name}" -v lab="${LAB_CGROUP}" '
    FNR == NR {                      # /proc/self/cgroup: id:controllers:path
      i = index($0, ":"); rest = substr($0, i + 1); j = index(rest, ":")
      ctl = substr(rest, 1, j - 1); path = substr(rest, j + 1); sub(/\/$/, "", path)
      if (ctl == "") own["cgroup2"] = path
      else { n = split(ctl, c, ","); for (k = 1; k <= n; k++) own[c[k]] = path }
      next
    }
    $3 == "cgroup2" { print $2 "/" lab "/" name; next }
    $3 == "cgroup" {
      n = split($4, o, ",")
      for (k = 1; k <= n; k++) if (o[k] in own) {
        print $2 (o[k] == "name=systemd" ? "" : own[o[k]]) "/" lab "/" name; break
      }
    }' /proc/self/cgroup /proc/self/mounts
}

# host_cgroups NAME: the cgroups of a host: those recorded at its start, else where
# it would go now (covers hosts started before cgroups were recorded).
host_cgroups() {
  local file
  file="$(host_dir "$1")/cgroups"
  if [[ -s "${file}" ]]; then
    cat "${file}"
  else
    cgroup_paths "$1"
  fi
}

# cgroup_make DIR: mkdir -p; in the cpuset hierarchy every new level gets its parent's
# CPUs and memory nodes (empty ones refuse processes).
cgroup_make() {
  local dir="$1" d parent f
  local -a missing=()
  d="${dir}"
  while [[ ! -d "${d}" ]]; do
    missing=("${d}" "${missing[@]+"${missing[@]}"}")
    d="$(dirname "${d}")"
  done
  for d in "${missing[@]+"${missing[@]}"}"; do
    mkdir "${d}"
    parent="$(dirname "${d}")"
    for f in cpuset.cpus cpuset.mems; do
      if [[ -f "${d}/${f}" && -z "$(cat "${d}/${f}")" ]]; then
        cat "${parent}/${f}" >"${d}/${f}"
      fi
    done
  done
}

# pid_alive PID: exists and is not a zombie.
pid_alive() {
  local state
  state="$(awk '{ sub(/^.*\) /, ""); print $1 }' "/proc/$1/stat" 2>/dev/null)" || return 1
  [[ -n "${state}" && "${state}" != Z ]]
}

# The systemd-nspawn processes of a host (found by their root directory).
host_nspawn_pids() {
  local root f p
  root="$(host_root "$1")"
  while read -r f; do
    p="${f#/proc/}"
    p="${p%/cmdline}"
    [[ "$(head -zn1 "${f}" 2>/dev/null | tr -d '\0')" == *systemd-nspawn ]] || continue
    if pid_alive "${p}"; then echo "${p}"; fi
  done < <(grep -lxzsF -- "${root}" /proc/[0-9]*/cmdline 2>/dev/null)
  return 0
}

# Every live process of a host: the nspawn process and all in its cgroups.
host_pids() {
  local cg f p
  {
    host_nspawn_pids "$1"
    while read -r cg; do
      [[ -d "${cg}" ]] || continue
      while read -r f; do
        cat "${f}" 2>/dev/null || true
      done < <(find "${cg}" -name cgroup.procs 2>/dev/null)
    done < <(host_cgroups "$1")
  } | sort -un | while read -r p; do
    pid_alive "${p}" && echo "${p}"
  done
  return 0
}

host_running() { [[ -n "$(host_nspawn_pids "$1")" ]]; }

# host_prepare NAME: directories, overlay mount and the files a host needs.
# A host keeps the image it was made from (its disk is an overlay on it) until `down`.
host_prepare() {
  local name="$1" dir root addr first=0 version lower
  dir="$(host_dir "${name}")"
  root="$(host_root "${name}")"
  addr="$(host_address "${name}")" || die "${name} is not a host of the '${LAB_LB}' topology"
  version="${IMAGE_VERSION}"
  if [[ -f "${dir}/image" ]]; then
    version="$(cat "${dir}/image")"
  fi
  lower="${LAB_DIR}/image-${version}/rootfs"
  if [[ "${version}" != "${IMAGE_VERSION}" ]]; then
    [[ -x "${lower}/sbin/init" ]] ||
      die "${name} was made from image-${version}, which is gone; the lab now uses image-${IMAGE_VERSION}: run 'lab down' first"
    log "note: ${name} runs image-${version}, not image-${IMAGE_VERSION} ('lab down' then 'lab up' for the new image)"
  fi
  if [[ ! -d "${dir}/upper" ]]; then
    first=1
    mkdir -p "${dir}"
    echo "${IMAGE_VERSION}" >"${dir}/image"
  fi
  mkdir -p "${dir}/upper" "${dir}/work" "${root}" "${dir}/containerd"
  if ! mountpoint -q "${root}"; then
    mount -t overlay "kubeha-lab-${LAB_MACHINE_PREFIX}${name}" \
      -o "lowerdir=${lower},upperdir=${dir}/upper,workdir=${dir}/work" "${root}"
  fi
  if [[ ${first} -eq 1 ]]; then
    # First boot: identity of its own.
    echo "${name}" >"${root}/etc/hostname"
    tr -d '-' </proc/sys/kernel/random/uuid >"${root}/etc/machine-id"
  fi
  net_host_config "${root}" "${addr}"
  host_write_etc_hosts "${root}"
  install -d -m 0700 "${root}/root/.ssh"
  install -m 0600 "${SSH_KEY}.pub" "${root}/root/.ssh/authorized_keys"
}

# The lab's names in /etc/hosts, between markers, refreshed at every start.
host_write_etc_hosts() {
  local root="$1" file tmp
  file="${root}/etc/hosts"
  tmp="$(mktemp)"
  if [[ -f "${file}" ]]; then
    awk '/^# BEGIN kubeha-lab/ { skip = 1 } !skip { print } /^# END kubeha-lab/ { skip = 0 }' "${file}" >"${tmp}"
  else
    printf '127.0.0.1\tlocalhost\n' >"${tmp}"
  fi
  {
    echo "# BEGIN kubeha-lab (managed by scripts/lab)"
    lab_hosts | awk '{ printf "%s\t%s\n", $2, $1 }'
    echo "# END kubeha-lab"
  } >>"${tmp}"
  cat "${tmp}" >"${file}"
  rm -f "${tmp}"
}

# host_start NAME: boot a host detached; no-op when it runs already.
host_start() {
  local name="$1" dir root cg
  if host_running "${name}"; then
    log "${name}: already running"
    return 0
  fi
  # Leftovers of a crash (processes, mounts) are cleared first, and a veth that outlived its
  # host (the kernel reaps network namespaces late), on which systemd-nspawn fails ("File exists").
  if [[ -n "$(host_pids "${name}")" ]] || net_veth_exists "${name}"; then
    host_kill "${name}"
  fi
  host_prepare "${name}"
  dir="$(host_dir "${name}")"
  root="$(host_root "${name}")"
  cgroup_paths "${name}" >"${dir}/cgroups"
  while read -r cg; do
    cgroup_make "${cg}"
  done <"${dir}/cgroups"
  (
    while read -r cg; do
      echo "${BASHPID}" >"${cg}/cgroup.procs"
    done <"${dir}/cgroups"
    cd /
    exec setsid systemd-nspawn -D "${root}" \
      --boot --register=no --keep-unit \
      --machine="${LAB_MACHINE_PREFIX}${name}" --hostname="${name}" \
      --network-bridge="${LAB_BRIDGE}" \
      --capability=all --private-users=no \
      --system-call-filter='add_key keyctl' \
      --bind=/dev/kmsg \
      --resolv-conf=off --timezone=off \
      --console=read-only \
      --bind="${dir}/containerd:/var/lib/containerd" \
      >>"${dir}/console.log" 2>&1 </dev/null
  ) &
  echo "$!" >"${dir}/nspawn.pid"
  # Not a job of this shell: no "Killed" notice when a later `stop` pulls the plug.
  disown "$!"
  log "${name}: booting (pid $!, log ${dir}/console.log)"
}

# host_kill NAME: pull the plug. SIGKILL the nspawn process and every process
# of the host until none is left, then clear its veth, mount and cgroups.
host_kill() {
  local name="$1" dir root pids i cg veth
  dir="$(host_dir "${name}")"
  root="$(host_root "${name}")"
  # A frozen host's processes would take SIGKILL only once thawed.
  host_thaw "${name}" >/dev/null 2>&1 || true
  for ((i = 0; i < 100; i++)); do
    pids="$(host_pids "${name}")"
    [[ -z "${pids}" ]] && break
    # shellcheck disable=SC2086 # one pid per word
    kill -9 ${pids} 2>/dev/null || true
    sleep 0.1
  done
  [[ -z "$(host_pids "${name}")" ]] || die "${name}: processes survive SIGKILL: $(host_pids "${name}" | xargs)"
  # The veth goes with the host's network namespace; remove it if it lingers.
  veth="$(net_veth "${name}")"
  for ((i = 0; i < 50; i++)); do
    net_veth_exists "${name}" || break
    sleep 0.1
  done
  if net_veth_exists "${name}"; then
    ip link del "${veth}" 2>/dev/null || true
  fi
  if mountpoint -q "${root}"; then
    umount "${root}" 2>/dev/null || umount -l "${root}"
  fi
  while read -r cg; do
    if [[ -d "${cg}" ]]; then
      find "${cg}" -depth -type d -exec rmdir {} + 2>/dev/null || true
    fi
    if [[ -d "${cg}" ]]; then
      die "${name}: cannot remove cgroup ${cg}"
    fi
    # ${LAB_CGROUP} itself once its last host is gone.
    rmdir "$(dirname "${cg}")" 2>/dev/null || true
  done < <(host_cgroups "${name}")
  rm -f "${dir}/nspawn.pid" "${dir}/cgroups"
  return 0
}

# host_stop NAME: hard power-off, then check nothing of the host remains.
host_stop() {
  local name="$1" root
  root="$(host_root "${name}")"
  if [[ -z "$(host_pids "${name}")" ]] && ! mountpoint -q "${root}"; then
    log "${name}: not running"
    return 0
  fi
  host_kill "${name}"
  [[ -z "$(host_pids "${name}")" ]] || die "${name}: processes remain"
  ! net_veth_exists "${name}" || die "${name}: veth $(net_veth "${name}") remains"
  ! mountpoint -q "${root}" || die "${name}: ${root} is still mounted"
  log "${name}: powered off"
}

# host_remove NAME: power off and delete the host's disk and state. The directory is renamed
# out of the way first, so that an interrupted removal never leaves a half-deleted disk behind
# for the next `up` to boot from.
host_remove() {
  local name="$1" trash
  host_stop "${name}"
  trash="${HOSTS_DIR}/.removing-${name}-$$"
  mv "$(host_dir "${name}")" "${trash}"
  rm -rf --one-file-system "${trash}"
}

# Directories of removals that were interrupted (see host_remove).
host_purge_removed() {
  local d
  for d in "${HOSTS_DIR}"/.removing-*/; do
    [[ -d "${d}" ]] || continue
    mountpoint -q "${d}root" && { umount "${d}root" 2>/dev/null || umount -l "${d}root"; }
    rm -rf --one-file-system "${d}"
    log "removed $(basename "${d}"), left by an interrupted removal"
  done
}

# host_console_tail NAME: the last lines of a host's console, indented, for error messages.
host_console_tail() {
  tail -n "${2:-15}" "$(host_dir "$1")/console.log" 2>/dev/null |
    awk '{ gsub(/\033\[[0-9;]*m/, ""); print "    | " $0 }' || true
}

LAB_SSH_RESTART_AFTER="${KUBEHA_LAB_SSH_RESTART_AFTER:-60}"

# host_wait_ssh TIMEOUT NAME...: wait until every host answers SSH. A host whose boot died, or
# that still does not answer after LAB_SSH_RESTART_AFTER seconds while it runs, is powered off
# and booted again, once, with its console shown (a boot can stall, e.g. on a host killed
# mid-write); then the wait goes on until TIMEOUT, and its failure shows the console and
# what ssh said.
host_wait_ssh() {
  local timeout="$1" start name addr idx waited
  local -a pending waiting probes
  local -A restarted=()
  shift
  start="$(now)"
  pending=("$@")
  while [[ ${#pending[@]} -gt 0 ]]; do
    waiting=()
    probes=()
    for name in "${pending[@]}"; do
      addr="$(host_address "${name}")"
      lab_ssh "${addr}" true >"$(host_dir "${name}")/ssh-probe.log" 2>&1 &
      probes+=("$!")
    done
    idx=0
    for name in "${pending[@]}"; do
      wait "${probes[${idx}]}" || waiting+=("${name}")
      idx=$((idx + 1))
    done
    pending=("${waiting[@]+"${waiting[@]}"}")
    [[ ${#pending[@]} -eq 0 ]] && break
    waited="$(awk -v s="${start}" -v e="$(now)" 'BEGIN { printf "%d", e - s }')"
    for name in "${pending[@]}"; do
      [[ -z "${restarted[${name}]:-}" ]] || continue
      if ! host_running "${name}"; then
        log "${name}: its boot died (systemd-nspawn exited); console:"
      elif ((waited >= LAB_SSH_RESTART_AFTER)); then
        log "${name}: no SSH after ${waited}s although it runs; console:"
      else
        continue
      fi
      host_console_tail "${name}" >&2
      log "${name}: powering it off and booting it again (once)"
      restarted["${name}"]=1
      host_kill "${name}"
      host_start "${name}"
    done
    if ((waited > timeout)); then
      for name in "${pending[@]}"; do
        printf '[lab] %s: ssh said: %s\n[lab] %s: last console lines:\n' "${name}" "$(tr '\n' ' ' <"$(host_dir "${name}")/ssh-probe.log")" "${name}" >&2
        host_console_tail "${name}" 30 >&2
      done
      die "no SSH after ${timeout}s from: ${pending[*]} (console: $(host_dir "${pending[0]}")/console.log)"
    fi
    log "waiting for SSH ($(elapsed "${start}")): ${pending[*]}"
    sleep 1
  done
  rm -f "${HOSTS_DIR}"/*/ssh-probe.log
  log "SSH answers on all of: $* ($(elapsed "${start}"))"
}

# host_freezer NAME: the host's freezer: "v1 DIR" (freezer.state) or "v2 DIR" (cgroup.freeze).
host_freezer() {
  local cg
  while read -r cg; do
    if [[ -f "${cg}/freezer.state" ]]; then
      echo "v1 ${cg}"
      return 0
    fi
  done < <(host_cgroups "$1")
  while read -r cg; do
    if [[ -f "${cg}/cgroup.freeze" ]]; then
      echo "v2 ${cg}"
      return 0
    fi
  done < <(host_cgroups "$1")
  return 1
}

# host_freeze NAME / host_thaw NAME: stop every process of the host where it stands (a hung
# machine: TCP connections stay open, nothing answers), and let it go on.
host_freeze() { host_set_frozen "$1" FROZEN 1; }
host_thaw() { host_set_frozen "$1" THAWED 0; }

host_set_frozen() {
  local name="$1" v1="$2" v2="$3" kind dir i
  read -r kind dir < <(host_freezer "${name}") || die "${name}: no freezer cgroup (is it running?)"
  for ((i = 0; i < 50; i++)); do
    if [[ "${kind}" == v1 ]]; then
      echo "${v1}" >"${dir}/freezer.state"
      [[ "$(cat "${dir}/freezer.state")" == "${v1}" ]] && return 0
    else
      echo "${v2}" >"${dir}/cgroup.freeze"
      grep -qx "frozen ${v2}" "${dir}/cgroup.events" && return 0
    fi
    sleep 0.1
  done
  die "${name}: the freezer did not reach ${v1}"
}

# host_public_keys NAME: the host's SSH host public keys, read from its disk (the overlay's upper
# directory, which holds them from its first boot on, whether the host runs or not).
host_public_keys() {
  local f
  for f in "$(host_dir "$1")"/upper/etc/ssh/ssh_host_*_key.pub; do
    [[ -f "${f}" ]] && awk '{ print $1, $2 }' "${f}"
  done
  return 0
}
