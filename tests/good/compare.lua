-- Two scenarios compared: the base and a what-if with more search budget.
local base = scenario {
  name = "base",
  channels = {
    search = { spend = 20000, cpc = lognormal{ median = 2.5, sigma = 0.2 } },
    events = { spend = 15000, cpc = 5 },
  },
  funnel = {
    { "visitor" },
    { "lead", rate = beta(30, 970) },
    { "customer", rate = beta(25, 75), delay = 1 },
  },
}
return { base, base:with{ name = "more search", channels = { search = { spend = 25000 } } } }
