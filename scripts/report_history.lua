-- report_history: what history adds to reports. The "backtest" view of the
-- report registry (scripts/report.lua: text and json; csv in report_csv) of what
-- backtest.run returns (scripts/backtest.lua), and the sections a run's
-- text report gains: the re-forecast against the plan (--actuals) and the
-- calibrated assumptions beside the counts they came from.
local core = ...
local util = core._script("util")
local R = core._script("report")
local num, str = R.num, R.str
local M = {}

-- The counts an assumption came from, in words (source: calibrate's).
function M.counts_text(L, src)
  if src.successes then return L.t("hist.rate_counts", L.num(src.successes), src.what, L.num(src.trials), src.of) end
  if src.spend then return L.t("hist.cost_counts", L.money(src.spend), L.num(src.arrivals), src.what, src.months) end
  if src.months then return L.t("hist.arpu_counts", src.months) end
  return src.text or ""
end

-- Calibrated assumptions beside their counts (text), by file and periods.
function M.calibrated_section(lines, list, ctx)
  local L = ctx.L
  local rows, first
  rows = {}
  for _, a in ipairs(list or {}) do
    if a.source then
      first = first or a.source
      rows[#rows + 1] = { a.path, a.law, L.num(a.mean), L.num(a.p5) .. " - " .. L.num(a.p95),
        M.counts_text(L, a.source) }
    end
  end
  if #rows == 0 then return end
  R.section(lines, L.t("hist.calibrated", first.file, first.periods, L.num(first.weight or 1)),
    { L.t("hist.assumption"), L.t("hist.law"), L.t("hist.mean"), "P5 - P95", L.t("hist.from") },
    rows, ctx, { optional = { 2 }, shrink = { 5, 1 }, drop_first = true })
end

-- The sentence that opens the re-forecast (text and HTML).
function M.actuals_header(L, a)
  if a.periods == 0 then return L.t("act.header_none", a.file, a.of) end
  return L.t("act.header", a.file, a.periods, a.of, a.through)
end

-- The re-forecast against the plan (text): goals then and now, each
-- series' observed periods against the plan's P10-P90, the updates.
function M.actuals_section(lines, r, ctx)
  local a = r.actuals
  if not a then return end
  local L = ctx.L
  R.say(lines, M.actuals_header(L, a), ctx.columns)
  local rows = {}
  for _, g in ipairs(a.goals) do
    rows[#rows + 1] = { g.name, L.pct1(g.plan), L.pct1(g.now),
      g.on_track and { L.t("run.on_track"), paint = "good" } or { L.t("run.below"), paint = "bad" } }
  end
  if #rows > 0 then
    R.section(lines, L.t("act.goals"), { L.t("run.goal"), L.t("act.at_plan"), L.t("act.now"), L.t("run.verdict") },
      rows, ctx)
  end
  rows = {}
  for _, s in ipairs(a.series) do
    local last = s.periods[#s.periods]
    local status = s.status == "behind" and { L.t("act.behind"), paint = "bad" }
      or s.status == "ahead" and { L.t("act.ahead"), paint = "good" } or L.t("act.on_plan")
    rows[#rows + 1] = { s.name, string.format("%d / %d", s.inside, #s.periods), tostring(s.below), tostring(s.above),
      L.num(last.actual) .. " (" .. L.num(last.p10) .. " - " .. L.num(last.p90) .. ")", status }
  end
  if #rows > 0 then
    R.section(lines, L.t("act.series"), { L.t("act.series_name"), L.t("act.inside"), L.t("act.below"),
      L.t("act.above"), L.t("act.last", a.through), L.t("act.status") }, rows, ctx, { optional = { 5 } })
  end
  rows = {}
  for _, x in ipairs(r.assumptions or {}) do
    if x.update and x.update ~= "none" then
      rows[#rows + 1] = { x.path, x.prior and L.num(x.prior.mean) or "-", L.num(x.mean),
        L.num(x.p5) .. " - " .. L.num(x.p95), x.observed and x.observed.text or "",
        L.t("act.method." .. x.update) .. (x.ess and " (ESS " .. L.num(x.ess) .. ")" or "") }
    end
  end
  if #rows > 0 then
    R.section(lines, L.t("act.updates"), { L.t("hist.assumption"), L.t("act.prior_mean"), L.t("act.now_mean"),
      "P5 - P95", L.t("act.observed"), L.t("act.method") }, rows, ctx, { optional = { 5, 4 }, shrink = { 5, 1 }, drop_first = true })
  end
  for _, n in ipairs(a.notes) do R.say(lines, "* " .. n, ctx.columns, "  ") end
end

-- The backtest view ------------------------------------------------------

function M.json(data)
  local b = data.backtest
  local json = core._script("json")
  local function list(points, key)
    local out = {}
    for i, p in ipairs(points) do out[i] = num(p[key]) end
    return "[" .. table.concat(out, ", ") .. "]"
  end
  local function cov(c) return string.format('{ "p10_p90": %s, "p25_p75": %s }', num(c.p10_p90), num(c.p25_p75)) end
  local series = {}
  for _, s in ipairs(b.series) do
    local labels = {}
    for i, p in ipairs(s.points) do labels[i] = str(p.label) end
    series[#series + 1] = { s.name, json.object({
      { "coverage", cov(s.coverage) }, { "mae", num(s.mae) }, { "verdict", str(s.verdict) },
      { "periods", "[" .. table.concat(labels, ", ") .. "]" },
      { "actual", list(s.points, "actual") }, { "p10", list(s.points, "p10") }, { "p25", list(s.points, "p25") },
      { "p50", list(s.points, "p50") }, { "p75", list(s.points, "p75") }, { "p90", list(s.points, "p90") },
    }, 3) }
  end
  local notes = {}
  for i, n in ipairs(b.notes) do notes[i] = str(n) end
  local body = json.object({
    { "history", str(b.history) }, { "train", num(b.train) }, { "test", num(b.test) },
    { "train_periods", "[" .. str(b.train_periods[1]) .. ", " .. str(b.train_periods[2]) .. "]" },
    { "test_periods", "[" .. str(b.test_periods[1]) .. ", " .. str(b.test_periods[2]) .. "]" },
    { "coverage", cov(b.coverage) }, { "points", num(b.points) }, { "verdict", str(b.verdict) },
    { "series", json.object(series, 2) },
    { "notes", json.array(notes, 2) },
  }, 1)
  return json.object({
    { "funnelcast", str(core.version) }, { "scenario", str(data.scenario) }, { "trials", num(data.trials) },
    { "seed", util.unsigned(data.seed) }, { "unit", str(data.unit) },
    { "backtest", body },
    { "assumptions", core._script("assumptions").json(data.assumptions, 1) },
  }, 0) .. "\n"
