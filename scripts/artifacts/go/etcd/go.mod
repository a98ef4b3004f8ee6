// Wrapper module (see ../../README.md).
module kubeha.local/artifacts/etcd

go 1.26.0

require (
	go.etcd.io/etcd/server/v3 v3.5.35
	go.etcd.io/etcd/etcdctl/v3 v3.5.35
	go.etcd.io/etcd/etcdutl/v3 v3.5.35
)
