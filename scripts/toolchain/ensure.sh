#!/usr/bin/env bash
# Provides what `pulumi` needs to run this project, in a versioned cache outside the repo:
#   - Node.js >= 22 (the npm package node-<os>-<arch>, when the system's node is older),
#   - the Pulumi CLI and its Node.js language host, built from the Go module proxy,
#   - one resource plugin per provider package in package.json, built from the Go module proxy
#     (or reused from an existing Pulumi installation) and registered in the cache's PULUMI_HOME;
#     the command plugin is built from kubeha's own provider, provider/command/ in this repo.
# A provider plugin that cannot be provided is an error (exit 3): nothing can be previewed or
# deployed without it.
# A `pulumi` already on PATH at the pinned @pulumi/pulumi version or newer (v3) is used instead of
# building one. Idempotent: a warm run only checks stamp files. See README.md beside this file.
#
# Usage: ensure.sh [--quiet] [--print-env]
#   --quiet      say nothing when everything is in place (builds and problems are still reported)
#   --print-env  never build; print the export lines that env.sh evaluates (exit 2 when not built)
# Environment:
#   KUBEHA_CACHE               cache root (default ~/.cache/kubeha); the toolchain is in ./toolchain
#   KUBEHA_TOOLCHAIN_STRICT=0  only warn when a provider plugin cannot be provided (default: exit 3),
#                              e.g. to run pulumi commands that need no plugin (stack export/import)
#   KUBEHA_USE_SYSTEM_PULUMI=0 never use a `pulumi` found on PATH
# All messages go to stderr; stdout carries only --print-env's output.
set -euo pipefail

NODE_PKG_VERSION=22.23.3 # npm package node-<os>-<arch> installed when the system's node is < 22
NODE_MIN_MAJOR=22
RECIPE_REV=1 # bump when the build steps below change, to rebuild everything once

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
recipes=$here/go
cache=${KUBEHA_CACHE:-$HOME/.cache/kubeha}/toolchain

quiet=0
print_env=0
for arg in "$@"; do
  case $arg in
    --quiet) quiet=1 ;;
    --print-env) print_env=1 ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "ensure.sh: unknown argument: $arg" >&2
      exit 64
      ;;
  esac
done

t0=$(date +%s%N)
say() { if ((!quiet && !print_env)); then printf '%s\n' "$*" >&2; fi; }
loud() { if ((!print_env)); then printf '%s\n' "$*" >&2; fi; }
warn() { printf 'toolchain: warning: %s\n' "$*" >&2; }
die() {
  printf 'toolchain: error: %s\n' "$*" >&2
  exit 1
}
not_built() {
  printf 'toolchain: %s; run "npm run toolchain" (scripts/toolchain/ensure.sh) first\n' "$*" >&2
  exit 2
}
elapsed() { echo $((($(date +%s%N) - $1) / 1000000000)); }

# ---------------------------------------------------------------------------------------------
# What the project pins: @pulumi/pulumi's version and every provider package's plugin version.
command -v node >/dev/null 2>&1 || die "node is not on PATH (any version: it is used to read package.json and to install Node.js $NODE_MIN_MAJOR)"
[[ -f $repo/node_modules/@pulumi/pulumi/package.json ]] ||
  die "node_modules/@pulumi/pulumi is missing: run \`npm ci\` in $repo first"

# Prints: "sdk VERSION", "node MAJOR", then "plugin NAME VERSION NPM-PACKAGE" per provider package.
pins=$(
  cd "$repo" && node -e '
    const fs = require("fs"), path = require("path");
    const pkg = JSON.parse(fs.readFileSync("package.json", "utf8"));
    const read = (d) => JSON.parse(fs.readFileSync(path.join("node_modules", d, "package.json"), "utf8"));
    console.log("sdk " + read("@pulumi/pulumi").version);
    console.log("node " + process.versions.node.split(".")[0]);
    const deps = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).sort();
    for (const d of deps) {
      let p;
      try { p = read(d); } catch { continue; }
      const pl = p.pulumi;
      if (pl && pl.resource === true) {
        console.log(["plugin", pl.name || d.replace(/^@pulumi\//, ""), (pl.version || p.version).replace(/^v/, ""), d].join(" "));
      }
    }'
)
sdk_version=$(awk '$1 == "sdk" { print $2 }' <<<"$pins")
sys_node_major=$(awk '$1 == "node" { print $2 }' <<<"$pins")

case $(uname -s) in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  *) os=unsupported ;;
esac
case $(uname -m) in
  x86_64 | amd64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) arch=unsupported ;;
