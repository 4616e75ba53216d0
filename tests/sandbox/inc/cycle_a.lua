-- included by include_cycle.lua: a includes b, which includes a
return include "cycle_b.lua"
