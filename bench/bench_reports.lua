-- bench_reports: what writing each report costs beside the run it reports,
-- both measured here: B1 (scenarios/b2b_saas_inbound.lua) run once, then
-- each format and view written REPEAT times from the same results; prints
-- each writer's time as a share of the run's, and beside JSON's.
--   lua5.4 bench/bench_reports.lua BUILD [TRIALS] [REPEAT]
local build, trials, repeat_n = arg[1] or "build", tonumber(arg[2] or "100000"), tonumber(arg[3] or "20")
package.cpath = build .. "/?.so;" .. package.cpath
local fc = require "funnelcast"
local s = fc.load("scenarios/b2b_saas_inbound.lua")[1]
local clock = os.clock
local t0 = clock()
local r = fc.run(s, { trials = trials })
local run_s = clock() - t0
local alt = s:with{ name = "search +25%", channels = { search = { spend = 25000 } } }
local c = fc.run({ s, alt }, { trials = trials })
local function time(f)
  local t = clock()
  local bytes
  for _ = 1, repeat_n do bytes = #f() end
  return (clock() - t) / repeat_n, bytes
end
local cases = {}
for _, format in ipairs({ "json", "text", "csv", "html" }) do
  cases[#cases + 1] = { "run", format, function() return fc.report(r, format) end }
  cases[#cases + 1] = { "comparison", format, function() return fc.report(c, format) end }
end
print(string.format("B1, %d trials: the run takes %.3f s (CPU); each report the mean CPU time of %d writes", trials, run_s,
  repeat_n))
print(string.format("%-11s %-5s %10s %12s %10s", "view", "format", "bytes", "x the run", "x json"))
local json = {}
for _, cs in ipairs(cases) do
  local t, bytes = time(cs[3])
  if cs[2] == "json" then json[cs[1]] = t end
  print(string.format("%-11s %-5s %10d %12.4f %10.2f", cs[1], cs[2], bytes, t / run_s, t / json[cs[1]]))
end
