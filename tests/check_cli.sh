#!/bin/sh
# The command line as a user meets it: broken scenarios (tests/bad/ and
# tests/bad_cli/, each naming its expected message on its first line),
# usage errors, exit statuses, whole-or-nothing output files, and
# byte-identical results across thread counts and repeated runs.
BUILD=${BUILD:-build}
FC="$BUILD/funnelcast"
B1=scenarios/b2b_saas_inbound.lua
. "$(dirname "$0")/support/checks.sh"

# expect_error STATUS MESSAGE -- ARGS...: status, exact stderr, empty stdout
expect_error() {
  want_st=$1 want_msg=$2
  shift 3
  "$FC" "$@" > "$tmp/out" 2> "$tmp/err"
  st=$?
  if [ "$st" = "$want_st" ] && [ "$(cat "$tmp/err")" = "$want_msg" ] && [ ! -s "$tmp/out" ]; then ok
  else bad "funnelcast $*: status $st (want $want_st)"; echo "  want: $want_msg"; echo "  got:  $(cat "$tmp/err")"; fi
}

for f in tests/bad/*.lua tests/bad_cli/*.lua; do
  expect=$(sed -n '1s/^-- expect: //p' "$f")
  expect_error 2 "funnelcast: $expect" -- run "$f" --trials 100
done

expect_error 2 "funnelcast: nofile.lua: cannot open the scenario file (No such file or directory)" -- run nofile.lua
expect_error 2 "funnelcast: --trials 0: expected an integer in [1, 1e12]
(see funnelcast --help)" -- run "$B1" --trials 0
expect_error 2 "funnelcast: --trials 2.5e2x: expected an integer in [1, 1e12]
(see funnelcast --help)" -- run "$B1" --trials 2.5e2x
expect_error 2 "funnelcast: --trials 1.5: expected an integer in [1, 1e12]
(see funnelcast --help)" -- run "$B1" --trials 1.5
# check: a one-period delay reads as such, a spread of delays as its range
"$FC" check "$B1" | grep -q '^  5\. customer   rate beta(25, 75); delay 1 period$' && ok || bad "check: delay = 1 reads '1 period'"
"$FC" check scenarios/b2b_events_sales_cycle.lua | grep -q 'delay 0 to 18 periods, mean 3\.00' && ok || bad "check: a spread of delays"
# check --format json: the normalized scenario and its random assumptions
"$FC" check "$B1" --format json > "$tmp/check.json" && /usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["random_assumptions"] == 9 and d["scenario"]["name"] == "inbound-2027", d.keys()
assert [s["name"] for s in d["scenario"]["stages"]] == ["visitor", "lead", "mql", "sql", "customer"]
' "$tmp/check.json" && ok || bad "check --format json"
# ltv_cac of a trial without customers is not a number (counted as not
# finite, as its CAC), not 0; it meets no goal
cat > "$tmp/nocust.lua" <<'LUA'
return scenario {
  periods = 3, trials = 2000,
  channels = { search = { spend = 100, cpc = 2 } },
  funnel = { { "visitor" }, { "customer", rate = 0.01 } },
  customers = { initial = 10, arpu = 100, churn = 0.02 },
  goals = { goal{ name = "ratio", metric = "ltv_cac", at_least = 1 } },
}
LUA
"$FC" run "$tmp/nocust.lua" --format json > "$tmp/nocust.json" && /usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
m, cac = d["metrics"]["ltv_cac"], d["metrics"]["cac"]
assert cac["infinite"] > 0 and m["infinite"] == cac["infinite"] and m["min"] > 0, (m, cac["infinite"])
assert abs(d["goals"][0]["probability"] - (2000 - cac["infinite"]) / 2000) < 1e-12
' "$tmp/nocust.json" && ok || bad "ltv_cac without customers: not finite, counted"
# whole numbers in exponent form, as the messages write 1e12
"$FC" run "$B1" --trials 2.5e3 --threads 2e0 | head -1 | grep -q '2,500 trials' && ok || bad "--trials 2.5e3"
expect_error 2 "funnelcast: --format xml: expected one of text, json, csv, html" -- run "$B1" --format xml
expect_error 2 "funnelcast: --lang de: expected one of en, fr" -- run "$B1" --lang de
expect_error 2 "funnelcast: check: --format csv: expected text or json" -- check "$B1" --format csv
expect_error 2 "funnelcast: unknown option or missing value: '--trails'
(see funnelcast --help)" -- run "$B1" --trails 10
expect_error 2 "funnelcast: --set channels.search.spend=-5: channels.search.spend: expected a number >= 0, got -5" -- run "$B1" --set channels.search.spend=-5
"$FC" frobnicate > /dev/null 2>&1; [ $? = 2 ] && ok || bad "unknown command: status"
"$FC" --version | grep -q '^funnelcast 0\.1\.0$' && ok || bad "--version"
"$FC" --help | grep -q 'usage: funnelcast run FILE' && ok || bad "--help"

# --fail-on-goal: status 1 after the whole report when a goal is below its confidence
"$FC" run "$B1" --trials 2000 --fail-on-goal > "$tmp/out" 2> "$tmp/err"
[ $? = 1 ] && grep -q "^Goals" "$tmp/out" && [ "$(cat "$tmp/err")" = "funnelcast: 2 goals below their confidence" ] && ok ||
  bad "--fail-on-goal with goals below confidence"
"$FC" run "$B1" --trials 2000 --fail-on-goal --set goals[1].at_least=1 --set goals[2].at_most=1e6 > /dev/null 2>&1 &&
  ok || bad "--fail-on-goal with every goal on track"

# -o writes the whole file, or leaves what was there untouched
echo "previous" > "$tmp/report.json"
"$FC" run tests/bad/rate_above_one.lua -o "$tmp/report.json" 2> /dev/null
[ "$(cat "$tmp/report.json")" = "previous" ] && ok || bad "-o replaced the file on a failed run"
[ "$(ls "$tmp" | grep -c tmp)" = 0 ] && ok || bad "-o left a temporary file"
"$FC" run "$B1" --trials 2000 --format json -o "$tmp/report.json" && ok || bad "-o run failed"
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["trials"] == 2000 and d["scenario"] == "inbound-2027"' "$tmp/report.json" && ok || bad "-o output is not the JSON report"
# arrivals above the Poisson limit when several channels share a stage: drawn
# in slices, with the mean of the sum
cat > "$tmp/big.lua" <<'LUA'
return scenario {
  name = "big", periods = 2, trials = 2000, seed = 1,
  channels = { a = { spend = 600000, cpc = 1e-6 }, b = { spend = 600000, cpc = 1e-6 } },
  funnel = { { "visitor" }, { "customer", rate = 1e-9 } },
  customers = { initial = 0, churn = 0.05, arpu = 10 },
}
LUA
"$FC" run "$tmp/big.lua" --format json -o "$tmp/big.json" &&
  /usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); m=d["stages"]["visitor"]["mean"]; assert abs(m / 2.4e12 - 1) < 1e-5, m' "$tmp/big.json" &&
  ok || bad "arrivals above the Poisson limit"
# a scenario's print goes to standard error: standard output stays the report
cat > "$tmp/print.lua" <<'LUA'
print("from the script", 42, nil)
return scenario { periods = 2, trials = 500, channels = { s = { spend = 100, cpc = 1 } },
  funnel = { { "visitor" }, { "lead", rate = 0.1 } } }
LUA
for u in "" --unsafe; do
  "$FC" run "$tmp/print.lua" $u --format json > "$tmp/print.json" 2> "$tmp/print.err" &&
    /usr/bin/python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/print.json" &&
    grep -q "^from the script	42	nil$" "$tmp/print.err" && ok || bad "print in a scenario ($u)"
done
# a per-channel rate's default is one driver, not one per channel
"$FC" run scenarios/b2b_events_sales_cycle.lua --trials 2000 --format json |
  /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); a=[x["assumption"] for x in d["goals"][0]["drivers"]]; assert len(a) == len(set(a)) and "funnel.sql.rate" in a, a' &&
  ok || bad "drivers named twice"
# every goal lists the drivers: each drawn-once assumption with its thirds,
# largest swing first, the thirds' trials summing to the run's
/usr/bin/python3 - "$tmp/report.json" <<'PY' && ok || bad "drivers in the JSON report"
import json, sys
d = json.load(open(sys.argv[1]))
want = {"funnel.lead.rate", "funnel.mql.rate", "funnel.sql.rate", "funnel.customer.rate",
        "channels.search.cpc", "channels.social.cpc", "channels.events.cpc",
        "customers.churn", "winback.rate"}
for g in d["goals"]:
    dr = g["drivers"]
    assert {x["assumption"] for x in dr} == want, g["name"]
    swings = [abs(x["swing"]) for x in dr]
    assert swings == sorted(swings, reverse=True)
    for x in dr:
        assert sum(x["trials"]) == d["trials"] and x["cuts"][0] < x["cuts"][1]
        assert abs(x["swing"] - (x["high"] - x["low"])) < 1e-12 and x["se"] > 0
    assert dr[0]["assumption"] in ("funnel.lead.rate", "funnel.customer.rate") and dr[0]["swing"] > 0.3
PY

# no width or value breaks a report: long names (cut with an ellipsis in the
# text tables, whole in JSON), huge values
w=tests/reports/wide_cells.lua
"$FC" run "$w" --trials 300 > "$tmp/wide.txt" 2> "$tmp/err" && grep -q '^gggg*…  ' "$tmp/wide.txt" && grep -q '^    revenue >= 1e+300 by month 12' "$tmp/wide.txt" &&
  [ "$(awk '{ if (length($0) > m) m = length($0) } END { print m }' "$tmp/wide.txt")" -lt 400 ] && ok ||
  bad "text report of wide cells: $(cat "$tmp/err")"
"$FC" run "$w" --trials 300 --format json > "$tmp/wide.json" &&
  /usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["goals"][0]["name"]) == 100' "$tmp/wide.json" &&
  ok || bad "JSON report of wide cells"
"$FC" check "$w" > /dev/null && ok || bad "check of wide cells"

# a fault of the library itself is status 3, not 2 (bad input)
"$FC" run tests/reports/internal_fault.lua --unsafe --trials 100 > /dev/null 2> "$tmp/err"
[ $? = 3 ] && grep -q '^funnelcast: internal error (please report it): \[funnelcast\] scripts/report.lua:' "$tmp/err" && ok ||
  bad "an internal fault: $(cat "$tmp/err")"

# determinism: threads 1, 2 and 3, and the same seed twice, byte for byte
for s in scenarios/*.lua; do
  "$FC" run "$s" --trials 3000 --format json --threads 1 > "$tmp/t1" &&
  "$FC" run "$s" --trials 3000 --format json --threads 2 > "$tmp/t2" &&
  "$FC" run "$s" --trials 3000 --format json --threads 3 > "$tmp/t3" &&
  "$FC" run "$s" --trials 3000 --format json --threads 2 > "$tmp/t2b" || { bad "$s did not run"; continue; }
  cmp -s "$tmp/t1" "$tmp/t2" && cmp -s "$tmp/t1" "$tmp/t3" && ok || bad "$s: JSON differs between thread counts"
  cmp -s "$tmp/t2" "$tmp/t2b" && ok || bad "$s: JSON differs between two runs with the same seed"
  "$FC" run "$s" --trials 3000 --format json --seed 99 > "$tmp/s99"
  cmp -s "$tmp/t1" "$tmp/s99" && bad "$s: another seed gave the same JSON" || ok
done

finish cli
