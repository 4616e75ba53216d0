#!/bin/sh
# The report writers (scripts/report*.lua) through tests/reports/compare.lua:
# its checks of the text, then here: every JSON document it wrote parses and
# a comparison has the keys of the contract (DESIGN.md, "differences"), and
# the run view it wrote is byte for byte the command's own report.
BUILD=${BUILD:-build}
cd "$(dirname "$0")/.." || exit 1
if ! command -v lua5.4 >/dev/null 2>&1; then
  echo "check_reports: lua5.4 not found (apt-get install lua5.4)" >&2
  exit 1
fi
. "$(dirname "$0")/support/checks.sh"

lua5.4 tests/reports/compare.lua "$BUILD" "$tmp" && ok || bad "tests/reports/compare.lua"

for f in "$tmp"/*.json; do
  /usr/bin/python3 -c 'import json,sys; json.load(sys.stdin)' < "$f" && ok || bad "$(basename "$f") does not parse"
done

/usr/bin/python3 - "$tmp" <<'PY' && ok || bad "the keys of a comparison"
import json, sys
d = json.load(open(sys.argv[1] + "/compare3.json"))
assert set(d) == {"scenarios", "differences"}
assert [s["scenario"] for s in d["scenarios"]][1:] == [x["scenario"] for x in d["differences"]]
stat = {"mean", "sd", "min", "max", "p5", "p10", "p25", "p50", "p75", "p90", "p95"}
for x in d["differences"]:
    assert x["against"] == d["scenarios"][0]["scenario"]
    assert set(x) >= {"scenario", "against", "metrics", "goals", "stages", "stage_costs", "channels"}
    assert list(x["metrics"]) == list(d["scenarios"][0]["metrics"])
    for m in x["metrics"].values():
        assert set(m) - {"infinite"} == stat | {"better", "ties", "direction"}, m
        assert m["direction"] in ("higher", "lower") and 0 <= m["better"] <= 1
    assert x["goals"] and all(set(g) == {"name", "probability", "against", "difference", "se"} for g in x["goals"])
    assert list(x["stages"]) == list(x["stage_costs"]) == list(d["scenarios"][0]["stages"])
    for c in x["channels"].values():
        assert {"visitors", "spend"} <= set(c) and set(c["spend"]) == {"mean", "p50"}
    for s in list(x["stages"].values()) + list(x["stage_costs"].values()):
        assert set(s) == {"mean", "p50"}
one = json.load(open(sys.argv[1] + "/compare1.json"))
assert len(one["scenarios"]) == 1 and one["differences"] == []
PY

# without differences, the writers give what `run` prints
s=scenarios/b2b_saas_inbound.lua
"$BUILD/funnelcast" run "$s" --trials 2000 --seed 7 --threads 1 --format json > "$tmp/cli.json" &&
  cmp -s "$tmp/cli.json" "$tmp/run1.json" && ok || bad "JSON of a run differs from the command's"
"$BUILD/funnelcast" run "$s" --trials 2000 --seed 7 --threads 1 > "$tmp/cli.txt" &&
  cmp -s "$tmp/cli.txt" "$tmp/run1.txt" && ok || bad "text of a run differs from the command's"

finish check_reports
