-- report_compare: the "comparison" view of the report registry
-- (scripts/report.lua): scenarios run on common random numbers, with the
-- trial-by-trial differences of each one after the first against the first.
-- differences[i] = { scenario, against, trials, metrics = { { name, stat,
-- better, ties, direction } }, goals = { { name, probability, against,
-- difference, se } }, stages = { { name, total, cost } }, channels = { { name,
-- visitors, spend, customers, cac } } }: the metrics' stats those of the
-- per-trial difference, alternative minus base; the stages' and channels'
-- figures the change of the mean and of the median ({ mean, p50 }). JSON: {"scenarios": [...], "differences": [...]}; text: the
-- scenarios side by side, then one block per alternative, in 100 columns.
local core = ...
local util = core._script("util")
local R = core._script("report")
local run = core._script("report_run")
local num, str, object = R.num, R.str, R.object
local M = {}

-- Scenarios side by side in one table (in 100 columns or more).
local PER_BLOCK = 3
-- Scenario names as column heads.
local HEAD_MAX = 20

-- JSON ---------------------------------------------------------------------

-- A stage's or channel's change: the difference of the means and of the medians.
local function change_json(c)
  return "{ " .. R.str("mean") .. ": " .. R.num(c.mean) .. ", " .. R.str("p50") .. ": " .. R.num(c.p50) .. " }"
end

