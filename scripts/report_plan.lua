-- report_plan: the "plan" view of the report registry (scripts/report.lua):
-- what plan{} returns (scripts/plan.lua) as JSON ({ "plan": ..., "result":
-- the run at the value found }) and as text: the answer in a sentence, the
-- reverse funnel beside the by-hand arithmetic, how the search went, then
-- the run's own report.
local core = ...
local util = core._script("util")
local R = core._script("report")
local num, str, human, value = R.num, R.str, R.human, R.value
local M = {}

local function pair(v)
  return "[" .. num(v and v[1] or nil) .. ", " .. num(v and v[2] or nil) .. "]"
end

function M.json(data)
  local p = data.plan
  local kv = {
    { "goal", str(p.goal) }, { "confidence", num(p.confidence) }, { "vary", str(p.vary) },
    { "how", str(p.how) },
  }
  if p.channels then kv[#kv + 1] = { "channels", value(p.channels) } end
  for _, x in ipairs({
    { "direction", str(p.direction) }, { "between", pair(p.between) }, { "found", tostring(p.found) },
  }) do kv[#kv + 1] = x end
  if p.found then
    for _, x in ipairs({
      { "value", num(p.value) }, { "interval", pair(p.interval) }, { "probability", num(p.probability) },
      { "spend", num(p.spend) }, { "spend_per_period", num(p.spend / p.periods) },
    }) do kv[#kv + 1] = x end
    if p.at_bound then
      kv[#kv + 1] = { "at_bound", str(p.at_bound) }
      kv[#kv + 1] = { "reason", str(p.reason) }
    end
  else
    kv[#kv + 1] = { "best", value(p.best, 2) }
    kv[#kv + 1] = { "reason", str(p.reason) }
  end
  for _, x in ipairs({
    { "runs", num(p.runs) }, { "trials", num(p.trials) }, { "seed", util.unsigned(p.seed) },
    { "method", str(p.method) },
  }) do kv[#kv + 1] = x end
  if p.found then
    local rows = {}
    for i, st in ipairs(p.stages) do
      rows[i] = "{ " .. table.concat({ '"stage": ' .. str(st.stage), '"per_period": ' .. value(st.per_period),
        '"total": { "p50": ' .. num(st.total.p50) .. ', "from": ' .. num(st.from) .. ', "by": ' .. num(st.by) .. " }" },
        ", ") .. " }"
    end
    kv[#kv + 1] = { "stages", R.array(rows, 2) }
    kv[#kv + 1] = { "calculator", value(p.calculator, 2) }
  end
  return R.decision_json("plan", kv, data.result)
end

local function three(x, L) return L.localize(string.format("%.3g", x)) end

-- The answer in a sentence.
local function answer(p, L)
  -- "80%", "62.5%"
  local goal, conf = p.goal, (100 * p.confidence) % 1 == 0 and L.pct(p.confidence) or L.pct1(p.confidence)
  local what = p.vary == "budget" and (p.channels and #p.channels < p.all_channels and
    L.t("plan.spend_of", table.concat(p.channels, ", ")) or L.t("plan.the_budget")) or p.vary
  if not p.found then
    return L.t("plan.not_found", goal, conf, p.vary == "budget" and L.t("plan.multiplier") or p.vary,
      L.num(p.between[1]), L.num(p.between[2]), L.pct1(p.best.probability), three(p.best.value, L))
  end
  -- an end of the interval not reached: the probability never gets that far
  -- from the confidence within the bounds (or past the peak)
  local a, b = p.interval[1], p.interval[2]
  local iv = a and b and L.t("cmp.to", three(a, L), three(b, L)) or
    a and L.t("plan.from_only", three(a, L)) or b and L.t("plan.up_to_only", three(b, L)) or L.t("plan.no_interval")
  local reach = L.t(p.direction == "smallest" and "plan.reach" or "plan.keep")
  if p.vary == "budget" then
    local varied = 0
    for _, name in ipairs(p.channels) do varied = varied + p.spend_by_channel[name] end
    local spend = L.t("plan.per", L.money(p.spend / p.periods), L.t("unit." .. p.unit))
    if #p.channels < p.all_channels then
      spend = L.t("plan.on_channels", L.t("plan.per", L.money(varied / p.periods), L.t("unit." .. p.unit)),
        table.concat(p.channels, ", "), spend)
    end
    return L.t("plan.answer_budget", reach, goal, conf, what, p.direction == "largest" and L.t("plan.at_most") or "",
      three(p.value, L), iv, spend)
  end
  return L.t("plan.answer_path", reach, goal, conf, what,
    L.t(p.direction == "smallest" and "plan.at_least_mean" or "plan.at_most_mean"), three(p.value, L), iv)
end

-- The reverse funnel period by period: each stage's median arrivals in each
-- period of the goal's window (the KPI each stage must deliver).
local function kpi_section(lines, p, from, by, ctx)
  local L = ctx.L
  local head, rows = { L.t("unit." .. p.unit) }, {}
  for _, st in ipairs(p.stages) do head[#head + 1] = st.stage end
  for t = from, by do
    local row = { p.start and L.period(p.unit, core._script("calendar").label(p.unit, p.start, t)) or tostring(t) }
    for _, st in ipairs(p.stages) do row[#row + 1] = st.per_period[t] and L.num(st.per_period[t]) or "-" end
    rows[#rows + 1] = row
  end
  R.section(lines, L.t("plan.kpi_title"), head, rows, ctx)
end

function M.text(data, ctx)
  ctx = ctx or R.context()
  local L = ctx.L
  local p = data.plan
  local lines = {}
  R.say(lines, answer(p, L), ctx.columns)
  local words = core._script("decide").words
  local prose = p.prose or {}
  if p.reason and p.found then R.say(lines, "(" .. (words(L, prose.reason) or p.reason) .. ")", ctx.columns) end
  if p.found then
    local by, each = p.stages[1] and p.stages[1].by or p.periods, {}
    local from = p.stages[1] and p.stages[1].from or 1
    local span = by - from + 1
    for _, st in ipairs(p.stages) do
      if st.total.p50 then each[#each + 1] = L.num(st.total.p50 / span) .. " " .. st.stage end
    end
    R.say(lines, L.t("plan.each", L.t("unit." .. p.unit), table.concat(each, ", "), R.periods_in(L, span, p.unit)), ctx.columns)
    local calc = p.calculator or {}
    local by_stage = {}
    for _, c in ipairs(calc.stage or {}) do by_stage[c.stage] = c end
    local rows = {}
    for _, st in ipairs(p.stages) do
      local c = by_stage[st.stage]
      rows[#rows + 1] = { st.stage, L.num(st.total.p50), L.num(st.total.p50 / span), c and L.num(c.total) or "-" }
    end
    R.section(lines, L.t("plan.reverse_title", R.window_in(L, p, { metric = "", from = from, by = by })),
      { L.t("run.stage"), L.t("plan.over_window"), L.t("plan.per_unit", L.t("unit." .. p.unit)), L.t("plan.by_hand") }, rows, ctx)
    kpi_section(lines, p, from, by, ctx)
    if calc.spend then
      R.say(lines, L.t("plan.by_hand_line", L.money(calc.cost_per_visitor), L.money(calc.spend_per_period),
        L.t("unit." .. p.unit), L.money(p.spend / p.periods), L.t("unit." .. p.unit)), ctx.columns)
      R.say(lines, L.t("plan.why_differ", words(L, prose.calc_note) or calc.note), ctx.columns)
    elseif calc.reason then
      R.say(lines, L.t("plan.no_by_hand", words(L, prose.calc_reason) or calc.reason), ctx.columns)
    end
  end
  return R.decision_end(lines, L.t("plan.search", p.runs, L.num(p.trials), util.unsigned(p.seed),
    L.t("plan.dir_" .. p.direction), L.num(p.between[1]), L.num(p.between[2])),
    words(L, prose.method) or p.method, L.t("plan.at_found"), data.result, ctx)
end

return M
