# identical to tests/golden/seed003-external-etcd-on-masters/step-pool-general-kubeadm-join.sh
