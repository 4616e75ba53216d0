#!/bin/sh
# Lean runs (fc.evaluate: core.evaluate, fc_shape_lean summaries and the
# engine's work_needs): tests/lean/lean.lua checks that every goal's
# probability and met count and every stat of the goals' values and of the
# named metrics are exactly those of a full fc.run of the same scenario (the
# scenarios of scenarios/ and tests/good/, and small ones that take every
# path of the engine), on 1 and 2 threads and several trial counts; that
# scenarios evaluated together get the figures they get alone; and the
# errors of bad arguments.
BUILD=${BUILD:-build}
cd "$(dirname "$0")/.." || exit 1
. "$(dirname "$0")/support/checks.sh"

lua5.4 tests/lean/lean.lua "$BUILD" > "$tmp/out" && ok || bad "tests/lean/lean.lua"
cat "$tmp/out"
# the script ran to its end, with its thousands of checks (not a few)
n=$(sed -n 's/^lean: \([0-9]*\) checks, [0-9]* failed$/\1/p' "$tmp/out")
[ -n "$n" ] && [ "$n" -ge 10000 ] && ok || bad "tests/lean/lean.lua: expected its summary line with at least 10000 checks, got '${n}'"

finish lean
