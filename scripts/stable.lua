-- stable: pairs, next and table.sort for a scenario's environment, in an
-- order that is the same in every process. Lua walks string keys in an order
-- that changes from one process to the next (string hashes are seeded at
-- random), and its sort may pick random pivots, so a script that builds its
-- channels with pairs() or sorts with ties would give other bytes for the
-- same seed, and its shards would not merge. Keys are walked numbers first
-- (ascending), then strings (byte order), then false and true; keys of other
-- types (tables, functions) follow in Lua's own order, which is stable only
-- within one process. A table with a __pairs metamethod is walked its way.
local core = ...
local object = core._script("object")
local util = core._script("util")

local M = {}

local real_pairs, real_next = pairs, next

local function typename(x) return object.name(x) or type(x) end

-- next(t, k): the key after k in the stable order. The order of a walk is
-- taken when it starts (next(t) or next(t, nil)) and kept for the table
-- until the next start, as Lua keeps its own while a walk assigns to
-- existing fields or clears them (a cleared key is skipped).
local walks = setmetatable({}, { __mode = "k" }) -- t -> { keys, pos }

function M.next(t, k)
  if type(t) ~= "table" then
    util.raise(string.format("bad argument #1 to 'next' (table expected, got %s)", typename(t)))
  end
  local w = walks[t]
  if k == nil or w == nil or w.pos[k] == nil then
    if k ~= nil and rawget(t, k) == nil then util.raise("invalid key to 'next'") end
    local keys = object.sorted_keys(t)
    local pos = {}
    for i, key in ipairs(keys) do pos[key] = i end
    w = { keys = keys, pos = pos }
    walks[t] = w
  end
  local i = k == nil and 0 or w.pos[k]
  while true do
    i = i + 1
    local key = w.keys[i]
    if key == nil then return nil end
    local v = rawget(t, key)
    if v ~= nil then return key, v end
  end
end

-- pairs(t): a walk with M.next, unless t has a __pairs of its own.
function M.pairs(t)
  local f, s, c = real_pairs(t)
  if f ~= real_next then return f, s, c end
  if type(t) ~= "table" then
    util.raise(string.format("bad argument #1 to 'pairs' (table expected, got %s)", typename(t)))
  end
  return M.next, t, nil
end

local function less(a, b) return a < b end

local merge_sort

-- table.sort(list [, comp]): a stable merge sort (equal elements keep their
-- order), so that ties sort the same way in every process. Its errors (two
-- elements that do not compare) are the caller's.
function M.sort(list, comp)
  if type(list) ~= "table" then
    util.raise(string.format("bad argument #1 to 'sort' (table expected, got %s)", typename(list)))
  end
  if comp ~= nil and type(comp) ~= "function" then
    util.raise(string.format("bad argument #2 to 'sort' (function expected, got %s)", typename(comp)))
  end
  local ok, e = pcall(merge_sort, list, comp or less)
  if not ok then
    if util.claims_library(e) then
      util.raise((e:gsub("^[^\n]-:%d+: ", ""))) -- a comparison the sort made: the caller's
    end
    error(e, 0)
  end
end

function merge_sort(list, comp)
  local n = #list
  local a, b = {}, {}
  for i = 1, n do a[i] = list[i] end
  local width = 1
  while width < n do
    local lo = 1
    while lo <= n do
      local mid, hi = math.min(lo + width, n + 1), math.min(lo + 2 * width, n + 1)
      local i, j, k = lo, mid, lo
      while i < mid and j < hi do
        -- take from the right only when strictly before: stability
        if comp(a[j], a[i]) then b[k], j = a[j], j + 1 else b[k], i = a[i], i + 1 end
        k = k + 1
      end
      while i < mid do b[k], i, k = a[i], i + 1, k + 1 end
      while j < hi do b[k], j, k = a[j], j + 1, k + 1 end
      lo = hi
    end
    a, b = b, a
    width = 2 * width
  end
  for i = 1, n do list[i] = a[i] end
end

return M
