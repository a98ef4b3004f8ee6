#!/usr/bin/env bats
# templates/controlPlane/kubeadm/apiserver-gate.sh, the boot gate of a master's kube-apiserver: its
# unit drains the apiserver before the kubelet starts, waits until it answers ready on loopback,
# and undrains whatever ended it. Its rules are its own: a step's drain stays where it is.

load helpers

GATE_INPUT="INPUT -p tcp --dport 6443 ! -i lo -m conntrack --ctstate NEW -m comment --comment kubeha-gate-apiserver -j REJECT --reject-with tcp-reset"
GATE_OUTPUT="OUTPUT -p tcp -d 10.0.0.1 --dport 6443 -m owner --uid-owner www-data -m conntrack --ctstate NEW -m comment --comment kubeha-gate-apiserver -j REJECT --reject-with tcp-reset"
STEP_INPUT="INPUT -p tcp --dport 6443 ! -i lo -m conntrack --ctstate NEW -m comment --comment kubeha-drain-apiserver -j REJECT --reject-with tcp-reset"

setup() {
  common_setup
  install -m 0755 "$BATS_TEST_DIRNAME/stubs/iptables" "$STUB/bin/iptables"
  mkdir -p "$ROOT/etc/kubernetes/manifests"
  echo "kind: Pod" >"$ROOT/etc/kubernetes/manifests/kube-apiserver.yaml"
}

@test "at boot the apiserver is drained with the gate's own two rules, once however often it runs" {
  run bash "$SCRIPTS/apiserver-gate.sh" drain
  [ "$status" -eq 0 ]
  run bash "$SCRIPTS/apiserver-gate.sh" drain
  [ "$status" -eq 0 ]
  [ "$(cat "$STUB/iptables-rules")" = "$(printf '%s\n%s' "$GATE_INPUT" "$GATE_OUTPUT")" ]
}

@test "wait returns once the apiserver answers ready on loopback; undrain then removes the gate's rules and leaves a step's drain" {
  printf '%s\n%s\n%s\n' "$STEP_INPUT" "$GATE_INPUT" "$GATE_OUTPUT" >"$STUB/iptables-rules"
  echo "https://127.0.0.1:6443" >"$STUB/ready"
  run bash "$SCRIPTS/apiserver-gate.sh" wait
  [ "$status" -eq 0 ]
  output_has "kube-apiserver ready: back in rotation"
  called curl ".*https://127.0.0.1:6443/readyz"
  run bash "$SCRIPTS/apiserver-gate.sh" undrain
  [ "$status" -eq 0 ]
  [ "$(cat "$STUB/iptables-rules")" = "$STEP_INPUT" ]
}

@test "an apiserver that is not ready within the bound fails the unit (its ExecStopPost still undrains)" {
  echo "https://127.0.0.1:6443" >"$STUB/not-ready"
  run bash "$SCRIPTS/apiserver-gate.sh" wait
  [ "$status" -ne 0 ]
  output_has "kube-apiserver ready on this master: not within 2s"
}

@test "a host kubeadm has not made a master yet (no apiserver manifest) is not gated" {
  rm "$ROOT/etc/kubernetes/manifests/kube-apiserver.yaml"
  run bash "$SCRIPTS/apiserver-gate.sh" drain
  [ "$status" -eq 0 ]
  output_has "not gated"
  run bash "$SCRIPTS/apiserver-gate.sh" wait
  [ "$status" -eq 0 ]
  not_called iptables
  not_called curl
}

@test "an unknown mode is refused" {
  run bash "$SCRIPTS/apiserver-gate.sh" start
  [ "$status" -ne 0 ]
  output_has "usage:"
}
