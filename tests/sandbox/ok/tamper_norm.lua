-- What a script does with the tables it is handed cannot change the
-- scenario: normalize(s) is a fresh copy, s.spec a read-only view. This file
-- must report exactly what tests/good/minimal.lua reports (checked with --format json).
local s = include "minimal.lua"
local n = normalize(s)
n.stages[2].rate.value = 5
n.channels[1].cost.value = -3
n.name = ""
for _, ch in pairs(n.channels) do ch.spend[1] = -1e9 end
local ok = pcall(function() s.spec.channels.search.spend = 1e9 end)
assert(not ok, "s.spec must be read-only")
return s
