#!/bin/sh
# The CSV report (scripts/report_csv.lua): for a run, a comparison, plans
# and optimizes, --format csv -o DIR writes one file per table, each with
# its documented header, and every value is the JSON report's at the same
# place (the same text read back: numbers equal as doubles, null empty);
# -o - is one long table (`table` first) that pandas reads; a failing run
# leaves no folder, -o onto a regular file is refused with status 2, an
# existing folder keeps its other files, and the bytes never depend on the
# language (LANG, --lang).
BUILD=${BUILD:-build}
FC="$BUILD/funnelcast"
PY=/usr/bin/python3
cd "$(dirname "$0")/.." || exit 1
. "$(dirname "$0")/support/checks.sh"
B1=scenarios/b2b_saas_inbound.lua
G="200 new customers in 2027"

# The checker: check.py VIEW DIR JSON [LONG]. Builds every table the CSV
# should hold from the JSON report, then compares the files of DIR with
# them, header and every field; with LONG (the -o - output), also the long
# table. Prints PASS or FAIL lines, one per table.
cat > "$tmp/check.py" <<'PY'
import csv, io, json, os, sys

view, folder, jpath = sys.argv[1:4]
long_path = sys.argv[4] if len(sys.argv) > 4 else None
d = json.load(open(jpath))

HEAD = {
    "metrics": ["scenario", "metric", "statistic", "value"],
    "stages": ["scenario", "stage", "figure", "statistic", "value"],
    "channels": ["scenario", "channel", "figure", "statistic", "value"],
    "series": ["scenario", "series", "period", "statistic", "value"],
    "goals": ["scenario", "goal", "metric", "op", "target", "from", "by", "every", "probability", "confidence",
              "on_track", "value_p10", "value_p50", "value_p90"],
    "drivers": ["scenario", "goal", "assumption", "low", "middle", "high", "swing", "se"],
    "assumptions": ["scenario", "path", "law", "each", "mean", "p5", "p95", "source_file", "source", "prior_law",
                    "prior_mean", "prior_p5", "prior_p95", "update", "ess"],
    "differences": ["scenario", "against", "kind", "name", "figure", "statistic", "value"],
    "plan": ["field", "value"],
    "plan_stages": ["stage", "period", "value"],
    "plan_totals": ["stage", "from", "by", "total_p50", "calculator_total", "calculator_per_period"],
    "optimize": ["channel", "base", "split", "marginal", "min", "max"],
    "optimize_summary": ["field", "value"],
}
STATS = ["mean", "sd", "min", "max", "p5", "p10", "p25", "p50", "p75", "p90", "p95"]

def stats(rows, head, st):
    for k in STATS:
        rows.append(head + [k, st[k]])
    if st.get("infinite", 0) > 0:
        rows.append(head + ["infinite", st["infinite"]])

def run_tables(results):
    t = {k: [] for k in ["metrics", "stages", "channels", "series", "goals", "drivers", "assumptions"]}
    for r in results:
        sc = r["scenario"]
        for name, st in r["metrics"].items():
            stats(t["metrics"], [sc, name], st)
        for block, figure in [("stages", "total"), ("stage_costs", "cost"), ("conversion", "conversion"),
                              ("pipeline", "pipeline")]:
            for name, st in r[block].items():
                stats(t["stages"], [sc, name, figure], st)
        for name, figs in r["channels"].items():
            for figure, st in figs.items():
                stats(t["channels"], [sc, name, figure], st)
        for name, periods in r["series"].items():
            for i, st in enumerate(periods):
                assert st["period"] == i + 1
                stats(t["series"], [sc, name, st["period"]], st)
        for g in r["goals"]:
            t["goals"].append([sc, g["name"], g["metric"], g["op"], g["target"], g["from"], g["by"], g["every"],
                               g["probability"], g["confidence"], g["on_track"], g["value"]["p10"],
                               g["value"]["p50"], g["value"]["p90"]])
            for x in g["drivers"]:
                t["drivers"].append([sc, g["name"], x["assumption"], x["low"], x["middle"], x["high"], x["swing"],
                                     x["se"]])
        for a in r["assumptions"]:
            s, p = a.get("source", {}), a.get("prior", {})
            t["assumptions"].append([sc, a["path"], a["law"], a["each"], a["mean"], a["p5"], a["p95"], s.get("file"),
                                     s.get("text"), p.get("law"), p.get("mean"), p.get("p5"), p.get("p95"),
                                     a.get("update"), a.get("ess")])
    return t

