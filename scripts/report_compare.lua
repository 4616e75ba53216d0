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

-- Columns of every text line, and scenarios side by side in one table.
local LIMIT = 100
local PER_BLOCK = 3
-- The first column (names) is cut to make room, but not below this.
local NAME_MIN = 10
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

-- Column widths of head and rows in at most LIMIT columns where the numbers
-- allow: the first column is cut (in place) to the room the others leave.
-- Returns the widths and the total.
local function layout(head, rows)
  local widths = R.widths(head, rows)
  local rest = 0
  for i = 2, #widths do rest = rest + 2 + widths[i] end
  local first = math.max(NAME_MIN, math.min(widths[1], LIMIT - rest))
  if first < widths[1] then
    head[1] = R.shorten(head[1], first)
    for _, r in ipairs(rows) do r[1] = R.shorten(r[1], first) end
    widths[1] = first
  end
  return widths, first + rest
end

-- build(fmt) gives the head and rows of a table with numbers written by fmt:
-- grouped digits (report.human), or compact ones when those are too wide.
local function fitted(build)
  local head, rows, widths, total
  for _, fmt in ipairs({ R.human, R.compact }) do
    head, rows = build(fmt)
    widths, total = layout(head, rows)
    if total <= LIMIT then break end
  end
  return head, rows, widths, total
end

