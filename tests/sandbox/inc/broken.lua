-- included by include_error.lua
return scenario { channels = { search = { spend = 1000, cpc = 2 } },
  funnel = { { "visitor" }, { "lead", rate = 1.5 } } }
