-- random_scenarios: writes N random, valid scenario files into a folder, for
-- tests/check_identity.sh (the same bytes whatever the threads and shards).
-- Each file mixes, at random, the engine's paths: 1 to 24 periods; 1 to 4
-- channels by cpc, cpl (entering a later stage), hill response with adstock,
-- organic arrivals, spend lists and seasons; 2 to 5 stages with rates as
-- numbers, betas, ranges, laws drawn each period or tables by channel;
-- delays none, one, a list or a lag law; stage costs; units from before the
-- plan; customers with plain or sbg churn, win-back, growth, expansion,
-- margin and horizons, or none; correlated rates; counts kept per channel;
-- goals on new customers, CAC, revenue and a stage, over windows.
--   lua5.4 tests/identity/random_scenarios.lua DIR N SEED
local dir, n, seed = arg[1], tonumber(arg[2]) or 12, tonumber(arg[3]) or 1
assert(dir, "usage: random_scenarios.lua DIR N SEED")
math.randomseed(seed)
local R = math.random

local function pick(t) return t[R(#t)] end
local function chance(p) return R() < p end
local function num(lo, hi, digits)
  local x = lo + (hi - lo) * R()
  return string.format("%." .. (digits or 2) .. "f", x)
end

-- A rate's law, and whether it is drawn once per trial (what correlations take).
local function rate_law()
  local k = R(5)
  if k == 1 then return num(0.05, 0.6), false end
  if k == 2 then return string.format("beta(%d, %d)", R(5, 60), R(40, 300)), true end
  if k == 3 then
    local lo = 0.05 + 0.4 * R()
    return string.format("range(%.3f, %.3f)", lo, lo + 0.2 * R()), true
  end
  if k == 4 then
    return string.format("beta{ mean = %s, sd = %s, each = \"period\" }", num(0.1, 0.4, 3), num(0.01, 0.05, 3)), false
  end
  return string.format("pert(%.3f, %.3f, %.3f)", 0.05, 0.15 + 0.1 * R(), 0.5), true
end

local function spend(periods)
  if chance(0.6) then return tostring(R(2, 40) * 1000) end
  local t = {}
  for i = 1, periods do t[i] = tostring(chance(0.2) and 0 or R(1, 30) * 1000) end
  return "{ " .. table.concat(t, ", ") .. " }"
end

local function channel(name, periods, stages, i)
  local f = {}
  local k = R(5)
  if k <= 2 then
    f[#f + 1] = "spend = " .. spend(periods)
    f[#f + 1] = string.format("cpc = lognormal{ median = %s, sigma = %s%s }", num(0.5, 6), num(0.1, 0.4),
      chance(0.2) and ", each = \"period\"" or "")
  elseif k == 3 and #stages > 2 then
    f[#f + 1] = "spend = " .. spend(periods)
    f[#f + 1] = string.format("cpl = range(%d, %d)", R(20, 60), R(70, 200))
    if chance(0.5) then f[#f + 1] = string.format("enters = %q", stages[R(2, #stages - 1)]) end
  elseif k == 4 then
    f[#f + 1] = "spend = " .. spend(periods)
    f[#f + 1] = string.format("response = hill{ max = %d, half = lognormal{ median = %d, sigma = 0.2 }, shape = %s }",
      R(2000, 20000), R(5000, 30000), num(0.7, 2.5))
    if chance(0.6) then f[#f + 1] = "adstock = " .. num(0.1, 0.7) end
  else
    f[#f + 1] = string.format("organic = gamma{ shape = %s, scale = %d }", num(2, 8), R(50, 600))
  end
  if chance(0.2) then
    local s = {}
    for j = 1, periods do s[j] = num(0.7, 1.3) end
    f[#f + 1] = "season = { " .. table.concat(s, ", ") .. " }"
  end
  return string.format("    ch%d = { %s },", i, table.concat(f, ", "))
end

local function delay()
  local k = R(6)
  if k <= 2 then return nil end
  if k == 3 then return tostring(R(1, 2)) end
  if k == 4 then return "{ 0.5, 0.3, 0.2 }" end
  if k == 5 then return string.format("lags.geometric{ mean = %s }", num(0.5, 2)) end
  return "lags.negbin{ mean = 2, sd = 2 }"
end

local function scenario(i)
  local periods = pick({ 1, 6, 12, 12, 18, 24 })
  local nst = R(2, 5)
  local names = { "visitor", "lead", "mql", "sql", "opportunity" }
  local stages = {}
  for k = 1, nst - 1 do stages[k] = names[k] end
  stages[nst] = "customer"
  local nch = R(1, 4)
  local chans = {}
  for c = 1, nch do chans[c] = channel(nil, periods, stages, c) end
  local by_channel = nch > 1 and chance(0.25)
  local funnel = { string.format("    { %q },", stages[1]) }
  local once = {} -- once[k]: stage k's rate is one law drawn once per trial
  for k = 2, nst do
    local f = { string.format("%q", stages[k]) }
    if by_channel and k == 2 then
      f[#f + 1] = string.format("rate = { default = %s, ch1 = %s }", (rate_law()), (rate_law()))
    else
      local law
      law, once[k] = rate_law()
      f[#f + 1] = "rate = " .. law
    end
    local d = delay()
    if d then f[#f + 1] = "delay = " .. d end
    if chance(0.3) then f[#f + 1] = "cost = " .. (chance(0.5) and num(0.5, 300) or "lognormal{ median = 20, sigma = 0.3 }") end
    if k < nst and chance(0.15) then f[#f + 1] = string.format("before = { %d, %d }", R(0, 200), R(0, 200)) end
    funnel[#funnel + 1] = "    { " .. table.concat(f, ", ") .. " },"
  end
  local lines = {
    "return scenario {",
    string.format("  name = \"random %d\", periods = %d, trials = 3000, seed = %d,", i, periods, R(1, 1e6)),
  }
  if chance(0.2) then lines[#lines + 1] = "  track_channels = true," end
  lines[#lines + 1] = "  channels = {"
  for _, c in ipairs(chans) do lines[#lines + 1] = c end
  lines[#lines + 1] = "  },"
  lines[#lines + 1] = "  funnel = {"
  for _, f in ipairs(funnel) do lines[#lines + 1] = f end
  lines[#lines + 1] = "  },"
  local money = chance(0.8)
  if money then
    local cu = { string.format("initial = %d", R(0, 2000)), string.format("arpu = %d", R(10, 500)) }
    if chance(0.25) then
      cu[#cu + 1] = string.format("churn = sbg{ alpha = %s, beta = %s }", num(0.5, 3), num(3, 15))
      cu[#cu + 1] = string.format("initial_tenure = %d", R(0, 12))
    else
      cu[#cu + 1] = string.format("churn = beta(%d, %d)", R(1, 6), R(60, 200))
    end
    if chance(0.3) then cu[#cu + 1] = string.format("lost = %d", R(0, 500)) end
    if chance(0.3) then cu[#cu + 1] = "growth = " .. num(0, 0.02, 3) end
    if chance(0.2) then cu[#cu + 1] = "expansion = " .. num(0, 0.02, 3) end
    if chance(0.4) then cu[#cu + 1] = "margin = beta(70, 30)" end
    if chance(0.4) then cu[#cu + 1] = string.format("ltv_horizon = %d, discount = %s", R(12, 60), num(0, 0.02, 3)) end
    lines[#lines + 1] = "  customers = { " .. table.concat(cu, ", ") .. " },"
    if chance(0.5) then
      lines[#lines + 1] = string.format("  winback = { rate = beta(%d, 95)%s },", R(2, 8), chance(0.5) and ", cost = 1.5" or "")
    end
  end
  if nst >= 3 and once[2] and once[3] and chance(0.5) then
    lines[#lines + 1] = string.format("  correlations = { { \"funnel.%s.rate\", \"funnel.%s.rate\", %s } },",
      stages[2], stages[3], num(-0.6, 0.8))
  end
  local goals = { "    goal{ name = \"customers\", metric = \"new_customers\", at_least = 5 }," }
  if chance(0.6) then goals[#goals + 1] = "    goal{ name = \"cac\", metric = \"cac\", at_most = 3000 }," end
  if money and chance(0.5) then goals[#goals + 1] = "    goal{ name = \"revenue\", metric = \"revenue\", at_least = 1000 }," end
  if periods >= 6 and chance(0.5) then
    goals[#goals + 1] = string.format("    goal{ name = \"early\", metric = %q, at_least = 10, by = %d },", stages[2], R(1, periods))
  end
  lines[#lines + 1] = "  goals = {"
  for _, g in ipairs(goals) do lines[#lines + 1] = g end
  lines[#lines + 1] = "  },"
  lines[#lines + 1] = "}"
  return table.concat(lines, "\n") .. "\n"
end

for i = 1, n do
  local f = assert(io.open(string.format("%s/random_%02d.lua", dir, i), "w"))
  f:write(scenario(i))
  f:close()
end
