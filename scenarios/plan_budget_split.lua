-- Planning 2027 from a goal: how much budget "180 new customers" takes, what
-- each stage must deliver month by month, and where the money should go.
--
-- The two questions, from the command line:
--
--   1. What budget does the goal take, with 80% confidence?
--        funnelcast plan scenarios/plan_budget_split.lua --goal "180 new customers in 2027"
--      The answer is a multiplier of the budget below (with its Monte Carlo
--      interval), the monthly spend it means, and the reverse funnel: the
--      median visitors, leads, MQLs and SQLs each month that the plan rests
--      on: the KPIs to track. Beside it, the arithmetic done by hand (target
--      divided by the median rates): it reaches the target in about half of
--      the futures, which is why the plan asks for more.
--      Only some channels may grow?  --channels search,social
--      What lead rate would the current budget need?  --vary funnel.lead.rate
--
--   2. With 40,000 a month, which split serves the goal best?
--        funnelcast optimize scenarios/plan_budget_split.lua --budget 40000
--      The answer is the split, its chance of meeting the goal re-estimated on
--      futures the search did not see, the same for the split below, and what
--      the next 1,000 a month buys in each channel (stop paying for the
--      channel where it buys least). Keep events at no less than 5,000 (a
--      booked fair) and social under 15,000:
--        funnelcast optimize scenarios/plan_budget_split.lua --budget 40000 --min events=5000 --max social=15000
--      The cautious plan a CFO signs: --objective p10:new_customers (the
--      count reached in 9 futures out of 10). The cheapest customers:
--      --objective mean:cac.
--
-- From Lua (a notebook, a script):
--   local fc = require "funnelcast"
--   local s = fc.load("scenarios/plan_budget_split.lua")[1]
--   local p = fc.plan{ s, goal = "180 new customers in 2027" }.plan
--   print(p.value, p.interval[1], p.interval[2], p.spend)
--   local o = fc.optimize{ s, budget = 40000, min = { events = 5000 } }.optimize
--   print(o.split.search, o.split.social, o.split.events, o.value, o.se)
return scenario {
  name = "plan-2027",
  periods = 12, unit = "month", start = "2027-01",
  trials = 50000, seed = 2027,

  -- Search buys clicks at an uncertain price: no saturation within this
  -- budget. Social and events saturate: each extra 1,000 buys less than the
  -- last (a hill response: `max` arrivals a month at most, half of them at
  -- `half` spend), which is what makes the split matter.
  channels = {
    search = { spend = 10000, cpc = lognormal{ median = 2.8, sigma = 0.2 } },
    social = { spend = 22000, response = hill{ max = 16000, half = 9000, shape = 1 } },
    -- booth visitors: up to 14,000 a month, however large the booth
    events = { spend = 8000, response = hill{ max = 14000, half = 10000, shape = 1 } },
  },

  -- The funnel, with rates as learned from last year's counts: beta(a, b)
  -- reads "about a in a + b".
  funnel = {
    { "visitor" },
    { "lead",     rate = beta(25, 975) },
    { "mql",      rate = beta(45, 55) },
    { "sql",      rate = beta(35, 65) },
    { "customer", rate = beta(22, 78), delay = 1 },
  },

  customers = { initial = 300, churn = beta(2, 98), arpu = 250 },

  goals = {
    goal{ name = "180 new customers in 2027", metric = "new_customers", at_least = 180 },
    goal{ name = "CAC under 4000", metric = "cac", at_most = 4000 },
  },
}