def differences(diffs):
    rows = []
    for x in diffs:
        who = [x["scenario"], x["against"]]
        for name, m in x["metrics"].items():
            stats(rows, who + ["metric", name, ""], m)
            rows.append(who + ["metric", name, "", "better", m["better"]])
            rows.append(who + ["metric", name, "", "ties", m["ties"]])
        for g in x["goals"]:
            for k in ["probability", "against", "difference", "se"]:
                rows.append(who + ["goal", g["name"], "", k, g[k]])
        for block, figure in [("stages", "total"), ("stage_costs", "cost")]:
            for name, c in x[block].items():
                for k in ["mean", "p50"]:
                    rows.append(who + ["stage", name, figure, k, c[k]])
        for name, figs in x["channels"].items():
            for figure, c in figs.items():
                for k in ["mean", "p50"]:
                    rows.append(who + ["channel", name, figure, k, c[k]])
    return rows

def flat(kv, prefix, obj):
    for k in sorted(obj):
        if not isinstance(obj[k], (list, dict)):
            kv.append([prefix + "_" + k, obj[k]])

def plan_tables(p):
    kv = []
    for k, v in p.items():
        if k in ("between", "interval"):
            kv += [[k + "_low", v[0]], [k + "_high", v[1]]]
        elif k == "channels":
            kv.append([k, ",".join(v)])
        elif k == "best":
            flat(kv, k, v)
        elif k not in ("stages", "calculator"):
            kv.append([k, v])
    if "calculator" in p:
        flat(kv, "calculator", p["calculator"])
    stages, totals = [], []
    by_hand = {c["stage"]: c for c in p.get("calculator", {}).get("stage", [])}
    for st in p.get("stages", []):
        for i, x in enumerate(st["per_period"]):
            stages.append([st["stage"], i + 1, x])
        c = by_hand.get(st["stage"], {})
        totals.append([st["stage"], st["total"]["from"], st["total"]["by"], st["total"]["p50"], c.get("total"),
                       c.get("per_period")])
    return {"plan": kv, "plan_stages": stages, "plan_totals": totals}

def optimize_tables(o):
    rows = [[c, o["base"]["split"][c], o["split"][c], o["marginal"][c], o["min"].get(c), o["max"].get(c)]
            for c in o["channels"]]
    kv = []
    for k, v in o.items():
        if k == "base":
            kv += [["base_value", v["value"]], ["base_se", v["se"]]]
        elif not isinstance(v, (list, dict)):
            kv.append([k, v])
    return {"optimize": rows, "optimize_summary": kv}

expected = {}
if view == "plan":
    expected.update(plan_tables(d["plan"]))
elif view == "optimize":
    expected.update(optimize_tables(d["optimize"]))
if view in ("plan", "optimize"):
    if "result" in d:
        expected.update(run_tables([d["result"]]))
elif view == "comparison":
    expected.update(run_tables(d["scenarios"]))
    expected["differences"] = differences(d["differences"])
else:
    expected.update(run_tables(d["scenarios"] if "scenarios" in d else [d]))

# The field's text is the JSON's value: null empty, booleans true/false,
# numbers the same double (integers the same integer), strings as they are.
def same(text, v):
    if v is None:
        return text == ""
    if isinstance(v, bool):
        return text == ("true" if v else "false")
    if isinstance(v, int):
        return text == str(v)
    if isinstance(v, float):
        return text != "" and float(text) == v
    return text == v

failed = 0
def report(ok, what):
    global failed
    print(("PASS " if ok else "FAIL ") + what)
    failed += 0 if ok else 1

def compare(name, got, want):
    head = HEAD[name]
    if not got or got[0] != head:
        return "header %r, expected %r" % (got[:1], head)
    if len(got) - 1 != len(want):
        return "%d rows, expected %d" % (len(got) - 1, len(want))
    for i, (g, w) in enumerate(zip(got[1:], want)):
        if len(g) != len(head) or not all(same(a, b) for a, b in zip(g, w)):
            return "row %d: %r, expected %r" % (i + 2, g, w)
    return None

files = {}
names = sorted(os.listdir(folder))
report(names == sorted(n + ".csv" for n in expected), "%s: the files %s" % (view, names))
for name, want in expected.items():
    path = os.path.join(folder, name + ".csv")
    if not os.path.exists(path):
        report(False, "%s: no %s.csv" % (view, name))
        continue
    raw = open(path, "rb").read()
    files[name] = raw.decode("utf-8")
    got = list(csv.reader(io.StringIO(files[name], newline="")))
    why = compare(name, got, want)
    if why is None and (b"\r" in raw or not raw.endswith(b"\n")):
        why = "lines should end in \\n alone"
    report(why is None, "%s: %s.csv%s" % (view, name, "" if why is None else ": " + why))

