#!/bin/bash
# Managed by kubeha: takes one snapshot of this host's etcd member, verifies it, keeps the newest
# KEEP and removes the older ones. Run by kubeha-etcd-snapshot.service (on its timer's schedule) and by
# `npm run backup`, which copies the snapshot whose path the last line prints ("snapshot: PATH").
# A snapshot is published (renamed to etcd-NAME-TIME.db, with its .sha256 beside it) only once
# `etcdutl snapshot status` has read it whole: a failed or cut-off save leaves no file that looks
# good. Logs go to the journal (journalctl -u kubeha-etcd-snapshot.service).
# Expects (rendered in): NAME, DIRECTORY, KEEP, ENDPOINT, CA, CERT, KEY, TIMEOUT.
# <the kubeha shell library: tests/golden/_shared/lib.sh>

NAME="master-0"
DIRECTORY="/var/backups/kubeha/etcd"
KEEP=24
ENDPOINT="https://127.0.0.1:2379"
CA="/etc/etcd/pki/ca.crt"
CERT="/etc/etcd/pki/client.crt"
KEY="/etc/etcd/pki/client.key"
TIMEOUT=300
ETCDCTL="/usr/local/bin/etcdctl"
ETCDUTL="/usr/local/bin/etcdutl"

# Snapshots of this member, oldest first (the UTC time in their names sorts them).
snapshots() {
  find "$DIRECTORY" -maxdepth 1 -type f -name "etcd-$NAME-*.db" -printf '%f\n' | sort
}

# The newest KEEP stay; the others go, with their checksums.
prune() {
  local all count file
  mapfile -t all < <(snapshots)
  count=${#all[@]}
  for file in "${all[@]:0:$((count > KEEP ? count - KEEP : 0))}"; do
    rm -f "$DIRECTORY/$file" "$DIRECTORY/$file.sha256"
    info "removed $DIRECTORY/$file (keeping the newest $KEEP)"
  done
}

# Field $2 of `etcdutl snapshot status -w json`'s one-line object $1.
status_field() {
  [[ $1 =~ \"$2\":([0-9]+) ]] || return 1
  echo "${BASH_REMATCH[1]}"
}

main() {
  local stamp file partial status revision keys bytes sum started=$SECONDS
  install -d -m 0700 "$DIRECTORY"
  # A save cut off earlier (timeout, reboot) leaves its partial file: never a snapshot.
  find "$DIRECTORY" -maxdepth 1 -name ".etcd-$NAME-*.partial*" -delete
  # Names are unique to the second: a second run within it (the timer and a backup) waits for the next.
  while stamp=$(date -u +%Y%m%dT%H%M%SZ) && [ -e "$DIRECTORY/etcd-$NAME-$stamp.db" ]; do sleep 0.2; done
  file="$DIRECTORY/etcd-$NAME-$stamp.db"
  partial="$DIRECTORY/.etcd-$NAME-$stamp.partial"
  ETCDCTL_API=3 timeout "$TIMEOUT" "$ETCDCTL" --endpoints="$ENDPOINT" --cacert="$CA" --cert="$CERT" --key="$KEY" \
    --dial-timeout=5s --command-timeout="${TIMEOUT}s" snapshot save "$partial" >/dev/null ||
    { rm -f "$partial" "$partial.part"; fatal "etcdctl snapshot save from $ENDPOINT failed"; }
  status=$("$ETCDUTL" snapshot status "$partial" -w json) || { rm -f "$partial"; fatal "etcdutl snapshot status refused $partial: not a usable snapshot"; }
  if ! { revision=$(status_field "$status" revision) && keys=$(status_field "$status" totalKey) && bytes=$(status_field "$status" totalSize); }; then
    rm -f "$partial"
    fatal "etcdutl snapshot status gave no revision, totalKey and totalSize: $status"
  fi
  chmod 0600 "$partial"
  sum=$(sha256sum <"$partial") || fatal "cannot read $partial"
  printf '%s  %s\n' "${sum%% *}" "${file##*/}" >"$file.sha256"
  mv -f "$partial" "$file"
  info "snapshot of member $NAME at revision $revision: $keys keys, $bytes bytes, in $((SECONDS - started)) s"
  prune
  echo "snapshot: $file"
}

main
