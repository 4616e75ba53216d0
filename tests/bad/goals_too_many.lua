-- expect: tests/bad/goals_too_many.lua:8: goals: expected at most 1000 goals, got 1001
-- more goals than the model holds
local goals = {}
for i = 1, 1001 do goals[i] = goal { metric = "new_customers", at_least = i } end
return scenario {
  channels = { search = { spend = 1000, cpc = 2 } },
  funnel = { { "visitor" }, { "customer", rate = 0.01 } },
  goals = goals,
}
