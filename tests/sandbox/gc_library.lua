-- expect: gc_library.lua:6: the metatables of the library's objects are read-only in a scenario
-- A __gc in a metatable of the library would reach every scenario object the
-- library makes later.
local s = scenario { channels = { search = { spend = 1000, cpc = 2 } }, funnel = { { "visitor" } } }
local mt = getmetatable(s)
mt.__gc = function() while true do end end
