local base = include "base.lua"
return { base, reallocate(base, { from = "events", to = "search", share = 0.2, periods = { 4, 6 } }):with{ name = "late shift" } }
