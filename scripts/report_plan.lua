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

-- "62%" or "62.5%" for a confidence.
local function pct(p)
  local s = string.format("%.1f", 100 * p):gsub("%.0$", "")
  return s .. "%"
end

local function three(x) return string.format("%.3g", x) end

-- The answer in a sentence.
local function answer(p)
  local goal, conf = p.goal, pct(p.confidence)
  local what = p.vary == "budget" and (p.channels and #p.channels < p.all_channels and
    "the spend of " .. table.concat(p.channels, ", ") or "the budget") or p.vary
  if not p.found then
    return string.format("\"%s\" cannot reach %s confidence with %s between %s and %s: at best %s, at %s.",
      goal, conf, p.vary == "budget" and "a budget multiplier" or p.vary, human(p.between[1]), human(p.between[2]),
      pct(p.best.probability), three(p.best.value))
  end
  -- an end of the interval not reached: the probability never gets that far
  -- from the confidence within the bounds (or past the peak)
  local a, b = p.interval[1], p.interval[2]
  local iv = a and b and string.format("%s to %s", three(a), three(b)) or
    a and string.format("from %s; its upper end not reached", three(a)) or
    b and string.format("up to %s; its lower end not reached", three(b)) or "interval not reached"
  local reach = p.direction == "smallest" and "reach" or "keep"
  if p.vary == "budget" then
    local varied = 0
    for _, name in ipairs(p.channels) do varied = varied + p.spend_by_channel[name] end
    local spend = human(p.spend / p.periods) .. " a " .. p.unit
    if #p.channels < p.all_channels then
      spend = string.format("%s a %s on %s (%s in all)", human(varied / p.periods), p.unit,
        table.concat(p.channels, ", "), spend)
    end
    return string.format("To %s \"%s\" with %s confidence, multiply %s by %s%s (%s): %s.", reach, goal, conf,
      what, p.direction == "largest" and "at most " or "", three(p.value), iv, spend)
  end
  return string.format("To %s \"%s\" with %s confidence, %s needs a mean of %s %s (%s).", reach, goal, conf, what,
    p.direction == "smallest" and "at least" or "at most", three(p.value), iv)
end

function M.text(data)
  local p = data.plan
  local lines = { answer(p) }
  if p.reason and p.found then lines[#lines + 1] = "(" .. p.reason .. ")" end
  if p.found then
    local by, each = p.stages[1] and p.stages[1].by or p.periods, {}
    local from = p.stages[1] and p.stages[1].from or 1
    local span = by - from + 1
    for _, st in ipairs(p.stages) do
      if st.total.p50 then each[#each + 1] = human(st.total.p50 / span) .. " " .. st.stage end
    end
    lines[#lines + 1] = string.format("Each %s that takes about %s (medians over %s).", p.unit,
      table.concat(each, ", "), R.periods(span, p.unit))
    local calc = p.calculator or {}
    local by_stage = {}
    for _, c in ipairs(calc.stage or {}) do by_stage[c.stage] = c end
    local rows = {}
    for _, st in ipairs(p.stages) do
      local c = by_stage[st.stage]
      local first, last = st.per_period[from], st.per_period[by]
      rows[#rows + 1] = { st.stage, human(st.total.p50), human(st.total.p50 / span),
        first and (human(first) .. " .. " .. human(last)) or "-", c and human(c.total) or "-" }
    end
    R.section(lines, string.format("Reverse funnel: what each stage must deliver (median arrivals, %s %d to %d)",
      p.unit, from, by), { "stage", "over the window", "per " .. p.unit, "first .. last " .. p.unit, "by hand" }, rows)
    if calc.spend then
      lines[#lines + 1] = string.format("By hand (target / median rates, at %s per visitor): %s a %s, against %s "
        .. "a %s here.", human(calc.cost_per_visitor), human(calc.spend_per_period), p.unit,
        human(p.spend / p.periods), p.unit)
      lines[#lines + 1] = "Why they differ: " .. calc.note .. "."
    elseif calc.reason then
      lines[#lines + 1] = "(no by-hand arithmetic: " .. calc.reason .. ")"
    end
  end
  return R.decision_end(lines, string.format("Search: %d runs of %s trials, seed %s; %s value between %s and %s.",
    p.runs, human(p.trials), util.unsigned(p.seed), p.direction, human(p.between[1]), human(p.between[2])),
    p.method, "At the value found", data.result)
end

return M
