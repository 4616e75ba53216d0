#!/bin/sh
# The decisions (plan, optimize): the module checks of tests/decide/decide.lua
# (answers known in closed form, the promises of each), then through the
# command: the JSON keys of the contract, the text's first sentence, the same
# bytes for a seed on 1 and 2 threads, and bad options refused with status 2
# and no output written.
BUILD=${BUILD:-build}
FC="$BUILD/funnelcast"
cd "$(dirname "$0")/.." || exit 1
. "$(dirname "$0")/support/checks.sh"
B1=scenarios/b2b_saas_inbound.lua
G="200 new customers in 2027"

lua5.4 tests/decide/decide.lua "$BUILD" && ok || bad "tests/decide/decide.lua"

# plan: the contract's keys, and the run at the value found
"$FC" plan "$B1" --goal "$G" --trials 5000 --format json -o "$tmp/plan.json" && ok || bad "plan --format json"
/usr/bin/python3 - "$tmp/plan.json" <<'PY' && ok || bad "plan JSON keys"
import json, sys
d = json.load(open(sys.argv[1]))
p = d["plan"]
for k in ("goal", "confidence", "vary", "channels", "found", "value", "interval", "probability", "spend",
          "runs", "trials", "method", "stages", "calculator"):
    assert k in p, k
assert p["goal"] == "200 new customers in 2027" and p["vary"] == "budget" and p["found"] is True
assert p["channels"] == ["events", "search", "social"], p["channels"]
lo, hi = p["interval"]
assert lo <= p["value"] <= hi, p["interval"]
assert p["probability"] >= p["confidence"]
assert [s["stage"] for s in p["stages"]] == ["visitor", "lead", "mql", "sql", "customer"]
assert all(len(s["per_period"]) == 12 and "p50" in s["total"] for s in p["stages"])
assert [c["stage"] for c in p["calculator"]["stage"]][-1] == "customer" and p["calculator"]["spend"] > 0
r = d["result"]
assert r["scenario"] == "inbound-2027" and r["goals"][0]["probability"] == p["probability"]
assert abs(r["metrics"]["spend"]["mean"] - p["spend"]) < 1e-6 * p["spend"]
PY
COLUMNS=1000 "$FC" plan "$B1" --goal "$G" --trials 5000 > "$tmp/plan.txt" && ok || bad "plan (text)"
head -1 "$tmp/plan.txt" | grep -q '^To reach "200 new customers in 2027" with 80% confidence, multiply the budget by [0-9.]* ([0-9.]* to [0-9.]*): [0-9,]* a month\.$' &&
  ok || bad "plan text: first sentence: $(head -1 "$tmp/plan.txt")"
sed -n 2p "$tmp/plan.txt" | grep -q '^Each month that takes about [0-9,]* visitor, ' && ok || bad "plan text: KPIs per month"
# a rate, with --between and a lower confidence
"$FC" plan "$B1" --goal "$G" --vary funnel.lead.rate --between 0.01,0.2 --confidence 0.6 --trials 3000 --format json > "$tmp/rate.json" &&
  /usr/bin/python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))["plan"]
assert p["vary"] == "funnel.lead.rate" and p["between"] == [0.01, 0.2] and p["confidence"] == 0.6, p
assert p["found"] and 0.01 < p["value"] < 0.2 and "channels" not in p
' "$tmp/rate.json" && ok || bad "plan --vary funnel.lead.rate --between"
# unreachable: found false, the best, status 0
"$FC" plan "$B1" --goal "CAC under 3000" --trials 2000 --format json > "$tmp/cac.json" &&
  /usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
p = d["plan"]
assert p["found"] is False and "value" not in p and "result" not in d, p
assert p["best"]["probability"] < 0.8 and p["reason"]
' "$tmp/cac.json" && ok || bad "plan of an unreachable goal"

# optimize: the contract's keys
"$FC" optimize "$B1" --budget 45000 --max social=20000 --trials 5000 --format json -o "$tmp/opt.json" && ok || bad "optimize --format json"
/usr/bin/python3 - "$tmp/opt.json" <<'PY' && ok || bad "optimize JSON keys"
import json, sys
d = json.load(open(sys.argv[1]))
o = d["optimize"]
for k in ("objective", "budget", "split", "value", "se", "base", "difference", "marginal", "method", "runs"):
    assert k in o, k
