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

-- run(scenario [, { trials =, seed =, threads = }]): runs the scenario and
-- returns its results table (see core/lua_results.h).
M.run = function(s, opts)
  return core.run(M.normalize(s), opts)
end

-- The command line's entry point (core/cli.c).
M._main = function(fc, opts) return core._script("main").main(fc, opts) end

return M
