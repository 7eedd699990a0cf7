#!/usr/bin/env bash
# JSON objects of N keys through the lattice CLI (issue 11, item 2): seconds for N = 10k, 80k
# and 1M keys, as JSON lines {"name", "keys", "seconds"} ("seconds": null when a run did not
# finish within LIMIT seconds).
#
#   in-process.<stage>  the CLI's own JSON reader, output shaper and printers, compiled with
#                       `swiftc -O` from SOURCES (default Sources/lattice) with
#                       Benchmarks/json-objects/main.swift: parse, shape, and print as
#                       json, text and table, each stage timed alone
#   cli.<output>        the whole CLI path: `lattice list-tags-for-resource --output <output>`
#                       against a loopback server (Benchmarks/json_body_server.py) answering
#                       {"tags": {N keys}} (1M keys is 21 MB, under the 32 MiB response cap)
#   cli.input-json      `lattice tag-resource --cli-input-json file://...` with N tags: read,
#                       parse and build the input (the library's validation then refuses more
#                       than 50 tags, exit 252; nothing is sent)
#
# LATTICE=path measures that binary instead of building .build/release/lattice (as `make cli`
# does); SOURCES=dir compiles the in-process driver from other CLI sources (a checkout of an
# older commit: `git worktree add /tmp/old <commit>` then SOURCES=/tmp/old/Sources/lattice).
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${SIZES:-10000 80000 1000000}
LIMIT=${LIMIT:-60}
SOURCES=${SOURCES:-Sources/lattice}
WORK=$(mktemp -d)
trap 'kill $(cat "$WORK/server.pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$WORK"' EXIT

if [ -z "${LATTICE:-}" ]; then
  swift build $(sh scripts/release-flags.sh) --product lattice >/dev/null
  LATTICE=.build/release/lattice
fi
# Terminal.swift (where Console lives now) is absent from older sources.
swiftc -O -o "$WORK/driver" "$SOURCES/JSON.swift" "$SOURCES/Output.swift" $(ls "$SOURCES/Terminal.swift" 2>/dev/null) \
  "$SOURCES"/Generated/*.swift Benchmarks/json-objects/main.swift

python3 Benchmarks/json_body_server.py "$WORK/body.json" "$WORK/port" & echo $! > "$WORK/server.pid"
for _ in $(seq 100); do [ -s "$WORK/port" ] && break; sleep 0.05; done
URL="http://127.0.0.1:$(cat "$WORK/port")"
export AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY AWS_DEFAULT_REGION=us-east-1
export AWS_CONFIG_FILE="$WORK/none" AWS_SHARED_CREDENTIALS_FILE="$WORK/none" AWS_MAX_ATTEMPTS=1
ARN=arn:aws:vpc-lattice:us-east-1:123456789012:service/svc-0123456789abcdef0

timed() {  # timed NAME KEYS COMMAND...: wall seconds of one run, null past LIMIT
  local name=$1 keys=$2; shift 2
  local s e status=0
  s=$(date +%s%N)
  timeout "$LIMIT" "$@" >/dev/null 2>"$WORK/stderr" || status=$?
  e=$(date +%s%N)
  if [ "$status" = 124 ]; then
    echo "{\"name\": \"$name\", \"keys\": $keys, \"seconds\": null, \"note\": \"did not finish in $LIMIT s\"}"
  else
    echo "{\"name\": \"$name\", \"keys\": $keys, \"seconds\": $(awk "BEGIN{printf \"%.3f\", ($e-$s)/1e9}"), \"exit\": $status}"
  fi
}

for n in $SIZES; do
  for stage in parse shape json text table; do
    timeout "$LIMIT" "$WORK/driver" "$n" "$stage" ||
      echo "{\"name\": \"in-process.$stage\", \"keys\": $n, \"seconds\": null, \"note\": \"did not finish in $LIMIT s\"}"
  done
  python3 -c "import json,sys; n=int(sys.argv[1]); print(json.dumps({'tags': {'k%d' % i: 'v%d' % i for i in range(n)}}, separators=(',', ':')))" "$n" > "$WORK/body.json"
  for output in json text table; do
    timed "cli.$output" "$n" "$LATTICE" list-tags-for-resource --resource-arn "$ARN" --endpoint-url "$URL" --output "$output"
  done
  python3 -c "import json,sys; n=int(sys.argv[1]); print(json.dumps({'resourceArn': sys.argv[2], 'tags': {'k%d' % i: 'v%d' % i for i in range(n)}}))" "$n" "$ARN" > "$WORK/input.json"
  timed cli.input-json "$n" "$LATTICE" tag-resource --cli-input-json "file://$WORK/input.json" --endpoint-url "$URL"
done