end

function M.text(data, ctx)
  ctx = ctx or R.context()
  local L = ctx.L
  local b = data.backtest
  local lines = {}
  R.say(lines, L.t("bt.header", data.scenario, b.history, b.train, b.train_periods[1], b.train_periods[2], b.test,
    b.test_periods[1], b.test_periods[2], L.num(data.trials), util.unsigned(data.seed)), ctx.columns)
  R.say(lines, L.t("bt.summary", L.pct(b.coverage.p10_p90), L.pct(b.coverage.p25_p75), b.points,
    L.t("bt.verdict." .. b.verdict)), ctx.columns)
  local rows = {}
  for _, s in ipairs(b.series) do
    rows[#rows + 1] = { s.name, L.pct(s.coverage.p10_p90), L.pct(s.coverage.p25_p75), L.num(s.mae),
      s.verdict == "calibrated" and L.t("bt.verdict.calibrated") or { L.t("bt.verdict." .. s.verdict), paint = "bad" } }
  end
  R.section(lines, L.t("bt.series"), { L.t("act.series_name"), "P10-P90", "P25-P75", L.t("bt.mae"), L.t("bt.verdict") },
    rows, ctx)
  -- the last stage month by month
  local s = b.series[1]
  for _, x in ipairs(b.series) do if x.name == data.result.stages[#data.result.stages].name then s = x end end
  rows = {}
  for _, p in ipairs(s.points) do
    local inside = p.actual >= p.p10 and p.actual <= p.p90
    rows[#rows + 1] = { p.label, L.num(p.actual), L.num(p.p10), L.num(p.p50), L.num(p.p90),
      inside and L.t("bt.in") or { L.t("bt.out"), paint = "bad" } }
  end
  R.section(lines, L.t("bt.months", s.name), { L.t("hist.periods"), L.t("bt.actual"), "P10", "P50", "P90", "" }, rows, ctx)
  M.calibrated_section(lines, data.assumptions, ctx)
  for _, n in ipairs(b.notes) do R.say(lines, "* " .. n, ctx.columns, "  ") end
  lines[#lines + 1] = ""
  return table.concat(lines, "\n") .. "\n"
end

return M
