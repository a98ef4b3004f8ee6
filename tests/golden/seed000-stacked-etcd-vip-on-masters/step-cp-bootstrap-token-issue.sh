#!/bin/bash
# kubeha inputs: joiners=<hash> token=<hash>
# Managed by kubeha: (re)issues the bootstrap token joining nodes use, valid for TTL_SECONDS. It
# runs whenever the set of joining nodes changes, so a token lives only around a membership change.
# The token is applied as kube-system's bootstrap-token Secret from stdin (`kubeadm token create
# TOKEN` would put it on a command line, where any user sees it in ps).
# Expects (rendered in): TTL_SECONDS; the token file (secret) written by kubeha.
# <the kubeha shell library: tests/golden/_shared/lib.sh>

TTL_SECONDS="7200"
export KUBECONFIG="/etc/kubernetes/admin.conf"

main() {
  local token expires
  token=$(cat "/etc/kubeha/bootstrap-token")
  expires=$(date -u -d "+${TTL_SECONDS} seconds" +%Y-%m-%dT%H:%M:%SZ)
  kubectl apply -f - >/dev/null <<MANIFEST
apiVersion: v1
kind: Secret
metadata:
  name: bootstrap-token-${token%%.*}
  namespace: kube-system
type: bootstrap.kubernetes.io/token
stringData:
  description: "kubeha: joins of nodes"
  token-id: "${token%%.*}"
  token-secret: "${token#*.}"
  expiration: "${expires}"
  usage-bootstrap-authentication: "true"
  usage-bootstrap-signing: "true"
  auth-extra-groups: system:bootstrappers:kubeadm:default-node-token
MANIFEST
  info "bootstrap token ${token%%.*} valid until ${expires}"
}

main
