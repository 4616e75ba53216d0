-- expect: tests/bad/goal_label_form.lua:18: goals[2].by: expected a period number or a label "YYYY-MM" (such as "2027-01"), got "December"
-- a month written as a name
return scenario {
  name = "goals-2027", periods = 12, unit = "month", start = "2027-01", trials = 20000, seed = 7,
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
    goal{ name = "leads", metric = "lead", at_least = 900, by = "December" },
  },
}
