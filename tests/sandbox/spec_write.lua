-- expect: spec_write.lua:6: a goal{...} record is read-only: write a new one
-- s.spec is a read-only view, records and distributions inside it too.
local s = scenario { channels = { search = { spend = 1000, cpc = 2 } }, funnel = { { "visitor" }, { "customer", rate = 0.01 } },
  goals = { goal { metric = "new_customers", at_least = 3 } } }
local g = s.spec.goals[1]
g.at_least = -5
return s
