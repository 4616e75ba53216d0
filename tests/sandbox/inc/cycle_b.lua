-- included by cycle_a.lua
return include "cycle_a.lua"
