#!/bin/bash
# kubeha inputs: program=<hash> unit=<hash>
# Managed by kubeha: enables this master's kube-apiserver boot gate (kubeha-apiserver-gate.service, its
# unit and program put here beside this step), so that whenever this host boots, its apiserver
# joins the load balancers' rotation only once ready. Not started now: the running apiserver is in
# rotation already. Re-runs when the unit or the program changed (systemd rereads the unit).
# <the kubeha shell library: tests/golden/_shared/lib.sh>

systemctl daemon-reload
if systemctl is-enabled --quiet kubeha-apiserver-gate.service; then
  info "kubeha-apiserver-gate.service enabled already"
else
  systemctl enable --quiet kubeha-apiserver-gate.service
  info "kubeha-apiserver-gate.service enabled: from the next boot on, this apiserver waits out of rotation until ready"
fi
