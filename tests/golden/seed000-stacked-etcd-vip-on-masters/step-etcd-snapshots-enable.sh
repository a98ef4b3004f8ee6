#!/bin/bash
# kubeha inputs: program=<hash> service=<hash> timer=<hash>
# Managed by kubeha: starts this member's scheduled snapshots (kubeha-etcd-snapshot.timer; its
# units and program put here beside this step). Re-runs when they change: systemd rereads the
# units and the timer restarts on the new schedule. Takes no snapshot itself.
# Expects (rendered in): SCHEDULE (checked here by systemd too: kubeha accepts a subset).
# <the kubeha shell library: tests/golden/_shared/lib.sh>

SCHEDULE="hourly"

systemd-analyze calendar "$SCHEDULE" >/dev/null 2>&1 ||
  fatal "systemd refuses the calendar expression \"$SCHEDULE\" of kubeha:etcdSnapshots.schedule (see systemd.time(7))"
systemctl daemon-reload
systemctl enable --quiet kubeha-etcd-snapshot.timer
systemctl restart kubeha-etcd-snapshot.timer
info "kubeha-etcd-snapshot.timer active: $(systemctl show -p NextElapseUSecRealtime --value kubeha-etcd-snapshot.timer | sed 's/^$/(next run not known yet)/') next"
