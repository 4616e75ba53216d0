-- expect: tests/bad/corr_constant.lua:18: correlations[1][2]: 'customers.arpu' is a constant: only uncertain assumptions can be correlated
-- a correlation names a constant
return scenario {
  name = "q3-pipeline", periods = 12, unit = "month", trials = 20000, seed = 7,
  channels = {
    search = { spend = 20000, cpc = lognormal{ median = 2.5, sigma = 0.2 } },
    social = { spend = 10000, cpc = lognormal{ median = 1.2, sigma = 0.3 } },
  },
  funnel = {
    { "visitor" },
    { "lead",     rate = beta(30, 970) },
    { "mql",      rate = beta(40, 60) },
    { "sql",      rate = range(0.2, 0.4) },
    { "customer", rate = beta(25, 75), delay = 1 },
  },
  customers = { initial = 500, churn = beta{ mean = 0.03, sd = 0.01, each = "period" }, arpu = 100 },
  correlations = {
    { "funnel.mql.rate", "customers.arpu", 0.3 },
  },
}
