#!/bin/bash
# kubeha inputs: binaries=<hash> ca=<hash> peer=<hash> server=<hash> unit=<hash>
# Managed by kubeha: starts etcd member master-0, or restarts it after its unit, certificates or
# binaries changed. Runs only when those (or this script) change, member by member.
# - A member with data restarts when its unit, certificates or binaries are newer than the running
#   process; if the cluster was healthy, the next member waits until this one is healthy again (a
#   rolling restart that keeps quorum). A member already running on them is left alone.
# - A member without data joins: the configured cluster as a new one when no other member answers
#   yet (bootstrap), else the running cluster through `etcdctl member add` (a member added to the
#   config, or a host rebuilt with its data lost, whose old identity is removed first).
# Expects (rendered in): NAME, PEER_URL, TIMEOUT. Reads the initial-cluster file (the configured
# members, kept current by kubeha, so that this script does not change with the membership);
# writes the bootstrap environment, which the unit reads.
# <the kubeha shell library: tests/golden/_shared/lib.sh>

NAME="master-0"
PEER_URL="https://10.10.40.90:2380"
TIMEOUT=120
DATA_DIR="/var/lib/etcd/kubeha"
PKI_DIR="/etc/etcd/pki"
INITIAL_CLUSTER_FILE="/etc/etcd/initial-cluster"
BOOTSTRAP_ENV="/etc/etcd/bootstrap.env"
UNIT="etcd.service"
LOCAL="https://127.0.0.1:2379"

link_binaries() {
  local tool found
  for tool in etcd etcdctl; do
    [ -x "/usr/local/bin/$tool" ] && continue
    found=$(command -v "$tool") || fatal "$tool is not installed (packageSource offline: put bin/$tool into artifactDir)"
    ln -sf "$found" "/usr/local/bin/$tool"
  done
}

# Client URLs of the other configured members, from "name=https://ADDRESS:PEER_PORT,...".
others() {
  local entry url
  local -a entries
  # The file has no final newline: read then reports end of file, with the array filled.
  IFS=, read -r -a entries <"$INITIAL_CLUSTER_FILE" || true
  for entry in "${entries[@]}"; do
    url=${entry#*=}
    [ "$url" = "$PEER_URL" ] || echo "${url%:2380}:2379"
  done
}

# A healthy endpoint of another member (health needs that member's quorum), or nothing.
running_peer() {
  local endpoint
  for endpoint in $(others); do
    if etcd_healthy "$endpoint"; then
      echo "$endpoint"
      return
    fi
  done
}

# member add, retried: a cluster whose members (re)connected moments ago refuses it as unhealthy.
add_member() {
  wait_until "$TIMEOUT" "etcd adding member $NAME" etcd_ctl "$1" member add "$NAME" --peer-urls="$PEER_URL" >&2
}

# Joins the running cluster behind endpoint $1; prints the bootstrap environment. A member that
# never ran has no client URL: only a published one shows this peer URL served before.
join_running_cluster() {
  local peer=$1 list id name url client cluster="" entry
  list=$(etcd_members "$peer") || fatal "could not read the etcd member list from $peer"
  # No line (not listed): read fails at end of input and leaves the names empty.
  read -r id name url client < <(grep " $PEER_URL " <<<"$list") || true
  if [ -n "${id:-}" ] && [ "$client" != - ]; then
    # This peer URL served the cluster before: its data is lost with the rebuilt host.
    info "member $NAME ($PEER_URL) ran before and has no data now: replacing its identity" >&2
    etcd_ctl "$peer" member remove "$id" >&2
    id=""
  fi
  if [ -z "${id:-}" ]; then
    add_member "$peer"
    info "added member $NAME to the running cluster" >&2
  else
    info "member $NAME is listed and has never run: it starts into the running cluster" >&2
  fi
  list=$(etcd_members "$peer") || fatal "could not read the etcd member list from $peer"
  while read -r id name url _; do
    if [ "$url" = "$PEER_URL" ]; then
      entry="$NAME=$url"
    elif [ "$name" = - ]; then
      entry="unstarted-$id=$url"
    else
      entry="$name=$url"
    fi
    cluster="${cluster:+$cluster,}$entry"
  done <<<"$list"
  echo "ETCD_INITIAL_CLUSTER=$cluster"
  echo "ETCD_INITIAL_CLUSTER_STATE=existing"
}

start_without_data() {
  local peer tmp="$BOOTSTRAP_ENV.kubeha-tmp"
  # A member without data must not be running: a crash-looping unit would race the join.
  systemctl stop "$UNIT" 2>/dev/null || true
  peer=$(running_peer)
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
  systemctl enable "$UNIT"
  # --no-block: a bootstrapping member waits for its peers, which start after this step.
  systemctl restart --no-block "$UNIT"
  info "etcd member $NAME started"
}

restart_with_data() {
  local was_healthy=no
  etcd_healthy "$LOCAL" && was_healthy=yes
  # A member with data ignores these; a member started by an older kubeha has no file yet.
  [ -f "$BOOTSTRAP_ENV" ] || printf 'ETCD_INITIAL_CLUSTER=%s\nETCD_INITIAL_CLUSTER_STATE=new\n' "$(cat "$INITIAL_CLUSTER_FILE")" >"$BOOTSTRAP_ENV"
  systemctl daemon-reload
  systemctl enable "$UNIT"
  if [ "$was_healthy" = yes ] && running_since_changed "$UNIT" "/etc/systemd/system/etcd.service" "$PKI_DIR"/* "/usr/local/bin/etcd"; then
    info "etcd member $NAME runs on its current unit, certificates and binaries: nothing restarted"
    return
  fi
  if [ "$was_healthy" = no ]; then
    # Its peers may be down or starting too: waiting here could wait for the steps after this one.
    systemctl restart --no-block "$UNIT"
    info "etcd member $NAME restarted (it was not healthy before: not waiting)"
    return
  fi
  # Type=notify: the restart returns once the new process serves (its peers have quorum).
  timeout "$TIMEOUT" systemctl restart "$UNIT" || fatal "etcd member $NAME did not come back within ${TIMEOUT}s of its restart"
  wait_until "$TIMEOUT" "etcd member $NAME healthy after its restart" etcd_healthy "$LOCAL"
  info "etcd member $NAME restarted and healthy"
}

main() {
  link_binaries
  # Read by both branches, where a failed read would not stop the script (inside $(...)).
  [ -s "$INITIAL_CLUSTER_FILE" ] || fatal "$INITIAL_CLUSTER_FILE is missing or empty: kubeha writes it before this step"
  if [ -d "$DATA_DIR/member" ]; then
    restart_with_data
  else
    start_without_data
  fi
}

main
