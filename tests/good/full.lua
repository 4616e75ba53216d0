-- Every kind of field at once: sorted channels, hill response, adstock,
-- organic, cost per lead, monthly season repeated over two years, lag laws,
-- range in a rate (a beta), per-channel rates, stage costs, sbg churn,
-- win-back and goals.
local plan = scenario {
  name = "full", periods = 24, unit = "month", trials = 5000, seed = 9,
  track_channels = true,
  channels = {
    social = { spend = 10000, cpc = lognormal{ median = 1.2, sigma = 0.3 },
               season = { 1.2, 1.1, 1.0, 1.0, 0.9, 0.8, 0.7, 0.8, 1.0, 1.1, 1.2, 1.2 } },
    search = { spend = 20000, response = hill{ max = 12000, half = 20000, shape = 1.2 },
               adstock = 0.3 },
    events = { spend = 15000, cpl = range(40, 90) },
    seo    = { organic = gamma{ shape = 4, scale = 100 } },
  },
  funnel = {
    { "visitor" },
    { "lead",     rate = { default = beta(30, 970), events = beta(60, 940) }, cost = 1.5 },
    { "mql",      rate = range(0.3, 0.5), delay = 2 },
    { "sql",      rate = normal{ mean = 0.3, sd = 0.1, clip = true }, delay = lags.negbin{ mean = 2, sd = 2 } },
    { "customer", rate = beta(25, 75), delay = lags.weibull{ shape = 1.5, scale = 2 }, cost = 400 },
  },
  customers = { initial = 500, lost = 200, initial_tenure = 6, churn = sbg{ alpha = 0.7, beta = 3 },
                arpu = 100, growth = 0.01, margin = 0.8, ltv_horizon = 36, discount = 0.01 },
  winback = { rate = beta(5, 95), cost = 2 },
  goals = {
    goal{ metric = "new_customers", at_least = 200 },
    goal{ name = "CAC under 3000", metric = "cac", at_most = 3000, by = 12, confidence = 0.9 },
    goal{ name = "SQLs", metric = "sql", at_least = 1000 },
  },
}
return plan
