# shellcheck shell=bash
# Helpers for build.sh: logging, timing, per-part stamps, the Go environment and Go builds with
# periodic progress. Sourced, not run.

log() { printf '[artifacts] %s\n' "$*"; }
warn() { printf '[artifacts] WARNING: %s\n' "$*" >&2; }
die() {
  printf '[artifacts] ERROR: %s\n' "$*" >&2
  exit 1
}

# 125 -> "2m05s"
fmt_secs() {
  local s=$1
  if ((s >= 60)); then printf '%dm%02ds' $((s / 60)) $((s % 60)); else printf '%ds' "$s"; fi
}

sha256_of_files() { sha256sum "$@" | sha256sum | cut -c1-64; }
sha256_of_string() { printf '%s' "$1" | sha256sum | cut -c1-64; }

# Background processes (go build, the loopback registry) to stop when the script ends early.
BG_PIDS=()
stop_background() {
  local pid
  for pid in "${BG_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  BG_PIDS=()
}
forget_background() {
  local pid keep=()
  for pid in "${BG_PIDS[@]}"; do [[ $pid == "$1" ]] || keep+=("$pid"); done
  BG_PIDS=("${keep[@]}")
}
trap stop_background EXIT
trap 'stop_background; exit 130' INT
trap 'stop_background; exit 143' TERM

# Timings of the parts that did work in this run, printed at the end.
TIMINGS=()

# part NAME KEY FUNCTION [PRODUCT...]: runs FUNCTION unless the stamp of NAME in $WORK/stamps holds
# KEY and every PRODUCT exists. A stamp is written only after FUNCTION succeeded, so an interrupted
# part runs again.
part() {
  local name=$1 key=$2 fn=$3 stamp="$WORK/stamps/$1" t0 p current=yes
  shift 3
  [[ -f $stamp && $(<"$stamp") == "$key" ]] || current=no
  for p in "$@"; do [[ -e $p ]] || current=no; done
  if [[ $current == yes ]]; then
    log "$name: up to date"
    return 0
  fi
  rm -f "$stamp"
  t0=$SECONDS
  log "$name: building"
  "$fn"
  mkdir -p "$WORK/stamps"
  printf '%s\n' "$key" >"$stamp"
  TIMINGS+=("$name $(fmt_secs $((SECONDS - t0)))")
  log "$name: done in $(fmt_secs $((SECONDS - t0)))"
}

# The module version a wrapper go.mod requires: modversion go/k8s k8s.io/kubernetes
modversion() {
  local v
  v=$(awk -v m="$2" '$1 == m && $2 ~ /^v/ { print $2; exit } $1 == "require" && $2 == m { print $3; exit }' "$1/go.mod")
  [[ -n $v ]] || die "$1/go.mod does not require $2"
  printf '%s\n' "$v"
}

