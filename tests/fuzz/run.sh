#!/bin/sh
# Runs the libFuzzer harnesses built by `make fuzz-build` (BUILD=build-fuzz).
#   sh tests/fuzz/run.sh check SECONDS   (make test: replay, then a short run)
#   sh tests/fuzz/run.sh long SECONDS    (make fuzz: a long run per harness)
# For each harness: first every input under tests/fuzz/regress/<harness>/ is
# replayed once (inputs that crashed or hung once: they must pass now), then
# it fuzzes for SECONDS with the seed corpus and the dictionary. New inputs
# go to $FUZZ_BUILD/corpus/<harness>/ (kept between runs); a crash, leak or
# timeout is written to $FUZZ_BUILD/artifacts/ and fails the run. Run from
# the repository root. Env: BUILD (the ordinary build, to make partials),
# FUZZ_BUILD, FUZZERS, JOBS (parallel fuzzing processes per harness).
mode=${1:-check}
secs=${2:-20}
BUILD=${BUILD:-build}
FUZZ_BUILD=${FUZZ_BUILD:-build-fuzz}
FUZZERS=${FUZZERS:-"fuzz_scenario fuzz_set fuzz_partial fuzz_literal"}
JOBS=${JOBS:-1}
cd "$(dirname "$0")/../.." || exit 1
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export TMPDIR="$FUZZ_BUILD/tmp"
mkdir -p "$TMPDIR" "$FUZZ_BUILD/artifacts" "$FUZZ_BUILD/seeds/fuzz_partial"

# seed partial summaries: small shards of each example (and a 1/1 "shard")
p="$FUZZ_BUILD/seeds/fuzz_partial"
for s in scenarios/*.lua; do
  b=$(basename "$s" .lua)
  [ -f "$p/$b.1of2.bin" ] || "$BUILD/funnelcast" run "$s" --trials 1500 --shard 1/2 --partial "$p/$b.1of2.bin" --threads 1 || exit 1
done
[ -f "$p/minimal.1of1.bin" ] || "$BUILD/funnelcast" run tests/good/minimal.lua --trials 300 --shard 1/1 --partial "$p/minimal.1of1.bin" --threads 1 || exit 1
# and a comparison's (several summaries: each scenario's and the differences)
[ -f "$p/compare.1of2.bin" ] || "$BUILD/funnelcast" run tests/good/compare.lua --trials 1500 --shard 1/2 --partial "$p/compare.1of2.bin" --threads 1 || exit 1

failed=""
for f in $FUZZERS; do
  bin="$FUZZ_BUILD/fuzz/$f"
  case $f in
    fuzz_scenario) seeds="scenarios tests/good tests/bad tests/bad_cli"; dict="-dict=tests/fuzz/scenario.dict" ;;
    fuzz_set)      seeds="tests/fuzz/seeds/fuzz_set"; dict="-dict=tests/fuzz/scenario.dict" ;;
    fuzz_partial)  seeds="$p"; dict="" ;;
    fuzz_literal)  seeds="tests/fuzz/seeds/fuzz_literal"; dict="" ;;
    *) echo "unknown harness $f"; exit 1 ;;
  esac
  reg="tests/fuzz/regress/$f"
  corpus="$FUZZ_BUILD/corpus/$f"
  log="$FUZZ_BUILD/$f.log"
  mkdir -p "$corpus" "$reg"
  opts="-timeout=20 -rss_limit_mb=2048 -max_len=65536 -artifact_prefix=$FUZZ_BUILD/artifacts/$f- -print_final_stats=0"
  echo "== $bin: replaying $(ls "$reg" | wc -l) regression inputs, then fuzzing ${secs}s"
  if [ -n "$(ls "$reg")" ] && ! "$bin" $opts -runs=0 "$reg" > "$log.replay" 2>&1; then
    tail -40 "$log.replay"; failed="$failed $f(regress)"; continue
  fi
  if [ "$JOBS" -gt 1 ]; then par="-fork=$JOBS -ignore_crashes=0"; else par=""; fi
  # shellcheck disable=SC2086
  if "$bin" $opts $dict $par -max_total_time="$secs" "$corpus" $seeds "$reg" > "$log" 2>&1; then
    grep -E '^Done [0-9]+ runs' "$log" | tail -1 | sed 's/^/   /'
    echo "   $(ls "$corpus" | wc -l) inputs in $corpus (log: $log)"
  else
    tail -60 "$log"
    echo "   artifact: $(ls -t "$FUZZ_BUILD"/artifacts/"$f"-* 2>/dev/null | head -1)"
    echo "   (fix it, then keep the input as a regression: cp ARTIFACT $reg/)"
    failed="$failed $f"
  fi
done
rm -rf "$TMPDIR"
if [ -n "$failed" ]; then
  echo "fuzzing FAILED:$failed"
  exit 1
fi
echo "fuzzing: no crash, leak or hang"
