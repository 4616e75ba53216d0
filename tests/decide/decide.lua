-- decide: plan{} and optimize{} (scripts/plan.lua, scripts/optimize.lua)
-- from a stock lua5.4 with the built module, against answers known in
-- closed form, and their promises: a plan's value meets its goal on other
-- trials, an unreachable goal says so, the reverse funnel follows the rates,
-- an optimized split keeps the budget and the bounds exactly and beats the
-- equal split on trials the search did not see, and both are the same for a
-- seed whatever the threads. Run from the repository root:
--   lua5.4 tests/decide/decide.lua [BUILD]
local build = arg[1] or os.getenv("BUILD") or "build"
package.cpath = build .. "/?.so;" .. package.cpath
local fc = require "funnelcast"

local T = dofile("tests/support/checks.lua")
local check, eq, near, err_of = T.check, T.eq, T.near, T.err_of

local scenario, goal, hill = fc.scenario, fc.goal, fc.hill

-- P(Poisson(mu) >= n)
local function pois_upper(mu, n)
  local term, cdf = math.exp(-mu), 0
  for k = 0, n - 1 do
    cdf = cdf + term
    term = term * mu / (k + 1)
  end
  return 1 - cdf
end

-- The mean at which P(Poisson(mu) >= n) = c.
local function pois_mean_for(n, c)
  local lo, hi = 0, 10 * n + 100
  for _ = 1, 200 do
    local mid = (lo + hi) / 2
    if pois_upper(mid, n) < c then lo = mid else hi = mid end
  end
  return (lo + hi) / 2
end

----------------------------------------------------------------------------
-- plan of a rate, in closed form: fixed rates and one channel make the
-- customers Poisson with mean 12 * (1000 / 2) * r * 0.1 = 600 r.
local function rate_scenario(r)
  return scenario {
    name = "rate-plan", periods = 12, trials = 20000, seed = 11,
    channels = { search = { spend = 1000, cpc = 2 } },
    funnel = { { "visitor" }, { "lead", rate = r }, { "customer", rate = 0.1 } },
    goals = { goal{ name = "20 customers", metric = "new_customers", at_least = 20, confidence = 0.8 } },
  }
end
do
  local r = fc.plan{ rate_scenario(0.02), goal = "20 customers", vary = "funnel.lead.rate" }
  local p = r.plan
  local want = pois_mean_for(20, 0.8) / 600
  eq(p.found, true, "plan of a rate: found")
  eq(p.direction, "smallest", "plan of a rate: direction")
  check(math.abs(p.value - want) <= 0.02 * want,
    string.format("plan of a rate: %.6g within 2%% of the closed form %.6g", p.value, want))
  check(p.interval[1] <= p.value and p.value <= p.interval[2], "plan of a rate: the value lies in its interval")
  check(p.interval[1] <= want * 1.01 and want * 0.99 <= p.interval[2],
    string.format("plan of a rate: interval [%.6g, %.6g] holds the closed form %.6g (1%% slack)",
      p.interval[1], p.interval[2], want))
  check(p.probability >= 0.8 and p.probability < 0.8 + 0.01, "plan of a rate: probability at the value just meets 80%")
  eq(r.result.goals[1].probability, p.probability, "plan of a rate: the full run's probability is the search's")
  -- the interval's width is what N trials leave: at 4x the trials it narrows
  local r4 = fc.plan{ rate_scenario(0.02), goal = "20 customers", vary = "funnel.lead.rate", trials = 80000 }
  local w1, w4 = p.interval[2] - p.interval[1], r4.plan.interval[2] - r4.plan.interval[1]
  check(w4 < 0.75 * w1, string.format("plan of a rate: interval narrows with trials (%.4g -> %.4g)", w1, w4))
  -- a beta rate is varied by its mean, with the same a + b
  local rb = fc.plan{ rate_scenario(fc.beta(20, 980)), goal = "20 customers", vary = "funnel.lead.rate", trials = 5000 }
  eq(rb.plan.how, "mean", "plan of a beta rate: by its mean")
  check(rb.plan.found and rb.plan.value > want, "plan of a beta rate: needs more than the fixed rate (uncertainty costs)")
end

