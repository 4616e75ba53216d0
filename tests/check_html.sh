#!/bin/sh
# The HTML report (--format html): for each example scenario, a comparison,
# a plan (with calendar months), an optimization, a merge of partials and a
# scenario whose names hold markup, quotes and accents, the page is
# well-formed XML (so a strict parser reads it), references no external
# resource (no script, no link, no http:, //, @import, url() but to #ids),
# has the charts it should (one fan chart per key series and stage, with
# its two bands and its median; one histogram per goal; every chart a
# role="img" svg with a viewBox, width 100%, title and desc, and its figures
# in a table), and every number it marks (data-path, data-value) is the one
# the same command's --format json writes there. --lang fr gives French; the
# English and French catalogues have the same keys.
BUILD=${BUILD:-build}
FC="$BUILD/funnelcast"
PY=/usr/bin/python3
cd "$(dirname "$0")/.." || exit 1
. "$(dirname "$0")/support/checks.sh"
T=2000

# The checker: check.py HTML JSON [expect...]: expect "lang=fr", "min_paths=N".
cat > "$tmp/check.py" <<'PY'
import json, re, sys
import xml.etree.ElementTree as ET

html_file, json_file = sys.argv[1], sys.argv[2]
opts = dict(a.split("=", 1) for a in sys.argv[3:])
text = open(html_file, encoding="utf-8").read()
doc = json.load(open(json_file))
fails = []
def fail(msg):
    fails.append(msg)

# well-formed: a strict XML parser reads it (the doctype aside)
assert text.startswith("<!DOCTYPE html>\n"), "no doctype"
root = ET.fromstring(text[len("<!DOCTYPE html>\n"):])
assert root.tag == "html", root.tag
if root.get("lang") != opts.get("lang", "en"):
    fail("lang=%r" % root.get("lang"))
head = root.find("head")
if head is None or head.find("meta[@charset='utf-8']") is None or head.find("meta[@name='viewport']") is None:
    fail("head: charset or viewport meta missing")

# nothing external: no element that loads, no address, no @import, url() only to #ids or data:
FORBIDDEN = {"script", "link", "img", "iframe", "object", "embed", "audio", "video", "source", "image", "use", "base", "form"}
def external(v):
    v = v.strip().lower()
    return "http:" in v or "https:" in v or v.startswith("//") or "ftp:" in v or "file:" in v
def css_ok(css, where):
    if "@import" in css or "http" in css or "//" in css:
        fail("%s: @import, http or // in CSS" % where)
    for target in re.findall(r"url\(\s*([^)]*)\)", css):
        t = target.strip("'\" ")
        if not (t.startswith("#") or t.startswith("data:")):
            fail("%s: url(%s)" % (where, t))
for el in root.iter():
    tag = el.tag.split("}")[-1]
    if tag in FORBIDDEN:
        fail("element <%s>" % tag)
    for k, v in el.attrib.items():
        name = k.split("}")[-1]
        if name in ("src", "href", "srcset", "action", "poster", "data") and not v.startswith("#"):
            fail("%s=%r on <%s>" % (name, v, tag))
        if external(v) and not name.startswith("data-"):
            fail("external address in %s=%r" % (name, v))
        if name == "style" or (name == "fill" and "url(" in v):
            css_ok(v, "%s attribute" % name)
    if tag == "style":
        css_ok(el.text or "", "<style>")

# the charts: every svg is an image with a viewBox, width 100%, title and desc
svgs = list(root.iter("svg"))
for s in svgs:
    if s.get("role") != "img" or not s.get("viewBox") or s.get("width") != "100%":
        fail("svg without role=img, viewBox or width 100%%: %s" % s.get("class"))
    t, d = s.find("title"), s.find("desc")
    if t is None or not (t.text or "").strip() or d is None or not (d.text or "").strip():
        fail("svg without title or desc: %s" % s.get("class"))
# each chart's figures in a table under it
for fig in root.iter("figure"):
    if fig.find("svg") is not None and fig.find("details/div/table") is None:
        fail("a chart without its table: %s" % fig.find("svg").get("class"))

# the runs in the document, and the charts they call for
if "scenarios" in doc:
    runs = doc["scenarios"]
elif "backtest" in doc:
    runs = []
elif "result" in doc or "plan" in doc or "optimize" in doc:
    runs = [doc["result"]] if "result" in doc else []
else:
    runs = [doc]
want_series, want_hist = [], 0
for r in runs:
    want_series += [n for n in ("new_customers", "active", "revenue") if n in r["series"]]
    want_series += [n for n in r["stages"] if n in r["series"]]
    want_hist += sum(1 for g in r["goals"] if any(g["value"][k] is not None for k in ("min", "p50", "max")))
fans = [s for s in svgs if "fan" in s.get("class", "").split()]
got_series = [s.get("data-series") for s in fans]
if sorted(got_series) != sorted(want_series) and "backtest" not in doc:
    fail("fan charts %r, expected %r" % (got_series, want_series))
