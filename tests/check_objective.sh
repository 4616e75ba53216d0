#!/bin/sh
# Objective-only runs (fc.evaluate's objective; core/engine.c marginal_trial):
# tests/objective/objective.lua checks their law against a Poisson computed
# by hand and against full runs, that they fall back to exact lean runs
# where the law does not allow them, common random numbers across
# candidates and threads, plan and optimize on them, and the errors.
BUILD=${BUILD:-build}
cd "$(dirname "$0")/.." || exit 1
. "$(dirname "$0")/support/checks.sh"

lua5.4 tests/objective/objective.lua "$BUILD" > "$tmp/out" && ok || bad "tests/objective/objective.lua"
cat "$tmp/out"
n=$(sed -n 's/^objective: \([0-9]*\) checks, [0-9]* failed$/\1/p' "$tmp/out")
[ -n "$n" ] && [ "$n" -ge 150 ] && ok || bad "tests/objective/objective.lua: expected its summary line with at least 150 checks, got '${n}'"

finish objective
