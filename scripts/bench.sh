#!/usr/bin/env bash
# `npm run bench`: prints the figures of the README's "Measured in the lab" table that the lab can measure:
# - dev-stack preview (warm); lab creation; etcd + load-balancer pair from nothing;
# - `pulumi up` from nothing to 3 masters + 2 workers Ready (artifacts cached); no-op `pulumi up`;
# - over KUBEHA_BENCH_ROUNDS (5) hard stops of the master holding the VIP: VIP failover (TCP
#   connects to VIP:16443 from this machine every 50 ms, first failure to next success), API
#   unavailability (/readyz through the VIP every 200 ms, the same way); with VRRP version 2 at
#   1 s adverts (the default), then version 3 at 0.2 s (ratios v3/v2), and keepalived's CPU on the
#   holder and a backup over 60 s with each, and false failovers (MASTER transitions with no host
#   stopped) over 120 s of saturated cores with each;
#   after each stop, the failed /readyz probes (every 100 ms) while the stopped host returns and
#   takes the VIP back;
# - over as many hard stops of the master leading kube-controller-manager: leader takeover, from
#   the start of the stop to the acquireTime the new holder wrote into each lease the master held
#   (lab hosts share this machine's clock), and until a client through the VIP sees the new holders;
#   with kubeha:leaderElection default, then fast (ratio fast/default);
# - failed requests out of 500 through the VIP while one apiserver not holding the VIP is stopped;
# - etcd: a snapshot taken and copied here (npm run backup, its time and size), and its restore
#   (npm run restore --force) until every node is Ready;
# - growth: `pulumi up` from nothing with 6 workers (second lab "g" on 10.78.0, scripts/lab/constants.env) over that with 2.
# It recreates the lab (down, up) and the lab stack's state. Traffic: lab hosts only.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
bash scripts/deps.sh
bash scripts/toolchain/ensure.sh
bash scripts/artifacts/build.sh >/dev/null
# shellcheck source=toolchain/env.sh
source "$repo/scripts/toolchain/env.sh"
# The dev and lab stacks only: the example passphrase unless one is set (scripts/passphrase.sh).
# shellcheck source=passphrase.sh
source "$repo/scripts/passphrase.sh"
stack_passphrase lab

# The main lab's VIP and API port, and the growth lab: scripts/lab/constants.env.
# shellcheck source=lab/constants.env
source "$repo/scripts/lab/constants.env"
VIP=$LAB_MAIN_NET.$LAB_VIP_HOST
PORT=$LAB_LB_PORT
ROUNDS=${KUBEHA_BENCH_ROUNDS:-5}
KUBECONFIG_FILE=$(mktemp)
trap 'rm -f "$KUBECONFIG_FILE"' EXIT
lab() { bash scripts/lab/lab.sh "$@"; }
now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc -l | xargs printf '%.1f'; }
figure() { printf '%-62s %s\n' "$1" "$2"; }
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
vip_answers() { timeout 0.2 bash -c "exec 3<>/dev/tcp/$VIP/$PORT" 2>/dev/null; }
readyz() { [[ $(curl -sk --max-time 1 "https://$VIP:$PORT/readyz" 2>/dev/null) == ok ]]; }
holder() { for h in m1 m2 m3; do lab ssh "$h" "ip -o addr show | grep -q ' $VIP/'" 2>/dev/null && echo "$h"; done; }
kubectl() { "$KUBECTL" --kubeconfig "$KUBECONFIG_FILE" --request-timeout=5s "$@"; }
lease_holder() { kubectl -n kube-system get lease "$1" -o jsonpath='{.spec.holderIdentity}' 2>/dev/null | cut -d_ -f1; }
# lease_acquired LEASE: when its holder took it, in epoch seconds (the leader writes acquireTime).
lease_acquired() { date -d "$(kubectl -n kube-system get lease "$1" -o jsonpath='{.spec.acquireTime}')" +%s.%N; }
all_ready() { [[ $(kubectl get nodes --no-headers 2>/dev/null | awk '$2 == "Ready"' | wc -l) == 5 ]]; }
command -v bc >/dev/null || apt-get install -y -q bc >/dev/null

