-- expect: too_many_channels.lua:4: channels: expected at most 64 channels, got 65
local channels = {}
for c = 1, 65 do channels["c" .. c] = { spend = 10, cpc = 1 } end
return scenario { channels = channels, funnel = { { "visitor" } } }
