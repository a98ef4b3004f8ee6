#!/usr/bin/env bash
# Installs the npm packages of package-lock.json when node_modules is missing or older than the
# lock file, so `npm start` and `npm test` work on a fresh clone.
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
# `npm install` honours the lock file; npm 11's `npm ci` rejects it over other platforms' optional packages.
npm install --ignore-scripts --no-audit --no-fund
echo "$want" >"$stamp"
