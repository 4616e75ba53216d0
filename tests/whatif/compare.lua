-- A comparison returned with compare{}: the base and two budget moves.
local base = include "base.lua"
local to_search = reallocate(base, { from = "events", to = "search", amount = 3000 }):with{ name = "to-search" }
local to_social = reallocate(base, { from = "events", to = "social", share = 0.2 }):with{ name = "to-social" }
return compare{ base, to_search, to_social }
