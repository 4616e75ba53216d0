-- sandbox: what a scenario file can reach. Each file runs in an environment
-- built here from an allow list: a few base functions, copies of the string
-- (without dump), table, math and utf8 libraries, the scenario constructors,
-- a load for text chunks only, and include. math.random draws from PCG32,
-- seeded from the run's seed, so a script that draws stays reproducible.
-- Nothing in it leads to io, os, debug, package, the library's core table or
-- the state's own globals; the command's state (core/lua_sandbox.c) does not
-- even open those libraries. --unsafe (opts.unsafe) lets a trusted script
-- reach every global and include any path.
local core = ...
local util = core._script("util")
local dist = core._script("dist")
local stable = core._script("stable")
local object = core._script("object")

local M = {}

local BASE = {
  "assert", "error", "ipairs", "next", "pairs", "pcall", "select", "tonumber",
  "tostring", "type", "xpcall", "rawequal", "rawget", "rawlen", "rawset",
  "setmetatable", "print",
}
local LIBS = { "string", "table", "math", "utf8" }

-- Names a script may reach for that the sandbox does not give, and what it
-- lacks without them.
local MISSING = {
  io = "files", os = "programs, files or clock", debug = "debug library", package = "modules",
  require = "modules", dofile = "files", loadfile = "files", coroutine = "coroutines",
  collectgarbage = "control of the collector",
}
local function missing(what, lacks)
  return string.format("%s is not available in a scenario: the sandbox has no %s (see 'Running scenarios "
    .. "you did not write' in README.md; --unsafe lifts it for a trusted script)", what, lacks)
end

local BYTECODE = "load: binary chunks (bytecode) cannot be loaded in a scenario: only Lua text"
local MAX_INCLUDE_DEPTH = 16

local base_load, real_getmetatable, real_setmetatable = load, getmetatable, setmetatable
local function READONLY_MT()
  error("the metatables of the library's objects are read-only in a scenario", 2)
end

local function dirname(p) return p:match("^(.*/)") or "" end

