#!/usr/bin/env bash
# Installs the npm packages of package-lock.json (`npm ci`: exactly the lock, which it never
# rewrites) when node_modules is missing or was installed from another lock file, so `npm start`
# and `npm test` work on a fresh clone and leave the tree clean. The lock is complete for every
# platform (npm 11): after changing package.json, run `npm install --ignore-scripts` and commit both.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
stamp=node_modules/.kubeha-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ -f $stamp && $(cat "$stamp") == "$want" ]]; then
  exit 0
fi
echo "[kubeha] installing npm packages (package-lock.json changed or node_modules missing)"
# Provider packages' install scripts try to download plugins; the toolchain builds them instead.
npm ci --ignore-scripts --no-audit --no-fund
echo "$want" >"$stamp"
