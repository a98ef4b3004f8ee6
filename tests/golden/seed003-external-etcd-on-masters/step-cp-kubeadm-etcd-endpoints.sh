#!/bin/bash
# Managed by kubeha: keeps the etcd endpoints of kubeadm's cluster configuration (ConfigMap
# kube-system/kubeadm-config) equal to the configured external etcd members. Masters that join
# later, and `kubeadm upgrade`, take their apiserver's --etcd-servers from there. Runs on the
# first master after init and before the other masters join, when the members change; only the
# endpoint list of etcd.external is rewritten, the rest of the configuration is kept as it is.
# Expects (rendered in): ENDPOINTS (space-separated), TIMEOUT.
set -eu

ENDPOINTS="https://10.10.40.90:2379 https://10.10.40.91:2379 https://10.10.40.92:2379"
TIMEOUT=120
KUBECTL="kubectl --kubeconfig=/etc/kubernetes/admin.conf --request-timeout=10s -n kube-system"

info() { echo "[kubeha] $*"; }
fatal() { echo "[kubeha] ERROR: $*" >&2; exit 1; }

# The cluster configuration with the list under etcd.external.endpoints replaced (kubeadm writes
# it with sorted keys; list items may or may not be indented below their key).
with_endpoints() {
  awk -v endpoints="$ENDPOINTS" '
    function indent(line) { match(line, /^ */); return RLENGTH }
    skipping && /^ *- / && indent($0) >= listIndent { next }
    { skipping = 0 }
    /^etcd:/ { inEtcd = 1; print; next }
    inEtcd && /^[^ ]/ { inEtcd = 0 }
    inEtcd && /^  external:/ { inExternal = 1; print; next }
    inExternal && indent($0) <= 2 { inExternal = 0 }
    inExternal && /^    endpoints:/ {
      print "    endpoints:"
      n = split(endpoints, list, " ")
      for (i = 1; i <= n; i++) print "    - " list[i]
      skipping = 1; listIndent = 4; replaced = 1; next
    }
    { print }
    END { if (!replaced) exit 3 }'
}

# A JSON string of stdin.
json_string() {
  awk 'BEGIN { ORS = ""; print "\"" } { gsub(/\\/, "\\\\\\\\"); gsub(/"/, "\\\""); gsub(/\t/, "\\t"); print $0 "\\n" } END { print "\"" }'
}

main() {
  deadline=$(($(date +%s) + TIMEOUT))
  until current=$($KUBECTL get configmap kubeadm-config -o jsonpath='{.data.ClusterConfiguration}' 2>/dev/null) && [ -n "$current" ]; do
    [ "$(date +%s)" -lt "$deadline" ] || fatal "could not read kube-system/kubeadm-config within ${TIMEOUT}s"
    sleep 2
  done
  rc=0
  wanted=$(printf '%s\n' "$current" | with_endpoints) || rc=$?
  [ "$rc" -eq 0 ] || fatal "kube-system/kubeadm-config has no etcd.external.endpoints list: is this cluster on external etcd?"
  if [ "$wanted" = "$current" ]; then
    info "kubeadm-config lists the etcd members already: $ENDPOINTS"
    return
  fi
  patch="{\"data\":{\"ClusterConfiguration\":$(printf '%s\n' "$wanted" | json_string)}}"
  $KUBECTL patch configmap kubeadm-config --type merge -p "$patch" >/dev/null
  info "kubeadm-config now lists the etcd members $ENDPOINTS"
}

main
