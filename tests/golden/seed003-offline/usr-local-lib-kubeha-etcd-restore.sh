# identical to tests/golden/seed003-external-etcd-on-masters/usr-local-lib-kubeha-etcd-restore.sh
