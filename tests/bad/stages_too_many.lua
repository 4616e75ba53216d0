-- expect: tests/bad/stages_too_many.lua:7: funnel: expected at most 32 stages, got 33
-- more stages than the model holds
local funnel = { { "s1" } }
for i = 2, 33 do funnel[i] = { "s" .. i, rate = 0.5 } end
return scenario {
  channels = { search = { spend = 1000, cpc = 2 } },
  funnel = funnel,
}