echo "[bench] dev stack preview (warm)"
pulumi stack select dev --create --non-interactive >/dev/null
pulumi preview --stack dev --non-interactive >/dev/null
t=$(now); pulumi preview --stack dev --non-interactive >/dev/null; preview=$(since "$t")

echo "[bench] lab creation (down, then up with the image cached)"
lab down >/dev/null
t=$(now); lab up >/dev/null; created=$(since "$t")

# fresh_stack NAME: a stack with no state, its config file kept.
fresh_stack() {
  pulumi stack rm "$1" --force --yes --preserve-config --non-interactive >/dev/null 2>&1 || true
  pulumi stack select "$1" --create --non-interactive >/dev/null
}

echo "[bench] etcd + load-balancer pair from nothing (deployUntil loadBalancer)"
fresh_stack lab
pulumi config set kubeha:deployUntil loadBalancer --stack lab
t=$(now); pulumi up --stack lab --yes --skip-preview --non-interactive >/dev/null; etcd_lb=$(since "$t")
pulumi config rm kubeha:deployUntil --stack lab
lab down >/dev/null
lab up >/dev/null

echo "[bench] pulumi up from nothing to every node Ready"
fresh_stack lab
KUBECTL="$(pulumi config get kubeha:artifactDir --stack lab)/bin/kubectl"
t=$(now)
pulumi up --stack lab --yes --skip-preview --non-interactive >/dev/null
up_done=$(since "$t")
pulumi stack output kubeconfig --stack lab --show-secrets >"$KUBECONFIG_FILE"
until all_ready; do sleep 1; done
fresh=$(since "$t")

echo "[bench] no-op pulumi up"
t=$(now); pulumi up --stack lab --yes --skip-preview --non-interactive >/dev/null; noop=$(since "$t")
changes=$(pulumi stack history --stack lab --json --page-size 1 | jq -c '.[0].resourceChanges')

# vip_rounds: ROUNDS hard stops of m1 holding the VIP; sets vip_samples and api_samples.
vip_rounds() {
  vip_samples=() api_samples=()
  local round victim api_file api_probe stopper f
  for round in $(seq "$ROUNDS"); do
    until all_ready && [[ $(holder) == m1 ]] && readyz; do sleep 1; done
    victim=m1
    # Clients' view: from the first failed connect (or /readyz) to the next success. The hard stop
    # runs in the background: tearing a host down takes the lab seconds after its processes die.
    api_file=$(mktemp)
    (
      # No failure seen within 30 s of the stop: the outage was shorter than one probe interval.
      deadline=$(($(date +%s) + 30))
      while readyz; do
        if (($(date +%s) > deadline)); then echo 0.0 >"$api_file"; exit 0; fi
        sleep 0.2
      done
      f=$(now)
      until readyz; do sleep 0.2; done
      since "$f" >"$api_file"
    ) &
    api_probe=$!
    lab stop "$victim" >/dev/null &
    stopper=$!
    while vip_answers; do sleep 0.05; done
    f=$(now)
    until vip_answers; do sleep 0.05; done
    vip_samples+=("$(since "$f")")
    wait "$api_probe" "$stopper"
    api_samples+=("$(cat "$api_file")")
    rm -f "$api_file"
    echo "[bench]   round $round: VIP ${vip_samples[-1]} s, API ${api_samples[-1]} s (VIP now on $(holder))"
    returning "$victim"
  done
}

# returning HOST: boots the stopped HOST (m1, the highest priority) again and counts the failed
# /readyz probes through the VIP (every 100 ms) from its start until 5 s after it holds the VIP
# again: the VIP moving back, and its apiserver warming up behind every nginx. Appends
# "failed/total" to return_samples.
returning() {
  local file probe
  file=$(mktemp)
  (
    failed=0 total=0
    while [[ ! -e $file.stop ]]; do
      readyz || failed=$((failed + 1))
      total=$((total + 1))
      sleep 0.1
    done
    echo "$failed/$total" >"$file"
  ) &
  probe=$!
  lab start "$1" >/dev/null
  until [[ $(holder) == "$1" ]]; do sleep 0.5; done
  sleep 5
  touch "$file.stop"
  wait "$probe"
  return_samples+=("$(cat "$file")")
  rm -f "$file" "$file.stop"
  echo "[bench]   $1 back and holding the VIP: ${return_samples[-1]} probes failed"
}
# failed_sum SAMPLES...: "failed/total" summed over the samples.
failed_sum() { printf '%s\n' "$@" | awk -F/ '{ f += $1; t += $2 } END { print f "/" t }'; }

