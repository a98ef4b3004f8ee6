#!/usr/bin/env bash
# `npm start`: the main job. Toolchain, the local lab of real hosts, `pulumi up` of the lab stack
# onto them, then a short summary. Safe to run again: every step reuses what exists.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

step() { printf '\n[kubeha] == %s\n' "$*"; }
started=$(date +%s)

step "npm packages"
bash scripts/deps.sh
step "toolchain (Node.js 22, pulumi, plugins; built once into ~/.cache/kubeha)"
bash scripts/toolchain/ensure.sh
# shellcheck source=toolchain/env.sh
source "$repo/scripts/toolchain/env.sh"
# shellcheck source=passphrase.sh
source "$repo/scripts/passphrase.sh"
stack_passphrase lab

step "offline Kubernetes artifacts (built once into ~/.cache/kubeha/artifacts)"
bash scripts/artifacts/build.sh

step "lab hosts"
bash scripts/lab/lab.sh up

step "pulumi up on the lab stack"
pulumi stack select lab --create --non-interactive >/dev/null
bash scripts/lab/match-state.sh lab
until_stage=$(pulumi config get kubeha:deployUntil --stack lab 2>/dev/null || echo addons)
if [[ $until_stage != addons ]]; then
  echo "[kubeha] the lab deploys up to stage '$until_stage' (kubeha:deployUntil in Pulumi.lab.yaml)"
fi
pulumi up --stack lab --yes --skip-preview --non-interactive

step "summary"
bash scripts/lab/lab.sh status
echo
echo "API endpoint:   $(pulumi stack output apiEndpoint --stack lab 2>/dev/null || echo -)"
echo "etcd endpoints: $(pulumi stack output etcdEndpoints --stack lab --json 2>/dev/null | tr -d '\n ' || echo -)"
if pulumi stack output kubeconfig --stack lab >/dev/null 2>&1; then
  kubeconfig="${KUBEHA_CACHE:-$HOME/.cache/kubeha}/lab/kubeconfig"
  (umask 077 && pulumi stack output kubeconfig --stack lab --show-secrets >"$kubeconfig")
  echo "kubeconfig:     $kubeconfig"
  kubectl="$(pulumi config get kubeha:artifactDir --stack lab 2>/dev/null)/bin/kubectl"
  if [[ -x $kubectl ]]; then
    echo
    echo "[kubeha] waiting for every node to be Ready (flannel starts on the last ones) ..."
    # Hosts that were just booted may still be starting the VIP: retry until the deadline.
    deadline=$(($(date +%s) + 300))
    until "$kubectl" --kubeconfig "$kubeconfig" wait --for=condition=Ready nodes --all --timeout=30s >/dev/null 2>&1; do
      (($(date +%s) < deadline)) || { echo "[kubeha] nodes not Ready after 300 s:" >&2; "$kubectl" --kubeconfig "$kubeconfig" get nodes >&2 || true; exit 1; }
      sleep 2
    done
    echo "\$ kubectl --kubeconfig $kubeconfig get nodes -o wide"
    "$kubectl" --kubeconfig "$kubeconfig" get nodes -o wide
  fi
fi
echo "took $(($(date +%s) - started)) s; 'npm run lab -- down' removes the lab"
