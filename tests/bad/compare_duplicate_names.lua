-- expect: tests/bad/compare_duplicate_names.lua:17: compare: expected scenarios with different names in a comparison, got "q3" at positions 1 and 2 (give each its own name = in scenario{} or with{})
-- a comparison of a base and a changed copy that kept its name
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
local more = base:with{ channels = { search = { spend = 25000 } } }
return compare{ base, more }
