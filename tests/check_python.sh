#!/bin/sh
# The Python package (python/funnelcast, ctypes over the public C API) with
# Debian's python3: runs, results as DataFrames (where pandas is installed)
# or lists of dicts, the decisions, errors as exceptions with the file:line
# message, and runs canceled from Python (another thread, a progress
# callback). python/tests/test_funnelcast.py holds the cases.
BUILD=${BUILD:-build}
cd "$(dirname "$0")/.." || exit 1
. "$(dirname "$0")/support/checks.sh"

FUNNELCAST_LIB="$BUILD/libfunnelcast.so.0.1.0" PYTHONPATH=python \
  /usr/bin/python3 -m unittest discover -v -s python/tests > "$tmp/py.out" 2>&1 && ok || bad "python/tests"
cat "$tmp/py.out"
n=$(sed -n 's/^Ran \([0-9]*\) tests.*/\1/p' "$tmp/py.out")
[ -n "$n" ] && [ "$n" -ge 7 ] && ok || bad "expected at least 7 Python tests, ran '$n'"

finish python
