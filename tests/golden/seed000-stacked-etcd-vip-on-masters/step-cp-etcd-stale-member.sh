#!/bin/bash
# Managed by kubeha: with stacked etcd, a master that lost its disk (reinstalled under the same
# name and address) must not come back under its old etcd member: kubeadm takes a member with its
# peer URL as already added, and etcd started with an empty data directory under an identity the
# cluster knows fails ("tocommit ... is out of range"). So before this master joins (or rejoins),
# when it has neither etcd data nor kubeadm state, the member with its peer URL is removed through
# another master's member. Nothing happens on a first deployment (no such member) or on a master
# that has its data. A member that accepts connections but whose member list cannot be read fails
# the step.
# Expects (rendered in): PEER_URL, OTHER_CLIENT_URLS (space-separated), KUBERNETES_VERSION.
# <the kubeha shell library: tests/golden/_shared/lib.sh>

PEER_URL="https://172.26.133.161:2380"
OTHER_CLIENT_URLS="https://172.26.133.162:2379 https://172.26.133.163:2379"
KUBERNETES_VERSION="v1.32.13"
TIMEOUT=60

# One pass over the other masters' members: LIST and ANSWERED from the first that gives its member
# list; OPEN names those that accept connections but gave none (starting, or failing). Fails only
# when no member gave a list and some accept connections: a failed read, not "no cluster".
read_members() {
  local url
  list="" answered="" open=""
  for url in $OTHER_CLIENT_URLS; do
    if list=$(stacked_etcd_members "$url" "$certs/etcd" 2>/dev/null); then
      answered=$url
      return 0
    fi
    if port_open "$url"; then open="${open:+$open }$url"; fi
  done
  [ -z "$open" ]
}

main() {
  if [ -d "/var/lib/etcd/member" ] || [ -f "/etc/kubernetes/kubelet.conf" ] || [ -f "/etc/kubeha/kubeadm-step" ]; then
    info "this master has its etcd data or kubeadm state: its member is its own"
    return
  fi
  [ -f "$STACKED_ETCD_PKI/ca.key" ] || fatal "$STACKED_ETCD_PKI/ca.key is missing: kubeha places the etcd CA before this step"
  local id deadline
  # Not local: the EXIT trap reads it after main returned (set -u).
  certs=$(mktemp -d)
  trap 'rm -rf "$certs"' EXIT
  mkdir -p "$certs/etcd"
  cp "$STACKED_ETCD_PKI/ca.crt" "$STACKED_ETCD_PKI/ca.key" "$certs/etcd/"
  # A client certificate of the etcd CA, made by kubeadm (no other tool needed on the host).
  kubeadm init phase certs etcd-healthcheck-client --cert-dir "$certs" --kubernetes-version "$KUBERNETES_VERSION" >/dev/null
  # Read by read_members (not local: it sets them for main).
  list="" answered="" open=""
  # A member that was just started (the first master's init) may accept connections before it serves.
  deadline=$(($(date +%s) + TIMEOUT))
  until read_members; do
    [ "$(date +%s)" -lt "$deadline" ] || fatal "could not read the etcd member list from $open (it accepts connections) within ${TIMEOUT}s: not joining under a member this master may have left"
    sleep 2
  done
  if [ -z "$answered" ]; then
    info "no other master's etcd member answers: nothing to check (first deployment)"
    return
  fi
  id=$(awk -v u="$PEER_URL" '$2 == u { print $1 }' <<<"$list")
  if [ -z "$id" ]; then
    info "the etcd cluster has no member at $PEER_URL: this master joins as a new one"
    return
  fi
  info "removing etcd member $id at $PEER_URL: this master lost its etcd data, it joins again as a new member"
  stacked_etcd_api "$answered" cluster/member/remove "{\"ID\":\"$id\"}" "$certs/etcd" >/dev/null
}

main
