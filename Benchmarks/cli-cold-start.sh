#!/usr/bin/env bash
# Cold start: `lattice list-services --endpoint-url URL` against nginx on 127.0.0.1, next to
# `aws vpc-lattice list-services` in the same run. Prints JSON lines with the median wall time
# per run (ns) and peak memory (KiB, from /usr/bin/time: median and max), then the ratios.
# lattice is built as `make cli` ships it: release, Swift runtime and Foundation linked in.
# Goals (issue 7): at least 20x faster than the aws CLI, at most 24 MiB peak.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-18081}
PIN=${PIN-taskset -c 0}
RUNS=${RUNS:-30}
WORK=$(mktemp -d)
trap 'kill $(cat "$WORK/nginx.pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$WORK"' EXIT
source Benchmarks/start-nginx.sh
swift build $(sh scripts/release-flags.sh) --product lattice >/dev/null
export AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY AWS_DEFAULT_REGION=us-east-1
export AWS_CONFIG_FILE="$WORK/none" AWS_SHARED_CREDENTIALS_FILE="$WORK/none"

measure() {  # measure NAME RUNS COMMAND...: median wall ns, median and max peak KiB over the runs
  local name=$1 runs=$2; shift 2
  local times=() peaks=()
  for _ in $(seq "$runs"); do
    local s e kb
    s=$(date +%s%N)
    kb=$( { /usr/bin/time -f '%M' $PIN "$@" >/dev/null; } 2>&1 | tail -1)
    e=$(date +%s%N)
    times+=($((e - s)))
    peaks+=("$kb")
  done
  local mid=$(( (runs + 1) / 2 )) median peak maxpeak
  median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "${mid}p")
  peak=$(printf '%s\n' "${peaks[@]}" | sort -n | sed -n "${mid}p")
  maxpeak=$(printf '%s\n' "${peaks[@]}" | sort -n | tail -1)
  echo "{\"name\": \"$name\", \"ns_per_op\": $median, \"iterations\": $runs, \"peak_kib\": $peak, \"max_peak_kib\": $maxpeak}"
}

OUT="$WORK/results.jsonl"
measure cli.lattice.list-services "$RUNS" .build/release/lattice list-services --endpoint-url "$URL" | tee "$OUT"
measure cli.aws.list-services 10 aws vpc-lattice list-services --endpoint-url "$URL" | tee -a "$OUT"
python3 - "$OUT" <<'PY'
import json, sys
rows = {json.loads(l)["name"]: json.loads(l) for l in open(sys.argv[1])}
ours, theirs = rows["cli.lattice.list-services"], rows["cli.aws.list-services"]
mib = lambda kib: kib / 1024
print(f"lattice {ours['ns_per_op']/1e6:.1f} ms, {mib(ours['peak_kib']):.1f} MiB peak (max {mib(ours['max_peak_kib']):.1f}); "
      f"aws {theirs['ns_per_op']/1e6:.1f} ms, {mib(theirs['peak_kib']):.1f} MiB peak (max {mib(theirs['max_peak_kib']):.1f})")
print(f"-> {theirs['ns_per_op']/ours['ns_per_op']:.1f}x faster (goal >= 20x), "
      f"peak {mib(ours['max_peak_kib']):.1f} MiB at most (goal <= 24 MiB), medians of {ours['iterations']} and {theirs['iterations']} runs")
PY
