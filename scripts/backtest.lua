-- backtest: how well the method would have forecast known months. FILE
-- gives the plan's structure; its assumptions the history informs are
-- replaced by their calibration on the first `train` periods
-- (scripts/calibrate.lua); those periods are then taken as observed
-- (scripts/actuals.lua: the state at the end of training, units in the
-- sales cycle included) and the next `test` periods simulated with the
-- history's spend. The result says, per series, how often the actual
-- figures fell in the forecast's P10-P90 and P25-P75, and the mean absolute
-- error of the median.
local core = ...
local util = core._script("util")
local scenario = core._script("scenario")
local actuals = core._script("actuals")
local calibrate = core._script("calibrate")

local M = {}

-- An interval's coverage is "far" from nominal when it is off by more than
-- this much, or two binomial standard errors if more.
local FAR = 0.1

local function whole(name, text, lo)
  local n = math.tointeger(tonumber(text))
  if not n or n < lo then
    error(string.format("backtest: --%s %s: expected a whole number of periods >= %d", name, tostring(text), lo), 0)
  end
  return n
end

-- The lag of each stage with one lag (calibrate pairs its counts so).
local function lags_of(norm)
  local out = {}
  for k = 2, #norm.stages do out[norm.stages[k].name] = actuals.single_lag(norm.stages[k].lags) end
  return out
end

