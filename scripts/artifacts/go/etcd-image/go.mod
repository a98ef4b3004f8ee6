// Wrapper module (see ../../README.md).
module kubeha.local/artifacts/etcd-image

go 1.24

require (
	go.etcd.io/etcd/server/v3 v3.5.24
)
