-- expect: tests/bad/compare_not_scenario.lua:17: compare: expected a scenario at position 2, got "q3-more"
-- a comparison given a name instead of a scenario
local base = scenario {
  name = "q3", periods = 12, trials = 2000, seed = 7,
  channels = {
    search = { spend = 20000, cpc = lognormal{ median = 2.5, sigma = 0.2 } },
    events = { spend = { 0, 0, 30000, 0, 0, 30000, 0, 0, 30000, 0, 0, 30000 }, cpl = range(40, 90) },
  },
  funnel = {
    { "visitor" },
    { "lead", rate = { default = beta(30, 970), events = beta(60, 940) } },
    { "customer", rate = beta(25, 75) },
  },
  customers = { initial = 500, churn = beta(3, 97), arpu = 100 },
}
local more = base:with{ name = "q3-more", channels = { search = { spend = 25000 } } }
local c = compare{ base, "q3-more", more }
return c