-- The calibration fitted to the plan's structure: its channels' own cost
-- field (cpc or cpl), the stages it enters, responses it cannot fit left
-- as they are.
local function fit_to(over, spec)
  for name, ch in pairs(over.channels or {}) do -- the file's channels are the plan's (actuals.read)
    local law = ch.cpc or ch.cpl
    ch.cpc, ch.cpl, ch.enters = nil, nil, nil
    local own = spec.channels[name]
    if law then
      if own.cpc ~= nil then ch.cpc = law elseif own.cpl ~= nil then ch.cpl = law end
    end
  end
  -- each stage's rate in the plan's shape (its correlations name its laws):
  -- one law stays one law (the totals'); a table by channel keeps its keys,
  -- its default pooled from the channels it serves
  for _, st in ipairs(spec.funnel or {}) do
    local o = over.funnel and over.funnel[st[1]]
    if o and util.is_plain(o.rate) then
      if not util.is_plain(st.rate) then
        o.rate = o.rate.default
      else
        local shaped, pooled = {}, {}
        for name in pairs(spec.channels) do
          if st.rate[name] ~= nil then shaped[name] = o.rate[name] elseif o.rate[name] then pooled[#pooled + 1] = o.rate[name] end
        end
        shaped.default = #pooled > 0 and calibrate.pooled(pooled) or o.rate.default
        o.rate = shaped
      end
    end
  end
  -- the starting state is the first training period's; the observed rows set it after
  if over.customers then over.customers.initial, over.customers.lost = nil, nil end
  for _, f in pairs(over.funnel or {}) do f.before = nil end
  return over
end

-- A plan's per-period list (spend, season) over n periods: its own values,
-- repeated.
local function cycled(v, n)
  if type(v) ~= "table" then return v end
  local out = {}
  for t = 1, n do out[t] = v[(t - 1) % #v + 1] end
  return out
end

local function coverage_of(points)
  local in80, in50, err, n = 0, 0, 0, #points
  for _, p in ipairs(points) do
    if p.actual >= p.p10 and p.actual <= p.p90 then in80 = in80 + 1 end
    if p.actual >= p.p25 and p.actual <= p.p75 then in50 = in50 + 1 end
    err = err + math.abs(p.actual - p.p50)
  end
  return { p10_p90 = in80 / n, p25_p75 = in50 / n }, err / n
end

-- "overconfident" (the intervals too narrow), "underconfident" (too wide)
-- or "calibrated", from the P10-P90 coverage of n points.
local function verdict(c, n)
  local far = math.max(FAR, 2 * math.sqrt(0.8 * 0.2 / n))
  if c < 0.8 - far then return "overconfident" end
  if c > 0.8 + far then return "underconfident" end
  return "calibrated"
end

-- backtest FILE --history CSV --train N --test M. own: the command's own
-- options ({ history =, train =, test = } as written).
function M.run(fc, s, own, run_opts)
  if not own.history then error("backtest: --history CSV is required (the months to calibrate on and test)", 0) end
  if not own.train then error("backtest: --train N is required (the periods to calibrate on)", 0) end
  if not own.test then error("backtest: --test M is required (the periods after them to forecast)", 0) end
  local N, Mt = whole("train", own.train, 2), whole("test", own.test, 1)
  local norm0 = fc.normalize(s)
  local h = actuals.read(own.history, norm0)
  local problem = actuals.kind_problem(h, norm0)
  if problem then error(string.format("%s:%d: period: %s", h.file, h.line.first or 2, problem), 0) end
  if N + Mt > #h.labels then
    error(string.format("backtest: --train %d --test %d: expected at most %d periods in all, the file's %s to %s",
      N, Mt, #h.labels, h.labels[1], h.labels[#h.labels]), 0)
  end
  local n = N + Mt
  local start = (h.kind == "month" or h.kind == "day") and h.labels[1] or nil
  if h.kind == "week" then start = h.date and h.date[1] end
  local function fail(fmt, ...) error(string.format("backtest: " .. fmt, ...), 0) end
  -- the plan's lags of the stages the file counts, and its channels' entry stages
  local lags, in_file, enters = {}, {}, {}
  for _, st in ipairs(h.stages) do in_file[st] = true end
  for name, lag in pairs(lags_of(norm0)) do if in_file[name] then lags[name] = lag end end
  for _, ch in ipairs(norm0.channels) do
    local k = 0
    for j, st in ipairs(h.stages) do if st == norm0.stages[ch.enters].name then k = j end end
    if k > 0 then enters[ch.name] = k end
  end
  local over, notes = calibrate.from_history(h, { months = { 1, N }, lags = lags,
    start = h.kind == "month" and start or nil }, fail, enters)
  local last = norm0.stages[#norm0.stages].name
  local a0, l0 = actuals.start_stocks(h, last)
  local reshaped = scenario._reshape(s, function(spec)
    fit_to(over, spec)
    spec.periods, spec.start, spec.goals = n, start, nil
    for _, ch in pairs(spec.channels or {}) do
      ch.spend, ch.season = cycled(ch.spend, n), cycled(ch.season, n)
    end
    spec.customers = spec.customers or {}
    if a0 then spec.customers.initial = a0 end
    if l0 then spec.customers.lost = l0 end
  end)
  local calibrated = scenario._derive(reshaped, over, scenario._origin("backtest"))
  local norm = fc.normalize(calibrated)
  actuals.spend(h, norm, n, notes)
  norm.observed = actuals.observed(h, norm, N)
  local r = core.run(norm, run_opts)
  local by = {}
  for _, sr in ipairs(r.series) do by[sr.name] = sr end
  local series, all = {}, {}
  for _, name in ipairs(actuals.series_names(norm)) do
    local points = {}
    for t = N + 1, n do
      local x = (h.total[t] or {})[name]
      local st = by[name] and by[name].periods[t]
      if x ~= nil and st then
        points[#points + 1] = { period = t, label = h.labels[t], actual = x, p10 = st.p10, p25 = st.p25, p50 = st.p50,
          p75 = st.p75, p90 = st.p90 }
        all[#all + 1] = points[#points]
      end
    end
    if #points > 0 then
      local cov, mae = coverage_of(points)
      series[#series + 1] = { name = name, coverage = cov, mae = mae, points = points,
        verdict = verdict(cov.p10_p90, #points) }
    end
  end
  if #all == 0 then
    error(string.format("backtest: %s: no figures of the %d test periods (%s to %s) to compare", own.history, Mt,
      h.labels[N + 1], h.labels[n]), 0)
  end
  local cov = coverage_of(all)
  local list = core._script("assumptions").list(norm)
  return {
    scenario = r.scenario, trials = r.trials, seed = r.seed, unit = r.unit,
    backtest = { history = own.history, train = N, test = Mt, train_periods = { h.labels[1], h.labels[N] },
      test_periods = { h.labels[N + 1], h.labels[n] }, coverage = cov, points = #all,
      verdict = verdict(cov.p10_p90, #all), series = series, notes = notes },
    assumptions = list, result = r,
  }
end

return M
