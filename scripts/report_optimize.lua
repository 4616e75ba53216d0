-- report_optimize: the "optimize" view of the report registry
-- (scripts/report.lua): what optimize{} returns (scripts/optimize.lua) as
-- JSON ({ "optimize": ..., "result": the run at the best split }) and as
-- text: the answer in a sentence, the split beside the start with the
-- marginal returns, how the search went, then the run's own report.
local core = ...
local util = core._script("util")
local R = core._script("report")
local num, str, human, value = R.num, R.str, R.human, R.value
local M = {}

-- { channel = x } on one line, in the order of the channels searched (those
-- without a value left out).
local function by_channel(names, t)
  local parts = {}
  for _, name in ipairs(names) do
    if t[name] ~= nil then parts[#parts + 1] = str(name) .. ": " .. num(t[name]) end
  end
  return #parts == 0 and "{}" or "{ " .. table.concat(parts, ", ") .. " }"
end

function M.json(data)
  local o = data.optimize
  local names = o.channels
  local kv = {
    { "objective", str(o.objective) }, { "direction", str(o.direction) }, { "budget", num(o.budget) },
    { "channels", value(names) }, { "split", by_channel(names, o.split) },
    { "value", num(o.value) }, { "se", num(o.se) },
    { "base", "{ " .. table.concat({ '"split": ' .. by_channel(names, o.base.split), '"value": ' .. num(o.base.value),
      '"se": ' .. num(o.base.se) }, ", ") .. " }" },
    { "difference", num(o.difference) }, { "difference_se", num(o.difference_se) },
    { "marginal", by_channel(names, o.marginal) }, { "marginal_step", num(o.marginal_step) },
    { "min", by_channel(names, o.min) }, { "max", by_channel(names, o.max) },
    { "runs", num(o.runs) }, { "search_runs", num(o.search_runs) }, { "polls", num(o.polls) },
    { "trials", num(o.trials) }, { "seed", util.unsigned(o.seed) }, { "fresh_seed", util.unsigned(o.fresh_seed) },
    { "method", str(o.method) },
  }
  return R.decision_json("optimize", kv, data.result)
end

-- The objective's value for people: a probability as a percentage (a
-- difference of probabilities in points).
local function shown(o, x, L, points)
  if x == nil or x ~= x then return "-" end
  if o.objective:match("^goal:") then
    return points and L.t("run.points", L.localize(string.format("%.1f", 100 * x))) or L.pct1(x)
  end
  return L.num(x)
end

function M.text(data, ctx)
  ctx = ctx or R.context()
  local L = ctx.L
  local o = data.optimize
  local names = o.channels
  local is_goal = o.objective:match("^goal:") ~= nil
  local what = is_goal and L.t("opt.chance", o.objective:sub(6))
    or L.t("opt.stat_of", o.objective:match("^(%w+):"), o.objective:match(":(.*)$"))
  local parts = {}
  for _, name in ipairs(names) do parts[#parts + 1] = string.format("%s %s", name, L.money(o.split[name])) end
  local unit = L.t("unit." .. o.unit)
  local lines = {}
  R.say(lines, L.t("opt.answer", L.money(o.budget), unit, table.concat(parts, ", "), what, shown(o, o.value, L),
    shown(o, 1.96 * o.se, L, true), shown(o, o.base.value, L),
    (o.difference >= 0 and "+" or "") .. shown(o, o.difference, L, true),
    shown(o, o.difference_se and 1.96 * o.difference_se, L, true)), ctx.columns)
  -- the channels whose next 1,000 buy the least, in the objective's direction
  local order = { table.unpack(names) }
  local sign = o.direction == "higher" and 1 or -1
  table.sort(order, function(a, b) return sign * o.marginal[a] > sign * o.marginal[b] end)
  local rows = {}
  for _, name in ipairs(names) do
    local m = o.marginal[name]
    rows[#rows + 1] = { name, L.money(o.split[name]), L.money(o.base.split[name]),
      o.min[name] and L.money(o.min[name]) or "-", o.max[name] and L.money(o.max[name]) or "-",
      (m >= 0 and "+" or "") .. (is_goal and L.t("run.points", L.fixed(100 * m, 2)) or L.num(m)) }
  end
  R.section(lines, L.t("opt.split_title", unit, L.money(o.marginal_step), unit),
    { L.t("run.channel"), L.t("opt.best"), L.t("opt.start"), "min", "max", L.t("opt.marginal") }, rows, ctx)
  if #order > 1 then
    R.say(lines, L.t("opt.next", L.money(o.marginal_step), order[1], order[#order]), ctx.columns)
  end
  return R.decision_end(lines, L.t("opt.search", o.search_runs, o.polls, L.num(o.trials), util.unsigned(o.seed),
    util.unsigned(o.fresh_seed)), core._script("decide").words(L, o.prose and o.prose.method) or o.method,
    L.t("opt.at_best"), data.result, ctx)
end

return M