-- Appends a blank line, the title, the line above the head if any, the
-- head and the rows; left: the columns after the first to align left.
local function emit(lines, title, head, rows, widths, above, left)
  lines[#lines + 1] = ""
  lines[#lines + 1] = R.shorten(title, LIMIT)
  if above then lines[#lines + 1] = above end
  lines[#lines + 1] = R.row(head, widths, left)
  for _, r in ipairs(rows) do lines[#lines + 1] = R.row(r, widths, left) end
end

local function table_of(lines, title, build, left)
  local head, rows, widths = fitted(build)
  emit(lines, title, head, rows, widths, nil, left)
end

local function by_name(list)
  local t = {}
  for _, x in ipairs(list) do t[x.name] = x end
  return t
end

-- The metrics of results[first..last] side by side: P10, P50 and P90 under
-- each scenario's name.
local function side_by_side(lines, title, results, first, last)
  local stats = {}
  for i = first, last do stats[i] = by_name(results[i].metrics) end
  local head, rows, widths, total = fitted(function(fmt)
    local head, rows = { "metric" }, {}
    for _ = first, last do
      head[#head + 1], head[#head + 2], head[#head + 3] = "P10", "P50", "P90"
    end
    for _, m in ipairs(results[1].metrics) do
      local r = { m.name }
      for i = first, last do
        local st = stats[i][m.name] and stats[i][m.name].stat
        r[#r + 1], r[#r + 2], r[#r + 3] = st and fmt(st.p10) or "-", st and fmt(st.p50) or "-",
          st and fmt(st.p90) or "-"
      end
      rows[#rows + 1] = r
    end
    return head, rows
  end)
  -- each name over its three columns, widened into the room left if need be
  local extra = math.max(0, LIMIT - total)
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
  emit(lines, title, head, rows, widths, (table.concat(labels, "  "):gsub("%s+$", "")))
end

-- "93% of futures (higher), same in 1%": how often the alternative was
-- better, the direction that counts as better, and the ties.
local function verdict(m)
  if m.ties >= 1 then return "same in 100% of futures" end
  local s = R.percent(m.better) .. " of futures"
  if m.direction then s = s .. " (" .. m.direction .. ")" end
  if m.ties > 0 then s = s .. ", same in " .. R.percent(m.ties) end
  return s
end

local function points(x)
  return x == x and string.format("%+.1f", 100 * x) or "-"
end

-- One alternative against the base: metrics, goals, stages, channels.
local function difference_block(lines, d, note)
  lines[#lines + 1] = ""
  lines[#lines + 1] = string.format("%s: difference vs %s", R.shorten(d.scenario, 40), R.shorten(d.against, 40))
  local function mean(st, fmt)
    local s = R.signed(st.mean, fmt)
    if st.infinite > 0 then note.infinite = true return s .. "*" end
    return s
  end
  table_of(lines, "Forecast difference", function(fmt)
    local rows = {}
    for _, m in ipairs(d.metrics) do
      rows[#rows + 1] = { m.name, mean(m.stat, fmt),
        R.signed(m.stat.p10, fmt) .. " to " .. R.signed(m.stat.p90, fmt), verdict(m) }
    end
    return { "metric", "mean", "P10 to P90", "better in" }, rows
  end, { [4] = true })
  if #(d.goals or {}) > 0 then
    table_of(lines, "Goals (probability of each; difference in percentage points, 95% interval)", function()
      local rows = {}
      for _, g in ipairs(d.goals or {}) do
        local half = 1.96 * g.se
        rows[#rows + 1] = { g.name, string.format("%.1f%%", 100 * g.against),
          string.format("%.1f%%", 100 * g.probability), points(g.difference) .. " pts",
          half == half and (points(g.difference - half) .. " to " .. points(g.difference + half) .. " pts") or "-" }
      end
      return { "goal", R.shorten(d.against, HEAD_MAX), R.shorten(d.scenario, HEAD_MAX), "difference",
        "95% interval" }, rows
    end)
  end
  if #(d.stages or {}) > 0 then
    table_of(lines, "Funnel difference (arrivals over the horizon)", function(fmt)
      local rows = {}
      for _, s in ipairs(d.stages or {}) do
        rows[#rows + 1] = { s.name, mean(s.total, fmt), R.signed(s.total.p50, fmt), mean(s.cost, fmt) }
      end
      return { "stage", "mean", "P50", "cost each (mean)" }, rows
    end)
  end
  if #(d.channels or {}) > 0 then
    table_of(lines, "Channel difference", function(fmt)
      local rows = {}
      for _, c in ipairs(d.channels or {}) do
        rows[#rows + 1] = { c.name, mean(c.spend, fmt), mean(c.visitors, fmt), R.signed(c.visitors.p50, fmt),
          c.customers and mean(c.customers, fmt) or "-", c.cac and R.signed(c.cac.p50, fmt) or "-" }
      end
      return { "channel", "spend", "arrivals mean", "arrivals P50", "customers mean", "CAC P50" }, rows
    end)
  end
end

function M.text(data, ctx)
  local results, differences = data.results, data.differences
  local r1 = results[1]
  local trials = differences[1] and differences[1].trials or r1.trials
  local lines = {
    string.format("Comparison of %d scenarios on common random numbers (funnelcast %s)", #results, core.version),
    string.format("%s trials, seed %s, %s", R.human(trials), util.unsigned(r1.seed), R.periods(r1.periods, r1.unit)),
    "Every scenario sees the same futures; a difference is alternative minus base, trial by trial.",
  }
  for i, r in ipairs(results) do
    lines[#lines + 1] = R.shorten(string.format("  %d. %s", i, r.scenario), LIMIT - 10) ..
      (i == 1 and " (base)" or "")
  end
  for first = 1, #results, PER_BLOCK do
    local last = math.min(#results, first + PER_BLOCK - 1)
    local title = first == 1 and "Forecast (P10, P50, P90 of each scenario)" or
      first == last and string.format("Forecast, scenario %d", first) or
      string.format("Forecast, scenarios %d to %d", first, last)
    side_by_side(lines, title, results, first, last)
  end
  local note = {}
  for _, d in ipairs(differences) do difference_block(lines, d, note) end
  lines[#lines + 1] = ""
  if note.infinite then
    lines[#lines + 1] = "* some trials had no finite difference (e.g. no customer, so no CAC): mean over the others"
  end
  return table.concat(lines, "\n") .. "\n"
end

return M
