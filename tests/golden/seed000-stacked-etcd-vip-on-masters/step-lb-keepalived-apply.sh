#!/bin/bash
# kubeha inputs: auth=<hash> check=<hash> conf=<hash> dropIn=<hash>
# Managed by kubeha: validates and (re)loads keepalived after its configuration changed. A
# keepalived started after its files were last written runs on them already: left alone.
# Expects: keepalived.conf, kubeha-auth.conf, the check script and the systemd drop-in, written
# by kubeha.
# <the kubeha shell library: tests/golden/_shared/lib.sh>

main() {
  keepalived --config-test -f "/etc/keepalived/keepalived.conf"
  systemctl daemon-reload
  systemctl enable "keepalived.service"
  reload_or_start "keepalived.service" "/etc/keepalived/keepalived.conf" "/etc/keepalived/kubeha-auth.conf" "/etc/keepalived/check_apiserver.sh" "/etc/systemd/system/keepalived.service.d/kubeha.conf"
}

main
