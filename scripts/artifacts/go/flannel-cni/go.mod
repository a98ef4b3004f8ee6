// Wrapper module (see ../../README.md).
module kubeha.local/artifacts/flannel-cni

go 1.14

require (
	github.com/containernetworking/plugins v0.9.1
)
