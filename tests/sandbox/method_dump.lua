-- expect: method_dump.lua:4: attempt to call a nil value (method 'dump')
-- A method call on a string uses the state's own string library: dump is gone
-- from it too.
local bytes = ("x"):dump()
