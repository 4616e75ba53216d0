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

lua_checks lean tests/lean/lean.lua 10000

finish lean
