#!/usr/bin/env bash
# Before `pulumi up` on a lab: makes the lab stack's state and the lab's hosts describe the same
# deployment. Remote commands cannot see a host that was recreated behind their back, so a stale
# state would make `pulumi up` report "unchanged" over empty hosts:
# - the state has resources, but m1 runs another deployment or none (hosts recreated by `lab
#   down` + `up`, or deployed from another checkout): the state is dropped, its config kept;
# - the state is empty, but m1 was deployed: the hosts are recreated, since a fresh PKI cannot be
#   laid over theirs.
# The cluster CA in the state's kubeconfig output is compared with m1's; without a kubeconfig
# (deployUntil before the control plane), the presence of /etc/kubeha on m1 decides.
# Usage: match-state.sh [STACK] (default "lab"), once the toolchain is built.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
stack="${1:-lab}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../toolchain/env.sh
source "${here}/../toolchain/env.sh"
# shellcheck source=../passphrase.sh
source "${here}/../passphrase.sh"
cd "${here}/../.."
stack_passphrase "${stack}"
lab() { bash "${here}/lab.sh" "$@"; }
say() { echo "[lab] $*"; }

m1_deployed() { lab ssh m1 "test -d /etc/kubeha" >/dev/null 2>&1; }
# resources: how many resources the state holds (each has one "urn" key in the export).
resources() { { pulumi stack export --stack "${stack}" 2>/dev/null || true; } | grep -c '"urn":' || true; }

# state_matches_hosts: the state's deployment is the one m1 runs (sets `reason` when not).
state_matches_hosts() {
  local state_ca host_ca
  state_ca=$(pulumi stack output kubeconfig --stack "${stack}" --show-secrets 2>/dev/null | sed -n 's/^ *certificate-authority-data: *//p' | head -1)
  if [[ -n ${state_ca} ]]; then
    host_ca=$(lab ssh m1 "base64 -w0 /etc/kubernetes/pki/ca.crt" 2>/dev/null || true)
    reason="m1's cluster CA is not the one in the state"
    [[ ${host_ca} == "${state_ca}" ]]
  else
    reason="m1 has never been deployed"
    m1_deployed
  fi
}

if (($(resources) > 0)) && ! state_matches_hosts; then
  say "stack ${stack} describes hosts that no longer exist (${reason}): dropping its state, keeping its config"
  pulumi stack rm "${stack}" --force --yes --preserve-config --non-interactive >/dev/null
  pulumi stack select "${stack}" --create --non-interactive >/dev/null
fi
if (($(resources) == 0)) && m1_deployed; then
  say "the hosts run a deployment this checkout has no state for: recreating them"
  lab down
  lab up
fi
