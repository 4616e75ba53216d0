#!/bin/sh
# B1 against an independent implementation of the same model in numpy
# (bench/b1_numpy.py): every mean within 4 standard errors, P10/P50/P90
# within 2%, goal probabilities within 4 standard errors, series included.
BUILD=${BUILD:-build}
TRIALS=${TRIALS:-200000}
if ! /usr/bin/python3 -c 'import numpy' 2>/dev/null; then
  echo "B1 vs numpy: SKIPPED (needs python3-numpy: apt-get install python3-numpy)"
  exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$BUILD/funnelcast" run scenarios/b2b_saas_inbound.lua --trials "$TRIALS" --format json -o "$tmp/fc.json" || exit 1
/usr/bin/python3 bench/b1_numpy.py --trials "$TRIALS" --seed 7 --json "$tmp/np.json" > /dev/null 2>&1 || exit 1
/usr/bin/python3 bench/compare_b1.py --series "$tmp/fc.json" "$tmp/np.json" > "$tmp/cmp.txt"
st=$?
grep -v ' ok$' "$tmp/cmp.txt" | tail -20
exit $st
