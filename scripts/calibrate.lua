-- calibrate: last year's counts (a history file, scripts/history.lua) as a
-- plan's assumptions, in the shape s:with{} takes: channels by name (cost
-- per arrival, season), funnel stages by name (rate), customers (churn,
-- arpu, initial, lost) and winback (rate). Every law made here carries its
-- `source` (the counts it came from), which the assumptions list of a
-- result reports. The formulas are in README.md ("Calibrating from history").
local core = ...
local util = core._script("util")
local dist = core._script("dist")
local calendar = core._script("calendar")

local M = {}

local show, finite = util.show, util.finite
local D = dist.constructors

local OPTIONS = { "weight", "months", "lags", "channels", "start" }
local USAGE = "{ weight = , months = { first, last }, lags = { stage = periods }, channels = , start = }"

-- The prior every calibrated rate starts from: beta(1, 1), uniform.
local PRIOR_A, PRIOR_B = 1, 1

local function sum_known(xs)
  local s, n = 0, 0
  for _, x in ipairs(xs) do
    if x ~= nil then s, n = s + x, n + 1 end
  end
  return s, n
end

local function mean_sd(xs)
  local n = #xs
  local m = 0
  for _, x in ipairs(xs) do m = m + x end
  m = m / n
  local v = 0
  for _, x in ipairs(xs) do v = v + (x - m) ^ 2 end
  return m, n > 1 and math.sqrt(v / (n - 1)) or 0
end

