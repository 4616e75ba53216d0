-- The largest model the validation accepts: 600 periods, 32 stages, 64
-- channels and 1000 goals, counts kept per channel (the largest scratch
-- space), 97 assumptions drawn once per trial (drivers of every goal).
-- tests/check_memory.sh runs it under the default --max-memory and checks
-- that its peak memory stays within the limit.
local channels = {}
for c = 1, 64 do
  channels[string.format("c%02d", c)] = { spend = 1000, cpc = lognormal{ median = 1, sigma = 0.5 } }
end
local funnel = { { "s01" } }
for k = 2, 32 do funnel[k] = { string.format("s%02d", k), rate = beta(90, 10) } end
local goals = {}
for g = 1, 1000 do
  goals[g] = goal{ name = "goal " .. g, metric = "new_customers", at_least = g, by = 1 + (g - 1) % 600 }
end
return scenario {
  name = "largest", periods = 600, trials = 64,
  channels = channels, funnel = funnel, track_channels = true,
  customers = { initial = 1000, churn = beta(3, 97), arpu = 100 },
  winback = { rate = beta(5, 95) },
  goals = goals,
}
