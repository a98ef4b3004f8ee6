#!/bin/bash
# kubeha inputs: containerdConf=<hash>
# Managed by kubeha: (re)starts containerd after its configuration changed, and links the
# distribution's CNI plugins where the CRI looks for them. A containerd started after its
# configuration was last written runs on it already: then nothing is restarted.
# <the kubeha shell library: tests/golden/_shared/lib.sh>

CONFIG="/etc/containerd/config.toml"
UNIT="containerd.service"

link_cni_plugins() {
  local plugin
  install -d -m 0755 /opt/cni/bin
  [ -d /usr/lib/cni ] || return 0
  for plugin in /usr/lib/cni/*; do
    [ -e "/opt/cni/bin/$(basename "$plugin")" ] || ln -s "$plugin" "/opt/cni/bin/$(basename "$plugin")"
  done
}

main() {
  link_cni_plugins
  systemctl enable "$UNIT"
  if running_since_changed "$UNIT" "$CONFIG"; then
    info "containerd runs on its current configuration, nothing changed"
    return
  fi
  systemctl restart "$UNIT"
  info "containerd (re)started"
}

main
