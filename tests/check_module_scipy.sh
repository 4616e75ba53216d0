#!/bin/sh
# The Lua module from a stock lua5.4: `sample` for every constructor and
# regime, tested against scipy's distributions (tests/module_vs_scipy.py).
BUILD=${BUILD:-build}
export BUILD
if ! command -v lua5.4 >/dev/null || ! /usr/bin/python3 -c 'import scipy' 2>/dev/null; then
  echo "module vs scipy: SKIPPED (needs lua5.4 and python3-scipy: apt-get install lua5.4 python3-scipy)"
  exit 1
fi
lua5.4 tests/module_samples.lua 20000 | /usr/bin/python3 tests/module_vs_scipy.py
