-- expect: alloc_string.lua: the scenario used more than 64 MiB of memory; raise the limit with --max-memory
-- args: --max-memory 64M
local s = "x"
while true do s = s .. s end
