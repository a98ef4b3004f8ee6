# shellcheck shell=bash
# `lab status [--json]`: what runs where. Every host is probed over SSH in
# parallel (VIP, nginx, keepalived); etcd is asked for its leader from one
# running etcd host. Sourced by lab.sh.

# Run on a host: prints "vip=0|1 nginx=0|1 keepalived=0|1".
# shellcheck disable=SC2016 # expanded on the host
STATUS_PROBE='v=0; ip -o addr show | grep -q " VIP/" && v=1
n=0; systemctl is-active -q nginx 2>/dev/null && n=1
k=0; systemctl is-active -q keepalived 2>/dev/null && k=1
echo "vip=$v nginx=$n keepalived=$k"'

# Run on an etcd host with ENDPOINTS (addresses) set: prints etcdctl's
# `endpoint status -w simple` lines, nothing when etcd is not deployed.
# shellcheck disable=SC2016 # expanded on the host
STATUS_ETCD='command -v etcdctl >/dev/null 2>&1 || exit 0
export ETCDCTL_API=3
for d in /etc/etcd/pki:ca.crt:client.crt:client.key \
         /etc/etcd/pki:ca.crt:healthcheck-client.crt:healthcheck-client.key \
         /etc/kubernetes/pki/etcd:ca.crt:healthcheck-client.crt:healthcheck-client.key; do
  IFS=: read -r dir ca crt key <<EOF
$d
EOF
  if [ -f "$dir/$ca" ] && [ -f "$dir/$crt" ] && [ -f "$dir/$key" ]; then
    eps=$(for a in $ENDPOINTS; do printf "https://%s:2379," "$a"; done)
    exec etcdctl --endpoints="${eps%,}" --cacert="$dir/$ca" --cert="$dir/$crt" --key="$dir/$key" \
      --dial-timeout=1s --command-timeout=2s endpoint status -w simple 2>/dev/null
  fi
done
if systemctl is-active -q etcd 2>/dev/null; then
  eps=$(for a in $ENDPOINTS; do printf "http://%s:2379," "$a"; done)
  exec etcdctl --endpoints="${eps%,}" --dial-timeout=1s --command-timeout=2s endpoint status -w simple 2>/dev/null
fi'

# status_ssh ADDR CMD: lab_ssh bounded in time, so that a wedged host cannot hang `status`.
status_ssh() {
  timeout 10 ssh "${SSH_OPTS[@]}" -o ServerAliveInterval=2 -o ServerAliveCountMax=2 "root@$1" "$2"
}

# status_hosts: the hosts of the topology, then any other host dir left.
status_hosts() {
  local d
  lab_hosts
  for d in "${HOSTS_DIR}"/*/; do
    [[ -d "${d}" ]] || continue
    d="$(basename "${d}")"
    host_field "${d}" 1 >/dev/null 2>&1 || echo "${d} $(host_address "${d}" 2>/dev/null || echo '?') ? -"
  done
}

# status_collect DIR: one file per host in DIR: "running vip nginx keepalived".
status_collect() {
  local out="$1" name addr roles probe
  probe="${STATUS_PROBE//VIP/${LAB_VIP}}"
  while read -r name addr roles _; do
    (
      if ! host_running "${name}"; then
        echo "0 0 0 0" >"${out}/${name}"
      elif r="$(status_ssh "${addr}" "${probe}" 2>/dev/null)"; then
        echo "1 ${r}" | sed -E 's/[a-z]+=//g' >"${out}/${name}"
      else
        echo "1 0 0 0" >"${out}/${name}"
      fi
    ) &
  done < <(status_hosts)
  wait
}

# status_etcd_leader DIR: prints the leader's host name or nothing. Every running member is asked
# at once (a member that is down or refuses TLS costs its timeouts, in parallel, not in turn).
status_etcd_leader() {
  local out="$1" name addr roles endpoints="" leader_ep f
  local -a candidates=()
  while read -r name addr roles _; do
    [[ ",${roles}," == *,etcd,* ]] || continue
    endpoints+="${addr} "
    [[ "$(cut -d' ' -f1 "${out}/${name}")" == 1 ]] && candidates+=("${addr}")
  done < <(lab_hosts)
  for addr in "${candidates[@]+"${candidates[@]}"}"; do
    status_ssh "${addr}" "ENDPOINTS='${endpoints% }'; ${STATUS_ETCD}" >"${out}/etcd-${addr}" 2>/dev/null &
  done
  wait
  for addr in "${candidates[@]+"${candidates[@]}"}"; do
    f="${out}/etcd-${addr}"
    leader_ep="$(awk -F', *' '$5 == "true" { print $1; exit }' "${f}")"
    leader_ep="${leader_ep#*://}"
    leader_ep="${leader_ep%:*}"
    [[ -n "${leader_ep}" ]] || continue
    lab_hosts | awk -v a="${leader_ep}" '$2 == a { print $1 }'
    return 0
  done
}

status_main() {
  local json=0 out name addr roles running vip nginx keepalived leader holder=""
  [[ "${1:-}" == "--json" ]] && json=1
  out="$(mktemp -d)"
  # shellcheck disable=SC2064 # expand now
  trap "rm -rf '${out}'" RETURN
  status_collect "${out}"
  leader="$(status_etcd_leader "${out}")"
  while read -r name addr roles _; do
    read -r running vip nginx keepalived <"${out}/${name}"
    [[ ${vip} -eq 1 && -z "${holder}" ]] && holder="${name}"
    jq -nc --arg name "${name}" --arg address "${addr}" --arg roles "${roles}" \
      --argjson running "${running}" --argjson vip "${vip}" \
      --argjson nginx "${nginx}" --argjson keepalived "${keepalived}" \
      '{name: $name, address: $address,
        roles: ($roles | if . == "?" then [] else split(",") end),
        running: ($running == 1), holdsVip: ($vip == 1),
        nginx: ($nginx == 1), keepalived: ($keepalived == 1)}'
  done < <(status_hosts) >"${out}/hosts.jsonl"
  if [[ ${json} -eq 1 ]]; then
    jq -s --arg vip "${LAB_VIP}" --arg holder "${holder}" --arg leader "${leader}" \
      '{hosts: ., vip: $vip,
        vipHolder: (if $holder == "" then null else $holder end),
        etcdLeader: (if $leader == "" then null else $leader end)}' "${out}/hosts.jsonl"
    return 0
  fi
  {
    echo "HOST ADDRESS ROLES STATE VIP NGINX KEEPALIVED ETCD"
    jq -r --arg leader "${leader}" '[.name, .address, (.roles | join(",") | if . == "" then "?" else . end),
        (if .running then "running" else "stopped" end),
        (if .holdsVip then "yes" else "-" end),
        (if .nginx then "active" else "-" end),
        (if .keepalived then "active" else "-" end),
        (if .name == $leader then "leader" elif (.roles | index("etcd")) and $leader != "" and .running then "member" else "-" end)]
        | join(" ")' "${out}/hosts.jsonl"
  } | column -t
  echo
  echo "vip ${LAB_VIP}: ${holder:--}"
  echo "etcd leader: ${leader:--}"
}
