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
      '"probability": ' .. num(g.probability), '"confidence": ' .. num(g.confidence),
      '"on_track": ' .. tostring(g.on_track),
      '"drivers": ' .. (#drivers == 0 and "[]" or
        "[\n" .. table.concat(drivers, ",\n") .. "\n" .. gpad .. "  ]"),
    }, ", ") .. " }"
  end
  top[#top + 1] = { "goals", #goals == 0 and "[]" or
    "[\n" .. table.concat(goals, ",\n") .. "\n" .. string.rep("  ", indent + 1) .. "]" }
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

function M.text_one(r)
  local num, section, stat_cols = R.num, R.section, R.stat_cols
  local lines = {}
  lines[1] = string.format("%s: %s trials, seed %s, %s%s (funnelcast %s)",
    r.scenario, human(r.trials), util.unsigned(r.seed), R.periods(r.periods, r.unit),
    R.span(r), core.version)
  if r.precision then
    lines[#lines + 1] = r.precise
      and string.format("Stopped when precise: goal probabilities within +-%s, total means within +-%s%% (95%%).",
        num(r.precision), num(100 * r.precision))
      or string.format("Not yet precise to +-%s after %s trials (the most --trials allows).",
        num(r.precision), human(r.trials))
  end
  local any_inf = false
  local rows = {}
  for _, m in ipairs(r.metrics) do
    local c = stat_cols(m.stat)
    any_inf = any_inf or m.stat.infinite > 0
    rows[#rows + 1] = { m.name, table.unpack(c) }
  end
  section(lines, "Forecast", { "metric", "mean", "P10", "P50", "P90" }, rows)
  if #r.goals > 0 then
    rows = {}
    for _, g in ipairs(r.goals) do
      -- the metric's own range by the goal's period: how far off a miss is
      local v = g.value
      rows[#rows + 1] = {
        g.name, string.format("%s %s %s %s", g.metric, g.op, human(g.target), R.window(r, g)),
        string.format("%s to %s", human(v.p10), human(v.p90)),
        string.format("%.1f%%", 100 * g.probability), string.format("%.0f%%", 100 * g.confidence),
        g.on_track and "on track" or "below confidence",
      }
    end
    section(lines, "Goals", { "goal", "target", "P10 to P90", "probability", "needs", "verdict" }, rows)
    rows = {}
    for _, g in ipairs(r.goals) do
      for j = 1, math.min(DRIVERS_SHOWN, #g.drivers) do
        local d = g.drivers[j]
        local function pct(x) return x == x and string.format("%.1f%%", 100 * x) or "-" end
        rows[#rows + 1] = {
          j == 1 and g.name or "", d.assumption, pct(d.low), pct(d.middle), pct(d.high),
          -- a swing within two standard errors may be noise
          d.swing ~= d.swing and "-" or
            string.format("%+.1f pts%s", 100 * d.swing, math.abs(d.swing) > 2 * d.se and "" or " ~"),
        }
      end
    end
    if #rows > 0 then
      section(lines, "What moves the goals (probability when the assumption falls in the low, middle or high third of its range)",
        { "goal", "assumption", "low third", "middle", "high third", "swing" }, rows)
      lines[#lines + 1] = "(~: within two standard errors of no effect)"
    end
  end
  rows = {}
  for k, s in ipairs(r.stages) do
    local c = stat_cols(s.total)
    local conv, pipe = (r.conversion or {})[k - 1], (r.pipeline or {})[k - 1]
    rows[#rows + 1] = { s.name, c[1], c[2], c[3], c[4], human(s.cost.p50),
      conv and conv.stat.p50 == conv.stat.p50 and string.format("%.3g%%", 100 * conv.stat.p50) or "-",
      pipe and human(pipe.stat.mean) or "-" }
  end
  section(lines, "Funnel (arrivals over the horizon)",
    { "stage", "mean", "P10", "P50", "P90", "cost each (P50)", "conversion (P50)", "pipeline" }, rows)
  lines[#lines + 1] = "(conversion: arrivals over the previous stage's; pipeline: mean units on their way to the "
    .. "stage after the last period)"
  if #r.channels > 0 then
    rows = {}
    for _, ch in ipairs(r.channels) do
      local c = stat_cols(ch.visitors)
      rows[#rows + 1] = { ch.name, human(ch.spend.mean), c[1], c[3],
        ch.customers and human(ch.customers.mean) or "-", ch.cac and human(ch.cac.p50) or "-" }
    end
    section(lines, "Channels", { "channel", "spend", "arrivals mean", "arrivals P50", "customers mean", "CAC P50" }, rows)
    if not r.channels[1].customers then
      lines[#lines + 1] = "(customers by channel: give a rate per channel, or track_channels = true)"
    end
  end
  lines[#lines + 1] = ""
  if any_inf then
    lines[#lines + 1] = "* some trials had no finite value (e.g. no customer, so no CAC): mean over the others"
  end
  return table.concat(lines, "\n") .. "\n"
end

function M.text(data, ctx)
  local results = data.results
  local parts = {}
  for i, r in ipairs(results) do parts[i] = M.text_one(r) end
  return table.concat(parts, "\n")
end

return M
