-- report_csv: the "csv" format of the report registry (scripts/report.lua):
-- every figure of a run, a comparison, a plan or an optimize as tidy, long
-- tables, one row per value, for spreadsheets and data frames. With -o DIR
-- each table is one file of the folder (metrics.csv, stages.csv, ...; the
-- command writes them all or none); to standard output (-o - or no -o) they
-- are one long table whose first column, `table`, names the table a row
-- comes from, then the union of the tables' columns. The numbers are the
-- JSON report's (report.num: the shortest text that reads back as the same
-- double), an empty field where the JSON has null; booleans true and false;
-- RFC 4180 quoting; lines end in "\n". The CSV never depends on --lang.
--
-- The tables (their columns in order):
--   metrics      scenario, metric, statistic, value
--   stages       scenario, stage, figure, statistic, value
--                (figure: total, cost, conversion, pipeline)
--   channels     scenario, channel, figure, statistic, value
--                (figure: visitors, customers, spend, cac)
--   series       scenario, series, period, statistic, value
--   goals        scenario, goal, metric, op, target, from, by, every,
--                probability, confidence, on_track, value_p10, value_p50,
--                value_p90
--   drivers      scenario, goal, assumption, low, middle, high, swing, se
--   differences  scenario, against, kind, name, figure, statistic, value
--                (comparison only; kind: metric, goal, stage, channel)
--   plan         field, value (plan only: the plan's scalars)
--   plan_stages  stage, period, value (the median arrivals of each period)
--   plan_totals  stage, from, by, total_p50, calculator_total,
--                calculator_per_period (over the goal's window)
--   optimize     channel, base, split, marginal, min, max (optimize only)
--   optimize_summary  field, value (the optimize's scalars)
-- statistic: mean, sd, min, max, p5, p10, p25, p50, p75, p90, p95, and
-- infinite (the trials without a finite value) when there are some.
local core = ...
local util = core._script("util")
local R = core._script("report")
local M = {}

-- CSV text -----------------------------------------------------------------

-- A value as a field's text: a number as the JSON writes it (empty for its
-- null: nil, NaN, an infinity), a boolean as true or false, a string as it is.
local function text(v)
  if v == nil then return "" end
  if type(v) == "number" then
    local s = R.num(v)
    return s == "null" and "" or s
  end
  return tostring(v)
end

-- A field quoted as RFC 4180 asks: when it holds a comma, a quote or a line
-- break, within quotes, its quotes doubled.
local function field(v)
  local s = text(v)
  if s:find('[,"\r\n]') then return '"' .. (s:gsub('"', '""')) .. '"' end
  return s
end

-- One line of n fields (a row may leave some nil: empty).
local function line(cells, n)
  local out = {}
  for i = 1, n do out[i] = field(cells[i]) end
  return table.concat(out, ",") .. "\n"
end

-- A table as CSV text: the header, then the rows (lists of values in the
-- columns' order). The one renderer of every file and of the long table.
local function render(columns, rows)
  local n = #columns
  local out = { line(columns, n) }
  for i, r in ipairs(rows) do out[i + 1] = line(r, n) end
  return table.concat(out)
end

-- Tables -------------------------------------------------------------------

-- A table: its name (the file's, without .csv), columns and rows.
local function new_table(name, columns)
  return { name = name, columns = columns, rows = {} }
end

-- Appends to t the row of the leading fields head (a list without nil),
-- then the values ... (any of them nil: an empty field).
local function add(t, head, ...)
  local r, k = {}, #head
  for i = 1, k do r[i] = head[i] end
  local rest = table.pack(...)
  for i = 1, rest.n do r[k + i] = rest[i] end
  t.rows[#t.rows + 1] = r
end

-- Appends one row per statistic of the summary st to t: head..., the
-- statistic, its value; "infinite" when some trial was not finite.
local function add_stats(t, head, st)
  for _, k in ipairs(R.STAT_KEYS) do add(t, head, k, st[k]) end
  if st.infinite and st.infinite > 0 then add(t, head, "infinite", st.infinite) end
end

-- The channels' figures, in the JSON's order.
local CHANNEL_FIGURES = { "visitors", "customers", "spend", "cac" }

local function metrics_rows(t, r)
  for _, m in ipairs(r.metrics) do add_stats(t, { r.scenario, m.name }, m.stat) end
end

local function stages_rows(t, r)
  for _, s in ipairs(r.stages) do add_stats(t, { r.scenario, s.name, "total" }, s.total) end
  for _, s in ipairs(r.stages) do add_stats(t, { r.scenario, s.name, "cost" }, s.cost) end
  for _, block in ipairs({ "conversion", "pipeline" }) do
    for _, s in ipairs(r[block] or {}) do add_stats(t, { r.scenario, s.name, block }, s.stat) end
  end
end

local function channels_rows(t, r)
  for _, c in ipairs(r.channels) do
    for _, k in ipairs(CHANNEL_FIGURES) do
      if c[k] then add_stats(t, { r.scenario, c.name, k }, c[k]) end
    end
  end
end

local function series_rows(t, r)
  for _, s in ipairs(r.series) do
    for period, st in ipairs(s.periods) do add_stats(t, { r.scenario, s.name, period }, st) end
  end
end

local function goals_rows(t, r)
  for _, g in ipairs(r.goals) do
    add(t, { r.scenario, g.name }, g.metric, g.op, g.target, g.from, g.by, g.every, g.probability,
      g.confidence, g.on_track, g.value.p10, g.value.p50, g.value.p90)
  end
end

local function drivers_rows(t, r)
  for _, g in ipairs(r.goals) do
    for _, d in ipairs(g.drivers) do
      add(t, { r.scenario, g.name }, d.assumption, d.low, d.middle, d.high, d.swing, d.se)
    end
  end
end

-- The assumptions list: per uncertain assumption its law and what the run
-- drew; a calibrated law's counts in words; after actuals, the law before
-- the update, the method and the effective sample size.
local function assumptions_rows(t, r)
  for _, a in ipairs(r.assumptions or {}) do
    local p, s = a.prior or {}, a.source
    add(t, { r.scenario, a.path }, a.law, a.each, a.mean, a.p5, a.p95, s and s.file, s and s.text, p.law, p.mean, p.p5,
      p.p95, a.update, a.ess)
  end
end

-- The tables of the runs of results, each with a row builder run on every
-- scenario in turn.
local RUN_TABLES = {
  { "metrics", { "scenario", "metric", "statistic", "value" }, metrics_rows },
  { "stages", { "scenario", "stage", "figure", "statistic", "value" }, stages_rows },
  { "channels", { "scenario", "channel", "figure", "statistic", "value" }, channels_rows },
  { "series", { "scenario", "series", "period", "statistic", "value" }, series_rows },
  { "goals", { "scenario", "goal", "metric", "op", "target", "from", "by", "every", "probability", "confidence",
    "on_track", "value_p10", "value_p50", "value_p90" }, goals_rows },
  { "drivers", { "scenario", "goal", "assumption", "low", "middle", "high", "swing", "se" }, drivers_rows },
  { "assumptions", { "scenario", "path", "law", "each", "mean", "p5", "p95", "source_file", "source", "prior_law",
    "prior_mean", "prior_p5", "prior_p95", "update", "ess" }, assumptions_rows },
}

-- Appends the run tables of results (a list of results tables) to tables.
local function run_tables(tables, results)
  for _, spec in ipairs(RUN_TABLES) do
    local t = new_table(spec[1], spec[2])
    for _, r in ipairs(results) do spec[3](t, r) end
    tables[#tables + 1] = t
  end
  return tables
end

-- The differences of a comparison (see report_compare.lua): per alternative,
-- the metrics' stats of the per-trial difference with better and ties, the
-- goals' probabilities, and the stages' and channels' change of the mean
-- and of the median.
local function differences_table(differences)
  local t = new_table("differences", { "scenario", "against", "kind", "name", "figure", "statistic", "value" })
  for _, d in ipairs(differences) do
    local who = { d.scenario, d.against }
    local function head(kind, name, figure) return { who[1], who[2], kind, name, figure or "" } end
    for _, m in ipairs(d.metrics) do
      local h = head("metric", m.name)
      add_stats(t, h, m.stat)
      add(t, h, "better", m.better)
      add(t, h, "ties", m.ties)
    end
    for _, g in ipairs(d.goals or {}) do
      for _, k in ipairs({ "probability", "against", "difference", "se" }) do add(t, head("goal", g.name), k, g[k]) end
    end
    for _, figure in ipairs({ "total", "cost" }) do
      for _, s in ipairs(d.stages or {}) do
        for _, k in ipairs({ "mean", "p50" }) do add(t, head("stage", s.name, figure), k, s[figure][k]) end
      end
    end
    for _, c in ipairs(d.channels or {}) do
      for _, figure in ipairs(CHANNEL_FIGURES) do
        if c[figure] then
          for _, k in ipairs({ "mean", "p50" }) do add(t, head("channel", c.name, figure), k, c[figure][k]) end
        end
      end
    end
  end
  return t
end

-- A (field, value) table of the pairs kv: { { field, value }, ... }.
local function fields_table(name, kv)
  local t = new_table(name, { "field", "value" })
  for _, x in ipairs(kv) do add(t, { x[1] }, x[2]) end
  return t
end

-- Appends to kv the scalar fields of the table x as prefix_key, in the
-- order of their keys (as the JSON writes them); lists and tables skipped.
local function scalars(kv, prefix, x)
  local keys = {}
  for k, v in pairs(x or {}) do
    if type(v) ~= "table" then keys[#keys + 1] = tostring(k) end
  end
  table.sort(keys)
  for _, k in ipairs(keys) do kv[#kv + 1] = { prefix .. "_" .. k, x[k] } end
end

-- The plan's scalars, in the JSON's order: its pairs (between, interval)
-- as _low and _high, best and calculator as best_ and calculator_ fields,
-- the channels varied as --channels takes them (names joined by commas).
local function plan_fields(p)
  local kv = { { "goal", p.goal }, { "confidence", p.confidence }, { "vary", p.vary }, { "how", p.how } }
  if p.channels then kv[#kv + 1] = { "channels", table.concat(p.channels, ",") } end
  local between = p.between or {}
  for _, x in ipairs({ { "direction", p.direction }, { "between_low", between[1] }, { "between_high", between[2] },
    { "found", p.found } }) do kv[#kv + 1] = x end
  if p.found then
    local interval = p.interval or {}
    for _, x in ipairs({ { "value", p.value }, { "interval_low", interval[1] }, { "interval_high", interval[2] },
      { "probability", p.probability }, { "spend", p.spend }, { "spend_per_period", p.spend / p.periods } }) do
      kv[#kv + 1] = x
    end
    if p.at_bound then
      kv[#kv + 1] = { "at_bound", p.at_bound }
      kv[#kv + 1] = { "reason", p.reason }
    end
  else
    scalars(kv, "best", p.best)
    kv[#kv + 1] = { "reason", p.reason }
  end
  for _, x in ipairs({ { "runs", p.runs }, { "trials", p.trials }, { "seed", util.unsigned(p.seed) },
    { "method", p.method } }) do kv[#kv + 1] = x end
  if p.found then scalars(kv, "calculator", p.calculator) end
  return kv
end

-- The reverse funnel: each stage's median arrivals per period.
local function plan_stages_table(p)
  local t = new_table("plan_stages", { "stage", "period", "value" })
  for _, st in ipairs(p.found and p.stages or {}) do
    for period, x in ipairs(st.per_period) do add(t, { st.stage }, period, x) end
  end
  return t
end

-- The reverse funnel over the goal's window: each stage's median arrivals
-- (periods from to by), beside the by-hand arithmetic's (empty where it has
-- none: a stage below the goal's, or no arithmetic).
local function plan_totals_table(p)
  local t = new_table("plan_totals", { "stage", "from", "by", "total_p50", "calculator_total",
    "calculator_per_period" })
  local by_hand = {}
  for _, c in ipairs(p.found and p.calculator and p.calculator.stage or {}) do by_hand[c.stage] = c end
  for _, st in ipairs(p.found and p.stages or {}) do
    local c = by_hand[st.stage] or {}
    add(t, { st.stage }, st.from, st.by, st.total.p50, c.total, c.per_period)
  end
  return t
end

-- The split of optimize's channels: the start's (base), the best, the
-- marginal return at the best, the bounds.
local function optimize_table(o)
  local t = new_table("optimize", { "channel", "base", "split", "marginal", "min", "max" })
  for _, name in ipairs(o.channels) do
    add(t, { name }, o.base.split[name], o.split[name], o.marginal[name], o.min[name], o.max[name])
  end
  return t
end

-- The optimize's scalars, in the JSON's order (base's as base_value and
-- base_se; the channels are optimize.csv's rows).
local function optimize_fields(o)
  return {
    { "objective", o.objective }, { "direction", o.direction }, { "budget", o.budget },
    { "value", o.value }, { "se", o.se }, { "base_value", o.base.value }, { "base_se", o.base.se },
    { "difference", o.difference }, { "difference_se", o.difference_se }, { "marginal_step", o.marginal_step },
    { "runs", o.runs }, { "search_runs", o.search_runs }, { "polls", o.polls }, { "trials", o.trials },
    { "seed", util.unsigned(o.seed) }, { "fresh_seed", util.unsigned(o.fresh_seed) }, { "method", o.method },
  }
end

-- Output -------------------------------------------------------------------

-- One file per table: { { "metrics.csv", bytes }, ... }.
-- Every table this writer may write: a folder reused for another report
-- loses those the new one has not (a plan's run tables, a comparison's
-- differences), so that what it holds is one report.
local TABLES = { "metrics", "stages", "channels", "series", "goals", "drivers", "assumptions", "differences", "plan",
  "plan_stages", "plan_totals", "optimize", "optimize_summary", "backtest" }

local function files(tables)
  local out, written = {}, {}
  for i, t in ipairs(tables) do
    out[i] = { t.name .. ".csv", render(t.columns, t.rows) }
    written[t.name] = true
  end
  for _, name in ipairs(TABLES) do
    if not written[name] then out[#out + 1] = { name .. ".csv", false } end
  end
  return out
end

-- Every table as one: `table` first, then the union of the tables' columns
-- in the order they first appear; a row's fields where its table has them.
local function long(tables)
  local columns, at = { "table" }, { table = 1 }
  for _, t in ipairs(tables) do
    for _, c in ipairs(t.columns) do
      if not at[c] then
        columns[#columns + 1] = c
        at[c] = #columns
      end
    end
  end
  local rows = {}
  for _, t in ipairs(tables) do
    for _, r in ipairs(t.rows) do
      local row = { t.name }
      for i, c in ipairs(t.columns) do row[at[c]] = r[i] end
      rows[#rows + 1] = row
    end
  end
  return render(columns, rows)
end

-- The report of tables: files for a folder (ctx.output), else one long
-- table (to standard output, or to the file ctx.output names when it ends
-- in .csv).
local function emit(tables, ctx)
  if ctx and ctx.output and not ctx.output:lower():match("%.csv$") then return files(tables) end
  return long(tables)
end

function M.run(data, ctx)
  return emit(run_tables({}, data.results), ctx)
end

function M.comparison(data, ctx)
  local tables = run_tables({}, data.results)
  tables[#tables + 1] = differences_table(data.differences or {})
  return emit(tables, ctx)
end

function M.plan(data, ctx)
  local p = data.plan
  local tables = { fields_table("plan", plan_fields(p)), plan_stages_table(p), plan_totals_table(p) }
  if data.result then run_tables(tables, { data.result }) end
  return emit(tables, ctx)
end

-- backtest.csv: per series and test period, the actual beside the
-- forecast's quantiles and whether the intervals held it.
function M.backtest(data, ctx)
  local t = new_table("backtest", { "series", "period", "label", "actual", "p10", "p25", "p50", "p75", "p90",
    "in_p10_p90", "in_p25_p75" })
  for _, s in ipairs(data.backtest.series) do
    for _, p in ipairs(s.points) do
      add(t, { s.name, p.period, p.label }, p.actual, p.p10, p.p25, p.p50, p.p75, p.p90,
        p.actual >= p.p10 and p.actual <= p.p90, p.actual >= p.p25 and p.actual <= p.p75)
    end
  end
  return emit({ t }, ctx)
end

function M.optimize(data, ctx)
  local o = data.optimize
  local tables = { optimize_table(o), fields_table("optimize_summary", optimize_fields(o)) }
  if data.result then run_tables(tables, { data.result }) end
  return emit(tables, ctx)
end

return M
