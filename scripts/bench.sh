#!/usr/bin/env bash
# `npm run bench`: prints the figures of shared/notes/targets.md that the lab can measure today:
# dev-stack preview (warm), lab creation, `pulumi up` from nothing (etcd + load-balancer pair),
# no-op `pulumi up`, and VIP failover after a hard stop of the holder (median of 5), measured
# as a client sees it: TCP connects to VIP:16443 from this machine every 50 ms.
# It recreates the lab (down, up) and the lab stack's state. Traffic: lab hosts only.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
bash scripts/deps.sh
bash scripts/toolchain/ensure.sh
# shellcheck source=toolchain/env.sh
source "$repo/scripts/toolchain/env.sh"

VIP=10.77.0.100
PORT=16443
ROUNDS=${KUBEHA_BENCH_ROUNDS:-5}
lab() { bash scripts/lab/lab.sh "$@"; }
now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc -l | xargs printf '%.1f'; }
figure() { printf '%-58s %s\n' "$1" "$2"; }
fake_apiservers() {
  for host in "$@"; do lab ssh "$host" 'cat > /tmp/fake-apiserver.sh && bash /tmp/fake-apiserver.sh start' <tests/fixtures/fake-apiserver.sh; done
}
vip_answers() { timeout 0.2 bash -c "exec 3<>/dev/tcp/$VIP/$PORT" 2>/dev/null; }
holder() { lab status --json | jq -r '.vipHolder // ""'; }
command -v bc >/dev/null || apt-get install -y -q bc >/dev/null

echo "[bench] dev stack preview (warm)"
pulumi stack select dev --create --non-interactive >/dev/null
pulumi preview --stack dev --non-interactive >/dev/null
t=$(now); pulumi preview --stack dev --non-interactive >/dev/null; preview=$(since "$t")

echo "[bench] lab creation (down, then up with the image cached)"
lab down >/dev/null
t=$(now); lab up >/dev/null; created=$(since "$t")

echo "[bench] pulumi up from nothing"
pulumi stack rm lab --force --yes --preserve-config --non-interactive >/dev/null 2>&1 || true
pulumi stack select lab --create --non-interactive >/dev/null
fake_apiservers m1 m2 m3
t=$(now); pulumi up --stack lab --yes --skip-preview --non-interactive >/dev/null; fresh=$(since "$t")

echo "[bench] no-op pulumi up"
t=$(now); pulumi up --stack lab --yes --skip-preview --non-interactive >/dev/null; noop=$(since "$t")
changes=$(pulumi stack history --stack lab --json --page-size 1 | jq -c '.[0].resourceChanges')

echo "[bench] VIP failover after a hard stop of the holder, $ROUNDS rounds"
samples=()
for round in $(seq "$ROUNDS"); do
  until [[ $(holder) == m1 ]] && vip_answers; do sleep 0.5; done
  t=$(now)
  lab stop m1 >/dev/null
  while vip_answers; do sleep 0.05; done # the old holder's connection may linger a moment
  until vip_answers; do sleep 0.05; done
  samples+=("$(since "$t")")
  echo "[bench]   round $round: ${samples[-1]} s (now on $(holder))"
  lab start m1 >/dev/null
  fake_apiservers m1
done
median=$(printf '%s\n' "${samples[@]}" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')

echo
figure "pulumi preview of the dev stack, warm" "${preview} s (target <= 15 s)"
figure "lab creation, 5 hosts, image cached" "${created} s"
figure "pulumi up from nothing: etcd + load-balancer pair" "${fresh} s (target <= 90 s)"
figure "pulumi up with no change" "${noop} s, changes ${changes} (target <= 20 s, zero changed)"
figure "VIP failover after hard stop, median of $ROUNDS" "${median} s (samples: ${samples[*]}; target <= 4 s)"
