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
local function shown(o, x, points)
  if x == nil or x ~= x then return "-" end
  if o.objective:match("^goal:") then return string.format(points and "%.1f pts" or "%.1f%%", 100 * x) end
  return human(x)
end

function M.text(data)
  local o = data.optimize
  local names = o.channels
  local is_goal = o.objective:match("^goal:") ~= nil
  local what = is_goal and string.format("the chance of \"%s\"", o.objective:sub(6))
    or o.objective:gsub("^(%w+):(.*)$", "%2's %1")
  local parts = {}
  for _, name in ipairs(names) do parts[#parts + 1] = string.format("%s %s", name, human(o.split[name])) end
  local lines = {
    string.format("Split %s a %s as %s: %s is %s (+-%s, 95%%), against %s for the start (the scenario's own split "
      .. "scaled to the budget, within the bounds; difference %s, +-%s; paired, on trials the search did not see).", human(o.budget), o.unit,
      table.concat(parts, ", "), what, shown(o, o.value), shown(o, 1.96 * o.se, true), shown(o, o.base.value),
      (o.difference >= 0 and "+" or "") .. shown(o, o.difference, true), shown(o, o.difference_se and 1.96 * o.difference_se, true)),
  }
  -- the channels whose next 1,000 buy the least, in the objective's direction
  local order = { table.unpack(names) }
  local sign = o.direction == "higher" and 1 or -1
  table.sort(order, function(a, b) return sign * o.marginal[a] > sign * o.marginal[b] end)
  local rows = {}
  for _, name in ipairs(names) do
    local m = o.marginal[name]
    rows[#rows + 1] = { name, human(o.split[name]), human(o.base.split[name]),
      o.min[name] and human(o.min[name]) or "-", o.max[name] and human(o.max[name]) or "-",
      (m >= 0 and "+" or "") .. (is_goal and
        string.format("%.2f pts", 100 * m) or human(m)) }
  end
  R.section(lines, string.format("Split per %s (marginal: what %s more per %s in the channel changes, at the best split)",
    o.unit, human(o.marginal_step), o.unit), { "channel", "best", "start", "min", "max", "marginal" }, rows)
  if #order > 1 then
    lines[#lines + 1] = string.format("Next %s goes furthest in %s; least in %s.", human(o.marginal_step), order[1],
      order[#order])
  end
  return R.decision_end(lines, string.format("Search: %d candidates in %d polls on %s trials (seed %s); "
    .. "re-estimated on seed %s.", o.search_runs, o.polls, human(o.trials), util.unsigned(o.seed),
    util.unsigned(o.fresh_seed)), o.method, "At the best split", data.result)
end

return M
