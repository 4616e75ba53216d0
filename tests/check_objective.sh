#!/bin/sh
# Objective-only runs (fc.evaluate's objective; core/engine.c marginal_trial):
# tests/objective/objective.lua checks their law against a Poisson computed
# by hand and against full runs, that they fall back to exact lean runs
# where the law does not allow them, common random numbers across
# candidates and threads, plan and optimize on them, and the errors.
BUILD=${BUILD:-build}
cd "$(dirname "$0")/.." || exit 1
. "$(dirname "$0")/support/checks.sh"

lua_checks objective tests/objective/objective.lua 150

finish objective
