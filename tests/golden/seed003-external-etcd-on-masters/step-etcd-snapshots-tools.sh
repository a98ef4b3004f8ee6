# identical to tests/golden/seed001-external-etcd-dedicated-lb/step-etcd-snapshots-tools.sh
