-- Includes the shared base plan (a path relative to this file) and compares it
-- with a bigger budget.
local base = include "base.lua"
return { base, base:with { name = "more search", channels = { search = { spend = 3000 } } } }