# keepalived_cpu HOST SECONDS: the CPU keepalived (all its processes) used on HOST over SECONDS, in
# percent of one core (utime + stime from /proc, 100 ticks a second).
# shellcheck disable=SC2016 # expanded on the lab host
keepalived_ticks() { lab ssh "$1" 'for p in $(pgrep keepalived); do cut -d" " -f14,15 /proc/$p/stat; done' | awk '{ t += $1 + $2 } END { print t + 0 }'; }
keepalived_cpu() {
  local before after
  before=$(keepalived_ticks "$1")
  sleep "$2"
  after=$(keepalived_ticks "$1")
  echo "($after - $before) / $2" | bc -l | xargs printf '%.2f'
}

# false_failovers SECONDS: how often a master's keepalived entered MASTER state over SECONDS while
# this machine (whose 2 cores every lab host shares) is saturated: two busy loops per core and a
# stream of API reads through the VIP. No host is stopped, so every transition is a false failover.
# shellcheck disable=SC2016 # expanded on the lab host
false_failovers() {
  local from load=() h n=0
  from=$(date +%s)
  for _ in $(seq $(($(nproc) * 2))); do timeout "$1" sh -c 'while :; do :; done' & load+=($!); done
  (
    end=$(($(date +%s) + $1))
    while (($(date +%s) < end)); do kubectl get --raw /readyz >/dev/null 2>&1 || true; done
  ) &
  load+=($!)
  wait "${load[@]}" || true
  for h in m1 m2 m3; do
    n=$((n + $(lab ssh "$h" "journalctl -u keepalived --since @$from --no-pager -o cat | grep -c 'Entering MASTER STATE' || true")))
  done
  echo "$n"
}

echo "[bench] keepalived CPU over 60 s, VRRP version 2, 1 s adverts (holder m1, backup m2)"
until [[ $(holder) == m1 ]]; do sleep 1; done
cpu2_holder=$(keepalived_cpu m1 60) cpu2_backup=$(keepalived_cpu m2 60)
echo "[bench] false failovers over 120 s with every core saturated (VRRP version 2, 1 s adverts)"
ff2=$(false_failovers 120)
echo "[bench] hard stop of the VIP holder, $ROUNDS rounds (VRRP version 2, 1 s adverts)"
return_samples=()
vip_rounds
vip2=("${vip_samples[@]}") api2=("${api_samples[@]}") return2=$(failed_sum "${return_samples[@]}")

# The same with VRRP version 3 at 0.2 s adverts (issue 17), then back to the defaults.
echo "[bench] switching to VRRP version 3, 0.2 s adverts"
pulumi config set kubeha:vrrpVersion 3 --stack lab
pulumi config set kubeha:vrrpAdvertInterval 0.2 --stack lab
pulumi up --stack lab --yes --skip-preview --non-interactive >/dev/null
until all_ready && [[ $(holder) == m1 ]]; do sleep 1; done
cpu3_holder=$(keepalived_cpu m1 60) cpu3_backup=$(keepalived_cpu m2 60)
echo "[bench] false failovers over 120 s with every core saturated (VRRP version 3, 0.2 s adverts)"
ff3=$(false_failovers 120)
echo "[bench] hard stop of the VIP holder, $ROUNDS rounds (VRRP version 3, 0.2 s adverts)"
return_samples=()
vip_rounds
vip3=("${vip_samples[@]}") api3=("${api_samples[@]}") return3=$(failed_sum "${return_samples[@]}")
pulumi config rm kubeha:vrrpVersion --stack lab
pulumi config rm kubeha:vrrpAdvertInterval --stack lab
pulumi up --stack lab --yes --skip-preview --non-interactive >/dev/null
ratio() { echo "$1 / $2" | bc -l | xargs printf '%.2f'; }

