-- expect: tests/bad/churn_above_one.lua:17: customers.churn: expected a probability in [0, 1], got 3 (did you mean 0.03? a rate is a share, not a percentage)
-- churn given in percent
return scenario {
  name = "q3-pipeline", periods = 12, unit = "month", trials = 20000, seed = 7,
  channels = {
    search = { spend = 20000, cpc = lognormal{ median = 2.5, sigma = 0.2 } },
    social = { spend = 10000, cpc = lognormal{ median = 1.2, sigma = 0.3 } },
    events = { spend = 15000, cpl = range(40, 90) },
  },
  funnel = {
    { "visitor" },
    { "lead",     rate = beta(30, 970) },
    { "mql",      rate = beta(40, 60), delay = 1 },
    { "sql",      rate = range(0.2, 0.4) },
    { "customer", rate = beta(25, 75), delay = lags.geometric{ mean = 1.5 } },
  },
  customers = { initial = 500, churn = 3, arpu = 100, margin = 0.8 },
  winback   = { rate = beta(5, 95), cost = 2 },
  goals = {
    goal{ name = "200 new customers", metric = "new_customers", at_least = 200 },
    goal{ name = "CAC under 3000", metric = "cac", at_most = 3000 },
  },
}
