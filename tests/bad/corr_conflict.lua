-- expect: tests/bad/corr_conflict.lua:17: correlations: no joint law has these rank correlations together; check correlations[2], correlations[3] (the pairs of 'funnel.customer.rate')
-- three pairs that no joint law can have
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
    { "funnel.mql.rate", "funnel.sql.rate", 0.9 },
    { "funnel.sql.rate", "funnel.customer.rate", 0.9 },
    { "funnel.mql.rate", "funnel.customer.rate", -0.9 },
  },
}
