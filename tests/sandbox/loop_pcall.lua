-- expect: loop_pcall.lua: the scenario ran more than 20000000 Lua steps (a loop that never ends?); raise the limit with --max-steps
-- args: --max-steps 20000000
-- pcall catches the limit error, but the limit raises again at once.
while true do
  pcall(function() while true do end end)
end
