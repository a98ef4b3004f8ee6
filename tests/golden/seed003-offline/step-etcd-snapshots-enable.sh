# identical to tests/golden/seed000-stacked-etcd-vip-on-masters/step-etcd-snapshots-enable.sh
