-- report: the report writers' registry, keyed by format ("text", "json",
-- "csv", "html") and view ("run": one run's results; "comparison":
-- scenarios on common random numbers; "plan" and "optimize": the
-- decisions; "check": the compiled models), the report context, and the
-- text table layout the writers share. The writers live in their own modules and
-- are loaded when first used.
local core = ...
local util = core._script("util")
local M = {}

-- The formats, in the order the command lists them: each one's writer per
-- view, "module.function", called as f(data, ctx) with data the view's
-- payload (run and comparison: { results = { r, ... }, differences = d or
-- nil }; plan and optimize: what plan{} and optimize{} return) and ctx the
-- report context (see M.context). A writer returns the report's bytes, or,
-- to write a folder (ctx.output), a list of { name, bytes } (bytes false: a
-- file of the format's that this report has not, removed). A new format or view is one module and
-- one entry here.
local FORMATS = {
  { name = "text", about = "a report for the terminal (the default)",
    run = "report_run.text", comparison = "report_compare.text", plan = "report_plan.text",
    optimize = "report_optimize.text", check = "report_check.text", backtest = "report_history.text" },
  { name = "json", about = "every figure, for programs (DESIGN.md's contract)",
    run = "report_run.json", comparison = "report_compare.json", plan = "report_plan.json",
    optimize = "report_optimize.json", check = "report_check.json", backtest = "report_history.json" },
  { name = "csv", about = "tidy tables: -o DIR one file each, -o - or -o FILE.csv one long table",
    run = "report_csv.run", comparison = "report_csv.comparison", plan = "report_csv.plan",
    optimize = "report_csv.optimize", backtest = "report_csv.backtest" },
  { name = "html", about = "one self-contained page with charts",
    run = "report_html.run", comparison = "report_html.comparison", plan = "report_html.plan",
    optimize = "report_html.optimize", backtest = "report_html.backtest" },
}

local function format_entry(name)
  for _, f in ipairs(FORMATS) do if f.name == name then return f end end
  return nil
end

-- The names of the formats, in order.
function M.formats()
  local out = {}
  for i, f in ipairs(FORMATS) do out[i] = f.name end
  return out
end

-- "  text  a report for ...\n ...": the formats for --help.
function M.formats_help()
  local lines = {}
  for i, f in ipairs(FORMATS) do lines[i] = string.format("                    %-5s %s", f.name, f.about) end
  return table.concat(lines, "\n") .. "\n"
end

-- The writer of a format and view, or nil and a message.
function M.writer(format, view)
  local f = format_entry(format)
  if not f then
    return nil, string.format("--format %s: expected one of %s", tostring(format), table.concat(M.formats(), ", "))
  end
  if not f[view] then return nil, string.format("no %s report of a %s", format, view) end
  local module, fn = f[view]:match("^([^.]+)%.(.+)$")
  return core._script(module)[fn]
end

-- The report context writers read: ctx.L the locale (scripts/locale.lua),
-- ctx.columns the terminal's width, ctx.color whether to colour, ctx.argv
-- the command line, ctx.output where the report goes (nil: standard
-- output), ctx.sources { { file, text }, ... } the scenario files as
-- written. opts: { lang, locale (the number and date formats' locale;
-- default the language's), currency, columns, color, argv, output, sources };
-- every field may be missing.
function M.context(opts)
  opts = opts or {}
  local locale = core._script("locale")
  return {
    L = locale.new(opts.lang or "en", opts.currency, { formats = opts.locale }),
    lang = opts.lang or "en",
    columns = opts.columns or 100,
    color = opts.color == true,
    argv = opts.argv,
    output = opts.output,
    sources = opts.sources or {},
  }
end

-- report.write(format, view, data [, ctx]): the report (see FORMATS), or
-- nil and a message when the format has no such view.
function M.write(format, view, data, ctx)
  local f, why = M.writer(format, view)
  if not f then return nil, why end
  return f(data, ctx or M.context())
end

local function write(format, results, differences)
  local out = assert(M.write(format, differences == nil and "run" or "comparison",
    { results = results, differences = differences }))
  return out
end

-- report.json(results [, differences]), report.text(results [, differences]):
-- the run's report, or with differences (one per scenario after the first,
-- see report_compare.lua) the comparison's, in English.
function M.json(results, differences) return write("json", results, differences) end
function M.text(results, differences) return write("text", results, differences) end

M.QUANTS = { "p5", "p10", "p25", "p50", "p75", "p90", "p95" }
M.STAT_KEYS = core._script("json").STAT_KEYS

-- Numbers for people, in English (see scripts/locale.lua: the one place
-- numbers are formatted, and how a language writes them).
local numbers = core._script("locale")
M.human = numbers.human
M.num = core._script("json").num

local calendar = core._script("calendar")

-- What the writers show alike ------------------------------------------------

-- A goal this close to 0 or 1 has no drivers shown: nothing moves it.
local DRIVERS_EDGE = 0.01

-- The drivers of goals that inform, for every writer that shows them: a
-- goal under DRIVERS_EDGE or over 1 - DRIVERS_EDGE has none (counted in
-- edge); an assumption whose swing is not finite or within two standard
-- errors of no effect is left out (counted in noise); at most `most` per
-- goal (the rest counted in more). Returns { { goal = g, index = i, shown =
-- { { d = driver, j = its index }, ... } }, ... } (goals with some shown)
-- and the counts { noise, edge, more }.
function M.informative_drivers(goals, most)
  local out, counts = {}, { noise = 0, edge = 0, more = 0 }
  for i, g in ipairs(goals) do
    if g.probability < DRIVERS_EDGE or g.probability > 1 - DRIVERS_EDGE then
      counts.edge = counts.edge + 1
    else
      local shown = {}
      for j, d in ipairs(g.drivers) do
        if d.swing == d.swing and math.abs(d.swing) ~= math.huge and math.abs(d.swing) > 2 * d.se then
          if #shown < most then shown[#shown + 1] = { d = d, j = j } else counts.more = counts.more + 1 end
        else
          counts.noise = counts.noise + 1
        end
      end
      if #shown > 0 then out[#out + 1] = { goal = g, index = i, shown = shown } end
    end
  end
  return out, counts
end

-- The key series of a run that it has (new customers, active customers,
-- revenue, in that order), and its series by name.
local KEY_SERIES = { "new_customers", "active", "revenue" }
function M.key_series(r)
  local by, names = {}, {}
  for _, s in ipairs(r.series) do by[s.name] = s end
  for _, name in ipairs(KEY_SERIES) do if by[name] then names[#names + 1] = name end end
  return names, by
end

-- Period t of a run or scenario x in words of locale L: "Jul 2027",
-- "juil. 2027" where it has a start (the label itself when raw), else
-- "month 7", "mois 7".
function M.period_in(L, x, t, raw)
  if x.start then
    local label = calendar.label(x.unit, x.start, t)
    return raw and label or L.period(x.unit, label)
  end
  return L.t("period.n", L.t("unit." .. x.unit), t)
end

-- "12 months", "1 semaine".
function M.periods_in(L, n, unit)
  return L.t("period.count", L.num(n), L.t((n == 1 and "unit." or "units.") .. unit))
end

-- A goal's window in words of L: "by month 12", "month 7 to month 12",
-- "every month, 2027-07 to 2027-12", "after month 12" (a pipeline).
function M.window_in(L, x, g, raw)
  local function at(t) return M.period_in(L, x, t, raw) end
  if g.metric:match("^pipeline%.") then return L.t("window.after", at(x.periods)) end
  if g.every then
    if g.from == 1 and g.by == x.periods then return L.t("window.every", L.t("unit." .. x.unit)) end
    return L.t("window.every_span", L.t("unit." .. x.unit), at(g.from), at(g.by))
  end
  if g.from == 1 then return L.t("window.by", at(g.by)) end
  return L.t("window.span", at(g.from), at(g.by))
end

-- " (2027-01 to 2027-12)": the calendar span of a run or scenario with a
-- start in words of L, else "".
function M.span_in(L, x, raw)
  if not x.start then return "" end
  if x.periods == 1 then return " (" .. M.period_in(L, x, 1, raw) .. ")" end
  return " (" .. L.t("window.span", M.period_in(L, x, 1, raw), M.period_in(L, x, x.periods, raw)) .. ")"
end

-- The calendar labels of a run's periods, or nil without a start.
function M.labels(x)
  return x.start and calendar.labels(x.unit, x.start, x.periods) or nil
end

-- JSON ---------------------------------------------------------------------

-- The JSON encoder's pieces (scripts/json.lua), for the writers.
local json = core._script("json")
local num, str = json.num, json.str
M.num, M.str, M.object, M.array, M.value = json.num, json.str, json.object, json.array, json.value
M.stat_json = json.stat

-- A decision's JSON document: { "<key>": the pairs kv, "result": the run at
-- what it found (when there is one) }.
function M.decision_json(key, kv, result)
  local top = { { key, M.object(kv, 1) } }
  if result then top[2] = { "result", core._script("report_run").json_object(result, 1) } end
  return M.object(top, 0) .. "\n"
end

-- The end of a decision's text report (plan, optimize): how the search went,
-- its method, then the report of the run at what it found, under title.
function M.decision_end(lines, search, method, title, result, ctx)
  ctx = ctx or M.context()
  lines[#lines + 1] = ""
  M.say(lines, search, ctx.columns)
  M.say(lines, ctx.L.t("decision.method", method), ctx.columns)
  local out = table.concat(lines, "\n") .. "\n"
  if result then out = out .. "\n" .. M.paint(ctx, "head", title .. ":") .. "\n" .. core._script("report_run").text_one(result, ctx) end
  return out
end

-- The "stages", "stage_costs" and "channels" objects of a report (a run's
-- or a comparison's), each figure written by enc: pairs for M.object at
-- indent + 1.
function M.funnel_objects(stages, channels, enc, indent)
  local totals, costs, chans = {}, {}, {}
  for _, s in ipairs(stages) do
    totals[#totals + 1] = { s.name, enc(s.total) }
    costs[#costs + 1] = { s.name, enc(s.cost) }
  end
  for _, c in ipairs(channels) do
    local figs = {}
    for _, k in ipairs({ "visitors", "customers", "spend", "cac" }) do
      if c[k] then figs[#figs + 1] = { k, enc(c[k]) } end
    end
    chans[#chans + 1] = { c.name, M.object(figs, indent + 2) }
  end
  return { { "stages", M.object(totals, indent + 1) }, { "stage_costs", M.object(costs, indent + 1) },
    { "channels", M.object(chans, indent + 1) } }
end

-- Text layout ------------------------------------------------------------

-- Cells of the text tables: at most this many characters (a longer one,
-- such as a long goal name, ends in an ellipsis; the JSON report has it whole).
M.MAX_CELL = 48

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
M.width = width

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
M.shorten = shorten

local function pad(s, w, left)
  local fill = string.rep(" ", math.max(0, w - width(s)))
  return left and s .. fill or fill .. s
end
M.pad = pad

-- Colours of the text report, where ctx.color says standard output is a
-- terminal that takes them (and NO_COLOR is unset).
local PAINT = { good = "\27[32m", bad = "\27[31m", head = "\27[1m", dim = "\27[2m" }

-- s painted as kind when ctx colours, else s.
function M.paint(ctx, kind, s)
  if not (ctx and ctx.color) or not PAINT[kind] then return s end
  return PAINT[kind] .. s .. "\27[0m"
end

-- A cell: its text, and how to paint it ({ text, paint = kind } or text).
local function cell_text(c) return type(c) == "table" and c[1] or c end

-- One table line: the first column left-aligned, the others right-aligned
-- (but those where left[i] is true), two spaces apart; cells painted (after
-- padding, so the colour codes take no columns) when ctx colours.
local function row(cols, widths, left, ctx)
  local out = {}
  for i, c in ipairs(cols) do
    local s = pad(cell_text(c), widths[i], i == 1 or (left and left[i]))
    out[i] = type(c) == "table" and M.paint(ctx, c.paint, s) or s
  end
  return (table.concat(out, "  "):gsub("%s+$", ""))
end
M.row = row

-- The words of text in lines of at most w columns (a word longer than w is
-- cut with an ellipsis); indent starts every line after the first.
function M.wrap(text, w, indent)
  indent = indent or ""
  if width(text) <= w then return { text } end -- as it is, its spaces kept
  local lines, cur = {}, ""
  -- a space inside a number ("1 234", French digit groups), before its unit
  -- ("12 %", "3 000 €", "48,6k €"), inside French quotes or before French
  -- ; : ! ? does not break
  local glued = text:gsub("(%d) (%d%d%d)", "%1\0%2"):gsub("(%d) (%d%d%d)", "%1\0%2"):gsub(" ([%%;:!?»])", "\0%1")
    :gsub(" €", "\0€"):gsub("« ", "«\0")
  for word in glued:gmatch("%S+") do
    word = word:gsub("%z", " ")
    local try = cur == "" and word or cur .. " " .. word
    if width(try) <= w then
      cur = try
    else
      if cur ~= "" then lines[#lines + 1] = cur end
      cur = shorten(indent .. word, w)
    end
  end
  if cur ~= "" then lines[#lines + 1] = cur end
  return lines
end

-- Appends the wrapped lines of text to lines.
function M.say(lines, text, w, indent)
  for _, l in ipairs(M.wrap(text, w, indent)) do lines[#lines + 1] = l end
end

-- Column widths of head and rows in at most limit columns where the cells
-- allow: the columns in shrink (default { 1 }, the names) are cut in place,
-- widest first, down to NAME_MIN columns each. Returns the widths and the
-- total width.
local NAME_MIN = 8
function M.fit(head, rows, limit, shrink)
  local widths = M.widths(head, rows)
  local function total()
    local t = -2
    for _, w in ipairs(widths) do t = t + w + 2 end
    return t
  end
  shrink = shrink or { 1 }
  local t = total()
  while limit and t > limit do
    local best
    for _, i in ipairs(shrink) do
      if widths[i] > NAME_MIN and (not best or widths[i] > widths[best]) then best = i end
    end
    if not best then break end
    widths[best] = math.max(NAME_MIN, widths[best] - (t - limit))
    t = total()
  end
  for _, i in ipairs(shrink) do
    local function cut(c)
      if type(c) == "table" then c[1] = shorten(c[1], widths[i]) return c end
      return shorten(c, widths[i])
    end
    if head[i] then head[i] = cut(head[i]) end
    for _, r in ipairs(rows) do if r[i] then r[i] = cut(r[i]) end end
  end
  return widths, t
end

-- Widths of the columns of head and rows (cells cut to MAX_CELL first).
function M.widths(head, rows)
  local widths = {}
  for i, h in ipairs(head) do widths[i] = width(cell_text(h)) end
  for _, r in ipairs(rows) do
    for i, c in ipairs(r) do
      if type(c) == "table" then c[1] = shorten(c[1], M.MAX_CELL) else c = shorten(c, M.MAX_CELL) r[i] = c end
      widths[i] = math.max(widths[i] or 0, width(cell_text(c)))
    end
  end
  return widths
end

-- Appends a blank line, the title, the head and the rows to lines, in at
-- most ctx.columns (see M.fit; opts: { shrink = columns to cut, left =
-- columns after the first aligned left, optional = columns to leave out, in
-- that order, when the table is still too wide }).
function M.section(lines, title, head, rows, ctx, opts)
  opts = opts or {}
  local limit = ctx and ctx.columns
  -- opts.drop_first: optional columns go before any cell is cut
  local shrink = opts.shrink and { table.unpack(opts.shrink) }
  local widths, total = M.fit(head, rows, limit, opts.drop_first and {} or shrink)
  -- still too wide: the columns in opts.optional go, in that order
  local optional = { table.unpack(opts.optional or {}) }
  while limit and total > limit and #optional > 0 do
    local drop = table.remove(optional, 1)
    table.remove(head, drop)
    for _, r in ipairs(rows) do if not r.span then table.remove(r, drop) end end
    for i, c in ipairs(optional) do if c > drop then optional[i] = c - 1 end end
    for i = #(shrink or {}), 1, -1 do
      if shrink[i] == drop then table.remove(shrink, i) elseif shrink[i] > drop then shrink[i] = shrink[i] - 1 end
    end
    widths, total = M.fit(head, rows, limit, opts.drop_first and {} or shrink)
  end
  if opts.drop_first then widths, total = M.fit(head, rows, limit, shrink) end
  lines[#lines + 1] = ""
  for _, l in ipairs(limit and M.wrap(title, limit, "  ") or { title }) do lines[#lines + 1] = M.paint(ctx, "head", l) end
  lines[#lines + 1] = row(head, widths, opts.left, ctx)
  for _, r in ipairs(rows) do
    -- a row { span = text }: one line across the table (a group's heading)
    lines[#lines + 1] = r.span and M.paint(ctx, "head", limit and shorten(r.span, limit) or r.span)
      or row(r, widths, opts.left, ctx)
  end
end

-- xs in at most n values: the means of consecutive groups of them (xs
-- itself when it has at most n).
function M.resample(xs, n)
  if #xs <= n then return xs end
  local out = {}
  for i = 1, n do
    local a, b = math.floor((i - 1) * #xs / n) + 1, math.floor(i * #xs / n)
    local s, k = 0, 0
    for j = a, b do if xs[j] == xs[j] then s, k = s + xs[j], k + 1 end end
    out[i] = k > 0 and s / k or 0 / 0
  end
  return out
end

-- A sparkline of xs (one character per value, from the lowest to the
-- highest), "" when there are none.
local SPARKS = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" }
function M.sparkline(xs)
  local lo, hi = math.huge, -math.huge
  for _, x in ipairs(xs) do
    if x == x then lo, hi = math.min(lo, x), math.max(hi, x) end
  end
  local out = {}
  for i, x in ipairs(xs) do
    if x ~= x then out[i] = " "
    elseif hi == lo then out[i] = SPARKS[hi > 0 and 4 or 1]
    else out[i] = SPARKS[1 + math.floor(7 * (x - lo) / (hi - lo) + 0.5)] end
  end
  return table.concat(out)
end

return M
