-- expect: tests/bad/thousands_separator.lua:5: channels.search: expected named fields (spend = , cpc = , cpl = ), got 0 at position 1 (a number written with a thousands separator? write 10000 or 10e3, not 10,000)
-- a spend written with a thousands separator: Lua reads spend = 10 and a
-- stray 0
return scenario {
  channels = { search = { spend = 10,000, cpc = 2 } },
  funnel = { { "visitor" }, { "customer", rate = 0.01 } },
}
