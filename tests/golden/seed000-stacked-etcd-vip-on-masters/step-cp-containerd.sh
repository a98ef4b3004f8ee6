#!/bin/bash
# kubeha inputs: containerdConf=<hash>
# Managed by kubeha: (re)starts containerd after its configuration changed, and links the
# distribution's CNI plugins where the CRI looks for them.
# Expects: /etc/containerd/config.toml written by kubeha.
set -eu

info() { echo "[kubeha] $*"; }

link_cni_plugins() {
  install -d -m 0755 /opt/cni/bin
  [ -d /usr/lib/cni ] || return 0
  for plugin in /usr/lib/cni/*; do
    [ -e "/opt/cni/bin/$(basename "$plugin")" ] || ln -s "$plugin" "/opt/cni/bin/$(basename "$plugin")"
  done
}

main() {
  link_cni_plugins
  systemctl enable containerd.service
  systemctl restart containerd.service
  info "containerd (re)started"
}

main