# moved_off LEASE HOST: the lease has a holder, and it is not HOST (an empty answer while the API
# is unreachable is not a move).
moved_off() { local h; h=$(lease_holder "$1"); [[ -n $h && $h != "$2" ]]; }
all_moved_off() { local host=$1 l; shift; for l in "$@"; do moved_off "$l" "$host" || return 1; done; }
# leader_rounds: ROUNDS hard stops of the master leading kube-controller-manager; sets
# leader_samples (from the start of the stop to the new holder's acquireTime of every lease the
# victim held) and seen_samples (until a client through the VIP sees every new holder).
leader_rounds() {
  leader_samples=() seen_samples=()
  local round victim sched t leases acquired
  for round in $(seq "$ROUNDS"); do
    until all_ready && readyz; do sleep 1; done
    victim=$(lease_holder kube-controller-manager)
    sched=$(lease_holder kube-scheduler)
    t=$(now)
    lab stop "$victim" >/dev/null
    leases=(kube-controller-manager)
    [[ $sched != "$victim" ]] || leases+=(kube-scheduler)
    until all_moved_off "$victim" "${leases[@]}"; do sleep 0.5; done
    seen_samples+=("$(since "$t")")
    acquired=$(for l in "${leases[@]}"; do lease_acquired "$l"; done | sort -n | tail -1)
    leader_samples+=("$(echo "$acquired - $t" | bc -l | xargs printf '%.1f')")
    echo "[bench]   round $round: ${leases[*]} taken from $victim after ${leader_samples[-1]} s, seen through the VIP after ${seen_samples[-1]} s"
    lab start "$victim" >/dev/null
  done
}
echo "[bench] hard stop of the master leading kube-controller-manager, $ROUNDS rounds (leaderElection default)"
leader_rounds
leader_default=("${leader_samples[@]}") seen_default=("${seen_samples[@]}")
echo "[bench] the same with kubeha:leaderElection fast"
pulumi config set kubeha:leaderElection fast --stack lab
pulumi up --stack lab --yes --skip-preview --non-interactive >/dev/null
leader_rounds
leader_fast=("${leader_samples[@]}") seen_fast=("${seen_samples[@]}")
pulumi config rm kubeha:leaderElection --stack lab
pulumi up --stack lab --yes --skip-preview --non-interactive >/dev/null

echo "[bench] 500 requests through the VIP with one apiserver stopped"
until all_ready && [[ $(holder) == m1 ]]; do sleep 1; done
# Every apiserver ready first: a master restarted by the rounds above may still be warming up,
# and its "not ready" answers would be counted against the one stopped here.
apiserver_ready() { lab ssh "$1" "curl -sk --max-time 1 https://127.0.0.1:6443/readyz" 2>/dev/null | grep -qx ok; }
for h in m1 m2 m3; do until apiserver_ready "$h"; do sleep 1; done; done
lab ssh m2 "mv /etc/kubernetes/manifests/kube-apiserver.yaml /etc/kubernetes/kube-apiserver.yaml.stopped"
while lab ssh m2 "curl -sk --max-time 1 https://127.0.0.1:6443/readyz" 2>/dev/null | grep -qx ok; do sleep 0.5; done
failed=0
for _ in $(seq 500); do readyz || failed=$((failed + 1)); done
lab ssh m2 "mv /etc/kubernetes/kube-apiserver.yaml.stopped /etc/kubernetes/manifests/kube-apiserver.yaml"

echo "[bench] etcd: npm run backup, then npm run restore --force of that snapshot until every node is Ready"
bdir=$(mktemp -d)
t=$(now); snap=$(bash scripts/backup.sh lab --dir "$bdir" | sed -n 's/^backup: //p'); backup_time=$(since "$t")
snap_size=$(stat -c %s "$snap")
t=$(now); bash scripts/restore.sh lab "$snap" --force >/dev/null
until all_ready && readyz; do sleep 1; done
restore_time=$(since "$t")
rm -rf "$bdir"

