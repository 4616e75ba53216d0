-- goals: the goal forms of a plan (windows from..by, every, calendar labels,
-- stage_costs, conversion, pipeline, channels) and the figures beside them
-- (winback_rate, revenue_new, lifetime_roi, marketing_roi, expansion),
-- checked against values known in closed form on scenarios whose
-- assumptions are fixed, so that every count is a Poisson or a binomial:
--   - a window goal on Poisson arrivals: the Poisson tail of the window's mean;
--   - an `every` goal: the product of the periods' Poisson tails;
--   - a cost-per-lead goal and a per-channel CAC goal: Poisson tails of the
--     counts the bound implies (fixed spend over a count);
--   - lifetime_roi and marketing_roi means from the expected counts, ltv with
--     expansion in closed form, revenue_new equal to revenue when every
--     customer is new;
--   - winback_rate per period (Binomial(L, r) / L has mean r) and over the
--     horizon;
--   - a pipeline count with a one-period delay: the last period's arrivals
--     at the previous stage times the rate;
--   - the same goals from --set-style overrides (s:set), calendar labels
--     against period numbers, and the errors of each refused form.
-- Probabilities and means agree within 4.5 standard errors.
-- Run from the repository root: lua5.4 tests/goals/goals.lua [BUILD]
local build = arg[1] or os.getenv("BUILD") or "build"
package.cpath = build .. "/?.so;" .. package.cpath
local fc = require "funnelcast"

local T = dofile("tests/support/checks.lua")
local check, eq, err_of = T.check, T.eq, T.err_of

local N = 40000

-- P(X >= k) for X ~ Poisson(mu), k an integer
local function pois_ge(mu, k)
  local lp, cdf = -mu, 0
  for x = 0, k - 1 do
    cdf = cdf + math.exp(lp)
    lp = lp + math.log(mu) - math.log(x + 1)
  end
  return 1 - cdf
end

local function within(got, want, se, what)
  check(type(got) == "number" and math.abs(got - want) <= 4.5 * se + 1e-12,
    string.format("%s: %.6g against %.6g (se %.3g)", what, got, want, se))
end
local function prob_within(got, want, what)
  within(got, want, math.sqrt(want * (1 - want) / N), what)
end

local function by_name(list)
  local out = {}
  for _, x in ipairs(list) do out[x.name] = x end
  return out
end

local function run(s) return fc.run(s, { trials = N, seed = 99 }) end

----------------------------------------------------------------------------
-- Windows, every, stage costs, channel CAC, conversion and pipeline on
-- Poisson flows: search brings 100 visitors a period (spend 200 at cpc 2),
-- social 50 (spend 50 at cpc 1); 20% become leads (cost 3 each), a lead
-- becomes a customer with probability 0.25 one period later.
local function flows(goals, extra)
  local spec = {
    name = "flows", periods = 12, start = "2027-01", trials = 1000, seed = 3,
    channels = { search = { spend = 200, cpc = 2 }, social = { spend = 50, cpc = 1 } },
    funnel = { { "visitor" }, { "lead", rate = 0.2, cost = 3 }, { "customer", rate = 0.25, delay = 1 } },
    goals = goals,
  }
  for k, v in pairs(extra or {}) do spec[k] = v end
  if spec.start == "none" then spec.start = nil end
  return fc.scenario(spec)
end

