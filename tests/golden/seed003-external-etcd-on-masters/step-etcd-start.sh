#!/bin/bash
# kubeha inputs: binaries=<hash> ca=<hash> peer=<hash> server=<hash> unit=<hash>
# Managed by kubeha: starts etcd member master-0, or restarts it after its unit, certificates or
# binaries changed. Runs only when those change (their hashes are in line 2), member by member.
# - A member with data restarts; if the cluster was healthy, the next member waits until this one
#   is healthy again (a rolling restart that keeps quorum).
# - A member without data joins: the configured cluster as a new one when no other member answers
#   yet (bootstrap), else the running cluster through `etcdctl member add` (a member added to the
#   config, or a host rebuilt with its data lost, whose old identity is removed first).
# Expects (rendered in): NAME, PEER_URL, DATA_DIR, PKI_DIR, TIMEOUT. Reads INITIAL_CLUSTER_FILE
# (the configured members, kept current by kubeha, so that this script and its runs do not change
# with the membership); writes BOOTSTRAP_ENV, which the unit reads.
set -eu

NAME="master-0"
PEER_URL="https://10.10.40.90:2380"
DATA_DIR="/var/lib/etcd/kubeha"
PKI_DIR="/etc/etcd/pki"
TIMEOUT=120
INITIAL_CLUSTER_FILE="/etc/etcd/initial-cluster"
BOOTSTRAP_ENV="/etc/etcd/bootstrap.env"

info() { echo "[kubeha] $*"; }
fatal() { echo "[kubeha] ERROR: $*" >&2; exit 1; }

link_binaries() {
  for tool in etcd etcdctl; do
    [ -x "/usr/local/bin/$tool" ] && continue
    found=$(command -v "$tool" || true)
    [ -n "$found" ] || fatal "$tool is not installed (packageSource offline: put bin/$tool into artifactDir)"
    ln -sf "$found" "/usr/local/bin/$tool"
  done
}

# etcd_ctl ENDPOINTS ARGS...
etcd_ctl() {
  endpoints=$1
  shift
  ETCDCTL_API=3 /usr/local/bin/etcdctl --endpoints="$endpoints" --cacert="$PKI_DIR/ca.crt" \
    --cert="$PKI_DIR/client.crt" --key="$PKI_DIR/client.key" --dial-timeout=2s --command-timeout=5s "$@"
}

