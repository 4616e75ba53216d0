-- expect: alloc_rep.lua: the scenario used more than 512 MiB of memory; raise the limit with --max-memory
local s = string.rep("x", 1 << 30)
