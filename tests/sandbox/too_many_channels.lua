-- expect: scenario: expected 1 to 32 stages, at most 64 channels and 1000 goals
local channels = {}
for c = 1, 65 do channels["c" .. c] = { spend = 10, cpc = 1 } end
return scenario { channels = channels, funnel = { { "visitor" } } }
