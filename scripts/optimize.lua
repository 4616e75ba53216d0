-- optimize: the split of a budget over channels that serves an objective
-- best (a goal's probability, a metric's mean, or a metric's quantile such
-- as the P10 a cautious plan is signed on).
--
-- Method: a generating-set search over the simplex (pattern search with the
-- directions e_i - e_j: move an amount from channel j to channel i). The
-- split {sum = budget, min <= x <= max} is a polytope whose edges all lie
-- along those directions, so polling them respects the total and the
-- bounds exactly (every move is clipped to them) and, with step halving,
-- converges to a stationary point of a smooth objective (Kolda, Lewis and
-- Torczon 2003). Every candidate runs on the same trials (common random
-- numbers; lean runs of only the objective), so a difference between two
-- splits is the difference the split makes, not noise from other futures; a
-- poll takes the best move, or halves the step when none improves, from a
-- quarter of the budget down to 0.25% of it. Spends are whole multiples of
-- a unit (1 for a whole budget), so the total holds exactly. The best split
-- and the start (the scenario's own split scaled to the budget) are then run
-- again, paired, on a seed the search did not see (so the winner's curse
-- does not inflate the figure), and the marginal return of each channel is
-- what 1,000 more per period in it changes of the objective there.
local core = ...
local util = core._script("util")
local scenario = core._script("scenario")
local decide = core._script("decide")
local show = scenario.show

local M = {}

local KNOWN = { "budget", "objective", "channels", "min", "max", "bounds", "trials", "seed", "threads" }
local FIRST_STEP, LAST_STEP = 0.25, 0.0025 -- of the budget
local MAX_POLLS = 200
local MARGINAL_STEP = 1000
local QUANTILE = { p5 = 0.05, p10 = 0.1, p25 = 0.25, p50 = 0.5, p75 = 0.75, p90 = 0.9, p95 = 0.95 }

-- The objective of a spec "goal:NAME", "mean:METRIC" or "p10:METRIC"
-- (any of p5 ... p95), or the first goal: { kind, label, gi | metric, stat,
-- sign (1: more is better) }.
local function objective_of(fail, norm, spec)
  if spec == nil then
    local g, gi = decide.goal(fail, norm, nil)
    return { kind = "goal", label = "goal:" .. g.name, gi = gi, goal = g, sign = 1 }
  end
  if type(spec) ~= "string" then fail("objective: expected goal:NAME, mean:METRIC or p10:METRIC, got %s", show(spec)) end
  local kind, rest = spec:match("^(%w+):(.+)$")
  if kind == "goal" then
    local g, gi = decide.goal(fail, norm, rest)
    return { kind = "goal", label = spec, gi = gi, goal = g, sign = 1 }
  end
  if kind == "mean" or QUANTILE[kind or ""] then
    local names = {}
    for _, m in ipairs(core.metrics()) do
      names[#names + 1] = m.name
      if m.name == rest then
        return { kind = "metric", label = spec, metric = rest, stat = kind, sign = m.higher and 1 or -1 }
      end
    end
    fail("objective: %s: unknown metric %s%s (metrics: %s)", spec, show(rest), util.suggest(rest, names),
      table.concat(names, ", "))
  end
  fail("objective: expected goal:NAME, mean:METRIC or p10:METRIC (p5 ... p95), got %s", show(spec))
end

-- The objective's value in a lean or full result, and a tie-breaker (for a
-- goal, its metric's mean in the goal's direction): higher is better for
-- both once signed. A lean result of a goal holds that goal alone (the
-- runners' objective).
local function score(obj, res, full)
  if obj.kind == "goal" then
    local g = res.goals[full and obj.gi or 1]
    local mean = full and nil or g.value.mean
    local dir = obj.goal.op == ">=" and 1 or -1
    return g.probability, mean and mean == mean and dir * mean or -math.huge
  end
  local st
  if full then
    for _, m in ipairs(res.metrics) do if m.name == obj.metric then st = m.stat end end
  else
    st = res.metrics[obj.metric]
  end
  return st[obj.stat], 0
end

local function better(obj, a1, a2, b1, b2)
  local s1, s2 = obj.sign * a1, obj.sign * b1
  if s1 ~= s1 then return false end
  if s2 ~= s2 then return true end
  if s1 ~= s2 then return s1 > s2 end
  return a2 > b2
end

-- A bounds table { channel = amount per period } of the channels searched.
local function bounds(fail, t, name, names)
  local out = {}
  if t == nil then return out end
  if not util.is_plain(t) then fail("%s: expected { channel = amount per period, ... }, got %s", name, show(t)) end
  local known = {}
  for _, n in ipairs(names) do known[n] = true end
  for k, v in pairs(t) do
    if not known[k] then
      fail("%s: %s is not a channel the split may change%s (channels: %s)", name, show(k),
        util.suggest(tostring(k), names), table.concat(names, ", "))
    end
    if not (util.finite(v) and v >= 0) then fail("%s.%s: expected an amount >= 0, got %s", name, k, show(v)) end
    out[k] = v
  end
  return out
end

-- The scenario with channel c's mean spend per period set to split[c] (a
-- list keeps its shape).
local function with_split(s, norm_by_name, names, split)
  local chans = {}
  for i, name in ipairs(names) do
    local spec = s.spec.channels[name].spend
    local x = split[i]
    if type(spec) == "table" then
      local sum, n = 0, 0
      for _, v in ipairs(norm_by_name[name].spend) do sum, n = sum + v, n + 1 end
      local list = {}
      for t, v in ipairs(norm_by_name[name].spend) do list[t] = sum > 0 and v * x * n / sum or x end
      chans[name] = { spend = list }
    else
      chans[name] = { spend = math.tointeger(x) or x }
    end
  end
  return scenario._derive(s, { channels = chans }, scenario._origin("optimize"))
end

-- The start: the scenario's own split of the budget (equal shares when it
-- spends nothing there), scaled to the budget, within the bounds, in whole
-- units summing to K.
local function start_split(base, lo, hi, K)
  local n, sum = #base, 0
  for _, x in ipairs(base) do sum = sum + x end
  local w = {}
  for i = 1, n do w[i] = sum > 0 and base[i] / sum or 1 / n end
  -- water-filling: shares of what the clipped channels leave
  local x, fixed = {}, {}
  for _ = 1, n + 1 do
    local left, wsum = K, 0
    for i = 1, n do
      if fixed[i] then left = left - x[i] else wsum = wsum + w[i] end
    end
    local changed = false
    for i = 1, n do
      if not fixed[i] then
        local v = wsum > 0 and left * w[i] / wsum or left / n
        if v < lo[i] then x[i], fixed[i], changed = lo[i], true, true
        elseif v > hi[i] then x[i], fixed[i], changed = hi[i], true, true
        else x[i] = v end
      end
    end
    if not changed then break end
  end
  -- whole units, the remainders to the largest fractions
  local k, total = {}, 0
  for i = 1, n do
    k[i] = math.max(lo[i], math.min(hi[i], math.floor(x[i])))
    total = total + k[i]
  end
  local order = {}
  for i = 1, n do order[i] = i end
  table.sort(order, function(a, b) return (x[a] - k[a]) > (x[b] - k[b]) or ((x[a] - k[a]) == (x[b] - k[b]) and a < b) end)
  local guard = 0
  while total ~= K and guard < 4 * n * (math.abs(K - total) + 1) do
    for _, i in ipairs(order) do
      if total < K and k[i] < hi[i] then k[i], total = k[i] + 1, total + 1
      elseif total > K and k[i] > lo[i] then k[i], total = k[i] - 1, total - 1 end
    end
    guard = guard + 1
  end
  return k
