-- expect: tests/bad_cli/beta_negative.lua:6: beta: a: expected a number > 0, got -1
return scenario {
  channels = { search = { spend = 1000, cpc = 2 } },
  funnel = {
    { "visitor" },
    { "lead", rate = beta(-1, 3) },
  },
}
