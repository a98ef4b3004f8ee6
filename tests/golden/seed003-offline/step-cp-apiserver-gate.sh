# identical to tests/golden/seed000-stacked-etcd-vip-on-masters/step-cp-apiserver-gate.sh
