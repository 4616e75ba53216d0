#!/bin/sh
# The examples under valgrind memcheck on the ordinary build: every
# scenarios/*.lua run with a few thousand trials on 2 threads, `check`, and a
# shard/merge, a plan and an optimization. Any memcheck error or definite/indirect leak fails the run.
# Run from the repository root; BUILD names the build directory.
BUILD=${BUILD:-build}
cd "$(dirname "$0")/../.." || exit 1
FC="$BUILD/funnelcast"
if ! command -v valgrind >/dev/null 2>&1; then
  echo "== valgrind: SKIPPED (apt-get install valgrind)"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
VG="valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect --track-origins=yes"
failed=0 n=0
vg() {
  n=$((n + 1))
  $VG "$@" > "$tmp/out" 2> "$tmp/err"
  st=$?
  if [ $st -ne 0 ]; then
    echo "valgrind FAILED (status $st): $*"
    cat "$tmp/err"
    failed=$((failed + 1))
  fi
}
echo "== valgrind memcheck ($BUILD/funnelcast)"
for s in scenarios/*.lua; do
  vg "$FC" run "$s" --trials 3000 --threads 2
  vg "$FC" check "$s"
done
vg "$FC" run scenarios/b2b_saas_inbound.lua --trials 3000 --threads 2 --format json -o "$tmp/r.json"
vg "$FC" run tests/good/compare.lua --trials 2000 --threads 2
vg "$FC" run scenarios/b2b_saas_inbound.lua --trials 3000 --shard 1/2 --partial "$tmp/p1" --threads 2
vg "$FC" run scenarios/b2b_saas_inbound.lua --trials 3000 --shard 2/2 --partial "$tmp/p2" --threads 2
vg "$FC" merge "$tmp/p1" "$tmp/p2"
# the decisions: lean runs of candidates, paired re-estimation
vg "$FC" plan scenarios/b2b_saas_inbound.lua --goal "200 new customers in 2027" --trials 1024 --threads 2
vg "$FC" optimize scenarios/plan_budget_split.lua --budget 30000 --channels search,social --min social=5000 --trials 1024 --threads 2
# history: a calibrated plan re-forecast with actuals (observed periods in
# the engine), a backtest
vg "$FC" run scenarios/b2b_calibrated.lua --actuals scenarios/history/b2b_ytd_2027.csv --trials 2000 --threads 2
vg "$FC" backtest scenarios/b2b_saas_inbound.lua --history scenarios/history/b2b_history.csv --train 12 --test 6 --trials 2000 --threads 2
# error paths: a bad scenario, a damaged partial (status 2 expected, no leak)
for bad in "run tests/bad/rate_above_one.lua" "run tests/bad_cli/runtime_error.lua"; do
  n=$((n + 1))
  # shellcheck disable=SC2086
  $VG "$FC" $bad > /dev/null 2> "$tmp/err"
  [ $? -eq 2 ] || { echo "valgrind FAILED: $bad"; cat "$tmp/err"; failed=$((failed + 1)); }
done
head -c 200 "$tmp/p1" > "$tmp/trunc"
n=$((n + 1))
$VG "$FC" merge "$tmp/trunc" "$tmp/p2" > /dev/null 2> "$tmp/err"
[ $? -eq 2 ] || { echo "valgrind FAILED: merge of a truncated partial"; cat "$tmp/err"; failed=$((failed + 1)); }
if [ $failed -ne 0 ]; then
  echo "valgrind: $failed of $n runs FAILED"
  exit 1
fi
echo "valgrind: $n runs, no memcheck error, no leak"