# Locate Go and set a fixed build environment (static linux/amd64, no toolchain switching,
# go.mod/go.sum of the wrapper modules used as committed).
setup_go() {
  GO=${GO:-}
  if [[ -z $GO ]]; then
    GO=$(command -v go || true)
    [[ -n $GO ]] || { [[ -x /usr/local/go/bin/go ]] && GO=/usr/local/go/bin/go; }
  fi
  [[ -n $GO && -x $GO ]] || die "Go not found (looked at \$GO, PATH and /usr/local/go/bin/go); install Go >= $GO_MIN"
  local ver
  ver=$("$GO" env GOVERSION 2>/dev/null) || die "$GO does not run"
  ver=${ver#go}
  if [[ $(printf '%s\n%s\n' "$GO_MIN" "${ver%%[-+ ]*}" | sort -V | head -n1) != "$GO_MIN" ]]; then
    die "Go $ver at $GO is too old: etcd $ETCD_VERSION needs Go >= $GO_MIN"
  fi
  # shellcheck disable=SC2034 # used by build.sh
  GO_VERSION=go$ver
  export GOTOOLCHAIN=local GOWORK=off CGO_ENABLED=0 GOOS=linux GOARCH=amd64
  export GOFLAGS="-mod=readonly -buildvcs=false"
  export GOCACHE=${KUBEHA_GOCACHE:-$ART_ROOT/go-build}
  # shellcheck disable=SC2034 # used by parts.sh
  GOMODCACHE=$("$GO" env GOMODCACHE)
  GOPROXY_SHOWN=$("$GO" env GOPROXY)
}

# Resolve (and download when missing from the module cache) what PKG... of the wrapper module DIR
# need; prints the number of packages. Fails clearly when the proxy cannot be reached.
go_deps() {
  local dir=$1 errf n
  shift
  errf="$WORK/logs/go-list-$(basename "$dir").err"
  mkdir -p "$WORK/logs"
  if ! n=$( (cd "$dir" && "$GO" list -deps "$@") 2>"$errf" | wc -l); then
    grep -v '^go: downloading' "$errf" | tail -n 15 >&2
    die "could not resolve/download the Go modules of $(basename "$dir") (GOPROXY=$GOPROXY_SHOWN). Is the Go module proxy reachable from this machine?"
  fi
  printf '%s\n' "$n"
}

# The commit a module version was tagged from, when the proxy knows it; else 40 zeros.
modcommit() {
  local h
  h=$("$GO" mod download -json "$1@$2" 2>/dev/null | sed -n 's/^[[:space:]]*"Hash": "\([0-9a-f]\{40\}\)".*/\1/p' | head -n1)
  printf '%s\n' "${h:-0000000000000000000000000000000000000000}"
}

# The time a module version was published (UTC, RFC 3339): used as build date, so builds repeat.
modtime() {
  local t
  t=$("$GO" mod download -json "$1@$2" 2>/dev/null | sed -n 's/^[[:space:]]*"Time": "\([^"]*\)".*/\1/p' | head -n1)
  printf '%s\n' "${t:-1970-01-01T00:00:00Z}"
}

# go_build LABEL MODDIR OUT LDFLAGS PKG...: go build with a progress line every $PROGRESS_EVERY
# seconds. OUT ending in / builds every PKG into that directory. Extra go build flags (e.g. -tags)
# may be given in GO_BUILD_FLAGS.
go_build() {
  local label=$1 dir=$2 out=$3 ldflags=$4 total logf pid t0 next n
  shift 4
  total=$(go_deps "$dir" "$@")
  logf="$WORK/logs/$label.log"
  mkdir -p "$WORK/logs" "$(dirname "$out")"
  t0=$SECONDS
  next=$((SECONDS + PROGRESS_EVERY))
  local extra=()
  read -r -a extra <<<"${GO_BUILD_FLAGS:-}"
  (cd "$dir" && exec "$GO" build -p "$JOBS" -v -trimpath "${extra[@]}" -ldflags "$ldflags" -o "$out" "$@") >"$logf" 2>&1 &
  pid=$!
  BG_PIDS+=("$pid")
  while kill -0 "$pid" 2>/dev/null; do
    sleep 2
    if ((SECONDS >= next)); then
      n=$(grep -c -v -e '^#' -e ': ' "$logf" || true)
      log "  $label: $n of at most $total packages compiled (cached ones are not counted), $(fmt_secs $((SECONDS - t0)))"
      next=$((SECONDS + PROGRESS_EVERY))
    fi
  done
  local rc=0
  wait "$pid" || rc=$?
  forget_background "$pid"
  if ((rc != 0)); then
    tail -n 30 "$logf" >&2
    die "go build of $label failed (full log: $logf)"
  fi
}

# Version ldflags of the Kubernetes binaries (hack/lib/version.sh sets the same variables).
k8s_ldflags() {
  local v=$1 commit=$2 date=$3 major minor flags="-s -w" p
  major=${v#v}
  major=${major%%.*}
  minor=${v#v*.}
  minor=${minor%%.*}
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags+=" -X $p.gitVersion=$v -X $p.gitMajor=$major -X $p.gitMinor=$minor"
    flags+=" -X $p.gitCommit=$commit -X $p.gitTreeState=clean -X $p.buildDate=$date"
  done
  printf '%s\n' "$flags"
}

# Deterministic layer tarball of a directory (root-owned, fixed mtime, xattrs kept for file
# capabilities).
mklayer() {
  local src=$1 out=$2
  tar --create --file "$out" --directory "$src" --format=pax --sort=name --numeric-owner --owner=0 --group=0 \
    --mtime=@0 --xattrs --xattrs-include='security.capability' --pax-option=delete=atime,delete=ctime .
}
