-- expect: metatable_dump.lua:3: string.dump is not available in a scenario: the sandbox has no bytecode
-- The string metatable leads to the real string library only through a copy.
local dump = getmetatable("").__index.dump
