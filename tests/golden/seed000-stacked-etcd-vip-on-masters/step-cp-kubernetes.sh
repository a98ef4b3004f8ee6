#!/bin/bash
# Managed by kubeha: installs kubeadm, kubelet and kubectl 1.32.13 from pkgs.k8s.io and holds them.
# Expects (rendered in): VERSION, MINOR.
# <the kubeha shell library: tests/golden/_shared/lib.sh>

VERSION="1.32.13"
MINOR="1.32"
KEYRING=/etc/apt/keyrings/kubernetes-apt-keyring.gpg

installed_version() {
  kubeadm version -o short 2>/dev/null || echo none
}

add_repository() {
  install -d -m 0755 /etc/apt/keyrings
  curl -fsSL --max-time 60 "https://pkgs.k8s.io/core:/stable:/v$MINOR/deb/Release.key" | gpg --dearmor --yes -o "$KEYRING"
  echo "deb [signed-by=$KEYRING] https://pkgs.k8s.io/core:/stable:/v$MINOR/deb/ /" > /etc/apt/sources.list.d/kubernetes.list
}

install_packages() {
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-mark unhold kubelet kubeadm kubectl >/dev/null 2>&1 || true
  apt-get install -y -q --allow-downgrades "kubelet=$VERSION-*" "kubeadm=$VERSION-*" "kubectl=$VERSION-*"
  apt-mark hold kubelet kubeadm kubectl
}

main() {
  if [ "$(installed_version)" = "v$VERSION" ]; then
    info "kubeadm v$VERSION present, nothing changed"
    return
  fi
  add_repository
  install_packages
  systemctl enable kubelet.service
  info "kubeadm, kubelet and kubectl v$VERSION installed"
}

main