periods = runs[0]["periods"] if runs else 0
if "backtest" in doc:
    # a fan per series over the test periods, each actual figure a point
    want_series, periods = list(doc["backtest"]["series"]), doc["backtest"]["test"]
    if sorted(got_series) != sorted(want_series):
        fail("backtest fan charts %r, expected %r" % (got_series, want_series))
    for s in fans:
        b = doc["backtest"]["series"][s.get("data-series")]
        dots = [c for c in s.iter("circle") if "actual" in c.get("class", "").split()]
        out = [c for c in dots if "actual-out" in c.get("class", "").split()]
        inside = sum(lo <= a <= hi for a, lo, hi in zip(b["actual"], b["p10"], b["p90"]))
        if len(dots) != len(b["actual"]) or len(dots) - len(out) != inside:
            fail("backtest fan %s: %d actual points (%d out), expected %d (%d inside)" %
                 (s.get("data-series"), len(dots), len(out), len(b["actual"]), inside))
for s in fans:
    paths = {p.get("class"): p for p in s.iter("path")}
    for c in ("band band-p10-p90", "band band-p25-p75", "median"):
        if c not in paths:
            fail("fan %s: no path %s" % (s.get("data-series"), c))
    if "median" in paths:
        points = len(re.findall(r"[ML]", paths["median"].get("d")))
        if points != periods:
            fail("fan %s: median with %d points, expected %d" % (s.get("data-series"), points, periods))
    if "band band-p10-p90" in paths:
        points = len(re.findall(r"[ML]", paths["band band-p10-p90"].get("d")))
        if points != 2 * periods:
            fail("fan %s: band with %d points, expected %d" % (s.get("data-series"), points, 2 * periods))
hists = [s for s in svgs if "histogram" in s.get("class", "").split()]
if len(hists) != want_hist:
    fail("%d histograms, expected %d" % (len(hists), want_hist))
for s in hists:
    bins = [r for r in s.iter("rect") if r.get("class") == "bin"]
    mass = sum(float(b.get("data-mass")) for b in bins)
    if abs(mass - 1) > 1e-9 or s.find(".//line[@class='target']") is None or s.find(".//rect[@class='met-area']") is None:
        fail("histogram %s: bins of mass %g, or no target line or met area" % (s.get("data-goal"), mass))
if "plan" in doc and doc["plan"]["found"]:
    stages = doc["plan"]["stages"]
    cells = [c for c in root.iter("td") if re.match(r"^/plan/stages/\d+/per_period/\d+$", c.get("data-path", ""))]
    if len(cells) != sum(len(s["per_period"]) for s in stages):
        fail("plan: %d KPI cells, expected one per stage and period" % len(cells))

# every marked number is the JSON's
def resolve(ptr):
    x = doc
    for part in ptr.split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        x = x[int(part)] if isinstance(x, list) else x[part]
    return x
n = 0
for el in root.iter():
    p = el.get("data-path")
    if p is None:
        continue
    n += 1
    try:
        want = resolve(p)
    except (KeyError, IndexError, ValueError, TypeError):
        fail("data-path %s: not in the JSON" % p)
        continue
    v = el.get("data-value")
    if want is None:
        if v != "null":
            fail("%s: %s, JSON null" % (p, v))
    elif v == "null" or float(v) != float(want):
        fail("%s: %s, JSON %r" % (p, v, want))
if n < int(opts.get("min_paths", "20")):
    fail("only %d numbers marked" % n)

for f in fails[:15]:
    print("  " + f)
sys.exit(1 if fails else 0)
PY

# report NAME ARGS...: the command's HTML and JSON, then the checks of both.
report() {
  name=$1
  shift
  if "$FC" "$@" --format html -o "$tmp/$name.html" && "$FC" "$@" --format json -o "$tmp/$name.json"; then
    ok
    $PY "$tmp/check.py" "$tmp/$name.html" "$tmp/$name.json" $EXPECT && ok || bad "$name: $*"
  else
    bad "$name: $* did not run"
  fi
}

