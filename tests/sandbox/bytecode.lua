-- expect: bytecode.lua:8: load: binary chunks (bytecode) cannot be loaded in a scenario: only Lua text
-- A hand-made Lua 5.4 binary chunk header (string.dump is gone): loading it
-- must fail, whatever mode is asked for.
local header = "\27LuaT\0\25\147\r\n\26\n\4\8\8xV\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\40\119\64"
local f, err = load(header, "bc", "b")
assert(f == nil and err)
f, err = load(header)
assert(f, err)