if long_path:
    # the long table: `table`, then the union of the tables' columns in
    # order of first appearance; each table's rows its file's, in order
    import pandas as pd
    text = open(long_path, encoding="utf-8").read()
    rows = list(csv.reader(io.StringIO(text, newline="")))
    union = ["table"]
    for name in expected:
        union += [c for c in HEAD[name] if c not in union]
    why = None if rows[0] == union else "header %r, expected %r" % (rows[0], union)
    at = {c: i for i, c in enumerate(union)}
    seen = []
    for r in rows[1:]:
        if len(r) != len(union) or r[0] not in expected:
            why = why or "a row of %d fields or an unknown table: %r" % (len(r), r[:3])
            break
        if not seen or seen[-1] != r[0]:
            seen.append(r[0])
    if why is None and seen != [n for n in expected if expected[n]]:
        why = "the tables in the order %r" % seen
    for name in expected if why is None else []:
        mine = [r for r in rows[1:] if r[0] == name]
        others = [i for c, i in at.items() if c not in HEAD[name] and c != "table"]
        if any(r[i] != "" for r in mine for i in others):
            why = "%s: a field outside its table's columns" % name
            break
        part = [HEAD[name]] + [[r[at[c]] for c in HEAD[name]] for r in mine]
        if part != list(csv.reader(io.StringIO(files[name], newline=""))):
            why = "%s: its rows differ from %s.csv" % (name, name)
            break
    report(why is None, "%s: -o - as one long table%s" % (view, "" if why is None else ": " + why))
    df = pd.read_csv(long_path)
    ok = list(df.columns) == union and len(df) == len(rows) - 1
    if view == "run":
        # the README's example: the metrics as a wide frame of statistics
        m = df[df["table"] == "metrics"].pivot(index="metric", columns="statistic", values="value")
        ok = ok and df["value"].dtype == float and m.loc["spend", "mean"] == \
            float(d["metrics"]["spend"]["mean"])
    report(ok, "%s: -o - loads in pandas.read_csv" % view)
sys.exit(1 if failed else 0)
PY

# check VIEW DIR JSON [LONG]: the checker's lines counted as checks.
check() {
  $PY "$tmp/check.py" "$@" > "$tmp/check.out" 2>&1
  st=$?
  while read -r word rest; do
    case $word in
      PASS) ok ;;
      FAIL) bad "$rest" ;;
      *) echo "$word $rest" ;;
    esac
  done < "$tmp/check.out"
  grep -q '^PASS\|^FAIL' "$tmp/check.out" || bad "$1 $2: the checker gave no answer"
  [ $st = 0 ] || grep -q '^FAIL' "$tmp/check.out" || bad "$1 $2: the checker failed (status $st)"
}

# cases NAME VIEW COMMAND...: the command with --format json, --format csv
# -o DIR and --format csv -o -, then the checks of the three.
cases() {
  name=$1 view=$2
  shift 2
  "$@" --format json -o "$tmp/$name.json" && "$@" --format csv -o "$tmp/$name" &&
    "$@" --format csv -o - > "$tmp/$name.long" && ok || bad "$name: the command failed: $*"
  check "$view" "$tmp/$name" "$tmp/$name.json" "$tmp/$name.long"
}

cases run run "$FC" run "$B1" --trials 2000
# names that need quoting, a channel's customers and CAC, a calendar start
# calibrated laws with their counts; a re-forecast with the laws before the updates
cases calibrated run "$FC" run scenarios/b2b_calibrated.lua --trials 1000
cases actuals run "$FC" run "$B1" --actuals scenarios/history/b2b_ytd_2027.csv --trials 1000
cases quoted run "$FC" run tests/good/full.lua --trials 500 --set 'name=full, "quoted"'
cases comparison comparison "$FC" compare "$B1" scenarios/b2b_events_sales_cycle.lua --trials 2000
cases whatif comparison "$FC" run scenarios/whatif_channel_mix.lua --trials 1000
cases plan plan "$FC" plan "$B1" --goal "$G" --trials 2000
# not found: the best, no reverse funnel, no run
cases plan_none plan "$FC" plan "$B1" --goal "CAC under 3000" --trials 1000
# an end of the interval not reached (empty), no by-hand arithmetic
cases plan_open plan "$FC" plan scenarios/plan_budget_split.lua --goal "CAC under 4000" --confidence 0.9 --trials 2000
cases optimize optimize "$FC" optimize "$B1" --budget 45000 --max social=20000 --trials 2000
# a quantile objective: no paired se (empty)
cases optimize_p10 optimize "$FC" optimize scenarios/plan_budget_split.lua --budget 40000 --objective p10:new_customers --trials 1000

# the files a run writes, as documented
[ "$(ls "$tmp/run" | tr '\n' ' ')" = "assumptions.csv channels.csv drivers.csv goals.csv metrics.csv series.csv stages.csv " ] && ok ||
  bad "run: the files: $(ls "$tmp/run")"