end

function M.optimize(fc, s, opts)
  local fail, norm
  fail, opts, norm = decide.start(fc, "optimize", s, opts, KNOWN, "optimize{ s, budget = ... }")
  local X = opts.budget
  if not (util.finite(X) and X > 0) then fail("budget: expected the total spend per period, a number > 0, got %s", show(X)) end
  local names = decide.channels(fail, norm, opts.channels)
  local obj = objective_of(fail, norm, opts.objective)
  local mins, maxs = bounds(fail, opts.min, "min", names), bounds(fail, opts.max, "max", names)
  -- DESIGN.md's form: bounds = { channel = { min, max } }
  if opts.bounds ~= nil then
    if not util.is_plain(opts.bounds) then fail("bounds: expected { channel = { min, max }, ... }, got %s", show(opts.bounds)) end
    local lows, highs = {}, {}
    for k, v in pairs(opts.bounds) do
      if not (util.is_plain(v) and #v == 2) then fail("bounds.%s: expected { min, max }, got %s", tostring(k), show(v)) end
      lows[k], highs[k] = v[1], v[2]
    end
    for k, v in pairs(bounds(fail, lows, "bounds (min)", names)) do mins[k] = v end
    for k, v in pairs(bounds(fail, highs, "bounds (max)", names)) do maxs[k] = v end
  end
  -- whole units: 1 for a whole budget with whole bounds, else a
  -- power-of-two part of the budget
  local whole = X == math.floor(X) and X >= 64
  for _, t in ipairs({ mins, maxs }) do
    for _, v in pairs(t) do whole = whole and v == math.floor(v) end
  end
  local unit = whole and 1 or X / 2 ^ 20
  local K = math.floor(X / unit + 0.5)
  local n = #names
  local by_name, base = {}, {}
  for _, ch in ipairs(norm.channels) do by_name[ch.name] = ch end
  local lo, hi = {}, {}
  local sum_lo, sum_hi = 0, 0
  for i, name in ipairs(names) do
    local spend = by_name[name].spend
    local total = 0
    for _, v in ipairs(spend) do total = total + v end
    base[i] = total / #spend
    lo[i] = mins[name] and math.ceil(mins[name] / unit - 1e-9) or 0
    hi[i] = maxs[name] and math.floor(maxs[name] / unit + 1e-9) or K
    if lo[i] > hi[i] then
      if maxs[name] then fail("min.%s: %s is above max.%s (%s)", name, show(mins[name]), name, show(maxs[name])) end
      fail("min.%s: %s is above the budget (%s)", name, show(mins[name]), show(X))
    end
    sum_lo, sum_hi = sum_lo + lo[i], sum_hi + hi[i]
  end
  if sum_lo > K then fail("budget: %s is below the sum of the minimums (%s)", show(X), show(sum_lo * unit)) end
  if sum_hi < K then fail("budget: %s is above the sum of the maximums (%s)", show(X), show(sum_hi * unit)) end

  local metrics = obj.kind == "metric" and { obj.metric } or {}
  -- a goal's candidates run objective-only where the goal allows it
  local goal_only = obj.kind == "goal" and obj.goal.name or nil
  local runner = decide.runner(fc, opts, metrics, goal_only)
  local function split_of(k)
    local out = {}
    for i = 1, n do out[i] = k[i] * unit end
    return out
  end
  local cache = {}
  local function key(k) return table.concat(k, ",") end
  -- runs the splits not run yet, together; returns their scores
  local function evaluate(list)
    local todo, scs = {}, {}
    for _, k in ipairs(list) do
      local kk = key(k)
      if not cache[kk] and not todo[kk] then
        todo[kk] = true
        scs[#scs + 1] = { k = k, sc = with_split(s, by_name, names, split_of(k)) }
      end
    end
    if #scs > 0 then
      local batch = {}
      for i, x in ipairs(scs) do batch[i] = x.sc end
      for i, res in ipairs(runner.run(batch)) do
        local v1, v2 = score(obj, res)
        cache[key(scs[i].k)] = { v1, v2 }
      end
    end
    local out = {}
    for i, k in ipairs(list) do out[i] = cache[key(k)] end
    return out
  end

  local cur = start_split(base, lo, hi, K)
  local start = { table.unpack(cur) }
  local cv = evaluate({ cur })[1]
  local step = math.max(1, math.floor(FIRST_STEP * K))
  local last = math.max(1, math.floor(LAST_STEP * K))
  local polls = 0
  while n > 1 and step >= last and polls < MAX_POLLS do
    polls = polls + 1
    local cands = {}
    for i = 1, n do
      for j = 1, n do
        if i ~= j then
          local d = math.min(step, cur[j] - lo[j], hi[i] - cur[i])
          if d > 0 then
            local k = { table.unpack(cur) }
            k[i], k[j] = k[i] + d, k[j] - d
            cands[#cands + 1] = k
          end
        end
      end
    end
    local vals = evaluate(cands)
    local best, bv = nil, cv
    for c, v in ipairs(vals) do
      if better(obj, v[1], v[2], bv[1], bv[2]) then best, bv = cands[c], v end
    end
    if best then cur, cv = best, bv else step = step // 2 end
  end

  -- fresh trials: the best and the start, paired, then the marginal returns
  local seed = opts.seed or norm.seed
  local fresh = seed + 1
  local best_sc = with_split(s, by_name, names, split_of(cur))
  local base_sc = with_split(s, by_name, names, split_of(start)):with{ name = norm.name .. " (base split)" }
  local run_opts = { trials = opts.trials, seed = fresh, threads = opts.threads }
  local cmp = fc.run({ base_sc, best_sc }, run_opts)
  local rb, rv = cmp.scenarios[1], cmp.scenarios[2]
  local d = cmp.differences[1]
  local N = rv.trials
  local value, base_value = score(obj, rv, true), score(obj, rb, true)
  local se, base_se, diff_se
  if obj.kind == "goal" then
    se = math.sqrt(value * (1 - value) / N)
    base_se = math.sqrt(base_value * (1 - base_value) / N)
    for _, g in ipairs(d.goals) do if g.name == obj.goal.name then diff_se = g.se end end
  else
    local function stat_of(r)
      for _, m in ipairs(r.metrics) do if m.name == obj.metric then return m.stat end end
    end
    local a, b = stat_of(rv), stat_of(rb)
    local dm
    for _, m in ipairs(d.metrics) do if m.name == obj.metric then dm = m.stat end end
    if obj.stat == "mean" then
      se, base_se = a.sd / math.sqrt(a.n), b.sd / math.sqrt(b.n)
      diff_se = dm and dm.sd / math.sqrt(dm.n)
    else
      -- a quantile's standard error from the density at it (the spread of
      -- the neighbouring quantiles): sqrt(q (1 - q) / n) / f(x_q)
      local function qse(st)
        local q = QUANTILE[obj.stat]
        local f = (QUANTILE.p25 - QUANTILE.p5) / (st.p25 - st.p5)
        if q > 0.5 then f = (QUANTILE.p95 - QUANTILE.p75) / (st.p95 - st.p75) end
        return math.sqrt(q * (1 - q) / st.n) / f
      end
      se, base_se = qse(a), qse(b)
    end
  end
  -- marginal returns at the best split, on the fresh trials
  local list, split = { best_sc }, split_of(cur)
  for i = 1, n do
    local more = { table.unpack(split) }
    more[i] = more[i] + MARGINAL_STEP
    list[#list + 1] = with_split(s, by_name, names, more)
  end
  local marg_runner = decide.runner(fc, run_opts, metrics, goal_only)
  local res = marg_runner.run(list)
  local at = score(obj, res[1])
  local marginal = {}
  for i, name in ipairs(names) do marginal[name] = score(obj, res[i + 1]) - at end
  local function named(k)
    local out = {}
    for i, name in ipairs(names) do out[name] = k[i] * unit end
    return out
  end
  local out = {
    objective = obj.label, budget = X, channels = names, split = named(cur), value = value, se = se,
    base = { split = named(start), value = base_value, se = base_se },
    difference = value - base_value, difference_se = diff_se,
    marginal = marginal, marginal_step = MARGINAL_STEP,
    direction = obj.sign > 0 and "higher" or "lower",
    min = mins, max = maxs, trials = N, seed = seed, fresh_seed = fresh,
    runs = runner.runs + 2 + marg_runner.runs, search_runs = runner.runs, polls = polls,
    periods = norm.periods, unit = norm.unit,
    prose = { method = decide.prose("opt.method", decide.number(100 * FIRST_STEP, "%g"),
      decide.number(100 * LAST_STEP, "%g"), util.unsigned(N), util.unsigned(fresh)) },
  }
  out.method = decide.words(nil, out.prose.method)
  return { optimize = out, result = rv }
end

return M
