-- expect: debug_sethook.lua:3: 'debug' is not available in a scenario: the sandbox has no debug library
-- Removing the count hook would lift the step limit.
debug.sethook()
while true do end
