-- expect: tests/bad/reallocate_too_much.lua:16: reallocate: amount: cannot move 5000 from events to search in period 1: events spends 0 there
-- a fixed amount moved out of a channel that spends nothing in some months
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
local moved = reallocate(base, { from = "events", to = "search", amount = 5000 })
return { base, moved:with{ name = "q3-moved" } }
