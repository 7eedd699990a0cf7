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

BODY='{"items":[{"arn":"arn:aws:vpc-lattice:us-east-1:123456789012:service/svc-0123456789abcdef0","createdAt":"2026-11-21T12:00:00.123Z","dnsEntry":{"domainName":"provider-svc-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-east-1.on.aws","hostedZoneId":"Z0123456789ABCDEFGHIJ"},"id":"svc-0123456789abcdef0","lastUpdatedAt":"2026-11-21T12:00:00.123Z","name":"provider-svc","status":"ACTIVE"}]}'
cat > "$WORK/nginx.conf" <<CONF
daemon on;
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/error.log;
events { worker_connections 64; }
http {
  access_log off;
  keepalive_requests 10000000;
  keepalive_timeout 120s;
  client_body_temp_path $WORK;
  proxy_temp_path $WORK;
  fastcgi_temp_path $WORK;
  uwsgi_temp_path $WORK;
  scgi_temp_path $WORK;
  server {
    listen 127.0.0.1:$PORT;
    location = /services { default_type application/json; return 200 '$BODY'; }
  }
}
CONF
$PIN nginx -c "$WORK/nginx.conf" -p "$WORK"
URL="http://127.0.0.1:$PORT"
for _ in $(seq 50); do curl -sf "$URL/services" >/dev/null && break; done

swift build -c release --product lattice-bench >/dev/null
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
