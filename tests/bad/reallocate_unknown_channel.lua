-- expect: tests/bad/reallocate_unknown_channel.lua:16: reallocate: from: unknown channel 'event' (did you mean 'events'?)
-- a misspelt channel name in a budget move
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
local moved = reallocate(base, { from = "event", to = "search", share = 0.2 })
return { base, moved }
