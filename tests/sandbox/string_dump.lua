-- expect: string_dump.lua:2: string.dump is not available in a scenario: the sandbox has no bytecode
local bytes = string.dump(function() return 1 end)
