-- util: small helpers shared by the embedded library: number formatting for
-- messages, closest-name suggestions for typos, error raising without position
-- (the public entry points re-raise at their caller's line).
local core = ...
local M = {}

-- Whether a frame's source (debug info) is one of the library's embedded
-- scripts (core/scripts.h: "=[funnelcast] scripts/x.lua"), not a scenario.
local LIB_SOURCE = "=" .. core.script_chunk
function M.is_library_source(source)
  return type(source) == "string" and source:sub(1, #LIB_SOURCE) == LIB_SOURCE
end
M.library_chunk = core.script_chunk

-- Whether text (a message, a chunk name) begins as the library's own
-- positions do ("[funnelcast] scripts/x.lua:12: ...").
function M.claims_library(text)
  return type(text) == "string" and text:sub(1, #M.library_chunk) == M.library_chunk
end

-- Whether t is a table a script wrote (no metatable: not a library object).
function M.is_plain(t) return type(t) == "table" and getmetatable(t) == nil end

-- Whether x is a finite number.
function M.finite(x) return type(x) == "number" and x == x and x ~= math.huge and x ~= -math.huge end

-- The options table of a library helper (reallocate, plan, ...): a plain
-- table of the known fields only, else fail(fmt, ...) with what is wrong
-- ("unknown field 'x' (did you mean ...)"); usage, when given, is shown in
-- the message of a missing table, which is an error then (else nil reads
-- as no options).
function M.options(fail, opts, known, usage, show)
  if opts == nil and usage == nil then return {} end
  if not M.is_plain(opts) then
    fail("expected a table of options%s, got %s", usage and " " .. usage or "", (show or M.show)(opts))
  end
  for _, k in ipairs(core._script("object").sorted_keys(opts)) do
    local ok = false
    for _, n in ipairs(known) do ok = ok or n == k end
    if not ok then
      local name = tostring(k)
      local hint = type(k) == "string" and M.suggest(name, known) or ""
      if hint == "" then hint = " (known fields: " .. table.concat(known, ", ") .. ")" end
      fail("unknown field '%s'%s", name, hint)
    end
  end
  return opts
end

-- A number as messages show it: integers plainly, others with %g.
function M.show(x)
  if type(x) == "number" then
    if math.type(x) == "integer" then return tostring(x) end
    if x ~= x then return "nan" end
    return string.format("%g", x)
  elseif type(x) == "string" then
    -- %q, with the bytes of invalid UTF-8 written as escapes: a message
    -- stays valid text whatever the script's strings hold
    local q = string.format("%q", x):gsub("\\\n", "\\n")
    if not utf8.len(q) then q = q:gsub("[\128-\255]", function(c) return "\\" .. c:byte() end) end
    return q
  end
  return type(x)
end

-- The decimal text of integer x read as unsigned (seeds run to 2^64 - 1 and
-- travel as the Lua integer with the same bits).
function M.unsigned(x)
  if math.type(x) ~= "integer" then return M.show(x) end
  if x >= 0 then return string.format("%d", x) end
  local q = (x >> 1) // 5 -- floor(u / 10): x >> 1 is a logical shift
  return string.format("%d%d", q, x - q * 10)
end

-- Raises msg at the line of the code that called the function that calls
-- raise, as error(msg, 2) there would; without a place when that code is
-- the library's (a tail call, `return next(5)`, dropped the script's frame):
-- the sandbox then names the file.
function M.raise(msg)
  local caller = core._getinfo(3)
  if caller and caller.what ~= "C" and not M.is_library_source(caller.source) then error(msg, 3) end
  error(msg, 0)
end

function M.fail(fmt, ...)
  error(string.format(fmt, ...), 0)
end

local function distance(a, b)
  -- Levenshtein distance with a rolling row; names are short.
  local prev = {}
  for j = 0, #b do prev[j] = j end
  for i = 1, #a do
    local cur = { [0] = i }
    for j = 1, #b do
      local cost = a:sub(i, i) == b:sub(j, j) and 0 or 1
      cur[j] = math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
    end
    prev = cur
  end
  return prev[#b]
end

-- The candidate closest to name, when it is close enough to be a typo.
function M.closest(name, candidates)
  local best, bestd
  for _, c in ipairs(candidates) do
    local d = distance(name:lower(), c:lower())
    if bestd == nil or d < bestd then best, bestd = c, d end
  end
  if best and bestd <= math.max(2, #name // 3) then return best end
  return nil
end

-- " (did you mean 'x'?)" or "".
function M.suggest(name, candidates)
  -- a name of pages is no typo (and its distance would take seconds)
  local c = type(name) == "string" and #name <= 100 and M.closest(name, candidates) or nil
  return c and string.format(" (did you mean '%s'?)", c) or ""
end

-- Wraps a constructor so that an error raised inside it (at level 0) is
-- re-raised at the line of the script that called the constructor.
function M.public(f)
  return function(...)
    local ok, r = pcall(f, ...)
    if not ok then M.raise(r) end
    return r
  end
end

return M
