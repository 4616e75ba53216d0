-- objective: objective-only runs (fc.evaluate with `objective`: a goal on a
-- stage's arrivals, on new_customers, or on the CAC with no stage costs,
-- drawn per trial as one Poisson whose mean sums its paths': core/engine.c
-- marginal_trial) from a stock lua5.4 with the built module. The promises
-- checked:
--   - exact in law: with every assumption fixed the figure is Poisson(mu),
--     mu computed here by hand (delays, `by`, channels entering below the
--     first stage, per-period spend, season); its mean, variance and the
--     goal's probability (the Poisson tail, summed here) agree within 4.5
--     standard errors, on several trial counts;
--   - the same law as a full run's figure on uncertain scenarios (B1, the
--     example scenarios, a stage goal, a CAC goal, a mean above the Poisson
--     limit): means and probabilities within 4.5 standard errors of the
--     difference of two independent estimates, sds within 3%;
--   - objective_only says when it applies, and the run is the exact lean
--     one (== a full run's goal) when it does not: stage costs under a CAC
--     goal, delays spread over several periods, a goal on revenue, metrics
--     named beside the objective;
--   - common random numbers: identical candidates give identical results,
--     one run alone or beside others, on 1, 2 and 3 threads; more spend
--     never lowers a count goal's probability by more than noise;
--   - the errors: an unknown goal name, a non-string objective.
-- Run from the repository root:
--   lua5.4 tests/objective/objective.lua [BUILD]
local build = arg[1] or os.getenv("BUILD") or "build"
package.cpath = build .. "/?.so;" .. package.cpath
local fc = require "funnelcast"

local T = dofile("tests/support/checks.lua")
local check, eq, err_of = T.check, T.eq, T.err_of

-- P(X >= k) for X ~ Poisson(mu), summed in log space
local function pois_tail(mu, k)
  local lp, cdf = -mu, 0
  for x = 0, k - 1 do
    cdf = cdf + math.exp(lp)
    lp = lp + math.log(mu) - math.log(x + 1)
  end
  return 1 - cdf
end

local function within(got, want, se, what)
  check(math.abs(got - want) <= 4.5 * se, string.format("%s: %.6g against %.6g (se %.3g)", what, got, want, se))
end

----------------------------------------------------------------------------
-- Exact in law: fixed assumptions, mu by hand.

-- search: spend 1000 a period at cpc 2 (500 visitors), season 1.2 in
-- periods 7-12; events: 300 leads a period (cpl 10, spend 3000) entering at
-- lead; lead rate 0.1, mql rate 0.5 with delay 1, customer rate 0.4 with
-- delay 2.
local season = { 1, 1, 1, 1, 1, 1, 1.2, 1.2, 1.2, 1.2, 1.2, 1.2 }
local function fixed_scenario(goals)
  return fc.scenario{
    name = "fixed", periods = 12, trials = 1000, seed = 11,
    channels = {
      search = { spend = 1000, cpc = 2, season = season },
      events = { spend = 3000, cpl = 10, enters = "lead" },
    },
    funnel = {
      { "visitor" },
      { "lead", rate = 0.1 },
      { "mql", rate = 0.5, delay = 1 },
      { "customer", rate = 0.4, delay = 2 },
    },
    goals = goals,
  }
end
-- the expected arrivals at each stage in each period, by hand
local function by_hand()
  local v, l, q, c = {}, {}, {}, {}
  for t = 1, 12 do
    v[t] = 500 * season[t]
    l[t] = v[t] * 0.1 + 300
  end
  for t = 1, 12 do
    q[t] = t > 1 and l[t - 1] * 0.5 or 0
    c[t] = t > 2 and q[t - 2] * 0.4 or 0
  end
  return { visitor = v, lead = l, mql = q, customer = c }
end
local function sum_to(list, by)
  local s = 0
  for t = 1, by do s = s + list[t] end
  return s
end
local hand = by_hand()
local cases = {
  { metric = "new_customers", stage = "customer", by = 12 },
  { metric = "new_customers", stage = "customer", by = 5 },
  { metric = "mql", stage = "mql", by = 12 },
  { metric = "lead", stage = "lead", by = 7 },
  { metric = "visitor", stage = "visitor", by = 1 },
}
for _, cs in ipairs(cases) do
  local mu = sum_to(hand[cs.stage], cs.by)
  local target = math.floor(mu + 0.5 * math.sqrt(mu))
  local name = string.format("%s by %d", cs.metric, cs.by)
  local s = fixed_scenario{ fc.goal{ name = name, metric = cs.metric, at_least = target, by = cs.by } }
  for _, n in ipairs({ 20000, 50000 }) do
    local r = fc.evaluate({ s }, { trials = n, seed = 3, objective = name })[1]
    local what = string.format("fixed %s, %d trials", name, n)
    eq(r.objective_only, true, what .. ": objective_only")
    eq(#r.goals, 1, what .. ": the objective's goal alone")
    eq(r.goals[1].name, name, what .. ": its name")
    local v = r.goals[1].value
    within(v.mean, mu, math.sqrt(mu / n), what .. ": mean")
    -- the sample variance of a Poisson: se of s^2 about mu sqrt(2 / n) (mu large)
    within(v.sd * v.sd, mu, mu * math.sqrt((2 + 1 / mu) / n), what .. ": variance")
    local p = pois_tail(mu, target)
    within(r.goals[1].probability, p, math.sqrt(p * (1 - p) / n), what .. ": probability")
    eq(r.goals[1].met, math.floor(r.goals[1].probability * n + 0.5), what .. ": met count")
    check(v.min == math.floor(v.min) and v.max == math.floor(v.max), what .. ": whole counts")
  end
end

----------------------------------------------------------------------------
-- The same law as a full run's, on uncertain scenarios.

local N = 40000
local function compare_law(s, goal, what)
  local q = fc.evaluate({ s }, { trials = N, seed = 101, objective = goal })[1]
  local full = fc.run(s, { trials = N, seed = 202 })
  eq(q.objective_only, true, what .. ": objective_only")
  local fg
  for _, g in ipairs(full.goals) do if g.name == goal then fg = g end end
  local a, b = q.goals[1].value, fg.value
  if b.infinite == 0 and a.infinite == 0 then
    within(a.mean, b.mean, math.sqrt(a.sd ^ 2 / N + b.sd ^ 2 / N), what .. ": mean")
    check(math.abs(a.sd / b.sd - 1) < 0.03, string.format("%s: sd %.6g against %.6g", what, a.sd, b.sd))
  end
  local pa, pb = q.goals[1].probability, fg.probability
  within(pa, pb, math.sqrt((pa * (1 - pa) + pb * (1 - pb)) / N) + 1e-12, what .. ": probability")
  within(a.p50, b.p50, math.max(0.02 * math.abs(b.p50), 1), what .. ": median")
end

local b1 = fc.load("scenarios/b2b_saas_inbound.lua")[1]
compare_law(b1, "200 new customers in 2027", "B1 new customers")
compare_law(b1, "CAC under 3000", "B1 CAC")
compare_law(b1:with{ goals = { fc.goal{ name = "sql", metric = "sql", at_least = 700, by = 9 } } }, "sql", "B1 sql by 9")
compare_law(b1:with{ goals = { fc.goal{ name = "lead", metric = "lead", at_least = 5000 } } }, "lead", "B1 lead")
-- per-period spend and rates drawn every period
local lumpy = b1:with{
  channels = { search = { spend = { 5000, 10000, 20000, 40000, 20000, 10000, 5000, 0, 0, 30000, 30000, 30000 } } },
  funnel = { [2] = { rate = fc.lognormal{ median = 0.03, sigma = 0.2, each = "period", clip = true } } },
}
compare_law(lumpy, "200 new customers in 2027", "B1 lumpy spend, lead rate per period")
-- a mean above the Poisson limit (slices): visitors of a huge budget
local huge = b1:with{
  channels = { search = { spend = 2e9, cpc = 0.01 } },
  goals = { fc.goal{ name = "visitors", metric = "visitor", at_least = 1e12 } },
}
compare_law(huge, "visitors", "visitors above the Poisson limit")

-- every example scenario: each goal the objective-only runs allow
for _, path in ipairs({ "scenarios/b2b_saas_inbound.lua", "scenarios/plan_budget_split.lua" }) do
  for _, s in ipairs(fc.load(path)) do
    local norm = fc.normalize(s)
    for _, g in ipairs(norm.goals or {}) do
      local r = fc.evaluate({ s }, { trials = 2000, objective = g.name })[1]
      if r.objective_only then compare_law(s, g.name, path .. ": " .. g.name) end
    end
  end
end

----------------------------------------------------------------------------
-- When it does not apply: the exact lean run (== a full run's goal).

local function exact_lean(s, goal, what)
  local q = fc.evaluate({ s }, { trials = 3000, seed = 5, objective = goal })[1]
  local full = fc.run(s, { trials = 3000, seed = 5 })
  eq(q.objective_only, false, what .. ": objective_only")
  local fg
  for _, g in ipairs(full.goals) do if g.name == goal then fg = g end end
  eq(q.goals[1].probability, fg.probability, what .. ": probability == the full run's")
  for _, k in ipairs({ "mean", "sd", "min", "max", "p10", "p50", "p90" }) do
    eq(q.goals[1].value[k], fg.value[k], what .. ": " .. k .. " == the full run's")
  end
end
exact_lean(b1:with{ funnel = { [3] = { cost = 5 } } }, "CAC under 3000", "CAC with a stage cost")
exact_lean(b1:with{ funnel = { [5] = { delay = { 0, 0.5, 0.5 } } } },
  "200 new customers in 2027", "delays over two periods (stage-by-stage binomials)")
exact_lean(b1:with{ goals = { fc.goal{ name = "revenue", metric = "revenue", at_least = 700000 } } }, "revenue",
  "a goal on revenue")
do
  local q = fc.evaluate({ b1 }, { trials = 2000, objective = "200 new customers in 2027", metrics = { "spend" } })[1]
  eq(q.objective_only, false, "metrics beside the objective: exact lean")
  eq(#q.goals, 1, "metrics beside the objective: the objective's goal alone")
  eq(q.metrics.spend.mean, 540000, "metrics beside the objective: spend")
end

----------------------------------------------------------------------------
-- Common random numbers and threads.

do
  local goal = "200 new customers in 2027"
  local more = b1:with{ channels = { search = { spend = 26000 } } }
  local alone = fc.evaluate({ b1 }, { trials = 9000, seed = 9, objective = goal, threads = 1 })[1]
  local set = fc.evaluate({ more, b1, b1 }, { trials = 9000, seed = 9, objective = goal, threads = 2 })
  local three = fc.evaluate({ b1 }, { trials = 9000, seed = 9, objective = goal, threads = 3 })[1]
  for _, k in ipairs({ "mean", "sd", "min", "max", "p5", "p50", "p95" }) do
    eq(set[2].goals[1].value[k], alone.goals[1].value[k], "beside others, 2 threads == alone, 1 thread: " .. k)
    eq(set[3].goals[1].value[k], alone.goals[1].value[k], "an identical candidate: " .. k)
    eq(three.goals[1].value[k], alone.goals[1].value[k], "3 threads == 1: " .. k)
  end
  eq(set[2].goals[1].met, alone.goals[1].met, "met beside others == alone")
  -- on common random numbers, more spend moves the probability up (the
  -- Poisson's draws from one stream are nearly monotone in its mean)
  check(set[1].goals[1].probability >= alone.goals[1].probability - 0.005,
    string.format("more spend: %.4f against %.4f", set[1].goals[1].probability, alone.goals[1].probability))
end

----------------------------------------------------------------------------
-- The searches: plan finds the crossings objective-only, then settles the
-- value on exact runs, so the full run at the value meets the confidence;
-- optimize searches objective-only.

do
  local r = fc.plan{ b1, goal = "200 new customers in 2027", trials = 20000 }.plan
  check(r.found, "plan: found")
  check(r.objective_runs > 0 and r.runs > r.objective_runs + 1,
    string.format("plan: objective-only runs (%s) and exact ones (%s in all)", tostring(r.objective_runs), tostring(r.runs)))
  check(r.probability >= r.confidence, string.format("plan: the full run at the value meets the confidence (%.4f)", r.probability))
  check(r.interval[1] <= r.value and r.value <= r.interval[2], "plan: the value inside its interval")
  check(r.method:find("objective-only", 1, true), "plan: the method says so")
  -- the goal's law allows no objective-only run: the exact search alone
  local c = fc.plan{ b1:with{ funnel = { [5] = { delay = { 0, 0.5, 0.5 } } } }, goal = "200 new customers in 2027", trials = 5000 }.plan
  eq(c.objective_runs, 0, "plan: no objective-only runs when the goal's law does not allow them")
  local o = fc.optimize{ b1, budget = 45000, trials = 5000 }.optimize
  check(o.method:find("objective-only", 1, true), "optimize: the method says so")
  check(o.value >= o.base.value - 0.02, "optimize: the best split is not worse than the base")
end

----------------------------------------------------------------------------
-- Errors.

local e = err_of(fc.evaluate, { b1 }, { objective = "no such goal" })
check(e and e:find("objective", 1, true) and e:find("no such goal", 1, true), "unknown goal: " .. tostring(e))
e = err_of(fc.evaluate, { b1 }, { objective = 3 })
check(e and e:find("objective: expected the name of a goal", 1, true), "objective not a string: " .. tostring(e))

T.finish("objective")