echo "[bench] growth: pulumi up from nothing with 6 workers (a second lab; this lab's hosts stopped meanwhile)"
MAIN_HOSTS=(m1 m2 m3 w1 w2)
glab() { KUBEHA_LAB_ID=$LAB_GROWTH_ID KUBEHA_LAB_NET=$LAB_GROWTH_NET KUBEHA_LAB_WORKERS=6 bash scripts/lab/lab.sh "$@"; }
for h in "${MAIN_HOSTS[@]}"; do lab stop "$h" >/dev/null; done
glab down >/dev/null
glab up >/dev/null
gstack=lab-$LAB_GROWTH_ID
cp "${KUBEHA_CACHE:-$HOME/.cache/kubeha}/lab/Pulumi.$gstack.yaml" "Pulumi.$gstack.yaml"
fresh_stack "$gstack"
t=$(now); pulumi up --stack "$gstack" --yes --skip-preview --non-interactive >/dev/null; up6=$(since "$t")
growth=$(echo "$up6 / $up_done" | bc -l | xargs printf '%.2f')
glab down >/dev/null
pulumi stack rm "$gstack" --force --yes --non-interactive >/dev/null
rm -f "Pulumi.$gstack.yaml"
for h in "${MAIN_HOSTS[@]}"; do lab start "$h" >/dev/null; done
until all_ready; do sleep 1; done

echo
figure "pulumi preview of the dev stack, warm" "${preview} s (target <= 10 s)"
figure "lab creation, 5 hosts, image cached" "${created} s"
figure "etcd + load-balancer pair from nothing" "${etcd_lb} s (target <= 30 s)"
figure "3 masters + 2 workers Ready from nothing (artifacts cached)" "${fresh} s (pulumi up ${up_done} s; target <= 90 s, aim 60 s)"
figure "pulumi up with no change" "${noop} s, changes ${changes} (target <= 10 s, zero changed)"
figure "VIP failover after hard stop, median of $ROUNDS" "$(median "${vip2[@]}") s (samples: ${vip2[*]}; target <= 4 s)"
figure "API unreachable through the VIP when a master dies, median" "$(median "${api2[@]}") s (samples: ${api2[*]}; target <= 4 s)"
figure "  VRRP v3 at 0.2 s: VIP failover, median" "$(median "${vip3[@]}") s (samples: ${vip3[*]}; v3/v2 $(ratio "$(median "${vip3[@]}")" "$(median "${vip2[@]}")"))"
figure "  VRRP v3 at 0.2 s: API unreachable, median" "$(median "${api3[@]}") s (samples: ${api3[*]}; v3/v2 $(ratio "$(median "${api3[@]}")" "$(median "${api2[@]}")"))"
figure "keepalived CPU, % of a core, holder / backup: v2 at 1 s" "${cpu2_holder} / ${cpu2_backup}"
figure "  v3 at 0.2 s" "${cpu3_holder} / ${cpu3_backup}"
figure "false failovers in 120 s, every core saturated: v2 at 1 s" "$ff2 (target 0)"
figure "  v3 at 0.2 s" "$ff3 (target 0)"
figure "failed probes (100 ms) while the old holder returns: v2 at 1 s" "$return2 (all $ROUNDS returns)"
figure "  v3 at 0.2 s" "$return3"
figure "leader takeover after its master dies (from the stop), median" "$(median "${leader_default[@]}") s (samples: ${leader_default[*]}; target <= 20 s)"
figure "  the same, until a client through the VIP sees it, median" "$(median "${seen_default[@]}") s (samples: ${seen_default[*]})"
figure "  leaderElection fast: takeover, median" "$(median "${leader_fast[@]}") s (samples: ${leader_fast[*]}; fast/default $(ratio "$(median "${leader_fast[@]}")" "$(median "${leader_default[@]}")"); target <= 10 s)"
figure "  leaderElection fast: seen through the VIP, median" "$(median "${seen_fast[@]}") s (samples: ${seen_fast[*]})"
figure "failed requests through the VIP, one apiserver stopped" "$failed of 500 (target 0)"
figure "etcd snapshot taken and copied here (npm run backup)" "${backup_time} s, $((snap_size / 1024)) KiB"
figure "etcd restore to every node Ready (npm run restore --force)" "${restore_time} s (target <= 3 min)"
figure "growth: pulumi up from nothing, 6 workers / 2 workers" "${growth} (${up6} s / ${up_done} s; target <= 1.3)"
