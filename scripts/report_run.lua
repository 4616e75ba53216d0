-- report_run: the "run" view of the report registry (scripts/report.lua):
-- one run's results table (see core/lua_results.h) as the JSON contract of
-- DESIGN.md, and as text tables for a person; several scenarios run apart
-- are written one after the other.
local core = ...
local util = core._script("util")
local R = core._script("report")
local num, str, human, stat_json, object = R.num, R.str, R.human, R.stat_json, R.object
local M = {}

-- Drivers listed per goal in the text report (JSON has them all).
local DRIVERS_SHOWN = 5

-- One scenario's results as the JSON object of the contract.
function M.json_object(r, indent)
  indent = indent or 0
  local top = {
    { "funnelcast", str(core.version) },
    { "scenario", str(r.scenario) },
    { "trials", num(r.trials) },
    { "seed", util.unsigned(r.seed) },
    { "periods", num(r.periods) },
    { "unit", str(r.unit) },
  }
  if r.start then top[#top + 1] = { "start", str(r.start) } end
  -- --precision: the precision asked and whether the run stopped there
  -- (else it ran the most trials --trials allows)
  if r.precision then
    top[#top + 1] = { "precision", num(r.precision) }
    top[#top + 1] = { "precise", tostring(r.precise) }
  end
  local metrics = {}
  for _, m in ipairs(r.metrics) do metrics[#metrics + 1] = { m.name, stat_json(m.stat) } end
  top[#top + 1] = { "metrics", object(metrics, indent + 1) }
  for _, kv in ipairs(R.funnel_objects(r.stages, r.channels, stat_json, indent)) do
    top[#top + 1] = kv
  end
  -- per stage after the first: the achieved conversion and the pipeline
  for _, block in ipairs({ "conversion", "pipeline" }) do
    local items = {}
    for _, s in ipairs(r[block] or {}) do items[#items + 1] = { s.name, stat_json(s.stat) } end
    top[#top + 1] = { block, object(items, indent + 1) }
  end
  local labels = R.labels(r)
  local series = {}
  local pad = string.rep("  ", indent + 2)
  for _, s in ipairs(r.series) do
    local rows = {}
    for t, st in ipairs(s.periods) do
      rows[t] = pad .. "  " .. stat_json(st, '"period": ' .. t .. (labels and ', "label": ' .. str(labels[t]) or ""))
    end
    series[#series + 1] = { s.name, "[\n" .. table.concat(rows, ",\n") .. "\n" .. pad .. "]" }
  end
  top[#top + 1] = { "series", object(series, indent + 1) }
  local goals = {}
  local gpad = string.rep("  ", indent + 2)
  for i, g in ipairs(r.goals) do
    local drivers = {}
    for j, d in ipairs(g.drivers) do
      drivers[j] = gpad .. "    { " .. table.concat({
        '"assumption": ' .. str(d.assumption), '"low": ' .. num(d.low), '"middle": ' .. num(d.middle),
        '"high": ' .. num(d.high), '"swing": ' .. num(d.swing), '"se": ' .. num(d.se),
        '"cuts": [' .. num(d.cuts[1]) .. ", " .. num(d.cuts[2]) .. "]",
        '"trials": [' .. num(d.trials[1]) .. ", " .. num(d.trials[2]) .. ", " .. num(d.trials[3]) .. "]",
      }, ", ") .. " }"
    end
    goals[i] = gpad .. "{ " .. table.concat({
      '"name": ' .. str(g.name), '"metric": ' .. str(g.metric), '"op": ' .. str(g.op),
      '"target": ' .. num(g.target), '"from": ' .. num(g.from), '"by": ' .. num(g.by),
      '"every": ' .. tostring(g.every),
      -- the window's calendar labels where the scenario has a start
      labels and '"from_label": ' .. str(labels[g.from]) .. ', "by_label": ' .. str(labels[g.by]) or '"from_label": null, "by_label": null',
      '"value": ' .. stat_json(g.value),
      '"probability": ' .. num(g.probability)
        -- with --actuals: the probability the plan gave before them
        .. (g.probability_at_plan and ', "probability_at_plan": ' .. num(g.probability_at_plan) or ""),
      '"confidence": ' .. num(g.confidence), '"on_track": ' .. tostring(g.on_track),
      '"drivers": ' .. (#drivers == 0 and "[]" or
        "[\n" .. table.concat(drivers, ",\n") .. "\n" .. gpad .. "  ]"),
    }, ", ") .. " }"
  end
  top[#top + 1] = { "goals", #goals == 0 and "[]" or
    "[\n" .. table.concat(goals, ",\n") .. "\n" .. string.rep("  ", indent + 1) .. "]" }
  if r.assumptions then top[#top + 1] = { "assumptions", core._script("assumptions").json(r.assumptions, indent + 1) } end
  if r.actuals then top[#top + 1] = { "actuals", core._script("actuals").json(r.actuals, indent + 1) } end
  return object(top, indent)
end

-- The scenario objects of a document of several, at its indent.
function M.json_list(results)
  local parts = {}
  for i, r in ipairs(results) do parts[i] = "    " .. M.json_object(r, 2) end
  return "[\n" .. table.concat(parts, ",\n") .. "\n  ]"
end

-- The whole JSON document: one object, or {"scenarios": [...]} for several.
function M.json(data)
  local results = data.results
  if #results == 1 then return M.json_object(results[1]) .. "\n" end
  return '{\n  "scenarios": ' .. M.json_list(results) .. "\n}\n"
end

-- Text ---------------------------------------------------------------------

-- The most rows of the period-by-period table (a longer run shows every
-- k-th period, the last included).
local PERIOD_ROWS = 36

local function metric_stat_cols(L, st, money)
  local fmt = money and L.money or L.num
  local mean = fmt(st.mean)
  if st.infinite > 0 then mean = mean .. "*" end
  return { mean, fmt(st.p10), fmt(st.p50), fmt(st.p90) }
end

-- the metrics that are money
local MONEY = { revenue = true, revenue_new = true, gross_margin = true, spend = true, funnel_cost = true,
  winback_cost = true, cac = true, ltv = true }
M.MONEY = MONEY

local function header(lines, r, ctx)
  local L = ctx.L
  R.say(lines, L.t("run.header", r.scenario, L.num(r.trials), util.unsigned(r.seed), R.periods_in(L, r.periods, r.unit),
    R.span_in(L, r), core.version), ctx.columns)
  if r.precision then
    R.say(lines, r.precise and L.t("run.precise", L.localize(num(r.precision)), L.localize(num(100 * r.precision)))
      or L.t("run.not_precise", L.localize(num(r.precision)), L.num(r.trials)), ctx.columns)
  end
end

local function goals_section(lines, r, ctx)
  local L = ctx.L
  local rows = {}
  for _, g in ipairs(r.goals) do
    rows[#rows + 1] = { g.name, L.pct1(g.probability), L.pct(g.confidence),
      g.on_track and { L.t("run.on_track"), paint = "good" } or { L.t("run.below"), paint = "bad" } }
  end
  R.section(lines, L.t("run.goals"), { L.t("run.goal"), L.t("run.probability"), L.t("run.needs"), L.t("run.verdict") },
    rows, ctx)
  -- each goal's target and range under the table, wrapped
  for _, g in ipairs(r.goals) do
    local v = g.value
    local fmt = MONEY[g.metric] and function(x) return L.money(x) end or L.num
    R.say(lines, L.t("run.goal_line", g.name, g.metric, g.op, fmt(g.target), R.window_in(L, r, g), fmt(v.p10), fmt(v.p90)),
      ctx.columns, "    ")
  end
end

local function drivers_section(lines, r, ctx)
  local L = ctx.L
  local groups, counts = R.informative_drivers(r.goals, DRIVERS_SHOWN)
  local noise, edge = counts.noise, counts.edge
  local rows = {}
  for _, gr in ipairs(groups) do
    rows[#rows + 1] = { span = gr.goal.name }
    for _, x in ipairs(gr.shown) do
      local d = x.d
      rows[#rows + 1] = { "  " .. d.assumption, L.pct1(d.low), L.pct1(d.middle), L.pct1(d.high),
        L.t("run.points", L.localize(string.format("%+.1f", 100 * d.swing))) }
    end
  end
  local shown = #groups
  if shown > 0 then
    R.section(lines, L.t("run.drivers"), { L.t("run.goal_assumption"), L.t("run.low_third"),
      L.t("run.middle"), L.t("run.high_third"), L.t("run.swing") }, rows, ctx)
  end
  local notes = {}
  if noise > 0 then notes[#notes + 1] = L.t(noise == 1 and "run.drivers_noise_one" or "run.drivers_noise", noise) end
  if edge > 0 then notes[#notes + 1] = L.t(edge == 1 and "run.drivers_edge_one" or "run.drivers_edge", edge) end
  if #notes > 0 then
    if shown == 0 then lines[#lines + 1] = "" end
    R.say(lines, "(" .. table.concat(notes, L.t("run.notes_sep")) .. ")", ctx.columns)
  end
end

local function forecast_section(lines, r, ctx)
  local L = ctx.L
  local rows, any_inf = {}, false
  for _, m in ipairs(r.metrics) do
    any_inf = any_inf or m.stat.infinite > 0
    rows[#rows + 1] = { m.name, table.unpack(metric_stat_cols(L, m.stat, MONEY[m.name])) }
  end
  R.section(lines, L.t("run.forecast"), { L.t("run.metric"), L.t("run.mean"), "P10", "P50", "P90" }, rows, ctx)
  return any_inf
end

-- The key series period by period: P50 (P10 to P90) of each, and a
-- sparkline of each median.
local function periods_section(lines, r, ctx)
  local L = ctx.L
  local names, by = R.key_series(r)
  if #names == 0 then return end
  local labels = R.labels(r)
  -- each cell P50 (P10-P90), or the P50 alone where those do not fit
  local step = math.ceil(r.periods / PERIOD_ROWS)
  local shown = {}
  for t = r.periods % step == 0 and step or r.periods % step, r.periods, step do shown[#shown + 1] = t end
  local function table_of(ranges)
    local rows = {}
    for _, t in ipairs(shown) do
      local row = { labels and L.period(r.unit, labels[t]) or tostring(t) }
      for _, name in ipairs(names) do
        local st = by[name].periods[t]
        local fmt = name == "revenue" and function(x) return L.money(x, L.compact) end or L.compact
        row[#row + 1] = ranges and L.t("run.range", fmt(st.p50), fmt(st.p10), fmt(st.p90)) or fmt(st.p50)
      end
      rows[#rows + 1] = row
    end
    local head = { L.t("unit." .. r.unit) }
    for _, name in ipairs(names) do head[#head + 1] = L.t("series." .. name) end
    return head, rows
  end
  local head, rows = table_of(true)
  local _, total = R.fit(head, rows, nil)
  local ranges = total <= ctx.columns
  if not ranges then head, rows = table_of(false) end
  -- the series' names may be cut: the periods' labels are the row's key
  local shrink = {}
  for i = 2, #head do shrink[#shrink + 1] = i end
  R.section(lines, L.t("by_unit." .. r.unit), head, rows, ctx, { shrink = shrink })
  R.say(lines, L.t(ranges and "run.by_period_note" or "run.by_period_note_p50"), ctx.columns)
  if step > 1 then R.say(lines, L.t("run.every_kth", step, L.t("units." .. r.unit)), ctx.columns) end
  -- the medians as sparklines, each in the width left (periods averaged in
  -- groups where there are more than columns)
  local w = 0
  for _, name in ipairs(names) do w = math.max(w, R.width(L.t("series." .. name))) end
  local room = math.max(1, ctx.columns - w - 2)
  for _, name in ipairs(names) do
    local med = {}
    for t, st in ipairs(by[name].periods) do med[t] = st.p50 end
    lines[#lines + 1] = R.pad(L.t("series." .. name), w, true) .. "  " .. R.sparkline(R.resample(med, room))
  end
end

local function funnel_section(lines, r, ctx)
  local L = ctx.L
  local rows = {}
  for k, s in ipairs(r.stages) do
    local c = metric_stat_cols(L, s.total)
    local conv, pipe = (r.conversion or {})[k - 1], (r.pipeline or {})[k - 1]
    rows[#rows + 1] = { s.name, c[1], c[2], c[3], c[4], L.money(s.cost.p50),
      conv and conv.stat.p50 == conv.stat.p50 and L.localize(string.format("%.3g", 100 * conv.stat.p50)) .. L.t("run.pct_sign") or "-",
      pipe and L.num(pipe.stat.mean) or "-" }
  end
  R.section(lines, L.t("run.funnel"), { L.t("run.stage"), L.t("run.mean"), "P10", "P50", "P90", L.t("run.cost_each"),
    L.t("run.conversion"), L.t("run.pipeline") }, rows, ctx, { optional = { 8, 2, 7 } })
  R.say(lines, L.t("run.funnel_note"), ctx.columns)
end

local function channels_section(lines, r, ctx)
  if #r.channels == 0 then return end
  local L = ctx.L
  local rows = {}
  for _, ch in ipairs(r.channels) do
    local c = metric_stat_cols(L, ch.visitors)
    rows[#rows + 1] = { ch.name, L.money(ch.spend.mean), c[1], c[3],
      ch.customers and L.num(ch.customers.mean) or "-", ch.cac and L.money(ch.cac.p50) or "-" }
  end
  R.section(lines, L.t("run.channels"), { L.t("run.channel"), L.t("run.spend"), L.t("run.arrivals_mean"),
    L.t("run.arrivals_p50"), L.t("run.customers_mean"), L.t("run.cac_p50") }, rows, ctx, { optional = { 3 } })
  if not r.channels[1].customers then R.say(lines, L.t("run.channels_note"), ctx.columns) end
end

-- One run's text report: goals first, then the drivers that inform, the
-- forecast, the key series period by period, the funnel and the channels,
-- in at most ctx.columns.
function M.text_one(r, ctx)
  ctx = ctx or R.context()
  local lines = {}
  header(lines, r, ctx)
  local history = core._script("report_history")
  history.actuals_section(lines, r, ctx)
  if #r.goals > 0 then
    goals_section(lines, r, ctx)
    drivers_section(lines, r, ctx)
  end
  local any_inf = forecast_section(lines, r, ctx)
  periods_section(lines, r, ctx)
  funnel_section(lines, r, ctx)
  channels_section(lines, r, ctx)
  history.calibrated_section(lines, r.assumptions, ctx)
  lines[#lines + 1] = ""
  if any_inf then R.say(lines, ctx.L.t("run.infinite_note"), ctx.columns) end
  return table.concat(lines, "\n") .. "\n"
end

function M.text(data, ctx)
  local results = data.results
  local parts = {}
  for i, r in ipairs(results) do parts[i] = M.text_one(r, ctx) end
  return table.concat(parts, "\n")
end

return M
