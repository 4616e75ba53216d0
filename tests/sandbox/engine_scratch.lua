-- expect: scenario "engine_scratch": a run needs about
-- args: --max-memory 24M --trials 1024
-- 32 stages over 600 periods: every trial's record holds 23,000 figures; a
-- chunk of 64 records, the block's moments and the counts of a thread and of
-- the summary take about 33 MB: more than --max-memory allows even on one thread.
local funnel = { { "s1" } }
for k = 2, 32 do funnel[k] = { "s" .. k, rate = 0.5 } end
return scenario { periods = 600, channels = { search = { spend = 1000, cpc = 2 } }, funnel = funnel }
