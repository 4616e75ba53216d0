-- expect: loop_forever.lua: the scenario ran more than 200000000 Lua steps (a loop that never ends?); raise the limit with --max-steps
-- args: --max-steps 200000000
while true do end
