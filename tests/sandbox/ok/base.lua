-- The shared base plan that ok/include_base.lua includes.
local plan = scenario {
  name = "base", periods = 6,
  channels = { search = { spend = 2000, cpc = lognormal { median = 2, sigma = 0.2 } } },
  funnel = { { "visitor" }, { "lead", rate = beta(30, 970) }, { "customer", rate = beta(20, 80) } },
}
return plan
