-- expect: tests/bad_cli/runtime_error.lua:3: unknown name 'budget'
local search_share = 0.6
local spend = budget * search_share
return scenario { funnel = { { "visitor" } } }
