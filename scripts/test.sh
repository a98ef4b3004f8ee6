#!/usr/bin/env bash
# `npm test`: the whole suite, on a fresh machine too. Provides what the tests need (npm packages,
# the Pulumi toolchain, the tools that check rendered files), then runs jest in two phases: the
# fast tests (unit, components, rendered files, real preview), then the lab end-to-end tests
# (skipped with KUBEHA_SKIP_E2E=1). Ends with one line "tests: N passed, N failed, N skipped".
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
bash scripts/deps.sh
bash scripts/toolchain/ensure.sh
bash scripts/test-tools.sh
# The offline Kubernetes artifacts: kubeadm validates rendered configs, the lab cluster runs them.
bash scripts/artifacts/build.sh
# shellcheck source=toolchain/env.sh
source "$repo/scripts/toolchain/env.sh"

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
status=0
phase() {
  local name=$1
  shift
  echo "[kubeha] test phase: $name"
  node node_modules/jest/bin/jest.js --ci --json --outputFile="$results/$name.json" "$@" || status=1
}

phase fast tests/unit tests/components tests/tools tests/shell tests/preview
if [[ ${KUBEHA_SKIP_E2E:-} != 1 ]]; then
  phase lab --runInBand --passWithNoTests --globalSetup ./tests/e2e/globalSetup.ts --globalTeardown ./tests/e2e/globalTeardown.ts tests/e2e
fi

node scripts/test-summary.js "$results"/*.json
exit "$status"
