-- expect: tests/bad/goal_label_no_start.lua:18: goals[2].from: a calendar label ("2027-07") needs the scenario's start = ...; or give a period number in [1, 12]
-- a calendar label in a scenario without a start
return scenario {
  name = "goals-2027", periods = 12, unit = "month", trials = 20000, seed = 7,
  channels = {
    search = { spend = 20000, cpc = lognormal{ median = 2.5, sigma = 0.2 } },
    events = { spend = 15000, cpl = range(40, 90) },
  },
  funnel = {
    { "visitor" },
    { "lead",     rate = beta(30, 970) },
    { "sql",      rate = range(0.2, 0.4) },
    { "customer", rate = beta(25, 75), delay = 1 },
  },
  customers = { initial = 500, churn = beta(3, 97), arpu = 100 },
  goals = {
    goal{ name = "200 new customers", metric = "new_customers", at_least = 200 },
    goal{ name = "H2 leads", metric = "lead", at_least = 900, from = "2027-07" },
  },
}
