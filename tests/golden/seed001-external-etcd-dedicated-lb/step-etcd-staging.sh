#!/bin/bash
# Managed by kubeha: makes the directory /var/lib/kubeha/etcd (mode 0755) that a later copy step writes into.
set -eu
install -d -m 0755 "/var/lib/kubeha/etcd"
