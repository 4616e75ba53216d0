-- history: the strict reader of history files (last year's counts, the
-- year's actuals), as a CRM or a spreadsheet exports them: CSV, one row per
-- period or per period and channel. README.md ("History files") documents
-- the format; every problem is an error "FILE:LINE: COLUMN: message".
--
-- Format: a header line, then rows. The separator is ';' when the header has
-- one (outside quotes), else ','; in ';' files a decimal comma is accepted.
-- Fields may be double-quoted (RFC 4180). Columns (names case-insensitive):
-- period (required: 1, 2, ... or labels 2026-01, 2026-W05, 2026-01-15;
-- consecutive months' first days, 2026-01-01, 2026-02-01, read as months),
-- channel (empty: a total row), spend, churned, won_back, active, lost,
-- revenue, and every other column a funnel stage, in funnel order. Empty
-- values are unknown.
local core = ...
local util = core._script("util")
local calendar = core._script("calendar")

local M = {}

M.MAX_BYTES = 16 * 1024 * 1024
M.MAX_ROWS = 100000
M.MAX_PERIODS = 5000

local RESERVED = { period = true, channel = true, spend = true, churned = true, won_back = true, active = true,
  lost = true, revenue = true }
-- The customers' columns, in the order reports list them (total rows only).
local CUSTOMER_COLUMNS = { "churned", "won_back", "active", "lost", "revenue" }
M.CUSTOMER_COLUMNS = CUSTOMER_COLUMNS
local COUNTS = { churned = true, won_back = true, active = true, lost = true }

local show = util.show

-- Splits text into records of fields: { line = n, fields }, honouring quotes
-- (a quoted field may hold the separator, "" and line breaks). fail(line,
-- fmt, ...) raises.
local function records(text, sep, fail)
  local out = {}
  local i, n, line = 1, #text, 1
  while i <= n do
    local fields, start_line = {}, line
    while true do
      local c = text:sub(i, i)
      if c == '"' then
        local buf, j = {}, i + 1
        while true do
          local q = text:find('"', j, true)
          if not q then fail(start_line, nil, "an unterminated quote (expected a closing \")") end
          local piece = text:sub(j, q - 1)
          for _ in piece:gmatch("\n") do line = line + 1 end
          buf[#buf + 1] = piece
          if text:sub(q + 1, q + 1) == '"' then
            buf[#buf + 1] = '"'
            j = q + 2
          else
            i = q + 1
            break
          end
        end
        local rest_end = i
        while rest_end <= n and not text:sub(rest_end, rest_end):match("[\r\n]") and text:sub(rest_end, rest_end) ~= sep do
          rest_end = rest_end + 1
        end
        local rest = text:sub(i, rest_end - 1)
        if rest:match("%S") then fail(line, nil, "text after a closing quote: %s", show(rest)) end
        fields[#fields + 1] = { text = table.concat(buf), quoted = true }
        i = rest_end
      else
        local j = i
        while j <= n do
          local d = text:sub(j, j)
          if d == sep or d == "\n" or d == "\r" then break end
          j = j + 1
        end
        fields[#fields + 1] = { text = text:sub(i, j - 1) }
        i = j
      end
      local d = text:sub(i, i)
      if d == sep then
        i = i + 1
        if i > n then fields[#fields + 1] = { text = "" } break end
      else
        if d == "\r" then i = i + 1 end
        if text:sub(i, i) == "\n" then i = i + 1 end
        line = line + 1
        break
      end
    end
    local blank = #fields == 1 and not fields[1].quoted and not fields[1].text:match("%S")
    if not blank then out[#out + 1] = { line = start_line, fields = fields } end
    if #out > M.MAX_ROWS + 1 then fail(start_line, nil, "more than %d rows (the most a history file may have)", M.MAX_ROWS) end
  end
  return out
end

local function trim(s) return (s:gsub("^%s+", ""):gsub("%s+$", "")) end

-- A number as the file writes it: digits with an optional fraction ('.',
-- or ',' in a ';' file) and exponent, an optional sign.
local function number(s, decimal_comma)
  local t = s
  if decimal_comma then
    if t:find(".", 1, true) and t:find(",", 1, true) then return nil end
    t = t:gsub(",", ".")
  end
  if not (t:match("^[-+]?%d+%.?%d*$") or t:match("^[-+]?%d*%.%d+$") or t:match("^[-+]?%d+%.?%d*[eE][-+]?%d+$")
    or t:match("^[-+]?%d*%.%d+[eE][-+]?%d+$")) then
    return nil
  end
  local x = tonumber(t)
  if not x or x ~= x or x == math.huge or x == -math.huge then return nil end
  return x
end

-- Period labels: kind and an index that steps by 1 from one period to the next.
local iso_week_monday, date_text = calendar.iso_week_monday, calendar.date_text

local function label_of(s)
  if s:match("^%d+$") then
    local n = math.tointeger(tonumber(s))
    if n and n >= 1 then return "number", n end
    return nil
  end
  local y, m = s:match("^(%d%d%d%d)%-(%d%d)$")
  if y then
    y, m = tonumber(y), tonumber(m)
    if m < 1 or m > 12 then return nil end
    return "month", y * 12 + m - 1
  end
  local wy, w = s:match("^(%d%d%d%d)%-W(%d%d)$")
  if wy then
    wy, w = tonumber(wy), tonumber(w)
    if w < 1 or w > 53 then return nil end
    local monday = iso_week_monday(wy, w)
    -- week 53 exists only in years whose week 53 Monday is still in that ISO year
    if w == 53 and iso_week_monday(wy + 1, 1) == monday then return nil end
    return "week", monday // 7, date_text(monday)
  end
  local dy, dm, dd = s:match("^(%d%d%d%d)%-(%d%d)%-(%d%d)$")
  if dy then
    dy, dm, dd = tonumber(dy), tonumber(dm), tonumber(dd)
    if dm < 1 or dm > 12 or dd < 1 or dd > 31 then return nil end
    local z = calendar.days_from_civil(dy, dm, dd)
    if date_text(z) ~= string.format("%04d-%02d-%02d", dy, dm, dd) then return nil end
    return "day", z, date_text(z)
  end
  return nil
end

local KIND_TEXT = { number = "period numbers (1, 2, ...)", month = "months (2026-01)", week = "ISO weeks (2026-W05)",
  day = "days (2026-01-15)" }

local function next_label(kind, index)
  if kind == "number" then return tostring(index) end
  if kind == "month" then return string.format("%04d-%02d", index // 12, index % 12 + 1) end
  if kind == "day" then return date_text(index) end
  -- ISO week of the Monday index * 7
  local monday = index * 7
  local thursday = date_text(monday + 3)
  local y = tonumber(thursday:sub(1, 4))
  local w1 = iso_week_monday(y, 1)
  return string.format("%04d-W%02d", y, (monday - w1) // 7 + 1)
end

-- parse(text, file [, opts]) -> h (see README.md "History files").
-- opts: { stages = { names in funnel order } (other columns are then
-- errors), skip_order = { [stage] = true } (stages a row's order check skips:
-- delayed ones, or where a channel enters), lag_hint = the function whose
-- lags option the order error names, allow_empty = true (a file of no
-- rows, h.kind nil: the actuals of a year not begun) }.
function M.parse(text, file, opts)
  opts = opts or {}
  local function fail(line, column, fmt, ...)
    local where = line and string.format("%s:%d: ", file, line) or file .. ": "
    error(where .. (column and column .. ": " or "") .. string.format(fmt, ...), 0)
  end
  if #text > M.MAX_BYTES then
    fail(nil, nil, "%d bytes, more than the %d a history file may have", #text, M.MAX_BYTES)
  end
  if text:find("\0", 1, true) then fail(nil, nil, "a NUL byte: expected a text (CSV) file") end
  if not utf8.len(text) then fail(nil, nil, "expected a text file in UTF-8") end
  text = text:gsub("^\239\187\191", "")
  local first_line = text:match("^[^\r\n]*") or ""
  if not first_line:match("%S") then
    fail(1, nil, "expected a header line naming the columns (period, channel, spend, the stages ...), got %s",
      first_line == "" and "an empty line" or "a blank line")
  end
  local in_quote, sep = false, ","
  for c in first_line:gmatch(".") do
    if c == '"' then in_quote = not in_quote elseif c == ";" and not in_quote then sep = ";" break end
  end
  local decimal_comma = sep == ";"
  local recs = records(text, sep, fail)
  local header = table.remove(recs, 1)
  -- the header
  local columns, at = {}, {}
  for i, f in ipairs(header.fields) do
    local name = trim(f.text):lower()
    if name == "" then fail(1, nil, "column %d has no name (expected a name in every header field)", i) end
    if at[name] then fail(1, name, "the column appears twice (columns %d and %d)", at[name], i) end
    columns[i], at[name] = name, i
  end
  if not at.period then
    fail(1, nil, "expected a 'period' column (the period of each row: 1, 2, ... or 2026-01), got columns %s",
      table.concat(columns, ", "))
  end
  local known_stage = {}
  if opts.stages then for _, s in ipairs(opts.stages) do known_stage[s] = true end end
  local stages = {}
  for _, name in ipairs(columns) do
    if not RESERVED[name] then
      if opts.stages and not known_stage[name] then
        local expected = { "period", "channel", "spend" }
        for _, s in ipairs(opts.stages) do expected[#expected + 1] = s end
        for _, s in ipairs(CUSTOMER_COLUMNS) do expected[#expected + 1] = s end
        local hint = util.suggest(name, expected)
        fail(1, name, "unknown column%s (expected %s)", hint, table.concat(expected, ", "))
      end
      stages[#stages + 1] = name
    end
  end
  if opts.stages then -- funnel order, whatever the header's
    local ordered = {}
    for _, s in ipairs(opts.stages) do if at[s] then ordered[#ordered + 1] = s end end
    stages = ordered
  end
  local h = { file = file, columns = columns, stages = stages, channels = {}, labels = {}, total = {},
    by_channel = {}, line = { total = {}, by_channel = {} } }
  local skip = opts.skip_order or {}
  local seen = {} -- [t][channel or ""] = line
  -- months written as their first days (2026-01-01, 2026-02-01, ...: a
  -- CRM's export of monthly figures) are months
  local month_starts = false
  do
    local distinct, all_firsts = {}, #recs > 0
    for _, rec in ipairs(recs) do
      local p = trim((rec.fields[at.period] or {}).text or "")
      if not p:match("^%d%d%d%d%-%d%d%-01$") then all_firsts = false break end
      distinct[p] = true
    end
    if all_firsts then
      local n, consecutive, prev = 0, true, nil
      for _, p in ipairs(core._script("object").sorted_keys(distinct)) do
        local _, i = label_of(p:sub(1, 7))
        if prev and i ~= prev + 1 then consecutive = false end
        prev, n = i, n + 1
      end
      month_starts = n >= 2 and consecutive
    end
  end
  local kind, last_index, current
  for _, rec in ipairs(recs) do
    local line = rec.line
    if #rec.fields ~= #columns then
      fail(line, nil, "expected %d fields, as the header has, got %d%s", #columns, #rec.fields,
        sep == "," and #rec.fields > #columns and " (a decimal comma needs ';' as the separator)" or "")
    end
    local raw = {}
    for i, f in ipairs(rec.fields) do raw[columns[i]] = trim(f.text) end
    -- the period
    local ptext = month_starts and raw.period:sub(1, 7) or raw.period
    if ptext == "" then fail(line, "period", "expected a period (1, 2, ... or a label such as 2026-01), got an empty field") end
    local k, index, date = label_of(ptext)
    if not k then
      fail(line, "period", "expected a period number from 1 or a label such as 2026-01, 2026-W05 or 2026-01-15, got %s",
        show(ptext))
    end
    if kind and k ~= kind then
      fail(line, "period", "expected %s like the rows above, got %s", KIND_TEXT[kind], show(ptext))
    end
    if not kind then
      kind = k
      if k == "number" and index ~= 1 then fail(line, "period", "expected the first period to be 1, got %s", ptext) end
    end
    local t
    if current and index == last_index then
      t = current
    else
      if last_index and index ~= last_index + 1 then
        local back = index <= last_index
        local earlier
        for tt in ipairs(h.labels) do if h.index_of[tt] == index then earlier = tt end end
        if back and earlier then
          fail(line, "period", "%s again, after rows of later periods (the rows of one period go together; first at line %d)",
            ptext, h.line.first_of[earlier])
        end
        fail(line, "period", "expected %s (the period after %s), got %s", next_label(kind, last_index + 1),
          h.labels[#h.labels], ptext)
      end
      t = #h.labels + 1
      if t > M.MAX_PERIODS then fail(line, "period", "more than %d periods (the most a history file may have)", M.MAX_PERIODS) end
      h.labels[t] = ptext
      h.index_of = h.index_of or {}
      h.index_of[t] = index
      h.line.first_of = h.line.first_of or {}
      h.line.first_of[t] = line
      if date then h.date = h.date or {} h.date[t] = date end
      seen[t] = {}
      current, last_index = t, index
    end
    local channel = raw.channel or ""
    if seen[t][channel] then
      fail(line, channel == "" and "period" or "channel", "a second %s row for period %s (the first at line %d)",
        channel == "" and "total" or ("'" .. channel .. "'"), ptext, seen[t][channel])
    end
    seen[t][channel] = line
    -- the values
    local row = {}
    for _, name in ipairs(columns) do
      if name ~= "period" and name ~= "channel" then
        local s = raw[name]
        if s ~= "" then
          local x = number(s, decimal_comma)
          if not x then
            local grouped = s:match("^%d%d?%d?[,. \194\160]%d%d%d") and ", without thousands separators" or ""
            fail(line, name, "expected a number%s%s, got %s", decimal_comma and " (such as 1234,5)" or " (such as 1234.5)",
              grouped, show(s))
          end
          if x < 0 then fail(line, name, "expected a number >= 0, got %s", s) end
          local count = COUNTS[name] or (not RESERVED[name])
          if count and x ~= math.floor(x) then fail(line, name, "expected a whole count, got %s", s) end
          if count and x > 1e15 then fail(line, name, "expected a count up to 1e15, got %s", s) end
          row[name] = count and math.tointeger(x) or x
          if channel ~= "" and (COUNTS[name] or name == "revenue") then
            fail(line, name, "expected an empty field on a channel row (churn, win-back, stocks and revenue are "
              .. "not attributed to channels: give them on the period's total row, channel empty), got %s", s)
          end
        end
      end
    end
    -- a stage never holds more than the stage before it in one row
    local prev
    for _, st in ipairs(stages) do
      local x = row[st]
      if x ~= nil then
        if prev and not skip[st] and x > row[prev] then
          fail(line, st, "%s %s is more than the %s %s before it in this row (each stage comes from the one above)%s",
            show(x), st, show(row[prev]), prev, opts.lag_hint and string.format("; if %s arrive periods after their "
              .. "%s, give %s the lag: lags = { %s = 1 }", st, prev, opts.lag_hint, st) or "")
        end
        prev = st
      end
    end
    if channel == "" then
      h.total[t], h.line.total[t] = row, line
    else
      if not h.by_channel[channel] then
        h.by_channel[channel], h.line.by_channel[channel] = {}, {}
        h.channels[#h.channels + 1] = channel
      end
      h.by_channel[channel][t], h.line.by_channel[channel][t] = row, line
    end
  end
  if #h.labels == 0 then
    if not opts.allow_empty then fail(nil, nil, "no rows after the header (expected one row per period)") end
    h.line.first_of, h.index_of = {}, {}
    return h
  end
  h.kind = kind
  h.line.first = h.line.first_of[1]
  -- totals against their channels, in the periods that have a row for every
  -- channel of the file (a period with some alone has an unknown share)
  for t = 1, #h.labels do
    local rows = {}
    for _, c in ipairs(h.channels) do if h.by_channel[c][t] then rows[#rows + 1] = h.by_channel[c][t] end end
    if #rows > 0 and #rows == #h.channels then
      local total = h.total[t]
      if not total then total = {} h.total[t] = total end
      local cols = { "spend" }
      for _, st in ipairs(stages) do cols[#cols + 1] = st end
      for _, name in ipairs(cols) do
        local sum, all = 0, true
        for _, r in ipairs(rows) do
          if r[name] == nil then all = false else sum = sum + r[name] end
        end
        if all and total[name] ~= nil and h.line.total[t] then
          local ok = name == "spend" and math.abs(total[name] - sum) <= 1e-9 * math.abs(sum) + 0.005
            or name ~= "spend" and total[name] == sum
          if not ok then
            fail(h.line.total[t], name, "the total row says %s, its channel rows add up to %s", show(total[name]), show(sum))
          end
        elseif all and total[name] == nil then
          total[name] = sum
        end
      end
    end
  end
  -- churn and win-back never exceed the stock they come from
  for t = 2, #h.labels do
    local r, p = h.total[t] or {}, h.total[t - 1] or {}
    for _, pair in ipairs({ { "churned", "active" }, { "won_back", "lost" } }) do
      local x, stock = r[pair[1]], p[pair[2]]
      if x ~= nil and stock ~= nil and x > stock then
        fail(h.line.total[t], pair[1], "%s %s, more than the %s %s of the period before (line %d)", show(x), pair[1],
          show(stock), pair[2], h.line.total[t - 1])
      end
    end
  end
  return h
end

-- read(path [, opts]): the history file at path (a trusted path: the
-- command line's), parsed.
function M.read(path, opts)
  local text, why = core._read_file(path, true, M.MAX_BYTES)
  if not text then error(string.format("%s: cannot read the history file (%s)", path, why), 0) end
  return M.parse(text, path, opts)
end

return M