esac

# version_ge A B: A >= B (semver-ish, leading v ignored).
version_ge() {
  local a=${1#v} b=${2#v}
  [[ $(printf '%s\n%s\n' "$a" "$b" | sort -V | head -n1) == "$b" ]]
}

# hash_inputs DIR: the Go module files and recipe.env of DIR, each under its relative name.
hash_inputs() {
  (cd "$1" && find . -type f \( -name go.mod -o -name go.sum -o -name '*.go' -o -name recipe.env \)) |
    LC_ALL=C sort | while read -r f; do
    echo "== ${f#./}"
    cat "$1/$f"
  done
}

# recipe_source_dir DIR: the recipe's SOURCE_DIR (a Go module of this repo it builds), or nothing.
recipe_source_dir() {
  (
    SOURCE_DIR=''
    # shellcheck source=/dev/null
    source "$1/recipe.env"
    echo "$SOURCE_DIR"
  )
}

# recipe_hash DIR: identifies a recipe's inputs (wrapper module + recipe.env + build steps, and
# the module in the repo that a recipe with SOURCE_DIR builds, e.g. provider/command).
recipe_hash() {
  local src
  src=$(recipe_source_dir "$1")
  {
    echo "rev=$RECIPE_REV os=$os arch=$arch"
    hash_inputs "$1"
    if [[ -n $src ]]; then
      [[ -d $repo/$src ]] || die "$1/recipe.env: SOURCE_DIR=$src is not a directory of $repo"
      echo "== source $src"
      hash_inputs "$repo/$src"
    fi
  } | sha256sum | cut -c1-12
}

# load_recipe DIR: sets the recipe variables (see go/*/recipe.env).
load_recipe() {
  # shellcheck disable=SC2034 # KIND and NAME document the recipe; not every caller reads them
  KIND='' NAME='' PROVIDES='' BINARY='' PACKAGE='' SOURCE_MODULE='' SOURCE_VERSION=''
  VERSION_LDFLAG='' VERSION_VALUE='' TAGS='' NOTE='' GENERATE='' GENERATE_ENV='' SOURCE_DIR=''
  EMBEDS=()
  # shellcheck source=/dev/null
  source "$1/recipe.env"
}

# ---------------------------------------------------------------------------------------------
# Building from the Go module proxy.
ticker_pid=''
cleanup() {
  if [[ -n $ticker_pid ]]; then kill "$ticker_pid" 2>/dev/null || true; fi
  if [[ -n ${work:-} && -d ${work:-} ]]; then rm -rf "$work"; fi
}
trap cleanup EXIT

require_go() {
  command -v go >/dev/null 2>&1 ||
    die "Go is not installed, and it is needed to build $1 (Go >= 1.24: https://go.dev/dl, or /usr/local/go/bin on PATH)"
}

# compile LABEL OUT: `go build` of the recipe's PACKAGE in $work, with progress lines.
compile() {
  local label=$1 out=$2 start total
  start=$(date +%s%N)
  total=$(cd "$work" && go list -deps "$PACKAGE" 2>>"$log" | wc -l) ||
    die "could not resolve the packages of $label (Go module proxy unreachable?); see $log"
  (
    while sleep 30; do
      printf '  ... %s: %d s, %d of at most %d packages compiled\n' \
        "$label" "$(elapsed "$start")" "$(grep -c '^[a-z]' "$log" 2>/dev/null || true)" "$total" >&2
    done
  ) &
  ticker_pid=$!
  if ! (cd "$work" && go build -v -trimpath ${TAGS:+-tags "$TAGS"} \
    -ldflags "-s -w -X $VERSION_LDFLAG=$VERSION_VALUE" -o "$out" "$PACKAGE") 2>>"$log"; then
    tail -n 30 "$log" >&2
    die "building $label failed; full log: $log"
  fi
  kill "$ticker_pid" 2>/dev/null || true
  wait "$ticker_pid" 2>/dev/null || true
  ticker_pid=''
}

# go_build RECIPE_DIR OUT LABEL: builds the recipe's binary to OUT (atomically).
go_build() {
  local dir=$1 out=$2 label=$3 start spec src dest setver moddir='' rc
  load_recipe "$dir"
  require_go "$label"
  mkdir -p "$cache/logs" "$cache/work"
  work=$(mktemp -d "$cache/work/${BINARY}.XXXXXX")
  # A recipe with SOURCE_DIR builds a Go module of this repo (provider/...): that module, with
  # the recipe beside it; else the wrapper module is the recipe directory itself.
  if [[ -n $SOURCE_DIR ]]; then cp -R "$repo/$SOURCE_DIR/." "$work/"; fi
  cp -R "$dir/." "$work/"
  log=$cache/logs/$BINARY.log
  start=$(date +%s%N)
  loud "building $label from $SOURCE_MODULE@$SOURCE_VERSION ..."
  [[ -n $NOTE ]] && loud "  note: $NOTE"
  export CGO_ENABLED=0 GOFLAGS=-mod=readonly
  # A quick, bounded check that the module is in the module cache or the proxy answers.
  rc=0
  (cd "$work" && timeout 120 go mod download "$SOURCE_MODULE@$SOURCE_VERSION") >"$log" 2>&1 || rc=$?
  if ((rc != 0)); then
    tail -n 5 "$log" >&2
    if ((rc == 124)); then
      die "timed out fetching $SOURCE_MODULE@$SOURCE_VERSION from the Go module proxy (GOPROXY=$(go env GOPROXY)); is it reachable?"
    fi
    die "could not fetch $SOURCE_MODULE@$SOURCE_VERSION from the Go module proxy (GOPROXY=$(go env GOPROXY)); see above and $log"
  fi
  loud "  fetching modules ..."
  if [[ -n $GENERATE ]]; then
    # First pass: the same program, built with placeholder embeds, generates the real ones.
    for spec in "${EMBEDS[@]}"; do
      IFS=: read -r src dest setver <<<"$spec"
      echo '{}' >"$work/$dest"
    done
    compile "$label (generator pass)" "$work/.generator"
    # shellcheck disable=SC2086 # GENERATE and GENERATE_ENV are word lists
    (cd "$work" && env $GENERATE_ENV ./.generator $GENERATE) >>"$log" 2>&1 || {
      tail -n 30 "$log" >&2
      die "generating the schema of $label failed; full log: $log"
    }
    loud "  generated the schema ($(elapsed "$start") s so far)"
  fi
  for spec in "${EMBEDS[@]}"; do
    IFS=: read -r src dest setver <<<"$spec"
    if [[ $src == gen/* ]]; then
      src=$work/$src
    else
      [[ -n $moddir ]] || moddir=$(cd "$work" && go list -m -f '{{.Dir}}' "$SOURCE_MODULE")
      src=$moddir/$src
    fi
    node -e '
      const fs = require("fs");
      const [src, dest, version] = process.argv.slice(1);
      const doc = JSON.parse(fs.readFileSync(src, "utf8"));
      if (version) doc.version = version;
      fs.writeFileSync(dest, JSON.stringify(doc));' \
      "$src" "$work/$dest" "${setver:+$VERSION_VALUE}"
  done
  compile "$label" "$out.tmp"
  mv -f "$out.tmp" "$out"
  rm -rf "$work"
  work=''
  loud "building $label ... done in $(elapsed "$start") s"
}

# ---------------------------------------------------------------------------------------------
# 1. Node.js >= 22.
if ((sys_node_major >= NODE_MIN_MAJOR)); then
  node_bin=$(command -v node)
else
  [[ $os != unsupported && $arch != unsupported ]] || die "no Node.js $NODE_MIN_MAJOR package for $(uname -sm): install Node.js >= $NODE_MIN_MAJOR yourself"
  node_pkg=node-$os-$arch
  node_dir=$cache/node-v$NODE_PKG_VERSION-$os-$arch
  node_bin=$node_dir/node_modules/$node_pkg/bin/node
  if [[ ! -f $node_dir/.complete || ! -x $node_bin ]]; then
    ((print_env)) && not_built "Node.js $NODE_PKG_VERSION is not installed in $node_dir"
    command -v npm >/dev/null 2>&1 || die "npm is needed to install Node.js $NODE_PKG_VERSION"
    loud "installing Node.js $NODE_PKG_VERSION (npm package $node_pkg; system node is v$sys_node_major) ..."
    start=$(date +%s%N)
    mkdir -p "$cache"
    rm -rf "$node_dir.tmp"
    npm install --prefix "$node_dir.tmp" --no-save --no-package-lock --no-audit --no-fund \
      --loglevel=error "$node_pkg@$NODE_PKG_VERSION" >&2 || die "npm install $node_pkg@$NODE_PKG_VERSION failed"
    "$node_dir.tmp/node_modules/$node_pkg/bin/node" --version >/dev/null || die "the installed node does not run"
    rm -rf "$node_dir"
    mv "$node_dir.tmp" "$node_dir"
    echo "$NODE_PKG_VERSION" >"$node_dir/.complete"
    loud "installing Node.js $NODE_PKG_VERSION ... done in $(elapsed "$start") s"
  fi
fi
say "node      $("$node_bin" --version) ($node_bin)"

# ---------------------------------------------------------------------------------------------
# 2. The Pulumi CLI and language host: the user's own, or built.
mode=own
user_pulumi=''
if [[ ${KUBEHA_USE_SYSTEM_PULUMI:-1} != 0 ]]; then
  while read -r p; do
    [[ -n $p ]] || continue
    case $(realpath -m "$(dirname "$p")")/ in "$(realpath -m "$cache")"/*) continue ;; esac
    v=$(PULUMI_SKIP_UPDATE_CHECK=true timeout 20 "$p" version 2>/dev/null || true)
    if [[ $v == v3.* ]] && version_ge "$v" "$sdk_version"; then
      user_pulumi=$p
      break
    fi
  done < <(type -ap pulumi || true)
fi

if [[ -n $user_pulumi ]]; then
  mode=user
  pulumi_bin=$user_pulumi
  pulumi_home=${PULUMI_HOME:-$HOME/.pulumi}
  # When env.sh set PULUMI_HOME to the cache, the user's own home is still ~/.pulumi.
  case $pulumi_home in "$cache"/*) pulumi_home=$HOME/.pulumi ;; esac
  bin_dir=''
  say "pulumi    $(PULUMI_SKIP_UPDATE_CHECK=true "$pulumi_bin" version) (your own: $pulumi_bin; PULUMI_HOME=$pulumi_home)"
else
  cli_hash=$(
    {
      recipe_hash "$recipes/pulumi"
      recipe_hash "$recipes/pulumi-language-nodejs"
      echo "sdk=$sdk_version"
    } | sha256sum | cut -c1-12
  )
  load_recipe "$recipes/pulumi"
  cli_version=$VERSION_VALUE
  load_recipe "$recipes/pulumi-language-nodejs"
  lh_version=$VERSION_VALUE
  bin_root=$cache/pulumi-$cli_version+nodejs-$lh_version-$cli_hash
  bin_dir=$bin_root/bin
  pulumi_bin=$bin_dir/pulumi
  pulumi_home=$cache/pulumi-home
  if [[ ! -f $bin_root/.complete ]]; then
    ((print_env)) && not_built "the Pulumi CLI is not built ($bin_root)"
  fi
fi

# --print-env stops here when the CLI is ready (plugins are not needed for the environment).
if ((print_env)); then
  q() { printf '%q' "$1"; }
  echo "export KUBEHA_TOOLCHAIN_MODE=$mode"
  echo "export KUBEHA_NODE=$(q "$node_bin")"
  echo "export KUBEHA_PULUMI=$(q "$pulumi_bin")"
  path_dirs=$(dirname "$node_bin")
  [[ -n $bin_dir ]] && path_dirs=$bin_dir:$path_dirs
  echo "export KUBEHA_TOOLCHAIN_PATH=$(q "$path_dirs")"
  if [[ $mode == own ]]; then
    echo "export PULUMI_HOME=$(q "$pulumi_home")"
  fi
  exit 0
fi

mkdir -p "$cache"
exec 9>"$cache/.lock"
if ! flock -n 9 2>/dev/null; then
  loud "waiting for another ensure.sh run to finish (lock $cache/.lock) ..."
  flock 9 || true
fi

if [[ $mode == own && ! -f $bin_root/.complete ]]; then
  cold_start=$(date +%s%N)
  mkdir -p "$bin_dir"
  go_build "$recipes/pulumi" "$bin_dir/pulumi" "pulumi $cli_version"
  go_build "$recipes/pulumi-language-nodejs" "$bin_dir/pulumi-language-nodejs" "pulumi-language-nodejs $lh_version"
  # The dynamic-provider shim (a small script shipped in sdk/v3's module) makes
  # pulumi.dynamic.Resource work; it runs @pulumi/pulumi/cmd/dynamic-provider with `node`.
  shim_dir=$( (cd "$cache" && timeout 120 go mod download -json "github.com/pulumi/pulumi/sdk/v3@v$sdk_version") 2>/dev/null |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{console.log(JSON.parse(s).Dir||"")}catch{console.log("")}})' || true)
  if [[ -n $shim_dir && -f $shim_dir/nodejs/dist/pulumi-resource-pulumi-nodejs ]]; then
    install -m 0755 "$shim_dir/nodejs/dist/pulumi-resource-pulumi-nodejs" "$bin_dir/pulumi-resource-pulumi-nodejs"
  else
    warn "could not fetch github.com/pulumi/pulumi/sdk/v3@v$sdk_version for the dynamic-provider shim; pulumi.dynamic resources will not work"
  fi
  "$bin_dir/pulumi" version >/dev/null || die "the built pulumi does not run"
  printf 'cli=%s language-host=%s sdk=%s built=%s\n' "$cli_version" "$lh_version" "$sdk_version" "$(date -u +%FT%TZ)" >"$bin_root/.complete"
  loud "Pulumi CLI ready in $(elapsed "$cold_start") s ($bin_dir)"
fi
if [[ $mode == own ]]; then
  say "pulumi    $("$pulumi_bin" version) + pulumi-language-nodejs $lh_version ($bin_dir)"
  [[ $cli_version == "v$sdk_version" ]] ||
    say "          (@pulumi/pulumi is $sdk_version: see scripts/toolchain/README.md for why the CLI is $cli_version)"
fi

# ---------------------------------------------------------------------------------------------
# 3. Resource plugins, registered in PULUMI_HOME.
mkdir -p "$pulumi_home/plugins" "$pulumi_home/.kubeha"
missing=()
user_homes=("$HOME/.pulumi")
if [[ -n ${PULUMI_HOME:-} && $PULUMI_HOME != "$pulumi_home" ]]; then user_homes+=("$PULUMI_HOME"); fi

plugin_install() { # NAME VERSION FILE
  PULUMI_HOME=$pulumi_home PULUMI_SKIP_UPDATE_CHECK=true \
    "$pulumi_bin" plugin install resource "$1" "$2" --file "$3" --reinstall >"$cache/logs/plugin-install.log" 2>&1 ||
    {
      cat "$cache/logs/plugin-install.log" >&2
      die "pulumi plugin install resource $1 $2 --file $3 failed"
    }
}

while read -r _ name version npm_pkg; do
  [[ -n ${name:-} ]] || continue
  plug_dir=$pulumi_home/plugins/resource-$name-v$version
  plug_bin=$plug_dir/pulumi-resource-$name
  marker=$pulumi_home/.kubeha/resource-$name-v$version
  recipe_dir=$recipes/$name
  # The marker says what is registered: built:<hash> (built here from a wrapper recipe),
  # repo:<hash> (built here from a module of this repo, SOURCE_DIR), user:<path> (registered from
  # another installation). repo: is its own kind on purpose: ensure.sh versions from before the
  # command provider moved to provider/ treat any marker but built: as "installed, keep it", so
  # checkouts of both layouts sharing one cache do not rebuild and re-register it in turn.
  want=''
  if [[ -f $recipe_dir/recipe.env ]]; then
    if [[ -n $(recipe_source_dir "$recipe_dir") ]]; then want=repo:; else want=built:; fi
    want+=$(recipe_hash "$recipe_dir")
  fi

  if [[ -x $plug_bin && ! -e $plug_dir.partial ]]; then
    # Present. Rebuild only what this script built from an older recipe.
    have=$(cat "$marker" 2>/dev/null || true)
    # This repo's own plugins are product code (the command plugin verifies host keys and bounds
    # SSH): exactly this checkout's build, never another installation of the same version.
    if [[ $want == repo:* && $have == "$want" ]] ||
      [[ $want != repo:* && (($have != built:* && $have != repo:*) || -z $want || $have == "$want") ]]; then
      say "plugin    $name $version (${have:-installed})"
      continue
    fi
  fi

  # An existing installation of exactly this version (e.g. a workstation's ~/.pulumi).
  found=''
  [[ $want == repo:* ]] && user_search=() || user_search=("${user_homes[@]}")
  for h in "${user_search[@]+"${user_search[@]}"}"; do
    [[ $h != "$pulumi_home" ]] || continue
    cand=$h/plugins/resource-$name-v$version/pulumi-resource-$name
    if [[ -x $cand && ! -e $h/plugins/resource-$name-v$version.partial ]]; then
      found=$cand
      break
    fi
  done
  if [[ -n $found ]]; then
    plugin_install "$name" "$version" "$found"
    echo "user:$found" >"$marker"
    loud "plugin    $name $version: registered your installed $found"
    continue
  fi

  if [[ -z $want ]]; then
    missing+=("$name $version ($npm_pkg): no recipe in scripts/toolchain/go/$name")
    continue
  fi
  load_recipe "$recipe_dir"
  if [[ $PROVIDES != "$version" ]]; then
    missing+=("$name $version ($npm_pkg): scripts/toolchain/go/$name/recipe.env provides $PROVIDES")
    continue
  fi
  build_root=$cache/plugin-$name-v$version-${want#*:}
  if [[ ! -f $build_root/.complete ]]; then
    mkdir -p "$build_root"
    go_build "$recipe_dir" "$build_root/$BINARY" "$BINARY $version"
    printf 'source=%s@%s built=%s\n' "$SOURCE_MODULE" "$SOURCE_VERSION" "$(date -u +%FT%TZ)" >"$build_root/.complete"
  fi
  plugin_install "$name" "$version" "$build_root/$BINARY"
  # Keep one copy on disk: the build output becomes a hard link to the registered binary.
  ln -f "$plug_bin" "$build_root/$BINARY" 2>/dev/null || true
  echo "$want" >"$marker"
  # Builds of older recipes of the same plugin are no longer used.
  for old in "$cache/plugin-$name-v$version-"*; do
    [[ $old == "$build_root" ]] || rm -rf "$old"
  done
  loud "plugin    $name $version: registered $build_root/$BINARY${NOTE:+ ($NOTE)}"
done < <(awk '$1 == "plugin"' <<<"$pins")

if ((${#missing[@]})); then
  warn "these provider plugins could not be provided; \`pulumi preview/up\` fails for programs that use them:"
  for m in "${missing[@]}"; do printf '  - %s\n' "$m" >&2; done
  warn "install them with a connected pulumi (pulumi plugin install resource NAME VERSION) or see scripts/toolchain/README.md"
  if [[ ${KUBEHA_TOOLCHAIN_STRICT:-1} != 0 ]]; then
    printf 'toolchain: error: %d provider plugin(s) missing (KUBEHA_TOOLCHAIN_STRICT=0 makes this a warning)\n' "${#missing[@]}" >&2
    exit 3
  fi
fi

say "toolchain ready in $(elapsed "$t0") s (cache $cache)"
