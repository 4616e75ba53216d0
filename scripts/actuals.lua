-- actuals: re-forecasting a plan with the months done so far (run
-- --actuals FILE, and the backtest's training months). The observed months
-- are taken as they were (norm.observed: core/model.h fc_observed), the
-- rest simulated from the state they leave, and every assumption the
-- months inform is updated by what they say: a beta rate by its binomial
-- counts exactly (conjugate), any other law by importance weights of its
-- prior draws (the posterior then the law of the field's family fitted to
-- the weighted draws). README.md ("Tracking the year") states the rules.
local core = ...
local util = core._script("util")
local dist = core._script("dist")
local calendar = core._script("calendar")

local M = {}

local show = util.show

-- Prior draws weighed by the likelihood of what was observed.
local IS_DRAWS = 20000
-- An effective sample size below this is reported as a warning.
local ESS_WARN = 200
-- Below this, the weighted draws cannot show a posterior: not updated.
local ESS_MIN = 20
-- The seed of the prior draws (their own stream: the run's are untouched).
local IS_SEED = 20270101

local function stage_names(norm)
  local out = {}
  for k, st in ipairs(norm.stages) do out[k] = st.name end
  return out
end

-- The one lag of a stage (its lag list has one positive entry), or nil.
function M.single_lag(lags)
  local lag
  for j, p in ipairs(lags or { 1 }) do
    if p > 0 then
      if lag then return nil end
      lag = j - 1
    end
  end
  return lag
end

-- The stages a row's order check skips: those with a delay (their arrivals
-- come from an earlier period's) and those some channel enters.
local function skip_order(norm)
  local skip = {}
  for k, st in ipairs(norm.stages) do
    if k > 1 and M.single_lag(st.lags) ~= 0 then skip[st.name] = true end
  end
  for _, ch in ipairs(norm.channels) do
    if ch.enters and ch.enters > 1 then skip[norm.stages[ch.enters].name] = true end
  end
  return skip
end

-- Reads the history file at path for normalized scenario norm, checking
-- its stages and channels against the scenario's.
function M.read(path, norm, allow_empty)
  local history = core._script("history")
  local h = history.read(path, { stages = stage_names(norm), skip_order = skip_order(norm), allow_empty = allow_empty })
  local names = {}
  for c, ch in ipairs(norm.channels) do names[c] = ch.name end
  for _, name in ipairs(h.channels) do
    local known = false
    for _, n in ipairs(names) do known = known or n == name end
    if not known then
      local line
      for t = 1, #h.labels do line = line or (h.line.by_channel[name] or {})[t] end
      error(string.format("%s:%d: channel: '%s' is not a channel of the scenario (channels: %s)%s", path, line or 1,
        name, table.concat(names, ", "), util.suggest(name, names)), 0)
    end
  end
  return h
end

-- Why the file's kind of period cannot be the scenario's unit, or nil.
function M.kind_problem(h, norm)
  if h.kind ~= "number" and h.kind ~= norm.unit then
    return string.format("the file's periods are %ss (%s), the scenario's %ss", h.kind, h.labels[1], norm.unit)
  end
end

-- The scenario's period of the file's row t (1-based), or nil and why.
local function period_of(h, t, norm)
  local label = h.labels[t]
  if h.kind == "number" then return math.tointeger(tonumber(label)) end
  local unit = norm.unit
  local problem = M.kind_problem(h, norm)
  if problem then return nil, problem end
  if not norm.start then
    return nil, string.format("the file names its periods (%s): the scenario needs start = ... to place them", label)
  end
  return calendar.period_of(unit, norm.start, h.date and h.date[t] or label)
end

-- The file's rows as the scenario's periods 1..P: the first row must be
-- period first (1 for actuals: the months done so far).
function M.align(h, norm, first)
  if #h.labels == 0 then return 0 end
  local p1, why = period_of(h, 1, norm)
  if not p1 then error(string.format("%s:%d: period: %s", h.file, h.line.first or 2, why), 0) end
  if p1 ~= first then
    local expected = norm.start and calendar.label(norm.unit, norm.start, first) or tostring(first)
    error(string.format("%s:%d: period: expected the first row to be the scenario's period %s (%s), got %s",
      h.file, h.line.first or 2, tostring(first), expected, h.labels[1]), 0)
  end
  return #h.labels
end

-- norm.observed of the file's first P rows (lists of P values, -1 unknown),
-- or nil when the file knows none of the counts.
function M.observed(h, norm, P)
  local function list(get)
    local out = {}
    for t = 1, P do
      local v = get(t)
      out[t] = v == nil and -1 or v
    end
    return out
  end
  local obs = { periods = P, stage = {}, channel = {} }
  for k, st in ipairs(norm.stages) do
    obs.stage[k] = list(function(t) return (h.total[t] or {})[st.name] end)
  end
  for c, ch in ipairs(norm.channels) do
    local rows = h.by_channel[ch.name]
    if rows then
      obs.channel[c] = {}
      for k, st in ipairs(norm.stages) do
        obs.channel[c][k] = list(function(t) return (rows[t] or {})[st.name] end)
      end
    end
  end
  for _, f in ipairs(core._script("history").CUSTOMER_COLUMNS) do
    obs[f] = list(function(t) return (h.total[t] or {})[f] end)
  end
  -- a file that knows none of these observes nothing: the plan runs as it is
  local function known(x)
    if type(x) == "table" then
      for _, v in pairs(x) do if known(v) then return true end end
      return false
    end
    return x ~= -1
  end
  for k, v in pairs(obs) do
    if k ~= "periods" and known(v) then return obs end
  end
  return nil
end

-- The observed spend replaces the plan's in the first P periods: a
-- channel's own where the file has channel rows, the total where the
-- scenario has one channel. Returns the notes.
function M.spend(h, norm, P, notes)
  for _, ch in ipairs(norm.channels) do
    local rows = h.by_channel[ch.name] or (#norm.channels == 1 and h.total) or nil
    for t = 1, P do
      local x = rows and rows[t] and rows[t].spend
      if x ~= nil then ch.spend[t] = x + 0.0 end
    end
  end
  if #h.channels == 0 and #norm.channels > 1 then
    notes[#notes + 1] = "the file has no channel rows: the plan's spend per channel is kept for the observed periods"
  end
end

-- Counts -------------------------------------------------------------------

local function get(rows, t, f)
  local r = rows and rows[t]
  return r and r[f]
end

-- With a spread-out delay, a period's arrivals are compared with the units
-- of the stage before that could have made them (each weighted by the
-- delay's chance of landing then), in the periods where less than this
-- share of the delay falls before the file's first period.
local LAG_BEFORE = 0.05

-- What the observed periods say about stage k's rate, for the channels in
-- chans (indices; the rows of each: by channel where the file has them,
-- else the total's when chans holds every channel). Returns successes and
-- trials (exposure-weighted for a lag distribution), or nil; fail(fmt, ...)
-- raises when the file's counts cannot have come from one rate.
local function stage_evidence(h, norm, P, k, chans, entering, fail)
  local st, prev = norm.stages[k], norm.stages[k - 1]
  local lags = st.lags or { 1 }
  local d = M.single_lag(lags)
  local cdf = {} -- cdf[j]: the chance of a lag of at most j
  local acc = 0
  for j = 1, P do
    acc = acc + (lags[j] or 0)
    cdf[j - 1] = math.min(acc, 1)
  end
  local series = {}
  if #chans == #norm.channels and (#h.channels == 0 or #chans == 0) then
    series[1] = { rows = h.total, entries = entering }
  else
    for _, c in ipairs(chans) do
      local rows = h.by_channel[norm.channels[c].name]
      if not rows then return nil end
      if norm.channels[c].enters < k then series[#series + 1] = { rows = rows } end
    end
  end
  local s, n = 0, 0
  for _, e in ipairs(series) do
    if e.entries and e.entries.unknown then return nil end
    for t = 1, P do
      if d then
        local from, to = get(e.rows, t - d, prev.name), get(e.rows, t, st.name)
        if t - d >= 1 and from ~= nil and to ~= nil then
          s, n = s + to - (e.entries and e.entries[t] or 0), n + from
        end
      elseif 1 - cdf[t - 1] < LAG_BEFORE then
        -- period t: its arrivals against the units before that could have made them
        local to, exposure = get(e.rows, t, st.name), 0
        for j = 0, t - 1 do
          local from = get(e.rows, t - j, prev.name)
          local pj = lags[j + 1] or 0
          if pj > 0 and from == nil then exposure = nil break end
          if pj > 0 then exposure = exposure + from * pj end
        end
        if to ~= nil and exposure then s, n = s + to - (e.entries and e.entries[t] or 0), n + exposure end
      end
    end
  end
  if n <= 0 or s < 0 then return nil end
  if s > n then
    fail("stage %s: %s arrivals from %s %s (more than there were)%s", st.name, show(s), show(n), prev.name,
      d and "" or ", the delay's share counted")
  end
  return s, n
end

-- Arrivals of channels that enter at stage k (k > 1), per period, from the
-- channel rows; unknown = true when such a channel has no rows.
local function entries_at(h, norm, P, k)
  local e, any = {}, false
  for _, ch in ipairs(norm.channels) do
    if ch.enters == k then
      any = true
      local rows = h.by_channel[ch.name]
      if not rows then return { unknown = true } end
      for t = 1, P do e[t] = (e[t] or 0) + (get(rows, t, norm.stages[k].name) or 0) end
    end
  end
  return any and e or nil
end

-- Updates ------------------------------------------------------------------

-- The beta posterior of a beta prior (a, b) after s successes in n trials.
local function conjugate(prior, s, n)
  local a, b = prior.a + s, prior.b + (n - s)
  local post = dist.plain(dist.constructors.beta(a, b))
  return post
end

-- Weighted mean and variance.
local function weighted(xs, ws, f)
  local sw, m = 0, 0
  for i, x in ipairs(xs) do sw, m = sw + ws[i], m + ws[i] * f(x) end
  m = m / sw
  local v = 0
  for i, x in ipairs(xs) do v = v + ws[i] * (f(x) - m) ^ 2 end
  return m, v / sw
end

-- Importance weighting of prior draws by loglik; the posterior is the law
-- of the field's family fitted to the weighted draws (beta by its mean and
-- variance for a probability, lognormal by the log-draws' for a positive
-- amount, normal otherwise). Returns the posterior's data and the ESS.
local function importance(param, loglik)
  local draws = core.sample(dist.plain(param) or param, IS_DRAWS, IS_SEED)
  local lw, top = {}, -math.huge
  for i, x in ipairs(draws) do
    if param.clip then
      if param.domain == "probability" then x = math.min(math.max(x, 0), 1) end
      if param.domain == "positive" or param.domain == "nonneg" then x = math.max(x, 1e-300) end
      draws[i] = x
    end
    lw[i] = loglik(x)
    if lw[i] > top then top = lw[i] end
  end
  if top == -math.huge then return nil end
  local ws, sw, sw2 = {}, 0, 0
  for i, l in ipairs(lw) do
    ws[i] = math.exp(l - top)
    sw, sw2 = sw + ws[i], sw2 + ws[i] * ws[i]
  end
  local ess = sw * sw / sw2
  if ess < ESS_MIN then return nil, ess end
  local D = dist.constructors
  local post
  if param.domain == "probability" or param.domain == "fraction" then
    local m, v = weighted(draws, ws, function(x) return x end)
    local c = m * (1 - m) / math.max(v, 1e-300) - 1
    if not (c > 0 and m > 0 and m < 1) then return nil end
    post = D.beta(m * c, (1 - m) * c)
  elseif param.domain == "positive" then
    local m, v = weighted(draws, ws, math.log)
    post = v > 0 and D.lognormal { median = math.exp(m), sigma = math.sqrt(v) } or D.fixed(math.exp(m))
  else
    local m, v = weighted(draws, ws, function(x) return x end)
    post = v > 0 and D.normal { mean = m, sd = math.sqrt(v) } or D.fixed(m)
  end
  return dist.plain(post), ess
end

local function binomial_loglik(s, n)
  return function(p)
    if p <= 0 then return s == 0 and 0 or -math.huge end
    if p >= 1 then return s == n and 0 or -math.huge end
    return s * math.log(p) + (n - s) * math.log(1 - p)
  end
end

-- Every parameter table of norm whose path is path.
local function params_at(norm, path)
  local out, seen = {}, {}
  local function walk(t)
    if type(t) ~= "table" or seen[t] then return end
    seen[t] = true
    if t.path == path and type(t.kind) == "string" then out[#out + 1] = t return end
    for _, v in pairs(t) do walk(v) end
  end
  walk(norm)
  return out
end

-- Replaces, everywhere in norm, the law at path by post (keeping the
-- field's path, domain and clip).
local function replace(norm, path, post)
  for _, p in ipairs(params_at(norm, path)) do
    local keep = { path = p.path, domain = p.domain, clip = p.clip }
    for k in pairs(p) do p[k] = nil end
    for k, v in pairs(post) do p[k] = v end
    for k, v in pairs(keep) do p[k] = v end
  end
end

-- Updates the assumption param (of norm) by successes s of n trials.
-- Returns the update's record, or nil when it is not updated.
local function update_rate(norm, param, s, n, what)
  if param.kind == "fixed" or param.each == "period" then return nil end
  local rec = { observed = { successes = s, trials = n, text = what } }
  local post, ess
  if param.kind == "beta" and not param.clip then
    post, rec.method = conjugate(param, s, n), "conjugate"
  else
    post, ess = importance(param, binomial_loglik(s, n))
    rec.method, rec.ess = "importance", ess
  end
  if not post then return nil, ess end
  replace(norm, param.path, post)
  return rec
end

-- The cost per arrival of a cost-response channel (cpc or cpl), by the
-- Poisson likelihood of its observed arrivals given its spend, season and
-- carry-over (organic and adstock fixed, else it is not updated).
local function update_cost(norm, c, h, P)
  local ch = norm.channels[c]
  local cost = ch.cost
  if ch.response ~= "cost" or not cost or cost.kind == "fixed" or cost.each == "period" then return nil end
  if (ch.adstock and ch.adstock.kind ~= "fixed") or (ch.organic and ch.organic.kind ~= "fixed") then return nil end
  local rows = h.by_channel[ch.name]
  local alone = true
  for i, other in ipairs(norm.channels) do alone = alone and (i == c or other.enters ~= ch.enters) end
  -- the total rows count only this channel at its stage when it is the one
  -- channel there and nothing flows into that stage from above
  if not rows and alone and ch.enters == 1 then rows = h.total end
  if not rows then return nil end
  local stage = norm.stages[ch.enters].name
  local theta = ch.adstock and ch.adstock.value or 0
  local organic = ch.organic and ch.organic.value or 0
  local eff, season, xs, total, arrivals = {}, {}, {}, 0, 0
  local e = 0
  for t = 1, P do
    e = ch.spend[t] + theta * e
    local x = get(rows, t, stage)
    if x ~= nil then
      eff[#eff + 1], season[#xs + 1], xs[#xs + 1] = e, ch.season[t], x
      total, arrivals = total + ch.spend[t], arrivals + x
    end
  end
  if #xs == 0 then return nil end
  local function loglik(v)
    local l = 0
    for i, x in ipairs(xs) do
      local lambda = (eff[i] / v + organic) * season[i] -- as the engine draws them
      if lambda <= 0 then
        if x > 0 then return -math.huge end
      else
        l = l + x * math.log(lambda) - lambda
      end
    end
    return l
  end
  local post, ess = importance(cost, loglik)
  if not post then return nil, ess end
  replace(norm, cost.path, post)
  return { method = "importance", ess = ess,
    observed = { spend = total, arrivals = arrivals, months = #xs,
      text = string.format("%s %s for %s spent in %d periods", show(arrivals), stage, show(total), #xs) } }
end

-- The stocks before a file's first row, from the row by the balance
-- active = before - churned + won back + new (new: the last stage's
-- arrivals) and lost = before + churned - won back; nil where unknown.
function M.start_stocks(h, last_stage)
  local r = h.total[1] or {}
  local a, l
  if r.active and r.churned and r.won_back and r[last_stage] then a = r.active + r.churned - r.won_back - r[last_stage] end
  if r.lost and r.churned and r.won_back then l = r.lost - r.churned + r.won_back end
  return a and a >= 0 and a or nil, l and l >= 0 and l or nil
end

-- The stocks before period t (1-based) of the observed rows: active and
-- lost, from the row before, else from the scenario's start (t = 1).
local function stocks_before(h, norm, t)
  if t == 1 then return norm.customers.initial, norm.customers.lost end
  local r = h.total[t - 1] or {}
  return r.active, r.lost
end

-- Updates every assumption the observed periods inform (in norm, which is
-- changed); returns { [path] = { method, ess, observed } } and adds notes.
function M.update(norm, h, P, notes)
  local updates = {}
  local function record(param, rec, ess)
    if rec then
      updates[param.path] = rec
    elseif ess then
      notes[#notes + 1] = string.format("%s: not updated: the importance weights' effective sample size is %.1f of %d "
        .. "draws (the observed periods say far more than the prior's draws can show; a law closer to them would)",
        param.path, ess, IS_DRAWS)
    end
  end
  -- stage rates
  for k = 2, #norm.stages do
    local st = norm.stages[k]
    local entering = entries_at(h, norm, P, k)
    local groups, order = {}, {}
    local by = st.rate_by_channel
    if by and #by > 0 then
      for c, p in ipairs(by) do
        if not groups[p.path] then groups[p.path], order[#order + 1] = { param = p, chans = {} }, p.path end
        table.insert(groups[p.path].chans, c)
      end
    else
      local all = {}
      for c = 1, #norm.channels do all[c] = c end
      groups[st.rate.path], order[1] = { param = st.rate, chans = all }, st.rate.path
    end
    for _, path in ipairs(order) do
      local g = groups[path]
      local s, n = stage_evidence(h, norm, P, k, g.chans, entering, function(fmt, ...)
        error(string.format("%s: " .. fmt, h.file, ...), 0)
      end)
      if s then
        record(g.param, update_rate(norm, g.param, s, n,
          string.format("%s %s of %s %s", show(s), st.name, show(n), norm.stages[k - 1].name)))
      elseif g.param.kind ~= "fixed" then
        notes[#notes + 1] = string.format("%s: the file's counts do not inform it (no paired %s and %s counts%s%s)",
          path, norm.stages[k - 1].name, st.name, #h.channels == 0 and #g.chans < #norm.channels and " by channel" or "",
          M.single_lag(st.lags or { 1 }) == nil and string.format(" in a period whose %s the file's earlier periods "
            .. "account for: with the delay, more than %d%% come from before the file", st.name, LAG_BEFORE * 100)
            or "")
      end
    end
  end
  -- churn and win-back: their binomials over the stocks before each period
  local cs, cn, ws, wn = 0, 0, 0, 0
  for t = 1, P do
    local r = h.total[t] or {}
    local a, l = stocks_before(h, norm, t)
    if r.churned and a then cs, cn = cs + r.churned, cn + a end
    if r.won_back and l then ws, wn = ws + r.won_back, wn + l end
  end
  local cu = norm.customers
  if cu.churn and cn > 0 and cs <= cn then
    record(cu.churn, update_rate(norm, cu.churn, cs, cn, string.format("%s churned of %s active", show(cs), show(cn))))
  end
  if norm.winback and wn > 0 and ws <= wn then
    record(norm.winback.rate, update_rate(norm, norm.winback.rate, ws, wn,
      string.format("%s won back of %s lost", show(ws), show(wn))))
  end
  -- channel costs
  for c, ch in ipairs(norm.channels) do
    if ch.cost then record(ch.cost, update_cost(norm, c, h, P)) end
  end
  for path, u in pairs(updates) do
    if u.ess and u.ess < ESS_WARN then
      notes[#notes + 1] = string.format("%s: the importance weights' effective sample size is %.0f of %d draws: "
        .. "the posterior is rough (the observed periods say much more than the prior)", path, u.ess, IS_DRAWS)
    end
  end
  return updates
end

-- The prior statistics of each updated assumption, from the plain run's list.
local function with_priors(list, prior_list, updates)
  local prior = {}
  for _, a in ipairs(prior_list) do prior[a.path] = a end
  for _, a in ipairs(list) do
    local p = prior[a.path]
    if p then a.prior = { law = p.law, mean = p.mean, p5 = p.p5, p95 = p.p95 } end
    local u = updates[a.path]
    a.update = u and u.method or "none"
    a.ess, a.observed = u and u.ess, u and u.observed
  end
  return list
end

-- The series a history file and a run share: each stage's arrivals, then
-- the customers' series (scripts/history.lua's CUSTOMER_COLUMNS).
function M.series_names(norm)
  local names = stage_names(norm)
  for _, f in ipairs(core._script("history").CUSTOMER_COLUMNS) do names[#names + 1] = f end
  return names
end

-- The observed periods against the plan: per series the file gives, each
-- observed period's actual beside the plan's P10-P90, and whether the
-- series is behind.
local function against_plan(h, plan, norm, P)
  local by = {}
  for _, s in ipairs(plan.series) do by[s.name] = s end
  local out = {}
  for _, name in ipairs(M.series_names(norm)) do
    local s = by[name]
    local periods, below, above, inside = {}, 0, 0, 0
    for t = 1, P do
      local x = (h.total[t] or {})[name]
      if x ~= nil and s then
        local st = s.periods[t]
        local where = x < st.p10 and "below" or x > st.p90 and "above" or "inside"
        if where == "below" then below = below + 1 elseif where == "above" then above = above + 1 else inside = inside + 1 end
        periods[#periods + 1] = { period = t, label = h.labels[t], actual = x, p10 = st.p10, p50 = st.p50, p90 = st.p90,
          where = where }
      end
    end
    if #periods > 0 then
      -- fewer churned or lost than planned is good news: those are behind when above
      local bad_high = name == "churned" or name == "lost"
      local behind = bad_high and above > below or not bad_high and below > above
      local ahead = bad_high and below > above or not bad_high and above > below
      out[#out + 1] = { name = name, periods = periods, inside = inside, below = below, above = above,
        status = behind and "behind" or ahead and "ahead" or "on_plan" }
    end
  end
  return out
end

-- run FILE --actuals PATH: the plan's run and the re-forecast, on the same
-- trials and seed; returns the re-forecast's result, with r.actuals and
-- r.assumptions (prior included).
function M.run(s, path, run_opts, fc)
  local norm0 = fc.normalize(s)
  local h = M.read(path, norm0, true) -- a header alone: no period done yet
  local P = M.align(h, norm0, 1)
  if P > norm0.periods then
    error(string.format("%s: %d periods of actuals, more than the scenario's %d", path, P, norm0.periods), 0)
  end
  local notes, updates = {}, {}
  local norm = fc.normalize(s)
  if P > 0 then
    -- the stocks before the first observed period are the file's where its
    -- first row gives them
    local a0, l0 = M.start_stocks(h, norm.stages[#norm.stages].name)
    for _, x in ipairs({ { "initial", a0, "active" }, { "lost", l0, "lost" } }) do
      local field, v, what = x[1], x[2], x[3]
      if v and v ~= (norm.customers[field] or 0) then
        notes[#notes + 1] = string.format("customers.%s: the file's first row implies %s %s customers before %s, the "
          .. "plan says %s: the re-forecast starts from the file's", field, show(v), what, h.labels[1],
          show(norm.customers[field] or 0))
        norm.customers[field] = v
      end
    end
    M.spend(h, norm, P, notes)
    updates = M.update(norm, h, P, notes)
    norm.observed = M.observed(h, norm, P)
  end
  local A = core._script("assumptions")
  local plan = core.run(norm0, run_opts)
  -- no period observed: the re-forecast is the plan's run
  local now = P == 0 and plan or core.run(norm, run_opts)
  A.attach({ now }, { norm })
  with_priors(now.assumptions, A.list(norm0), updates)
  local goals = {}
  for i, g in ipairs(now.goals) do
    local p0 = plan.goals[i] and plan.goals[i].probability
    g.probability_at_plan = p0
    goals[i] = { name = g.name, plan = p0, now = g.probability, on_track = g.on_track }
  end
  now.actuals = { file = path, periods = P, through = h.labels[P], of = norm0.periods, goals = goals,
    series = against_plan(h, plan, norm0, P), notes = notes }
  return now, plan
end

-- JSON --------------------------------------------------------------------

function M.json(a, indent)
  local json = core._script("json")
  local num, str = json.num, json.str
  local goals, series = {}, {}
  for i, g in ipairs(a.goals) do
    goals[i] = string.format('{ "name": %s, "plan": %s, "now": %s, "on_track": %s }', str(g.name), num(g.plan),
      num(g.now), tostring(g.on_track))
  end
  for i, s in ipairs(a.series) do
    local ps = {}
    for j, p in ipairs(s.periods) do
      ps[j] = string.format('{ "period": %d, "label": %s, "actual": %s, "p10": %s, "p50": %s, "p90": %s, "where": %s }',
        p.period, str(p.label), num(p.actual), num(p.p10), num(p.p50), num(p.p90), str(p.where))
    end
    series[i] = string.format('{ "name": %s, "status": %s, "inside": %d, "below": %d, "above": %d, "periods": %s }',
      str(s.name), str(s.status), s.inside, s.below, s.above, json.array(ps, indent + 3))
  end
  local notes = {}
  for i, n in ipairs(a.notes) do notes[i] = str(n) end
  return json.object({
    { "file", str(a.file) }, { "periods", num(a.periods) }, { "through", a.through and str(a.through) or "null" }, { "of", num(a.of) },
    { "goals", json.array(goals, indent + 1) },
    { "series", json.array(series, indent + 1) },
    { "notes", json.array(notes, indent + 1) },
  }, indent)
end

return M
