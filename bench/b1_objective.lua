-- B1's first goal (200 new customers) as a search's candidate runs it:
-- objective-only (fc.evaluate with objective: one Poisson per trial), beside
-- the exact lean run of the same goal. Prints the trials per second of each
-- (process CPU time over the call, one thread).
--   lua5.4 bench/b1_objective.lua BUILD TRIALS
local build, trials = arg[1] or "build", tonumber(arg[2]) or 1000000
package.cpath = build .. "/?.so;" .. package.cpath
local fc = require "funnelcast"
local s = fc.load("scenarios/b2b_saas_inbound.lua")[1]
local goal = "200 new customers in 2027"
local function rate(opts)
  local t0 = os.clock()
  local r = fc.evaluate({ s }, opts)[1]
  return trials / (os.clock() - t0), r
end
local q, r = rate({ trials = trials, threads = 1, objective = goal })
assert(r.objective_only, "B1's goal runs objective-only")
local l = rate({ trials = trials, threads = 1 })
print(string.format("objective_trials_per_second %.0f", q))
print(string.format("lean_trials_per_second %.0f", l))
