-- report_html: the "html" format of the report registry (scripts/report.lua):
-- one self-contained page per view (run, comparison, plan, optimize) with
-- inline SVG charts (scripts/svg.lua), no script, no external resource;
-- responsive, printable on A4, readable without colour, every chart with a
-- text alternative and its figures in a table. Every word comes from the
-- --lang catalogue (keys "html.*"), numbers and dates through the locale.
-- Table cells and chart marks carry data-path (a JSON pointer into the same
-- command's --format json document) and data-value (that number exactly, as
-- JSON writes it), which tests/check_html.sh compares.
local core = ...
local util = core._script("util")
local R = core._script("report")
local S = core._script("svg")
local run = core._script("report_run")
local esc, el = S.esc, S.el
local words = core._script("decide").words
local M = {}

-- Drivers shown per goal (which inform: report.informative_drivers).
local DRIVERS_SHOWN = 8
-- The metrics shown as shares.
local SHARE = { roi = true, lifetime_roi = true, marketing_roi = true, winback_rate = true }
-- The quantiles of a summary, in order, and the share of trials between
-- each one and the next.
local EDGES = { "min", "p5", "p10", "p25", "p50", "p75", "p90", "p95", "max" }
local MASS = { 0.05, 0.05, 0.15, 0.25, 0.25, 0.15, 0.05, 0.05 }
-- An outer bin spans at most this share of P5 to P95 on the chart.
local TAIL_SPAN = 0.25

-- Pieces -------------------------------------------------------------------

local function finite(x) return type(x) == "number" and x == x and x ~= math.huge and x ~= -math.huge end

