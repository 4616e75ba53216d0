-- expect: tests/bad/corr_twice.lua:19: correlations[2]: the pair 'funnel.sql.rate', 'funnel.mql.rate' is given twice (also correlations[1])
-- the same pair twice
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
    { "funnel.mql.rate", "funnel.sql.rate", 0.6 },
    { "funnel.sql.rate", "funnel.mql.rate", 0.5 },
  },
}
