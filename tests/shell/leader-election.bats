#!/usr/bin/env bats
# templates/controlPlane/kubeadm/leader-election.sh on a master: kube-controller-manager's and
# kube-scheduler's leader-election timings kept as configured in their static pod manifests (the
# kubelet restarts a component whose manifest changed), each waited for until it runs with them and
# answers healthy. leader-election.sh is rendered with the fast profile (6s/4s/1s),
# leader-election-default.sh with Kubernetes' defaults (no flags).

load helpers

MANIFESTS=$ROOT/etc/kubernetes/manifests
FAST=(--leader-elect-lease-duration=6s --leader-elect-renew-deadline=4s --leader-elect-retry-period=1s)

setup() {
  common_setup
  install -m 0755 "$BATS_TEST_DIRNAME/stubs/pgrep" "$STUB/bin/pgrep"
  mkdir -p "$MANIFESTS"
  for name in kube-controller-manager kube-scheduler; do
    printf 'spec:\n  containers:\n  - command:\n    - %s\n    - --kubeconfig=/etc/kubernetes/%s.conf\n    - --leader-elect=true\n    - --allocate-node-cidrs=true\n    image: x\n' "$name" "$name" >"$MANIFESTS/$name.yaml"
    chmod 0600 "$MANIFESTS/$name.yaml"
  done
  printf '%s\n' https://127.0.0.1:10257 https://127.0.0.1:10259 >"$STUB/ready"
}

teardown() {
  local f
  for f in "$STUB"/*-pids; do [ -s "$f" ] && kill $(cat "$f") 2>/dev/null || true; done
}

# running NAME FLAG...: a stand-in NAME process whose command line carries these flags.
running() {
  local name=$1
  shift
  printf '#!/bin/bash\ntrap '"'"'kill $!; exit 0'"'"' TERM\nsleep 600 &\nwait\n' >"$BATS_TEST_TMPDIR/fake"
  # 3>&-: bats reads its TAP output from fd 3 until every holder closes it; a stand-in left running
  # (its kill raced its start) would keep bats, and the jest test around it, waiting.
  bash "$BATS_TEST_TMPDIR/fake" "$@" </dev/null >/dev/null 2>&1 3>&- &
  echo $! >>"$STUB/$name-pids"
}

# with_fast_flags FILE: the fast profile's flags where kubeadm writes them (after its own defaults).
with_fast_flags() {
  sed -i 's|^    image: x$|    - --leader-elect-lease-duration=6s\n    - --leader-elect-renew-deadline=4s\n    - --leader-elect-retry-period=1s\n    image: x|' "$1"
}

@test "Kubernetes' defaults to the fast profile: both manifests get the three flags, the rest unchanged, and both components are waited for" {
  running kube-controller-manager "${FAST[@]}"
  running kube-scheduler "${FAST[@]}"
  run bash "$SCRIPTS/leader-election.sh"
  [ "$status" -eq 0 ]
  for name in kube-controller-manager kube-scheduler; do
    [ "$(sed -n '5,9p' "$MANIFESTS/$name.yaml")" = "$(printf '%s\n' "    - --kubeconfig=/etc/kubernetes/$name.conf" "    - --leader-elect=true" "    - ${FAST[0]}" "    - ${FAST[1]}" "    - ${FAST[2]}")" ]
    grep -qx -- "    - --allocate-node-cidrs=true" "$MANIFESTS/$name.yaml"
    [ "$(stat -c %a "$MANIFESTS/$name.yaml")" = 600 ]
    output_has "$name's leader-election timings set to ${FAST[*]}: the kubelet restarts it"
    output_has "$name runs with ${FAST[*]} and is healthy"
  done
  called curl ".* https://127.0.0.1:10257/healthz$"
  called curl ".* https://127.0.0.1:10259/healthz$"
  # No temporary copy is left, in the manifests directory (the kubelet would run it) or beside it.
  [ "$(ls "$MANIFESTS")" = "$(printf '%s\n' kube-controller-manager.yaml kube-scheduler.yaml)" ]
  [ -z "$(find "$ROOT/etc/kubernetes" -maxdepth 1 -name '*.yaml.*')" ]
}

@test "flags already as configured, wherever kubeadm put them: the manifests stay byte for byte" {
  for name in kube-controller-manager kube-scheduler; do with_fast_flags "$MANIFESTS/$name.yaml"; done
  before=$(cat "$MANIFESTS"/*.yaml | sha256sum)
  running kube-controller-manager "${FAST[@]}"
  running kube-scheduler "${FAST[@]}"
  run bash "$SCRIPTS/leader-election.sh"
  [ "$status" -eq 0 ]
  [ "$(cat "$MANIFESTS"/*.yaml | sha256sum)" = "$before" ]
  output_has "kube-controller-manager has the configured leader-election timings already"
  output_has "kube-scheduler has the configured leader-election timings already"
}

@test "the fast profile back to Kubernetes' defaults: the flags go" {
  for name in kube-controller-manager kube-scheduler; do with_fast_flags "$MANIFESTS/$name.yaml"; done
  running kube-controller-manager
  running kube-scheduler
  run bash "$SCRIPTS/leader-election-default.sh"
  [ "$status" -eq 0 ]
  run ! grep -q -- "--leader-elect-" "$MANIFESTS/kube-controller-manager.yaml" "$MANIFESTS/kube-scheduler.yaml"
  grep -qx -- "    - --leader-elect=true" "$MANIFESTS/kube-scheduler.yaml"
}

@test "a component still running with the old timings fails the step, naming it" {
  running kube-controller-manager "${FAST[@]}"
  running kube-scheduler
  run bash "$SCRIPTS/leader-election.sh"
  [ "$status" -ne 0 ]
  output_has "kube-scheduler running with the configured leader-election timings and healthy: not within 2s"
}

@test "two processes (the old one still exiting): not ready until one is left" {
  running kube-controller-manager "${FAST[@]}"
  running kube-controller-manager
  running kube-scheduler "${FAST[@]}"
  run bash "$SCRIPTS/leader-election.sh"
  [ "$status" -ne 0 ]
  output_has "kube-controller-manager running with the configured leader-election timings and healthy: not within 2s"
}

@test "a component that does not answer healthy fails the step" {
  running kube-controller-manager "${FAST[@]}"
  running kube-scheduler "${FAST[@]}"
  echo https://127.0.0.1:10257 >"$STUB/ready"
  run bash "$SCRIPTS/leader-election.sh"
  [ "$status" -ne 0 ]
  output_has "kube-scheduler running with the configured leader-election timings and healthy: not within 2s"
}

@test "a manifest without --leader-elect=true, or none at all: fails, nothing rewritten" {
  sed -i '/--leader-elect=true/d' "$MANIFESTS/kube-controller-manager.yaml"
  before=$(sha256sum <"$MANIFESTS/kube-controller-manager.yaml")
  run bash "$SCRIPTS/leader-election.sh"
  [ "$status" -ne 0 ]
  output_has "runs kube-controller-manager without --leader-elect=true: left as it is"
  [ "$(sha256sum <"$MANIFESTS/kube-controller-manager.yaml")" = "$before" ]
  rm "$MANIFESTS/kube-controller-manager.yaml"
  run bash "$SCRIPTS/leader-election.sh"
  [ "$status" -ne 0 ]
  output_has "kube-controller-manager.yaml is missing: has this master joined?"
}
