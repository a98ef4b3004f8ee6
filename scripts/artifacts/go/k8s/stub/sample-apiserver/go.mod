// Stub: k8s.io/kubernetes requires this module for tests only; no v0.32.x is on the proxy.
module k8s.io/sample-apiserver

go 1.23.0
