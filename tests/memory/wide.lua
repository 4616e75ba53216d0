return scenario {
  name = "wide", periods = 100, trials = 20000,
  channels = {
    search = { spend = 1000000, cpc = lognormal{ median = 1, sigma = 2 } },
  },
  funnel = {
    { "visitor" },
    { "lead", rate = beta(30, 70) },
    { "mql", rate = beta(50, 50) },
    { "sql", rate = beta(50, 50) },
    { "customer", rate = beta(50, 50) },
  },
  customers = { initial = 100, churn = beta(3, 97), arpu = 100 },
}
