-- The smallest scenario: one channel, two stages; everything else defaults.
return scenario {
  channels = { search = { spend = 1000, cpc = 2 } },
  funnel = {
    { "visitor" },
    { "customer", rate = 0.01 },
  },
}
