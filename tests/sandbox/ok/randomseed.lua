-- math.randomseed(x) restarts the stream: the file's draws no longer depend on --seed.
math.randomseed(42)
local spend = math.random(1, 1000000)
return scenario {
  name = "seeded " .. spend,
  channels = { search = { spend = spend, cpc = 2 } },
  funnel = { { "visitor" } },
}
