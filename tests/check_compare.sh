#!/bin/sh
# Comparisons through the command (issue 10): funnelcast compare FILE...,
# run on a file returning several scenarios or compare{...}; the JSON
# contract of the differences; an exact copy and a copy that only tracks
# channels give zero differences; the scenarios' own figures are the ones
# each gives alone; --precision covers the differences; errors name the
# scenario, file and line and exit 2 leaving no output. (The engine's
# pairing is checked exactly in tests/test_paired.c, threads and shards in
# tests/check_cli.sh and tests/check_shards.sh.)
BUILD=${BUILD:-build}
FC="$BUILD/funnelcast"
PY=/usr/bin/python3
cd "$(dirname "$0")/.." || exit 1
. "$(dirname "$0")/support/checks.sh"
T=tests/compare

# compare FILE FILE: the contract's keys
"$FC" compare $T/base.lua $T/alt.lua --format json -o "$tmp/c.json" && ok || bad "compare base alt"
$PY - "$tmp/c.json" <<'PY' && ok || bad "compare JSON contract"
import json, sys
d = json.load(open(sys.argv[1]))
assert [s["scenario"] for s in d["scenarios"]] == ["base", "more search"]
(x,) = d["differences"]
assert x["scenario"] == "more search" and x["against"] == "base"
m = x["metrics"]
for k in ["new_customers", "churned", "won_back", "active_end", "revenue", "gross_margin", "spend",
          "funnel_cost", "winback_cost", "cac", "ltv", "ltv_cac", "roi", "payback"]:
    for key in ["mean", "sd", "min", "max", "p5", "p10", "p25", "p50", "p75", "p90", "p95", "better", "ties"]:
        assert key in m[k], (k, key)
    assert 0 <= m[k]["better"] + m[k]["ties"] <= 1
assert m["spend"]["direction"] == "lower" and m["new_customers"]["direction"] == "higher"
# the move keeps the total spend: the same in every trial
assert m["spend"]["ties"] == 1 and m["spend"]["mean"] == 0
(g,) = x["goals"]
a, b = d["scenarios"]
assert g["name"] == "40 customers"
assert g["probability"] == b["goals"][0]["probability"] and g["against"] == a["goals"][0]["probability"]
assert abs(g["difference"] - (g["probability"] - g["against"])) < 1e-15
assert 0 < g["se"] < 0.5 * ((a["goals"][0]["probability"] * (1 - a["goals"][0]["probability"]) +
                             b["goals"][0]["probability"] * (1 - b["goals"][0]["probability"])) / d["scenarios"][0]["trials"]) ** 0.5
assert set(x["stages"]) == {"visitor", "lead", "customer"} and set(x["stage_costs"]) == set(x["stages"])
assert x["channels"]["events"]["spend"]["mean"] < 0 < x["channels"]["search"]["spend"]["mean"]
# stages and channels: the change of the mean and of the median
for k, s in x["stages"].items():
    assert set(s) == {"mean", "p50"}
    assert abs(s["mean"] - (b["stages"][k]["mean"] - a["stages"][k]["mean"])) <= 1e-9 * max(1, abs(a["stages"][k]["mean"]))
    assert s["p50"] == b["stages"][k]["p50"] - a["stages"][k]["p50"]
for k, s in x["stage_costs"].items():
    assert s["p50"] == b["stage_costs"][k]["p50"] - a["stage_costs"][k]["p50"]
for ch, figs in x["channels"].items():
    for f, s in figs.items():
        assert s["p50"] == b["channels"][ch][f]["p50"] - a["channels"][ch][f]["p50"]
# the mean difference is the difference of the means
for k in ["new_customers", "revenue"]:
    assert abs(m[k]["mean"] - (b["metrics"][k]["mean"] - a["metrics"][k]["mean"])) <= 1e-9 * max(1, abs(a["metrics"][k]["mean"]))
PY

# the scenarios' own figures are the ones each gives alone
"$FC" run $T/base.lua --format json -o "$tmp/a.json" && "$FC" run $T/alt.lua --format json -o "$tmp/b.json" &&
$PY - "$tmp/c.json" "$tmp/a.json" "$tmp/b.json" <<'PY' && ok || bad "own figures as alone"
import json, sys
c, a, b = (json.load(open(f)) for f in sys.argv[1:])
for mine, alone in zip(c["scenarios"], [a, b]):
    for k in ["metrics", "stages", "stage_costs", "channels", "series", "goals"]:
        assert mine[k] == alone[k], k
