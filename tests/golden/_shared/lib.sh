# --- kubeha shell library (templates/host/lib.sh), the same in every step script ---
set -euo pipefail

info() { echo "[kubeha] $*"; }
warn() { echo "[kubeha] WARNING: $*" >&2; }
fatal() {
  echo "[kubeha] ERROR: $*" >&2
  exit 1
}

# wait_until SECONDS WHAT COMMAND...: runs COMMAND every second until it succeeds; fatal, naming
# WHAT, once SECONDS have passed.
wait_until() {
  local seconds=$1 what=$2 deadline
  shift 2
  deadline=$(($(date +%s) + seconds))
  until "$@"; do
    [ "$(date +%s)" -lt "$deadline" ] || fatal "$what: not within ${seconds}s"
    sleep 1
  done
}

# port_open URL: the host:port of an https URL accepts TCP connections within a second (a refused
# or unreachable port fails at once; etcdctl and curl would retry the dial until their timeout).
port_open() {
  local hostport=${1#https://}
  hostport=${hostport%%/*}
  timeout 1 bash -c "exec 3<>/dev/tcp/${hostport%:*}/${hostport##*:}" 2>/dev/null
}

# running_since_changed UNIT FILE...: UNIT is active and (re)started after every FILE last
# changed, so it runs on them already (a step that only re-runs need not restart it). Compared in
# microseconds: a file written and its unit restarted within the same second is the usual case.
running_since_changed() {
  local unit=$1 started file changed
  shift
  systemctl is-active --quiet "$unit" || return 1
  started=$(systemctl show -p ActiveEnterTimestamp --timestamp=us+utc --value "$unit") || return 1
  [ -n "$started" ] || return 1
  started=$(date -d "$started" +%s%6N) || return 1
  for file in "$@"; do
    [ -e "$file" ] || return 1
    changed=$(stat -c %.6Y "$file") || return 1
    [ "${changed/./}" -lt "$started" ] || return 1
  done
}

# reload_or_start UNIT FILE...: makes UNIT run on its configuration FILEs: left alone when it
# (re)started after they last changed, reloaded when it is active (open connections finish),
# started otherwise.
reload_or_start() {
  local unit=$1
  shift
  if running_since_changed "$unit" "$@"; then
    info "$unit runs on its current configuration, nothing changed"
  elif systemctl is-active --quiet "$unit"; then
    systemctl reload "$unit"
    info "$unit reloaded"
  else
    systemctl restart "$unit"
    info "$unit started"
  fi
}

# etcd_ctl ENDPOINTS ARGS...: etcdctl against kubeha's external etcd with its client certificate.
etcd_ctl() {
  local endpoints=$1
  shift
  ETCDCTL_API=3 /usr/local/bin/etcdctl --endpoints="$endpoints" --cacert="/etc/etcd/pki/ca.crt" \
    --cert="/etc/etcd/pki/client.crt" --key="/etc/etcd/pki/client.key" \
    --dial-timeout=2s --command-timeout=5s "$@"
}

# etcd_healthy ENDPOINT: the member answers healthy (which needs its quorum), within 2 s; a port
# that refuses or cannot be reached fails at once.
etcd_healthy() {
  port_open "$1" && etcd_ctl "$1" endpoint health --command-timeout=2s >/dev/null 2>&1
}

# etcd_members ENDPOINT: "HEXID NAME PEER_URL CLIENT_URL" per member, read with jq from
# `member list -w json` ("-" for an empty name or client URL: a member that never started).
etcd_members() {
  local json
  json=$(etcd_ctl "$1" member list -w json --hex) || return 1
  # etcd 3.5 spells the client URLs "clientURLS" with --hex.
  jq -r '.members[] | [.ID, (.name // "" | if . == "" then "-" else . end), .peerURLs[0], ((.clientURLs // .clientURLS // [])[0] // "-")] | join(" ")' <<<"$json"
}

# stacked_etcd_api URL PATH BODY [CERT_DIR]: a POST to a stacked (kubeadm) etcd member's gRPC
# gateway, with the healthcheck client certificate of CERT_DIR (default kubeadm's etcd PKI).
stacked_etcd_api() {
  local certs=${4:-$STACKED_ETCD_PKI}
  curl --silent --show-error --fail --max-time 5 --cacert "$STACKED_ETCD_PKI/ca.crt" \
    --cert "$certs/healthcheck-client.crt" --key "$certs/healthcheck-client.key" \
    -X POST -d "$3" "$1/v3/$2"
}

STACKED_ETCD_PKI="/etc/kubernetes/pki/etcd"

# stacked_etcd_members URL [CERT_DIR]: "ID PEER_URL" per member, read with jq from the gateway's
# JSON (IDs are decimal strings there, as member/remove wants them).
stacked_etcd_members() {
  local json
  json=$(stacked_etcd_api "$1" cluster/member/list '{}' "${2:-}") || return 1
  jq -r '.members[] | "\(.ID) \(.peerURLs[0])"' <<<"$json"
}

# --- end of the kubeha shell library ---
