-- expect: tests/bad/with_channel_typo.lua:18: channels: unknown channel 'serach' (did you mean 'search'?)
-- a what-if that misspells the channel it changes
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
local more = base:with{
  name = "q3-more",
  channels = { serach = { spend = 25000 } },
}
return { base, more }
