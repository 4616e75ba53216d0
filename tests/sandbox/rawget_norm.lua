-- expect: rawget_norm.lua:5: bad argument #1 to 'rawget' (table expected, got scenario)
-- A scenario object is an empty userdata: its validated table, its spec and
-- the origins of its fields (with the library's file reader) are out of reach.
local s = scenario { channels = { search = { spend = 1000, cpc = 2 } }, funnel = { { "visitor" }, { "customer", rate = 0.01 } } }
local norm = rawget(s, "_norm")
norm.stages[2].rate.value = 5
return s
