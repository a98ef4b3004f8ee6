#!/bin/bash
# Managed by kubeha: keeps kube-controller-manager's and kube-scheduler's leader-election timings
# on this master as configured (kubeha:leaderElection). kubeadm writes the flags into their static
# pods once, at init or join, so a profile changed on a running cluster would otherwise never reach
# them. Rewrites the timing flags of a manifest only when they differ (the kubelet then restarts
# that component) and waits until it runs with them and is healthy, one component at a time; a
# chain of these steps does one master at a time, so the other masters hold or take the leases.
# A manifest whose timing flags are already the configured ones is left byte for byte as it is,
# wherever kubeadm put them.
# Expects (rendered in): FLAGS, the timing flags in kubeadm's order (none: Kubernetes' defaults),
# space-separated; TIMEOUT; the two components' secure ports.
# <the kubeha shell library: tests/golden/_shared/lib.sh>

FLAGS="--leader-elect-lease-duration=6s --leader-elect-renew-deadline=4s --leader-elect-retry-period=1s"
TIMEOUT=180
TIMING='--leader-elect-(lease-duration|renew-deadline|retry-period)='
# What the messages call FLAGS.
WANTED=$FLAGS
[ -n "$WANTED" ] || WANTED="Kubernetes' defaults"

# manifest_flags MANIFEST: its timing flags, sorted, space-separated (as FLAGS).
manifest_flags() {
  { grep -E -- "^ *- $TIMING" "$1" || true; } | sed 's/^ *- //' | sort | paste -sd ' ' -
}

# desired MANIFEST: the manifest with FLAGS as its only timing flags, after --leader-elect=true.
desired() {
  awk -v flags="$FLAGS" -v timing="^ *- $TIMING" '
    $0 ~ timing { next }
    { print }
    /^ *- --leader-elect=true$/ {
      indent = $0
      sub(/-.*/, "", indent)
      n = split(flags, f, " ")
      for (i = 1; i <= n; i++) print indent "- " f[i]
    }' "$1"
}

# pids NAME: the processes running NAME (by command line: kube-controller-manager is longer than
# the 15 characters of a process name).
pids() {
  pgrep -f -- "^([^ ]*/)?$1( |\$)" || true
}

# running_flags NAME: the timing flags of every running NAME process, a line each (the old one may
# still be exiting).
running_flags() {
  local pid
  for pid in $(pids "$1"); do
    tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | { grep -E -- "^$TIMING" || true; } | sort | paste -sd ' ' -
  done | sort -u
}

# component_ready NAME PORT: one NAME runs, with FLAGS, and answers healthy.
component_ready() {
  [ "$(pids "$1" | wc -l)" = 1 ] && [ "$(running_flags "$1")" = "$FLAGS" ] &&
    [ "$(curl --silent --insecure --max-time 3 "https://127.0.0.1:$2/healthz" 2>/dev/null)" = ok ]
}

# apply NAME MANIFEST PORT
apply() {
  local name=$1 manifest=$2 port=$3 tmp
  [ -f "$manifest" ] || fatal "$manifest is missing: has this master joined?"
  grep -q -x -- ' *- --leader-elect=true' "$manifest" || fatal "$manifest runs $name without --leader-elect=true: left as it is"
  if [ "$(manifest_flags "$manifest")" = "$FLAGS" ]; then
    info "$name has the configured leader-election timings already ($WANTED)"
  else
    tmp=$(mktemp "/etc/kubernetes/$name.yaml.XXXXXX")
    desired "$manifest" >"$tmp"
    chmod 0600 "$tmp"
    # Outside the manifests directory until complete: the kubelet reads every file there.
    mv "$tmp" "$manifest"
    info "$name's leader-election timings set to $WANTED: the kubelet restarts it"
  fi
  wait_until "$TIMEOUT" "$name running with the configured leader-election timings and healthy" component_ready "$name" "$port"
  info "$name runs with $WANTED and is healthy"
}

main() {
  apply kube-controller-manager "/etc/kubernetes/manifests/kube-controller-manager.yaml" "10257"
  apply kube-scheduler "/etc/kubernetes/manifests/kube-scheduler.yaml" "10259"
}

main
