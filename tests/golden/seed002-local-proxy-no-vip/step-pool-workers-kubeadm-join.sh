# identical to tests/golden/seed002-local-proxy-no-vip/step-cp-kubeadm-join.sh
