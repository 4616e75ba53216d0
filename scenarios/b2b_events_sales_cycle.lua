-- B2B enterprise plan, 2027: events hand over leads directly (they enter the
-- funnel at the lead stage, priced per lead), leads convert at different
-- rates depending on the channel that brought them, and deals take about
-- three months from SQL to signature.
--
-- Run it:  funnelcast run scenarios/b2b_events_sales_cycle.lua
return scenario {
  name = "enterprise-2027",
  periods = 12, unit = "month", start = "2027-01",
  trials = 50000, seed = 2027,

  channels = {
    search   = { spend = 25000, cpc = lognormal{ median = 6.0, sigma = 0.2 } },
    linkedin = { spend = 20000, cpc = lognormal{ median = 9.0, sigma = 0.3 } },
    -- Trade shows in March, June, September and November; cost per lead.
    events   = {
      spend = { 0, 0, 60000, 0, 0, 60000, 0, 0, 60000, 0, 40000, 0 },
      cpl = range(150, 400),
    },
  },

  funnel = {
    { "visitor" },
    -- Rates by channel: event leads are warmer than ad leads.
    { "lead", rate = beta(15, 985) },
    { "mql",  rate = { default = beta(30, 70), events = beta(55, 45) } },
    { "sql",  rate = { default = beta(35, 65), linkedin = beta(40, 60) }, cost = 150 },  -- an SDR call per SQL
    -- The sales cycle: about three months, spread over one to six.
    { "customer", rate = beta(20, 80), delay = lags.negbin{ mean = 3, sd = 2 }, cost = 2000 },
  },

  -- Lifetime value over five years: enterprise churn is low and uncertain,
  -- so an unlimited horizon would let a few very loyal futures dominate.
  customers = { initial = 80, churn = beta(1, 99), arpu = 4000, margin = 0.8, ltv_horizon = 60 },

  -- A good quarter for marketing qualification tends to be a good one for
  -- sales qualification too: the two default rates move together (rank
  -- correlation 0.5), which widens the range of new logos honestly.
  correlations = { { "funnel.mql.rate", "funnel.sql.rate", 0.5 } },

  goals = {
    goal{ name = "40 new logos in 2027", metric = "new_customers", at_least = 40 },
    goal{ name = "15 new logos by June", metric = "new_customers", at_least = 15, by = 6 },
    goal{ name = "CAC under 40k", metric = "cac", at_most = 40000 },
  },
}
