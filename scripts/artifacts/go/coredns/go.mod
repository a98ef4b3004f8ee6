// Wrapper module (see ../../README.md).
module kubeha.local/artifacts/coredns

go 1.21

require (
	github.com/coredns/coredns v1.11.3
)
