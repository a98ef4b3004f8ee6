# shellcheck shell=bash
# `lab up`, `lab down`, `lab start HOST`: the whole lab's life cycle.
# Sourced by lab.sh.

LAB_SSH_TIMEOUT="${KUBEHA_LAB_SSH_TIMEOUT:-180}"

lab_prereqs() {
  require_root
  ensure_machine_tools
  machine_prep
  ensure_ssh_key
  image_ensure
  net_up
}

lab_up() {
  local start name
  start="$(now)"
  lab_prereqs
  mkdir -p "${HOSTS_DIR}"
  host_purge_removed
  echo "${LAB_LB}" >"${LAB_TOPOLOGY_FILE}"
  echo "${LAB_WORKERS}" >"${LAB_WORKERS_FILE}"
  for name in $(lab_host_names); do
    host_start "${name}"
  done
  for name in "${HOSTS_DIR}"/*/; do
    [[ -d "${name}" ]] || continue
    name="$(basename "${name}")"
    host_field "${name}" 1 >/dev/null 2>&1 ||
      log "note: ${name} is not part of the '${LAB_LB}' topology; left as it is ('lab down' removes it)"
  done
  # shellcheck disable=SC2046 # host names are single words
  host_wait_ssh "${LAB_SSH_TIMEOUT}" $(lab_host_names)
  known_hosts_write
  config_write
  log "lab up in $(elapsed "${start}"): $(lab_host_names | xargs), VIP ${LAB_VIP}, 'npm run lab -- status'"
}

lab_start_host() {
  local start
  start="$(now)"
  lab_prereqs
  host_start "$1"
  host_wait_ssh "${LAB_SSH_TIMEOUT}" "$1"
  known_hosts_write
  log "start $1 took $(elapsed "${start}")"
}

lab_down() {
  local start d name cg h left=""
  local -a removed=()
  start="$(now)"
  require_root
  host_purge_removed
  for d in "${HOSTS_DIR}"/*/; do
    [[ -d "${d}" ]] || continue
    name="$(basename "${d}")"
    host_remove "${name}"
    removed+=("${name}")
    log "${name}: removed"
  done
  rmdir "${HOSTS_DIR}" 2>/dev/null || true
  rm -f "${LAB_TOPOLOGY_FILE}" "${LAB_WORKERS_FILE}"
  while read -r h; do
    cg="${h}/${LAB_CGROUP}"
    if [[ -d "${cg}" ]]; then
      find "${cg}" -depth -type d -exec rmdir {} + 2>/dev/null || true
    fi
    if [[ -d "${cg}" ]]; then left+=" cgroup ${cg};"; fi
  done < <(cgroup_hierarchies)
  net_down

  # Verify: nothing of the lab is left on this machine.
  local p cmd
  for p in /proc/[0-9]*; do
    cmd="$(tr '\0' ' ' 2>/dev/null <"${p}/cmdline")" || continue
    if [[ "${cmd}" == *systemd-nspawn*"${HOSTS_DIR}/"* ]] && pid_alive "${p#/proc/}"; then
      left+=" process ${p#/proc/};"
    fi
  done
  if awk -v d="${HOSTS_DIR}/" 'index($2, d) == 1 { found = 1 } END { exit !found }' /proc/self/mounts; then
    left+=" mounts under ${HOSTS_DIR};"
  fi
  if net_bridge_exists; then left+=" bridge ${LAB_BRIDGE};"; fi
  for name in "${removed[@]+"${removed[@]}"}"; do
    if net_veth_exists "${name}"; then left+=" veth $(net_veth "${name}");"; fi
  done
  [[ -z "${left}" ]] || die "down left behind:${left}"
  log "lab down in $(elapsed "${start}"): no lab process, mount, veth, cgroup or bridge left" \
    "(kept ${IMAGE_DIR}, ${SSH_DIR}, ${LAB_STACK_FILE})"
}
