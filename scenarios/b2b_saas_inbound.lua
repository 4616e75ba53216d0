-- B2B SaaS inbound plan for 2027: paid channels buy visits, visits become
-- leads, marketing- and sales-qualified leads, then customers a month later.
-- This is the benchmark model B1 of DESIGN.md.
--
-- Run it:        funnelcast run scenarios/b2b_saas_inbound.lua
-- Try a change:  funnelcast run scenarios/b2b_saas_inbound.lua --set channels.search.spend=25000
--
-- Every uncertain number is a distribution, drawn once per trial: each trial
-- is one possible 2027, and the report gives the range over 100,000 of them.
return scenario {
  name = "inbound-2027",
  periods = 12, unit = "month", start = "2027-01",
  trials = 100000, seed = 42,

  -- Monthly spend per channel, and what a visit costs. The cost per click is
  -- uncertain: a lognormal with the given median; sigma 0.2 means the middle
  -- 90% of futures lie within about x0.72 to x1.39 of it.
  channels = {
    search = { spend = 20000, cpc = lognormal{ median = 2.5, sigma = 0.2 } },
    social = { spend = 10000, cpc = lognormal{ median = 1.2, sigma = 0.3 } },
    events = { spend = 15000, cpc = lognormal{ median = 5.0, sigma = 0.25 } },
  },

  -- The funnel, top to bottom. A rate is the chance that one unit of the stage
  -- above reaches this stage. beta(30, 970) reads "about 30 in 1000, as if
  -- learned from 1000 visits": mean 3%, and honest about the uncertainty.
  funnel = {
    { "visitor" },
    { "lead",     rate = beta(30, 970) },
    { "mql",      rate = beta(40, 60) },
    { "sql",      rate = beta(30, 70) },
    { "customer", rate = beta(25, 75), delay = 1 },  -- deals close a month after the SQL
  },

  -- 500 paying customers today; about 3% churn a month; 100 a month each.
  customers = { initial = 500, churn = beta(3, 97), arpu = 100 },
  -- About 5% of lost customers come back each month.
  winback   = { rate = beta(5, 95) },

  goals = {
    goal{ name = "200 new customers in 2027", metric = "new_customers", at_least = 200 },
    goal{ name = "CAC under 3000", metric = "cac", at_most = 3000 },
  },
}
