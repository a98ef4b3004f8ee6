#!/bin/bash
# kubeha inputs: conf=<hash>
# Managed by kubeha: validates and (re)loads nginx after its configuration changed (a reload lets
# open connections finish). An nginx started after its configuration was last written runs on it
# already: left alone.
# <the kubeha shell library: tests/golden/_shared/lib.sh>

main() {
  nginx -t -q
  systemctl enable "nginx.service"
  reload_or_start "nginx.service" "/etc/nginx/nginx.conf"
}

main