assert o["objective"] == "goal:200 new customers in 2027" and o["budget"] == 45000
assert sum(o["split"].values()) == 45000 and o["split"]["social"] <= 20000, o["split"]
assert set(o["base"]) >= {"split", "value", "se"} and sum(o["base"]["split"].values()) == 45000
assert abs(o["difference"] - (o["value"] - o["base"]["value"])) < 1e-12
assert set(o["marginal"]) == {"events", "search", "social"}
assert d["result"]["seed"] != 42
PY
"$FC" optimize "$B1" --budget 45000 --objective mean:cac --channels search,social --trials 3000 --format json > "$tmp/cac_opt.json" &&
  /usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
o = d["optimize"]
assert o["objective"] == "mean:cac" and o["direction"] == "lower" and set(o["split"]) == {"search", "social"}
assert o["split"]["search"] + o["split"]["social"] == 45000
assert d["result"]["channels"]["events"]["spend"]["mean"] == 15000 * 12
' "$tmp/cac_opt.json" && ok || bad "optimize --objective mean:cac --channels"
COLUMNS=1000 "$FC" optimize "$B1" --budget 45000 --trials 3000 > "$tmp/opt.txt" && head -1 "$tmp/opt.txt" | grep -q '^Split 45,000 a month as events ' &&
  ok || bad "optimize text: first sentence: $(head -1 "$tmp/opt.txt")"

# the same bytes for a seed, on 1 and 2 threads
for cmd in "plan $B1 --goal '$G'" "optimize $B1 --budget 40000"; do
  eval "\"$FC\" $cmd --trials 3000 --seed 9 --threads 1 --format json" > "$tmp/t1.json" &&
    eval "\"$FC\" $cmd --trials 3000 --seed 9 --threads 2 --format json" > "$tmp/t2.json" &&
    cmp -s "$tmp/t1.json" "$tmp/t2.json" && ok || bad "$cmd: not the same on 1 and 2 threads"
done

# the edges a review found: an interval end not reached is null; a quantile
# objective has no paired se (null); a CAC ceiling peaks inside the bounds;
# laws at their domain's edge; a rate's default entry; a bound that holds
# the answer; whole-number fields; organic channels left out of a split
P=scenarios/plan_budget_split.lua
"$FC" plan "$P" --goal "CAC under 4000" --confidence 0.9 --trials 2000 --format json > "$tmp/e1.json" &&
  /usr/bin/python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))["plan"]
assert p["found"] and p["direction"] == "largest" and p["interval"][0] is None and p["interval"][1] is not None, p["interval"]
' "$tmp/e1.json" && ok || bad "plan: an interval end not reached is null"
"$FC" plan "$P" --goal "CAC under 4000" --confidence 0.95 --trials 2000 --format json > "$tmp/e2.json" &&
  /usr/bin/python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))["plan"]
assert p["found"] and p["value"] < 1, p.get("value")
' "$tmp/e2.json" && ok || bad "plan: a CAC ceiling at 95% is found below the budget as written"
"$FC" optimize "$P" --budget 40000 --objective p10:new_customers --trials 1000 --format json > "$tmp/e3.json" &&
  /usr/bin/python3 -c '
import json, sys
o = json.load(open(sys.argv[1]))["optimize"]
assert o["difference_se"] is None and sum(o["split"].values()) == 40000
' "$tmp/e3.json" && ok || bad "optimize p10: JSON with a null difference_se"
"$FC" plan tests/good/full.lua --goal SQLs --vary funnel.mql.rate --trials 2000 --format json > "$tmp/e4.json" &&
  /usr/bin/python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))["plan"]
assert p["found"] and p["how"] == "scaled" and 0 < p["between"][0] and p["between"][1] < 1, p["between"]
' "$tmp/e4.json" && ok || bad "plan: a range on a rate, bounds narrowed to valid laws"
"$FC" plan tests/good/full.lua --goal "CAC under 3000" --vary funnel.lead.rate.default --trials 2000 --format json > "$tmp/e5.json" &&
  /usr/bin/python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))["plan"]
