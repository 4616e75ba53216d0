-- expect: alloc_table.lua: the scenario used more than 64 MiB of memory; raise the limit with --max-memory
-- args: --max-memory 64M
local t, i = {}, 0
while true do i = i + 1; t[i] = { i } end