# healthy ENDPOINT: the member answers healthy (which needs its quorum). A port that refuses or
# cannot be reached fails at once (etcdctl would retry the dial until its timeout), and a member
# without quorum fails within 2 s.
healthy() {
  hostport=${1#https://}
  timeout 1 bash -c "exec 3<>/dev/tcp/${hostport%:*}/${hostport##*:}" 2>/dev/null || return 1
  etcd_ctl "$1" endpoint health --command-timeout=2s >/dev/null 2>&1
}

# Client URLs of the other configured members (peers listen on 2380, clients on 2379).
others() {
  tr ',' '\n' <"$INITIAL_CLUSTER_FILE" | cut -d= -f2- | grep -vxF "$PEER_URL" | sed 's/:2380$/:2379/'
}

# A healthy endpoint of another member (health needs that member's quorum), or nothing.
running_peer() {
  for endpoint in $(others); do
    if healthy "$endpoint"; then
      echo "$endpoint"
      return
    fi
  done
}

# "ID NAME PEER_URL CLIENT_URL" per member ("-" for an empty field), from `member list`
# (simple: "id, status, name, peer URLs, client URLs, learner"). Members named in the initial
# cluster count as "started" before they ever ran: only a published client URL shows one did.
members() {
  etcd_ctl "$1" member list | awk -F', ' '{ print $1, ($3 == "" ? "-" : $3), $4, ($5 == "" ? "-" : $5) }'
}

# member add, retried: a cluster whose members (re)connected moments ago refuses it as unhealthy.
add_member() {
  deadline=$(($(date +%s) + TIMEOUT))
  until etcd_ctl "$1" member add "$NAME" --peer-urls="$PEER_URL" >&2; do
    [ "$(date +%s)" -lt "$deadline" ] || fatal "etcd refused to add member $NAME for ${TIMEOUT}s"
    sleep 2
  done
}

# Joins the running cluster behind endpoint $1; prints the bootstrap environment.
join_running_cluster() {
  peer=$1
  listed=$(members "$peer" | awk -v url="$PEER_URL" '$3 == url')
  if [ -n "$listed" ] && [ "$(echo "$listed" | awk '{ print $4 }')" != - ]; then
    # This peer URL served the cluster before: its data is lost with the rebuilt host.
    info "member $NAME ($PEER_URL) ran before and has no data now: replacing its identity" >&2
    etcd_ctl "$peer" member remove "$(echo "$listed" | awk '{ print $1 }')" >&2
    listed=""
  fi
  if [ -z "$listed" ]; then
    add_member "$peer"
    info "added member $NAME to the running cluster" >&2
  else
    info "member $NAME is listed and has never run: it starts into the running cluster" >&2
  fi
  cluster=$(members "$peer" | awk -v url="$PEER_URL" -v name="$NAME" '
    { n = ($3 == url) ? name : ($2 == "-" ? "unstarted-" $1 : $2); printf "%s%s=%s", sep, n, $3; sep = "," }')
  echo "ETCD_INITIAL_CLUSTER=$cluster"
  echo "ETCD_INITIAL_CLUSTER_STATE=existing"
}

start_without_data() {
  # A member without data must not be running: a crash-looping unit would race the join.
  systemctl stop etcd.service 2>/dev/null || true
  peer=$(running_peer)
  tmp="$BOOTSTRAP_ENV.kubeha-tmp"
  if [ -n "$peer" ]; then
    info "a cluster runs (answered at $peer): $NAME joins it"
    join_running_cluster "$peer" >"$tmp"
  else
    info "no other member answers yet: $NAME bootstraps the configured cluster"
    printf 'ETCD_INITIAL_CLUSTER=%s\nETCD_INITIAL_CLUSTER_STATE=new\n' "$(cat "$INITIAL_CLUSTER_FILE")" >"$tmp"
  fi
  mv -f "$tmp" "$BOOTSTRAP_ENV"
  install -d -m 0700 "$DATA_DIR"
  systemctl daemon-reload
  systemctl enable etcd.service
  # --no-block: a bootstrapping member waits for its peers, which start after this step.
  systemctl restart --no-block etcd.service
  info "etcd member $NAME started"
}

restart_with_data() {
  was_healthy=no
  healthy https://127.0.0.1:2379 && was_healthy=yes
  # A member with data ignores these; a member started by an older kubeha has no file yet.
  [ -f "$BOOTSTRAP_ENV" ] || printf 'ETCD_INITIAL_CLUSTER=%s\nETCD_INITIAL_CLUSTER_STATE=new\n' "$(cat "$INITIAL_CLUSTER_FILE")" >"$BOOTSTRAP_ENV"
  systemctl daemon-reload
  systemctl enable etcd.service
  if [ "$was_healthy" = no ]; then
    # Its peers may be down or starting too: waiting here could wait for the steps after this one.
    systemctl restart --no-block etcd.service
    info "etcd member $NAME restarted (it was not healthy before: not waiting)"
    return
  fi
  # Type=notify: the restart returns once the new process serves (its peers have quorum).
  timeout "$TIMEOUT" systemctl restart etcd.service || fatal "etcd member $NAME did not come back within ${TIMEOUT}s of its restart"
  deadline=$(($(date +%s) + TIMEOUT))
  until healthy https://127.0.0.1:2379; do
    [ "$(date +%s)" -lt "$deadline" ] || fatal "etcd member $NAME is not healthy ${TIMEOUT}s after its restart"
    sleep 1
  done
  info "etcd member $NAME restarted and healthy"
}

main() {
  link_binaries
  if [ -d "$DATA_DIR/member" ]; then
    restart_with_data
  else
    start_without_data
  fi
}

main
