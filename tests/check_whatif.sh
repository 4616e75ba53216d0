#!/bin/sh
# The what-if helpers (reallocate, scale, compare; scripts/whatif.lua and
# scripts/scenario.lua): the module checks of tests/whatif/whatif.lua, then
# through the command: a budget move leaves the "spend" metric and the
# spend series bitwise unchanged while the channels' spends change, a file
# returning compare{...} runs as a comparison, and --set on a rate per
# channel. (Broken what-ifs are under tests/bad/, checked with the others.)
BUILD=${BUILD:-build}
FC="$BUILD/funnelcast"
cd "$(dirname "$0")/.." || exit 1
. "$(dirname "$0")/support/checks.sh"

lua5.4 tests/whatif/whatif.lua "$BUILD" && ok || bad "tests/whatif/whatif.lua"

# the same total spend, bit for bit, before and after a move of cents
"$FC" run tests/whatif/base.lua --format json --trials 500 > "$tmp/base.json" &&
  "$FC" run tests/whatif/moved.lua --format json --trials 500 > "$tmp/moved.json" && ok || bad "run base.lua / moved.lua"
/usr/bin/python3 - "$tmp/base.json" "$tmp/moved.json" <<'PY' && ok || bad "reallocate: spend metric and series unchanged"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for k in ("mean", "min", "max", "p50"):
    assert a["metrics"]["spend"][k] == b["metrics"]["spend"][k], ("spend", k, a["metrics"]["spend"][k], b["metrics"]["spend"][k])
for pa, pb in zip(a["series"]["spend"], b["series"]["spend"]):
    assert pa["mean"] == pb["mean"], ("period", pa["period"], pa["mean"], pb["mean"])
sa, sb = a["channels"]["social"]["spend"]["mean"], b["channels"]["social"]["spend"]["mean"]
assert sb < sa * 0.8, ("social's spend did not move", sa, sb)
assert b["channels"]["search"]["spend"]["mean"] > a["channels"]["search"]["spend"]["mean"]
PY

# a file returning compare{ base, alt, alt2 } runs the three side by side
"$FC" run tests/whatif/compare.lua --format json --trials 300 > "$tmp/cmp.json" && ok || bad "run compare.lua"
/usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert [s["scenario"] for s in d["scenarios"]] == ["whatif-base", "to-search", "to-social"], d.keys()
assert d["scenarios"][0]["metrics"]["spend"]["mean"] == d["scenarios"][1]["metrics"]["spend"]["mean"]
' "$tmp/cmp.json" && ok || bad "compare.lua: three scenarios with the same spend"

# --set on a stage with a rate per channel: one rate is refused, the keys work
S=scenarios/b2b_events_sales_cycle.lua
"$FC" run "$S" --trials 100 --set funnel.mql.rate=0.4 > "$tmp/out" 2> "$tmp/err"
st=$?
want="funnelcast: --set funnel.mql.rate=0.4: funnel[3].rate: expected funnel.mql.rate.default (the channels without a rate of their own) or funnel.mql.rate.<channel> (events), got 0.4, which would replace the stage's rates per channel"
if [ "$st" = 2 ] && [ "$(cat "$tmp/err")" = "$want" ] && [ ! -s "$tmp/out" ]; then ok
else bad "--set funnel.mql.rate=0.4: status $st"; echo "  want: $want"; echo "  got:  $(cat "$tmp/err")"; fi
"$FC" run "$S" --trials 100 --set 'funnel.mql.rate.default=beta(3, 7)' --set funnel.mql.rate.events=0.6 > /dev/null &&
  ok || bad "--set funnel.mql.rate.default / .events"
"$FC" run "$S" --trials 100 --set funnel.lead.rate.search=0.03 > /dev/null && ok || bad "--set funnel.lead.rate.search on a single rate"

finish whatif
