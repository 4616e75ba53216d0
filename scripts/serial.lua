-- serial: a deterministic Lua-literal text of plain data (tables with string
-- or integer keys, numbers, strings, booleans), keys in sorted order and
-- numbers that read back exactly. A partial summary carries its normalized
-- scenario this way, so `funnelcast merge` needs no scenario file and two
-- shards of the same run carry the same bytes. A partial is untrusted data:
-- its text is read back by a strict parser (core/literal.c) that builds the
-- values and can run nothing, never by the Lua compiler.
local core = ...
local M = {}

local function key_order(a, b)
  local ta, tb = type(a), type(b)
  if ta ~= tb then return ta == "number" end
  return a < b
end

local function number(x)
  if math.type(x) == "integer" then return string.format("%d", x) end
  if x ~= x then return "0/0" end
  if x == math.huge then return "1/0" end
  if x == -math.huge then return "-1/0" end
  return string.format("%.17g", x)
end

-- A key written as name= when the reader takes it so (ASCII letters, digits
-- and _, whatever the locale, and not a keyword: core/literal.c's own rule),
-- else as [key]=.
local bare = core.literal_name

local function write(v, out)
  local t = type(v)
  if t == "number" then
    out[#out + 1] = number(v)
  elseif t == "string" then
    out[#out + 1] = string.format("%q", v)
  elseif t == "boolean" then
    out[#out + 1] = tostring(v)
  elseif t == "table" then
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = k end
    table.sort(keys, key_order)
    out[#out + 1] = "{"
    for _, k in ipairs(keys) do
      if bare(k) then
        out[#out + 1] = k .. "="
      else
        out[#out + 1] = "["
        write(k, out)
        out[#out + 1] = "]="
      end
      write(v[k], out)
      out[#out + 1] = ","
    end
    out[#out + 1] = "}"
  else
    error("serial: cannot write a " .. t, 0)
  end
end

function M.write(v)
  local out = {}
  write(v, out)
  return table.concat(out)
end

-- Reads text written by M.write (exactly that grammar, nothing else).
function M.read(text, name)
  return core.read_literal(text, name or "serial")
end

return M
