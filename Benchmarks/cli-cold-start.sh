#!/usr/bin/env bash
# Cold start: `lattice list-services --endpoint-url URL` against nginx on 127.0.0.1, next to
# `aws vpc-lattice list-services` in the same run. Prints JSON lines with the median wall time
# per run (ns) and peak memory (KiB, from /usr/bin/time), then the ratios.
# Goals (issue 7): at least 20x faster than the aws CLI, at most 24 MiB peak.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-18081}
PIN=${PIN-taskset -c 0}
RUNS=${RUNS:-30}
WORK=$(mktemp -d)
trap 'kill $(cat "$WORK/nginx.pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$WORK"' EXIT
source Benchmarks/start-nginx.sh
swift build -c release --product lattice >/dev/null
export AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY AWS_DEFAULT_REGION=us-east-1
export AWS_CONFIG_FILE="$WORK/none" AWS_SHARED_CREDENTIALS_FILE="$WORK/none"

measure() {  # measure NAME RUNS COMMAND...: median wall ns and max peak KiB over the runs
  local name=$1 runs=$2; shift 2
  local times=() peak=0
  for _ in $(seq "$runs"); do
    local s e kb
    s=$(date +%s%N)
    kb=$( { /usr/bin/time -f '%M' $PIN "$@" >/dev/null; } 2>&1 | tail -1)
    e=$(date +%s%N)
    times+=($((e - s)))
    [ "$kb" -gt "$peak" ] && peak=$kb
  done
  local median
  median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
  echo "{\"name\": \"$name\", \"ns_per_op\": $median, \"iterations\": $runs, \"peak_kib\": $peak}"
}

OUT="$WORK/results.jsonl"
measure cli.lattice.list-services "$RUNS" .build/release/lattice list-services --endpoint-url "$URL" | tee "$OUT"
measure cli.aws.list-services 10 aws vpc-lattice list-services --endpoint-url "$URL" | tee -a "$OUT"
python3 - "$OUT" <<'PY'
import json, sys
rows = {json.loads(l)["name"]: json.loads(l) for l in open(sys.argv[1])}
ours, theirs = rows["cli.lattice.list-services"], rows["cli.aws.list-services"]
print(f"lattice {ours['ns_per_op']/1e6:.1f} ms, {ours['peak_kib']/1024:.1f} MiB peak; aws {theirs['ns_per_op']/1e6:.1f} ms, {theirs['peak_kib']/1024:.1f} MiB peak")
print(f"-> {theirs['ns_per_op']/ours['ns_per_op']:.1f}x faster (goal >= 20x), peak {ours['peak_kib']/1024:.1f} MiB (goal <= 24 MiB)")
PY
