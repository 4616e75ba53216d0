-- The comparison of the text snapshots (tests/check_text.sh): the accented
-- plan and the same with more spent at trade shows.
local base = include "accents.lua"
return { base, base:with{ name = "Salons renforcés", channels = { salons = { spend = 12000 } } } }
