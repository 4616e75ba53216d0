-- expect: gc_late.lua:7: __gc is not available in a scenario: the sandbox has no finalizers
-- A __gc added to a metatable after it was set marks no object (Lua's rule);
-- setting that metatable again is refused.
local mt = {}
setmetatable({}, mt)
mt.__gc = function() while true do end end
for i = 1, 100000 do setmetatable({}, mt) end
