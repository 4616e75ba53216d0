#!/bin/sh
# The statistics of calibrate and backtest over histories drawn from known
# rates (scenarios/history/make_history.py, seeds 1 to 40): the rates
# recovered within their 95% credible intervals in about 95% of cases (240
# intervals: 90% to 99%), and the backtest's P10-P90 covering between 70% and
# 90% of held-out months over 30 histories (12 months to train, 12 to test).
BUILD=${BUILD:-build}
FC="$BUILD/funnelcast"
PY=/usr/bin/python3
GEN=scenarios/history/make_history.py
B2B=scenarios/b2b_saas_inbound.lua
cd "$(dirname "$0")/.." || exit 1
. "$(dirname "$0")/support/checks.sh"

# recovery of known rates: 95% credible intervals hold the truth about 95% of the time
seeds=$(seq 1 40)
for s in $seeds; do $PY "$GEN" --seed "$s" --months 24 --truth "$tmp/truth$s.json" > "$tmp/h$s.csv"; done
# shellcheck disable=SC2046
lua5.4 tests/history/recovery.lua "$BUILD" $(for s in $seeds; do echo "$tmp/h$s.csv"; done) > "$tmp/posteriors" &&
  $PY - "$tmp" "$tmp/posteriors" <<'PY' && ok || bad "recovery of known rates"
import json, re, sys
from scipy.stats import beta
tmp, path = sys.argv[1], sys.argv[2]
inside = total = 0
for line in open(path):
    f, name, a, b = line.split()
    truth = json.load(open(re.sub(r"h(\d+)\.csv$", r"truth\1.json", f)))[name]
    lo, hi = beta.ppf([0.025, 0.975], float(a), float(b))
    inside += lo <= truth <= hi
    total += 1
share = inside / total
print("history: %d of %d true rates inside their 95%% credible intervals (%.1f%%)" % (inside, total, 100 * share))
assert total == 240 and 0.90 <= share <= 0.99, share
PY

# the backtest's P10-P90 over many histories: between 70% and 90% of held-out months
for s in $(seq 1 30); do
  "$FC" backtest "$B2B" --history "$tmp/h$s.csv" --train 12 --test 12 --trials 2000 --format json > "$tmp/b$s.json" ||
    bad "backtest of history $s"
done
$PY - "$tmp" <<'PY' && ok || bad "backtest coverage over 30 histories"
import json, sys
cov, mid = [], []
for s in range(1, 31):
    b = json.load(open("%s/b%d.json" % (sys.argv[1], s)))["backtest"]
    cov.append(b["coverage"]["p10_p90"])
    mid.append(b["coverage"]["p25_p75"])
p, q = sum(cov) / len(cov), sum(mid) / len(mid)
print("history: backtest P10-P90 covered %.1f%% and P25-P75 %.1f%% of held-out months over 30 histories" % (100 * p, 100 * q))
assert 0.70 <= p <= 0.90 and 0.35 <= q <= 0.65, (p, q)
PY

finish history_stats
