#!/usr/bin/env bash
# The topology apply benchmark (Benchmarks/topology-bench): a release build of topology-bench
# and local-lattice, two servers on 127.0.0.1 with 30 ms latency (one unthrottled, one with
# --throttle-rps THROTTLE_RPS, 100 by default), stopped afterwards.
#   bash Benchmarks/topology-bench.sh [--runs 5] [--services 50] [--max-concurrent-calls 128] ...
#   THROTTLE_RPS=0 bash Benchmarks/topology-bench.sh    # without the throttled run
# Pinned to one core: taskset -c 1 bash Benchmarks/topology-bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-swift}
LATENCY_MS=${LATENCY_MS:-30}
THROTTLE_RPS=${THROTTLE_RPS:-100}
$SWIFT build -c release --product topology-bench >/dev/null
$SWIFT build -c release --product local-lattice >/dev/null
dir=$(mktemp -d)
servers=()
stop() { for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done; rm -rf "$dir"; }
trap stop EXIT
start() { # name, extra options...
    local name=$1; shift
    ./.build/release/local-lattice --latency-ms "$LATENCY_MS" --port-file "$dir/$name.url" --seed 15 "$@" >/dev/null 2>"$dir/$name.stderr" &
    servers+=($!)
    for _ in $(seq 1 500); do [ -s "$dir/$name.url" ] && break; sleep 0.01; done
    [ -s "$dir/$name.url" ] || { echo "local-lattice did not start: $(cat "$dir/$name.stderr")" >&2; exit 1; }
}
start plain
extra=()
echo "local-lattice --latency-ms $LATENCY_MS (settle: 3 s or one look, the defaults) at $(cat "$dir/plain.url")"
if [ "$THROTTLE_RPS" != 0 ]; then
    start throttled --throttle-rps "$THROTTLE_RPS"
    extra=(--throttled-endpoint-url "$(cat "$dir/throttled.url")")
    echo "local-lattice --latency-ms $LATENCY_MS --throttle-rps $THROTTLE_RPS at $(cat "$dir/throttled.url")"
fi
status=0
./.build/release/topology-bench --endpoint-url "$(cat "$dir/plain.url")" "${extra[@]}" "$@" || status=$?
stop
trap - EXIT
exit "$status"
