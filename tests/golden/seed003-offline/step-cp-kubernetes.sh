#!/bin/bash
# kubeha inputs: artifacts=<hash> dropIn=<hash> unit=<hash>
# Managed by kubeha: installs the uploaded Kubernetes binaries and imports the uploaded container
# images into containerd, so that nothing is pulled.
# Expects (rendered in): TOOLS and IMAGES (what this node takes: workers skip kubectl and the
# control plane's images); the artifacts uploaded into STAGING and the kubelet units, by kubeha.
# <the kubeha shell library: tests/golden/_shared/lib.sh>

STAGING="/var/lib/kubeha/artifacts"
TOOLS="kubeadm kubelet kubectl"
IMAGES="coredns.tar flannel.tar kube-apiserver.tar kube-controller-manager.tar kube-proxy.tar kube-scheduler.tar pause.tar"
IMPORTED="$STAGING/images/.imported"

# Binaries that differ from the installed ones (install replaces a running kubelet's file safely).
install_binaries() {
  local tool
  for tool in $TOOLS; do
    [ -f "$STAGING/bin/$tool" ] || fatal "artifact bin/$tool is missing in $STAGING"
    cmp -s "$STAGING/bin/$tool" "/usr/local/bin/$tool" && continue
    install -m 0755 "$STAGING/bin/$tool" "/usr/local/bin/$tool"
    info "installed $tool"
  done
}

# Archives not imported since they last changed: IMPORTED holds each one's size and mtime at its
# last import, so a step that only re-runs imports nothing (an import costs seconds of CPU).
import_images() {
  local image stamp
  mkdir -p "$IMPORTED"
  for image in $IMAGES; do
    [ -f "$STAGING/images/$image" ] || fatal "artifact images/$image is missing in $STAGING"
    stamp=$(stat -c '%s %Y' "$STAGING/images/$image")
    if [ "$(cat "$IMPORTED/$image" 2>/dev/null)" = "$stamp" ]; then continue; fi
    ctr --namespace k8s.io images import --no-unpack "$STAGING/images/$image" >/dev/null
    echo "$stamp" >"$IMPORTED/$image"
    info "imported $image"
  done
}

# Earlier kubeha copied the whole artifact directory into STAGING/<its name>: drop such copies.
remove_old_layout() {
  find "$STAGING" -mindepth 1 -maxdepth 1 -type d ! -name bin ! -name images -exec rm -rf {} +
}

main() {
  remove_old_layout
  install_binaries
  import_images
  systemctl daemon-reload
  systemctl enable kubelet.service
  info "Kubernetes binaries and images installed from $STAGING"
}

main
