-- compare: the report writers (scripts/report*.lua, read from the source
-- tree with a stand-in for the C core) on real results from the built module
-- and on made-up differences: the run view is unchanged when differences is
-- nil, the comparison's text fits 100 columns for 1, 2, 3 and 5 scenarios,
-- with long and wide names and huge values, and shows each goal's difference
-- in points with its interval. Writes the documents it makes to OUT (the
-- shell side, tests/check_reports.sh, parses the JSON and compares the run
-- view with the command's own output). Run from the repository root:
--   lua5.4 tests/reports/compare.lua BUILD OUT
local build, out = arg[1] or "build", arg[2] or "/tmp"
package.cpath = build .. "/?.so;" .. package.cpath
local fc = require "funnelcast"

-- The embedded scripts as core._script loads them, from scripts/.
local core = { version = fc.version, script_chunk = "[funnelcast] ", _getinfo = debug.getinfo }
local loaded = {}
function core._script(name)
  if loaded[name] == nil then
    local chunk = assert(loadfile("scripts/" .. name .. ".lua", "t"))
    loaded[name] = chunk(core) or true
  end
  return loaded[name]
end
local report = core._script("report")

local T = dofile("tests/support/checks.lua")
local check = T.check

local function write(name, text)
  local f = assert(io.open(out .. "/" .. name, "w"))
  f:write(text)
  f:close()
end

-- The scenario files' results, as `run --trials 2000 --seed 7` makes them.
local results = {}
for _, path in ipairs({ "scenarios/b2b_saas_inbound.lua", "scenarios/ecommerce_retention.lua" }) do
  local s = fc.load(path)[1]
  results[#results + 1] = fc.run(s, { trials = 2000, seed = 7, threads = 1 })
end
write("run1.json", report.json({ results[1] }))
write("run1.txt", report.text({ results[1] }))
write("run2.json", report.json(results))
write("run2.txt", report.text(results))
check(report.json(results, nil) == report.json(results), "json(results, nil) is json(results)")
check(report.text(results, nil) == report.text(results), "text(results, nil) is text(results)")

-- A stat table of a difference, from a few figures.
local function stat(mean, lo, mid, hi, infinite)
  return { mean = mean, sd = math.abs(hi - lo) / 2.56, min = lo * 2, max = hi * 2, p5 = lo * 1.2, p10 = lo,
    p25 = (lo + mid) / 2, p50 = mid, p75 = (mid + hi) / 2, p90 = hi, p95 = hi * 1.2, n = 2000,
    infinite = infinite or 0, count = false }
end

-- A copy of r renamed, with every figure scaled by k.
local function variant(r, name, k)
  local function scale(st)
    local c = {}
    for key, v in pairs(st) do c[key] = (type(v) == "number" and math.type(v) ~= "integer") and v * k or v end
    return c
  end
  local v = { scenario = name, trials = r.trials, seed = r.seed, periods = r.periods, unit = r.unit,
    metrics = {}, stages = {}, channels = {}, series = {}, goals = {} }
  for i, m in ipairs(r.metrics) do v.metrics[i] = { name = m.name, stat = scale(m.stat) } end
  for i, s in ipairs(r.stages) do v.stages[i] = { name = s.name, total = scale(s.total), cost = scale(s.cost) } end
  for i, c in ipairs(r.channels) do
    v.channels[i] = { name = c.name, visitors = scale(c.visitors), spend = scale(c.spend),
      customers = c.customers and scale(c.customers), cac = c.cac and scale(c.cac) }
  end
  for i, g in ipairs(r.goals) do
    local p = math.min(1, g.probability * k)
    v.goals[i] = { name = g.name, metric = g.metric, op = g.op, target = g.target, from = g.from, by = g.by, every = g.every,
      probability = p, confidence = g.confidence, on_track = p >= g.confidence, value = scale(g.value),
      drivers = {} }
  end
  return v
end

-- The difference of alternative a against base b as the C side gives it
-- (figures made up from the two summaries; k = 1 is an exact copy).
local function difference(a, b, k)
  local function diff(x, y)
    if not x or not y then return nil end
    local d = x.mean - y.mean
    return stat(d, x.p10 - y.p90, x.p50 - y.p50, x.p90 - y.p10, k == 1 and 0 or (x.infinite + y.infinite))
  end
  local d = { scenario = a.scenario, against = b.scenario, trials = a.trials, metrics = {}, goals = {},
    stages = {}, channels = {} }
  for i, m in ipairs(b.metrics) do
    local st = k == 1 and stat(0, 0, 0, 0) or diff(a.metrics[i].stat, m.stat)
    d.metrics[i] = { name = m.name, stat = st, better = k == 1 and 0 or 0.93, ties = k == 1 and 1 or 0.01,
      direction = (m.name == "spend" or m.name == "cac") and "lower" or "higher" }
  end
  for i, g in ipairs(b.goals) do
    d.goals[i] = { name = g.name, probability = a.goals[i].probability, against = g.probability,
      difference = a.goals[i].probability - g.probability, se = k == 1 and 0 or 0.002 }
  end
  -- stages and channels: the change of the mean and of the median
  local function change(x, y)
    if not x or not y then return nil end
    return { mean = x.mean - y.mean, p50 = x.p50 - y.p50, infinite = math.max(x.infinite, y.infinite) }
  end
  for i, s in ipairs(b.stages) do
    d.stages[i] = { name = s.name, total = change(a.stages[i].total, s.total), cost = change(a.stages[i].cost, s.cost) }
  end
  for i, c in ipairs(b.channels) do
    local o = a.channels[i]
    d.channels[i] = { name = c.name, visitors = change(o.visitors, c.visitors), spend = change(o.spend, c.spend),
      customers = change(o.customers, c.customers), cac = change(o.cac, c.cac) }
  end
  return d
end

local function widest(text)
  local w, line = 0, nil
  for l in text:gmatch("[^\n]*") do
    if report.width(l) > w then w, line = report.width(l), l end
  end
  return w, line
end

local function compare(name, base, scales, names)
  local list, diffs = { base }, {}
  for i, k in ipairs(scales) do
    list[i + 1] = variant(base, names[i], k)
    diffs[i] = difference(list[i + 1], base, k)
  end
  local text = report.text(list, diffs)
  write(name .. ".txt", text)
  write(name .. ".json", report.json(list, diffs))
  local w, line = widest(text)
  check(w <= 100, string.format("%s: a line of %d columns: %s", name, w, line))
  return text, list, diffs
end

local base = results[1]
check(#base.goals > 0, "the inbound scenario has goals")

-- one scenario alone
compare("compare1", base, {}, {})

-- two: an exact copy (ties everywhere) and a change
local text = compare("copy", base, { 1 }, { "the same plan" })
check(text:find("same in 100%% of futures"), "an exact copy is the same in 100% of futures")
check(text:find("%+0%.0 pts +%+0%.0 to %+0%.0 pts"), "an exact copy's goals differ by +0.0 pts")

text = compare("compare2", base, { 1.25 }, { "more search" })
local g = base.goals[1]
local want = string.format("%+.1f pts", 100 * (math.min(1, g.probability * 1.25) - g.probability))
check(text:find(want, 1, true), "a goal's difference in points: " .. want)
check(text:find("[+-]%d+%.%d to [+-]%d+%.%d pts"), "a goal's 95% interval")
check(text:find("93%% of futures %(higher%), same in 1%%"), "better in 93% of futures, with the ties")
check(text:find("difference vs " .. base.scenario, 1, true), "a block names its base")

-- three, and five in two blocks, with long and wide names
compare("compare3", base, { 1.1, 0.8 }, { "more search", "less events" })
local long = { ("a long scenario name "):rep(6), ("広告予算を増やす"):rep(8), ("é"):rep(120), "x", "y" }
text = compare("compare5", base, { 1.1, 0.8, 1.3, 0.5 }, long)
check(text:find("Forecast, scenarios 4 to 5", 1, true), "five scenarios: a second block of columns")
check(text:find("…", 1, true), "long names end in an ellipsis")

-- huge values and long metric, stage and channel names: compact numbers
local huge = variant(base, ("huge "):rep(30), 1e13)
huge.metrics[1].name = ("metric"):rep(20)
huge.stages[1].name = ("stage"):rep(20)
if huge.channels[1] then huge.channels[1].name = ("チャネル"):rep(20) end
compare("huge3", huge, { -1.5, 2 }, { ("less "):rep(20), ("more "):rep(20) })
text = compare("tiny2", variant(base, "tiny", -1e-7), { 3 }, { "tinier" })

T.finish("report writers")
