-- expect: dist_rawset.lua:4: bad argument #1 to 'rawset' (table expected, got distribution)
-- Nor behind its metatable's back.
local d = lognormal { median = 2, sigma = 0.2 }
rawset(d, "mu", -1e9)
return scenario { channels = { search = { spend = 1000, cpc = d } }, funnel = { { "visitor" } } }
