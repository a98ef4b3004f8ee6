# identical to tests/golden/seed003-external-etcd-on-masters/etc-keepalived-check_apiserver.sh
