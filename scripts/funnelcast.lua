-- funnelcast: the Lua side of the simulator. This is the table that
-- require "funnelcast" returns and that scenario files see as their
-- environment: distribution constructors, sampling, and (with the simulator)
-- scenario, goal and the what-if helpers.
local core = ...
local M = { version = core.version }

for name, f in pairs(core._script("dist")) do M[name] = f end

-- sample(dist, count, seed): count draws on the stream of seed; the same
-- array for the same seed.
M.sample = core.sample
M.pcg32 = core.pcg32

return M