local function difference_json(d, indent)
  local metrics = {}
  for _, m in ipairs(d.metrics) do
    metrics[#metrics + 1] = { m.name, R.stat_json(m.stat, nil, {
      '"better": ' .. num(m.better), '"ties": ' .. num(m.ties), '"direction": ' .. str(m.direction) }) }
  end
  local goals = {}
  for i, g in ipairs(d.goals or {}) do
    goals[i] = "{ " .. table.concat({
      '"name": ' .. str(g.name), '"probability": ' .. num(g.probability), '"against": ' .. num(g.against),
      '"difference": ' .. num(g.difference), '"se": ' .. num(g.se) }, ", ") .. " }"
  end
  local top = {
    { "scenario", str(d.scenario) },
    { "against", str(d.against) },
    { "trials", num(d.trials) },
    { "metrics", object(metrics, indent + 1) },
    { "goals", R.array(goals, indent + 1) },
  }
  for _, kv in ipairs(R.funnel_objects(d.stages or {}, d.channels or {}, change_json, indent)) do
    top[#top + 1] = kv
  end
  return object(top, indent)
end

function M.json(data)
  local results, differences = data.results, data.differences
  local parts = {}
  for i, d in ipairs(differences) do parts[i] = difference_json(d, 2) end
  return '{\n  "scenarios": ' .. run.json_list(results) .. ',\n  "differences": ' .. R.array(parts, 1) .. "\n}\n"
end

-- Text ---------------------------------------------------------------------

-- build(fmt) gives the head and rows of a table with numbers written by fmt:
-- grouped digits (L.num), or compact ones when those are too wide for
-- ctx.columns. Returns the head, rows, widths and total width.
local function fitted(build, ctx, shrink)
  local head, rows, widths, total
  for _, fmt in ipairs({ ctx.L.num, ctx.L.compact }) do
    head, rows = build(fmt)
    widths, total = R.fit(head, rows, ctx.columns, shrink)
    if total <= ctx.columns then break end
  end
  return head, rows, widths, total
end

-- Appends a blank line, the title (wrapped), the line above the head if
-- any, the head and the rows; left: the columns after the first to align left.
local function emit(lines, title, head, rows, widths, ctx, above, left)
  lines[#lines + 1] = ""
  for _, l in ipairs(R.wrap(title, ctx.columns, "  ")) do lines[#lines + 1] = R.paint(ctx, "head", l) end
  if above then lines[#lines + 1] = above end
  lines[#lines + 1] = R.row(head, widths, left, ctx)
  for _, r in ipairs(rows) do lines[#lines + 1] = R.row(r, widths, left, ctx) end
end

local function table_of(lines, title, build, ctx, left, shrink)
  local head, rows, widths = fitted(build, ctx, shrink)
  emit(lines, title, head, rows, widths, ctx, nil, left)
end

-- fmt, or fmt with the currency for a metric that is money
local function money_fmt(ctx, name, fmt)
  if not run.MONEY[name] then return fmt end
  return function(x) return ctx.L.money(x, fmt) end
end

local function by_name(list)
  local t = {}
  for _, x in ipairs(list) do t[x.name] = x end
  return t
end

-- The metrics of results[first..last] side by side: P10, P50 and P90 under
-- each scenario's name.
local function side_by_side(lines, title, results, first, last, ctx)
  local stats = {}
  for i = first, last do stats[i] = by_name(results[i].metrics) end
  local head, rows, widths, total = fitted(function(fmt)
    local head, rows = { ctx.L.t("run.metric") }, {}
    for _ = first, last do
      head[#head + 1], head[#head + 2], head[#head + 3] = "P10", "P50", "P90"
    end
    for _, m in ipairs(results[1].metrics) do
      local r = { m.name }
      local f = money_fmt(ctx, m.name, fmt)
      for i = first, last do
        local st = stats[i][m.name] and stats[i][m.name].stat
        r[#r + 1], r[#r + 2], r[#r + 3] = st and f(st.p10) or "-", st and f(st.p50) or "-",
          st and f(st.p90) or "-"
      end
      rows[#rows + 1] = r
    end
    return head, rows
  end, ctx)
  -- each name over its three columns, widened into the room left if need be
  local extra = math.max(0, ctx.columns - total)
  local n = last - first + 1
  local labels = { string.rep(" ", widths[1]) }
  for j = 0, n - 1 do
    local c = 2 + 3 * j
    local span = widths[c] + widths[c + 1] + widths[c + 2] + 4
    local name = results[first + j].scenario
    local need = R.width(name) - span
    if need > 0 then
      local give = math.min(need, extra // (n - j))
      widths[c], span, extra = widths[c] + give, span + give, extra - give
    end
    labels[#labels + 1] = R.pad(R.shorten(name, span), span)
  end
  emit(lines, title, head, rows, widths, ctx, (table.concat(labels, "  "):gsub("%s+$", "")))
end

-- "93% of futures (higher), same in 1%": how often the alternative was
-- better, the direction that counts as better, and the ties.
local function verdict(m, L)
  if m.ties >= 1 then return L.t("cmp.same_all") end
  local s = L.t("cmp.better", L.pct(m.better))
  if m.direction then s = s .. " (" .. L.t("cmp.dir_" .. m.direction) .. ")" end
  if m.ties > 0 then s = s .. L.t("cmp.ties", L.pct(m.ties)) end
  return s
end

local function points(x, L)
  if x ~= x then return "-" end
  local s = string.format("%+.1f", 100 * x)
  return L.localize(s == "-0.0" and "+0.0" or s)
end

-- One alternative against the base: metrics, goals, stages, channels.
local function difference_block(lines, d, note, ctx)
  local L = ctx.L
  lines[#lines + 1] = ""
  R.say(lines, L.t("cmp.vs", d.scenario, d.against), ctx.columns)
  -- "+1,234": a difference, written by fmt
  local function signed(x, fmt) return (x == x and x > 0 and "+" or "") .. fmt(x) end
  local function mean(st, fmt)
    local s = signed(st.mean, fmt)
    if st.infinite > 0 then note.infinite = true return s .. "*" end
    return s
  end
  table_of(lines, L.t("cmp.forecast_difference"), function(fmt)
    local rows = {}
    for _, m in ipairs(d.metrics) do
      local f = money_fmt(ctx, m.name, fmt)
      rows[#rows + 1] = { m.name, mean(m.stat, f),
        L.t("cmp.to", signed(m.stat.p10, f), signed(m.stat.p90, f)), verdict(m, L) }
    end
    return { L.t("run.metric"), L.t("run.mean"), L.t("cmp.p10_p90"), L.t("cmp.better_in") }, rows
  end, ctx, { [4] = true }, { 1, 4 })
  if #(d.goals or {}) > 0 then
    table_of(lines, L.t("cmp.goals"), function()
      local rows = {}
      for _, g in ipairs(d.goals or {}) do
        local half = 1.96 * g.se
        rows[#rows + 1] = { g.name, L.pct1(g.against), L.pct1(g.probability), L.t("run.points", points(g.difference, L)),
          half == half and L.t("run.points", L.t("cmp.to", points(g.difference - half, L), points(g.difference + half, L))) or "-" }
      end
      return { L.t("run.goal"), R.shorten(d.against, HEAD_MAX), R.shorten(d.scenario, HEAD_MAX), L.t("cmp.difference"),
        L.t("cmp.interval") }, rows
    end, ctx, nil, { 1, 2, 3 })
  end
  if #(d.stages or {}) > 0 then
    table_of(lines, L.t("cmp.funnel_difference"), function(fmt)
      local rows = {}
      for _, s in ipairs(d.stages or {}) do
        rows[#rows + 1] = { s.name, mean(s.total, fmt), signed(s.total.p50, fmt), mean(s.cost, money_fmt(ctx, "cac", fmt)) }
      end
      return { L.t("run.stage"), L.t("run.mean"), "P50", L.t("cmp.cost_each_mean") }, rows
    end, ctx)
  end
  if #(d.channels or {}) > 0 then
    table_of(lines, L.t("cmp.channel_difference"), function(fmt)
      local rows = {}
      for _, c in ipairs(d.channels or {}) do
        local money = money_fmt(ctx, "spend", fmt)
        rows[#rows + 1] = { c.name, mean(c.spend, money), mean(c.visitors, fmt), signed(c.visitors.p50, fmt),
          c.customers and mean(c.customers, fmt) or "-", c.cac and signed(c.cac.p50, money) or "-" }
      end
      return { L.t("run.channel"), L.t("run.spend"), L.t("run.arrivals_mean"), L.t("run.arrivals_p50"),
        L.t("run.customers_mean"), L.t("run.cac_p50") }, rows
    end, ctx, nil, { 1, 3, 4, 5 })
  end
end

function M.text(data, ctx)
  ctx = ctx or R.context()
  local L = ctx.L
  local results, differences = data.results, data.differences
  local r1 = results[1]
  local trials = differences[1] and differences[1].trials or r1.trials
  local lines = {}
  R.say(lines, L.t("cmp.header", #results, core.version), ctx.columns)
  R.say(lines, L.t("cmp.header2", L.num(trials), util.unsigned(r1.seed), R.periods_in(L, r1.periods, r1.unit)), ctx.columns)
  R.say(lines, L.t("cmp.same_futures"), ctx.columns)
  for i, r in ipairs(results) do
    lines[#lines + 1] = R.shorten(string.format("  %d. %s", i, r.scenario), ctx.columns - 10) ..
      (i == 1 and " (" .. L.t("cmp.base") .. ")" or "")
  end
  -- three scenarios side by side where the width allows, else two
  local per_block = ctx.columns >= 100 and PER_BLOCK or 2
  for first = 1, #results, per_block do
    local last = math.min(#results, first + per_block - 1)
    local title = first == 1 and L.t("cmp.forecast") or
      first == last and L.t("cmp.forecast_one", first) or L.t("cmp.forecast_some", first, last)
    side_by_side(lines, title, results, first, last, ctx)
  end
  local note = {}
  for _, d in ipairs(differences) do difference_block(lines, d, note, ctx) end
  lines[#lines + 1] = ""
  if note.infinite then R.say(lines, L.t("cmp.infinite_note"), ctx.columns) end
  return table.concat(lines, "\n") .. "\n"
end

return M
