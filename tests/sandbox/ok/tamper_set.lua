-- A scenario that calls s:set itself, with a value that redefines a
-- constructor in the environment --set values are read in: the user's own
-- --set channels.search.cpc=lognormal{...} on the command line must still mean
-- lognormal (checked against minimal.lua with the same --set).
local s = include "minimal.lua"
s:set("channels.search.cpc", "fixed((function() lognormal = function() return fixed(1e-3) end; fixed = nil return 2 end)())")
return s
