-- expect: alloc_caught.lua: the scenario used more than 64 MiB of memory; raise the limit with --max-memory
-- args: --max-memory 64M
-- The script catches the memory error and goes on as if nothing happened.
local keep = {}
for i = 1, 100 do
  pcall(function() local s = "x"; while true do s = s .. s; keep[i] = s end end)
end
return scenario { channels = { search = { spend = 1000, cpc = 2 } }, funnel = { { "visitor" } } }
