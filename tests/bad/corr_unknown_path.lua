-- expect: tests/bad/corr_unknown_path.lua:18: correlations[1][2]: expected the path of an uncertain assumption of this scenario, got "funnel.sq.rate" (did you mean 'funnel.sql.rate'?)
-- a correlation names a stage that does not exist
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
    { "funnel.mql.rate", "funnel.sq.rate", 0.6 },
  },
}
