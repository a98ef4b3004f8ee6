# shellcheck shell=bash
# The lab stack config: <repo>/Pulumi.lab.yaml (git-ignored), plain YAML.
# Written when absent or when the lab's host set or key path changed; left
# alone otherwise, so keys a user or a test added survive `up`. A replaced
# file is saved in the cache dir first. Sourced by lab.sh.

# The Kubernetes release of the offline artifacts (scripts/artifacts), and where they are built.
lab_k8s_version() {
  awk '$1 == "require" && $2 == "k8s.io/kubernetes" { sub(/^v/, "", $3); print $3 }' \
    "${REPO_ROOT}/scripts/artifacts/go/k8s/go.mod"
}
lab_artifact_dir() {
  echo "${KUBEHA_CACHE:-${HOME}/.cache/kubeha}/artifacts/k8s-$(lab_k8s_version)"
}

# One line that identifies what the file was written for.
config_signature() {
  printf '# kubeha-lab: hosts=%s key=%s artifacts=%s known_hosts=%s\n' \
    "$(lab_hosts | awk '{ printf "%s%s:%s:%s:%s", sep, $1, $2, $3, $4; sep = "," }')" "${SSH_KEY}" "$(lab_artifact_dir)" "${LAB_KNOWN_HOSTS}"
}

config_render() {
  local name addr roles prio yroles
  config_signature
  echo "# Written by 'npm run lab -- up' for the local lab (scripts/lab/README.md)."
  echo "config:"
  echo "  kubeha:sshUser: root"
  echo "  kubeha:sshPrivateKeyPath: ${SSH_KEY}"
  echo "  kubeha:knownHostsFile: ${LAB_KNOWN_HOSTS}"
  echo "  kubeha:hosts:"
  while read -r name addr roles prio; do
    yroles="${roles//,/, }"
    if [[ "${prio}" == "-" ]]; then
      echo "    - {name: ${name}, address: ${addr}, roles: [${yroles}]}"
    else
      echo "    - {name: ${name}, address: ${addr}, roles: [${yroles}], vrrpPriority: ${prio}}"
    fi
  done < <(lab_hosts)
  cat <<EOF
  kubeha:etcdTopology: external
  kubeha:apiEndpoint: vip
  kubeha:vip: ${LAB_VIP}
  kubeha:vrrpInterface: host0
  kubeha:packageSource: offline
  kubeha:artifactDir: $(lab_artifact_dir)
  kubeha:kubernetesVersion: "$(lab_k8s_version)"
  # The lab's hosts are containers on one shared disk, which the kubelet cannot measure.
  kubeha:kubeletDiskEviction: false
EOF
}

config_write() {
  local sig backup
  sig="$(config_signature)"
  if [[ -f "${LAB_STACK_FILE}" ]] && grep -qxF "${sig}" "${LAB_STACK_FILE}"; then
    log "stack config ${LAB_STACK_FILE} is up to date (left as it is)"
    return 0
  fi
  if [[ -f "${LAB_STACK_FILE}" ]]; then
    backup="${LAB_DIR}/$(basename "${LAB_STACK_FILE}").$(date +%Y%m%d-%H%M%S).bak"
    cp "${LAB_STACK_FILE}" "${backup}"
    log "the lab's host set changed: old stack config saved as ${backup}"
  fi
  config_render >"${LAB_STACK_FILE}.tmp"
  mv "${LAB_STACK_FILE}.tmp" "${LAB_STACK_FILE}"
  log "wrote stack config ${LAB_STACK_FILE}"
}

# known_hosts_write: the lab's known_hosts, every host's keys as its disk holds them (made at its
# first boot; a stopped host keeps its line). Rewritten at every up, start and rebuild: a rebuilt
# host has new keys.
known_hosts_write() {
  local name addr tmp
  tmp="${LAB_KNOWN_HOSTS}.tmp"
  : >"${tmp}"
  for name in $(lab_host_names); do
    addr="$(host_address "${name}")"
    host_public_keys "${name}" | sed "s|^|${addr} |" >>"${tmp}"
  done
  mv "${tmp}" "${LAB_KNOWN_HOSTS}"
  log "host keys of the lab's hosts written to ${LAB_KNOWN_HOSTS}"
}
