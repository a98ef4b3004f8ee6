#!/bin/bash
# kubeha inputs: conf=<hash>
# Managed by kubeha: validates and (re)loads nginx after its configuration changed.
# Expects: /etc/nginx/nginx.conf written by kubeha. Runs only when its inputs change.
set -eu

info() { echo "[kubeha] $*"; }

main() {
  nginx -t -q
  systemctl enable nginx.service
  if systemctl is-active --quiet nginx.service; then
    systemctl reload nginx.service
    info "nginx reloaded"
  else
    systemctl restart nginx.service
    info "nginx started"
  fi
}

main
