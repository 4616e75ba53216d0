#!/bin/sh
# Runs the whole suite: every cmocka binary built from tests/test_*.c, then
# every script tests/check_*.sh (scenario-level and cross-checks against
# numpy/scipy). Prints each one's own output (cmocka's summary lines included)
# and fails when any of them fails.
BUILD=${BUILD:-build}
export BUILD
failed=""
for t in "$BUILD"/tests/test_*; do
  [ -x "$t" ] || continue
  echo "== $t"
  "$t" || failed="$failed $t"
done
for s in tests/check_*.sh; do
  [ -f "$s" ] || continue
  # SKIP_CHECKS names checks to leave out (the sanitizer pass skips the
  # statistical cross-checks against numpy/scipy: they exercise no code path
  # the other checks do not)
  case " $SKIP_CHECKS " in *" $(basename "$s" .sh) "*) echo "== $s: skipped here"; continue ;; esac
  echo "== $s"
  t0=$(date +%s)
  sh "$s" || failed="$failed $s"
  echo "== $s: $(($(date +%s) - t0)) s"
done
if [ -n "$failed" ]; then
  echo "FAILED:$failed"
  exit 1
fi
echo "all tests passed"
