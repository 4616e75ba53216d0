#!/bin/sh
# History files, calibrate, backtest and --actuals (README.md, "History
# files", "Calibrating from history", "Backtest", "Tracking the year"): the
# reader, posteriors and updates through the module (tests/history/
# history.lua); every malformed file of tests/history/bad with its exact
# message, status 2 and no output; calibrate's files held to the scenario's
# folder; the backtest and actuals commands and their JSON keys. Their
# statistics over many histories: tests/check_history_stats.sh.
BUILD=${BUILD:-build}
FC="$BUILD/funnelcast"
PY=/usr/bin/python3
B2B=scenarios/b2b_saas_inbound.lua
cd "$(dirname "$0")/.." || exit 1
. "$(dirname "$0")/support/checks.sh"

lua_checks history tests/history/history.lua 90

# malformed files: status 2, nothing on standard output or in -o, the message exact
n=0
for f in tests/history/bad/*.csv; do
  n=$((n + 1))
  "$FC" run "$B2B" --trials 100 --actuals "$f" -o "$tmp/out.txt" > "$tmp/stdout" 2> "$tmp/stderr"
  st=$?
  [ "$st" = 2 ] && ok || bad "$f: exit status $st, expected 2"
  [ ! -s "$tmp/stdout" ] && [ ! -e "$tmp/out.txt" ] && ok || bad "$f: output written"
  cmp -s "$tmp/stderr" "${f%.csv}.expected" && ok || bad "$f: got '$(cat "$tmp/stderr")', expected '$(cat "${f%.csv}.expected")'"
done
[ "$n" -ge 15 ] && ok || bad "expected at least 15 malformed files, got $n"

# calibrate reads inside the scenario's folder only, regular files only
mkdir "$tmp/in" "$tmp/in/dir.csv"
cp "$B2B" "$tmp/in/b.lua"
cp scenarios/history/b2b_history.csv "$tmp/in/h.csv"
cp scenarios/history/b2b_history.csv "$tmp/outside.csv"
ln -s ../outside.csv "$tmp/in/link.csv"
mkfifo "$tmp/in/fifo.csv"
refused() { # ARGS MESSAGE
  printf 'local b = include "b.lua"\nreturn b:with(calibrate(%s))\n' "$1" > "$tmp/in/s.lua"
  timeout 20 "$FC" run "$tmp/in/s.lua" --trials 100 > "$tmp/stdout" 2> "$tmp/stderr"
  st=$?
  [ "$st" = 2 ] && [ ! -s "$tmp/stdout" ] && grep -qF -- "$2" "$tmp/stderr" && ok ||
    bad "calibrate($1): status $st, '$(cat "$tmp/stderr")', expected '$2'"
}
refused '"../outside.csv"' 's.lua:2: calibrate "../outside.csv": expected a path inside this file'"'"'s folder'
refused "\"$tmp/outside.csv\"" 'expected a path relative to this file'"'"'s folder, got an absolute path'
refused '"link.csv"' 'lies outside the folder of the scenario'
refused '"fifo.csv"' '(not a regular file)'
refused '"dir.csv"' '(not a regular file)'
refused '"missing.csv"' 'cannot open'
refused '"h.csv", { weight = 2 }' 'weight: expected a number in (0, 1]'
refused '"h.csv"' "h.csv:41: customer: 7 customer is more than the 6 sql before it in this row"
refused '"h.csv"' "give calibrate the lag: lags = { customer = 1 }"
sed 's/,social,/,tv,/' scenarios/history/b2b_history.csv > "$tmp/in/tv.csv"
refused '"tv.csv", { lags = { customer = 1 } }' "s.lua:2: channels: the history file $tmp/in/tv.csv has a channel 'tv' the plan has not"
# inside the folder, a calibrated plan runs and lists its counts
printf 'local b = include "b.lua"\nreturn b:with(calibrate("h.csv", { lags = { customer = 1 } }))\n' > "$tmp/in/s.lua"
"$FC" run "$tmp/in/s.lua" --trials 1000 > "$tmp/cal.txt" && grep -q "^Calibrated from .*h.csv, periods 2025-01..2026-12, weight 1" "$tmp/cal.txt" &&
  grep -q "funnel.lead.rate.search .*lead of .* visitor" "$tmp/cal.txt" && ok || bad "a calibrated run's report"
"$FC" run scenarios/b2b_calibrated.lua --trials 1000 --format json > "$tmp/cal.json" && $PY - "$tmp/cal.json" <<'PY' && ok || bad "the calibrated example's JSON"
import json, sys
d = json.load(open(sys.argv[1]))
a = {x["path"]: x for x in d["assumptions"]}
s = a["funnel.mql.rate.search"]["source"]
assert s["file"].endswith("b2b_history.csv") and s["weight"] == 0.5 and s["successes"] > 0, s
assert a["channels.search.cpc"]["each"] == "period" and "spend" in a["channels.search.cpc"]["source"]
assert "source" not in a["funnel.lead.rate.search"]  # lifted by 10% on top: no longer the counts' law
for x in d["assumptions"]:
    assert set(x) >= {"path", "law", "mean", "p5", "p95"} and x["p5"] <= x["mean"] <= x["p95"], x
PY

# backtest: the command of the README and its JSON
"$FC" backtest "$B2B" --history scenarios/history/b2b_history.csv --train 12 --test 6 --trials 2000 --format json \
  > "$tmp/bt.json" && $PY - "$tmp/bt.json" <<'PY' && ok || bad "backtest JSON keys"
import json, sys
b = json.load(open(sys.argv[1]))["backtest"]
assert b["train"] == 12 and b["test"] == 6, b
assert 0 <= b["coverage"]["p10_p90"] <= 1 and 0 <= b["coverage"]["p25_p75"] <= 1
assert b["verdict"] in ("calibrated", "overconfident", "underconfident")
c = b["series"]["customer"]
assert set(c) >= {"coverage", "actual", "p10", "p50", "p90", "mae"}, set(c)
assert len(c["actual"]) == len(c["p10"]) == len(c["p50"]) == len(c["p90"]) == 6
assert all(lo <= m <= hi for lo, m, hi in zip(c["p10"], c["p50"], c["p90"]))
inside = sum(lo <= a <= hi for a, lo, hi in zip(c["actual"], c["p10"], c["p90"]))
assert abs(c["coverage"]["p10_p90"] - inside / 6) < 1e-12
assert set(b["series"]) >= {"visitor", "lead", "mql", "sql", "customer", "churned", "won_back", "active"}
PY
"$FC" backtest "$B2B" --history scenarios/history/b2b_history.csv --train 12 --test 6 --trials 2000 > "$tmp/bt.txt" &&
  grep -q "^Backtest of inbound-2027 on scenarios/history/b2b_history.csv" "$tmp/bt.txt" && ok || bad "backtest text"
"$FC" backtest "$B2B" --history scenarios/history/b2b_history.csv --train 12 --test 6 --trials 2000 --format csv \
  > "$tmp/bt.csv" && head -1 "$tmp/bt.csv" | grep -q "series" && ok || bad "backtest CSV"
for args in "--train 12 --test 6" "--history scenarios/history/b2b_history.csv --test 6" \
  "--history scenarios/history/b2b_history.csv --train 20 --test 6" "--history scenarios/history/b2b_history.csv --train x --test 6" \
  "--history tests/history/bad/bad_number.csv --train 1 --test 1" "--history tests/history/header_only.csv --train 2 --test 1"; do
  # shellcheck disable=SC2086
  "$FC" backtest "$B2B" $args --trials 100 > "$tmp/stdout" 2> "$tmp/stderr"
  [ $? = 2 ] && [ ! -s "$tmp/stdout" ] && [ -s "$tmp/stderr" ] && ok || bad "backtest $args: expected status 2 and a message"
done

# --actuals: the README's mid-year file
"$FC" run scenarios/b2b_calibrated.lua --actuals scenarios/history/b2b_ytd_2027.csv --trials 2000 --format json \
  > "$tmp/act.json" && $PY - "$tmp/act.json" <<'PY' && ok || bad "--actuals JSON"
import json, sys
d = json.load(open(sys.argv[1]))
a = d["actuals"]
assert a["periods"] == 6 and a["through"] == "2027-06" and a["of"] == 12, a
assert [g["name"] for g in a["goals"]] == [g["name"] for g in d["goals"]]
for g in d["goals"]:
    assert 0 <= g["probability_at_plan"] <= 1
lead = {s["name"]: s for s in a["series"]}["lead"]
assert lead["status"] in ("behind", "ahead", "on_plan") and len(lead["periods"]) == 6
for x in d["assumptions"]:
    assert "prior" in x and x["update"] in ("conjugate", "importance", "none"), x
    if x["update"] == "importance":
        assert x["ess"] > 0
PY
"$FC" run scenarios/b2b_calibrated.lua --actuals scenarios/history/b2b_ytd_2027.csv --trials 2000 > "$tmp/act.txt" &&
  grep -q "^Re-forecast with the actuals of scenarios/history/b2b_ytd_2027.csv: 6 of 12 periods observed" "$tmp/act.txt" &&
  ok || bad "--actuals text"
"$FC" run "$B2B" --actuals "$tmp/none.csv" --trials 100 2> "$tmp/stderr" > /dev/null
[ $? = 2 ] && grep -q "none.csv: cannot read the history file" "$tmp/stderr" && ok || bad "--actuals of a missing file"

finish history