PY

# an exact copy and a copy that only tracks channels: every total's difference zero
"$FC" run $T/copies.lua --format json -o "$tmp/copies.json" && ok || bad "copies ran"
$PY - "$tmp/copies.json" <<'PY' && ok || bad "copies give zero differences"
import json, sys
d = json.load(open(sys.argv[1]))
for x in d["differences"]:
    for k, m in x["metrics"].items():
        assert m["ties"] == 1 and m["better"] == 0, (x["scenario"], k)
        assert m["mean"] in (0, None) and m["sd"] in (0, None) and m["min"] in (0, None) and m["max"] in (0, None), (x["scenario"], k)
    for s in list(x["stages"].values()) + list(x["stage_costs"].values()):
        assert s["mean"] == 0 and s["p50"] == 0
    for g in x["goals"]:
        assert g["difference"] == 0 and g["se"] == 0
tracked = d["scenarios"][2]["channels"]
assert "customers" in tracked["search"] and "customers" not in d["scenarios"][0]["channels"]["search"]
PY
"$FC" run $T/copies.lua > "$tmp/copies.txt" && grep -q "same in 100% of futures" "$tmp/copies.txt" && ok ||
  bad "text of an exact copy"

# a file returning { base, reallocate(...) }: is it better, by how much, in how many futures
"$FC" run $T/whatif.lua > "$tmp/w.txt" && grep -q "late shift: difference vs base" "$tmp/w.txt" &&
  grep -q "of futures" "$tmp/w.txt" && grep -q " pts" "$tmp/w.txt" && ok || bad "text of a what-if"
awk '{ if (length($0) > 100) { print "long: " $0; exit 1 } }' "$tmp/w.txt" && ok || bad "what-if text fits 100 columns"

# --precision stops on the differences too, and says so
"$FC" run $T/whatif.lua --precision 0.02 --format json -o "$tmp/p.json" && $PY - "$tmp/p.json" <<'PY' && ok || bad "--precision"
import json, sys
d = json.load(open(sys.argv[1]))
n = d["scenarios"][0]["trials"]
assert all(s["trials"] == n for s in d["scenarios"]) and n % 16384 == 0 and n <= 100000000
PY

# errors: exit 2, a message naming where, and no output written
"$FC" compare $T/base.lua -o "$tmp/none.json" 2> "$tmp/err"
[ $? = 2 ] && grep -q "compare: expected at least two scenarios" "$tmp/err" && [ ! -e "$tmp/none.json" ] && ok ||
  bad "compare of one scenario: $(cat "$tmp/err")"
"$FC" compare $T/base.lua $T/one.lua 2> "$tmp/err"
[ $? = 2 ] && grep -q 'expected scenarios with different names in a comparison, got "base" at positions 1 and 2' "$tmp/err" && ok ||
  bad "duplicate names: $(cat "$tmp/err")"
"$FC" run $T/fails.lua --trials 2000 -o "$tmp/none.json" 2> "$tmp/err"
[ $? = 2 ] && grep -q '^funnelcast: scenario "too much": tests/compare/fails.lua:5: channels.search: expected arrivals' "$tmp/err" &&
  [ ! -e "$tmp/none.json" ] && ok || bad "a failing alternative: $(cat "$tmp/err")"

"$FC" run $T/fails.lua --trials 2000 --shard 1/2 --partial "$tmp/none.part" 2> "$tmp/err"
[ $? = 2 ] && grep -q '^funnelcast: scenario "too much": tests/compare/fails.lua:5: channels.search: expected arrivals' "$tmp/err" &&
  [ ! -e "$tmp/none.part" ] && ok || bad "a failing alternative's shard: $(cat "$tmp/err")"

# --set applies to every scenario of a comparison
"$FC" compare $T/base.lua $T/alt.lua --set customers.arpu=200 --format json -o "$tmp/set.json" && $PY - "$tmp/c.json" "$tmp/set.json" <<'PY' && ok || bad "--set in a comparison"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
for x, y in zip(a["scenarios"], b["scenarios"]):
    assert abs(y["metrics"]["revenue"]["mean"] - 2 * x["metrics"]["revenue"]["mean"]) < 1e-6 * x["metrics"]["revenue"]["mean"]
PY

finish compare
