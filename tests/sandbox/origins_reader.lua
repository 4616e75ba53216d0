-- expect: origins_reader.lua:5: bad argument #1 to 'rawget' (table expected, got scenario)
-- The origins of a scenario's fields hold the library's reader of files:
-- a script must not reach them to read a file outside its folder.
local s = scenario { channels = { search = { spend = 1000, cpc = 2 } }, funnel = { { "visitor" } } }
local o = rawget(s, "_origins")[1]
getmetatable(o).__index.find({ file = "/etc/passwd", chunk = true, line = 1 }, "")
return s
