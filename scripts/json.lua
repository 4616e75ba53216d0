-- json: the one small JSON encoder of the reports: numbers that read back
-- as the same double (null for what JSON cannot hold), escaped strings,
-- objects of pairs in a given order (one per line, at an indent), arrays,
-- any plain Lua value (keys sorted) and a summary's statistics on one line.
-- Pure functions; the writers put the pieces together in the contract's
-- order (DESIGN.md).
local M = {}

M.STAT_KEYS = { "mean", "sd", "min", "max", "p5", "p10", "p25", "p50", "p75", "p90", "p95" }

-- Shortest text that reads back as the same double; JSON has no infinity
-- (nor a missing value: null).
local function num(x)
  if x == nil then return "null" end
  if math.type(x) == "integer" then return string.format("%d", x) end
  if x ~= x or x == math.huge or x == -math.huge then return "null" end
  if x == math.floor(x) and math.abs(x) < 2 ^ 53 then return string.format("%d", x) end
  for _, f in ipairs({ "%.15g", "%.16g", "%.17g" }) do
    local s = string.format(f, x)
    if tonumber(s) == x then return s end
  end
end
M.num = num

-- A string in quotes, with quotes, backslashes and control characters escaped.
local function str(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    local map = { ['"'] = '\\"', ["\\"] = "\\\\", ["\n"] = "\\n", ["\t"] = "\\t", ["\r"] = "\\r" }
    return map[c] or string.format("\\u%04x", c:byte())
  end) .. '"'
end
M.str = str

-- A summary as one line: prefix (such as '"period": 3') first, the stat
-- keys, "infinite" when some trial was not finite, then the extra
-- '"key": value' strings.
function M.stat(st, prefix, extra)
  local parts = {}
  if prefix then parts[1] = prefix end
  for _, k in ipairs(M.STAT_KEYS) do parts[#parts + 1] = str(k) .. ": " .. num(st[k]) end
  if st.infinite > 0 then parts[#parts + 1] = '"infinite": ' .. st.infinite end
  for _, e in ipairs(extra or {}) do parts[#parts + 1] = e end
  return "{ " .. table.concat(parts, ", ") .. " }"
end

-- An object of { key, encoded value } pairs, one per line, at an indent.
function M.object(pairs_list, indent)
  if #pairs_list == 0 then return "{}" end
  local pad = string.rep("  ", indent)
  local lines = {}
  for i, kv in ipairs(pairs_list) do
    lines[i] = pad .. "  " .. str(kv[1]) .. ": " .. kv[2]
  end
  return "{\n" .. table.concat(lines, ",\n") .. "\n" .. pad .. "}"
end

-- Any plain value as JSON: numbers, strings, booleans, nil (null), lists
-- (on one line when they hold no tables) and tables with string keys
-- (sorted), at an indent.
function M.value(v, indent)
  indent = indent or 0
  local t = type(v)
  if v == nil then return "null" end
  if t == "number" then return num(v) end
  if t == "string" then return str(v) end
  if t == "boolean" then return tostring(v) end
  if t ~= "table" then return "null" end
  if #v > 0 or next(v) == nil then
    local flat, items = true, {}
    for i = 1, #v do
      flat = flat and type(v[i]) ~= "table"
      items[i] = M.value(v[i], indent + 1)
    end
    if #v == 0 then return "[]" end
    return flat and "[" .. table.concat(items, ", ") .. "]" or M.array(items, indent)
  end
  local keys = {}
  for k in pairs(v) do keys[#keys + 1] = tostring(k) end
  table.sort(keys)
  local kv = {}
  for i, k in ipairs(keys) do kv[i] = { k, M.value(v[k], indent + 1) } end
  return M.object(kv, indent)
end

-- An array of encoded values, one per line, at an indent.
function M.array(items, indent)
  if #items == 0 then return "[]" end
  local pad = string.rep("  ", indent)
  local lines = {}
  for i, v in ipairs(items) do lines[i] = pad .. "  " .. v end
  return "[\n" .. table.concat(lines, ",\n") .. "\n" .. pad .. "]"
end

return M
