-- Loaded with fc.load from a stock lua5.4 (tests/scenario_api.lua): a
-- scenario there cannot reach string.dump, neither through the string table
-- nor through a string's metatable, and gets nothing else of the host.
local function reach(f) local ok, v = pcall(f) return ok and v ~= nil end
assert(not reach(function() return ("").dump end), '("").dump is reachable')
assert(not reach(function() return string.dump end), "string.dump is reachable")
assert(not reach(function() return getmetatable("").__index.dump end), "getmetatable('').__index.dump is reachable")
assert(not reach(function() return io end) and not reach(function() return debug end), "io or debug is reachable")
return scenario { channels = { search = { spend = 1000, cpc = 2 } }, funnel = { { "visitor" } } }
