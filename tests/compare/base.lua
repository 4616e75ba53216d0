-- A small plan for the comparison tests (tests/check_compare.sh).
return scenario{
  name = "base", periods = 6, trials = 4000, seed = 7,
  channels = {
    search = { spend = 4000, cpc = lognormal{ median = 2, sigma = 0.3 } },
    events = { spend = 3000, cpc = gamma{ shape = 4, scale = 1.5 } },
  },
  funnel = { { "visitor" }, { "lead", rate = beta(30, 970) }, { "customer", rate = beta(20, 80) } },
  customers = { initial = 50, churn = beta(2, 98), arpu = 100 },
  goals = { goal{ name = "40 customers", metric = "new_customers", at_least = 40 } },
}
