#!/bin/bash
# Managed by kubeha: issues the bootstrap token of the nodes about to join, valid for TTL_SECONDS
# (the revoke step removes it earlier, once they have all joined). Each set of joining nodes has
# its own token; the tokens of earlier sets that a failed run left behind are removed here.
# The token is rendered into this script (which travels on stdin) and applied as kube-system's
# bootstrap-token Secret from stdin (`kubeadm token create TOKEN` would put it on a command line,
# where any user sees it in ps). Only its id is ever printed.
# <the kubeha shell library: tests/golden/_shared/lib.sh>

TTL_SECONDS="7200"
LABEL="kubeha.io/bootstrap-token"
DESCRIPTION="kubeha: joins of nodes"
TOKEN="pei4ch.akswxptg3nfx4e5b"
RETRY_SECONDS=60
export KUBECONFIG="/etc/kubernetes/admin.conf"

# Applies the token's Secret and removes kubeha's older ones. Retried: right after an init or a
# rejoin, an apiserver behind the VIP may refuse the admin (Forbidden) until its RBAC cache is up.
issue() {
  kubectl apply -f - >/dev/null <<MANIFEST || return 1
apiVersion: v1
kind: Secret
metadata:
  name: bootstrap-token-${id}
  namespace: kube-system
  labels:
    ${LABEL}: "true"
type: bootstrap.kubernetes.io/token
stringData:
  description: "${DESCRIPTION}"
  token-id: "${id}"
  token-secret: "${TOKEN#*.}"
  expiration: "${expires}"
  usage-bootstrap-authentication: "true"
  usage-bootstrap-signing: "true"
  auth-extra-groups: system:bootstrappers:kubeadm:default-node-token
MANIFEST
  kubectl -n kube-system delete secret -l "${LABEL}" --field-selector "metadata.name!=bootstrap-token-${id}" --ignore-not-found >/dev/null
}

main() {
  local id=${TOKEN%%.*} expires
  expires=$(date -u -d "+${TTL_SECONDS} seconds" +%Y-%m-%dT%H:%M:%SZ)
  wait_until "$RETRY_SECONDS" "cannot issue the bootstrap token" issue
  info "bootstrap token ${id} valid until ${expires}"
}

main
