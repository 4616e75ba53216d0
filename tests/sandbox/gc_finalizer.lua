-- expect: gc_finalizer.lua:3: __gc is not available in a scenario: the sandbox has no finalizers
-- Finalizers run with the count hook off: a looping one would never stop.
setmetatable({}, { __gc = function() while true do end end })
