-- expect: tests/bad/accented_name.lua:4: '}' expected near '<\195>' (a name with accents or other letters beyond ASCII must be quoted: ["référencement"] = { ... })
-- a channel named with an accent, not quoted
return scenario {
  channels = { référencement = { spend = 1000, cpc = 2 } },
  funnel = { { "visitor" }, { "customer", rate = 0.01 } },
}
