-- expect: tests/bad/with_per_channel_rate.lua:18: funnel[2].rate: expected funnel.lead.rate.default (the channels without a rate of their own) or funnel.lead.rate.<channel> (events), got 0.04, which would replace the stage's rates per channel
-- one rate written over a rate per channel
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
local better = base:with{
  name = "q3-better",
  funnel = { [2] = { rate = 0.04 } },
}
return { base, better }
