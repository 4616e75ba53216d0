-- math.random is PCG32 seeded from --seed (else 1): the spend it picks is the
-- same in every run with the same seed.
local spend = 1000 + math.random(1, 100000)
local share = math.random()
return scenario {
  name = string.format("random %d %.17g", spend, share),
  channels = { search = { spend = spend, cpc = 2 } },
  funnel = { { "visitor" }, { "lead", rate = share } },
}