-- A short text of a small list of values: { 1, 3 }.
local function show_list(t)
  if not util.is_plain(t) then return show(t) end
  local parts = {}
  for i = 1, math.min(#t, 5) do parts[i] = show(t[i]) end
  return "{ " .. table.concat(parts, ", ") .. (#t > 5 and ", ..." or "") .. " }"
end

-- A lags option { stage = periods }, checked (fail(fmt, ...) raises): the
-- lags, and the stages a row's order check skips (those with a lag: their
-- arrivals come from an earlier row, so they may count more than the stage
-- before them in a row).
function M.read_lags(lags, fail)
  local out, skip = {}, {}
  if lags == nil then return out, skip end
  if not util.is_plain(lags) then fail("lags: expected a table { stage = periods }, got %s", show(lags)) end
  for _, k in ipairs(core._script("object").sorted_keys(lags)) do
    local v = lags[k]
    if type(k) ~= "string" then fail("lags: expected stage names as keys, got %s", show(k)) end
    if math.type(v) ~= "integer" or v < 0 then fail("lags.%s: expected a whole number of periods >= 0, got %s", k, show(v)) end
    out[k], skip[k] = v, v > 0 or nil
  end
  return out, skip
end

-- The options that need no file, checked (before the file is read);
-- fail(fmt, ...) raises at the caller.
local function check_options(opts, fail)
  opts = util.options(fail, opts, OPTIONS, nil, show) or {}
  local o = { weight = 1, channels = opts.channels ~= false }
  if opts.weight ~= nil then
    if not finite(opts.weight) or opts.weight <= 0 or opts.weight > 1 then
      fail("weight: expected a number in (0, 1] (the weight of one period of history), got %s", show(opts.weight))
    end
    o.weight = opts.weight
  end
  if opts.channels ~= nil and type(opts.channels) ~= "boolean" then
    fail("channels: expected true (rates per channel where the file has channel rows) or false, got %s",
      show(opts.channels))
  end
  o.lags, o.skip = M.read_lags(opts.lags, fail)
  if opts.start ~= nil and not calendar.valid("month", opts.start) then
    fail("start: expected the plan's first month as \"YYYY-MM\", got %s", show(opts.start))
  end
  o.start = opts.start
  return o, opts
end

-- The options, checked against the file h too.
local function read_options(opts, h, fail)
  local o
  o, opts = check_options(opts, fail)
  o.first, o.last = 1, #h.labels
  if opts.months ~= nil then
    local m = opts.months
    local function index(v)
      if math.type(v) == "integer" then return v end
      for t, label in ipairs(h.labels) do if label == v then return t end end
      return nil
    end
    local a, b = util.is_plain(m) and index(m[1]), util.is_plain(m) and index(m[2])
    if not (a and b and #m == 2 and 1 <= a and a <= b and b <= #h.labels) then
      fail("months: expected { first, last }, periods of the file (1 to %d, or labels %s to %s), got %s",
        #h.labels, h.labels[1], h.labels[#h.labels], show_list(m))
    end
    o.first, o.last = a, b
  end
  for _, k in ipairs(core._script("object").sorted_keys(o.lags)) do
    local known = false
    for _, st in ipairs(h.stages) do known = known or st == k end
    if not known then
      fail("lags.%s: not a stage column of the file%s (stages: %s)", k, util.suggest(k, h.stages), table.concat(h.stages, ", "))
    end
  end
  if o.start and h.kind ~= "month" then
    fail("start: applies to a file of months, got a file of %s", h.kind == "number" and "numbered periods" or h.kind .. "s")
  end
  return o
end

-- The rows of one series (h.total or a channel's) over the window.
local function rows_of(series, o)
  local out = {}
  for t = o.first, o.last do out[#out + 1] = series[t] or {} end
  return out
end

-- The entry stage of a channel: the first stage its rows count (a number
-- above 0); explicit when the stages above it are written 0 (a cost per
-- lead channel's visitors), else inferred from empty fields.
local function entry_stage(h, rows)
  for k, st in ipairs(h.stages) do
    for _, r in ipairs(rows) do
      if r[st] ~= nil and r[st] > 0 then
        local explicit = k == 1
        for _, q in ipairs(rows) do explicit = explicit or q[h.stages[k - 1]] == 0 end
        return k, explicit
      end
    end
  end
  return nil
end

-- Counts of stage k's arrivals that came from stage k - 1, lag d periods
-- earlier, over the window: successes s (less the arrivals of channels that
-- enter at k, entries[t]) and trials n. Pairs where either count is unknown
-- are left out.
local function stage_counts(h, rows, k, d, entries)
  local prev, cur = h.stages[k - 1], h.stages[k]
  local s, n, used = 0, 0, 0
  for t = 1, #rows - d do
    local from, to = rows[t][prev], rows[t + d][cur]
    if from ~= nil and to ~= nil then
      s, n, used = s + to - (entries and entries[t + d] or 0), n + from, used + 1
    end
  end
  return s, n, used
end

local function window_text(h, o)
  return h.labels[o.first] .. ".." .. h.labels[o.last]
end

-- beta(1 + w s, 1 + w (n - s)) with its source (periods: the window's text).
local function rate_law(h, o, s, n, what, of, periods)
  local law = D.beta(PRIOR_A + o.weight * s, PRIOR_B + o.weight * (n - s))
  return dist.with_source(law, {
    file = h.file, periods = periods or window_text(h, o), successes = s, trials = n, weight = o.weight, what = what,
    of = of,
    text = string.format("%s %s of %s %s", util.show(s), what, util.show(n), of),
  })
end

-- The rate law of the counts of several rate laws (rate_law's, each with its
-- source), pooled: beta(1 + w sum s, 1 + w (sum n - sum s)).
function M.pooled(laws)
  local s, n, src = 0, 0, dist.data(laws[1]).source
  for _, law in ipairs(laws) do
    local x = dist.data(law).source
    s, n = s + x.successes, n + x.trials
  end
  local h = { file = src.file }
  local o = { weight = src.weight }
  return rate_law(h, o, s, n, src.what, src.of, src.periods)
end

-- The season: one multiplier per calendar month, from the channels' log
-- arrivals per unit of spend (each less its own mean): the k deviations of
-- month m average d_m, whose noise is s^2 / k (s^2 the spread of the
-- deviations within months). The true log multipliers are taken as drawn
-- around 0 with a variance tau^2 = max(0, mean d_m^2 - mean s^2 / k) (the
-- spread of the d_m less their noise): each is shrunk toward 1, log g_m =
-- d_m * shrink_m with shrink_m = tau^2 / (tau^2 + s^2 / k) (empirical
-- Bayes: no season in the counts, none in the plan), and the 12 are
-- normalized to mean 1. Returns nil, or the 12 multipliers by calendar
-- month (1 = January) and what the costs' spread needs of the fit: { series
-- = the series it was fitted on, noise = the mean over months of shrink_m /
-- k (the posterior variance of a log multiplier in units of s^2), params =
-- 11/12 of the sum of shrink_m (the multipliers' share of the spread: 11
-- when nothing is shrunk, 0 when all is) }.
local function season_of(h, o, series_list, k_of)
  if h.kind ~= "month" or o.last - o.first + 1 < 12 then return nil end
  local dev = {}
  for m = 1, 12 do dev[m] = {} end
  local used = 0
  for _, e in ipairs(series_list) do
    local rows, k = e.rows, k_of(e)
    local logs, months = {}, {}
    for i, r in ipairs(rows) do
      local x, spend = k and r[h.stages[k]], r.spend
      if x ~= nil and spend ~= nil and x > 0 and spend > 0 then
        logs[#logs + 1], months[#logs + 1] = math.log(x / spend), tonumber(h.labels[o.first + i - 1]:sub(6, 7))
      end
    end
    if #logs >= 12 then
      local mean = mean_sd(logs)
      for i, y in ipairs(logs) do table.insert(dev[months[i]], y - mean) end
      used = used + 1
    end
  end
  local d, ss, count, spread = {}, 0, 0, 0
  for m = 1, 12 do
    local k = #dev[m]
    if k == 0 then return nil end
    d[m] = mean_sd(dev[m])
    for _, y in ipairs(dev[m]) do ss = ss + (y - d[m]) ^ 2 end
    count, spread = count + k, spread + d[m] ^ 2 / 12
  end
  local s2 = ss / math.max(1, count - 11 - used)
  local noise_of = function(m) return s2 / #dev[m] end
  local tau2 = spread
  for m = 1, 12 do tau2 = tau2 - noise_of(m) / 12 end
  tau2 = math.max(0, tau2)
  local g, total, noise, params = {}, 0, 0, 0
  for m = 1, 12 do
    local shrink = tau2 > 0 and tau2 / (tau2 + noise_of(m)) or 0
    g[m] = math.exp(d[m] * shrink)
    total, noise, params = total + g[m], noise + shrink / #dev[m] / 12, params + shrink * 11 / 12
  end
  for m = 1, 12 do g[m] = g[m] * 12 / total end
  return g, { series = used, noise = noise, params = params }
end

-- The 12 multipliers starting at the plan's first month.
local function season_from(g, start_month)
  local out = {}
  for i = 0, 11 do out[i + 1] = g[(start_month - 1 + i) % 12 + 1] end
  return out
end

-- A channel's cost per arrival: the lognormal of its periods' log(spend /
-- arrivals), deseasonalized, whose sigma is their spread s widened by the
-- uncertainty of their mean and of the season's multipliers, and by the
-- uncertainty of s itself: sigma^2 = s^2 (1 + 1 / (w n) + noise) df / (df -
-- 2), where s^2 = SS / df with df = n - 1, or with a season df = n - 1 -
-- params / C (the multipliers fitted on the same C channels' periods took
-- their share of the spread). The spread is a month-to-month one, so the law is drawn
-- each period: drawn once per trial, it would hold a month's luck for the
-- whole year.
local function cost_law(h, o, rows, k, g, fit)
  local ys, spend, arrivals = {}, 0, 0
  local st = h.stages[k]
  for i, r in ipairs(rows) do
    local x = r[st]
    if x ~= nil and r.spend ~= nil and x > 0 and r.spend > 0 then
      local m = g and tonumber(h.labels[o.first + i - 1]:sub(6, 7))
      ys[#ys + 1] = math.log(r.spend / x) + (m and math.log(g[m]) or 0)
      spend, arrivals = spend + r.spend, arrivals + x
    end
  end
  if #ys < 2 then return nil end
  local n = #ys
  local mean, sd = mean_sd(ys)
  local df, widen = n - 1, 1 + 1 / (o.weight * n)
  if g then
    df = math.max(1, n - 1 - fit.params / fit.series)
    widen = widen + fit.noise
  end
  local var = sd * sd * (n - 1) / df
  -- the spread is itself estimated: the variance of Student's t with df
  -- degrees of freedom, df / (df - 2), widens it (3 below 3 degrees)
  local sigma = math.sqrt(var * widen * (df > 3 and df / (df - 2) or 3))
  local median = math.exp(mean)
  local law = sigma > 0 and D.lognormal { median = median, sigma = sigma, each = "period" } or D.fixed(median)
  return dist.with_source(law, {
    file = h.file, periods = window_text(h, o), spend = spend, arrivals = arrivals, months = #ys, weight = o.weight,
    what = st, text = string.format("%s spent for %s %s in %d periods", util.show(spend), util.show(arrivals), st, #ys),
  })
end

-- calibrate from a parsed history h (scripts/history.lua) and options;
-- fail(fmt, ...) raises at the caller; plan_enters (optional: the
-- backtest's) gives each channel's entry stage index as the plan has it.
-- Returns the with{} table and a list of notes (what the file could not
-- inform).
function M.from_history(h, opts, fail, plan_enters)
  local o = read_options(opts, h, fail)
  local over, notes = {}, {}
  local total = rows_of(h.total, o)
  -- channels: entry stage, cost, and their arrivals at the stage they enter
  local chans = {}
  local entered_first = false
  for _, name in ipairs(h.channels) do
    local rows = rows_of(h.by_channel[name], o)
    local k, explicit = entry_stage(h, rows)
    if plan_enters and plan_enters[name] then k, explicit = plan_enters[name], true end
    chans[#chans + 1] = { name = name, rows = rows, k = k, explicit = explicit }
    entered_first = entered_first or k == 1
  end
  -- the totals count first-stage arrivals no channel row does: the channels
  -- whose first-stage fields are empty brought them, uncounted
  local first_total = 0
  for _, r in ipairs(total) do first_total = first_total + (r[h.stages[1]] or 0) end
  if not entered_first and first_total > 0 then
    for _, c in ipairs(chans) do if not c.explicit then c.k = 1 end end
  end
  local entries = {} -- [k][t]: arrivals of channels entering at stage k > 1
  for _, c in ipairs(chans) do
    if c.k and c.k > 1 then
      entries[c.k] = entries[c.k] or {}
      for t, r in ipairs(c.rows) do entries[c.k][t] = (entries[c.k][t] or 0) + (r[h.stages[c.k]] or 0) end
    end
  end
  -- the season
  local g, fit
  if #chans > 0 then
    g, fit = season_of(h, o, chans, function(e) return e.k end)
  else
    g, fit = season_of(h, o, { { rows = total } }, function() return 1 end)
  end
  local start_month
  if g then
    local start = o.start or (h.labels[o.last + 1] or calendar.label("month", h.labels[o.last], 2))
    start_month = tonumber(start:sub(6, 7))
  end
  -- costs per arrival and seasons, by channel
  if #chans > 0 then
    over.channels = {}
    for _, c in ipairs(chans) do
      local ch = {}
      local law = c.k and cost_law(h, o, c.rows, c.k, g, fit)
      if law then
        if c.k == 1 then ch.cpc = law else ch.cpl, ch.enters = law, h.stages[c.k] end
      else
        notes[#notes + 1] = string.format("channels.%s: fewer than 2 periods with spend and arrivals: its cost is not calibrated", c.name)
      end
      if g then ch.season = season_from(g, start_month) end
      if next(ch) then over.channels[c.name] = ch end
    end
  else
    notes[#notes + 1] = "the file has no channel rows: channel costs and the season are not calibrated"
  end
  -- stage rates: of the totals, and per channel where the file has channels
  over.funnel = {}
  for k = 2, #h.stages do
    local st, d = h.stages[k], o.lags[h.stages[k]] or 0
    local s, n = stage_counts(h, total, k, d, entries[k])
    -- per channel, and their sum where the totals do not count the stage
    local own, sum_s, sum_n = {}, 0, 0
    if o.channels then
      for _, c in ipairs(chans) do
        if c.k and c.k < k then
          local cs, cn = stage_counts(h, c.rows, k, d)
          if cn > 0 and cs >= 0 and cs <= cn then
            own[c.name] = rate_law(h, o, cs, cn, st, h.stages[k - 1])
            sum_s, sum_n = sum_s + cs, sum_n + cn
          end
        end
      end
    end
    if n == 0 and sum_n > 0 then s, n = sum_s, sum_n end
    if n > 0 and s >= 0 and s <= n then
      local rate = rate_law(h, o, s, n, st, h.stages[k - 1])
      if next(own) then
        own.default = rate
        over.funnel[st] = { rate = own }
      else
        over.funnel[st] = { rate = rate }
      end
    elseif n > 0 then
      fail("%s: stage %s: %s arrivals from %s %s over %s (more than there were)%s", h.file, st, show(s),
        show(n), h.stages[k - 1], window_text(h, o),
        d == 0 and string.format("; if they arrive later, give lags = { %s = periods }", st) or "")
    else
      notes[#notes + 1] = string.format("funnel.%s: no periods with both %s and %s counts: its rate is not calibrated",
        st, h.stages[k - 1], st)
    end
  end
  -- the units on their way when the plan starts: a stage given a lag d
  -- converts the stage before's last d periods of the window
  for k = 2, #h.stages do
    local d, prev = o.lags[h.stages[k]] or 0, h.stages[k - 1]
    if d > 0 then
      local before = {}
      for t = o.last - d + 1, o.last do
        local x = nil
        if t >= 1 then x = (h.total[t] or {})[prev] end
        if x == nil then before = nil break end
        before[#before + 1] = x
      end
      if before then
        over.funnel[prev] = over.funnel[prev] or {}
        over.funnel[prev].before = before
      else
        notes[#notes + 1] = string.format("funnel.%s.before: the last %d periods' %s are not all known: the plan "
          .. "starts without them on their way to %s", prev, d, prev, h.stages[k])
      end
    end
  end
  -- churn, win-back, arpu and the starting state
  local last = h.stages[#h.stages]
  local cu, cs, cn, ws, wn = {}, 0, 0, 0, 0
  local arpus = {}
  for t = o.first, o.last do
    local r, p = h.total[t] or {}, t > 1 and h.total[t - 1] or {}
    local new = r[last]
    local a_prev = p.active
    if a_prev == nil and r.active and new and r.won_back and r.churned then
      a_prev = r.active - new - r.won_back + r.churned
    end
    if r.churned ~= nil and a_prev ~= nil then cs, cn = cs + r.churned, cn + a_prev end
    local l_prev = p.lost
    if l_prev == nil and r.lost and r.churned and r.won_back then l_prev = r.lost - r.churned + r.won_back end
    if r.won_back ~= nil and l_prev ~= nil then ws, wn = ws + r.won_back, wn + l_prev end
    if r.revenue ~= nil and r.active ~= nil and r.active > 0 then arpus[#arpus + 1] = r.revenue / r.active end
  end
  if cn > 0 and cs <= cn then cu.churn = rate_law(h, o, cs, cn, "churned", "active") end
  if #arpus > 0 then
    local logs = {}
    for i, a in ipairs(arpus) do logs[i] = math.log(a) end
    local mean, sd = mean_sd(logs)
    local sigma = sd * math.sqrt(1 + 1 / (o.weight * #logs))
    local law = sigma > 1e-12 and D.lognormal { median = math.exp(mean), sigma = sigma } or D.fixed(math.exp(mean))
    cu.arpu = dist.with_source(law, { file = h.file, periods = window_text(h, o), months = #arpus,
      text = string.format("revenue / active in %d periods", #arpus) })
  end
  local final = h.total[o.last] or {}
  cu.initial, cu.lost = final.active, final.lost
  if next(cu) then over.customers = cu end
  if wn > 0 and ws <= wn then over.winback = { rate = rate_law(h, o, ws, wn, "won back", "lost") } end
  if next(over.funnel) == nil then over.funnel = nil end
  return over, notes
end

-- calibrate(text, path, opts [, where]): from a history file's text (the
-- sandbox read it); where ("file:line" of the call) prefixes argument errors.
function M.calibrate(text, path, opts, where)
  local function fail(fmt, ...)
    error(string.format("%scalibrate %s: " .. fmt, where and where .. ": " or "", show(path), ...), 0)
  end
  local h = core._script("history").parse(text, path, { skip_order = check_options(opts, fail).skip,
    lag_hint = "calibrate" })
  return (M.from_history(h, opts, fail))
end

return M
