#!/bin/bash
# kubeha inputs: joiners=<hash> token=<hash>
# Managed by kubeha: (re)creates the bootstrap token joining nodes use, valid for TTL. It runs
# whenever the set of joining nodes changes, so a token lives only around a membership change.
# Expects (rendered in): TTL; the token file (secret) written by kubeha.
# <the kubeha shell library: tests/golden/_shared/lib.sh>

TTL="2h"
export KUBECONFIG="/etc/kubernetes/admin.conf"

main() {
  local token
  token=$(cat "/etc/kubeha/bootstrap-token")
  kubeadm token delete "${token%%.*}" >/dev/null 2>&1 || true
  kubeadm token create "$token" --ttl "$TTL" \
    --groups system:bootstrappers:kubeadm:default-node-token >/dev/null
  info "bootstrap token ${token%%.*} valid for $TTL"
}

main
