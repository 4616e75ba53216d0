-- svg: the small chart-drawing helpers of the HTML report
-- (scripts/report_html.lua): escaping, nice axis ticks, linear scales, and
-- one function per chart kind (histogram, fan chart, horizontal bars), each
-- returning one inline <svg> element as text, well-formed XML, with a
-- viewBox and a text alternative (role="img", <title>, <desc>). The charts
-- read without colour: bands differ in lightness, the met side of a goal is
-- hatched, bar kinds differ by pattern, and every bar carries its own label.
local core = ...
local R = core._script("report")
local M = {}

-- Text for XML content and attribute values; control characters XML does
-- not allow are dropped.
function M.esc(s)
  s = tostring(s):gsub("[%z\1-\8\11\12\14-\31]", "")
  return (s:gsub("[&<>\"']", { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;", ["'"] = "&#39;" }))
end
local esc = M.esc

-- A coordinate with at most 2 decimals.
local function c(x) return (string.format("%.2f", x):gsub("%.?0+$", "")) end
M.c = c

-- An element: tag, attributes { { name, value }, ... } (nil values left
-- out), and inner text (already markup) or nil for an empty element.
function M.el(tag, attrs, inner)
  local parts = { "<" .. tag }
  for _, a in ipairs(attrs or {}) do
    if a[2] ~= nil then parts[#parts + 1] = " " .. a[1] .. '="' .. esc(a[2]) .. '"' end
  end
  if inner == nil then return table.concat(parts) .. "/>" end
  return table.concat(parts) .. ">" .. inner .. "</" .. tag .. ">"
end
local el = M.el

-- A source of ids unique on one page (patterns, titles): ids(prefix) gives
-- "prefix-1", "prefix-2", ...; each page makes its own, and every chart
-- function takes it as opts.ids.
function M.id_source()
  local counter = 0
  return function(prefix)
    counter = counter + 1
    return prefix .. "-" .. counter
  end
end

-- About n round ticks (1, 2 or 5 times a power of ten) covering [lo, hi]:
-- the list, and the domain they span.
function M.ticks(lo, hi, n)
  if not (lo == lo and hi == hi) or lo == math.huge or hi == -math.huge then lo, hi = 0, 1 end
  if hi <= lo then
    local d = lo == 0 and 1 or math.abs(lo) * 0.1
    lo, hi = lo - d, hi + d
  end
  local raw = (hi - lo) / math.max(1, n or 5)
  local p = 10 ^ math.floor(math.log(raw, 10))
  local step = p
  for _, m in ipairs({ 1, 2, 2.5, 5, 10 }) do
    if m * p >= raw then step = m * p break end
  end
  local first, last = math.floor(lo / step + 1e-9) * step, math.ceil(hi / step - 1e-9) * step
  local out = {}
  for i = 0, math.floor((last - first) / step + 0.5) do
    local t = first + i * step
    if math.abs(t) < step * 1e-9 then t = 0 end
    out[#out + 1] = t
  end
  return out, first, last
end

-- A linear map of [d0, d1] onto [r0, r1].
function M.scale(d0, d1, r0, r1)
  local span = d1 - d0
  if span == 0 then span = 1 end
  return function(x) return r0 + (x - d0) / span * (r1 - r0) end
end

-- The head of an <svg>: its class and data attributes, viewBox, text
-- alternative; body the chart's markup.
local function svg(w, h, opts, body)
  local tid, did = opts.ids("t"), opts.ids("d")
  local attrs = { { "class", "chart " .. (opts.class or "") }, { "viewBox", "0 0 " .. c(w) .. " " .. c(h) },
    { "width", "100%" }, { "role", "img" }, { "aria-labelledby", tid .. " " .. did },
    { "preserveAspectRatio", "xMidYMid meet" } }
  for _, a in ipairs(opts.data or {}) do attrs[#attrs + 1] = a end
  return el("svg", attrs, el("title", { { "id", tid } }, esc(opts.title)) ..
    el("desc", { { "id", did } }, esc(opts.desc or "")) .. body)
end

-- A hatch pattern (diagonal lines) of a class; returns its id and <defs>.
local function hatch(ids, class, angle)
  local id = ids("p")
  return id, el("defs", nil, el("pattern", { { "id", id }, { "patternUnits", "userSpaceOnUse" },
    { "width", "6" }, { "height", "6" }, { "patternTransform", "rotate(" .. (angle or 45) .. ")" } },
    el("rect", { { "width", "6" }, { "height", "6" }, { "class", class .. "-bg" } }) ..
    el("line", { { "x1", "0" }, { "y1", "0" }, { "x2", "0" }, { "y2", "6" }, { "class", class .. "-line" } })))
end

-- About how wide a text is at a font size (an average glyph of system-ui).
local function text_width(s, size)
  return (utf8.len(s) or #s) * size * 0.6
end

local function text(x, y, s, class, anchor)
  return el("text", { { "x", c(x) }, { "y", c(y) }, { "class", class }, { "text-anchor", anchor } }, esc(s))
end
M.text = text

local function line(x1, y1, x2, y2, class)
  return el("line", { { "x1", c(x1) }, { "y1", c(y1) }, { "x2", c(x2) }, { "y2", c(y2) }, { "class", class } })
end

local function rect(x, y, w, h, class, fill, data)
  local attrs = { { "x", c(x) }, { "y", c(y) }, { "width", c(math.max(0, w)) }, { "height", c(math.max(0, h)) },
    { "class", class }, { "fill", fill } }
  for _, a in ipairs(data or {}) do attrs[#attrs + 1] = a end
  return el("rect", attrs)
end

-- An x axis at y from x0 to x1: ticks (values) placed by sx, labelled by
-- fmt.
local function x_axis(y, x0, x1, ticks, sx, fmt)
  local out = { line(x0, y, x1, y, "axis") }
  -- as many labels as fit side by side
  local every, widest = 1, 0
  for _, t in ipairs(ticks) do widest = math.max(widest, text_width(fmt(t), 13)) end
  if #ticks > 1 then
    local room = math.abs(sx(ticks[2]) - sx(ticks[1]))
    every = math.max(1, math.ceil((widest + 8) / math.max(room, 1)))
  end
  for i, t in ipairs(ticks) do
    local x = sx(t)
    out[#out + 1] = line(x, y, x, y + 4, "tick")
    if (i - 1) % every == 0 then out[#out + 1] = text(x, y + 17, fmt(t), "tick-label", "middle") end
  end
  return table.concat(out)
end

-- Horizontal grid lines and labels of a y axis.
local function y_grid(ticks, sy, x0, x1, fmt)
  local out = {}
  for _, t in ipairs(ticks) do
    local y = sy(t)
    out[#out + 1] = line(x0, y, x1, y, "grid")
    out[#out + 1] = text(x0 - 5, y + 4, fmt(t), "tick-label", "end")
  end
  return table.concat(out)
end

-- Histogram ----------------------------------------------------------------

local W, FONT = 400, 13
M.WIDTH = W

-- opts: { title, desc, bins = { { lo, hi, mass } } (in the order of x),
-- target (x of the line, or nil), met = "right" | "left" (the side shaded),
-- target_label, met_label (a text in the shaded side), fmt (tick labels),
-- data (attributes of the svg) }.
function M.histogram(opts)
  local h, left, right, top, bottom = 210, 14, 14, 28, 36
  local bins = opts.bins
  local lo, hi = bins[1].lo, bins[#bins].hi
  local ticks, t0, t1 = M.ticks(lo, hi, 5)
  -- the axis spans the bins (a target off the bins is marked at the edge)
  t0, t1 = lo, hi
  local inside = {}
  for _, t in ipairs(ticks) do if t >= t0 - 1e-9 * math.abs(t1 - t0) and t <= t1 + 1e-9 * math.abs(t1 - t0) then inside[#inside + 1] = t end end
  local sx = M.scale(t0, t1, left, W - right)
  local top_h = 0
  for _, b in ipairs(bins) do top_h = math.max(top_h, b.mass / math.max(b.hi - b.lo, 1e-300)) end
  local sy = M.scale(0, top_h, h - bottom, top)
  local pid, defs = hatch(opts.ids, "met")
  local out = { defs }
  -- the met side, hatched, under the bars
  if opts.target then
    local tx = math.max(left, math.min(W - right, sx(opts.target)))
    local x0, x1 = opts.met == "left" and left or tx, opts.met == "left" and tx or W - right
    out[#out + 1] = rect(x0, top, x1 - x0, h - bottom - top, "met-area", "url(#" .. pid .. ")")
  end
  for _, b in ipairs(bins) do
    local x0, x1 = sx(b.lo), sx(b.hi)
    local y = sy(b.mass / math.max(b.hi - b.lo, 1e-300))
    out[#out + 1] = rect(x0, y, x1 - x0, h - bottom - y, "bin", nil,
      { { "data-lo", R.num(b.lo) }, { "data-hi", R.num(b.hi) }, { "data-mass", R.num(b.mass) } })
  end
  out[#out + 1] = x_axis(h - bottom, left, W - right, inside, sx, opts.fmt)
  if opts.target then
    local tx = math.max(left, math.min(W - right, sx(opts.target)))
    out[#out + 1] = line(tx, top - 6, tx, h - bottom, "target")
    local anchor = tx > W * 0.7 and "end" or tx < W * 0.3 and "start" or "middle"
    out[#out + 1] = text(tx, top - 10, opts.target_label, "target-label", anchor)
    if opts.met_label then
      local mx = opts.met == "left" and (left + tx) / 2 or (tx + W - right) / 2
      local a = "middle"
      if math.abs(tx - (opts.met == "left" and left or W - right)) < 120 then
        mx, a = opts.met == "left" and tx - 4 or tx + 4, opts.met == "left" and "end" or "start"
      end
      out[#out + 1] = text(mx, top + 16, opts.met_label, "met-label", a)
    end
  end
  return svg(W, h, { ids = opts.ids, class = "histogram", title = opts.title, desc = opts.desc, data = opts.data }, table.concat(out))
end

-- Fan chart ----------------------------------------------------------------

local function path_of(xs, ys)
  local parts = {}
  for i = 1, #xs do parts[i] = (i == 1 and "M" or "L") .. c(xs[i]) .. "," .. c(ys[i]) end
  return table.concat(parts, " ")
end

-- A band between two lines (ys_lo and ys_hi over xs) as one closed path.
local function band_path(xs, lo, hi)
  local parts = { path_of(xs, hi) }
  for i = #xs, 1, -1 do parts[#parts + 1] = "L" .. c(xs[i]) .. "," .. c(lo[i]) end
  return table.concat(parts, " ") .. " Z"
end

-- opts: { title, desc, periods = { { p10, p25, p50, p75, p90 } }, labels =
-- { x label per period }, fmt (y labels), data, actual = { value per period
-- or false } (known figures, marked as points: a backtest's) }.
function M.fan(opts)
  local h, left, right, top, bottom = 230, 30, 16, 12, 28
  local ps = opts.periods
  local n = #ps
  local lo, hi = math.huge, -math.huge
  for t, p in ipairs(ps) do
    local a = opts.actual and opts.actual[t]
    for _, v in ipairs({ p.p10, p.p90, p.p50, a or nil }) do
      if v == v and math.abs(v) ~= math.huge then lo, hi = math.min(lo, v), math.max(hi, v) end
    end
  end
  if lo > 0 and lo < 0.5 * hi then lo = 0 end
  local yt, y0, y1 = M.ticks(lo, hi, 4)
  -- the left margin fits the widest y label
  for _, t in ipairs(yt) do left = math.max(left, text_width(opts.fmt(t), 13) + 10) end
  local sx = M.scale(1, math.max(n, 2), left, W - right)
  if n == 1 then sx = function() return (left + W - right) / 2 end end
  local sy = M.scale(y0, y1, h - bottom, top)
  local xs, q = {}, { p10 = {}, p25 = {}, p50 = {}, p75 = {}, p90 = {} }
  for t, p in ipairs(ps) do
    xs[t] = sx(t)
    for k, list in pairs(q) do
      local v = p[k]
      if not v or v ~= v or math.abs(v) == math.huge then v = p.p50 or 0 end
      list[t] = sy(v)
    end
  end
  local out = { y_grid(yt, sy, left, W - right, opts.fmt) }
  out[#out + 1] = el("path", { { "class", "band band-p10-p90" }, { "d", band_path(xs, q.p10, q.p90) } })
  out[#out + 1] = el("path", { { "class", "band band-p25-p75" }, { "d", band_path(xs, q.p25, q.p75) } })
  out[#out + 1] = el("path", { { "class", "median" }, { "d", path_of(xs, q.p50) } })
  for t = 1, n do out[#out + 1] = el("circle", { { "cx", c(xs[t]) }, { "cy", c(q.p50[t]) }, { "r", "2.2" }, { "class", "median-dot" } }) end
  for t = 1, n do
    local a = opts.actual and opts.actual[t]
    if a and a == a and math.abs(a) ~= math.huge then
      local inside = a >= ps[t].p10 and a <= ps[t].p90
      out[#out + 1] = el("circle", { { "cx", c(xs[t]) }, { "cy", c(sy(a)) }, { "r", "4" },
        { "class", inside and "actual" or "actual actual-out" } })
    end
  end
  -- x labels: as many as fit
  local widest = 0
  for _, l in ipairs(opts.labels) do widest = math.max(widest, text_width(l, 12)) end
  local room = (W - left - right) / math.max(1, n)
  local every = math.max(1, math.ceil((widest + 10) / room))
  local axis = { line(left, h - bottom, W - right, h - bottom, "axis") }
  for t = 1, n do
    axis[#axis + 1] = line(xs[t], h - bottom, xs[t], h - bottom + 4, "tick")
    if (t - 1) % every == 0 then axis[#axis + 1] = text(xs[t], h - bottom + 17, opts.labels[t], "tick-label", "middle") end
  end
  if opts.axis_title then axis[#axis + 1] = text((left + W - right) / 2, h - 4, opts.axis_title, "axis-title", "middle") end
  out[#out + 1] = table.concat(axis)
  return svg(W, h, { ids = opts.ids, class = "fan", title = opts.title, desc = opts.desc, data = opts.data }, table.concat(out))
end

-- Horizontal bars ------------------------------------------------------------

-- Groups of bars: each group's label on a line of its own (so long names
-- fit a phone) and its rows below; a row's own label, where it has one,
-- in a column on the left of its bar. opts: { title, desc, domain = { lo,
-- hi }, fmt (axis labels), groups = { { label, rows = { { label, segs = {
-- { from, to, kind, text, data } } } } } }, marks = { { x, kind } }
-- (vertical lines through every group, e.g. no change), data }. A
-- segment's kind is its class and its pattern ("solid", "hatch", "cross",
-- "light"); its text sits past its `to` end.
local KINDS = { hatch = 45, cross = -45 }
local VALUE_FONT = 13
-- The row labels' column takes at most this share of the width.
local ROW_LABEL_SHARE = 0.42

-- s cut with an ellipsis to about w units at a font size.
local function fit_text(s, w, size)
  if text_width(s, size) <= w then return s end
  return R.shorten(s, math.max(4, math.floor(w / (size * 0.6))))
end

function M.bars(opts)
  local left, right, top = 12, 12, 8
  local label_h, row_h, gap, axis_h = 17, 20, 8, 28
  local d0, d1 = opts.domain[1], opts.domain[2]
  local ticks
  ticks, d0, d1 = M.ticks(d0, d1, 4)
  -- room for the row labels and for the texts past the bars' ends (the
  -- longest on each side; on the left only where some bar points that way)
  local label_w, pad_l, pad_r = 0, 0, 16
  for _, g in ipairs(opts.groups) do
    for _, r in ipairs(g.rows) do
      if r.label then label_w = math.max(label_w, math.min(W * ROW_LABEL_SHARE, text_width(r.label, VALUE_FONT) + 10)) end
      for _, s in ipairs(r.segs) do
        local w = s.text and text_width(s.text, VALUE_FONT) + 8 or 0
        if s.to < s.from then pad_l = math.max(pad_l, w) else pad_r = math.max(pad_r, w) end
      end
    end
  end
  local sx = M.scale(d0, d1, left + label_w + pad_l, W - right - pad_r)
  local defs, fills = {}, {}
  for _, kind in ipairs({ "hatch", "cross" }) do
    local id, d = hatch(opts.ids, "bar-" .. kind, KINDS[kind])
    defs[#defs + 1], fills[kind] = d, "url(#" .. id .. ")"
  end
  local out = { table.concat(defs) }
  local y = top
  local body = {}
  for _, g in ipairs(opts.groups) do
    if g.label then
      body[#body + 1] = text(left, y + 12, g.label, "bar-label", "start")
      y = y + label_h
    end
    for _, r in ipairs(g.rows) do
      if r.label then
        body[#body + 1] = text(left, y + row_h / 2 + 4, fit_text(r.label, label_w - 8, VALUE_FONT), "row-label", "start")
      end
      for _, s in ipairs(r.segs) do
        local a, b = sx(math.min(s.from, s.to)), sx(math.max(s.from, s.to))
        body[#body + 1] = rect(a, y + 2, math.max(b - a, 1), row_h - 4, "bar bar-" .. s.kind, fills[s.kind], s.data)
        if s.text then
          local right_side = s.to >= s.from
          local tx = right_side and b + 4 or a - 4
          body[#body + 1] = text(tx, y + row_h / 2 + 4, s.text, "bar-value", right_side and "start" or "end")
        end
      end
      y = y + row_h
    end
    y = y + gap
  end
  for _, t in ipairs(ticks) do out[#out + 1] = line(sx(t), top, sx(t), y, "grid") end
  out[#out + 1] = table.concat(body)
  for _, m in ipairs(opts.marks or {}) do
    out[#out + 1] = line(sx(m.x), top, sx(m.x), y, "mark mark-" .. m.kind)
  end
  out[#out + 1] = x_axis(y, sx(d0), sx(d1), ticks, sx, opts.fmt)
  return svg(W, y + axis_h, { ids = opts.ids, class = "bars " .. (opts.class or ""), title = opts.title, desc = opts.desc, data = opts.data },
    table.concat(out))
end

return M
