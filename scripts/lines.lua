-- lines: where each field of a scenario is written in its file, so that a
-- validation error can name the line of the offending field and not only the
-- line of the scenario{} call. A small Lua lexer (names, strings with long
-- brackets, numbers, comments, punctuation) and a reader of table
-- constructors that records, for the table passed to a call such as
-- `scenario {`, the line of every field path ("channels.search.cpc",
-- "funnel[3].rate", "goals[2].metric"). The file has already been run by Lua,
-- so it is valid: the lexer never needs to report errors, it just stops.
local M = {}

-- The path of field key under parent, in the syntax of error messages:
-- names join with ".", list positions with "[n]".
function M.join(parent, key)
  if math.type(key) == "integer" then return parent .. "[" .. key .. "]" end
  if parent == "" then return tostring(key) end
  return parent .. "." .. tostring(key)
end

-- The path one level up ("" above the top).
function M.parent(path)
  local p = path:match("^(.*)%[%d+%]$") or path:match("^(.*)%.[^.%[]*$")
  return p or ""
end

local function count_lines(s) local _, n = s:gsub("\n", "") return n end

local ESCAPES = { n = "\n", t = "\t", r = "\r", a = "\a", b = "\b", f = "\f", v = "\v",
  ["\\"] = "\\", ['"'] = '"', ["'"] = "'", ["\n"] = "\n" }

-- Long bracket at position i ("[[", "[==["): returns its level or nil.
local function long_open(src, i)
  local eq = src:match("^%[(=*)%[", i)
  return eq and #eq or nil
end

