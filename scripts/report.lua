-- report: writers for a run's results table (see core/lua_results.h): the
-- JSON contract of DESIGN.md and a text table for a person.
local core = ...
local util = core._script("util")
local M = {}

local QUANTS = { "p5", "p10", "p25", "p50", "p75", "p90", "p95" }
local STAT_KEYS = { "mean", "sd", "min", "max", "p5", "p10", "p25", "p50", "p75", "p90", "p95" }
-- Drivers listed per goal in the text report (JSON has them all).
local DRIVERS_SHOWN = 5

-- Shortest text that reads back as the same double; JSON has no infinity.
local function num(x)
  if math.type(x) == "integer" then return string.format("%d", x) end
  if x ~= x or x == math.huge or x == -math.huge then return "null" end
  if x == math.floor(x) and math.abs(x) < 2 ^ 53 then return string.format("%d", x) end
  for _, f in ipairs({ "%.15g", "%.16g", "%.17g" }) do
    local s = string.format(f, x)
    if tonumber(s) == x then return s end
  end
end
M.num = num

local function str(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    local map = { ['"'] = '\\"', ["\\"] = "\\\\", ["\n"] = "\\n", ["\t"] = "\\t", ["\r"] = "\\r" }
    return map[c] or string.format("\\u%04x", c:byte())
  end) .. '"'
end

