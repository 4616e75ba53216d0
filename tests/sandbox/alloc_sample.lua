-- expect: alloc_sample.lua: the scenario used more than 64 MiB of memory; raise the limit with --max-memory
-- args: --max-memory 64M
local draws = sample(beta(1, 1), 1 << 26, 1)
