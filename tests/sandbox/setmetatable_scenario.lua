-- expect: setmetatable_scenario.lua:4: bad argument #1 to 'setmetatable' (table expected, got scenario)
-- An object's metatable cannot be replaced (to make the library call back).
local s = scenario { channels = { search = { spend = 1000, cpc = 2 } }, funnel = { { "visitor" } } }
setmetatable(s, { __index = function() return 1 end })
return s
