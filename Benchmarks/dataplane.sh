#!/usr/bin/env bash
# dataplane.requests-per-second: requests per second through local-lattice's data plane
# (HTTP/1.1, keep-alive, routed by a listener's default action to one IP target) against the
# same target called directly: nginx on 127.0.0.1 serving a fixed body. Run by hand; not a test.
# Needs wrk and nginx (Debian packages: apt-get install -y wrk nginx).
#
# Prints, for each of the two, the median of RUNS wrk runs (DURATION each, CONNECTIONS
# connections, one wrk thread), then the ratio. PINNED=1 (the default) pins local-lattice and
# nginx to core 0 and wrk to core 1, so that the figures do not depend on where the kernel
# puts the processes; PINNED=0 measures unpinned. CONFIG=debug measures the debug build
# (no release build needed; indicative only).
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-18081}
RUNS=${RUNS:-5}
DURATION=${DURATION:-5s}
CONNECTIONS=${CONNECTIONS:-16}
PINNED=${PINNED:-1}
CONFIG=${CONFIG:-release}
if [ "$PINNED" = 1 ]; then PIN="taskset -c 0"; LOAD="taskset -c 1"; else PIN=""; LOAD=""; fi
WORK=$(mktemp -d)
cleanup() {
  kill $(cat "$WORK/nginx.pid" 2>/dev/null) 2>/dev/null || true
  [ -n "${LL_PID:-}" ] && kill "$LL_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

source Benchmarks/start-nginx.sh
if [ "$CONFIG" = release ]; then FLAGS=$(sh scripts/release-flags.sh); else FLAGS=""; fi
swift build $FLAGS --product local-lattice >/dev/null
swift build $FLAGS --product lattice >/dev/null

$PIN ./.build/$CONFIG/local-lattice --port-file "$WORK/url" --settle-seconds 0 --dataplane-map "$WORK/map.json" 2>"$WORK/local-lattice.log" &
LL_PID=$!
for _ in $(seq 100); do [ -s "$WORK/map.json" ] && break; sleep 0.05; done
API=$(cat "$WORK/url")
DP_PORT=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["httpPort"])' "$WORK/map.json")

export AWS_ACCESS_KEY_ID=AKIDBENCH AWS_SECRET_ACCESS_KEY=bench-secret AWS_REGION=us-east-1
L() { ./.build/$CONFIG/lattice --endpoint-url "$API" --output json "$@"; }
TG=$(L create-target-group --name bench-tg --type IP \
  --config "{\"port\":$PORT,\"protocol\":\"HTTP\",\"vpcIdentifier\":\"vpc-0123456789abcdef0\",\"healthCheck\":{\"path\":\"/services\",\"matcher\":{\"httpCode\":\"200\"}}}" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
SVC=$(L create-service --name bench-svc)
SVC_ID=$(echo "$SVC" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
HOST=$(echo "$SVC" | python3 -c 'import json,sys; print(json.load(sys.stdin)["dnsEntry"]["domainName"])')
L create-listener --service-identifier "$SVC_ID" --name http --protocol HTTP \
  --default-action "{\"forward\":{\"targetGroups\":[{\"targetGroupIdentifier\":\"$TG\"}]}}" >/dev/null
L register-targets --target-group-identifier "$TG" --targets "[{\"id\":\"127.0.0.1\",\"port\":$PORT}]" >/dev/null
for _ in $(seq 100); do
  curl -sf -H "Host: $HOST" "http://127.0.0.1:$DP_PORT/services" >/dev/null && break; sleep 0.05
done

rps() { # URL [Host header]: the median requests/s of RUNS wrk runs
  local samples=()
  for _ in $(seq "$RUNS"); do
    if [ -n "${2:-}" ]; then
      samples+=($($LOAD wrk -t1 -c"$CONNECTIONS" -d"$DURATION" -H "Host: $2" "$1" | awk '/Requests\/sec/ {print $2}'))
    else
      samples+=($($LOAD wrk -t1 -c"$CONNECTIONS" -d"$DURATION" "$1" | awk '/Requests\/sec/ {print $2}'))
    fi
  done
  printf '%s\n' "${samples[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p"
}
direct=$(rps "$URL/services")
proxied=$(rps "http://127.0.0.1:$DP_PORT/services" "$HOST")
echo "{\"name\": \"dataplane.direct\", \"requests_per_second\": $direct, \"runs\": $RUNS, \"pinned\": $PINNED, \"config\": \"$CONFIG\"}"
echo "{\"name\": \"dataplane.proxied\", \"requests_per_second\": $proxied, \"runs\": $RUNS, \"pinned\": $PINNED, \"config\": \"$CONFIG\"}"
python3 -c 'import sys; d, p = float(sys.argv[1]), float(sys.argv[2]); print(f"through the data plane: {p / d:.2f} of direct ({d / p:.1f}x slower)")' "$direct" "$proxied"
