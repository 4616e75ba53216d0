-- expect: loop_handler.lua: the scenario ran more than 20000000 Lua steps (a loop that never ends?); raise the limit with --max-steps
-- args: --max-steps 20000000
-- A message handler that loops, and an error object whose __tostring loops.
xpcall(function() while true do end end, function() while true do end end)
error(setmetatable({}, { __tostring = function() while true do end end }))
