-- object: the library's objects that a scenario holds but can neither change
-- nor look inside: distributions, hill/sbg/goal records, scenarios and
-- read-only views of tables. Each is an empty userdata (core._proxy) with a
-- protected metatable; its data lives in a weak table private to this
-- module. So rawget, rawset, setmetatable and getmetatable reach nothing, a
-- read returns a plain value or a read-only view (never a table the library
-- keeps), and the library knows its objects by identity, not by a metatable
-- a script could copy. Keys are walked in a stable order (numbers, then
-- strings), whatever the process's string hashing.
local core = ...
local M = {}

local DATA = setmetatable({}, { __mode = "k" }) -- proxy -> { class = , data = }

-- Keys of t in a stable order: numbers ascending, then strings, then booleans.
local RANK = { number = 1, string = 2, boolean = 3 }
local function key_less(a, b)
  local ra, rb = RANK[type(a)] or 4, RANK[type(b)] or 4
  if ra ~= rb then return ra < rb end
  if ra == 3 then return not a and b end
  if ra == 4 then return false end
  return a < b
end

-- The keys of t (raw: t's own metatable is not asked; of an object, its
-- data's), in that order.
function M.sorted_keys(t)
  local keys = {}
  for k in next, DATA[t] and DATA[t].data or t do keys[#keys + 1] = k end
  table.sort(keys, key_less)
  return keys
end

local view_class

-- A value as a script reads it from an object: library objects and plain
-- values as they are, tables as read-only views.
local function out(v)
  if type(v) == "table" then return M.view(v) end
  return v
end

-- A class of objects: name (shown by tostring when the class has no
-- tostring), index(data, key) -> value (default: the data's field, through
-- out), keys (the list pairs walks, default: the data's keys),
-- tostring(data) -> text, and the message a write raises.
function M.class(name, spec)
  spec = spec or {}
  local index = spec.index or function(data, k) return out(data[k]) end
  local class = { name = name }
  class.mt = {
    __name = name,
    __metatable = false,
    __index = function(p, k) return index(DATA[p].data, k, p) end,
    __newindex = function()
      error(spec.readonly or string.format("a %s is read-only", name), 2)
    end,
    __len = function(p) return #DATA[p].data end,
    __pairs = function(p)
      local data = DATA[p].data
      local keys, i = spec.keys or M.sorted_keys(data), 0
      return function()
        i = i + 1
        local k = keys[i]
        if k ~= nil then return k, index(data, k, p) end
      end, p, nil
    end,
    __tostring = function(p)
      return spec.tostring and spec.tostring(DATA[p].data, p) or name
    end,
  }
  return class
end

-- A new object of class over data (the caller hands data over: nothing else
-- may keep a reference a script can reach).
function M.new(class, data)
  local p = core._proxy(class.mt)
  DATA[p] = { class = class, data = data }
  return p
end

-- The data of x when x is an object of class, else nil.
function M.data(x, class)
  local d = DATA[x]
  return d and d.class == class and d.data or nil
end

function M.is(x, class) return M.data(x, class) ~= nil end
function M.is_object(x) return DATA[x] ~= nil end
-- The class name of object x ("scenario"), or nil.
function M.name(x) return DATA[x] and DATA[x].class.name end

view_class = M.class("table", { readonly = "this table belongs to the library and is read-only: use s:with{...} or s:set(path, value)" })

-- A read-only view of table t (a fresh object each time: views hold t).
function M.view(t)
  return M.new(view_class, t)
end

function M.is_view(x) return M.is(x, view_class) end
-- The table a view shows (the library's: copy it before handing it out).
function M.view_data(x) return M.data(x, view_class) end

-- A plain deep copy of plain data (views and objects are not copied: the
-- caller decides what they become).
function M.copy(v)
  if type(v) ~= "table" then return v end
  local c = {}
  for k, x in next, v do c[k] = M.copy(x) end
  return c
end

return M