-- A JSON pointer (RFC 6901) below base.
local function ptr(base, ...)
  local parts = { base }
  for _, p in ipairs({ ... }) do
    parts[#parts + 1] = "/" .. tostring(p):gsub("~", "~0"):gsub("/", "~1")
  end
  return table.concat(parts)
end

-- The words of a catalogue key when it has some, else nil.
local function maybe(L, key, ...)
  local ok, s = pcall(L.t, key, ...)
  return ok and s or nil
end

-- A metric's name in words ("new customers"), else its name as written.
local function metric_label(L, name)
  return maybe(L, "html.metric." .. name) or name
end

-- How a metric's values read: money, shares or plain numbers; compact for
-- axes.
local function fmt_for(L, name, compact)
  if run.MONEY[name] then return function(x) return L.money(x, compact and L.compact or nil) end end
  if SHARE[name] then return L.pct1 end
  return compact and L.compact or L.num
end

-- "+1,234": a difference in the format fmt.
local function signed(x, fmt)
  local s = fmt(x)
  if not finite(x) then return s end
  -- a difference that rounds to nothing has no sign
  if not s:find("[1-9]") then return (s:gsub("^%-", "")) end
  return (x > 0 and "+" or "") .. s
end

local function points(L, x)
  if not finite(x) then return "-" end
  return L.t("html.points", L.localize(string.format("%+.1f", 100 * x)))
end

-- A table cell: a string (text) or { text, path = JSON pointer, value =
-- the number there, class, head = true for a row head, span = columns }.
local function cell(c, tag)
  if c == "-" then return el(tag or "td", { { "class", "num" } }, "-") end
  if type(c) ~= "table" then return el(tag or "td", nil, esc(c)) end
  local attrs = { { "class", c.class }, { "colspan", c.span and tostring(c.span) } }
  if c.head then attrs[#attrs + 1] = { "scope", "row" } end
  if c.path then
    attrs[#attrs + 1] = { "data-path", c.path }
    attrs[#attrs + 1] = { "data-value", R.num(c.value) }
  end
  return el(c.head and "th" or tag or "td", attrs, esc(c[1]))
end

-- A number's cell: its text by fmt, and where it is in the JSON.
local function num_cell(x, fmt, path)
  return { fmt(x), path = path, value = x, class = "num" }
end

-- A table in a horizontally scrolling box (phones): caption, heads (one
-- list, or a list of lists for several head rows), rows.
local function data_table(caption, heads, rows, class)
  if type(heads[1]) ~= "table" then heads = { heads } end
  local head = {}
  for _, h in ipairs(heads) do
    local cols = {}
    for i, x in ipairs(h) do
      if type(x) ~= "table" then x = { x } end
      x.class = x.class or (i > 1 and "num" or nil)
      cols[i] = el("th", { { "scope", "col" }, { "class", x.class }, { "colspan", x.span and tostring(x.span) } }, esc(x[1]))
    end
    head[#head + 1] = el("tr", nil, table.concat(cols))
  end
  local body = {}
  for _, r in ipairs(rows) do
    local cols = {}
    for i, x in ipairs(r) do
      if i == 1 and type(x) ~= "table" then x = { x, head = true } end
      cols[i] = cell(x)
    end
    body[#body + 1] = el("tr", nil, table.concat(cols))
  end
  return el("div", { { "class", "scroll" } }, el("table", { { "class", class } },
    (caption and el("caption", nil, esc(caption)) or "") .. el("thead", nil, table.concat(head)) ..
    el("tbody", nil, table.concat(body))))
end

local function para(text, class) return el("p", { { "class", class } }, esc(text)) end

-- A chart in a figure: the svg, a caption, notes, a legend ({ { kind,
-- words } }) and the chart's figures in a table under a <details>.
local function figure(L, svg, caption, notes, legend, tbl)
  local parts = { svg }
  if legend and #legend > 0 then
    local items = {}
    for i, it in ipairs(legend) do
      items[i] = el("li", nil, el("span", { { "class", "key key-" .. it[1] }, { "aria-hidden", "true" } }, "") .. esc(it[2]))
    end
    parts[#parts + 1] = el("ul", { { "class", "legend" } }, table.concat(items))
  end
  local cap = { el("strong", nil, esc(caption)) }
  for _, n in ipairs(notes or {}) do cap[#cap + 1] = el("span", { { "class", "note" } }, esc(n)) end
  parts[#parts + 1] = el("figcaption", nil, table.concat(cap, " "))
  if tbl then
    parts[#parts + 1] = el("details", nil, el("summary", nil, esc(L.t("html.chart_data"))) .. tbl)
  end
  return el("figure", { { "class", "chart-box" } }, table.concat(parts))
end

local function section(id, title, body, level)
  local h = "h" .. (level or 2)
  return el("section", { { "id", id }, { "class", "block" } }, el(h, nil, esc(title)) .. body)
end

-- The command line, each argument quoted for a POSIX shell where it needs it.
local function command_line(argv)
  local out = {}
  for i, a in ipairs(argv or {}) do
    out[i] = a:match("^[%w%._/=,:@%%+-]+$") and a or "'" .. a:gsub("'", "'\\''") .. "'"
  end
  return table.concat(out, " ")
end

-- The calendar or numbered label of each period of a run or plan.
local function period_labels(L, x)
  local out = {}
  for t = 1, x.periods do out[t] = R.period_in(L, x, t) end
  return out
end

-- Goals ------------------------------------------------------------------

-- The bins of a summary's histogram: between its quantiles, each of known
-- mass; the outer two shortened to TAIL_SPAN of P5 to P95 (the notes say
-- where the tails really reach). Returns bins, notes, or nil when the
-- summary has no finite quantiles.
local function quantile_bins(L, st, fmt)
  local e = {}
  for i, k in ipairs(EDGES) do e[i] = st[k] end
  -- a tail without a finite value (a CAC without customers) stops at the
  -- next finite quantile
  for i = 2, #e do if not finite(e[i]) and finite(e[i - 1]) then e[i] = e[i - 1] end end
  for i = #e - 1, 1, -1 do if not finite(e[i]) and finite(e[i + 1]) then e[i] = e[i + 1] end end
  if not finite(e[1]) then return nil end
  local notes = {}
  local core_span = e[8] - e[2]
  if core_span > 0 then
    local lo, hi = e[2] - TAIL_SPAN * core_span, e[8] + TAIL_SPAN * core_span
    if e[1] < lo then notes[#notes + 1] = L.t("html.hist_clip_low", fmt(e[1])) e[1] = lo end
    if e[9] > hi then notes[#notes + 1] = L.t("html.hist_clip_high", fmt(e[9])) e[9] = hi end
  end
  local span = e[9] - e[1]
  if span <= 0 then
    local d = e[1] == 0 and 0.5 or math.abs(e[1]) * 0.02
    return { { lo = e[1] - d, hi = e[1] + d, mass = 1 } }, notes
  end
  -- a bin of no width (integer quantiles that coincide) is drawn narrow
  local minw = span / 60
  local bins = {}
  for i = 1, 8 do
    local lo, hi = e[i], e[i + 1]
    if hi - lo < minw then
      local mid = (lo + hi) / 2
      lo, hi = mid - minw / 2, mid + minw / 2
    end
    bins[i] = { lo = lo, hi = hi, mass = MASS[i] }
  end
  return bins, notes
end

-- A summary's quantiles as a table: one row per statistic.
local function stat_table(L, caption, st, fmt, base)
  local rows = {}
  for _, k in ipairs({ "mean", "min", "p5", "p10", "p25", "p50", "p75", "p90", "p95", "max" }) do
    rows[#rows + 1] = { k == "mean" and L.t("html.mean") or k == "min" and L.t("html.min") or k == "max" and L.t("html.max") or k:upper(),
      num_cell(st[k], fmt, ptr(base, k)) }
  end
  return data_table(caption, { L.t("html.statistic"), L.t("html.value") }, rows)
end

local function goal_block(r, g, i, ctx, base)
  local L = ctx.L
  local fmt, axis = fmt_for(L, g.metric), fmt_for(L, g.metric, true)
  local gp = ptr(base, "goals", i - 1)
  local verdict = g.on_track and el("span", { { "class", "verdict good" } }, "✓ " .. esc(L.t("html.on_track")))
    or el("span", { { "class", "verdict bad" } }, "✗ " .. esc(L.t("html.below")))
  local head = el("p", { { "class", "headline" } },
    el("span", { { "class", "big" }, { "data-path", gp .. "/probability" }, { "data-value", R.num(g.probability) } },
      esc(L.pct1(g.probability))) .. " " ..
    el("span", { { "class", "big-label" } }, esc(L.t("html.chance_met"))) .. " " .. verdict)
  local rule = para(L.t("html.goal_rule", metric_label(L, g.metric), g.op == ">=" and "≥" or "≤", fmt(g.target),
    R.window_in(L, r, g), L.pct(g.confidence), fmt(g.value.p10), fmt(g.value.p90)), "rule")
  local bins, notes = quantile_bins(L, g.value, fmt)
  local chart = ""
  if bins then
    local svg = S.histogram({ ids = ctx.ids,
      title = L.t("html.hist_title", metric_label(L, g.metric), g.name),
      desc = L.t("html.hist_desc", fmt(g.value.p10), fmt(g.value.p50), fmt(g.value.p90), fmt(g.target), L.pct1(g.probability)),
      bins = bins, target = g.target, met = g.op == ">=" and "right" or "left",
      target_label = L.t("html.target", fmt(g.target)), met_label = L.t("html.met_side", L.pct1(g.probability)),
      fmt = axis, data = { { "data-goal", g.name }, { "data-metric", g.metric } },
    })
    chart = figure(L, svg, L.t("html.hist_caption", metric_label(L, g.metric)), notes,
      { { "bin", L.t("html.legend_share") }, { "met", L.t("html.legend_met") }, { "target", L.t("html.legend_target") } },
      stat_table(L, L.t("html.hist_table", metric_label(L, g.metric)), g.value, fmt, gp .. "/value"))
  end
  return el("article", { { "class", "goal " .. (g.on_track and "on-track" or "below") } },
    el("h3", nil, esc(g.name)) .. head .. rule .. chart)
end

local function goals_section(r, ctx, base, id)
  if #r.goals == 0 then return "" end
  local parts = {}
  for i, g in ipairs(r.goals) do parts[i] = goal_block(r, g, i, ctx, base) end
  return section(id .. "-goals", ctx.L.t("html.title_goals"), para(ctx.L.t("html.hist_note"), "note") ..
    el("div", { { "class", "goals" } }, table.concat(parts)))
end

-- Drivers ------------------------------------------------------------------

-- The drivers of a goal worth showing (a swing beyond two standard errors),
-- and how many were left out.
local function tornado(ctx, g, gi, shown, base)
  local L = ctx.L
  local lo, hi = g.probability, g.probability
  local groups, rows = {}, {}
  local dp = ptr(base, "goals", gi - 1, "drivers")
  for _, x in ipairs(shown) do
    local d = x.d
    lo, hi = math.min(lo, d.low, d.high, d.middle), math.max(hi, d.low, d.high, d.middle)
    groups[#groups + 1] = { label = d.assumption, rows = {
      { segs = { { from = d.middle, to = d.low, kind = "hatch", text = L.pct1(d.low) } } },
      { segs = { { from = d.middle, to = d.high, kind = "solid", text = L.pct1(d.high) } } },
    } }
    local p = ptr(dp, x.j - 1)
    rows[#rows + 1] = { d.assumption, num_cell(d.low, L.pct1, p .. "/low"), num_cell(d.middle, L.pct1, p .. "/middle"),
      num_cell(d.high, L.pct1, p .. "/high"), num_cell(d.swing, function(v) return points(L, v) end, p .. "/swing") }
  end
  local svg = S.bars({ ids = ctx.ids,
    class = "tornado", title = L.t("html.drivers_chart", g.name),
    desc = L.t("html.drivers_desc", g.name, shown[1].d.assumption, points(L, shown[1].d.swing)),
    domain = { math.max(0, lo - 0.05), math.min(1, hi + 0.05) }, fmt = L.pct, groups = groups,
    marks = { { x = g.probability, kind = "overall" } }, data = { { "data-goal", g.name } },
  })
  return figure(L, svg, L.t("html.drivers_caption", g.name), { L.t("html.drivers_note", L.pct1(g.probability)) },
    { { "hatch", L.t("html.legend_low") }, { "solid", L.t("html.legend_high") }, { "overall", L.t("html.legend_overall") } },
    data_table(L.t("html.drivers_table", g.name), { L.t("html.assumption"), L.t("html.low_third"), L.t("html.middle"),
      L.t("html.high_third"), L.t("html.swing") }, rows))
end

local function drivers_section(r, ctx, base, id)
  if #r.goals == 0 then return "" end
  local L = ctx.L
  local parts = {}
  local groups, counts = R.informative_drivers(r.goals, DRIVERS_SHOWN)
  local noise, edge, more = counts.noise, counts.edge, counts.more
  for _, gr in ipairs(groups) do parts[#parts + 1] = tornado(ctx, gr.goal, gr.index, gr.shown, base) end
  local notes = {}
  if noise > 0 then notes[#notes + 1] = L.t(noise == 1 and "html.drivers_noise_one" or "html.drivers_noise", noise) end
  if edge > 0 then notes[#notes + 1] = L.t(edge == 1 and "html.drivers_edge_one" or "html.drivers_edge", edge) end
  if more > 0 then notes[#notes + 1] = L.t(more == 1 and "html.drivers_more_one" or "html.drivers_more", more) end
  if #parts == 0 and #notes == 0 then return "" end
  local body = para(L.t("html.drivers_intro")) .. el("div", { { "class", "charts" } }, table.concat(parts))
  if #notes > 0 then body = body .. para(table.concat(notes, "; ") .. ".", "note") end
  return section(id .. "-drivers", L.t("html.title_drivers"), body)
end

-- Series -----------------------------------------------------------------

local function series_label(L, name, stages)
  if stages[name] then return L.t("html.series_stage", name) end
  return maybe(L, "series." .. name) or metric_label(L, name)
end

local function fan_block(r, s, labels, ctx, base, stages)
  local L = ctx.L
  local money = s.name == "revenue" or s.name == "spend"
  local fmt = money and function(x) return L.money(x) end or L.num
  local axis = money and function(x) return L.money(x, L.compact) end or L.compact
  local name = series_label(L, s.name, stages)
  local rows, first, last = {}, s.periods[1], s.periods[#s.periods]
  for t, st in ipairs(s.periods) do
    local p = ptr(base, "series", s.name, t - 1)
    rows[t] = { labels[t], num_cell(st.p10, fmt, p .. "/p10"), num_cell(st.p25, fmt, p .. "/p25"),
      num_cell(st.p50, fmt, p .. "/p50"), num_cell(st.p75, fmt, p .. "/p75"), num_cell(st.p90, fmt, p .. "/p90") }
  end
  local svg = S.fan({ ids = ctx.ids,
    title = L.t("html.fan_title", name),
    desc = L.t("html.fan_desc", name, labels[1], fmt(first.p50), labels[#labels], fmt(last.p50), fmt(last.p10), fmt(last.p90)),
    periods = s.periods, labels = labels, fmt = axis,
    data = { { "data-series", s.name } },
  })
  return figure(L, svg, name, nil, nil,
    data_table(L.t("html.fan_table", name), { L.t("html.period"), "P10", "P25", "P50", "P75", "P90" }, rows))
end

local function series_section(r, ctx, base, id)
  local L = ctx.L
  local stages = {}
  for _, st in ipairs(r.stages) do stages[st.name] = true end
  local names, by = R.key_series(r)
  for _, st in ipairs(r.stages) do if by[st.name] then names[#names + 1] = st.name end end
  if #names == 0 then return "" end
  local labels = period_labels(L, r)
  local parts = {}
  for i, n in ipairs(names) do parts[i] = fan_block(r, by[n], labels, ctx, base, stages) end
  return section(id .. "-series", L.t("html.title_series", L.t("units." .. r.unit)),
    para(L.t("html.fan_intro")) ..
    el("ul", { { "class", "legend" } }, el("li", nil, el("span", { { "class", "key key-band1" } }, "") .. esc(L.t("html.legend_p10_p90"))) ..
      el("li", nil, el("span", { { "class", "key key-band2" } }, "") .. esc(L.t("html.legend_p25_p75"))) ..
      el("li", nil, el("span", { { "class", "key key-median" } }, "") .. esc(L.t("html.legend_median")))) ..
    el("div", { { "class", "charts" } }, table.concat(parts)))
end

-- Tables -----------------------------------------------------------------

local function stat_cells(st, fmt, p, keys)
  local out = {}
  for i, k in ipairs(keys) do out[i] = num_cell(st[k], fmt, p .. "/" .. k) end
  if st.infinite > 0 then out[1][1] = out[1][1] .. "*" end
  return out
end

local FORECAST_KEYS = { "mean", "p10", "p25", "p50", "p75", "p90" }

local function forecast_section(r, ctx, base, id)
  local L = ctx.L
  local rows, inf = {}, false
  for _, m in ipairs(r.metrics) do
    inf = inf or m.stat.infinite > 0
    rows[#rows + 1] = { { metric_label(L, m.name), head = true }, table.unpack(stat_cells(m.stat, fmt_for(L, m.name),
      ptr(base, "metrics", m.name), FORECAST_KEYS)) }
  end
  local body = data_table(nil, { L.t("html.metric"), L.t("html.mean"), "P10", "P25", "P50", "P75", "P90" }, rows, "figures")
  if inf then body = body .. para(L.t("html.infinite_note"), "note") end
  return section(id .. "-forecast", L.t("html.title_forecast"), para(L.t("html.forecast_intro", R.periods_in(L, r.periods, r.unit))) .. body)
end

local function funnel_section(r, ctx, base, id)
  local L = ctx.L
  local conv, pipe = {}, {}
  for _, c in ipairs(r.conversion or {}) do conv[c.name] = c.stat end
  for _, c in ipairs(r.pipeline or {}) do pipe[c.name] = c.stat end
  local money = function(x) return L.money(x) end
  local rows = {}
  for _, s in ipairs(r.stages) do
    local row = { s.name }
    for _, c in ipairs(stat_cells(s.total, L.num, ptr(base, "stages", s.name), { "mean", "p10", "p50", "p90" })) do row[#row + 1] = c end
    for _, k in ipairs({ "p10", "p50", "p90" }) do
      row[#row + 1] = num_cell(s.cost[k], money, ptr(base, "stage_costs", s.name, k))
    end
    row[#row + 1] = conv[s.name] and num_cell(conv[s.name].p50, L.pct1, ptr(base, "conversion", s.name, "p50")) or "-"
    row[#row + 1] = pipe[s.name] and num_cell(pipe[s.name].mean, L.num, ptr(base, "pipeline", s.name, "mean")) or "-"
    rows[#rows + 1] = row
  end
  return section(id .. "-funnel", L.t("html.title_funnel"), data_table(nil, {
    { { "" }, { L.t("html.arrivals"), span = 4 }, { L.t("html.cost_each"), span = 3 }, { "" }, { "" } },
    { L.t("html.stage"), L.t("html.mean"), "P10", "P50", "P90", "P10", "P50", "P90", L.t("html.conversion"), L.t("html.pipeline") },
  }, rows, "figures") .. para(L.t("html.funnel_note"), "note"))
end

local function channels_section(r, ctx, base, id)
  if #r.channels == 0 then return "" end
  local L = ctx.L
  local money = function(x) return L.money(x) end
  local rows = {}
  for _, ch in ipairs(r.channels) do
    local p = ptr(base, "channels", ch.name)
    rows[#rows + 1] = { ch.name, num_cell(ch.spend.mean, money, p .. "/spend/mean"),
      num_cell(ch.visitors.mean, L.num, p .. "/visitors/mean"), num_cell(ch.visitors.p10, L.num, p .. "/visitors/p10"),
      num_cell(ch.visitors.p90, L.num, p .. "/visitors/p90"),
      ch.customers and num_cell(ch.customers.mean, L.num, p .. "/customers/mean") or "-",
      ch.cac and num_cell(ch.cac.p50, money, p .. "/cac/p50") or "-" }
  end
  local body = data_table(nil, { L.t("html.channel"), L.t("html.spend"), L.t("html.arrivals_mean"), L.t("html.arrivals_p10"),
    L.t("html.arrivals_p90"), L.t("html.customers_mean"), L.t("html.cac_p50") }, rows, "figures")
  if not r.channels[1].customers then body = body .. para(L.t("html.channels_note"), "note") end
  return section(id .. "-channels", L.t("html.title_channels"), body)
end

-- With --actuals: the goals at plan time and now, each series' observed
-- periods against the plan's P10-P90, the assumptions the periods updated.
local function actuals_section(r, ctx, base, id)
  local a = r.actuals
  if not a then return "" end
  local L = ctx.L
  local pct = function(x) return L.pct1(x) end
  local parts = { para(core._script("report_history").actuals_header(L, a)) }
  local rows = {}
  for i, g in ipairs(a.goals) do
    local p = ptr(base, "actuals", "goals", i - 1)
    rows[i] = { g.name, num_cell(g.plan, pct, p .. "/plan"), num_cell(g.now, pct, p .. "/now"),
      { g.on_track and L.t("run.on_track") or L.t("run.below"), class = g.on_track and "verdict good" or "verdict bad" } }
  end
  if #rows > 0 then
    parts[#parts + 1] = data_table(L.t("act.goals"), { L.t("run.goal"), L.t("act.at_plan"), L.t("act.now"),
      L.t("run.verdict") }, rows, "figures")
  end
  rows = {}
  for i, s in ipairs(a.series) do
    local j = #s.periods
    local p = ptr(base, "actuals", "series", i - 1, "periods", j - 1)
    local last = s.periods[j]
    rows[i] = { s.name, string.format("%d / %d", s.inside, j), tostring(s.below), tostring(s.above),
      num_cell(last.actual, L.num, p .. "/actual"), num_cell(last.p10, L.num, p .. "/p10"),
      num_cell(last.p90, L.num, p .. "/p90"),
      { L.t("act." .. (s.status == "on_plan" and "on_plan" or s.status)),
        class = s.status == "behind" and "verdict bad" or s.status == "ahead" and "verdict good" or nil } }
  end
  if #rows > 0 then
    parts[#parts + 1] = data_table(L.t("act.series"), { L.t("act.series_name"), L.t("act.inside"), L.t("act.below"),
      L.t("act.above"), a.through, "P10", "P90", L.t("act.status") }, rows, "figures")
  end
  rows = {}
  for i, x in ipairs(r.assumptions or {}) do
    if x.update and x.update ~= "none" then
      local p = ptr(base, "assumptions", i - 1)
      rows[#rows + 1] = { x.path, x.prior and num_cell(x.prior.mean, L.num, p .. "/prior/mean") or "-",
        num_cell(x.mean, L.num, p .. "/mean"), num_cell(x.p5, L.num, p .. "/p5"), num_cell(x.p95, L.num, p .. "/p95"),
        x.observed and x.observed.text or "",
        L.t("act.method." .. x.update) .. (x.ess and " (ESS " .. L.num(x.ess) .. ")" or "") }
    end
  end
  if #rows > 0 then
    parts[#parts + 1] = data_table(L.t("act.updates"), { L.t("hist.assumption"), L.t("act.prior_mean"),
      L.t("act.now_mean"), "P5", "P95", L.t("act.observed"), L.t("act.method") }, rows, "figures")
  end
  for _, n in ipairs(a.notes) do parts[#parts + 1] = para(n, "note") end
  return section(id .. "-actuals", L.t("act.title"), table.concat(parts))
end

-- Whether a list of assumptions holds calibrated ones (calibrate()'s laws).
local function any_calibrated(list)
  for _, x in ipairs(list or {}) do if x.source then return true end end
  return false
end

-- The calibrated assumptions (calibrate()) beside the counts they came from.
local function calibrated_section(r, ctx, base, id)
  local L = ctx.L
  local rows, first = {}, nil
  for i, x in ipairs(r.assumptions or {}) do
    if x.source then
      first = first or x.source
      local p = ptr(base, "assumptions", i - 1)
      rows[#rows + 1] = { x.path, x.law, num_cell(x.mean, L.num, p .. "/mean"), num_cell(x.p5, L.num, p .. "/p5"),
        num_cell(x.p95, L.num, p .. "/p95"), core._script("report_history").counts_text(L, x.source) }
    end
  end
  if #rows == 0 then return "" end
  return section(id .. "-calibrated", L.t("hist.calibrated", first.file, first.periods, L.num(first.weight or 1)),
    data_table(nil, { L.t("hist.assumption"), L.t("hist.law"), L.t("hist.mean"), "P5", "P95", L.t("hist.from") },
      rows, "figures"))
end

-- One run's sections: the re-forecast (with actuals), goals, drivers,
-- series, forecast, funnel, channels, calibrated assumptions; ids begin
-- with id, JSON pointers with base.
local function run_sections(r, ctx, base, id)
  return actuals_section(r, ctx, base, id) .. goals_section(r, ctx, base, id) .. drivers_section(r, ctx, base, id) ..
    series_section(r, ctx, base, id) .. forecast_section(r, ctx, base, id) .. funnel_section(r, ctx, base, id) ..
    channels_section(r, ctx, base, id) .. calibrated_section(r, ctx, base, id)
end

-- The line under a run's title: trials, seed, horizon, precision.
local function run_meta(r, ctx, base)
  local L = ctx.L
  local parts = { el("span", { { "data-path", ptr(base, "trials") }, { "data-value", R.num(r.trials) } },
    esc(L.t("html.meta_trials", L.num(r.trials)))),
    esc(L.t("html.meta_seed", util.unsigned(r.seed))),
    esc(R.periods_in(L, r.periods, r.unit) .. R.span_in(L, r)) }
  local out = el("p", { { "class", "meta" } }, table.concat(parts, " · "))
  if r.precision then
    out = out .. para(r.precise and L.t("html.precise", L.localize(R.num(r.precision)))
      or L.t("html.not_precise", L.localize(R.num(r.precision)), L.num(r.trials)), "note")
  end
  return out
end

-- Page ---------------------------------------------------------------------

local CSS = [[
:root { color-scheme: light; --ink: #1b1f24; --muted: #59636e; --line: #d0d7de; --accent: #1f4e8c;
  --band1: #c9dcf2; --band2: #86afe0; --good: #1a7f37; --bad: #b42318; --paper: #ffffff; --soft: #f5f7fa; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
  background: var(--paper); line-height: 1.45; font-size: 16px; }
header, main, footer { max-width: 76rem; margin: 0 auto; padding: 0 1rem; }
header { padding-top: 1.2rem; }
h1 { font-size: 1.6rem; margin: 0.2rem 0 0.3rem; overflow-wrap: anywhere; }
h2 { font-size: 1.3rem; margin: 1.8rem 0 0.6rem; padding-bottom: 0.2rem; border-bottom: 2px solid var(--line); overflow-wrap: anywhere; }
h3 { font-size: 1.08rem; margin: 0.2rem 0 0.4rem; overflow-wrap: anywhere; }
p { margin: 0.3rem 0 0.6rem; }
.meta, .note, figcaption .note { color: var(--muted); font-size: 0.9rem; }
nav ul { list-style: none; padding: 0; margin: 0.6rem 0; display: flex; flex-wrap: wrap; gap: 0.3rem 1rem; font-size: 0.95rem; }
a { color: var(--accent); }
.goals, .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 28rem), 1fr)); gap: 1rem; }
.goal, .chart-box, .card { border: 1px solid var(--line); border-radius: 8px; padding: 0.8rem; background: var(--paper); margin: 0; min-width: 0; }
.goal.on-track { border-left: 6px solid var(--good); }
.goal.below { border-left: 6px dashed var(--bad); }
.headline { display: flex; flex-wrap: wrap; align-items: baseline; gap: 0.3rem 0.6rem; margin: 0.2rem 0; }
.big { font-size: 2.2rem; font-weight: 700; line-height: 1.1; font-variant-numeric: tabular-nums; }
.big-label { color: var(--muted); }
.verdict { font-weight: 700; padding: 0.1rem 0.5rem; border-radius: 4px; border: 1px solid currentColor; white-space: nowrap; }
.verdict.good { color: var(--good); }
.verdict.bad { color: var(--bad); }
.rule { font-size: 0.95rem; }
figure.chart-box { display: flex; flex-direction: column; gap: 0.4rem; }
svg.chart { display: block; width: 100%; max-width: 34rem; height: auto; margin: 0 auto; font-family: inherit; font-size: 12px; overflow: visible; }
svg .axis, svg .tick { stroke: var(--ink); stroke-width: 1; }
svg .grid { stroke: var(--line); stroke-width: 1; }
svg .tick-label, svg .axis-title { fill: var(--muted); font-size: 11.5px; }
svg .bin { fill: #7f9fc6; stroke: var(--paper); stroke-width: 0.8; fill-opacity: 0.85; }
svg .met-area { stroke: none; }
svg .met-bg { fill: #eaf4ec; }
svg .met-line { stroke: var(--good); stroke-width: 1.6; stroke-opacity: 0.55; }
svg .target { stroke: var(--ink); stroke-width: 2.2; stroke-dasharray: 6 3; }
svg .target-label { fill: var(--ink); font-weight: 700; }
svg .met-label { fill: var(--good); font-weight: 700; }
svg .met-label, svg .target-label, svg .bar-value { paint-order: stroke; stroke: var(--paper); stroke-width: 3px; stroke-linejoin: round; }
svg .band-p10-p90 { fill: var(--band1); stroke: none; }
svg .band-p25-p75 { fill: var(--band2); stroke: none; }
svg .median { fill: none; stroke: var(--accent); stroke-width: 2.5; }
svg .median-dot { fill: var(--accent); }
svg .actual { fill: var(--ink); stroke: var(--paper); stroke-width: 1.5; }
svg .actual-out { fill: var(--bad); }
svg .bar-label { fill: var(--ink); font-weight: 600; }
svg .row-label { fill: var(--ink); }
svg .bar-value { fill: var(--ink); font-size: 12px; }
svg .bar-solid { fill: var(--accent); }
svg .bar-light { fill: var(--band2); }
svg .bar-hatch, svg .bar-cross { stroke: var(--accent); stroke-width: 1; }
svg .bar-hatch-bg, svg .bar-cross-bg { fill: #e3ecf8; }
svg .bar-hatch-line, svg .bar-cross-line { stroke: var(--accent); stroke-width: 2.2; }
svg .mark { stroke: var(--ink); stroke-width: 1.6; stroke-dasharray: 4 3; }
svg .mark-zero { stroke-dasharray: none; }
.legend { list-style: none; padding: 0; margin: 0.2rem 0; display: flex; flex-wrap: wrap; gap: 0.2rem 1rem; font-size: 0.88rem; color: var(--muted); }
.key { display: inline-block; width: 1.4em; height: 0.8em; margin-right: 0.35em; vertical-align: -0.05em; border: 1px solid var(--muted); }
.key-bin { background: #7f9fc6; }
.key-met { background: repeating-linear-gradient(45deg, #eaf4ec 0 3px, #7fbf8f 3px 5px); }
.key-target { border: none; border-top: 3px dashed var(--ink); height: 0; }
.key-band1 { background: var(--band1); }
.key-band2 { background: var(--band2); }
.key-median { border: none; border-top: 3px solid var(--accent); height: 0; }
.key-actual { width: 0.7em; height: 0.7em; border-radius: 50%; background: var(--ink); }
.key-actual-out { width: 0.7em; height: 0.7em; border-radius: 50%; background: var(--bad); border-color: var(--bad); }
.key-solid { background: var(--accent); }
.key-light { background: var(--band2); }
.key-hatch { background: repeating-linear-gradient(45deg, #e3ecf8 0 3px, #1f4e8c 3px 5px); }
.key-cross { background: repeating-linear-gradient(-45deg, #e3ecf8 0 3px, #1f4e8c 3px 5px); }
.key-overall, .key-confidence, .key-half { border: none; border-top: 2px dashed var(--ink); height: 0; }
figcaption { font-size: 0.95rem; }
figcaption .note { display: block; margin-top: 0.2rem; }
details { font-size: 0.9rem; }
summary { cursor: pointer; color: var(--accent); }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; max-width: 100%; margin: 0.4rem 0 0.8rem; }
table { border-collapse: collapse; font-size: 0.92rem; min-width: 100%; }
table.figures { min-width: 0; }
caption { text-align: left; color: var(--muted); font-size: 0.88rem; padding: 0.2rem 0; caption-side: top; }
th, td { padding: 0.25rem 0.55rem; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
thead th { background: var(--soft); font-weight: 600; white-space: nowrap; }
thead th.group { text-align: center; border-left: 2px solid var(--paper); }
th[scope="row"] { font-weight: 600; min-width: 8rem; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 16rem), 1fr)); gap: 0.8rem; }
.card .big { font-size: 1.8rem; }
.cards + figure, .cards + .charts { margin-top: 0.8rem; }
pre { background: var(--soft); border: 1px solid var(--line); border-radius: 6px; padding: 0.6rem; overflow-x: auto;
  font-size: 0.82rem; line-height: 1.35; white-space: pre; max-width: 100%; }
code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; margin: 0.4rem 0; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
footer { color: var(--muted); font-size: 0.85rem; padding-bottom: 2rem; margin-top: 2rem; }
@media (max-width: 40rem) {
  body { font-size: 15px; }
  h1 { font-size: 1.35rem; }
  .big { font-size: 1.9rem; }
  dl.facts { grid-template-columns: 1fr; }
  header, main, footer { padding: 0 0.6rem; }
  .goal, .chart-box, .card { padding: 0.55rem; }
  .goal .chart-box { border: none; padding: 0; }
  svg.chart { font-size: 13.5px; }
  svg .tick-label, svg .bar-value { font-size: 13px; }
}
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { font-size: 10.5pt; }
  header, main, footer { max-width: none; padding: 0; }
  nav, details { display: none; }
  .goals, .charts { grid-template-columns: 1fr 1fr; gap: 0.35cm; }
  .goal, .chart-box, .card, table, pre, .block > p { break-inside: avoid; page-break-inside: avoid; }
  .goal, .chart-box { margin-bottom: 0; padding: 0.25cm; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  svg.chart { max-width: none; }
  figcaption, .legend, .rule { font-size: 8.5pt; }
  .scroll { overflow: visible; }
  pre { white-space: pre-wrap; overflow-wrap: anywhere; }
}
]]

-- The section that reproduces the report: version, seed, trials, the
-- command line and the scenario files as written.
local function reproduce_section(ctx, facts)
  local L = ctx.L
  local items = { el("dt", nil, esc(L.t("html.version"))) .. el("dd", nil, esc("funnelcast " .. core.version)) }
  for _, f in ipairs(facts) do items[#items + 1] = el("dt", nil, esc(f[1])) .. el("dd", nil, esc(f[2])) end
  if ctx.argv and #ctx.argv > 0 then
    items[#items + 1] = el("dt", nil, esc(L.t("html.command"))) .. el("dd", nil, el("code", nil, esc(command_line(ctx.argv))))
  end
  local body = { el("dl", { { "class", "facts" } }, table.concat(items)) }
  for _, src in ipairs(ctx.sources or {}) do
    if src[2] then
      body[#body + 1] = el("h3", nil, esc(L.t("html.source", src[1])))
      body[#body + 1] = el("pre", { { "class", "source" } }, el("code", nil, esc(src[2])))
    end
  end
  return section("reproduce", L.t("html.title_reproduce"), para(L.t("html.reproduce_intro")) .. table.concat(body))
end

-- The whole page: the title, a line under it, a table of contents ({ id,
-- words }), the body.
local function page(ctx, title, sub, toc, body)
  local L = ctx.L
  local links = {}
  for i, t in ipairs(toc) do links[i] = el("li", nil, el("a", { { "href", "#" .. t[1] } }, esc(t[2]))) end
  links[#links + 1] = el("li", nil, el("a", { { "href", "#reproduce" } }, esc(L.t("html.title_reproduce"))))
  return "<!DOCTYPE html>\n" .. el("html", { { "lang", L.code } }, "\n" ..
    el("head", nil, "\n" .. el("meta", { { "charset", "utf-8" } }) .. "\n" ..
      el("meta", { { "name", "viewport" }, { "content", "width=device-width, initial-scale=1" } }) .. "\n" ..
      el("meta", { { "name", "generator" }, { "content", "funnelcast " .. core.version } }) .. "\n" ..
      el("title", nil, esc(title)) .. "\n" .. el("style", nil, CSS) .. "\n") .. "\n" ..
    el("body", nil, "\n" ..
      el("header", nil, el("p", { { "class", "meta" } }, esc(L.t("html.kicker"))) .. el("h1", nil, esc(title)) .. sub ..
        el("nav", { { "aria-label", L.t("html.contents") } }, el("ul", nil, table.concat(links)))) .. "\n" ..
      el("main", nil, body) .. "\n" ..
      el("footer", nil, para(L.t("html.footer", core.version))) .. "\n") .. "\n") .. "\n"
end

local function run_toc(L, id, r)
  local toc = {}
  if r.actuals then toc[#toc + 1] = { id .. "-actuals", L.t("act.title") } end
  if #r.goals > 0 then toc[#toc + 1] = { id .. "-goals", L.t("html.title_goals") } end
  toc[#toc + 1] = { id .. "-series", L.t("html.title_series", L.t("units." .. r.unit)) }
  toc[#toc + 1] = { id .. "-forecast", L.t("html.title_forecast") }
  toc[#toc + 1] = { id .. "-funnel", L.t("html.title_funnel") }
  if #r.channels > 0 then toc[#toc + 1] = { id .. "-channels", L.t("html.title_channels") } end
  if any_calibrated(r.assumptions) then toc[#toc + 1] = { id .. "-calibrated", L.t("hist.calibrated_short") } end
  return toc
end

local function run_facts(L, r)
  return { { L.t("html.seed"), util.unsigned(r.seed) }, { L.t("html.trials"), L.num(r.trials) } }
end

-- Views ----------------------------------------------------------------------

-- The report context of one page: ctx with its own source of ids (see
-- svg.id_source), so that ids are unique on the page and the same on every run.
local function page_context(ctx)
  local page = {}
  for k, v in pairs(ctx) do page[k] = v end
  page.ids = S.id_source()
  page.L = core._script("locale").new(ctx.L.code, ctx.L.currency, { nbsp = true, formats = ctx.L.formats })
  return page
end

-- Each scenario of a document of several ("/scenarios/i" in its JSON) as a
-- section of its own, added to the table of contents toc and to body.
local function scenario_sections(results, ctx, toc, body)
  local L = ctx.L
  for i, r in ipairs(results) do
    local id, base = "s" .. i, ptr("", "scenarios", i - 1)
    toc[#toc + 1] = { id, r.scenario }
    body[#body + 1] = el("section", { { "id", id }, { "class", "scenario" } },
      el("h2", nil, esc(L.t("html.scenario_n", i, r.scenario))) .. run_meta(r, ctx, base) .. run_sections(r, ctx, base, id))
  end
end

function M.run(data, ctx)
  ctx = page_context(ctx)
  local L = ctx.L
  local results = data.results
  if #results == 1 then
    local r = results[1]
    return page(ctx, L.t("html.title_run", r.scenario), run_meta(r, ctx, ""), run_toc(L, "s1", r),
      run_sections(r, ctx, "", "s1") .. reproduce_section(ctx, run_facts(L, r)))
  end
  -- scenarios run apart, one after the other
  local toc, body = {}, {}
  scenario_sections(results, ctx, toc, body)
  return page(ctx, L.t("html.title_runs", #results), "", toc,
    table.concat(body) .. reproduce_section(ctx, run_facts(L, results[1])))
end

-- Backtest -------------------------------------------------------------------

-- The backtest (scripts/backtest.lua): the coverage per series, each
-- series' forecast fan over the test periods with the actual figures
-- marked, and the assumptions calibrated on the training periods.
function M.backtest(data, ctx)
  ctx = page_context(ctx)
  local L = ctx.L
  local b = data.backtest
  local pct = function(x) return L.pct(x) end
  local intro = para(L.t("bt.header", data.scenario, b.history, b.train, b.train_periods[1], b.train_periods[2], b.test,
    b.test_periods[1], b.test_periods[2], L.num(data.trials), util.unsigned(data.seed))) ..
    para(L.t("bt.summary", L.pct(b.coverage.p10_p90), L.pct(b.coverage.p25_p75), b.points, L.t("bt.verdict." .. b.verdict)))
  local rows = {}
  for i, s in ipairs(b.series) do
    local p = ptr("", "backtest", "series", s.name)
    rows[i] = { s.name, num_cell(s.coverage.p10_p90, pct, p .. "/coverage/p10_p90"),
      num_cell(s.coverage.p25_p75, pct, p .. "/coverage/p25_p75"), num_cell(s.mae, L.num, p .. "/mae"),
      { L.t("bt.verdict." .. s.verdict), class = s.verdict ~= "calibrated" and "verdict bad" or nil } }
  end
  local summary = section("bt-coverage", L.t("bt.series"), intro .. data_table(nil, { L.t("act.series_name"),
    "P10-P90", "P25-P75", L.t("bt.mae"), L.t("bt.verdict") }, rows, "figures"))
  local legend = el("ul", { { "class", "legend" } },
    el("li", nil, el("span", { { "class", "key key-band1" } }, "") .. esc(L.t("html.legend_p10_p90"))) ..
    el("li", nil, el("span", { { "class", "key key-band2" } }, "") .. esc(L.t("html.legend_p25_p75"))) ..
    el("li", nil, el("span", { { "class", "key key-median" } }, "") .. esc(L.t("html.legend_median"))) ..
    el("li", nil, el("span", { { "class", "key key-actual" } }, "") .. esc(L.t("bt.legend_in"))) ..
    el("li", nil, el("span", { { "class", "key key-actual-out" } }, "") .. esc(L.t("bt.legend_out"))))
  local fans = {}
  for _, s in ipairs(b.series) do
    local money = s.name == "revenue"
    local fmt = money and function(x) return L.money(x) end or L.num
    local axis = money and function(x) return L.money(x, L.compact) end or L.compact
    local labels, actual, trows = {}, {}, {}
    local p = ptr("", "backtest", "series", s.name)
    for t, pt in ipairs(s.points) do
      labels[t], actual[t] = pt.label, pt.actual
      trows[t] = { pt.label, num_cell(pt.actual, fmt, p .. "/actual/" .. (t - 1)),
        num_cell(pt.p10, fmt, p .. "/p10/" .. (t - 1)), num_cell(pt.p50, fmt, p .. "/p50/" .. (t - 1)),
        num_cell(pt.p90, fmt, p .. "/p90/" .. (t - 1)),
        (pt.actual >= pt.p10 and pt.actual <= pt.p90) and L.t("bt.in") or { L.t("bt.out"), class = "verdict bad" } }
    end
    local svg = S.fan({ ids = ctx.ids, title = L.t("bt.fan_title", s.name),
      desc = L.t("bt.fan_desc", s.name, L.pct(s.coverage.p10_p90)), periods = s.points, labels = labels, fmt = axis,
      actual = actual, data = { { "data-series", s.name } } })
    fans[#fans + 1] = figure(L, svg, L.t("bt.fan_title", s.name), { L.t("bt.fan_note", L.pct(s.coverage.p10_p90)) }, nil,
      data_table(L.t("bt.months", s.name), { L.t("html.period"), L.t("bt.actual"), "P10", "P50", "P90", "" }, trows))
  end
  local body = summary .. section("bt-series", L.t("bt.fans"), legend .. el("div", { { "class", "charts" } },
    table.concat(fans))) .. calibrated_section(data, ctx, "", "bt")
  for _, n in ipairs(b.notes) do body = body .. para(n, "note") end
  local toc = { { "bt-coverage", L.t("bt.series") }, { "bt-series", L.t("bt.fans") } }
  if any_calibrated(data.assumptions) then toc[#toc + 1] = { "bt-calibrated", L.t("hist.calibrated_short") } end
  return page(ctx, L.t("bt.title", data.scenario), "", toc, body ..
    reproduce_section(ctx, { { L.t("html.seed"), util.unsigned(data.seed) }, { L.t("html.trials"), L.num(data.trials) } }))
end

-- Comparison -----------------------------------------------------------------

local function by_name(list)
  local t = {}
  for _, x in ipairs(list or {}) do t[x.name] = x end
  return t
end

-- The metrics of every scenario side by side: P10, P50, P90 under each name.
local function side_by_side(results, ctx)
  local L = ctx.L
  local top, sub = { { "" } }, { L.t("html.metric") }
  for _, r in ipairs(results) do
    top[#top + 1] = { r.scenario, span = 3, class = "group" }
    sub[#sub + 1], sub[#sub + 2], sub[#sub + 3] = "P10", "P50", "P90"
  end
  local stats = {}
  for i, r in ipairs(results) do stats[i] = by_name(r.metrics) end
  local rows = {}
  for _, m in ipairs(results[1].metrics) do
    local row = { { metric_label(L, m.name), head = true } }
    local fmt = fmt_for(L, m.name)
    for i in ipairs(results) do
      local st = stats[i][m.name] and stats[i][m.name].stat
      for _, k in ipairs({ "p10", "p50", "p90" }) do
        row[#row + 1] = st and num_cell(st[k], fmt, ptr("", "scenarios", i - 1, "metrics", m.name, k)) or "-"
      end
    end
    rows[#rows + 1] = row
  end
  return section("side-by-side", L.t("html.title_side_by_side"), data_table(nil, { top, sub }, rows, "figures"))
end

-- Each goal's probability in every scenario, as bars.
local function goal_bars(results, ctx)
  local L = ctx.L
  local goals = results[1].goals
  if #goals == 0 then return "" end
  local groups, rows = {}, {}
  for gi, g in ipairs(goals) do
    local grp = { label = L.t("html.goal_needs", g.name, L.pct(g.confidence)), rows = {} }
    for i, r in ipairs(results) do
      local rg = r.goals[gi]
      if rg then
        grp.rows[#grp.rows + 1] = { label = r.scenario, segs = { { from = 0, to = rg.probability, kind = i == 1 and "hatch" or "solid",
          text = L.pct1(rg.probability),
          data = { { "data-path", ptr("", "scenarios", i - 1, "goals", gi - 1, "probability") }, { "data-value", R.num(rg.probability) } } } } }
        rows[#rows + 1] = { i == 1 and g.name or "", r.scenario,
          num_cell(rg.probability, L.pct1, ptr("", "scenarios", i - 1, "goals", gi - 1, "probability")),
          rg.on_track and L.t("html.on_track") or L.t("html.below") }
      end
    end
    groups[#groups + 1] = grp
  end
  local svg = S.bars({ ids = ctx.ids, class = "goal-bars", title = L.t("html.goal_bars_title"),
    desc = L.t("html.goal_bars_desc", #goals, #results), domain = { 0, 1 }, fmt = L.pct, groups = groups })
  return section("goal-bars", L.t("html.title_goal_bars"), figure(L, svg, L.t("html.goal_bars_title"), nil,
    { { "hatch", L.t("html.legend_base", results[1].scenario) }, { "solid", L.t("html.legend_alternatives") } },
    data_table(nil, { L.t("html.goal"), L.t("html.scenario"), L.t("html.probability"), L.t("html.verdict") }, rows)))
end

local function difference_block(d, di, ctx)
  local L = ctx.L
  local base = ptr("", "differences", di - 1)
  local rows, groups, brows, inf = {}, {}, {}, false
  for _, m in ipairs(d.metrics) do
    local fmt = fmt_for(L, m.name)
    local sf = function(x) return signed(x, fmt) end
    local p = ptr(base, "metrics", m.name)
    inf = inf or m.stat.infinite > 0
    local mean = num_cell(m.stat.mean, sf, p .. "/mean")
    if m.stat.infinite > 0 then mean[1] = mean[1] .. "*" end
    rows[#rows + 1] = { { metric_label(L, m.name), head = true }, mean, num_cell(m.stat.p10, sf, p .. "/p10"),
      num_cell(m.stat.p50, sf, p .. "/p50"), num_cell(m.stat.p90, sf, p .. "/p90"),
      num_cell(m.better, L.pct, p .. "/better"), num_cell(m.ties, L.pct, p .. "/ties"),
      L.t("html.dir_" .. (m.direction or "higher")) }
    if m.ties < 1 then
      groups[#groups + 1] = { rows = { { label = metric_label(L, m.name), segs = { { from = 0, to = m.better, kind = "solid",
        text = L.pct(m.better), data = { { "data-path", p .. "/better" }, { "data-value", R.num(m.better) } } } } } } }
      brows[#brows + 1] = { metric_label(L, m.name), num_cell(m.better, L.pct1, p .. "/better"), num_cell(m.ties, L.pct1, p .. "/ties") }
    end
  end
  local parts = { para(L.t("html.difference_intro", d.scenario, d.against)),
    data_table(L.t("html.difference_table", d.scenario, d.against), { L.t("html.metric"), L.t("html.mean"), "P10", "P50", "P90",
      L.t("html.better_head"), L.t("html.same_head"), { L.t("html.better_is"), class = "text" } }, rows, "figures") }
  if inf then parts[#parts + 1] = para(L.t("html.infinite_diff_note"), "note") end
  if #groups > 0 then
    local svg = S.bars({ ids = ctx.ids, class = "better", title = L.t("html.better_title", d.scenario, d.against),
      desc = L.t("html.better_desc", d.scenario, d.against), domain = { 0, 1 }, fmt = L.pct, groups = groups,
      marks = { { x = 0.5, kind = "half" } } })
    parts[#parts + 1] = figure(L, svg, L.t("html.better_title", d.scenario, d.against), { L.t("html.better_note") },
      { { "solid", L.t("html.legend_better") }, { "half", L.t("html.legend_half") } },
      data_table(nil, { L.t("html.metric"), L.t("html.better_head"), L.t("html.same_head") }, brows))
  end
  if #(d.goals or {}) > 0 then
    local grows = {}
    for gi, g in ipairs(d.goals) do
      local p = ptr(base, "goals", gi - 1)
      local half = 1.96 * g.se
      grows[gi] = { g.name, num_cell(g.against, L.pct1, p .. "/against"), num_cell(g.probability, L.pct1, p .. "/probability"),
        num_cell(g.difference, function(x) return points(L, x) end, p .. "/difference"),
        finite(half) and L.t("html.to", points(L, g.difference - half), points(L, g.difference + half)) or "-" }
    end
    parts[#parts + 1] = data_table(L.t("html.goal_diff_table"), { L.t("html.goal"), d.against, d.scenario,
      L.t("html.difference"), L.t("html.interval95") }, grows)
  end
  return section("diff-" .. di, L.t("html.vs", d.scenario, d.against), table.concat(parts))
end

function M.comparison(data, ctx)
  ctx = page_context(ctx)
  local L = ctx.L
  local results, differences = data.results, data.differences or {}
  local r1 = results[1]
  local trials = differences[1] and differences[1].trials or r1.trials
  local names = {}
  for i, r in ipairs(results) do
    names[i] = el("li", nil, esc(r.scenario) .. (i == 1 and " " .. el("em", nil, esc(L.t("html.base_mark"))) or ""))
  end
  local sub = el("p", { { "class", "meta" } }, esc(L.t("html.meta_trials", L.num(trials)) .. " · " ..
    L.t("html.meta_seed", util.unsigned(r1.seed)) .. " · " .. R.periods_in(L, r1.periods, r1.unit) .. R.span_in(L, r1))) ..
    para(L.t("html.same_futures")) .. el("ol", { { "class", "scenarios" } }, table.concat(names))
  local toc = { { "side-by-side", L.t("html.title_side_by_side") } }
  local body = { side_by_side(results, ctx) }
  if #r1.goals > 0 then
    toc[#toc + 1] = { "goal-bars", L.t("html.title_goal_bars") }
    body[#body + 1] = goal_bars(results, ctx)
  end
  for di, d in ipairs(differences) do
    toc[#toc + 1] = { "diff-" .. di, L.t("html.vs", d.scenario, d.against) }
    body[#body + 1] = difference_block(d, di, ctx)
  end
  scenario_sections(results, ctx, toc, body)
  return page(ctx, L.t("html.title_comparison", #results), sub, toc,
    table.concat(body) .. reproduce_section(ctx, run_facts(L, r1)))
end

-- Plan -----------------------------------------------------------------------

-- A decision's sentence in the words of L (its prose, see decide.prose),
-- else as the decision wrote it.
local function said(L, x, key, english)
  return words(L, x.prose and x.prose[key]) or english
end

-- The spend at a multiplier x of the channels varied (the others fixed):
-- spend is linear in it.
local function spend_at(p, x)
  local varied = 0
  for _, name in ipairs(p.channels or {}) do varied = varied + (p.spend_by_channel[name] or 0) end
  return (p.spend - varied) + varied * x / p.value
end

-- The answer: what was varied and the value found, with its interval.
local function plan_answer(p, ctx)
  local L = ctx.L
  local function three(x) return L.localize(string.format("%.3g", x)) end
  if not p.found then
    return el("div", { { "class", "card" } }, para(L.t("html.plan_not_found", p.goal, L.pct1(p.confidence), L.pct1(p.best.probability),
      three(p.best.value)), "headline") ..
      el("p", { { "class", "big" }, { "data-path", "/plan/best/probability" }, { "data-value", R.num(p.best.probability) } },
        esc(L.pct1(p.best.probability))) ..
      el("p", { { "class", "big-label" }, { "data-path", "/plan/best/value" }, { "data-value", R.num(p.best.value) } },
        esc(L.t("html.plan_best_at", three(p.best.value)))) .. para(said(L, p, "reason", p.reason), "note"))
  end
  local unit = L.t("unit." .. p.unit)
  local a, b = p.interval[1], p.interval[2]
  local iv = L.t("html.to", a and three(a) or "?", b and three(b) or "?")
  local cards = {}
  local budget = p.vary == "budget" and p.spend_by_channel
  if budget then
    local per = p.spend / p.periods
    cards[#cards + 1] = el("div", { { "class", "card" } },
      el("p", { { "class", "big-label" } }, esc(L.t("html.plan_budget", unit))) ..
      el("p", { { "class", "big" }, { "data-path", "/plan/spend_per_period" }, { "data-value", R.num(per) } }, esc(L.money(per))) ..
      para(L.t("html.plan_budget_iv", a and L.money(spend_at(p, a) / p.periods) or "?", b and L.money(spend_at(p, b) / p.periods) or "?")) ..
      para(L.t("html.plan_total", L.money(p.spend), R.periods_in(L, p.periods, p.unit)), "note"))
  end
  cards[#cards + 1] = el("div", { { "class", "card" } },
    el("p", { { "class", "big-label" } }, esc(budget and L.t("html.plan_multiplier") or L.t("html.plan_value", p.vary))) ..
    el("p", { { "class", "big" }, { "data-path", "/plan/value" }, { "data-value", R.num(p.value) } }, esc(three(p.value))) ..
    para(L.t("html.plan_interval", iv)))
  cards[#cards + 1] = el("div", { { "class", "card" } },
    el("p", { { "class", "big-label" } }, esc(L.t("html.plan_probability", p.goal))) ..
    el("p", { { "class", "big" }, { "data-path", "/plan/probability" }, { "data-value", R.num(p.probability) } }, esc(L.pct1(p.probability))) ..
    para(L.t("html.plan_confidence", L.pct1(p.confidence))))
  local out = para(L.t(p.direction == "smallest" and "html.plan_lead_smallest" or "html.plan_lead_largest", p.goal, L.pct1(p.confidence))) ..
    el("div", { { "class", "cards" } }, table.concat(cards))
  if p.reason then out = out .. para(said(L, p, "reason", p.reason), "note") end
  return out
end

-- The budget found per period beside its interval and the by-hand arithmetic.
local function plan_budget_chart(p, ctx)
  local L = ctx.L
  if not (p.found and p.vary == "budget" and p.spend_by_channel) then return "" end
  local per = p.spend / p.periods
  local money = function(x) return L.money(x, L.compact) end
  local trows = { { L.t("html.legend_found"), num_cell(per, L.money, "/plan/spend_per_period") } }
  local rows = { { label = L.t("html.legend_found"), segs = { { from = 0, to = per, kind = "solid", text = L.money(per),
    data = { { "data-path", "/plan/spend_per_period" }, { "data-value", R.num(per) } } } } } }
  local a, b = p.interval[1], p.interval[2]
  local hi = per
  if a and b then
    local x0, x1 = spend_at(p, a) / p.periods, spend_at(p, b) / p.periods
    hi = math.max(hi, x0, x1)
    rows[#rows + 1] = { label = L.t("html.legend_interval"), segs = { { from = math.min(x0, x1), to = math.max(x0, x1),
      kind = "light", text = L.t("html.to", L.money(math.min(x0, x1), L.compact), L.money(math.max(x0, x1), L.compact)) } } }
    trows[#trows + 1] = { L.t("html.legend_interval"), { L.t("html.to", L.money(math.min(x0, x1)), L.money(math.max(x0, x1))), class = "num" } }
  end
  local calc = p.calculator or {}
  if calc.spend_per_period then
    hi = math.max(hi, calc.spend_per_period)
    rows[#rows + 1] = { label = L.t("html.by_hand"), segs = { { from = 0, to = calc.spend_per_period, kind = "hatch",
      text = L.money(calc.spend_per_period),
      data = { { "data-path", "/plan/calculator/spend_per_period" }, { "data-value", R.num(calc.spend_per_period) } } } } }
    trows[#trows + 1] = { L.t("html.by_hand"), num_cell(calc.spend_per_period, L.money, "/plan/calculator/spend_per_period") }
  end
  local unit = L.t("unit." .. p.unit)
  local svg = S.bars({ ids = ctx.ids, class = "plan-budget", title = L.t("html.plan_chart_title", unit),
    desc = L.t("html.plan_chart_desc", L.money(per), unit), domain = { 0, hi }, fmt = money,
    groups = { { rows = rows } } })
  return figure(L, svg, L.t("html.plan_chart_title", unit), calc.note and { L.t("html.plan_why", said(L, p, "calc_note", calc.note)) } or nil,
    { { "solid", L.t("html.legend_found") }, { "light", L.t("html.legend_interval") }, { "hatch", L.t("html.legend_by_hand") } },
    data_table(nil, { "", L.t("html.plan_budget", unit) }, trows))
end

-- The reverse funnel: over the goal's window, per period, by hand; then
-- the KPIs per stage and period.
local function plan_kpis(p, ctx)
  local L = ctx.L
  if not p.found then return "" end
  local from, by = p.stages[1] and p.stages[1].from or 1, p.stages[1] and p.stages[1].by or p.periods
  local span = by - from + 1
  local by_stage = {}
  for k, c in ipairs((p.calculator or {}).stage or {}) do by_stage[c.stage] = { c = c, k = k } end
  local rows = {}
  for k, st in ipairs(p.stages) do
    local c = by_stage[st.stage]
    rows[k] = { st.stage, st.total.p50 and num_cell(st.total.p50, L.num, ptr("/plan/stages", k - 1, "total", "p50")) or "-",
      st.total.p50 and { L.num(st.total.p50 / span), class = "num" } or "-",
      c and num_cell(c.c.total, L.num, ptr("/plan/calculator/stage", c.k - 1, "total")) or "-" }
  end
  local unit = L.t("unit." .. p.unit)
  local window = R.window_in(L, p, { metric = "", from = from, by = by })
  local out = { el("h3", nil, esc(L.t("html.plan_reverse", window))),
    data_table(nil, { L.t("html.stage"), L.t("html.over_window"), L.t("html.per_unit_head", unit), L.t("html.by_hand") }, rows, "figures") }
  local head = { L.t("html.stage") }
  for t = from, by do head[#head + 1] = R.period_in(L, p, t) end
  local kpi = {}
  for k, st in ipairs(p.stages) do
    local row = { st.stage }
    for t = from, by do
      row[#row + 1] = st.per_period[t] and num_cell(st.per_period[t], L.num, ptr("/plan/stages", k - 1, "per_period", t - 1)) or "-"
    end
    kpi[k] = row
  end
  out[#out + 1] = el("h3", nil, esc(L.t("html.plan_kpi_title")))
  out[#out + 1] = data_table(L.t("html.plan_kpi_caption"), head, kpi, "figures kpi")
  local calc = p.calculator or {}
  if calc.spend then
    out[#out + 1] = para(L.t("html.plan_by_hand_line", L.money(calc.cost_per_visitor), L.money(calc.spend_per_period), unit,
      L.money(p.spend / p.periods), unit), "note")
  elseif calc.reason then
    out[#out + 1] = para(L.t("html.plan_no_by_hand", said(L, p, "calc_reason", calc.reason)), "note")
  end
  return section("plan-kpis", L.t("html.title_kpis"), table.concat(out))
end

-- The line under a decision's title: trials, seed, horizon.
local function decision_meta(L, x)
  local parts = { L.t("html.meta_trials", L.num(x.trials)), L.t("html.meta_seed", util.unsigned(x.seed)) }
  if x.periods and x.unit then parts[3] = R.periods_in(L, x.periods, x.unit) .. R.span_in(L, x) end
  return el("p", { { "class", "meta" } }, esc(table.concat(parts, " · ")))
end

-- How a decision was searched: its sentence and method, folded.
local function method_block(L, search, method)
  return el("details", { { "class", "method" } }, el("summary", nil, esc(L.t("html.how_searched"))) .. para(search) ..
    para(L.t("html.method", method)))
end

local function decision_page(ctx, title, sub, toc, body, result, result_title, facts)
  local L = ctx.L
  local parts = { body }
  if result then
    toc[#toc + 1] = { "result", result_title }
    parts[#parts + 1] = el("section", { { "id", "result" }, { "class", "scenario" } },
      el("h2", nil, esc(result_title .. " · " .. result.scenario)) .. run_meta(result, ctx, "/result") ..
      run_sections(result, ctx, "/result", "r"))
  end
  parts[#parts + 1] = reproduce_section(ctx, facts)
  return page(ctx, title, sub, toc, table.concat(parts))
end

function M.plan(data, ctx)
  ctx = page_context(ctx)
  local L = ctx.L
  local p = data.plan
  local body = section("plan", L.t("html.title_plan_answer"), plan_answer(p, ctx) .. plan_budget_chart(p, ctx) ..
    method_block(L, L.t("html.plan_search", p.runs, L.num(p.trials), util.unsigned(p.seed), L.num(p.between[1]), L.num(p.between[2])), said(L, p, "method", p.method)))
  body = body .. plan_kpis(p, ctx)
  local toc = { { "plan", L.t("html.title_plan_answer") } }
  if p.found then toc[#toc + 1] = { "plan-kpis", L.t("html.title_kpis") } end
  return decision_page(ctx, L.t("html.title_plan", p.goal), decision_meta(L, p), toc, body, data.result, L.t("html.at_found"),
    { { L.t("html.seed"), util.unsigned(p.seed) }, { L.t("html.trials"), L.num(p.trials) } })
end

-- Optimize ------------------------------------------------------------------

local function objective_words(L, o)
  if o.objective:match("^goal:") then return L.t("html.opt_chance", o.objective:sub(6)) end
  local stat, metric = o.objective:match("^(%w+):(.*)$")
  return L.t("html.opt_stat_" .. stat, metric_label(L, metric))
end

-- The objective's value for people (a probability as a percentage; a
-- difference of probabilities in points).
local function objective_fmt(L, o, diff)
  if o.objective:match("^goal:") then
    return diff and function(x) return points(L, x) end or L.pct1
  end
  local f = fmt_for(L, o.objective:match(":(.*)$"))
  return diff and function(x) return signed(x, f) end or f
end

function M.optimize(data, ctx)
  ctx = page_context(ctx)
  local L = ctx.L
  local o = data.optimize
  local names = o.channels
  local unit = L.t("unit." .. o.unit)
  local vf, df = objective_fmt(L, o), objective_fmt(L, o, true)
  -- a half-width: no sign
  local pm = o.objective:match("^goal:") and function(x) return L.t("html.points", L.localize(string.format("%.1f", 100 * x))) end or vf
  local money = function(x) return L.money(x) end
  local what = objective_words(L, o)
  local function card(label, x, f, path, note)
    return el("div", { { "class", "card" } }, el("p", { { "class", "big-label" } }, esc(label)) ..
      el("p", { { "class", "big" }, { "data-path", path }, { "data-value", R.num(x) } }, esc(f(x))) .. (note and para(note, "note") or ""))
  end
  local cards = el("div", { { "class", "cards" } },
    card(L.t("html.opt_best_value", what), o.value, vf, "/optimize/value", L.t("html.pm95", pm(1.96 * o.se))) ..
    card(L.t("html.opt_start_value", what), o.base.value, vf, "/optimize/base/value", L.t("html.pm95", pm(1.96 * o.base.se))) ..
    card(L.t("html.opt_difference"), o.difference, df, "/optimize/difference",
      finite(o.difference_se) and L.t("html.pm95", pm(1.96 * o.difference_se)) or nil))
  local groups, mgroups, rows, srows, mrows = {}, {}, {}, {}, {}
  local top, mlo, mhi = 0, 0, 0
  local is_goal = o.objective:match("^goal:") ~= nil
  local mf = is_goal and function(x) return L.t("html.points", L.localize(string.format("%+.2f", 100 * x))) end or function(x) return signed(x, L.num) end
  for _, name in ipairs(names) do
    local best, start, m = o.split[name], o.base.split[name], o.marginal[name]
    top = math.max(top, best, start)
    mlo, mhi = math.min(mlo, m), math.max(mhi, m)
    groups[#groups + 1] = { label = name, rows = {
      { segs = { { from = 0, to = start, kind = "hatch", text = L.t("html.opt_start_v", L.money(start)),
        data = { { "data-path", ptr("/optimize/base/split", name) }, { "data-value", R.num(start) } } } } },
      { segs = { { from = 0, to = best, kind = "solid", text = L.t("html.opt_best_v", L.money(best)),
        data = { { "data-path", ptr("/optimize/split", name) }, { "data-value", R.num(best) } } } } } } }
    mgroups[#mgroups + 1] = { label = name, rows = { { segs = { { from = 0, to = m, kind = "solid", text = mf(m),
      data = { { "data-path", ptr("/optimize/marginal", name) }, { "data-value", R.num(m) } } } } } } }
    rows[#rows + 1] = { name, num_cell(best, money, ptr("/optimize/split", name)), num_cell(start, money, ptr("/optimize/base/split", name)),
      o.min[name] and num_cell(o.min[name], money, ptr("/optimize/min", name)) or "-",
      o.max[name] and num_cell(o.max[name], money, ptr("/optimize/max", name)) or "-",
      num_cell(m, mf, ptr("/optimize/marginal", name)) }
    srows[#srows + 1] = { name, rows[#rows][3], rows[#rows][2] }
    mrows[#mrows + 1] = { name, rows[#rows][6] }
  end
  local split = S.bars({ ids = ctx.ids, class = "split", title = L.t("html.opt_split_title", L.money(o.budget), unit),
    desc = L.t("html.opt_split_desc", #names), domain = { 0, top }, fmt = function(x) return L.money(x, L.compact) end, groups = groups })
  local marginal = S.bars({ ids = ctx.ids, class = "marginal", title = L.t("html.opt_marginal_title", L.money(o.marginal_step), unit),
    desc = L.t("html.opt_marginal_desc", L.money(o.marginal_step)), domain = { mlo, mhi },
    fmt = is_goal and function(x) return L.t("html.points", L.localize(R.num(100 * x))) end or L.compact, groups = mgroups,
    marks = { { x = 0, kind = "zero" } } })
  local body = para(L.t("html.opt_lead", L.money(o.budget), unit, what)) .. cards ..
    el("div", { { "class", "charts" } },
      figure(L, split, L.t("html.opt_split_title", L.money(o.budget), unit), nil,
        { { "hatch", L.t("html.legend_start") }, { "solid", L.t("html.legend_best") } },
        data_table(nil, { L.t("html.channel"), L.t("html.start"), L.t("html.best") }, srows)) ..
      figure(L, marginal, L.t("html.opt_marginal_title", L.money(o.marginal_step), unit), { L.t("html.opt_marginal_note") }, nil,
        data_table(nil, { L.t("html.channel"), L.t("html.marginal") }, mrows))) ..
    data_table(L.t("html.opt_table", unit), { L.t("html.channel"), L.t("html.best"), L.t("html.start"), L.t("html.min"),
      L.t("html.max"), L.t("html.marginal") }, rows, "figures") ..
    method_block(L, L.t("html.opt_search", o.search_runs, o.polls, L.num(o.trials), util.unsigned(o.seed), util.unsigned(o.fresh_seed)), said(L, o, "method", o.method))
  return decision_page(ctx, L.t("html.title_optimize", what), decision_meta(L, o), { { "optimize", L.t("html.title_split") } },
    section("optimize", L.t("html.title_split"), body), data.result, L.t("html.at_best"),
    { { L.t("html.seed"), util.unsigned(o.seed) }, { L.t("html.trials"), L.num(o.trials) } })
end

return M
