// Wrapper module (see ../../README.md).
module kubeha.local/artifacts/crane

go 1.25.0

require (
	github.com/google/go-containerregistry v0.22.1
)
