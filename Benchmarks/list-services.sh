#!/usr/bin/env bash
# client.list-services: LatticeKit, the curl command-line tool and boto3 doing the same
# ListServices GET against one nginx on 127.0.0.1 serving a fixed body, in one run.
# Prints JSON lines ({"name","ns_per_op","iterations"}, medians) and the ratios.
# Needs nginx (Debian package) and boto3; `make bench` installs what is missing.
#
# Every process is pinned to one core (PIN, default `taskset -c 0`): on a small VM a loopback
# request's time is mostly cross-CPU wake-ups, which vary by +-30% from run to run; on one core
# they are local context switches, and all three clients are measured under the same rule.
# PIN= (empty) measures unpinned.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-18080}
PIN=${PIN-taskset -c 0}
WORK=$(mktemp -d)
trap 'kill $(cat "$WORK/nginx.pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$WORK"' EXIT

source Benchmarks/start-nginx.sh

swift build $(sh scripts/release-flags.sh) --product lattice-bench >/dev/null
OUT="$WORK/results.jsonl"
$PIN ./.build/release/lattice-bench --filter client --endpoint-url "$URL" | tee "$OUT"

# curl: n GETs over one reused connection; the per-request time is the difference between
# runs of 3n and n requests, divided by 2n, so process start-up cancels out.
curl_run() {
  local n=$1 cfg="$WORK/curl-$1.cfg"
  : > "$cfg"
  for _ in $(seq "$n"); do printf 'url = "%s/services?maxResults=10"\noutput = /dev/null\n' "$URL" >> "$cfg"; done
  local s e
  s=$(date +%s%N); $PIN curl -s -K "$cfg"; e=$(date +%s%N)
  echo $((e - s))
}
samples=()
for _ in 1 2 3 4 5 6 7; do
  a=$(curl_run 1000); b=$(curl_run 3000)
  samples+=($(( (b - a) / 2000 )))
done
median=$(printf '%s\n' "${samples[@]}" | sort -n | sed -n 4p)
echo "{\"name\": \"curl.list-services\", \"ns_per_op\": $median, \"iterations\": 14000}" | tee -a "$OUT"

$PIN python3 Benchmarks/boto3_list_services.py "$URL" | tee -a "$OUT"
python3 Benchmarks/compare.py "$OUT"
