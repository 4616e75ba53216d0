-- expect: tests/bad/reallocate_window.lua:16: reallocate: periods: expected a window { first, last } of periods with 1 <= first <= last <= 12, got {7, 14}
-- a window past the horizon
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
local moved = reallocate(base, { from = "search", to = "events", share = 0.5, periods = { 7, 14 } })
return moved