local function stat_json(st, prefix)
  local parts = {}
  if prefix then parts[1] = prefix end
  for _, k in ipairs(STAT_KEYS) do parts[#parts + 1] = str(k) .. ": " .. num(st[k]) end
  if st.infinite > 0 then parts[#parts + 1] = '"infinite": ' .. st.infinite end
  return "{ " .. table.concat(parts, ", ") .. " }"
end

local function object(pairs_list, indent)
  if #pairs_list == 0 then return "{}" end
  local pad = string.rep("  ", indent)
  local lines = {}
  for i, kv in ipairs(pairs_list) do
    lines[i] = pad .. "  " .. str(kv[1]) .. ": " .. kv[2]
  end
  return "{\n" .. table.concat(lines, ",\n") .. "\n" .. pad .. "}"
end

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
  local metrics = {}
  for _, m in ipairs(r.metrics) do metrics[#metrics + 1] = { m.name, stat_json(m.stat) } end
  top[#top + 1] = { "metrics", object(metrics, indent + 1) }
  local stages, costs = {}, {}
  for _, s in ipairs(r.stages) do
    stages[#stages + 1] = { s.name, stat_json(s.total) }
    costs[#costs + 1] = { s.name, stat_json(s.cost) }
  end
  top[#top + 1] = { "stages", object(stages, indent + 1) }
  top[#top + 1] = { "stage_costs", object(costs, indent + 1) }
  local channels = {}
  for _, c in ipairs(r.channels) do
    local figs = {}
    for _, k in ipairs({ "visitors", "customers", "spend", "cac" }) do
      if c[k] then figs[#figs + 1] = { k, stat_json(c[k]) } end
    end
    channels[#channels + 1] = { c.name, object(figs, indent + 2) }
  end
  top[#top + 1] = { "channels", object(channels, indent + 1) }
  local series = {}
  local pad = string.rep("  ", indent + 2)
  for _, s in ipairs(r.series) do
    local rows = {}
    for t, st in ipairs(s.periods) do
      rows[t] = pad .. "  " .. stat_json(st, '"period": ' .. t)
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
      '"target": ' .. num(g.target), '"by": ' .. num(g.by),
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

-- The whole JSON document: one object, or {"scenarios": [...]} for several.
function M.json(results)
  if #results == 1 then return M.json_object(results[1]) .. "\n" end
  local parts = {}
  for i, r in ipairs(results) do parts[i] = "    " .. M.json_object(r, 2) end
  return '{\n  "scenarios": [\n' .. table.concat(parts, ",\n") .. "\n  ]\n}\n"
end

-- Numbers for people: grouped thousands for large values, 3 significant
-- digits for small ones.
local function human(x)
  if x ~= x then return "-" end
  if x == math.huge then return "inf" end
  if x == -math.huge then return "-inf" end
  local a = math.abs(x)
  local s
  if a >= 1e15 then
    s = string.format("%.3g", x) -- past a quadrillion, digits no longer help a reader
  elseif a >= 1000 then
    s = string.format("%.0f", a):reverse():gsub("(%d%d%d)", "%1,"):reverse():gsub("^,", "")
    if x < 0 then s = "-" .. s end
  elseif x == math.floor(x) then
    s = string.format("%d", x)
  else
    s = string.format("%.3g", x)
  end
  return s
end
M.human = human

-- "12 months", "1 week".
local function periods(n, unit)
  return string.format("%d %s%s", n, unit, n == 1 and "" or "s")
end

-- Cells of the text tables: at most this many characters (a longer one,
-- such as a long goal name, ends in an ellipsis; the JSON report has it whole).
local MAX_CELL = 48

-- Columns a character takes on a terminal: 0 for combining marks and
-- zero-width characters, 2 for East Asian wide and full-width ones and
-- emoji, else 1 (the ranges of Unicode's East Asian Width, coarsely).
local ZERO = { { 0x0300, 0x036F }, { 0x0483, 0x0489 }, { 0x0591, 0x05BD }, { 0x0610, 0x061A },
  { 0x064B, 0x065F }, { 0x0E31, 0x0E31 }, { 0x0E34, 0x0E3A }, { 0x1AB0, 0x1AFF }, { 0x1DC0, 0x1DFF },
  { 0x200B, 0x200F }, { 0x20D0, 0x20FF }, { 0xFE00, 0xFE0F }, { 0xFE20, 0xFE2F }, { 0xFEFF, 0xFEFF } }
local WIDE = { { 0x1100, 0x115F }, { 0x2E80, 0x303E }, { 0x3041, 0x33FF }, { 0x3400, 0x4DBF },
  { 0x4E00, 0x9FFF }, { 0xA000, 0xA4CF }, { 0xAC00, 0xD7A3 }, { 0xF900, 0xFAFF }, { 0xFE30, 0xFE4F },
  { 0xFF00, 0xFF60 }, { 0xFFE0, 0xFFE6 }, { 0x1F300, 0x1F64F }, { 0x1F900, 0x1F9FF }, { 0x20000, 0x3FFFD } }
local function in_ranges(c, ranges)
  for _, r in ipairs(ranges) do if c >= r[1] and c <= r[2] then return true end end
  return false
end
local function columns(c)
  if c < 0x300 then return 1 end
  if in_ranges(c, ZERO) then return 0 end
  return in_ranges(c, WIDE) and 2 or 1
end

-- Columns of s (a name is valid UTF-8; anything else counts by bytes).
local function width(s)
  if not utf8.len(s) then return #s end
  local w = 0
  for _, c in utf8.codes(s) do w = w + columns(c) end
  return w
end

-- s in at most w columns: cut at a character, with an ellipsis.
local function shorten(s, w)
  if width(s) <= w or not utf8.len(s) then return s end
  local used, cut = 0, 1
  for p, c in utf8.codes(s) do
    if used + columns(c) > w - 1 then cut = p break end
    used = used + columns(c)
  end
  return s:sub(1, cut - 1) .. "…"
end

local function pad(s, w, left)
  local fill = string.rep(" ", math.max(0, w - width(s)))
  return left and s .. fill or fill .. s
end

local function row(cols, widths)
  local out = {}
  for i, c in ipairs(cols) do out[i] = pad(c, widths[i], i == 1) end
  return (table.concat(out, "  "):gsub("%s+$", ""))
end

local function stat_cols(st)
  local mean = human(st.mean)
  if st.infinite > 0 then mean = mean .. "*" end
  return { mean, human(st.p10), human(st.p50), human(st.p90) }
end

local function section(lines, title, head, rows)
  local widths = {}
  for i, h in ipairs(head) do widths[i] = width(h) end
  for _, r in ipairs(rows) do
    for i, c in ipairs(r) do
      r[i] = shorten(c, MAX_CELL)
      widths[i] = math.max(widths[i], width(r[i]))
    end
  end
  lines[#lines + 1] = ""
  lines[#lines + 1] = title
  lines[#lines + 1] = row(head, widths)
  for _, r in ipairs(rows) do lines[#lines + 1] = row(r, widths) end
end

function M.text_one(r)
  local lines = {}
  lines[1] = string.format("%s: %s trials, seed %s, %s (funnelcast %s)",
    r.scenario, human(r.trials), util.unsigned(r.seed), periods(r.periods, r.unit), core.version)
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
        g.name, string.format("%s %s %s by %s %d", g.metric, g.op, human(g.target), r.unit, g.by),
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
  for _, s in ipairs(r.stages) do
    local c = stat_cols(s.total)
    rows[#rows + 1] = { s.name, c[1], c[2], c[3], c[4], human(s.cost.p50) }
  end
  section(lines, "Funnel (arrivals over the horizon)", { "stage", "mean", "P10", "P50", "P90", "cost each (P50)" }, rows)
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

function M.text(results)
  local parts = {}
  for i, r in ipairs(results) do parts[i] = M.text_one(r) end
  return table.concat(parts, "\n")
end

-- The compiled model, for `funnelcast check`: what will be simulated, with
-- every assumption and where its randomness comes from.
function M.describe(n, random)
  local lines = {}
  local function add(fmt, ...) lines[#lines + 1] = string.format(fmt, ...) end
  local function p(x)
    if x == nil then return "-" end
    return x.label .. (x.clip and " (clipped)" or "")
  end
  add("%s: %s, %s trials, seed %s; %d random assumptions", n.name, periods(n.periods, n.unit),
    human(n.trials), util.unsigned(n.seed), random)
  add("")
  add("Channels")
  for _, c in ipairs(n.channels) do
    local lo, hi = math.huge, -math.huge
    for _, x in ipairs(c.spend) do lo, hi = math.min(lo, x), math.max(hi, x) end
    local spend = lo == hi and human(lo) or (human(lo) .. " to " .. human(hi))
    local resp = c.response == "cost" and ("cost per arrival " .. p(c.cost))
      or c.response == "hill" and string.format("hill(max %s, half %s, shape %s)", p(c.hill.max), p(c.hill.half), p(c.hill.shape))
      or "no paid response"
    add("  %s spend %s per %s; %s; enters at %s%s%s", pad(c.name, 12, true), spend, n.unit, resp,
      n.stages[c.enters].name, c.adstock and ("; adstock " .. p(c.adstock)) or "",
      c.organic and ("; organic " .. p(c.organic)) or "")
  end
  add("")
  add("Funnel")
  for k, s in ipairs(n.stages) do
    local rate = "-"
    if s.rate_by_channel then
      local parts = {}
      for i, r in ipairs(s.rate_by_channel) do parts[i] = n.channels[i].name .. " " .. p(r) end
      rate = table.concat(parts, ", ")
    elseif s.rate then
      rate = p(s.rate)
    end
    local lag = ""
    if s.lags and #s.lags > 1 then
      local mean = 0
      for j, q in ipairs(s.lags) do mean = mean + (j - 1) * q end
      lag = string.format("; delay over %d periods, mean %.2f", #s.lags, mean)
    elseif s.lags and s.lags[1] ~= 1 then
      lag = ""
    end
    add("  %d. %s rate %s%s%s", k, pad(s.name, 10, true), rate, lag, s.cost and ("; cost " .. p(s.cost)) or "")
  end
  local cu = n.customers
  add("")
  add("Customers: initial %s, lost %s; churn %s; arpu %s, growth %s, margin %s",
    human(cu.initial), human(cu.lost),
    cu.sbg and string.format("sbg(alpha %s, beta %s)", p(cu.sbg.alpha), p(cu.sbg.beta)) or p(cu.churn),
    p(cu.arpu), p(cu.growth), p(cu.margin))
  if n.winback then add("Win-back: rate %s, cost %s per lost customer per period", p(n.winback.rate), p(n.winback.cost)) end
  if n.correlations and #n.correlations > 0 then
    add("")
    add("Correlated assumptions (rank correlation, Gaussian copula)")
    for _, c in ipairs(n.correlations) do add("  %s ~ %s: %s", c.a, c.b, num(c.rho)) end
  end
  if #n.goals > 0 then
    add("")
    add("Goals")
    for _, g in ipairs(n.goals) do
      add("  %s: %s %s %s by %s %d (confidence %s%%)", g.name, g.metric, g.op, human(g.target), n.unit, g.by,
        num(100 * g.confidence))
    end
  end
  return table.concat(lines, "\n") .. "\n"
end

return M