-- Tokens: { t = "name"|"string"|"number"|"op"|"eof", v = value, line = n }.
-- Keywords are names; only table structure and call syntax matter here.
function M.lex(src)
  local toks, i, line, n = {}, 1, 1, #src
  local function push(t, v) toks[#toks + 1] = { t = t, v = v, line = line } end
  while i <= n do
    local c = src:sub(i, i)
    if c == "\n" then
      line, i = line + 1, i + 1
    elseif c:match("%s") then
      i = i + 1
    elseif src:sub(i, i + 1) == "--" then
      local level = long_open(src, i + 2)
      if level then
        local close = "]" .. string.rep("=", level) .. "]"
        local _, e = src:find(close, i, true)
        e = e or n
        line = line + count_lines(src:sub(i, e))
        i = e + 1
      else
        local e = src:find("\n", i, true) or n + 1
        i = e
      end
    elseif c == "[" and long_open(src, i) then
      local level = long_open(src, i)
      local close = "]" .. string.rep("=", level) .. "]"
      local s, e = src:find(close, i, true)
      s, e = s or n + 1, e or n
      local body = src:sub(i + level + 2, s - 1):gsub("^\r?\n", "")
      push("string", body)
      line = line + count_lines(src:sub(i, e))
      i = e + 1
    elseif c == '"' or c == "'" then
      local buf, j, startline = {}, i + 1, line
      while j <= n do
        local d = src:sub(j, j)
        if d == c then break end
        if d == "\\" then
          local e = src:sub(j + 1, j + 1)
          if e == "\n" then line = line + 1 end
          if e == "z" then
            local ws = src:match("^%s*", j + 2)
            line = line + count_lines(ws)
            j = j + 2 + #ws
          else
            buf[#buf + 1] = ESCAPES[e] or e
            j = j + 2
          end
        else
          buf[#buf + 1] = d
          j = j + 1
        end
      end
      toks[#toks + 1] = { t = "string", v = table.concat(buf), line = startline }
      i = j + 1
    elseif c:match("%d") or (c == "." and src:sub(i + 1, i + 1):match("%d")) then
      local s = src:match("^0[xX][%x%.]*[pP][%+%-]?%d+", i) or src:match("^0[xX][%x%.]*", i)
        or src:match("^[%d%.]*[eE][%+%-]?%d+", i) or src:match("^[%d%.]*", i)
      push("number", tonumber(s))
      i = i + #s
    elseif c:match("[%a_]") then
      local s = src:match("^[%w_]+", i)
      push("name", s)
      i = i + #s
    else
      local op = src:match("^%.%.%.", i) or src:match("^[=~<>/:%.][=<>/:%.]", i)
      if not (op and (op == "..." or op == "==" or op == "~=" or op == "<=" or op == ">="
          or op == "//" or op == "::" or op == "<<" or op == ">>" or op == "..")) then
        op = c
      end
      push("op", op)
      i = i + #op
    end
  end
  toks[#toks + 1] = { t = "eof", line = line }
  return toks
end

local OPEN = { ["("] = true, ["{"] = true, ["["] = true }
local CLOSE = { [")"] = true, ["}"] = true, ["]"] = true }
-- Block keywords also nest: a function written inside a table has commas.
local BLOCK_OPEN = { ["function"] = true, ["if"] = true, ["do"] = true, ["repeat"] = true }
local BLOCK_CLOSE = { ["end"] = true, ["until"] = true }

local function is_op(tk, v) return tk.t == "op" and tk.v == v end

-- Nesting change of one token: +1, -1 or 0.
local function nesting(tk)
  if tk.t == "op" then
    if OPEN[tk.v] then return 1 end
    if CLOSE[tk.v] then return -1 end
  elseif tk.t == "name" then
    if BLOCK_OPEN[tk.v] then return 1 end
    if BLOCK_CLOSE[tk.v] then return -1 end
  end
  return 0
end

-- Index just past the bracket or block opened at toks[i].
local function skip_balanced(toks, i)
  local depth = 0
  repeat
    depth = depth + nesting(toks[i])
    i = i + 1
  until depth <= 0 or toks[i].t == "eof"
  return i
end

local parse_table

-- Reads one field value starting at toks[i], up to the "," ";" or "}" that
-- ends it. A table constructor that is the value itself, or the argument of a
-- call (goal{...}, hill{...}, beta{...}, f({...})), is read with the same
-- path so that its fields are found too.
local function parse_value(toks, i, path, map)
  while true do
    local tk = toks[i]
    if tk.t == "eof" then return i end
    if tk.t == "op" and (tk.v == "," or tk.v == ";" or tk.v == "}") then return i end
    if is_op(tk, "{") then
      i = parse_table(toks, i, path, map)
    elseif is_op(tk, "(") and is_op(toks[i + 1], "{") then
      i = parse_table(toks, i + 1, path, map)
      if is_op(toks[i], ")") then i = i + 1 end
    elseif nesting(tk) > 0 then
      i = skip_balanced(toks, i)
    else
      i = i + 1
    end
  end
end

-- Reads the table constructor at toks[i] ("{"), recording into map the line
-- of each field under path; returns the index just past its "}".
function parse_table(toks, i, path, map)
  i = i + 1
  local index = 0
  while toks[i].t ~= "eof" and not is_op(toks[i], "}") do
    local tk, key = toks[i], nil
    if is_op(tk, "[") then
      local k, close, eq = toks[i + 1], toks[i + 2], toks[i + 3]
      if (k.t == "string" or k.t == "number") and is_op(close, "]") and is_op(eq, "=") then
        key = math.tointeger(k.v) or k.v
        i = i + 4
      else -- a computed key: skip it, its field has no known path
        i = skip_balanced(toks, i)
        if is_op(toks[i], "=") then i = i + 1 end
      end
    elseif tk.t == "name" and is_op(toks[i + 1], "=") then
      key = tk.v
      i = i + 2
    else
      index = index + 1
      key = index
    end
    local sub = key ~= nil and path and M.join(path, key) or nil
    if sub then map[sub] = tk.line end
    i = parse_value(toks, i, sub, map)
    if is_op(toks[i], ",") or is_op(toks[i], ";") then i = i + 1 end
  end
  return i + 1
end

-- The first call of a function named fname (scenario, with) written at or
-- after line `from` whose argument is a table constructor: returns the path
-- -> line map of that table ("" maps to the line of the call), or nil.
-- With from == nil, the first call that a `return` begins (`return
-- scenario {`, `return base:with {`): the call Lua made as a tail call,
-- whose line the debug library cannot report.
local function after_return(toks, i)
  i = i - 1
  while i >= 1 and (toks[i].t == "name" or is_op(toks[i], ".") or is_op(toks[i], ":")) do
    if toks[i].t == "name" and toks[i].v == "return" then return true end
    i = i - 1
  end
  return false
end

function M.map(src, from, fname)
  local toks = M.lex(src)
  for i = 1, #toks - 1 do
    local tk = toks[i]
    if tk.t == "name" and tk.v == fname and (from == nil and after_return(toks, i) or from and tk.line >= from) then
      local j = i + 1
      if is_op(toks[j], "(") then j = j + 1 end
      if is_op(toks[j], "{") then
        local map = { [""] = tk.line }
        parse_table(toks, j, "", map)
        return map
      end
    end
  end
  return nil
end

-- Lines that help when the file returned no scenario: the first call of
-- fname (a scenario built but not returned), and the last line with code.
function M.first_call(src, fname)
  local toks = M.lex(src)
  for i, tk in ipairs(toks) do
    local nx = toks[i + 1]
    if tk.t == "name" and tk.v == fname and nx and (is_op(nx, "{") or is_op(nx, "(")) then
      return tk.line
    end
  end
  return nil
end

-- The line of the last `return` (where a wrong value was returned).
function M.last_return(src)
  local line
  for _, tk in ipairs(M.lex(src)) do
    if tk.t == "name" and tk.v == "return" then line = tk.line end
  end
  return line
end

function M.last_line(src)
  local toks = M.lex(src)
  return #toks > 1 and toks[#toks - 1].line or 1
end

return M