----------------------------------------------------------------------------
-- plan of the budget: the value found meets the goal on other trials.
local b1 = fc.load("scenarios/b2b_saas_inbound.lua")[1]
local G = "200 new customers in 2027"
do
  local r = fc.plan{ b1, goal = G, trials = 20000 }
  local p = r.plan
  eq(p.found, true, "plan of B1's budget: found")
  check(p.value > 1 and p.value < 3, "plan of B1's budget: a multiplier above 1: " .. tostring(p.value))
  local again = fc.run(fc.scale(b1, { by = p.value }), { trials = 100000, seed = 7 })
  near(again.goals[1].probability, 0.8, 0.03, "plan of B1: the value meets 80% on 100,000 other trials")
  check(math.abs(p.spend - 12 * 45000 * p.value) < 1e-6 * p.spend, "plan of B1: spend is the scaled budget")
  eq(#p.stages, 5, "plan of B1: one KPI row per stage")
  eq(#p.stages[1].per_period, 12, "plan of B1: one KPI per period")
  for k = 2, #p.stages do
    check(p.stages[k].total.p50 < p.stages[k - 1].total.p50, "plan of B1: KPIs decrease down the funnel at " .. p.stages[k].stage)
  end
  check(p.calculator.spend < p.spend, "plan of B1: the by-hand spend is below the plan's (uncertainty costs budget)")
  eq(p.calculator.stage[5].total, 200, "plan of B1: the by-hand customers are the target")
  -- a lower confidence needs less
  local r6 = fc.plan{ b1, goal = G, trials = 20000, confidence = 0.6 }
  check(r6.plan.value < p.value, "plan of B1: 60% needs less than 80%")
  -- deterministic, whatever the threads
  local r1 = fc.plan{ b1, goal = G, trials = 20000, threads = 1 }
  local r2 = fc.plan{ b1, goal = G, trials = 20000, threads = 2 }
  eq(r1.plan.value, r2.plan.value, "plan: the same value on 1 and 2 threads")
  eq(r1.plan.interval[1], p.interval[1], "plan: the same interval again")
  eq(r1.plan.runs, r2.plan.runs, "plan: the same runs on 1 and 2 threads")
  -- only some channels
  local rc = fc.plan{ b1, goal = G, trials = 10000, channels = { "social" } }
  eq(rc.plan.found, true, "plan of social alone: found")
  check(rc.plan.value > p.value, "plan of social alone: a larger multiplier than all channels together")
end

----------------------------------------------------------------------------
-- out of reach: a saturating response caps the customers.
do
  local s = scenario {
    name = "capped", periods = 12, trials = 5000,
    channels = { ads = { spend = 1000, response = hill{ max = 100, half = 500, shape = 1 } } },
    funnel = { { "visitor" }, { "customer", rate = 0.05 } },
    goals = { goal{ name = "100 customers", metric = "new_customers", at_least = 100 } },
  }
  local r = fc.plan{ s, goal = "100 customers" }
  eq(r.plan.found, false, "unreachable goal: found = false")
  eq(r.plan.value, nil, "unreachable goal: no value")
  eq(r.result, nil, "unreachable goal: no result")
  check(r.plan.best and r.plan.best.probability < 0.8, "unreachable goal: the best probability found is given")
  check(type(r.plan.reason) == "string" and r.plan.reason:find("below 0.8", 1, true), "unreachable goal: why")
end

----------------------------------------------------------------------------
-- the reverse funnel with fixed rates: each stage's median is the one
-- above times the rate.
do
  local s = scenario {
    name = "fixed", periods = 6, trials = 20000,
    channels = { search = { spend = 10000, cpc = 2 } },
    funnel = { { "visitor" }, { "lead", rate = 0.1 }, { "mql", rate = 0.5 }, { "customer", rate = 0.4 } },
    goals = { goal{ name = "700 customers", metric = "new_customers", at_least = 700 } },
  }
  local p = fc.plan{ s, goal = "700 customers" }.plan
  eq(p.found, true, "fixed rates: found")
  local rates = { 1, 0.1, 0.5, 0.4 }
  local v = p.stages[1].total.p50
  local prod = 1
  for k = 2, 4 do
    prod = prod * rates[k]
    near(p.stages[k].total.p50 / (v * prod), 1, 0.02, "fixed rates: KPI of " .. p.stages[k].stage .. " = visitors x rates")
    near(p.calculator.stage[k - 1].total / p.calculator.stage[k].total, 1 / rates[k], 1e-9,
      "fixed rates: by hand, stage " .. (k - 1) .. " = the next / its rate")
  end
  -- a goal through period 3 plans the window's arrivals
  local s3 = s:with{ goals = { [1] = goal{ name = "300 by month 3", metric = "new_customers", at_least = 300, by = 3 } } }
  local p3 = fc.plan{ s3, goal = "300 by month 3" }.plan
  eq(p3.stages[1].by, 3, "window: by month 3")
  check(p3.stages[4].total.p50 >= 300 * 0.9 and p3.stages[4].total.p50 < p3.stages[4].per_period[1] * 6,
    "window: the customers' KPI is over months 1 to 3")
end

----------------------------------------------------------------------------
-- optimize in closed form: two Hill channels with shape 1, fixed rates;
-- equal marginal returns give e_a = a (B + h_a + h_b) / (a + b) - h_a with
-- a = sqrt(max_a h_a).
local function two_hills(B)
  return scenario {
    name = "two-hills", periods = 6, trials = 20000, seed = 5,
    channels = {
      a = { spend = B / 2, response = hill{ max = 3000, half = 2000, shape = 1 } },
      b = { spend = B / 2, response = hill{ max = 6000, half = 8000, shape = 1 } },
    },
    funnel = { { "visitor" }, { "customer", rate = 0.05 } },
    goals = { goal{ name = "1370 customers", metric = "new_customers", at_least = 1370, confidence = 0.8 } },
  }
end
do
  local B = 10000
  local a, b = math.sqrt(3000 * 2000), math.sqrt(6000 * 8000)
  local want = a * (B + 2000 + 8000) / (a + b) - 2000
  for _, objective in ipairs({ "mean:new_customers", "goal:1370 customers" }) do
    local o = fc.optimize{ two_hills(B), budget = B, objective = objective }.optimize
    check(math.abs(o.split.a - want) <= 0.02 * B,
      string.format("optimize %s: a gets %s, closed form %.0f (within 2%% of the budget)", objective, o.split.a, want))
    eq(o.split.a + o.split.b, B, "optimize " .. objective .. ": the split sums to the budget exactly")
    check(o.value >= o.base.value, "optimize " .. objective .. ": no worse than the even start")
  end
  -- bounds hold exactly
  local o = fc.optimize{ two_hills(B), budget = B, objective = "mean:new_customers", max = { a = 2500 },
    min = { b = 1000 } }.optimize
  eq(o.split.a, 2500, "optimize with max a = 2500: a at its bound (the optimum lies above it)")
  eq(o.split.a + o.split.b, B, "optimize with bounds: the total holds")
  local o2 = fc.optimize{ two_hills(B), budget = B, objective = "mean:new_customers", min = { a = 6000 } }.optimize
  eq(o2.split.a, 6000, "optimize with min a = 6000: a at its bound")
  -- a budget that is not a whole number still sums exactly
  local o3 = fc.optimize{ two_hills(B), budget = 9999.5, objective = "mean:new_customers", trials = 3000 }.optimize
  eq(o3.split.a + o3.split.b, 9999.5, "optimize 9999.5: the total holds")
  -- marginal returns: the channel with the most left to gain buys more
  check(o.marginal.a > o.marginal.b, "optimize with a capped: a's next 1,000 buys more than b's")
end

----------------------------------------------------------------------------
-- three channels: the best split beats the equal split on trials the
-- search did not see; deterministic for a seed on 1 and 2 threads.
do
  local r = fc.optimize{ b1, budget = 45000, objective = "goal:" .. G, trials = 20000,
    max = { social = 20000 } }
  local o = r.optimize
  eq(o.split.events + o.split.search + o.split.social, 45000, "B1 optimize: the total holds")
  check(o.split.social <= 20000, "B1 optimize: max social holds")
  local function split_scenario(split, name)
    return b1:with{ name = name, channels = { events = { spend = split.events }, search = { spend = split.search },
      social = { spend = split.social } } }
  end
  local c = fc.run({ split_scenario({ events = 15000, search = 15000, social = 15000 }, "equal"),
    split_scenario(o.split, "best") }, { trials = 20000, seed = 2027 })
  local d
  for _, g in ipairs(c.differences[1].goals) do if g.name == G then d = g end end
  check(d.difference > 3 * d.se, string.format("B1 optimize: beats the equal split on seed 2027 (%+.3f, se %.4f)",
    d.difference, d.se))
  check(o.seed ~= o.fresh_seed, "B1 optimize: re-estimated on a seed the search did not see")
  eq(r.result.seed, o.fresh_seed, "B1 optimize: the result is the fresh run's")
  local o1 = fc.optimize{ b1, budget = 45000, trials = 10000, threads = 1 }.optimize
  local o2 = fc.optimize{ b1, budget = 45000, trials = 10000, threads = 2 }.optimize
  for _, k in ipairs({ "events", "search", "social" }) do
    eq(o1.split[k], o2.split[k], "optimize: the same split on 1 and 2 threads: " .. k)
    eq(o1.marginal[k], o2.marginal[k], "optimize: the same marginal on 1 and 2 threads: " .. k)
  end
  eq(o1.value, o2.value, "optimize: the same value on 1 and 2 threads")
  -- a locked channel keeps its spend
  local ol = fc.optimize{ b1, budget = 30000, channels = { "search", "social" }, trials = 5000 }
  eq(ol.optimize.split.events, nil, "locked events: not in the split")
  eq(ol.result.channels[1].spend.mean, 15000 * 12, "locked events: keeps its spend")
end

----------------------------------------------------------------------------
-- bad options are the analyst's errors, with what was expected
local function fails(f, want, what)
  local e = err_of(f)
  check(e ~= nil and e:find(want, 1, true) ~= nil, string.format("%s: got %s, want ...%s...", what, tostring(e), want))
end
fails(function() fc.plan{ b1, goal = "nope" } end, 'plan: goal: unknown goal "nope"', "plan: unknown goal")
fails(function() fc.plan{ b1, goal = G, confidence = 1.5 } end, "plan: confidence: expected a number in (0, 1)", "plan: confidence")
fails(function() fc.plan{ b1, goal = G, vary = "funnel.nope.rate" } end, "unknown stage 'nope'", "plan: unknown stage")
fails(function() fc.plan{ b1, goal = G, between = { 3, 1 } } end, "plan: between: expected { lo, hi } with lo < hi", "plan: between")
fails(function() fc.plan{ b1, goal = G, channels = { "tv" } } end, 'plan: channels[1]: unknown channel "tv"', "plan: channel")
fails(function() fc.plan{ b1, goal = G, budget = 3 } end, "plan: unknown field 'budget'", "plan: unknown option")
fails(function() fc.plan{ b1, goal = G, seed = 1.5 } end, "plan: seed: expected a whole number", "plan: seed")
fails(function() fc.plan{ b1, goal = G, trials = 1e13 } end, "plan: trials: expected a whole number in [1, 1e+12]", "plan: trials")
fails(function() fc.optimize{ b1, budget = 1000, threads = 1000 } end, "optimize: threads: expected a whole number in [0, 256]", "optimize: threads")
fails(function() fc.run(b1, { trails = 5 }) end, "decide.lua:", "run: a misspelt option names the caller's line")
fails(function() fc.run(b1, { trails = 5 }) end, "run: options: unknown field 'trails' (did you mean 'trials'?)", "run: misspelt option")
fails(function() fc.evaluate({ b1 }, { metric = {} }) end, "evaluate: options: unknown field 'metric' (did you mean 'metrics'?)",
  "evaluate: misspelt option")
fails(function() fc.optimize{ b1 } end, "optimize: budget: expected the total spend per period", "optimize: no budget")
fails(function() fc.optimize{ b1, budget = 1000, min = { search = 800, social = 800 } } end,
  "optimize: budget: 1000 is below the sum of the minimums", "optimize: infeasible minimums")
fails(function() fc.optimize{ b1, budget = 1000, objective = "mean:revenu" } end, 'unknown metric "revenu"', "optimize: metric")
fails(function() fc.optimize{ b1, budget = 1000, objective = "max:cac" } end, "optimize: objective: expected goal:NAME", "optimize: objective")
fails(function() fc.optimize{ b1, budget = 1000, max = { tv = 5 } } end, 'optimize: max: "tv" is not a channel', "optimize: bound channel")

T.finish("decide")
