-- expect: gc_library.lua:6: attempt to index a boolean value (local 'mt')
-- The metatables of the library's objects are protected: getmetatable gives false, so no __gc can be put where the library would run it.

local s = scenario { channels = { search = { spend = 1000, cpc = 2 } }, funnel = { { "visitor" } } }
local mt = getmetatable(s)
mt.__gc = function() while true do end end
