#!/bin/bash
# Managed by kubeha: keeps the etcd endpoints of kubeadm's cluster configuration (ConfigMap
# kube-system/kubeadm-config) equal to the configured external etcd members. Masters that join
# later, and `kubeadm upgrade`, take their apiserver's --etcd-servers from there. Runs on the
# first master after init and before the other masters join, when the members change.
# kubeadm itself uploads the cluster configuration of kubeha's init configuration (whose etcd
# endpoints are the configured members): no YAML is edited here.
# Expects (rendered in): ENDPOINTS (space-separated), TIMEOUT.
# <the kubeha shell library: tests/golden/_shared/lib.sh>

ENDPOINTS="https://192.168.109.134:2379 https://192.168.109.135:2379 https://192.168.109.136:2379"
TIMEOUT=120
KUBECTL=(kubectl --kubeconfig="/etc/kubernetes/admin.conf" --request-timeout=10s -n kube-system)

api_answers() {
  "${KUBECTL[@]}" get configmap kubeadm-config >/dev/null 2>&1
}

main() {
  wait_until "$TIMEOUT" "kube-system/kubeadm-config readable" api_answers
  kubeadm init phase upload-config kubeadm --config "/etc/kubeha/kubeadm-init.yaml" --kubeconfig "/etc/kubernetes/admin.conf" >/dev/null ||
    fatal "kubeadm could not upload the cluster configuration to kube-system/kubeadm-config"
  info "kubeadm-config lists the etcd members $ENDPOINTS"
}

main
