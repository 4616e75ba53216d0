-- The base plan of the what-if checks (tests/check_whatif.sh): spends in
-- cents and in whole units, as lists and as numbers, over 12 months.
return scenario {
  name = "whatif-base", periods = 12, unit = "month", trials = 2000, seed = 11,
  channels = {
    search = { spend = 20000, cpc = lognormal{ median = 2.5, sigma = 0.2 } },
    social = { spend = { 10000.10, 10200.37, 9800.99, 10400.01, 11000.5, 9999.99,
                         12000.12, 8000.08, 10000.1, 10500.55, 9700.7, 13000.13 },
               cpc = lognormal{ median = 1.2, sigma = 0.3 } },
    events = { spend = 15000, cpl = range(40, 90) },
    partners = { spend = { 0, 0, 7000, 0, 0, 7000, 0, 0, 7000, 0, 7000, 0 }, cpl = 60 },
  },
  funnel = {
    { "visitor" },
    { "lead",     rate = { default = beta(30, 970), events = beta(60, 940) } },
    { "mql",      rate = beta(40, 60), delay = 1 },
    { "customer", rate = beta(25, 75) },
  },
  customers = { initial = 500, churn = beta(3, 97), arpu = 100 },
  goals = { goal{ name = "150 new customers", metric = "new_customers", at_least = 150 } },
}