assert p["between"][1] <= 1, p["between"]
' "$tmp/e5.json" && ok || bad "plan: --vary a rate's default entry is a probability"
"$FC" plan "$P" --goal "180 new customers in 2027" --between 2,5 --trials 2000 --format json > "$tmp/e6.json" &&
  /usr/bin/python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))["plan"]
assert p["found"] and p["value"] == 2 and p["at_bound"] == "lower" and "bound" in p["reason"], p
' "$tmp/e6.json" && ok || bad "plan: met at the lower bound says so"
"$FC" optimize tests/good/full.lua --budget 20000 --trials 1000 --format json > "$tmp/e7.json" &&
  /usr/bin/python3 -c '
import json, sys
o = json.load(open(sys.argv[1]))["optimize"]
assert "seo" not in o["split"] and sum(o["split"].values()) == 20000, o["split"]
' "$tmp/e7.json" && ok || bad "optimize: an organic-only channel is not in the split"
"$FC" run "$P" --trials 500 --set 'channels.social.response=hill{max=16000,half=9000,shape=80}' > /dev/null &&
  ok || bad "a steep hill shape runs (its powers overflowed)"
"$FC" plan "$B1" --goal "CAC under 3000" --trials 1000 --fail-on-goal > /dev/null 2>&1
[ $? = 1 ] && ok || bad "plan --fail-on-goal: a goal out of reach exits 1"

# a goal's probability is a count: the plan does not depend on --max-memory
"$FC" plan "$B1" --goal "$G" --trials 3000 --max-memory 16M --format json > "$tmp/m16.json" &&
  "$FC" plan "$B1" --goal "$G" --trials 3000 --format json > "$tmp/m512.json" &&
  /usr/bin/python3 -c '
import json, sys
a, b = (json.load(open(p))["plan"] for p in sys.argv[1:3])
assert a["value"] == b["value"] and a["interval"] == b["interval"] and a["runs"] == b["runs"], (a["value"], b["value"])
' "$tmp/m16.json" "$tmp/m512.json" && ok || bad "plan at --max-memory 16M: the same value"

# bad options: status 2, the option and what was expected, nothing written
refuse() { # want-substring, args...
  want=$1; shift
  "$FC" "$@" -o "$tmp/out" > "$tmp/stdout" 2> "$tmp/err"
  st=$?
  if [ "$st" = 2 ] && grep -qF -- "$want" "$tmp/err" && [ ! -e "$tmp/out" ]; then ok
  else bad "$*: status $st, want 2 and '$want', got: $(cat "$tmp/err")"; fi
  rm -f "$tmp/out"
}
refuse 'plan: --goal NAME is required' plan "$B1"
refuse 'plan: goal: unknown goal "nope"' plan "$B1" --goal nope
refuse '--confidence high: expected a number in (0, 1)' plan "$B1" --goal "$G" --confidence high
refuse '--between 2: expected LO,HI' plan "$B1" --goal "$G" --between 2
refuse "unknown stage 'nope'" plan "$B1" --goal "$G" --vary funnel.nope.rate
refuse 'plan: channels[1]: unknown channel "tv"' plan "$B1" --goal "$G" --channels tv
refuse 'optimize: --budget X is required' optimize "$B1"
refuse '--budget lots: expected the total spend per period' optimize "$B1" --budget lots
refuse '--min search: expected CHANNEL=AMOUNT' optimize "$B1" --budget 100 --min search
refuse 'optimize: budget: 100 is below the sum of the minimums' optimize "$B1" --budget 100 --min search=80 --min social=80
refuse 'optimize: objective: expected goal:NAME' optimize "$B1" --budget 100 --objective best
refuse "unknown option or missing value: '--goal'" run "$B1" --goal "$G"
refuse 'plan: vary: goals: expected a number, a list of numbers or a distribution' plan "$P" --goal "180 new customers in 2027" --vary goals
refuse 'plan: vary: customers.initial: the field takes whole numbers' plan "$P" --goal "180 new customers in 2027" --vary customers.initial
refuse 'optimize: min.events: 50000 is above the budget (40000)' optimize "$P" --budget 40000 --min events=50000

finish decide
