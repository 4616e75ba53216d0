-- A plan's goals as it states them: a window in calendar months, a floor
-- every month, a cost per lead, one channel's CAC, a conversion and the
-- deals still in the sales cycle at the end of the year.
return scenario {
  name = "goals-2027", periods = 12, unit = "month", start = "2027-01", trials = 20000, seed = 42,
  channels = {
    search = { spend = 8000, cpc = lognormal{ median = 2.5, sigma = 0.2 } },
    events = { spend = 6000, cpc = lognormal{ median = 5.0, sigma = 0.25 } },
  },
  funnel = {
    { "visitor" },
    { "lead", rate = beta(30, 970), cost = 4 },
    { "customer", rate = beta(20, 80), delay = 2 },
  },
  customers = { initial = 200, churn = beta(3, 97), arpu = 120, expansion = 0.005 },
  winback = { rate = beta(5, 95) },
  goals = {
    goal{ name = "leads in the second half", metric = "lead", at_least = 850, from = "2027-07", by = "2027-12" },
    goal{ name = "100 leads every month", metric = "lead", at_least = 100, every = true },
    goal{ name = "cost per lead under 110", metric = "stage_costs.lead", at_most = 110 },
    goal{ name = "search CAC under 600", metric = "channels.search.cac", at_most = 600 },
    goal{ name = "lead to customer 18%", metric = "conversion.customer", at_least = 0.18 },
    goal{ name = "deals in the cycle", metric = "pipeline.customer", at_least = 60 },
  },
}
