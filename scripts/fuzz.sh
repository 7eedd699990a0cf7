#!/bin/sh
# Builds the libFuzzer targets of Tests/Fuzz and runs each for a fixed number of inputs, from
# its committed seed corpus and with a fixed seed, so `make test` runs the same inputs every
# time. Everything is built in .build-fuzz, instrumented (-sanitize=fuzzer,address), apart
# from the normal build. The library modules are built by SwiftPM; each target is one harness
# file linked against them by swiftc, since libFuzzer brings its own main.
#
#   sh scripts/fuzz.sh             # all targets, each for its own number of inputs
#   FUZZ_RUNS=1000000 sh scripts/fuzz.sh json-reader    # longer, one target
#
# The default counts take about 10-15 s per target on a 2-core machine (the targets differ
# in speed by 20 times: the config target parses each input five ways).
#
# A property that fails stops the run: the input is saved as .build-fuzz/fuzz/TARGET-crash-*
# and can be replayed with `.build-fuzz/fuzz/TARGET FILE`.
set -eu
SWIFT=${SWIFT:-swift}
SWIFTC=${SWIFTC:-swiftc}
SCRATCH=.build-fuzz
OUT=$SCRATCH/fuzz
SANITIZE=-sanitize=fuzzer,address
TARGETS=${*:-json-reader response-decoder shared-config}
mkdir -p "$OUT"
# The same inputs every run: a fixed seed, a fresh working corpus, no time-based corpus
# reload, Swift's hashing made deterministic, and no address randomisation (libFuzzer feeds
# compared values, pointers among them, back into its mutations).
NO_ASLR=""
if setarch "$(uname -m)" -R true 2>/dev/null; then NO_ASLR="setarch $(uname -m) -R"; fi

needs_library=false
for t in $TARGETS; do [ "$t" = json-reader ] || needs_library=true; done
if $needs_library; then
  $SWIFT build --scratch-path "$SCRATCH" --target LatticeKit -Xswiftc $SANITIZE -Xswiftc -enable-testing 2>&1 | grep -Ev '^\[[0-9]+/[0-9]+\]' || true
  BIN=$($SWIFT build --scratch-path "$SCRATCH" --show-bin-path)
  [ -f "$BIN/Modules/LatticeKit.swiftmodule" ] || { echo "fuzz: the instrumented LatticeKit did not build" >&2; exit 1; }
  LIBRARY="-I $BIN/Modules -I Sources/CCurl -I Sources/CCrypto $BIN/LatticeKit.build/*.o $BIN/SigV4.build/*.o $BIN/Logging.build/*.o -lcurl -lcrypto"
fi

build() {  # target, harness, extra sources and flags
  target=$1; harness=$2; shift 2
  # shellcheck disable=SC2086
  $SWIFTC $SANITIZE -use-ld=lld -g -swift-version 6 -warnings-as-errors -parse-as-library -module-name "Fuzz_$(echo "$target" | tr - _)" \
    "Tests/Fuzz/$harness" "$@" -o "$OUT/$target"
}

for t in $TARGETS; do
  case $t in
    json-reader) build "$t" JSONReader.swift Sources/lattice/JSON.swift Sources/lattice/Terminal.swift; runs=200000 ;;
    # shellcheck disable=SC2086
    response-decoder) build "$t" ResponseDecoder.swift $LIBRARY; runs=50000 ;;
    # shellcheck disable=SC2086
    shared-config) build "$t" SharedConfig.swift $LIBRARY; runs=15000 ;;
    *) echo "fuzz: unknown target $t (json-reader, response-decoder, shared-config)" >&2; exit 2 ;;
  esac
  rm -rf "$OUT/corpus-$t"
  mkdir -p "$OUT/corpus-$t"
  # shellcheck disable=SC2086
  SWIFT_BACKTRACE=enable=no SWIFT_DETERMINISTIC_HASHING=1 $NO_ASLR "$OUT/$t" -seed=1 -runs="${FUZZ_RUNS:-$runs}" -reload=0 \
    -max_len=4096 -timeout=10 -rss_limit_mb=2048 -detect_leaks=0 \
    -print_final_stats=1 -artifact_prefix="$OUT/$t-" "$OUT/corpus-$t" "Tests/Fuzz/Corpus/$t" > "$OUT/$t.log" 2>&1 || {
    tail -40 "$OUT/$t.log" >&2
    echo "fuzz: $t found an input that breaks a property (saved as $OUT/$t-crash-*; log $OUT/$t.log)" >&2
    exit 1
  }
  executed=$(sed -n 's/^stat::number_of_executed_units: *//p' "$OUT/$t.log")
  seconds=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$OUT/$t.log")
  corpus=$(ls "$OUT/corpus-$t" | wc -l)
  echo "fuzz $t: $executed inputs in ${seconds:-?} s, no property broken ($corpus new corpus entries; seed 1)"
done
