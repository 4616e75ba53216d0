-- expect: dist_write.lua:4: a distribution is read-only: write a new one, such as beta(30, 970)
-- A distribution cannot be changed after its checks.
local d = beta(30, 970)
d.a = -1
return scenario { channels = { search = { spend = 1000, cpc = 2 } }, funnel = { { "visitor" }, { "lead", rate = d } } }
