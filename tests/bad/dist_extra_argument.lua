-- expect: tests/bad/dist_extra_argument.lua:5: beta: expected at most 2 arguments (a, b), got 3
-- a third number given to beta, which takes two
return scenario {
  channels = { search = { spend = 1000, cpc = 2 } },
  funnel = { { "visitor" }, { "customer", rate = beta(3, 97, 5) } },
}