-- load(chunk [, name [, mode [, env]]]) for a scenario: text only, and the
-- chunk sees the scenario's environment unless it is given another. Its name
-- never starts with '@', so it cannot pose as a file whose lines the library
-- would read.
local function sandbox_load(env)
  return function(chunk, name, mode, chunk_env)
    if type(chunk) == "function" then
      local parts = {}
      while true do
        local piece = chunk()
        if piece == nil or piece == "" then break end
        if type(piece) ~= "string" then return nil, "load: the reader function must return strings" end
        parts[#parts + 1] = piece
      end
      chunk = table.concat(parts)
    end
    if type(chunk) ~= "string" then
      util.raise(string.format("load: expected a string of Lua text, got %s", type(chunk)))
    end
    if chunk:byte(1) == 27 or (mode ~= nil and not tostring(mode):find("t", 1, true)) then
      return nil, BYTECODE
    end
    name = type(name) == "string" and (name:gsub("^[=@]", "")) or "(load)"
    -- nor as one of the library's own scripts (util.is_library_source)
    if util.claims_library(name) then name = "(load) " .. name end
    name = "=" .. name
    if chunk_env == nil then chunk_env = env end
    return base_load(chunk, name, "t", chunk_env)
  end
end

-- The string library a script sees: a copy without dump, where asking for
-- dump says why it is missing.
local function string_copy()
  local s = {}
  for k, v in pairs(string) do s[k] = v end
  s.dump = nil
  return setmetatable(s, {
    __index = function(_, k)
      if k == "dump" then error(missing("string.dump", "bytecode"), 2) end
    end,
  })
end

local run_chunk

-- The line of from that calls include(name): the caller's frame, or, after
-- a tail call (return include "base.lua") has dropped it, the first line of
-- from's text that includes name. level is the include function's frame.
local function include_line(from, name, level, word)
  word = word or "include"
  local own = core._getinfo(level + 1)
  if own and not own.istailcall then
    local caller = core._getinfo(level + 2)
    if caller and caller.source == "@" .. from then return caller.currentline end
  end
  local n = 0
  for line in ((core._script("scenario")._source(from) or "") .. "\n"):gmatch("([^\n]*)\n") do
    n = n + 1
    line = line:gsub("%-%-.*$", "")
    if line:find(word, 1, true) and (type(name) ~= "string" or line:find(name, 1, true)) then return n end
  end
  return 1
end

-- The one rule for the files a scenario reads (include, calibrate): name,
-- relative to the folder of the file `from`, must lie inside the
-- scenario's folder (no absolute path, no '..', no link out of it), and a
-- scenario read from a pipe has no folder. Returns the path and its real
-- path, or raises fail(fmt, ...).
local function inside_path(ctx, from, name, fail, what)
  if name:find("\0", 1, true) then fail("expected a file name without NUL bytes") end
  if not ctx.root and not ctx.unsafe then
    fail("the scenario was read from a pipe or a device, so it has no folder to %s from", what)
  end
  if not ctx.unsafe then
    if name:sub(1, 1) == "/" then
      fail("expected a path relative to this file's folder, got an absolute path")
    end
    for part in name:gmatch("[^/]+") do
      if part == ".." then fail("expected a path inside this file's folder, without '..'") end
    end
  end
  local path = name:sub(1, 1) == "/" and name or dirname(from) .. name
  local real, why = core._realpath(path)
  if not real then fail("cannot open %s (%s)", path, why) end
  if not ctx.unsafe and real:sub(1, #ctx.root) ~= ctx.root then
    fail("%s lies outside the folder of the scenario (%s) through a link", path, ctx.root)
  end
  return path, real
end

-- calibrate(name [, opts]) from the file `from`: the history file `name`,
-- by the rule of include, read (regular files only, bounded) and turned
-- into a with{} table (scripts/calibrate.lua).
local function calibrate_fn(ctx, from)
  return function(name, opts, extra)
    local where = string.format("%s:%d", from, include_line(from, name, 1, "calibrate"))
    local function fail(fmt, ...)
      error(string.format("%s: calibrate %s: " .. fmt, where, util.show(name), ...), 0)
    end
    if type(name) ~= "string" or name == "" or extra ~= nil then
      fail("expected a history file's name and options, such as calibrate(\"history.csv\", { weight = 0.5 })")
    end
    local path, real = inside_path(ctx, from, name, fail, "read")
    local history = core._script("history")
    local src, rerr = core._read_file(path, true, history.MAX_BYTES)
    if not src then fail("cannot read %s (%s)", path, rerr) end
    if ctx.inputs then ctx.inputs[#ctx.inputs + 1] = real end
    return core._script("calibrate").calibrate(src, path, opts, where)
  end
end

-- include(name) from the file `from`: runs the file `name`, relative to
-- from's folder, in a fresh environment of the same sandbox and limits, and
-- returns what it returns.
local function include_fn(ctx, from)
  return function(name, extra)
    local function fail(fmt, ...)
      -- fail is level 1 here, include level 2
      error(string.format("%s:%d: include %s: " .. fmt, from, include_line(from, name, 2), util.show(name), ...), 0)
    end
    if type(name) ~= "string" or name == "" or extra ~= nil then
      fail("expected one file name, such as include \"base.lua\"")
    end
    local path, real = inside_path(ctx, from, name, fail, "include")
    for i, r in ipairs(ctx.stack) do
      if r == real then
        local chain = {}
        for j = i, #ctx.names do chain[#chain + 1] = ctx.names[j] end
        chain[#chain + 1] = path
        fail("an include cycle: %s", table.concat(chain, " -> "))
      end
    end
    if #ctx.stack > MAX_INCLUDE_DEPTH then fail("more than %d nested includes", MAX_INCLUDE_DEPTH) end
    local src, rerr = core._read_file(path, true)
    if not src then fail("cannot read %s (%s)", path, rerr) end
    core._script("scenario")._text(path, src)
    ctx.stack[#ctx.stack + 1], ctx.names[#ctx.names + 1] = real, path
    if ctx.inputs then ctx.inputs[#ctx.inputs + 1] = real end
    local ok, r = pcall(run_chunk, ctx, path, src)
    ctx.stack[#ctx.stack], ctx.names[#ctx.names] = nil, nil
    if not ok then error(r, 0) end
    return table.unpack(r, 1, r.n)
  end
end

-- The environment of the file at path: allowed names only; reading any other
-- global is an error that says what is missing, or suggests a close name (a
-- misspelt constructor, betta(30, 970)).
local function file_env(ctx, path)
  local fc = ctx.fc
  local env = {}
  for _, name in ipairs(BASE) do env[name] = _G[name] end
  for _, name in ipairs(LIBS) do
    local copy = {}
    for k, v in pairs(_G[name]) do copy[k] = v end
    env[name] = copy
  end
  env.string = ctx.string
  env.math.random, env.math.randomseed = ctx.random, ctx.randomseed
  -- the same order in every process (scripts/stable.lua)
  env.pairs, env.next, env.table.sort = stable.pairs, stable.next, stable.sort
  -- A finalizer runs with the count hook off (Lua stops hooks during __gc):
  -- a script may not set one, nor write to a metatable of the library (a
  -- __gc there would reach the objects the library makes later). It reads
  -- them through a read-only view; strings' metatable is a view of its copy.
  env.setmetatable = function(t, mt)
    if type(t) ~= "table" then
      util.raise(string.format("bad argument #1 to 'setmetatable' (table expected, got %s)",
        object.name(t) or type(t)))
    end
    if type(mt) == "table" and rawget(mt, "__gc") ~= nil then util.raise(missing("__gc", "finalizers")) end
    local r = real_setmetatable(t, mt)
    if type(mt) == "table" then ctx.user_mts[mt] = true end
    return r
  end
  env.getmetatable = function(x)
    if type(x) == "string" then return { __index = env.string } end
    local mt = real_getmetatable(x)
    if type(mt) ~= "table" or ctx.user_mts[mt] then return mt end
    return real_setmetatable({}, { __index = mt, __newindex = READONLY_MT, __metatable = false })
  end
  -- A message handler runs with the hook off when the hook raised the error:
  -- after a limit, the script's handler is skipped.
  env.xpcall = function(f, handler, ...)
    return xpcall(f, function(...)
      if core._limit_hit() then return ... end
      return handler(...)
    end, ...)
  end
  for name, f in pairs(dist.constructors) do env[name] = f end
  env.scenario, env.goal, env.hill, env.sbg = fc.scenario, fc.goal, fc.hill, fc.sbg
  env.lags = {}
  for k, v in pairs(fc.lags) do env.lags[k] = v end
  env.normalize, env.is_scenario = fc.normalize, fc.is_scenario
  env.reallocate, env.scale, env.compare = fc.reallocate, fc.scale, fc.compare
  env.sample, env.pcg32, env.version = fc.sample, fc.pcg32, fc.version
  env._VERSION = _VERSION
  env.load = sandbox_load(env)
  env.include = include_fn(ctx, path)
  env.calibrate = calibrate_fn(ctx, path)
  -- the command's print writes to standard error: standard output carries
  -- the report, which a script's output must not corrupt
  if ctx.print then env.print = ctx.print end
  env._G = env
  if ctx.unsafe then
    env.getmetatable, env.setmetatable = real_getmetatable, real_setmetatable
    env.load = function(chunk, name, mode, e)
      if e == nil then e = env end
      return load(chunk, name, mode, e)
    end
  end
  local names = {}
  for k in pairs(env) do names[#names + 1] = k end
  table.sort(names)
  return setmetatable(env, {
    __index = function(_, k)
      if ctx.unsafe and _G[k] ~= nil then return _G[k] end
      if MISSING[k] then
        error(missing("'" .. k .. "'", MISSING[k]), 2)
      end
      error(string.format("unknown name '%s'%s", tostring(k), util.suggest(tostring(k), names)), 2)
    end,
    __metatable = false,
  })
end

-- In a host's own state (the Lua module), strings index the host's string
-- library, dump included. While a scenario runs there, strings index a copy
-- without dump instead: one the script cannot reach, so that the library's
-- own s:gsub(...) calls keep their meaning. The command's state has no dump
-- anywhere, and its string metatable is protected (core/lua_sandbox.c).
local function host_strings(ctx, f, ...)
  local getmt = rawget(_G, "debug") and debug.getmetatable or real_getmetatable
  local smt = getmt("")
  if ctx.unsafe or type(smt) ~= "table" or type(rawget(smt, "__index")) ~= "table"
    or rawget(smt.__index, "dump") == nil then
    return f(...)
  end
  local prev, own = smt.__index, {}
  for k, v in pairs(prev) do if k ~= "dump" then own[k] = v end end
  smt.__index = own
  local r = table.pack(pcall(f, ...))
  smt.__index = prev
  if not r[1] then error(r[2], 0) end
  return table.unpack(r, 2, r.n)
end

-- The message handler of a scenario file's run: an error that names no
-- place (error({}), error("text", 0), an object with __tostring) gets the
-- file and line of the innermost scenario code on the stack, so that every
-- message names where it came from. After a limit the error is left as it
-- is (the hook is off while this runs; the limit's own message replaces it).
local function locate_error(path, e)
  if core._limit_hit() then return e end
  -- where it was raised (the innermost Lua code), and the innermost scenario
  -- code (a file; a tail call may have dropped it: then the file that runs)
  local raised_by_library, where = nil, nil
  for level = 3, 250 do
    local info = core._getinfo(level)
    if info == nil then break end
    if info.what ~= "C" then
      if raised_by_library == nil then raised_by_library = util.is_library_source(info.source) end
      if info.source:sub(1, 1) == "@" then
        where = string.format("%s:%d", info.source:sub(2), info.currentline)
        break
      end
    end
  end
  where = where or path
  if type(e) == "string" then
    local claims_library = util.claims_library(e)
    if claims_library and raised_by_library then return e end -- a fault of the library's own
    if not claims_library and (e:match("^[^\n]-:%d+: ") or e:match("^%-%-set ")) then return e end
  end
  local text = e
  if type(e) ~= "string" then
    local ok, s = pcall(tostring, e)
    local mt = real_getmetatable(e)
    text = ok and type(mt) == "table" and rawget(mt, "__tostring") and tostring(s)
      or string.format("error({...}): an error object of type %s, not a message", type(e))
    if type(e) == "number" then text = tostring(e) end
  end
  return where .. ": " .. text
end

-- Runs the text src of the file at path; returns the packed values it returned.
function run_chunk(ctx, path, src)
  if src:byte(1) == 27 then
    error(string.format("%s: a precompiled (binary) chunk: scenario files must be Lua text", path), 0)
  end
  if src:sub(1, 1) == "#" then src = "--" .. src end -- a #! line
  local chunk, err = base_load(src, "@" .. path, "t", file_env(ctx, path))
  if not chunk then
    -- Lua's names are ASCII: a bare name with accents stops the parser at
    -- its first byte past 127 (shown as <\195>)
    if err:find("near '<\\%d+>'") then
      err = err .. " (a name with accents or other letters beyond ASCII must be quoted: "
        .. "[\"référencement\"] = { ... })"
    end
    error(err, 0)
  end
  local scenario = core._script("scenario")
  local prev = scenario._loading(path)
  local ok, r = xpcall(function() return table.pack(chunk()) end, function(e) return locate_error(path, e) end)
  scenario._loading(prev)
  if not ok then error(r, 0) end
  return r
end

-- load(fc, path [, { unsafe =, seed =, print =, text = }]): runs the scenario
-- file at path in the sandbox and returns the packed values it returned.
-- math.random starts from opts.seed (the --seed of the command), else 1;
-- opts.print, when given, is the scripts' print. With opts.text, that text
-- is the scenario and path only its name (it has no folder: no includes).
function M.load(fc, path, opts)
  opts = opts or {}
  local src, why
  if opts.text then
    src = opts.text
  else
    src, why = core._read_file(path)
    if not src then error(string.format("%s: cannot open the scenario file (%s)", path, why), 0) end
  end
  -- kept: messages and reports read the text as it ran, never the file again
  -- (a pipe or a device cannot be read twice)
  core._script("scenario")._text(path, src)
  -- a file read from a pipe or a device (/dev/stdin) has no folder: no includes
  local real = why and core._realpath(path) or nil
  local ctx = { fc = fc, unsafe = opts.unsafe, print = opts.print, root = real and dirname(real), stack = { real or path },
    names = { path }, string = string_copy(), inputs = opts.inputs,
    user_mts = setmetatable({}, { __mode = "k" }) }
  ctx.random, ctx.randomseed = core._random(math.tointeger(opts.seed) or 1)
  return host_strings(ctx, run_chunk, ctx, path, src)
end

return M
