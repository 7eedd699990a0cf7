#!/usr/bin/env bash
# The topology apply benchmark (Benchmarks/topology-bench): a release build of topology-bench
# and local-lattice, the server started with 30 ms latency on 127.0.0.1, stopped afterwards.
#   bash Benchmarks/topology-bench.sh [--runs 5] [--services 50] [--requests-per-second 50] ...
set -euo pipefail
cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-swift}
LATENCY_MS=${LATENCY_MS:-30}
$SWIFT build -c release --product topology-bench >/dev/null
$SWIFT build -c release --product local-lattice >/dev/null
dir=$(mktemp -d)
./.build/release/local-lattice --latency-ms "$LATENCY_MS" --port-file "$dir/url" --seed 15 >/dev/null 2>"$dir/stderr" &
server=$!
stop() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$dir"; }
trap stop EXIT
for _ in $(seq 1 500); do [ -s "$dir/url" ] && break; sleep 0.01; done
[ -s "$dir/url" ] || { echo "local-lattice did not start: $(cat "$dir/stderr")" >&2; exit 1; }
echo "local-lattice --latency-ms $LATENCY_MS (settle: 3 s or one look, the defaults) at $(cat "$dir/url")"
status=0
./.build/release/topology-bench --endpoint-url "$(cat "$dir/url")" "$@" || status=$?
stop
trap - EXIT
exit "$status"
