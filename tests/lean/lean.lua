-- lean: the lean runs of fc.evaluate (core.evaluate: fc_shape_lean
-- summaries, and the engine's work_needs, which then skips what their
-- figures do not need) from a stock lua5.4 with the built module. The
-- promise checked: each goal's probability and met count, and every stat
-- (mean, sd, min, max, p5..p95, n, infinite) of each goal's value and of
-- each named metric, are exactly (==) those of a full run fc.run(s, { trials,
-- seed, threads }) of the same scenario, for
--   - every scenario of scenarios/*.lua and tests/good/*.lua;
--   - small scenarios written below that take every path of the engine: the
--     Poisson flows (one lag per stage; channels entering several stages,
--     several channels entering one, counts kept per channel, arrivals above
--     the Poisson limit in slices), the stage-by-stage binomials (delays over
--     several lags; rates that differ by channel), stage costs on early and
--     late stages, money or none (churn by rate, sbg churn, win-back, no
--     customers at all), correlated assumptions (some that only money uses),
--     assumptions drawn each period, one period, no channels;
--   - goals on new_customers, on stage names (the first, the middle, the
--     last), on cac, spend, funnel_cost, revenue, active_end, ltv and the
--     other totals, with `by` before the last period, every goal alone too
--     (a lean run needs only what its goals and metrics need);
--   - metric lists {}, {new_customers}, {cac, spend}, {revenue},
--     {funnel_cost}, {spend}, and all totals at once;
--   - 1 and 2 threads, 3000 trials (not a whole number of 1024-trial blocks),
--     9000 trials, and a few other counts; a smaller memory limit;
-- and that several scenarios evaluated in one call (common random numbers)
-- each get the figures they get alone, and the errors of bad arguments.
-- Run from the repository root:
--   lua5.4 tests/lean/lean.lua [BUILD]
local build = arg[1] or os.getenv("BUILD") or "build"
package.cpath = build .. "/?.so;" .. package.cpath
local fc = require "funnelcast"

local T = dofile("tests/support/checks.lua")
local check, eq, err_of = T.check, T.eq, T.err_of

local SEED = 20270

-- Every total a metrics list may name (core/metrics.c, in its order).
local ALL = { "new_customers", "churned", "won_back", "active_end", "revenue", "gross_margin", "spend",
  "funnel_cost", "winback_cost", "cac", "ltv", "ltv_cac", "roi", "payback" }
local LISTS = { {}, { "new_customers" }, { "cac", "spend" }, { "revenue" }, { "funnel_cost" }, ALL }
local LISTS_SHORT = { {}, { "cac", "spend" }, { "revenue" } }

----------------------------------------------------------------------------
-- Exact comparison of results.

local STAT_KEYS = { "mean", "sd", "min", "max", "p5", "p10", "p25", "p50", "p75", "p90", "p95", "n",
  "infinite", "count" }

-- a and b are the same value: ==, or both NaN.
local function same(a, b)
  return a == b or (type(a) == "number" and type(b) == "number" and a ~= a and b ~= b)
end

local function show(x)
  if math.type(x) == "float" then return string.format("%.17g", x) end
  return tostring(x)
end

-- One check: every field of stat `got` (lean) equals `want`'s (the full
-- run's, or the one named `wname`).
local function same_stat(got, want, what, wname)
  wname = wname or "full"
  if type(got) ~= "table" or type(want) ~= "table" then
    check(false, string.format("%s: stat missing (lean %s, %s %s)", what, type(got), wname, type(want)))
    return
  end
  local diffs = {}
  for _, k in ipairs(STAT_KEYS) do
    if not same(got[k], want[k]) then
      diffs[#diffs + 1] = string.format("%s lean %s %s %s", k, show(got[k]), wname, show(want[k]))
    end
  end
  check(#diffs == 0, string.format("%s: %s", what, table.concat(diffs, "; ")))
end

local function full_metric(full, name)
  for _, m in ipairs(full.metrics) do
    if m.name == name then return m.stat end
  end
end

-- The lean results `lean` of one scenario, run with metrics list `metrics`,
-- against the full results `full` of the same scenario, trials and seed.
local function same_results(lean, full, metrics, trials, what)
  eq(lean.trials, trials, what .. ": trials")
  eq(#lean.goals, #full.goals, what .. ": number of goals")
  for i, fg in ipairs(full.goals) do
    local lg = lean.goals[i] or {}
    local w = string.format("%s: goal %d (%s)", what, i, fg.name)
    eq(lg.name, fg.name, w .. ": name")
    check(same(lg.probability, fg.probability), string.format("%s: probability lean %s full %s", w,
      show(lg.probability), show(fg.probability)))
    local met = math.floor(fg.probability * trials + 0.5)
    check(math.type(lg.met) == "integer" and lg.met == met and lg.met / trials == fg.probability,
      string.format("%s: met lean %s, full probability * trials %s", w, show(lg.met), show(fg.probability * trials)))
    same_stat(lg.value, fg.value, w .. ": value")
  end
  local named, nkeys = {}, 0
  for _, name in ipairs(metrics) do
    named[name] = true
    same_stat(lean.metrics[name], full_metric(full, name), string.format("%s: metric %s", what, name))
  end
  for k in pairs(lean.metrics) do
    nkeys = nkeys + 1
    check(named[k], string.format("%s: metric %s reported, not asked for", what, tostring(k)))
  end
  eq(nkeys, #metrics, what .. ": number of metrics reported")
end

-- The figures of two lean results are the same (a scenario evaluated with
-- others and alone).
local function same_lean(got, want, metrics, what)
  eq(got.trials, want.trials, what .. ": trials")
  eq(#got.goals, #want.goals, what .. ": number of goals")
  for i, wg in ipairs(want.goals) do
    local gg = got.goals[i] or {}
    local w = string.format("%s: goal %d (%s)", what, i, wg.name)
    check(same(gg.probability, wg.probability) and gg.met == wg.met,
      string.format("%s: probability %s (met %s), alone %s (met %s)", w, show(gg.probability), show(gg.met),
        show(wg.probability), show(wg.met)))
    same_stat(gg.value, wg.value, w .. ": value", "alone")
  end
  for _, name in ipairs(metrics) do
    same_stat(got.metrics[name], want.metrics[name], string.format("%s: metric %s", what, name), "alone")
  end
end

local function opts(trials, threads, metrics, extra)
  local o = { trials = trials, seed = SEED, threads = threads, metrics = metrics }
  for k, v in pairs(extra or {}) do o[k] = v end
  return o
end

-- Full runs, by scenario, trials, threads and options.
local full_cache = setmetatable({}, { __mode = "k" })
local function full_run(s, trials, threads, extra)
  local key = string.format("%d/%d", trials, threads)
  for k, v in pairs(extra or {}) do key = key .. "/" .. k .. "=" .. tostring(v) end
  full_cache[s] = full_cache[s] or {}
  local r = full_cache[s][key]
  if r == nil then
    local o = opts(trials, threads, nil, extra)
    o.metrics = nil
    local ok, res = pcall(fc.run, s, o)
    check(ok, string.format("full run (%s): %s", key, tostring(not ok and res or "")))
    if not ok then return nil end
    r = res
    full_cache[s][key] = r
  end
  return r
end

-- Evaluate s alone against its full run, for each metrics list, trial count
-- and thread count.
local function against_full(s, label, trial_counts, thread_counts, lists, extra)
  for _, trials in ipairs(trial_counts) do
    for _, threads in ipairs(thread_counts) do
      local full = full_run(s, trials, threads, extra)
      for _, metrics in ipairs(full and lists or {}) do
        local what = string.format("%s, %d trials, %d thread%s, metrics {%s}", label, trials, threads,
          threads == 1 and "" or "s", table.concat(metrics, ","))
        local ok, res = pcall(fc.evaluate, { s }, opts(trials, threads, metrics, extra))
        check(ok and type(res) == "table" and #res == 1, what .. ": evaluate runs: " .. tostring(not ok and res or ""))
        if ok then same_results(res[1], full, metrics, trials, what) end
      end
    end
  end
end

----------------------------------------------------------------------------
-- Scenarios written here. A scenario is made from a spec (the fields of
-- scenario{} without goals) and goal descriptors { metric, by, op }; its
-- goals' targets are the medians of a short full run, so that each
-- probability is away from 0 and 1 (and so tells a goal met from one not).

local C = fc -- the constructors
local SEARCH_CPC = C.lognormal{ median = 2, sigma = 0.3 }
local LEAD_RATE = C.beta(30, 970)

local function with_goals(spec, goals)
  local t = {}
  for k, v in pairs(spec) do t[k] = v end
  t.goals = goals
  return C.scenario(t)
end

local function goal_of(g, i, target)
  local t = { name = string.format("g%d %s %s by %s", i, g.metric, g.op, tostring(g.by or "end")),
    metric = g.metric, by = g.by }
  t[g.op] = target
  return C.goal(t)
end

-- The scenario of spec with goals descs, targets at the medians.
local function calibrated(spec, descs)
  local zero = {}
  for i, g in ipairs(descs) do zero[i] = goal_of(g, i, 0) end
  local r = fc.run(with_goals(spec, zero), { trials = 1000, seed = 7, threads = 2 })
  local goals = {}
  for i, g in ipairs(descs) do
    local p50 = r.goals[i].value.p50
    if not (p50 == p50 and math.abs(p50) < math.huge) then p50 = 1e9 end
    goals[i] = goal_of(g, i, p50)
  end
  return with_goals(spec, goals), goals
end

local function G(metric, op, by) return { metric = metric, op = op or "at_least", by = by } end

local specs = {}

-- Poisson flows (one lag per stage, one rate for all channels) with money:
-- channels entering the first stage and the lead stage (cpl), hill response
-- with adstock, organic arrivals, stage costs on a middle and the last stage.
specs.flows_money = { periods = 12, spec = {
  name = "flows_money", periods = 12,
  channels = {
    search = { spend = 20000, cpc = SEARCH_CPC },
    social = { spend = { 9000, 9000, 9000, 12000, 12000, 12000, 9000, 9000, 15000, 15000, 20000, 20000 },
               response = C.hill{ max = 8000, half = C.lognormal{ median = 15000, sigma = 0.2 }, shape = 1.3 },
               adstock = 0.3 },
    seo = { organic = C.gamma{ shape = 4, scale = 250 } },
    events = { spend = 10000, cpl = C.range(40, 90) },
  },
  funnel = {
    { "visitor" },
    { "lead", rate = LEAD_RATE },
    { "mql", rate = C.range(0.3, 0.5), delay = 1, cost = C.lognormal{ median = 3.7, sigma = 0.2 } },
    { "sql", rate = C.beta(35, 65), delay = 1 },
    { "customer", rate = C.beta(20, 80), delay = 2, cost = 250.5 },
  },
  customers = { initial = 300, churn = C.beta(3, 97), arpu = 120, growth = 0.01, margin = C.beta(70, 30),
                ltv_horizon = 36, discount = 0.01 },
  winback = { rate = C.beta(5, 95), cost = 1.5 },
}, goals = { G("new_customers"), G("mql", "at_least", 6), G("cac", "at_most"), G("spend", "at_most", 6),
  G("funnel_cost", "at_most", 9), G("revenue"), G("active_end", "at_least", 8), G("ltv"), G("visitor", "at_least", 3),
  G("sql"), G("lead", "at_least", 5) } }

-- Flows with counts kept per channel (track_channels): two channels enter
-- the first stage and two the lead stage; a stage cost drawn each period on
-- the lead stage and a fractional one on the last; no customers at all.
specs.flows_tracked = { periods = 12, spec = {
  name = "flows_tracked", periods = 12, track_channels = true,
  channels = {
    search = { spend = 20000, cpc = SEARCH_CPC },
    social = { spend = 8000, cpc = C.lognormal{ median = 1.2, sigma = 0.3 } },
    events = { spend = 10000, cpl = C.range(40, 90) },
    partners = { spend = { 0, 0, 7000, 0, 0, 7000, 0, 0, 7000, 0, 0, 7000 }, cpl = C.lognormal{ median = 55, sigma = 0.3 } },
  },
  funnel = {
    { "visitor" },
    { "lead", rate = LEAD_RATE, cost = C.normal{ mean = 0.73, sd = 0.1, clip = true, each = "period" } },
    { "mql", rate = C.beta(40, 60), delay = 1 },
    { "customer", rate = C.beta(20, 80), delay = 1, cost = 99.9 },
  },
}, goals = { G("new_customers"), G("lead", "at_least", 5), G("funnel_cost", "at_most"), G("cac", "at_most"),
  G("spend", "at_most"), G("mql", "at_least", 10), G("funnel_cost", "at_most", 4) } }

-- The stage-by-stage binomials: delays spread over several lags (a list and
-- each law), costs, money.
specs.lags_spread = { periods = 18, spec = {
  name = "lags_spread", periods = 18,
  channels = {
    search = { spend = 20000, cpc = SEARCH_CPC },
    social = { spend = 8000, cpc = C.lognormal{ median = 1.2, sigma = 0.3 } },
  },
  funnel = {
    { "visitor" },
    { "lead", rate = LEAD_RATE, delay = { 0.5, 0.3, 0.2 } },
    { "mql", rate = C.beta(40, 60), delay = C.lags.geometric{ mean = 1.5 }, cost = 2.25 },
    { "sql", rate = C.beta(35, 65), delay = C.lags.negbin{ mean = 2, sd = 2 } },
    { "customer", rate = C.beta(20, 80), delay = C.lags.weibull{ shape = 1.5, scale = 2 }, cost = 400 },
  },
  customers = { initial = 50, churn = C.beta(2, 98), arpu = 90 },
}, goals = { G("new_customers", "at_least", 12), G("sql"), G("cac", "at_most"), G("funnel_cost", "at_most", 6),
  G("revenue"), G("active_end"), G("lead", "at_least", 4) } }

-- Rates that differ by channel (so counts are kept by channel), one lag per
-- stage otherwise, money with a long LTV horizon.
specs.by_channel = { periods = 12, spec = {
  name = "by_channel", periods = 12,
  channels = {
    search = { spend = 20000, cpc = SEARCH_CPC },
    linkedin = { spend = 15000, cpc = C.lognormal{ median = 9, sigma = 0.3 } },
    events = { spend = { 0, 0, 40000, 0, 0, 40000, 0, 0, 40000, 0, 30000, 0 }, cpl = C.range(150, 400) },
  },
  funnel = {
    { "visitor" },
    { "lead", rate = { default = LEAD_RATE, search = C.beta(50, 950) } },
    { "mql", rate = { default = C.beta(30, 70), events = C.beta(55, 45) } },
    { "sql", rate = C.beta(35, 65), cost = 150 },
    { "customer", rate = C.beta(20, 80), delay = 1 },
  },
  customers = { initial = 80, churn = C.beta(1, 99), arpu = 4000, margin = 0.8, ltv_horizon = 60 },
}, goals = { G("new_customers"), G("cac", "at_most"), G("lead"), G("funnel_cost", "at_most"), G("ltv"),
  G("revenue", "at_least", 6), G("new_customers", "at_least", 6) } }

-- sbg churn, initial and lost customers, win-back, and goals on every
-- money total.
specs.sbg = { periods = 24, spec = {
  name = "sbg", periods = 24,
  channels = {
    search = { spend = 15000, cpc = C.lognormal{ median = 0.9, sigma = 0.15 } },
    organic = { organic = C.normal{ p5 = 1500, p95 = 2500, clip = true } },
  },
  funnel = {
    { "visitor" },
    { "cart", rate = C.beta(60, 940) },
    { "customer", rate = C.range(0.35, 0.55) },
  },
  customers = { initial = 2000, lost = 500, churn = C.sbg{ alpha = 1.6, beta = 8 }, initial_tenure = 6,
                arpu = 32, growth = 0.004, margin = C.beta(45, 55), ltv_horizon = 36, discount = 0.01 },
  winback = { rate = C.beta(4, 96), cost = 0.4 },
}, goals = { G("active_end"), G("revenue", "at_least", 12), G("ltv"), G("new_customers"), G("cac", "at_most"),
  G("churned", "at_most"), G("won_back"), G("gross_margin"), G("winback_cost", "at_most"), G("ltv_cac"),
  G("roi"), G("payback", "at_most"), G("active_end", "at_least", 3) } }

-- Correlated assumptions, among them two that only money uses (churn,
-- arpu), on the flows.
specs.correlated = { periods = 12, spec = {
  name = "correlated", periods = 12,
  channels = { search = { spend = 25000, cpc = C.lognormal{ median = 2, sigma = 0.3 } } },
  funnel = {
    { "visitor" },
    { "lead", rate = LEAD_RATE },
    { "mql", rate = C.beta(30, 70) },
    { "sql", rate = C.beta(35, 65), delay = 1, cost = 120.25 },
    { "customer", rate = C.beta(20, 80), delay = 1 },
  },
  customers = { initial = 100, churn = C.beta(3, 97), arpu = C.lognormal{ median = 200, sigma = 0.2 } },
  correlations = { { "funnel.mql.rate", "funnel.sql.rate", 0.6 }, { "customers.churn", "funnel.mql.rate", -0.4 },
                   { "channels.search.cpc", "customers.arpu", 0.3 } },
}, goals = { G("new_customers"), G("cac", "at_most"), G("sql"), G("revenue"), G("active_end", "at_least", 6) } }

-- Assumptions drawn each period (volatility), a cost on the first stage.
specs.per_period = { periods = 12, spec = {
  name = "per_period", periods = 12,
  channels = {
    search = { spend = 20000, cpc = C.lognormal{ median = 2, sigma = 0.3, each = "period" } },
    seo = { organic = C.gamma{ shape = 4, scale = 250, each = "period" } },
  },
  funnel = {
    { "visitor", cost = 0.05 },
    { "lead", rate = C.beta{ mean = 0.03, sd = 0.005, each = "period" } },
    { "customer", rate = C.beta(20, 80), delay = 1, cost = C.lognormal{ median = 30, sigma = 0.2, each = "period" } },
  },
  customers = { initial = 100, churn = C.normal{ mean = 0.03, sd = 0.01, clip = true, each = "period" },
                arpu = C.lognormal{ median = 60, sigma = 0.1, each = "period" } },
}, goals = { G("new_customers", "at_least", 6), G("cac", "at_most"), G("revenue"), G("funnel_cost", "at_most"),
  G("visitor") } }

-- No channels: only the customers there at the start (CAC has no customers
-- to divide by: infinite in every trial).
specs.no_channels = { periods = 6, spec = {
  name = "no_channels", periods = 6,
  funnel = { { "visitor" }, { "customer", rate = 0.1 } },
  customers = { initial = 1000, lost = 100, churn = C.beta(5, 95), arpu = 50 },
  winback = { rate = C.beta(10, 90) },
}, goals = { G("active_end"), G("revenue"), G("cac", "at_most"), G("new_customers"), G("won_back", "at_least", 3) } }

-- Arrivals above the Poisson limit of 1e12 at one stage: drawn in slices.
specs.huge = { periods = 3, spec = {
  name = "huge", periods = 3,
  channels = { a = { organic = 6e11 }, b = { organic = C.lognormal{ median = 5e11, sigma = 0.05 } } },
  funnel = {
    { "visitor" },
    { "lead", rate = C.beta(1, 99) },
    { "customer", rate = C.beta(50, 50), delay = 1, cost = 0.01 },
  },
}, goals = { G("new_customers"), G("funnel_cost", "at_most"), G("lead", "at_least", 2), G("visitor") } }

-- The same, with counts kept per channel.
specs.huge_tracked = { periods = 3, spec = {}, goals = specs.huge.goals }
for k, v in pairs(specs.huge.spec) do specs.huge_tracked.spec[k] = v end
specs.huge_tracked.spec.name, specs.huge_tracked.spec.track_channels = "huge_tracked", true

-- One period.
specs.one_period = { periods = 1, spec = {
  name = "one_period", periods = 1,
  channels = { search = { spend = 5000, cpc = SEARCH_CPC } },
  funnel = { { "visitor" }, { "lead", rate = LEAD_RATE }, { "customer", rate = C.beta(20, 80) } },
  customers = { initial = 10, churn = 0.05, arpu = 10 },
}, goals = { G("new_customers", "at_least", 1), G("cac", "at_most"), G("revenue"), G("lead") } }

local order = { "flows_money", "flows_tracked", "lags_spread", "by_channel", "sbg", "correlated", "per_period",
  "no_channels", "huge", "huge_tracked", "one_period" }
local inline = {}
for _, name in ipairs(order) do
  local d = specs[name]
  local s, goals = calibrated(d.spec, d.goals)
  inline[name] = { s = s, goals = goals, spec = d.spec }
end

----------------------------------------------------------------------------
-- Every scenario against its full run.

local files = {}
for _, dir in ipairs{ "scenarios", "tests/good" } do
  local p = io.popen("ls " .. dir .. "/*.lua")
  for path in p:lines() do files[#files + 1] = path end
  p:close()
end
table.sort(files)
check(#files >= 7, "scenario files found: " .. #files)

local file_scenarios = {}
for _, path in ipairs(files) do
  local ok, list = pcall(fc.load, path)
  check(ok and #list >= 1, path .. ": loads: " .. tostring(not ok and list or ""))
  if ok then
    for i, s in ipairs(list) do
      local label = string.format("%s[%d] (%s)", path, i, fc.normalize(s).name)
      file_scenarios[#file_scenarios + 1] = { s = s, label = label }
      against_full(s, label, { 3000 }, { 1, 2 }, LISTS)
      against_full(s, label, { 9000 }, { 2 }, LISTS_SHORT)
    end
  end
end

for _, name in ipairs(order) do
  against_full(inline[name].s, name, { 3000 }, { 1, 2 }, LISTS)
  against_full(inline[name].s, name, { 9000 }, { 2 }, LISTS_SHORT)
end

-- The targets tell: most goals are met in some trials and missed in others
-- (a goal on spend, fixed, or on a CAC always infinite cannot be).
for _, name in ipairs(order) do
  local full, mixed = full_run(inline[name].s, 3000, 1), 0
  for _, g in ipairs(full and full.goals or {}) do
    if g.probability > 0 and g.probability < 1 then mixed = mixed + 1 end
  end
  check(full and mixed >= #full.goals - 2, string.format("%s: %d of %d goals met in some trials only", name, mixed,
    full and #full.goals or 0))
end

-- Other trial counts: one trial, one block and one more, a chunk and less.
for _, name in ipairs{ "flows_money", "lags_spread", "sbg", "flows_tracked" } do
  against_full(inline[name].s, name, { 1, 63, 1025, 2048 }, { 2 }, { {}, { "cac", "revenue" } })
end

-- Each goal alone, with no other goal to need more of the trial, and the
-- scenario with no goal at all (only the metrics list's needs).
for _, name in ipairs(order) do
  local d = inline[name]
  for i, g in ipairs(d.goals) do
    local s = with_goals(d.spec, { g })
    against_full(s, string.format("%s, goal %d alone", name, i), { 3000 }, { 2 }, { {}, { "spend" } })
  end
  local none = with_goals(d.spec, {})
  against_full(none, name .. ", no goals", { 3000 }, { 2 },
    { {}, { "spend" }, { "new_customers" }, { "funnel_cost" }, { "cac" }, { "cac", "spend" }, { "revenue" },
      { "active_end" }, { "ltv" }, ALL })
end

----------------------------------------------------------------------------
-- Several scenarios in one call: each gets what it gets alone.

local function together(list, labels, metrics, what, trials)
  trials = trials or 3000
  local o = opts(trials, 2, metrics)
  local ok, res = pcall(fc.evaluate, list, o)
  check(ok and #res == #list, what .. ": evaluate runs: " .. tostring(not ok and res or ""))
  if not ok then return end
  for j, s in ipairs(list) do
    local alone = fc.evaluate({ s }, o)[1]
    same_lean(res[j], alone, metrics, string.format("%s: %s (position %d) with the others vs alone", what, labels[j], j))
    local full = full_run(s, trials, 2)
    if full then
      same_results(res[j], full, metrics, trials,
        string.format("%s: %s (position %d) with the others vs its full run", what, labels[j], j))
    end
  end
end

local function pair_both_ways(a, la, b, lb, metrics, what)
  together({ a, b }, { la, lb }, metrics, what)
  together({ b, a }, { lb, la }, metrics, what .. " (swapped)")
end

local M2 = { "cac", "revenue", "new_customers" }
do
  -- same periods, assumptions shared (search's cpc, the lead rate)
  pair_both_ways(inline.flows_money.s, "flows_money", inline.flows_tracked.s, "flows_tracked", M2, "flows pair")
  pair_both_ways(inline.flows_money.s, "flows_money", inline.by_channel.s, "by_channel", M2, "flows and by channel")
  pair_both_ways(inline.flows_money.s, "flows_money", inline.correlated.s, "correlated", M2, "flows and copula")
  -- a first scenario that needs no money (its churn is not drawn) before one
  -- that does, with the same churn: the second draws its own
  local nomoney = with_goals(specs.flows_money.spec, { inline.flows_money.goals[1], inline.flows_money.goals[3] })
  local money = with_goals(specs.flows_money.spec, { inline.flows_money.goals[6], inline.flows_money.goals[7] })
  pair_both_ways(nomoney, "flows_money without money goals", money, "flows_money with money goals", {},
    "money needed by the second only")
  local cnomoney = with_goals(specs.correlated.spec, { inline.correlated.goals[2] })
  local cmoney = with_goals(specs.correlated.spec, { inline.correlated.goals[4] })
  pair_both_ways(cnomoney, "correlated without money goals", cmoney, "correlated with money goals", {},
    "copula: money needed by the second only")
  -- the same scenario twice
  together({ inline.sbg.s, inline.sbg.s }, { "sbg", "sbg" }, M2, "one scenario twice")
  -- a what-if study: the plan and its alternatives share nearly every draw
  local study = fc.load("scenarios/whatif_channel_mix.lua")
  local labels = {}
  for j, s in ipairs(study) do labels[j] = fc.normalize(s).name end
  together(study, labels, { "cac", "spend", "revenue" }, "whatif_channel_mix")
  -- every inline scenario of 12 periods in one call
  local list, names = {}, {}
  for _, name in ipairs(order) do
    if specs[name].periods == 12 then
      list[#list + 1] = inline[name].s
      names[#names + 1] = name
    end
  end
  together(list, names, M2, "all 12-period scenarios")
  -- at 20000 trials, with the files' scenarios of 12 periods
  local f12, l12 = {}, {}
  for _, fs in ipairs(file_scenarios) do
    if fc.normalize(fs.s).periods == 12 and #f12 < 16 then
      f12[#f12 + 1] = fs.s
      l12[#l12 + 1] = fs.label
    end
  end
  together(f12, l12, M2, "the files' 12-period scenarios", 9000)
end

----------------------------------------------------------------------------
-- Under a small memory limit, where the histograms' caps are smaller (and a
-- figure that is not whole may need coarser buckets): the same caps, so the
-- same figures.
do
  -- the limit counts what the Lua state holds: drop the full runs kept
  for k in pairs(full_cache) do full_cache[k] = nil end
  collectgarbage("collect")
  local wide = fc.load("tests/memory/wide.lua")[1]
  local gw = C.goal{ name = "customers", metric = "new_customers", at_least = 1e6 }
  local wide_goal = wide:with{ goals = { gw, C.goal{ name = "cac", metric = "cac", at_most = 10, by = 50 } } }
  against_full(wide_goal, "wide, max_memory 64M", { 3000 }, { 1, 2 }, { {}, { "cac", "spend" }, ALL },
    { max_memory = 64 * 1024 * 1024 })
  against_full(inline.sbg.s, "sbg, max_memory 64M", { 3000 }, { 2 }, { { "revenue", "ltv", "cac" } },
    { max_memory = 64 * 1024 * 1024 })
end

----------------------------------------------------------------------------
-- Errors.

do
  local s = inline.flows_money.s
  local e = err_of(fc.evaluate, { s }, { trials = 100, metrics = { "cac", "cacc" } })
  check(e ~= nil and e:find("cacc", 1, true) ~= nil and e:find("metrics[2]", 1, true) ~= nil,
    "unknown metric: the error names it and its position: " .. tostring(e))
  e = err_of(fc.evaluate, { s }, { trials = 100, metrics = { "active" } })
  check(e ~= nil and e:find("active", 1, true) ~= nil, "a series' name is not a total: " .. tostring(e))
  e = err_of(fc.evaluate, { s }, { trials = 100, metrics = { true } })
  check(e ~= nil and e:find("metrics[1]", 1, true) ~= nil, "a metric that is not a string: " .. tostring(e))
  e = err_of(fc.evaluate, { s, 42 }, { trials = 100 })
  check(e ~= nil and e:find("position 2", 1, true) ~= nil, "a number in the list: " .. tostring(e))
  e = err_of(fc.evaluate, { s, { name = "x" } }, { trials = 100 })
  check(e ~= nil and e:find("position 2", 1, true) ~= nil, "a plain table in the list: " .. tostring(e))
  e = err_of(fc.evaluate, { fc.normalize(s) }, { trials = 100 })
  check(e ~= nil and e:find("position 1", 1, true) ~= nil, "a normalized table is not a scenario: " .. tostring(e))
  e = err_of(fc.evaluate, {}, { trials = 100 })
  check(e ~= nil, "an empty list: " .. tostring(e))
  local many = {}
  for j = 1, 17 do many[j] = s end
  e = err_of(fc.evaluate, many, { trials = 100 })
  check(e ~= nil and e:find("17", 1, true) ~= nil, "17 scenarios: " .. tostring(e))
  e = err_of(fc.evaluate, { s }, { trials = 100, precision = 0.01 })
  check(e ~= nil and e:find("precision", 1, true) ~= nil, "no precision in a lean run: " .. tostring(e))
  e = err_of(fc.evaluate, { s }, { trials = 0 })
  check(e ~= nil, "0 trials: " .. tostring(e))
  -- without options: the first scenario's trials and seed
  local norm = fc.normalize(inline.one_period.s)
  local r = fc.evaluate({ inline.one_period.s })[1]
  local f = fc.run(inline.one_period.s)
  same_results(r, f, {}, norm.trials, "no options: the scenario's trials and seed")
end

----------------------------------------------------------------------------
-- Scenarios of different numbers of periods in one call, sharing
-- assumptions: last, since a mix-up of their draws may read past the
-- shorter one's (engine.c work_share, draw_params).

do
  -- different numbers of periods, sharing assumptions (search's cpc, the
  -- lead rate; in per_period, search's cpc drawn each period)
  pair_both_ways(inline.flows_money.s, "flows_money (12 periods)", inline.lags_spread.s, "lags_spread (18 periods)",
    M2, "different periods")
  pair_both_ways(inline.one_period.s, "one_period (1 period)", inline.flows_money.s, "flows_money (12 periods)",
    M2, "one period and twelve")
  local pp24 = with_goals((function()
    local t = {}
    for k, v in pairs(specs.per_period.spec) do t[k] = v end
    t.name, t.periods = "per_period_24", 24
    return t
  end)(), inline.per_period.goals)
  pair_both_ways(inline.per_period.s, "per_period (12 periods)", pp24, "per_period_24 (24 periods)", M2,
    "each-period draws, different periods")
end

T.finish("lean")
