#!/bin/sh
# The scenario-file API (scripts/scenario.lua) through the Lua module
# ($BUILD/funnelcast.so) from a stock lua5.4: normalized shapes of valid
# scenarios, what-ifs, and the exact message of every tests/bad/*.lua.
# Run from the repository root (messages name files as tests/bad/x.lua).
BUILD=${BUILD:-build}
cd "$(dirname "$0")/.." || exit 1
if ! command -v lua5.4 >/dev/null 2>&1; then
  echo "check_scenarios_lua: lua5.4 not found (apt-get install lua5.4)" >&2
  exit 1
fi
if [ ! -f "$BUILD/funnelcast.so" ]; then
  echo "check_scenarios_lua: $BUILD/funnelcast.so not built (make)" >&2
  exit 1
fi
exec lua5.4 tests/scenario_api.lua "$BUILD"
