-- plan: the smallest budget (or value of one assumption) that meets a goal
-- with a confidence, and what it asks of each stage (the reverse funnel).
--
-- The search runs every candidate on the same trials (common random
-- numbers: core.evaluate, lean runs that compute only the goals), so the
-- goal's probability is a step function of the value searched, and finds
-- where it crosses three levels: the confidence C (the answer) and C -+ h,
-- h = 1.96 sqrt(C (1 - C) / N), the values at which the probability's 95%
-- interval crosses C (the answer's Monte Carlo interval). Method: the bounds
-- and the scenario as written are run first (which gives the direction: a
-- probability that rises with the value asks for the smallest value that
-- meets the goal, one that falls, such as a CAC ceiling against spend, for
-- the largest); then each level's bracket shrinks by interpolation where
-- the probability would be a normal curve of the value (the probit of p
-- linear in log x: regula falsi in those coordinates), with a bisection step
-- whenever the last round did not halve the bracket, the pending levels'
-- points run together, to 0.1% of the value for C and 0.5% for the
-- interval's ends. The value found gets one full run for the report.
local core = ...
local util = core._script("util")
local scenario = core._script("scenario")
local whatif = core._script("whatif")
local dist = core._script("dist")
local decide = core._script("decide")
local show = scenario.show

local M = {}

local Z = 1.959963984540054
local TOL_VALUE, TOL_INTERVAL = 1e-3, 5e-3
local MAX_ROUNDS = 80
-- values run between the bounds when none of the first three meets the goal
local GRID = 12
-- default bounds of a budget multiplier
local BUDGET_BOUNDS = { 0, 100 }

local KNOWN = { "goal", "confidence", "vary", "channels", "between", "trials", "seed", "threads" }

----------------------------------------------------------------------------
-- What is varied: make(x) is the scenario at value x.

-- The mean of a law's data (or of a number, or of a list of numbers).
local function mean_of(v)
  if type(v) == "number" then return v end
  if util.is_plain(v) and #v > 0 then
    local s = 0
    for _, x in ipairs(v) do
      if type(x) ~= "number" then return nil end
      s = s + x
    end
    return s / #v
  end
  local d = dist.data(v)
  if not d then return nil end
  local k = d.kind
  if k == "fixed" then return d.value end
  if k == "uniform" then return (d.min + d.max) / 2 end
  if k == "normal" or k == "poisson" then return d.mean end
  if k == "lognormal" then return math.exp(d.mu + d.sigma * d.sigma / 2) end
  if k == "beta" then return d.a / (d.a + d.b) end
  if k == "gamma" then return d.shape * d.scale end
  if k == "triangular" then return (d.min + d.mode + d.max) / 3 end
  if k == "pert" then return (d.min + 4 * d.mode + d.max) / 6 end
  return nil
end

-- The value written at a field made to have mean x, and how ("set",
-- "scaled", "shifted", "mean"): a number becomes x, a list of numbers is
-- scaled, a law keeps its shape: lognormal, gamma and range scaled; normal,
-- uniform, triangular and PERT shifted; a beta keeps a + b (as if learned
-- from as many trials); a Poisson takes mean x.
local function with_mean(v, x)
  if type(v) == "number" then return x, "set" end
  local m = mean_of(v)
  if util.is_plain(v) then
    local out = {}
    for t, y in ipairs(v) do out[t] = m ~= 0 and y * x / m or x end
    return out, "scaled"
  end
  local d = dist.data(v)
  local C, each, clip = dist.constructors, d.each, d.clip
  local k = d.kind
  if d.range then
    local f = x / m
    return C.range{ lo = d.range.lo * f, hi = d.range.hi * f, each = each, clip = clip }, "scaled"
  end
  if k == "fixed" then return x, "set" end
  if k == "lognormal" then
    return C.lognormal{ median = math.exp(d.mu) * x / m, sigma = d.sigma, each = each, clip = clip }, "scaled"
  end
  if k == "gamma" then return C.gamma{ shape = d.shape, scale = d.scale * x / m, each = each, clip = clip }, "scaled" end
  if k == "normal" then return C.normal{ mean = x, sd = d.sd, each = each, clip = clip }, "shifted" end
  if k == "uniform" then
    return C.uniform{ min = d.min + x - m, max = d.max + x - m, each = each, clip = clip }, "shifted"
  end
  if k == "triangular" or k == "pert" then
    return C[k]{ min = d.min + x - m, mode = d.mode + x - m, max = d.max + x - m, each = each, clip = clip }, "shifted"
  end
  if k == "beta" then
    local n = d.a + d.b
    return C.beta{ a = x * n, b = (1 - x) * n, each = each, clip = clip }, "mean"
  end
  if k == "poisson" then return C.poisson{ mean = x, each = each, clip = clip }, "mean" end
  return nil
end

-- The variable of a plan: { name, x0, lo, hi, make = function(x), how }.
local function budget_variable(fail, s, norm, opts)
  local chans = decide.channels(fail, norm, opts.channels)
  local all = #chans == #norm.channels
  local function make(x)
    if all then return whatif.scale(s, { by = x }) end
    local out = s
    for _, name in ipairs(chans) do out = whatif.scale(out, { channel = name, by = x }) end
    return out
  end
  return { name = "budget", x0 = 1, lo = BUDGET_BOUNDS[1], hi = BUDGET_BOUNDS[2], make = make, how = "multiplier",
    channels = chans }
end

local function path_variable(fail, s, norm, path)
  local v, _, model_path = scenario.get(s, path)
  local x0 = mean_of(v)
  if v == nil then fail("vary: %s: no value is written there to vary", path) end
  if x0 == nil then
    local rates = util.is_plain(v) and (v.default ~= nil or path:match("%.rate$"))
    fail("vary: %s: expected a number, a list of numbers or a distribution there, got %s%s", path, show(v),
      rates and " (a rate per channel: vary one of its entries, such as " .. path .. ".default)" or "")
  end
  local _, how = with_mean(v, x0)
  if how == nil then fail("vary: %s: a %s cannot be varied (it is a count)", path, dist.data(v).kind) end
  -- the field's domain, from the compiler: its default bounds (a rate's
  -- default entry is compiled once per channel that has no rate of its own)
  local domain = "nonneg"
  local prefix = model_path:gsub("%.default$", "") .. "."
  for _, a in ipairs(core.assumptions(norm)) do
    if a.path == model_path or a.path:sub(1, #prefix) == prefix then domain = a.domain end
  end
  local lo, hi
  if domain == "probability" or domain == "fraction" then
    lo, hi = 0, domain == "fraction" and 1 - 1e-9 or 1
    if how == "mean" and dist.data(v).kind == "beta" then lo, hi = 1e-9, 1 - 1e-9 end
  elseif domain == "positive" then
    lo, hi = x0 / 100, x0 * 100
  elseif domain == "nonneg" then
    lo, hi = 0, x0 > 0 and x0 * 100 or 1
  end
  local function make(x)
    local nv = with_mean(v, x)
    return scenario.set(s, path, nv)
  end
  -- a field of whole numbers (a count, a delay) has no continuous value to search
  if math.type(x0) == "integer" then
    local ok, e = pcall(make, x0 + 0.5)
    if not ok and tostring(e):find("integer", 1, true) then
      fail("vary: %s: the field takes whole numbers; plan searches a continuous value (a rate, a cost, a spend)", path)
    end
  end
  return { name = path, x0 = x0, lo = lo, hi = hi, make = make, how = how, domain = domain }
end

-- The end of [x, x0] nearest x at which make builds a valid scenario (x0,
-- the scenario as written, does): a law scaled or shifted to the edge of its
-- field's domain may be invalid there (a gamma at 0, a range past 1).
local function valid_end(make, x, x0)
  if pcall(make, x) then return x end
  -- a law scaled to 0: the least of x0 / 10^6, ..., x0 / 10 that is valid
  for k = 6, 1, -1 do
    if x == 0 and x0 > 0 and pcall(make, x0 / 10 ^ k) then return x0 / 10 ^ k end
  end
  local bad, good = x, x0
  for _ = 1, 60 do
    local mid = (bad + good) / 2
    if mid == bad or mid == good then break end
    if pcall(make, mid) then good = mid else bad = mid end
  end
  return good
end

----------------------------------------------------------------------------
-- The search.

-- Bracket of level t among the points (sorted by x) inside [lo, hi]: for a
-- rising probability the least x with p >= t (b) and the largest point below
-- it with p < t (a); for a falling one the largest x with p >= t (a) and the
-- least point above it with p < t (b). Returns a, b, met (the point that
-- meets t, nil when none does).
local function bracket(points, t, rising, lo, hi)
  local inside = {}
  for _, pt in ipairs(points) do
    if pt.x >= lo and pt.x <= hi then inside[#inside + 1] = pt end
  end
  if rising then
    local b
    for _, pt in ipairs(inside) do
      if pt.p >= t then b = pt break end
    end
    if not b then return nil end
    local a
    for _, pt in ipairs(inside) do
      if pt.x < b.x and pt.p < t then a = pt end
    end
    return a, b, b
  end
  local a
  for i = #inside, 1, -1 do
    if inside[i].p >= t then a = inside[i] break end
  end
  if not a then return nil end
  local b
  for i = #inside, 1, -1 do
    if inside[i].x > a.x and inside[i].p < t then b = inside[i] end
  end
  return a, b, a
end

local function midpoint(a, b)
  if a > 0 and b / a > 4 then return math.sqrt(a * b) end
  return (a + b) / 2
end

-- The standard normal quantile (Acklam's rational approximation, relative
-- error below 1.2e-9).
local PA = { -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
  -3.066479806614716e+01, 2.506628277459239e+00 }
local PB = { -5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
  -1.328068155288572e+01 }
local PC = { -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
  4.374664141464968e+00, 2.938163982698783e+00 }
local PD = { 7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00 }
local function probit(p)
  local function tail(q)
    local r = math.sqrt(-2 * math.log(q))
    return (((((PC[1] * r + PC[2]) * r + PC[3]) * r + PC[4]) * r + PC[5]) * r + PC[6]) /
      ((((PD[1] * r + PD[2]) * r + PD[3]) * r + PD[4]) * r + 1)
  end
  if p < 0.02425 then return tail(p) end
  if p > 1 - 0.02425 then return -tail(1 - p) end
  local q = p - 0.5
  local r = q * q
  return (((((PA[1] * r + PA[2]) * r + PA[3]) * r + PA[4]) * r + PA[5]) * r + PA[6]) * q /
    (((((PB[1] * r + PB[2]) * r + PB[3]) * r + PB[4]) * r + PB[5]) * r + 1)
end

-- The point of bracket (a, b) where level t is met if the probit of the
-- probability is linear in log x (in x when a is 0), kept inside the middle
-- 90% of the bracket; nil when the ends do not straddle t. Of n trials,
-- probabilities 0 and 1 count as half a trial away from them.
local function toward(a, b, t, n)
  local function z(p) return probit(math.min(math.max(p, 0.5 / n), 1 - 0.5 / n)) end
  local za, zb, zt = z(a.p), z(b.p), z(t)
  if za == zb then return nil end
  local f = (zt - za) / (zb - za)
  if not (f > 0 and f < 1) then return nil end
  f = math.min(math.max(f, 0.05), 0.95)
  if a.x > 0 then return math.exp(math.log(a.x) + f * (math.log(b.x) - math.log(a.x))) end
  return a.x + f * (b.x - a.x)
end

function M.plan(fc, s, opts)
  local fail, norm
  fail, opts, norm = decide.start(fc, "plan", s, opts, KNOWN, "plan{ s, goal = ... }")
  local goal, gi = decide.goal(fail, norm, opts.goal)
  local conf = opts.confidence or goal.confidence
  if not (util.finite(conf) and conf > 0 and conf < 1) then
    fail("confidence: expected a number in (0, 1), got %s", show(conf))
  end
  local vary = opts.vary or "budget"
  if type(vary) ~= "string" then fail("vary: expected \"budget\" or a field path such as funnel.mql.rate, got %s", show(vary)) end
  if vary ~= "budget" and opts.channels ~= nil then fail("channels: only with vary = \"budget\"") end
  local var = vary == "budget" and budget_variable(fail, s, norm, opts) or path_variable(fail, s, norm, vary)
  if opts.between ~= nil then
    local b = opts.between
    if not (util.is_plain(b) and #b == 2 and util.finite(b[1]) and util.finite(b[2]) and b[1] < b[2]) then
      fail("between: expected { lo, hi } with lo < hi, got %s", show(b))
    end
    var.lo, var.hi = b[1], b[2]
  end
  if var.lo == nil then fail("vary: %s: give the bounds of the search: between = { lo, hi }", vary) end
  local x0 = math.min(math.max(var.x0, var.lo), var.hi)
  if not pcall(var.make, x0) then fail("vary: %s: the scenario is not valid at %s", var.name, show(x0)) end
  var.lo, var.hi = valid_end(var.make, var.lo, x0), valid_end(var.make, var.hi, x0)

  -- the exact runner (lean runs: the full run's figures), and the
  -- objective-only one where the goal allows it (its law, at a fraction of
  -- the cost: core.evaluate's objective)
  local runner = decide.runner(fc, opts)
  local quick = decide.runner(fc, opts, nil, goal.name)
  local first = quick.run({ var.make(x0) })[1]
  if not first.objective_only then quick = nil end
  local trials
  -- a search's points on one runner: probe(xs) runs the values not run yet,
  -- together
  local function search_on(run, gidx)
    local S = { points = {}, seen = {} }
    function S.probe(xs)
      local list, todo = {}, {}
      for _, x in ipairs(xs) do
        if not S.seen[x] then
          S.seen[x] = true
          local ok, sc = pcall(var.make, x)
          if not ok then fail("vary: %s at %s: %s", var.name, show(x), tostring(sc)) end
          list[#list + 1], todo[#todo + 1] = sc, x
        end
      end
      if #list == 0 then return end
      for i, res in ipairs(run.run(list)) do
        trials = res.trials
        S.points[#S.points + 1] = { x = todo[i], p = res.goals[gidx].probability }
      end
      table.sort(S.points, function(a, b) return a.x < b.x end)
    end
    function S.best()
      local best = S.points[1]
      for _, pt in ipairs(S.points) do if pt.p > best.p then best = pt end end
      return best
    end
    return S
  end
  local S = search_on(quick or runner, quick and 1 or gi)
  if quick then -- the run that told, the search's first point
    trials = first.trials
    S.points[1], S.seen[x0] = { x = x0, p = first.goals[1].probability }, true
  end
  S.probe({ var.lo, x0, var.hi })
  if S.best().p < conf then
    -- none meets the goal yet: look between the bounds before giving up
    -- (geometric: from the lower bound, or from a hundredth of the value
    -- as written when the bound is 0)
    local xs = {}
    local from = var.lo > 0 and var.lo or (x0 > 0 and x0 or var.hi) / 100
    for i = 1, GRID do
      local f = (i - 1) / (GRID - 1)
      if from < var.hi then xs[#xs + 1] = from * (var.hi / from) ^ f end
    end
    S.probe(xs)
  end
  -- the direction, and the part of the bounds searched: the probability
  -- rises to its best (the smallest value that meets the goal is sought) or
  -- falls from it (the largest); when the best lies inside, an at_least goal
  -- asks for the smallest value below it, an at_most goal (a CAC ceiling)
  -- for the largest above it
  local best = S.best()
  local rising, lo, hi = true, var.lo, var.hi
  if best.x == var.lo and best.p > S.points[#S.points].p then
    rising = false
  elseif best.x > var.lo and best.x < var.hi and best.p > S.points[#S.points].p then
    rising = goal.op == ">="
    if rising then hi = best.x else lo = best.x end
  end
  local h = Z * math.sqrt(conf * (1 - conf) / trials)
  local function crossing_in(points, t)
    local _, _, met = bracket(points, t, rising, lo, hi)
    return met
  end
  -- each level's bracket shrunk, the pending levels' points run together:
  -- the confidence's, and with `interval` its 95% interval's ends
  local function converge(interval)
    local levels = { { t = conf, tol = TOL_VALUE } }
    if interval then
      levels[2] = { t = conf - h, tol = TOL_INTERVAL }
      levels[3] = { t = conf + h, tol = TOL_INTERVAL }
    end
    local rounds = 0
    while rounds < MAX_ROUNDS do
      local xs = {}
      for _, lv in ipairs(levels) do
        local a, b = bracket(S.points, lv.t, rising, lo, hi)
        local w = a and b and b.x - a.x
        if w and w > lv.tol * math.max(math.abs(rising and b.x or a.x), 1e-9 * (hi - lo)) then
          local halved = lv.width == nil or w <= 0.5 * lv.width
          xs[#xs + 1] = halved and toward(a, b, lv.t, trials) or midpoint(a.x, b.x)
          lv.width = w
        end
      end
      if #xs == 0 then break end
      S.probe(xs)
      rounds = rounds + 1
    end
  end
  converge(true)
  -- the interval's ends: values crossing conf -+ h
  local ends = { crossing_in(S.points, conf - h), crossing_in(S.points, conf + h) }
  if quick and S.best().p >= conf then
    -- The objective-only search found where the law crosses the levels, up
    -- to its Monte Carlo error, which the interval states. The value is the
    -- exact runs' (the full run's figures): their crossing of the confidence
    -- lies within the interval widened by its width on each side (the two
    -- estimates differ by about sqrt(2) of the interval's standard errors),
    -- widened again while the window's ends do not straddle the confidence;
    -- then the same rounds on exact runs, for the confidence alone.
    local a1, a2 = ends[1] and ends[1].x or lo, ends[2] and ends[2].x or hi
    if a1 > a2 then a1, a2 = a2, a1 end
    local w = math.max(a2 - a1, TOL_INTERVAL * math.abs(a2))
    S = search_on(runner, gi)
    S.probe({ math.max(lo, a1 - w), math.min(hi, a2 + w) })
    for _ = 1, 8 do
      local plo, phi = S.points[1], S.points[#S.points]
      local low_ok = (rising and plo.p < conf) or (not rising and plo.p >= conf) or plo.x <= lo
      local high_ok = (rising and phi.p >= conf) or (not rising and phi.p < conf) or phi.x >= hi
      if low_ok and high_ok then break end
      local span = phi.x - plo.x
      local xs = {}
      if not low_ok then xs[#xs + 1] = math.max(lo, plo.x - 2 * span) end
      if not high_ok then xs[#xs + 1] = math.min(hi, phi.x + 2 * span) end
      S.probe(xs)
    end
    converge(false)
  elseif quick then
    -- not met anywhere: the best value's probability as the exact runs give it
    local bx = S.best().x
    S = search_on(runner, gi)
    S.probe({ bx })
  end
  local points = S.points
  local function crossing(t) return crossing_in(points, t) end
  best = S.best()
  local at = crossing(conf)
  local out = {
    goal = goal.name, confidence = conf, vary = var.name, how = var.how, channels = var.channels,
    all_channels = #norm.channels,
    direction = rising and "smallest" or "largest", between = { var.lo, var.hi },
    trials = trials, seed = opts.seed or norm.seed, runs = runner.runs + (quick and quick.runs or 0),
    objective_runs = quick and quick.runs or 0,
    prose = {
      method = decide.prose("plan.method", util.unsigned(trials),
        decide.prose(quick and "plan.method_quick" or "plan.nothing"),
        decide.number(100 * TOL_VALUE, "%.1f"), decide.number(100 * TOL_INTERVAL, "%.1f"),
        decide.prose("plan.method_full_run")),
    },
  }
  if not at then
    out.found = false
    out.best = { value = best.x, probability = best.p }
    out.prose.method[6] = decide.prose("plan.nothing") -- no value found, no run at it
    out.prose.reason = decide.prose("plan.reason_not_found", decide.number(conf), decide.number(var.lo),
      decide.number(var.hi), decide.number(best.p, "%.4g"), decide.number(best.x))
    return { plan = M.in_english(out) }
  end
  out.found = true
  out.value = at.x
  -- met at the end of the bounds searched: the answer may lie beyond it
  if (rising and at.x == lo) or (not rising and at.x == hi) then
    out.at_bound = rising and "lower" or "upper"
    out.prose.reason = decide.prose("plan.reason_at_" .. out.at_bound, decide.number(at.x))
  end
  local lo_end, hi_end = ends[1], ends[2]
  -- the value found by the exact runs lies inside its interval
  if lo_end and (rising and lo_end.x > at.x or not rising and lo_end.x < at.x) then lo_end = at end
  if hi_end and (rising and hi_end.x < at.x or not rising and hi_end.x > at.x) then hi_end = at end
  if rising then
    out.interval = { lo_end and lo_end.x, hi_end and hi_end.x }
  else
    out.interval = { hi_end and hi_end.x, lo_end and lo_end.x }
  end
  -- the value's full run, for the report and the reverse funnel
  local final = var.make(at.x)
  local result = fc.run(final, { trials = opts.trials, seed = opts.seed, threads = opts.threads })
  out.probability = result.goals[gi].probability
  local fnorm = fc.normalize(final)
  out.spend, out.spend_by_channel = decide.spend(fnorm)
  out.periods, out.unit, out.start = fnorm.periods, fnorm.unit, fnorm.start
  out.stages = M.reverse_funnel(fc, final, fnorm, result, goal, runner)
  out.calculator = M.calculator(fnorm, result, goal)
  out.runs = runner.runs + (quick and quick.runs or 0) + 1
  return { plan = M.in_english(out), result = result }
end

----------------------------------------------------------------------------
-- The reverse funnel.

-- Per stage: the median arrivals in each period and over the goal's window
-- (periods goal.from to goal.by), from the value's full run (and, for a
-- window shorter than the horizon, one lean run of the stages' arrivals
-- over it).
function M.reverse_funnel(fc, s, norm, result, goal, runner)
  local per = {}
  for _, ser in ipairs(result.series) do per[ser.name] = ser.periods end
  local window = {}
  if goal.from == 1 and goal.by == norm.periods then
    for _, st in ipairs(result.stages) do window[st.name] = st.total.p50 end
  else
    local extra, n = {}, #(norm.goals or {})
    for k, st in ipairs(norm.stages) do
      extra[n + k] = scenario.goal{ name = "reverse funnel: " .. st.name, metric = st.name, at_least = 0,
        from = goal.from, by = goal.by }
    end
    local ok, with = pcall(function() return s:with{ goals = extra } end)
    if ok then
      local res = runner.run({ with })[1]
      for k, st in ipairs(norm.stages) do window[st.name] = res.goals[n + k].value.p50 end
    end
  end
  local out = {}
  for k, st in ipairs(norm.stages) do
    local row = {}
    for t, stat in ipairs(per[st.name] or {}) do row[t] = stat.p50 end
    out[k] = { stage = st.name, per_period = row, total = { p50 = window[st.name] }, from = goal.from, by = goal.by }
  end
  return out
end

-- The plan's sentences in English, as its JSON holds them (method, reason;
-- the calculator's reason, spend_reason and note), from its prose (kept in
-- out.prose: the reports say it in their language). Returns out.
function M.in_english(out)
  local prose = out.prose
  local calc = out.calculator
  if calc then
    prose.calc_reason, prose.calc_spend_reason, prose.calc_note = calc.why, calc.spend_why, calc.note_why
    calc.why, calc.spend_why, calc.note_why = nil, nil, nil
    calc.reason, calc.spend_reason, calc.note =
      decide.words(nil, prose.calc_reason), decide.words(nil, prose.calc_spend_reason), decide.words(nil, prose.calc_note)
  end
  out.method, out.reason = decide.words(nil, prose.method), decide.words(nil, prose.reason)
  return out
end

-- The arithmetic an analyst does by hand: the goal's target divided by the
-- median rates, stage by stage up from the goal's stage, and the spend at the
-- value's median cost per visitor; nil (and why) when the goal is not a
-- count of a stage or a rate differs by channel.
function M.calculator(norm, result, goal)
  local K = #norm.stages
  local g
  if goal.metric == "new_customers" then g = K end
  for k, st in ipairs(norm.stages) do if st.name == goal.metric then g = k end end
  if not g or goal.op ~= ">=" then
    return { why = decide.prose("plan.calc_not_a_count") }
  end
  local median = {}
  for _, a in ipairs(core.assumptions(norm)) do median[a.path] = a.median or a.mean end
  local need = { [g] = goal.target }
  for k = g, 2, -1 do
    local r = median["funnel." .. norm.stages[k].name .. ".rate"]
    if not r then return { why = decide.prose("plan.calc_by_channel", norm.stages[k].name) } end
    need[k - 1] = r > 0 and need[k] / r or math.huge
  end
  -- over the window; an `every` goal's target is each period's
  local periods = goal.by - goal.from + 1
  if goal.every then
    for k = 1, g do need[k] = need[k] * periods end
  end
  local rows = {}
  for k = 1, g do
    rows[k] = { stage = norm.stages[k].name, total = need[k], per_period = need[k] / periods }
  end
  -- the spend at the value's cost per arrival at the first stage, when every
  -- channel's arrivals enter there
  local cost = result.stages[1].cost.p50
  for _, ch in ipairs(norm.channels) do
    if ch.enters ~= 1 then cost = nil end
  end
  local spend = cost and need[1] * cost
  return { stage = rows, spend = spend, spend_per_period = spend and spend / periods, cost_per_visitor = cost,
    spend_why = not cost and decide.prose("plan.calc_below_first") or nil, note_why = decide.prose("plan.calc_note") }
end

return M