[ "$(ls "$tmp/plan_none" | tr '\n' ' ')" = "plan.csv plan_stages.csv plan_totals.csv " ] &&
  [ "$(cat "$tmp/plan_none/plan_stages.csv")" = "stage,period,value" ] && ok ||
  bad "plan not found: only the plan's tables, headers always: $(ls "$tmp/plan_none")"

# none PATH...: whether a glob matched nothing
none() { [ ! -e "$1" ]; }

# a failing run leaves no folder (nor a temporary one beside it)
"$FC" run tests/bad/rate_above_one.lua --format csv -o "$tmp/failed" 2> "$tmp/err"
[ $? = 2 ] && none "$tmp"/failed* && ok ||
  bad "a failing run left something behind or did not exit 2: $(ls -A "$tmp"; cat "$tmp/err")"

# -o onto a regular file: refused with status 2, the file as it was
echo keep > "$tmp/file"
"$FC" run "$B1" --trials 200 --format csv -o "$tmp/file" 2> "$tmp/err"
[ $? = 2 ] && [ "$(cat "$tmp/file")" = keep ] && grep -q "not a folder" "$tmp/err" &&
  none "$tmp"/file.* && ok || bad "-o onto a regular file: $(cat "$tmp/err")"

# an existing folder: its other files stay, the tables are replaced
mkdir "$tmp/existing" && echo mine > "$tmp/existing/notes.txt" && echo old > "$tmp/existing/metrics.csv"
"$FC" run "$B1" --trials 2000 --format csv -o "$tmp/existing" && [ "$(cat "$tmp/existing/notes.txt")" = mine ] &&
  cmp -s "$tmp/existing/metrics.csv" "$tmp/run/metrics.csv" && ok || bad "-o onto an existing folder"
# ... all or none: a folder where a table goes stops it before any file changes
mkdir -p "$tmp/blocked/stages.csv" && echo old > "$tmp/blocked/metrics.csv"
"$FC" run "$B1" --trials 500 --format csv -o "$tmp/blocked" 2> "$tmp/err"; st=$?
[ $st = 2 ] && [ "$(cat "$tmp/blocked/metrics.csv")" = old ] && [ "$(ls -A "$tmp/blocked" | wc -l)" = 2 ] &&
  grep -q "blocked/stages.csv is there and is not a regular file (nothing was written)" "$tmp/err" && ok ||
  bad "a folder in a table's place: status $st, $(cat "$tmp/err"), $(ls -A "$tmp/blocked")"
# ... and a folder reused for another report holds that report's tables only
"$FC" run scenarios/whatif_channel_mix.lua --trials 500 --format csv -o "$tmp/reused" &&
  [ -f "$tmp/reused/differences.csv" ] && "$FC" run "$B1" --trials 500 --format csv -o "$tmp/reused" &&
  [ ! -e "$tmp/reused/differences.csv" ] && [ -f "$tmp/reused/metrics.csv" ] && ok || bad "a reused folder kept another report's table"
# --timing with a folder; -o FILE.csv is the long table in that file
"$FC" run "$B1" --trials 500 --format csv -o "$tmp/timed" --timing 2> "$tmp/err" && grep -q "trials simulated" "$tmp/err" &&
  ok || bad "--timing with -o DIR"
"$FC" run "$B1" --trials 500 --format csv -o "$tmp/one.csv" && [ -f "$tmp/one.csv" ] &&
  head -1 "$tmp/one.csv" | grep -q "^table,scenario,metric,statistic,value," && ok || bad "-o FILE.csv: the long table"

# the same bytes in any language: LANG, --lang; files and the long table
for how in "env LANG=fr_FR.UTF-8 LC_ALL=fr_FR.UTF-8" "env LANG=C"; do
  $how "$FC" run "$B1" --trials 2000 --format csv -o - > "$tmp/lang.long" && cmp -s "$tmp/lang.long" "$tmp/run.long" &&
    ok || bad "-o - differs under $how"
done
"$FC" run "$B1" --trials 2000 --lang fr --format csv -o - > "$tmp/fr.long" && cmp -s "$tmp/fr.long" "$tmp/run.long" &&
  ok || bad "-o - differs with --lang fr"
LANG=fr_FR.UTF-8 "$FC" run "$B1" --trials 2000 --lang fr --format csv -o "$tmp/fr" && diff -r "$tmp/fr" "$tmp/run" > /dev/null &&
  ok || bad "-o DIR differs with --lang fr"
LANG=fr_FR.UTF-8 "$FC" plan "$B1" --goal "$G" --trials 2000 --lang fr --format csv -o - > "$tmp/fr_plan.long" &&
  cmp -s "$tmp/fr_plan.long" "$tmp/plan.long" && ok || bad "plan: -o - differs with --lang fr"

finish csv