EXPECT=
for s in scenarios/*.lua; do
  report "$(basename "$s" .lua)" run "$s" --trials $T
done
report compare compare tests/compare/base.lua tests/compare/alt.lua --trials $T
report plan plan scenarios/b2b_saas_inbound.lua --goal "200 new customers in 2027" --trials $T --set start=2027-01
EXPECT=min_paths=2
report plan_not_found plan scenarios/b2b_saas_inbound.lua --goal "CAC under 3000" --trials $T
EXPECT=
report optimize optimize scenarios/plan_budget_split.lua --budget 40000 --trials $T
report actuals run scenarios/b2b_calibrated.lua --actuals scenarios/history/b2b_ytd_2027.csv --trials $T
report backtest backtest scenarios/b2b_saas_inbound.lua --history scenarios/history/b2b_history.csv --train 18 --test 6 --trials $T
grep -q 'id="s1-actuals"' "$tmp/actuals.html" && grep -q 'id="s1-calibrated"' "$tmp/actuals.html" && ok ||
  bad "actuals: the re-forecast and calibrated sections"

# names with markup, quotes and accents, a quarterly calendar, a currency, French
cat > "$tmp/nasty.lua" <<'EOF'
return scenario{
  name = "Étude <b>\"Q3\"</b> & 'co'", periods = 4, unit = "quarter", start = "2027-Q1", seed = 3, currency = "EUR",
  channels = {
    ["search & <ads>"] = { spend = 4000, cpc = lognormal{ median = 2, sigma = 0.3 } },
    ["événements \"live\""] = { spend = 3000, cpc = gamma{ shape = 4, scale = 1.5 } },
  },
  funnel = { { "visitor" }, { "lead", rate = beta(30, 970) }, { "customer", rate = beta(20, 80) } },
  customers = { initial = 50, churn = beta(2, 98), arpu = 100 },
  goals = { goal{ name = "≥ 40 <clients> & \"more\"", metric = "new_customers", at_least = 40 },
            goal{ name = "CAC < 500 'max'", metric = "cac", at_most = 500 } },
}
EOF
EXPECT="lang=fr"
report nasty run "$tmp/nasty.lua" --trials $T --lang fr
report b2b_fr run scenarios/b2b_saas_inbound.lua --trials $T --lang fr
EXPECT=
grep -q '<h1>Étude &lt;b&gt;&quot;Q3&quot;&lt;/b&gt; &amp; &#39;co&#39;' "$tmp/nasty.html" && ok || bad "nasty: the name escaped in the title"
grep -q '<pre class="source"><code>return scenario{' "$tmp/nasty.html" && grep -q 'name = &quot;Étude &lt;b&gt;' "$tmp/nasty.html" &&
  ok || bad "nasty: the scenario as written, escaped, in a <pre>"
grep -q 'T1 2027' "$tmp/nasty.html" && ok || bad "nasty: quarters in French words"
grep -q '€' "$tmp/nasty.html" && ok || bad "nasty: the currency"

# French: the catalogue's words and decimal commas
grep -q '<h2>Objectifs</h2>' "$tmp/b2b_fr.html" && grep -q 'Ce qui fait bouger les objectifs' "$tmp/b2b_fr.html" &&
  ok || bad "--lang fr: French headings"
# (a page wraps: digit groups and units hold to their number with no-break spaces)
nb=$(printf '\302\240')
grep -q "[0-9],[0-9]$nb%" "$tmp/b2b_fr.html" && ok || bad "--lang fr: a percentage with a decimal comma and a no-break space"
grep -q "[0-9]$nb[0-9][0-9][0-9]" "$tmp/b2b_fr.html" && ok || bad "--lang fr: digit groups joined by no-break spaces"
grep -q '<h2>Goals</h2>' "$tmp/b2b_saas_inbound.html" && ! grep -q '[0-9],[0-9] %' "$tmp/b2b_saas_inbound.html" &&
  ok || bad "English by default"

# a merge of partials is a run's page
"$FC" run tests/compare/base.lua --trials $T --shard 1/2 --partial "$tmp/p1.bin" &&
  "$FC" run tests/compare/base.lua --trials $T --shard 2/2 --partial "$tmp/p2.bin" && ok || bad "shards for merge"
if "$FC" merge "$tmp/p1.bin" "$tmp/p2.bin" --format html -o "$tmp/merge.html" &&
  "$FC" merge "$tmp/p1.bin" "$tmp/p2.bin" --format json -o "$tmp/merge.json"; then
  ok
  $PY "$tmp/check.py" "$tmp/merge.html" "$tmp/merge.json" && ok || bad "merge --format html"
else
  bad "merge --format html did not run"
fi

# the same bytes twice (no clock, no address in the page)
"$FC" run tests/compare/base.lua --trials $T --format html > "$tmp/a.html" &&
  "$FC" run tests/compare/base.lua --trials $T --format html > "$tmp/b.html" && cmp -s "$tmp/a.html" "$tmp/b.html" &&
  ok || bad "the same page twice"

# the catalogues: the same keys in English and French, every html key in both
lua5.4 - scripts/lang_en.lua scripts/lang_fr.lua > "$tmp/keys.out" 2>&1 <<'LUA' && ok || { bad "en/fr catalogues differ"; cat "$tmp/keys.out"; }
local en, fr = dofile(arg[1]), dofile(arg[2])
local missing = {}
for k in pairs(en.strings) do if not fr.strings[k] then missing[#missing + 1] = "fr lacks " .. k end end
for k in pairs(fr.strings) do if not en.strings[k] then missing[#missing + 1] = "en lacks " .. k end end
local html = 0
for k in pairs(en.strings) do if k:match("^html%.") then html = html + 1 end end
if html < 100 then missing[#missing + 1] = "only " .. html .. " html keys" end
table.sort(missing)
print(table.concat(missing, "\n"))
os.exit(#missing == 0)
LUA

finish check_html
