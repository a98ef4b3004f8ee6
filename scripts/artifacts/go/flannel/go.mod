// Wrapper module (see ../../README.md).
module kubeha.local/artifacts/flannel

go 1.23.6

require (
	github.com/flannel-io/flannel v0.26.7
)
