# identical to tests/golden/seed001-external-etcd-dedicated-lb/step-cp-kubeadm-join.sh
