#!/bin/sh
# Goals as plans state them: tests/goals/goals.lua checks windows (from, by,
# calendar labels), every, stage_costs, conversion, pipeline and channel
# goals, and the figures winback_rate, revenue_new, lifetime_roi,
# marketing_roi and expansion against closed forms; then the command line:
# the same goal forms from a file and from --set, in the text and JSON
# reports.
BUILD=${BUILD:-build}
cd "$(dirname "$0")/.." || exit 1
. "$(dirname "$0")/support/checks.sh"

lua_checks goals tests/goals/goals.lua 70

FC="$BUILD/funnelcast"
S=tests/goals/window.lua
"$FC" run "$S" --trials 4000 --format json > "$tmp/w.json" 2> "$tmp/w.err" && ok || bad "run $S: $(cat "$tmp/w.err")"
/usr/bin/python3 - "$tmp/w.json" <<'PY' && ok || bad "the JSON goals of $S"
import json, sys
d = json.load(open(sys.argv[1]))
g = {x["name"]: x for x in d["goals"]}
assert d["start"] == "2027-01", d.get("start")
h2 = g["leads in the second half"]
assert (h2["from"], h2["by"], h2["every"], h2["from_label"], h2["by_label"]) == (7, 12, False, "2027-07", "2027-12"), h2
assert g["100 leads every month"]["every"] is True
for k in ("mean", "p10", "p50", "p90", "infinite"):
    assert k in h2["value"] or k == "infinite", (k, h2["value"])
assert set(d["pipeline"]) == {"lead", "customer"} and set(d["conversion"]) == {"lead", "customer"}
for k in ("winback_rate", "revenue_new", "lifetime_roi", "marketing_roi"):
    assert k in d["metrics"], k
assert d["series"]["winback_rate"][0]["label"] == "2027-01"
PY
"$FC" run "$S" --trials 4000 > "$tmp/w.txt" 2>&1 && ok || bad "text run of $S"
grep -q "lead >= 850 Jul 2027 to Dec 2027" "$tmp/w.txt" && ok || bad "the text report shows a window: $(grep lead "$tmp/w.txt" | head -3)"
grep -q "lead >= 100 every month" "$tmp/w.txt" && ok || bad "the text report shows every"
# --set reaches every new field of a goal
"$FC" run "$S" --trials 4000 --format json --set goals[1].from=2027-10 --set goals[1].every=true \
  --set goals[2].metric=stage_costs.lead > "$tmp/s.json" 2> "$tmp/s.err" && ok || bad "--set on goals: $(cat "$tmp/s.err")"
/usr/bin/python3 - "$tmp/s.json" <<'PY' && ok || bad "--set changed the goals"
import json, sys
g = json.load(open(sys.argv[1]))["goals"]
assert (g[0]["from"], g[0]["every"], g[1]["metric"]) == (10, True, "stage_costs.lead"), g[:2]
PY
# a bad window: the file, the field, what was expected, exit 2, nothing written
"$FC" run "$S" --set goals[1].from=2028-02 -o "$tmp/none.json" --format json > /dev/null 2> "$tmp/e.err"
[ $? = 2 ] && ok || bad "a window past the horizon exits 2"
grep -q "goals\[1\].from: expected a period within the scenario (2027-01 to 2027-12)" "$tmp/e.err" && ok || bad "its message: $(cat "$tmp/e.err")"
[ ! -e "$tmp/none.json" ] && ok || bad "no output written on a bad goal"
"$FC" check "$S" > "$tmp/c.txt" 2>&1 && grep -q "leads in the second half: lead >= 850 2027-07 to 2027-12" "$tmp/c.txt" && ok || bad "check shows the window: $(grep second "$tmp/c.txt")"

finish goals
