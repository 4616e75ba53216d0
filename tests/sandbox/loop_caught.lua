-- expect: loop_caught.lua: the scenario ran more than 20000000 Lua steps (a loop that never ends?); raise the limit with --max-steps
-- args: --max-steps 20000000
-- The script catches the limit error and tries to return a valid scenario.
pcall(function() while true do end end)
return scenario { channels = { search = { spend = 1000, cpc = 2 } }, funnel = { { "visitor" } } }
