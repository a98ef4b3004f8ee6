#!/bin/bash
# Managed by kubeha: nothing to do when created. Every other step of this host waits for this one,
# so it is deleted last: when the host leaves kubeha:hosts, or `pulumi destroy` runs with
# kubeha:allowDestroy, its delete command removes kubeha's files here (keys and passwords too).
# <the kubeha shell library: tests/golden/_shared/lib.sh>

info "kubeha's files on this host are removed when it leaves the cluster"
