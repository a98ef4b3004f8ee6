#!/bin/bash
# kubeha inputs: auth=<hash> check=<hash> conf=<hash> dropIn=<hash>
# Managed by kubeha: validates and (re)loads keepalived after its configuration changed.
# Expects: /etc/keepalived/keepalived.conf and kubeha-auth.conf written by kubeha, and its systemd
# drop-in (keepalived.service.d/kubeha.conf).
set -eu

info() { echo "[kubeha] $*"; }

main() {
  keepalived --config-test -f /etc/keepalived/keepalived.conf
  systemctl daemon-reload
  systemctl enable keepalived.service
  if systemctl is-active --quiet keepalived.service; then
    systemctl reload keepalived.service
    info "keepalived reloaded"
  else
    systemctl restart keepalived.service
    info "keepalived started"
  fi
}

main
