#!/bin/bash
# Managed by kubeha: makes the directory /var/lib/kubeha/etcd-tools (mode 0755) that a later copy step writes into.
# <the kubeha shell library: tests/golden/_shared/lib.sh>

install -d -m 0755 "/var/lib/kubeha/etcd-tools"
