-- The base with a fifth of events' budget moved to search.
local base = include "base.lua"
return reallocate(base, { from = "events", to = "search", share = 0.2 }):with{ name = "more search" }
