-- 37% of social's budget moved to search in months 4 to 12 (cents: the
-- moved amounts are not whole), to check that the spend is unchanged.
local base = include "base.lua"
return reallocate(base, { from = "social", to = "search", share = 0.37, periods = { 4, 12 } })
