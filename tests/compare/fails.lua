-- The alternative spends so much that a period's expected arrivals pass
-- the engine's limit: the run fails in it, and the message says where.
local base = include "base.lua"
return { base, base:with{ name = "too much",
  channels = { search = { spend = 1e300 } } } }
