#!/bin/bash
# kubeha inputs: token=<hash>
# Managed by kubeha: revokes kubeha's bootstrap tokens once every node of this deployment has
# joined: each kube-system bootstrap-token Secret whose description is kubeha's (so also the
# unlabelled one of kubeha's earlier versions). A node that joins later (a new host, a reinstalled
# one) gets a new token from the issue step. Also removes the token file that kubeha's earlier
# versions kept on this master. (kubeadm init's own token is the init step's to delete.)
# <the kubeha shell library: tests/golden/_shared/lib.sh>

DESCRIPTION="kubeha: joins of nodes"
RETRY_SECONDS=60
export KUBECONFIG="/etc/kubernetes/admin.conf"

# The names of kubeha's token Secrets (descriptions are base64 in .data).
kubeha_tokens() {
  local ours listed
  ours=$(printf '%s' "$DESCRIPTION" | base64 -w0)
  listed=$(kubectl -n kube-system get secrets --field-selector type=bootstrap.kubernetes.io/token -o jsonpath='{range .items[*]}{.metadata.name}{" "}{.data.description}{"\n"}{end}') || return 1
  awk -v ours="$ours" '$2 == ours { print $1 }' <<<"$listed"
}

# Sets NAMES. Retried: right after the joins an apiserver behind the VIP may refuse the admin
# (Forbidden) until its RBAC cache has caught up.
list_tokens() {
  NAMES=$(kubeha_tokens | paste -sd " ")
}

main() {
  local names
  wait_until "$RETRY_SECONDS" "cannot list the bootstrap tokens" list_tokens
  names=$NAMES
  if [[ -n $names ]]; then
    # shellcheck disable=SC2086 # one argument per Secret name
    kubectl -n kube-system delete secret $names --ignore-not-found >/dev/null
  fi
  rm -f "/etc/kubeha/bootstrap-token"
  info "bootstrap tokens revoked: ${names:-none left}"
}

main
