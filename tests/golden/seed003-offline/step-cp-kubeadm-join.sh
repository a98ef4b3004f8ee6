# identical to tests/golden/seed003-external-etcd-on-masters/step-cp-kubeadm-join.sh