do
  local s = flows({
    fc.goal{ name = "leads H2", metric = "lead", at_least = 185, from = "2027-07", by = "2027-12" },
    fc.goal{ name = "leads H2 by number", metric = "lead", at_least = 185, from = 7, by = 12 },
    fc.goal{ name = "visitors every month", metric = "visitor", at_least = 140, every = true },
    fc.goal{ name = "visitors every month from April", metric = "visitor", at_least = 140, every = true, from = 4 },
    fc.goal{ name = "cost per lead", metric = "stage_costs.lead", at_most = 12.6 },
    fc.goal{ name = "search cac", metric = "channels.search.cac", at_most = 330 },
    fc.goal{ name = "search customers by June", metric = "channels.search.customers", at_least = 26, by = 6 },
    fc.goal{ name = "conversion", metric = "conversion.customer", at_least = 0.225 },
    fc.goal{ name = "pipeline", metric = "pipeline.customer", at_least = 8 },
    fc.goal{ name = "active every month", metric = "active_end", at_least = 0, every = true },
  })
  local r = run(s)
  local g = by_name(r.goals)
  -- leads: Poisson(150 * 0.2 = 30) a period; July to December: Poisson(180)
  prob_within(g["leads H2"].probability, pois_ge(180, 185), "a window goal: the Poisson tail of its 6 periods")
  eq(g["leads H2"].probability, g["leads H2 by number"].probability, "a calendar label names the same period as its number")
  eq(g["leads H2"].from, 7, "from = \"2027-07\" is period 7")
  eq(g["leads H2"].by, 12, "by = \"2027-12\" is period 12")
  within(g["leads H2"].value.mean, 180, math.sqrt(180 / N), "the window's mean count")
  -- visitors: Poisson(150) each period, independent periods
  prob_within(g["visitors every month"].probability, pois_ge(150, 140) ^ 12, "every: the product of the periods' tails")
  prob_within(g["visitors every month from April"].probability, pois_ge(150, 140) ^ 9, "every from April: 9 periods")
  check(g["visitors every month"].value.max <= g["visitors every month from April"].value.max,
    "every's figure is the worst period's count")
  -- cost per lead = (spend 3000 + 3 per lead) / leads <= 12.6 <=> leads >= 3000 / 9.6 = 312.5
  prob_within(g["cost per lead"].probability, pois_ge(360, 313), "cost per lead: a Poisson tail")
  -- search: 100 visitors, 20 leads, 5 customers a period from period 2 on
  -- (11 periods of leads convert within the horizon): cac = 2400 / customers
  -- <= 330 <=> customers >= 7.27...: Poisson(55) >= 8
  prob_within(g["search cac"].probability, pois_ge(55, 8), "a channel's CAC: a Poisson tail")
  -- search customers in periods 2..6: Poisson(25)
  prob_within(g["search customers by June"].probability, pois_ge(25, 26), "a channel's customers by a period")
  -- pipeline: the leads of period 12 (Poisson(30)) times 0.25: Poisson(7.5)
  prob_within(g["pipeline"].probability, pois_ge(7.5, 8), "pipeline: the last period's leads times the rate")
  local pipe = by_name(r.pipeline)
  within(pipe.customer.stat.mean, 7.5, math.sqrt(7.5 / N), "the pipeline object's mean")
  within(pipe.lead.stat.mean, 0, 0, "no pipeline into a stage without delay")
  -- conversion into customer over the horizon: customers (Poisson(82.5)) over
  -- leads (Poisson(360), of which the first 11 periods' feed the customers)
  local conv = by_name(r.conversion)
  within(conv.customer.stat.mean, 82.5 / 360, 0.03 * 82.5 / 360 / math.sqrt(N) * 10, "conversion's mean")
  within(conv.lead.stat.mean, 0.2, 0.05 / math.sqrt(N), "conversion into lead is the lead rate")
  check(g["active every month"].probability == 1, "a stock every period: active >= 0 always")
  -- the JSON report says the window and its labels
  local js = fc.report(r, "json")
  check(js:find('"from": 7, "by": 12, "every": false, "from_label": "2027-07", "by_label": "2027-12"', 1, true) ~= nil,
    "the JSON goal has its window and labels")
  check(js:find('"pipeline": {', 1, true) ~= nil and js:find('"conversion": {', 1, true) ~= nil,
    "the JSON has conversion and pipeline objects")
  check(js:find('"period": 3, "label": "2027-03"', 1, true) ~= nil, "series carry calendar labels")
  local tx = fc.report(r, "text")
  check(tx:find("lead >= 185 Jul 2027 to Dec 2027", 1, true) ~= nil, "the text report shows the window")
  check(tx:find("visitor >= 140 every month, Apr 2027 to Dec 2027", 1, true) ~= nil, "the text report shows every")
end

-- Lean runs (a search's candidates, fc.evaluate) compute each goal form from
-- the same draws as the full run: the same probabilities, exactly; a window
-- goal on a stage is drawn objective-only, from its Poisson law.
do
  local s = flows({
    fc.goal{ name = "leads H2", metric = "lead", at_least = 185, from = 7 },
    fc.goal{ name = "every", metric = "visitor", at_least = 140, every = true },
    fc.goal{ name = "cpl", metric = "stage_costs.lead", at_most = 12.6 },
    fc.goal{ name = "conv", metric = "conversion.customer", at_least = 0.225 },
    fc.goal{ name = "pipe", metric = "pipeline.customer", at_least = 8 },
    fc.goal{ name = "search cac", metric = "channels.search.cac", at_most = 330 },
    fc.goal{ name = "customers by June", metric = "customer", at_least = 30, from = 3, by = 6 },
  })
  local full = fc.run(s, { trials = 5000, seed = 17 })
  local lean = fc.evaluate({ s }, { trials = 5000, seed = 17 })[1]
  for i, g in ipairs(full.goals) do
    eq(lean.goals[i].probability, g.probability, "a lean run's probability equals the full run's: " .. g.name)
  end
  for _, name in ipairs({ "leads H2", "pipe", "cpl", "every" }) do
    local one = fc.evaluate({ s }, { trials = 5000, seed = 17, objective = name })[1]
    local want
    for _, g in ipairs(full.goals) do if g.name == name then want = g.probability end end
    if name == "leads H2" then
      check(one.objective_only, "a window goal on a stage is drawn objective-only")
      prob_within(one.goals[1].probability, pois_ge(180, 185), "objective-only over a window: the Poisson tail")
    else
      check(not one.objective_only, name .. ": not a stage's arrivals: the exact lean run")
      eq(one.goals[1].probability, want, name .. ": the exact lean run is the full run's")
    end
  end
  local one = fc.evaluate({ s }, { trials = N, seed = 17, objective = "customers by June" })[1]
  -- customers in periods 3..6 come from leads of periods 2..5: Poisson(4 * 7.5 = 30)
  check(one.objective_only, "customers from period 3 to 6: objective-only")
  prob_within(one.goals[1].probability, pois_ge(30, 30), "objective-only from period 3 to 6")
end

-- The same goal forms from overrides (what --set does)
do
  local s = flows({ fc.goal{ name = "leads", metric = "lead", at_least = 185 } })
  local r = run(s:set("goals[1].from", "7"))
  prob_within(r.goals[1].probability, pois_ge(180, 185), "--set goals[1].from=7")
  r = run(s:set("goals[1].from", "2027-07"))
  prob_within(r.goals[1].probability, pois_ge(180, 185), "--set goals[1].from=2027-07")
  r = run(s:set("goals[1].metric", "visitor"):set("goals[1].at_least", "140"):set("goals[1].every", "true"))
  prob_within(r.goals[1].probability, pois_ge(150, 140) ^ 12, "--set goals[1].every=true")
  local s2 = flows({ fc.goal{ name = "cpl", metric = "lead", at_most = 1 } })
  r = run(s2:set("goals[1].metric", "stage_costs.lead"):set("goals[1].at_most", "12.6"))
  prob_within(r.goals[1].probability, pois_ge(360, 313), "--set goals[1].metric=stage_costs.lead")
  r = run(s2:set("goals[1].metric", "channels.search.cac"):set("goals[1].at_most", "330"))
  prob_within(r.goals[1].probability, pois_ge(55, 8), "--set goals[1].metric=channels.search.cac")
end

----------------------------------------------------------------------------
-- Money: 40 new customers a period (1000 visitors, fixed), churn 0.1,
-- arpu 10, margin 0.5, spend 4000 a period.
local function money(customers, winback)
  return fc.scenario{
    name = "money", periods = 12, trials = 1000, seed = 5,
    channels = { search = { spend = 4000, cpc = 4 } },
    funnel = { { "visitor" }, { "customer", rate = 0.04 } },
    customers = customers, winback = winback,
  }
end

do
  local r = run(money({ initial = 0, churn = 0.1, arpu = 10, margin = 0.5 }))
  local m = by_name(r.metrics)
  -- every customer is new: revenue_new is revenue, trial by trial
  eq(m.revenue_new.stat.mean, m.revenue.stat.mean, "revenue_new == revenue when every customer is new (mean)")
  eq(m.revenue_new.stat.sd, m.revenue.stat.sd, "revenue_new == revenue when every customer is new (sd)")
  -- ltv = arpu * margin / churn = 50; lifetime_roi = (N * 50 - 48000) / 48000, E[N] = 480
  T.near(m.ltv.stat.mean, 50, 1e-12, "ltv = arpu * margin / churn")
  within(m.lifetime_roi.stat.mean, (480 * 50 - 48000) / 48000, 50 * math.sqrt(480) / 48000 / math.sqrt(N),
    "lifetime_roi's mean in closed form")
  -- E[A(t)] = 0.9 E[A(t-1)] + 40; marketing_roi = (sum_t 10 * 0.5 * A(t) - 48000) / 48000
  local a, total = 0, 0
  for _ = 1, 12 do a = 0.9 * a + 40; total = total + a end
  within(m.marketing_roi.stat.mean, (5 * total - 48000) / 48000, m.marketing_roi.stat.sd / math.sqrt(N),
    "marketing_roi's mean in closed form")
  within(m.revenue_new.stat.mean, 10 * total, m.revenue_new.stat.sd / math.sqrt(N), "revenue_new's mean")
end

do
  -- existing customers: 500 initial ones, and 1000 lost at the start won
  -- back at 0.05 a period; the new ones' revenue leaves them out
  local r = run(money({ initial = 500, lost = 1000, churn = 0.1, arpu = 10 }, { rate = 0.05 }))
  local m = by_name(r.metrics)
  local a, total = 0, 0
  for _ = 1, 12 do a = 0.9 * a + 40; total = total + a end
  within(m.revenue_new.stat.mean, 10 * total, m.revenue_new.stat.sd / math.sqrt(N),
    "revenue_new leaves out the initial and won-back customers")
  check(m.revenue.stat.mean > m.revenue_new.stat.mean + 1000, "revenue includes the existing customers")
  local ser = by_name(r.series)
  local wr = ser.winback_rate.periods
  -- period 1: Binomial(1000, 0.05) / 1000
  within(wr[1].mean, 0.05, math.sqrt(0.05 * 0.95 / 1000 / N), "winback_rate in period 1: mean r")
  within(wr[12].mean, 0.05, 0.01 / math.sqrt(N) * 10, "winback_rate in period 12: mean r")
  within(m.winback_rate.stat.mean, 0.05, m.winback_rate.stat.sd / math.sqrt(N) + 1e-4, "winback_rate over the horizon")
  -- a goal on it
  local s2 = money({ initial = 500, lost = 1000, churn = 0.1, arpu = 10 }, { rate = 0.05 })
  local g = run(s2:with{ goals = { fc.goal{ name = "wb", metric = "winback_rate", at_least = 0.04, by = 1 } } }).goals[1]
  -- period 1: Binomial(1000, 0.05) >= 40
  local p, lp = 0, 0
  for x = 0, 39 do
    local lc = 0
    for i = 1, x do lc = lc + math.log(1000 - x + i) - math.log(i) end
    p = p + math.exp(lc + x * math.log(0.05) + (1000 - x) * math.log(0.95))
  end
  prob_within(g.probability, 1 - p, "a winback_rate goal in period 1: a binomial tail")
  lp = lp -- (silence)
end

do
  -- expansion: revenue per customer grows 2% a period of tenure; ltv =
  -- arpu * margin / (1 - (1 - churn) (1 + expansion)) and with a discount
  local r = run(money({ initial = 0, churn = 0.1, arpu = 10, expansion = 0.02 }))
  local m = by_name(r.metrics)
  local want = 10 / (1 - 0.9 * 1.02)
  check(math.abs(m.ltv.stat.mean - want) <= 1e-9 * want, string.format("ltv with expansion: %.12g, want %.12g", m.ltv.stat.mean, want))
  -- E[revenue]: cohort of period s pays 10 * 1.02^(t-s) * 0.9^(t-s) * 40 in period t
  local total = 0
  for t = 1, 12 do for s = 1, t do total = total + 400 * (0.9 * 1.02) ^ (t - s) end end
  within(m.revenue.stat.mean, total, m.revenue.stat.sd / math.sqrt(N), "revenue with expansion: its mean by tenure")
  eq(m.revenue_new.stat.mean, m.revenue.stat.mean, "revenue_new with expansion, every customer new")
  local rd = run(money({ initial = 0, churn = 0.1, arpu = 10, expansion = 0.02, discount = 0.01 }))
  local wd = 10 / (1 - 0.9 * 1.02 / 1.01)
  local got = by_name(rd.metrics).ltv.stat.mean
  check(math.abs(got - wd) <= 1e-9 * wd, string.format("ltv with expansion and discount: %.12g, want %.12g", got, wd))
  local rs = run(money({ initial = 0, churn = fc.sbg{ alpha = 2, beta = 8 }, arpu = 10, expansion = 0.01, ltv_horizon = 24 }))
  local sum, S = 0, 1
  for k = 0, 23 do sum = sum + S * 1.01 ^ k; S = S * (1 - 2 / (2 + 8 + k)) end
  got = by_name(rs.metrics).ltv.stat.mean
  check(math.abs(got - 10 * sum) <= 1e-9 * sum * 10, string.format("sbg ltv with expansion over 24 periods: %.12g, want %.12g", got, 10 * sum))
  local rinf = run(money({ initial = 0, churn = fc.sbg{ alpha = 2, beta = 8 }, arpu = 10, expansion = 0.01 }))
  eq(by_name(rinf.metrics).ltv.stat.infinite, N, "sbg ltv with expansion and no horizon is infinite")
end

----------------------------------------------------------------------------
-- Errors: each refused form names its field and says what was expected.
local function refused(goals, want, what, extra)
  local e = err_of(function() return flows(goals, extra) end) or ""
  check(e:find(want, 1, true) ~= nil, string.format("%s: %q does not say %q", what, e, want))
end
refused({ fc.goal{ metric = "lead", at_least = 1, from = 8, by = 6 } }, "goals[1].from: expected a period at or before by (6)", "from after by")
refused({ fc.goal{ metric = "lead", at_least = 1, by = "2028-01" } }, "goals[1].by: expected a period within the scenario (2027-01 to 2027-12)", "a label past the horizon")
refused({ fc.goal{ metric = "lead", at_least = 1, by = "July" } }, 'goals[1].by: expected a period number or a label "YYYY-MM"', "a label of another form")
refused({ fc.goal{ metric = "lead", at_least = 1, by = "2027-07" } }, "needs the scenario's start", "a label without a start", { start = "none" })
refused({ fc.goal{ metric = "lead", at_least = 1, every = "yes" } }, "goals[1].every: expected true or false", "every not a boolean")
refused({ fc.goal{ metric = "conversion.visitor", at_least = 0.1 } }, "the first stage has no stage before it", "conversion into the first stage")
refused({ fc.goal{ metric = "stage_costs.leed", at_most = 1 } }, "did you mean", "a misspelt stage")
refused({ fc.goal{ metric = "channels.serch.cac", at_most = 1 } }, "channels.CHANNEL.FIGURE with a channel of the scenario", "a misspelt channel")
refused({ fc.goal{ metric = "channels.search.leads", at_most = 1 } }, "expected a channel figure (visitors, customers, spend, cac)", "an unknown channel figure")
refused({ fc.goal{ metric = "pipeline.customer", at_least = 1, by = 6 } }, "it takes no from, by or every", "a pipeline with a window")
refused({}, 'start: expected the first period\'s label for months, "YYYY-MM"', "a bad start", { start = "2027-13" })
local e = err_of(function()
  return fc.scenario{ name = "x", periods = 3, channels = { a = { spend = 1, cpc = 1 } }, funnel = { { "v" } },
    customers = { arpu = 1, expansion = fc.uniform{ min = 0, max = 0.1, each = "period" } } }
end) or ""
check(e:find("customers.expansion: expected a number or a distribution drawn once per trial", 1, true) ~= nil,
  "expansion drawn every period is refused: " .. e)

T.finish("goals")
