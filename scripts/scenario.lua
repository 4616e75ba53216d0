-- scenario: the scenario-file API. The constructors a scenario file calls
-- (scenario, goal, hill, sbg, lags.*), the validation of every field of
-- DESIGN.md's "Model semantics" with errors an analyst can act on
-- ("q3.lua:14: funnel[3].rate: expected a probability in [0, 1], got 1.4"),
-- the what-if copies (s:with, s:set) and normalize(s), the plain table that
-- the model compiler (core/lua_model.c) reads.
local core = ...
local util = core._script("util")
local calendar = core._script("calendar")
local dist = core._script("dist")
local lines = core._script("lines")
local object = core._script("object")

-- Scenario files run in a sandbox without io and debug (scripts/sandbox.lua);
-- the library reads a scenario's text and its callers' lines, to name the
-- line of each field, through core functions no scenario can reach.
local read_file, getinfo = core._read_file, core._getinfo

local join, parent = lines.join, lines.parent
local public = util.public

local M = {}

----------------------------------------------------------------------------
-- Records made by the small constructors (hill, sbg, goal): read-only
-- objects (scripts/object.lua) over a copy of their table. The fields are
-- checked inside scenario{}, where the error can name the field path
-- (goals[2].at_least) and its line.

local function record_class(name)
  return object.class(name, {
    tostring = function() return name .. "{...}" end,
    readonly = string.format("a %s{...} record is read-only: write a new one", name),
  })
end
local Hill, Sbg, Goal = record_class("hill"), record_class("sbg"), record_class("goal")
local RECORDS = { Hill, Sbg, Goal }

-- The class of record x, or nil.
local function record_of(x)
  for _, c in ipairs(RECORDS) do
    if object.is(x, c) then return c end
  end
  return nil
end

local copy_spec

-- The library walks the tables a script gives it recursively (to copy,
-- merge and validate them): it refuses, before any walk, a table that
-- contains itself, one nested deeper than MAX_DEPTH, or more than MAX_NODES
-- values in all (a table reached twice counts twice: it is copied twice).
local MAX_DEPTH, MAX_NODES = 64, 1000000

local function tree_problem(v)
  local seen, nodes = {}, 0
  local function walk(t, depth)
    if seen[t] then return "tables, not a table that contains itself" end
    if depth > MAX_DEPTH then return string.format("tables nested at most %d deep", MAX_DEPTH) end
    seen[t] = true
    for _, x in next, t do
      nodes = nodes + 1
      if nodes > MAX_NODES then return string.format("at most %d values in all", MAX_NODES) end
      if type(x) == "table" then
        local why = walk(x, depth + 1)
        if why then return why end
      end
    end
    seen[t] = nil -- the same table in two places is no cycle
    return nil
  end
  return type(v) == "table" and walk(v, 1) or nil
end

local function record(class, what, fields)
  return public(function(t, extra)
    if type(t) ~= "table" or getmetatable(t) ~= nil or extra ~= nil then
      util.fail("%s: expected a table {%s}, got %s", what, fields, util.show(t))
    end
    local why = tree_problem(t)
    if why then util.fail("%s: expected %s", what, why) end
    return object.new(class, copy_spec(t))
  end)
end

M.hill = record(Hill, "hill", "max = , half = , shape = ")
M.sbg = record(Sbg, "sbg", "alpha = , beta = ")
M.goal = record(Goal, "goal", "name = , metric = , at_least = | at_most = , from = , by = , every = , confidence = ")

----------------------------------------------------------------------------
-- Lags: lists of lag probabilities {P(lag 0), P(lag 1), ...} for a stage's
-- delay. Each law is put on the lags 0, 1, 2, ... periods, the list is cut at
-- the first lag K where the probability left beyond K is below 1e-6, and the
-- kept probabilities are divided by their sum so that they sum to 1.

local LAG_TAIL = 1e-6
-- the model's limits (core/model.h, through core.limits)
local LIMITS = core.limits
local MAX_LAGS, MAX_TRIALS = LIMITS.lags, LIMITS.trials

local function lag_number(fn, name, x, positive)
  if type(x) ~= "number" or x ~= x or x == math.huge or x == -math.huge then
    util.fail("lags.%s: %s: expected a finite number, got %s", fn, name, util.show(x))
  end
  if positive and not (x > 0) then
    util.fail("lags.%s: %s: expected a number > 0, got %s", fn, name, util.show(x))
  elseif not (x >= 0) then
    util.fail("lags.%s: %s: expected a number >= 0, got %s", fn, name, util.show(x))
  end
  return x
end

local function lag_args(fn, t, names)
  if type(t) ~= "table" or getmetatable(t) ~= nil then
    util.fail("lags.%s: expected a table {%s = }, got %s", fn, table.concat(names, " = , "), util.show(t))
  end
  for k in pairs(t) do
    local known = false
    for _, n in ipairs(names) do known = known or n == k end
    if not known then
      util.fail("lags.%s: unknown field '%s'%s", fn, tostring(k), util.suggest(tostring(k), names))
    end
  end
  return t
end

-- Builds the list from pmf(k) and tail(k) = P(lag > k), cut and renormalized.
local function cut(fn, what, pmf, tail)
  local p, sum = {}, 0
  for k = 0, MAX_LAGS - 1 do
    p[k + 1] = pmf(k)
    sum = sum + p[k + 1]
    if tail(k, sum) < LAG_TAIL then
      for i = 1, #p do p[i] = p[i] / sum end
      return p
    end
  end
  util.fail("lags.%s: %s: expected lags that end within %d periods, got a law with more than 1e-6 of its probability beyond",
    fn, what, MAX_LAGS)
end

M.lags = {}

-- Geometric on 0, 1, 2, ... with mean m: P(k) = p (1 - p)^k, p = 1 / (1 + m).
M.lags.geometric = public(function(t)
  local a = lag_args("geometric", t, { "mean" })
  local m = lag_number("geometric", "mean", a.mean)
  local p = 1 / (1 + m)
  return cut("geometric", "mean", function(k) return p * (1 - p) ^ k end,
    function(k) return (1 - p) ^ (k + 1) end)
end)

-- Negative binomial on 0, 1, 2, ... with mean m and sd s (s^2 > m: more spread
-- than a Poisson): P(k) = Gamma(k + r) / (k! Gamma(r)) q^r (1 - q)^k with
-- q = m / s^2 and r = m^2 / (s^2 - m). Computed in logs, term after term,
-- so that large r does not underflow.
M.lags.negbin = public(function(t)
  local a = lag_args("negbin", t, { "mean", "sd" })
  local m = lag_number("negbin", "mean", a.mean, true)
  local s = lag_number("negbin", "sd", a.sd, true)
  local v = s * s
  if not (v > m) then
    util.fail("lags.negbin: sd: expected sd^2 > mean (%s), got %s", util.show(m), util.show(s))
  end
  local q, r = m / v, m * m / (v - m)
  local logp
  return cut("negbin", "mean", function(k)
    if k == 0 then logp = r * math.log(q)
    else logp = logp + math.log((k - 1 + r) / k) + math.log(1 - q) end
    return math.exp(logp)
  end, function(k, sum) return k >= m and 1 - sum or 1 end)
end)

-- Weibull with shape c and scale l, discretized as P(lag = k) = F(k + 1) -
-- F(k), F(x) = 1 - exp(-(x / l)^c): the lag is the whole number of periods
-- elapsed before the continuous time.
M.lags.weibull = public(function(t)
  local a = lag_args("weibull", t, { "shape", "scale" })
  local c = lag_number("weibull", "shape", a.shape, true)
  local l = lag_number("weibull", "scale", a.scale, true)
  local function surv(x) return math.exp(-((x / l) ^ c)) end
  return cut("weibull", "scale", function(k) return surv(k) - surv(k + 1) end,
    function(k) return surv(k + 1) end)
end)

----------------------------------------------------------------------------
-- Values as messages show them.

local function is_list_of_numbers(t)
  if type(t) ~= "table" or getmetatable(t) ~= nil or #t == 0 then return false end
  for k, v in pairs(t) do
    if math.type(k) ~= "integer" or k < 1 or k > #t or type(v) ~= "number" then return false end
  end
  return true
end

local function show(x)
  if x == nil then return "nothing" end
  if type(x) == "number" then
    if x == math.huge then return "inf" elseif x == -math.huge then return "-inf" end
    return util.show(x)
  end
  if type(x) == "boolean" then return tostring(x) end
  if dist.is_dist(x) then return x.label end
  local record = record_of(x)
  if record then return record.name .. "{...}" end
  if M.is_scenario(x) then return "a scenario" end
  if M.is_comparison(x) then return "a comparison" end
  if object.is_object(x) then return "a read-only table" end
  if type(x) == "table" then
    if is_list_of_numbers(x) then
      local parts = {}
      for i = 1, math.min(#x, 6) do parts[i] = util.show(x[i]) end
      if #x > 6 then parts[#parts + 1] = "..." end
      return "{" .. table.concat(parts, ", ") .. "}"
    end
    return "a table"
  end
  if type(x) == "string" then return util.show(x) end
  return "a " .. type(x)
end
M.show = show

----------------------------------------------------------------------------
-- Origins: where the fields of a spec were written, to put file:line in
-- front of a message. A scenario{} or s:with{} call in a file is an origin
-- with a lazily built map path -> line; a --set is an origin of its own.

-- (origins live in a scenario object's private state: no script reaches them)
local FileOrigin = {}
local FileOriginMT = { __index = FileOrigin }

-- the texts of the scenario files loaded and included (and of those an
-- embedding program gives as texts), by name: read once
local texts = {}

-- Registers the text of a scenario file (as loaded, or given as text)
-- under its name.
function M._text(name, src) texts[name] = src end

local function read_source(file)
  return texts[file] or (read_file(file))
end
-- The text of a scenario file (or of a scenario given as text), for the
-- reports that show the assumptions as written; nil when unreadable.
function M._source(file) return read_source(file) end

-- The line of the call of fname that a `return` begins (`return
-- reallocate(base, {...})`), for a call whose first argument is no table
-- (lines.map reads only those): the first such call in src, or nil.
local function returned_call_line(src, fname)
  local toks = lines.lex(src)
  for i = 2, #toks - 1 do
    local tk, nx = toks[i], toks[i + 1]
    if tk.t == "name" and tk.v == fname and nx.t == "op" and (nx.v == "(" or nx.v == "{") then
      local j = i - 1
      while j > 1 and (toks[j].t == "name" and toks[j].v ~= "return" or toks[j].t == "op" and (toks[j].v == "." or toks[j].v == ":")) do
        j = j - 1
      end
      if toks[j].t == "name" and toks[j].v == "return" then return tk.line end
    end
  end
  return nil
end

function FileOrigin:find(path)
  if self.map == nil then
    local src = self.chunk and read_source(self.file)
    self.map = src and lines.map(src, self.line, self.fname) or false
    if self.line == nil then
      self.line = self.map and self.map[""] or src and returned_call_line(src, self.fname) or 1
    end
  end
  local line = self.map and self.map[path]
  if path == "" then line = line or self.line end
  return line and string.format("%s:%d", self.file, line) or nil
end

function FileOrigin:fallback() return self:find("") end

local SetOrigin = {}
local SetOriginMT = { __index = SetOrigin }

function SetOrigin:find(path)
  local p = self.path
  if path == p or path:sub(1, #p + 1) == p .. "." or path:sub(1, #p + 1) == p .. "[" then
    return self.text
  end
  return nil
end

function SetOrigin:fallback() return self.text end

-- The frame of the caller outside this library: embedded scripts have chunk
-- names "=[funnelcast] scripts/<name>.lua", so a what-if helper calling s:with is skipped
-- and the line is the analyst's.
--
-- `return scenario {...}` is a tail call: Lua has dropped the file's frame.
-- The loader (funnelcast.load) says which file is running, and the line is
-- found in its text (the call that follows a `return`).
local loading = nil

function M._loading(file)
  local prev = loading
  loading = file
  return prev
end

-- skip: how many more library frames lie between caller_origin and the
-- public function the script called (1 for the helpers of whatif.lua, which
-- ask through M._origin).
local function caller_origin(fname, skip)
  skip = skip or 0
  local own = getinfo(2 + skip)
  if own and own.istailcall and loading then
    return setmetatable({ file = loading, chunk = true, line = nil, fname = fname }, FileOriginMT)
  end
  local level = 3 + skip
  while true do
    local info = getinfo(level)
    if info == nil then break end
    local src = info.source
    if info.what ~= "C" and not util.is_library_source(src) then
      local chunk = src:sub(1, 1) == "@"
      -- After a tail call outside a loader, this frame is not the one that
      -- wrote the table: name its line, and look for no fields there.
      local lost = own and own.istailcall or nil
      return setmetatable({ file = chunk and src:sub(2) or info.short_src, chunk = chunk,
        line = info.currentline, fname = fname, map = lost and false }, FileOriginMT)
    end
    level = level + 1
  end
  return setmetatable({ file = "?", line = 0, fname = fname }, FileOriginMT)
end

-- The paths a with{} table (or a --set) writes: its leaves (values that
-- replace) and the tables it descends through.
local function written(over, path, leaves, interior)
  if type(over) == "table" and getmetatable(over) == nil and not (#over > 0 and type(over[1]) == "number") then
    interior[path] = true
    for k, v in pairs(over) do written(v, join(path, k), leaves, interior) end
  else
    leaves[path] = true
  end
  return leaves, interior
end

-- Whether origin o wrote path: the original scenario{} wrote everything; a
-- with{} or --set wrote its leaves, what lies under them, and the tables it
-- descended through.
local function wrote(o, path)
  if o.leaves == nil then return true end
  if o.interior[path] then return true end
  local p = path
  while true do
    if o.leaves[p] then return true end
    if p == "" then return false end
    p = parent(p)
  end
end

-- "file:line" of path: the line in the newest origin that wrote it, of the
-- path itself or of its longest prefix written there, else of the call.
local function locate(origins, path)
  for i = #origins, 1, -1 do
    local o = origins[i]
    if wrote(o, path) then
      local p = path
      while true do
        local where = o:find(p)
        if where then return where end
        if p == "" then break end
        p = parent(p)
      end
      return o:fallback()
    end
  end
  return origins[#origins]:fallback()
end

----------------------------------------------------------------------------
-- Validation context: raises "<where>: <path>: <message>". `at` is the path
-- whose line is looked up when it differs from the one in the message (an
-- unknown field is reported at its parent but found at its own line).

local Ctx = {}
Ctx.__index = Ctx

function Ctx:fail(path, at, fmt, ...)
  local label = path ~= "" and path or "scenario"
  error(string.format("%s: %s: %s", locate(self.origins, at or path), label, string.format(fmt, ...)), 0)
end

function Ctx:expected(path, what, got, hint)
  self:fail(path, nil, "expected %s, got %s%s", what, show(got), hint or "")
end

local is_plain = util.is_plain

local sorted_keys = object.sorted_keys

-- Every key of record t must be one of known (names); positional keys too
-- when npos > 0 (a stage's name at [1]).
function Ctx:fields(path, t, known, npos)
  for _, k in ipairs(sorted_keys(t)) do
    local ok = false
    if type(k) == "string" then
      for _, n in ipairs(known) do ok = ok or n == k end
      if not ok and #known == 0 then
        self:fail(path, join(path, k), "expected a list, got a field '%s'", k)
      elseif not ok then
        local hint = util.suggest(k, known)
        if hint == "" then hint = " (known fields: " .. table.concat(known, ", ") .. ")" end
        self:fail(path, join(path, k), "unknown field '%s'%s", k, hint)
      end
    elseif not (math.type(k) == "integer" and k >= 1 and k <= (npos or 0)) then
      local at = math.type(k) == "integer" and join(path, k) or path
      local names = {}
      for _, n in ipairs(known) do
        if n ~= "name" and #names < 3 then names[#names + 1] = n .. " = " end
      end
      -- spend = 10,000 reads as spend = 10 and a stray 0
      local hint = type(t[k]) == "number" and
        " (a number written with a thousands separator? write 10000 or 10e3, not 10,000)" or ""
      self:fail(path, at, "expected named fields (%s), got %s at position %s%s",
        table.concat(names, ", "), show(t[k]), tostring(k), hint)
    end
  end
end

function Ctx:record(path, t, what)
  if t ~= nil and not is_plain(t) then self:expected(path, what, t) end
  return t or {}
end

----------------------------------------------------------------------------
-- Numbers and assumptions.

local DOMAIN_TEXT = {
  real = "a number",
  nonneg = "a number >= 0",
  positive = "a number > 0",
  probability = "a probability in [0, 1]",
  fraction = "a number in [0, 1)",
}

local finite = util.finite

-- A rate written as a percentage (3 for 3%): the hint of its message.
local function percent_hint(x, domain)
  if domain == "probability" and finite(x) and x > 1 and x <= 100 then
    return string.format(" (did you mean %s? a rate is a share, not a percentage)", show(x / 100))
  end
  return ""
end

local function in_domain(x, domain)
  if domain == "nonneg" then return x >= 0 end
  if domain == "positive" then return x > 0 end
  if domain == "probability" then return x >= 0 and x <= 1 end
  if domain == "fraction" then return x >= 0 and x < 1 end
  return true
end

-- The support of a distribution: lo, hi, and whether each end is open (a
-- lognormal never draws 0, a uniform never draws its max).
local function support(d)
  local k = d.kind
  if k == "fixed" then return d.value, d.value, false, false end
  if k == "uniform" then return d.min, d.max, false, true end
  if k == "triangular" or k == "pert" then return d.min, d.max, false, false end
  if k == "beta" then return 0, 1, true, true end
  if k == "lognormal" or k == "gamma" then return 0, math.huge, true, true end
  if k == "poisson" then return 0, math.huge, false, true end
  if k == "binomial" then return 0, d.n, false, false end
  return -math.huge, math.huge, true, true
end

local function fits(domain, lo, hi, lo_open, hi_open)
  if domain == "nonneg" then return lo >= 0 end
  if domain == "positive" then return lo > 0 or (lo == 0 and lo_open) end
  if domain == "probability" then return lo >= 0 and hi <= 1 end
  if domain == "fraction" then return lo >= 0 and (hi < 1 or (hi == 1 and hi_open)) end
  return true
end

local ESCAPE_HINT = {
  nonneg = "can fall below 0; use lognormal, gamma or range, or add clip = true",
  positive = "can fall to 0 or below; use lognormal, gamma or range, or add clip = true",
  probability = "can fall outside [0, 1]; use beta or range, or add clip = true",
  fraction = "can fall outside [0, 1); use beta or range, or add clip = true",
}

-- A plain copy of a distribution's data (the same distribution object may
-- sit in two fields; each gets its own path).
local function copy_dist(d)
  return object.copy(dist.data(d) or d)
end

-- range(lo, hi) in a probability field: the beta with those 5th and 95th
-- percentiles (never silently the lognormal, which can exceed 1).
function Ctx:range_beta(path, d)
  local lo, hi = d.range.lo, d.range.hi
  if not (hi < 1) then
    self:expected(path, "a 90% range inside (0, 1) for a probability", d)
  end
  local ok, a, b = pcall(core.beta_from_quantiles, lo, hi)
  if not ok then self:fail(path, nil, "%s", tostring(a)) end
  return { kind = "beta", a = a, b = b, each = d.each, label = d.label, range = { lo = lo, hi = hi } }
end

-- An assumption: a constant or a distribution whose draws fit the domain.
-- path is the field as messages name it (funnel[3].rate), key the stable
-- name that keys its random stream (funnel.mql.rate). Returns the P table
-- of normalize().
function Ctx:param(path, key, v, domain)
  local p, clip = nil, dist.is_dist(v) and v.clip == true
  if type(v) == "number" then
    if not finite(v) or not in_domain(v, domain) then
      self:expected(path, DOMAIN_TEXT[domain], v, percent_hint(v, domain))
    end
    p = copy_dist(dist.constructors.fixed(v))
  elseif dist.is_dist(v) then
    if v.range and (domain == "probability" or domain == "fraction") then
      p = self:range_beta(path, v)
    else
      if not clip and not fits(domain, support(v)) then
        if v.kind == "fixed" then self:expected(path, DOMAIN_TEXT[domain], v.value, percent_hint(v.value, domain)) end
        self:fail(path, nil, "%s %s", v.label, ESCAPE_HINT[domain])
      end
      p = copy_dist(v)
    end
  else
    self:expected(path, DOMAIN_TEXT[domain] .. " or a distribution", v)
  end
  p.path, p.domain, p.clip = key, domain, clip
  return p
end

-- A constant integer in [lo, hi] (hi may be nil: no upper bound).
function Ctx:integer(path, v, lo, hi, default)
  if v == nil then return default end
  local n = type(v) == "number" and math.tointeger(v)
  if not n or n < lo or (hi and n > hi) then
    -- a bound of 2^k - 1 reads better as such than in 19 digits
    local k = hi and hi > 2 ^ 40 and math.tointeger(math.log(hi + 1.0, 2))
    local top = k and (1 << k) - 1 == hi and string.format("2^%d - 1", k) or hi and string.format("%d", hi)
    local what = hi and string.format("an integer in [%d, %s]", lo, top) or string.format("an integer >= %d", lo)
    self:expected(path, what, v)
  end
  return n
end

-- A constant number (goal targets, the discount rate).
function Ctx:number(path, v, domain, default)
  if v == nil and default ~= nil then return default end
  if not finite(v) or not in_domain(v, domain) then self:expected(path, DOMAIN_TEXT[domain], v, percent_hint(v, domain)) end
  return v
end

-- What is wrong with name v, or nil: a name is a non-empty string of at
-- most LIMITS.name bytes of valid UTF-8 without NUL (it goes into reports and
-- JSON as it is, and keys the random streams of the fields under it).
-- The rule is the compiler's (core.name_problem, core/model.c): no control
-- characters (C0, DEL, C1, the marks that reorder text), which would garble
-- a report or a terminal; for a part of field paths, no '.', '[' or ']'.
local function name_problem(v, part)
  if type(v) ~= "string" or v == "" then return "a non-empty string" end
  return core.name_problem(v, part)
end

-- A channel's or a stage's name is also a part of field paths
-- (channels.search.cpc, funnel.lead.rate.search): no '.', '[' or ']'.
-- A long name as a message shows it: its first 40 bytes.
local function brief(v)
  return type(v) == "string" and #v > 60 and v:sub(1, 40) .. "..." or v
end

local function part_problem(v) return name_problem(v, true) end

function Ctx:string(path, v, default)
  if v == nil and default ~= nil then v = default end
  local why = name_problem(v)
  if why then self:expected(path, why, brief(v)) end
  return v
end

-- A value per period: a number for every period, or a list of `periods`
-- numbers (or 12, repeated, for a monthly season). Plans, not assumptions:
-- no distributions here.
function Ctx:series(path, v, periods, default, allow12, what)
  local out = {}
  if v == nil then
    for t = 1, periods do out[t] = default end
    return out
  end
  if type(v) == "number" then
    if not finite(v) or v < 0 then self:expected(path, "a number >= 0", v) end
    for t = 1, periods do out[t] = v end
    return out
  end
  if not is_plain(v) then self:expected(path, what, v) end
  local n = #v
  for _, k in ipairs(sorted_keys(v)) do
    if not (math.type(k) == "integer" and k >= 1 and k <= n) then
      self:expected(path, what, v)
    end
  end
  if n ~= periods and not (allow12 and n == 12) then
    self:fail(path, nil, "expected %s, got a list of %d", what, n)
  end
  for i = 1, n do
    local x = v[i]
    if not finite(x) or x < 0 then self:expected(join(path, i), "a number >= 0", x) end
  end
  for t = 1, periods do out[t] = v[(t - 1) % n + 1] end
  return out
end

-- A stage's delay: an integer lag, or lag probabilities summing to 1.
function Ctx:lags(path, v)
  if v == nil then return { 1 } end
  if type(v) == "number" then
    local n = math.tointeger(v)
    if not n or n < 0 or n >= MAX_LAGS then
      self:expected(path, string.format("a lag in periods (an integer in [0, %d]) or a list of lag probabilities", MAX_LAGS - 1), v)
    end
    local out = {}
    for i = 1, n do out[i] = 0 end
    out[n + 1] = 1
    return out
  end
  if not is_list_of_numbers(v) then
    self:expected(path, "a lag in periods (an integer >= 0) or a list of lag probabilities", v)
  end
  if #v > MAX_LAGS then self:fail(path, nil, "expected at most %d lag probabilities, got %d", MAX_LAGS, #v) end
  local sum, out = 0, {}
  for i, x in ipairs(v) do
    if not finite(x) or x < 0 or x > 1 then
      self:expected(join(path, i), "a probability in [0, 1]", x, percent_hint(x, "probability"))
    end
    sum, out[i] = sum + x, x
  end
  if math.abs(sum - 1) > 1e-9 then
    self:expected(path, "lag probabilities summing to 1", v, string.format(" (sum %.10g)", sum))
  end
  return out
end

----------------------------------------------------------------------------
-- The scenario's parts.

local TOP = { "name", "periods", "unit", "trials", "seed", "channels", "funnel", "customers",
  "winback", "goals", "track_channels", "correlations", "start", "currency" }
local UNITS = { "day", "week", "month", "quarter", "year" }
local CHANNEL = { "spend", "cpc", "cpl", "enters", "response", "adstock", "organic", "season" }
local STAGE = { "name", "rate", "delay", "cost", "before" }
local HILL = { "max", "half", "shape" }
local CUSTOMERS = { "initial", "lost", "initial_tenure", "churn", "arpu", "growth", "expansion", "margin",
  "ltv_horizon", "discount" }
local SBG = { "alpha", "beta" }
local WINBACK = { "rate", "cost" }
local GOAL = { "name", "metric", "at_least", "at_most", "from", "by", "every", "confidence" }
-- the totals, from the core's one list
local METRICS = {}
for i, m in ipairs(core.metrics()) do METRICS[i] = m.name end
local CHANNEL_FIGURES = { "visitors", "customers", "spend", "cac" }

local function one_of(v, list)
  for _, x in ipairs(list) do if x == v then return true end end
  return false
end

function Ctx:stages(spec)
  local path, funnel = "funnel", spec.funnel
  if funnel == nil then self:expected(path, "a list of stages ({ \"visitor\" }, { \"lead\", rate = ... }, ...)", nil) end
  if not is_plain(funnel) or #funnel == 0 then self:expected(path, "a list of at least one stage", funnel) end
  self:fields(path, funnel, {}, #funnel)
  if #funnel > LIMITS.stages then
    self:fail(path, nil, "expected at most %d stages, got %d", LIMITS.stages, #funnel)
  end
  local stages, seen = {}, {}
  for i, st in ipairs(funnel) do
    local sp = join(path, i)
    if not is_plain(st) then self:expected(sp, "a stage { \"name\", rate = ..., delay = ..., cost = ... }", st) end
    self:fields(sp, st, STAGE, 1)
    if st[1] ~= nil and st.name ~= nil then self:fail(sp, nil, "expected the stage name once, got both [1] and name") end
    local name = st[1] or st.name
    if type(name) ~= "string" or name == "" then
      self:expected(sp, "a stage name first ({ \"lead\", rate = ... })", name)
    end
    local why = part_problem(name)
    if why then self:expected(sp, "a stage name: " .. why, brief(name)) end
    if seen[name] then
      self:expected(sp, string.format("a unique stage name (funnel[%d] is \"%s\")", seen[name], name), name)
    end
    if one_of(name, METRICS) then self:expected(sp, "a stage name that is not a metric name", name) end
    seen[name] = i
    stages[i] = { name = name, spec = st, path = sp, key = "funnel." .. name }
  end
  return stages
end

function Ctx:channel(path, name, c, periods, unit, stages)
  if not is_plain(c) then self:expected(path, "a channel { spend = ..., cpc = ... }", c) end
  self:fields(path, c, CHANNEL)
  local key = "channels." .. name
  local ch = { name = name }
  local responses = {}
  for _, f in ipairs({ "cpc", "cpl", "response" }) do
    if c[f] ~= nil then responses[#responses + 1] = f end
  end
  if #responses > 1 then
    self:fail(path, join(path, responses[2]), "expected one of cpc, cpl or response, got both %s and %s",
      responses[1], responses[2])
  end
  local r = responses[1]
  if r == "cpc" or r == "cpl" then
    ch.response, ch.cost = "cost", self:param(join(path, r), join(key, r), c[r], "positive")
  elseif r == "response" then
    local h = c.response
    local hp = join(path, "response")
    if not object.is(h, Hill) and not is_plain(h) then self:expected(hp, "hill{max = , half = , shape = }", h) end
    self:fields(hp, h, HILL)
    local hk = join(key, "response")
    ch.response = "hill"
    ch.hill = {
      max = self:param(join(hp, "max"), join(hk, "max"), h.max, "positive"),
      half = self:param(join(hp, "half"), join(hk, "half"), h.half, "positive"),
      shape = self:param(join(hp, "shape"), join(hk, "shape"), h.shape == nil and 1 or h.shape, "positive"),
    }
  elseif c.organic == nil then
    self:fail(path, nil, "expected a response (cpc, cpl or response = hill{...}) or organic, got none")
  else
    ch.response = "none"
  end
  local spend_what = string.format("a number >= 0 or a list of %d numbers", periods)
  if ch.response ~= "none" and c.spend == nil then self:expected(join(path, "spend"), spend_what, nil) end
  ch.spend = self:series(join(path, "spend"), c.spend, periods, 0, false, spend_what)
  local season_what = unit == "month" and periods ~= 12 and string.format("a list of %d numbers (or 12, repeated)", periods)
    or string.format("a list of %d numbers", periods)
  ch.season = self:series(join(path, "season"), c.season, periods, 1, unit == "month", season_what)
  if c.adstock ~= nil then ch.adstock = self:param(join(path, "adstock"), join(key, "adstock"), c.adstock, "fraction") end
  if c.organic ~= nil then ch.organic = self:param(join(path, "organic"), join(key, "organic"), c.organic, "nonneg") end
  ch.enters = self:enters(path, c, r, stages)
  return ch
end

-- The stage where a channel's arrivals enter: a stage name (or its index),
-- by default the first stage, the second for a cost per lead.
function Ctx:enters(path, c, response, stages)
  local ep = join(path, "enters")
  if c.enters == nil then
    if response ~= "cpl" then return 1 end
    if #stages < 2 then
      self:fail(join(path, "cpl"), nil, "expected a funnel with a second stage for the leads to enter, got 1 stage")
    end
    return 2
  end
  local names = {}
  for i, st in ipairs(stages) do names[i] = st.name end
  if math.type(c.enters) == "integer" and c.enters >= 1 and c.enters <= #stages then return c.enters end
  for i, n in ipairs(names) do if n == c.enters then return i end end
  self:expected(ep, "a stage name (" .. table.concat(names, ", ") .. ")", c.enters, util.suggest(c.enters, names))
end

function Ctx:channels(spec, periods, unit, stages)
  local path, chans = "channels", spec.channels
  if chans == nil then return {} end
  if not is_plain(chans) then self:expected(path, "a table of channels { search = { ... }, ... }", chans) end
  local names = {}
  for _, k in ipairs(sorted_keys(chans)) do
    if type(k) ~= "string" or k == "" then
      self:fail(path, math.type(k) == "integer" and join(path, k) or path,
        "expected channels by name (search = { ... }), got %s at position %s", show(chans[k]), tostring(k))
    end
    local why = part_problem(k)
    if why then
      self:fail(path, join(path, k), "expected channel names: %s, got %s", why, show(brief(k)))
    end
    names[#names + 1] = k
  end
  if #names > LIMITS.channels then
    self:fail(path, nil, "expected at most %d channels, got %d", LIMITS.channels, #names)
  end
  local out = {}
  for i, name in ipairs(names) do
    out[i] = self:channel(join(path, name), name, chans[name], periods, unit, stages)
  end
  return out
end

-- A stage's rate: one assumption, or a table per channel
-- { default = ..., events = ... } (then rate_by_channel, in channel order).
function Ctx:rate(st, channels)
  local path, key, v = join(st.path, "rate"), join(st.key, "rate"), st.spec.rate
  if v == nil then self:expected(path, "a probability in [0, 1] or a distribution", nil) end
  if not is_plain(v) or is_list_of_numbers(v) then return self:param(path, key, v, "probability") end
  local names = { "default" }
  for _, ch in ipairs(channels) do names[#names + 1] = ch.name end
  for _, k in ipairs(sorted_keys(v)) do
    if not one_of(k, names) then
      self:fail(path, type(k) == "string" and join(path, k) or path,
        "expected 'default' or a channel name (%s), got %s%s", table.concat(names, ", ", 2),
        type(k) == "string" and ("'" .. k .. "'") or show(k), util.suggest(k, names))
    end
  end
  local default = v.default ~= nil and self:param(join(path, "default"), key, v.default, "probability") or nil
  local by = {}
  for i, ch in ipairs(channels) do
    local x = v[ch.name]
    if x ~= nil then
      by[i] = self:param(join(path, ch.name), join(key, ch.name), x, "probability")
    elseif default then
      by[i] = copy_dist(default) -- the same assumption (same path, same draws) as the default
    else
      self:expected(join(path, ch.name), "a rate for this channel (or rate.default)", nil)
    end
  end
  if default == nil and #channels == 0 then
    self:expected(join(path, "default"), "a probability in [0, 1] or a distribution", nil)
  end
  return default or by[1], by
end

-- A stage's arrivals in the periods before the plan (the oldest first, the
-- last the period just before the first): the units on their way to the
-- next stage when the plan starts (last year's SQLs closing this January).
function Ctx:before(st, last)
  local path, v = join(st.path, "before"), st.spec.before
  if last then
    self:expected(path, "no before on the last stage (its units go no further)", v)
  end
  if not is_list_of_numbers(v) or #v == 0 then
    self:expected(path, "a list of the stage's arrivals in the periods before the plan, the oldest first ({ 64, 66 })", v)
  end
  if #v > LIMITS.lags then self:fail(path, nil, "expected at most %d periods, got %d", LIMITS.lags, #v) end
  local out = {}
  for i, x in ipairs(v) do
    out[i] = self:integer(join(path, i), x, 0, LIMITS.before)
    self.before_total = (self.before_total or 0) + out[i]
    if self.before_total > LIMITS.before then
      self:fail(join(path, i), nil, "expected at most %d units in all the stages' before lists, got more", LIMITS.before)
    end
  end
  return out
end

function Ctx:funnel(stages, channels)
  local out = {}
  for i, st in ipairs(stages) do
    local s = { name = st.name }
    if i == 1 then
      for _, f in ipairs({ "rate", "delay" }) do
        if st.spec[f] ~= nil then
          self:expected(join(st.path, f), "no " .. f .. " on the first stage (the channels bring its arrivals)", st.spec[f])
        end
      end
    else
      s.rate, s.rate_by_channel = self:rate(st, channels)
      s.lags = self:lags(join(st.path, "delay"), st.spec.delay)
    end
    if st.spec.cost ~= nil then
      s.cost = self:param(join(st.path, "cost"), join(st.key, "cost"), st.spec.cost, "nonneg")
    end
    if st.spec.before ~= nil then s.before = self:before(st, i == #stages) end
    out[i] = s
  end
  return out
end

function Ctx:customers(spec)
  local path = "customers"
  local c = self:record(path, spec.customers, "a table { initial = , churn = , arpu = , ... }")
  self:fields(path, c, CUSTOMERS)
  local function p(f) return join(path, f) end
  local out = {
    initial = self:integer(p("initial"), c.initial, 0, LIMITS.customers, 0),
    lost = self:integer(p("lost"), c.lost, 0, LIMITS.customers, 0),
    initial_tenure = self:integer(p("initial_tenure"), c.initial_tenure, 0, LIMITS.tenure, 0),
    arpu = self:param(p("arpu"), p("arpu"), c.arpu == nil and 0 or c.arpu, "nonneg"),
    growth = self:param(p("growth"), p("growth"), c.growth == nil and 0 or c.growth, "real"),
    expansion = self:param(p("expansion"), p("expansion"), c.expansion == nil and 0 or c.expansion, "nonneg"),
    margin = self:param(p("margin"), p("margin"), c.margin == nil and 1 or c.margin, "probability"),
    ltv_horizon = self:integer(p("ltv_horizon"), c.ltv_horizon, 1, LIMITS.tenure, 0),
    discount = self:number(p("discount"), c.discount, "nonneg", 0),
  }
  if out.expansion.each == "period" then
    self:fail(p("expansion"), nil, "expected a number or a distribution drawn once per trial (the growth of a "
      .. "customer's revenue with tenure is one rate), got %s", out.expansion.label or "a distribution drawn every period")
  end
  local churn = c.churn
  if object.is(churn, Sbg) then
    local sp = p("churn")
    self:fields(sp, churn, SBG)
    out.sbg = {
      alpha = self:param(join(sp, "alpha"), join(sp, "alpha"), churn.alpha, "positive"),
      beta = self:param(join(sp, "beta"), join(sp, "beta"), churn.beta, "positive"),
    }
  elseif churn ~= nil then
    if not (type(churn) == "number" or dist.is_dist(churn)) then
      self:expected(p("churn"), "a probability in [0, 1], a distribution or sbg{alpha = , beta = }", churn)
    end
    out.churn = self:param(p("churn"), p("churn"), churn, "probability")
  end
  return out
end

function Ctx:winback(spec)
  local path, w = "winback", spec.winback
  if w == nil then return nil end
  w = self:record(path, w, "a table { rate = , cost = }")
  self:fields(path, w, WINBACK)
  if w.rate == nil then self:expected(join(path, "rate"), "a probability in [0, 1] or a distribution", nil) end
  return {
    rate = self:param(join(path, "rate"), join(path, "rate"), w.rate, "probability"),
    cost = self:param(join(path, "cost"), join(path, "cost"), w.cost == nil and 0 or w.cost, "nonneg"),
  }
end

-- A goal's metric: a total, a stage, or stage_costs.STAGE, conversion.STAGE,
-- pipeline.STAGE, channels.CHANNEL.FIGURE. Returns its kind ("pipeline" ...).
function Ctx:goal_metric(mp, metric, n, stages)
  local stage_names, chan_names = {}, {}
  for i, st in ipairs(stages) do stage_names[i] = st.name end
  for i, ch in ipairs(n.channels) do chan_names[i] = ch.name end
  if type(metric) ~= "string" then self:expected(mp, "a metric or a stage name", metric) end
  if one_of(metric, METRICS) or one_of(metric, stage_names) then return "total" end
  local prefix, rest = metric:match("^([%a_]+)%.(.+)$")
  if prefix == "stage_costs" or prefix == "conversion" or prefix == "pipeline" then
    if not one_of(rest, stage_names) then
      self:expected(mp, string.format("%s.STAGE with a stage of the funnel (%s)", prefix, table.concat(stage_names, ", ")),
        metric, util.suggest(rest, stage_names))
    end
    if prefix ~= "stage_costs" and rest == stage_names[1] then
      self:fail(mp, nil, "%s: the first stage has no stage before it (use a later stage: %s)", metric,
        table.concat(stage_names, ", ", 2))
    end
    return prefix
  elseif prefix == "channels" then
    local ch, fig = rest:match("^(.+)%.([%a_]+)$")
    if not ch or not one_of(ch, chan_names) then
      self:expected(mp, "channels.CHANNEL.FIGURE with a channel of the scenario (" .. table.concat(chan_names, ", ") .. ")",
        metric, ch and util.suggest(ch, chan_names) or "")
    end
    if not one_of(fig, CHANNEL_FIGURES) then
      self:expected(mp, "a channel figure (" .. table.concat(CHANNEL_FIGURES, ", ") .. ")", metric,
        util.suggest(fig, CHANNEL_FIGURES))
    end
    return "channel"
  end
  local names = {}
  for _, m in ipairs(METRICS) do names[#names + 1] = m end
  for _, st in ipairs(stage_names) do names[#names + 1] = st end
  local hint = util.suggest(metric, names)
  if hint == "" then
    hint = " (one of: " .. table.concat(names, ", ")
      .. "; or stage_costs.STAGE, conversion.STAGE, pipeline.STAGE, channels.CHANNEL.visitors|customers|spend|cac)"
  end
  self:expected(mp, "a metric or a stage name", metric, hint)
end

-- A goal's period (`from` or `by`): a period number, or a calendar label
-- where the scenario has a start.
function Ctx:goal_period(path, v, n, default)
  if v == nil then return default end
  if type(v) == "string" then
    if not n.start then
      self:fail(path, nil, "a calendar label (%s) needs the scenario's start = ...; or give a period number in [1, %d]",
        show(v), n.periods)
    end
    local t = calendar.period_of(n.unit, n.start, v)
    if not t then self:expected(path, "a period number or a label " .. calendar.form(n.unit), v) end
    if t < 1 or t > n.periods then
      self:fail(path, nil, "expected a period within the scenario (%s to %s), got %s (period %d)",
        calendar.label(n.unit, n.start, 1), calendar.label(n.unit, n.start, n.periods), show(v), t)
    end
    return t
  end
  return self:integer(path, v, 1, n.periods, default)
end

function Ctx:goal(path, g, n, stages)
  if not (object.is(g, Goal) or is_plain(g)) then self:expected(path, "goal{...}", g) end
  self:fields(path, g, GOAL)
  local mp = join(path, "metric")
  local kind = self:goal_metric(mp, g.metric, n, stages)
  if g.at_least ~= nil and g.at_most ~= nil then
    self:fail(path, join(path, "at_most"), "expected one of at_least or at_most, got both")
  end
  if g.at_least == nil and g.at_most == nil then
    self:fail(path, nil, "expected at_least = or at_most =, got neither")
  end
  local op, bound = ">=", "at_least"
  if g.at_most ~= nil then op, bound = "<=", "at_most" end
  local target = self:number(join(path, bound), g[bound], "real")
  local out = {
    metric = g.metric, op = op, target = target,
    by = self:goal_period(join(path, "by"), g.by, n, n.periods),
    from = self:goal_period(join(path, "from"), g.from, n, 1),
  }
  if out.from > out.by then
    self:fail(join(path, "from"), nil, "expected a period at or before by (%d), got %s (period %d)", out.by,
      show(g.from), out.from)
  end
  if g.every ~= nil and type(g.every) ~= "boolean" then self:expected(join(path, "every"), "true or false", g.every) end
  out.every = g.every == true
  if kind == "pipeline" and (g.from ~= nil or g.by ~= nil or out.every) then
    self:fail(path, nil, "%s counts the units still on their way after the last period: it takes no from, by or every",
      g.metric)
  end
  local conf = g.confidence
  if conf == nil then conf = 0.8 end
  if not finite(conf) or conf <= 0 or conf >= 1 then self:expected(join(path, "confidence"), "a number in (0, 1)", conf) end
  out.confidence = conf
  out.name = self:string(join(path, "name"), g.name, string.format("%s %s %s", g.metric, op, util.show(target)))
  return out
end

function Ctx:goals(spec, n, stages)
  local path, goals = "goals", spec.goals
  if goals == nil then return {} end
  if not is_plain(goals) then self:expected(path, "a list of goal{...}", goals) end
  self:fields(path, goals, {}, #goals)
  if #goals > LIMITS.goals then self:fail(path, nil, "expected at most %d goals, got %d", LIMITS.goals, #goals) end
  local out, seen = {}, {}
  for i, g in ipairs(goals) do
    local gp = join(path, i)
    out[i] = self:goal(gp, g, n, stages)
    local name = out[i].name
    if seen[name] then
      self:fail(gp, join(gp, "name"), "expected a unique goal name (goals[%d] is %s too)", seen[name], show(name))
    end
    seen[name] = i
  end
  return out
end

-- Every assumption of a normalized scenario by its path (its stream key):
-- what a correlation may name.
local function assumptions(n)
  local out = {}
  local function add(p) if p then out[p.path] = p end end
  for _, c in ipairs(n.channels) do
    add(c.cost)
    if c.hill then add(c.hill.max); add(c.hill.half); add(c.hill.shape) end
    add(c.adstock)
    add(c.organic)
  end
  for _, st in ipairs(n.stages) do
    add(st.rate)
    for _, r in ipairs(st.rate_by_channel or {}) do add(r) end
    add(st.cost)
  end
  local cu = n.customers
  add(cu.churn)
  if cu.sbg then add(cu.sbg.alpha); add(cu.sbg.beta) end
  add(cu.arpu); add(cu.growth); add(cu.margin)
  if n.winback then add(n.winback.rate); add(n.winback.cost) end
  return out
end

-- correlations = { { "funnel.mql.rate", "funnel.sql.rate", 0.6 }, ... }:
-- pairs of uncertain assumptions drawn once per trial, by path, and their
-- rank (Spearman) correlation; a Gaussian copula joins them (core/model.c,
-- which also refuses a set of pairs no joint law can have).
function Ctx:correlations(spec, n)
  local path, list = "correlations", spec.correlations
  if list == nil then return {} end
  if not is_plain(list) then self:expected(path, 'a list of { "path", "path", rank correlation }', list) end
  self:fields(path, list, {}, #list)
  local known, names = assumptions(n), {}
  for k, p in pairs(known) do
    if p.kind ~= "fixed" and p.each ~= "period" then names[#names + 1] = k end
  end
  table.sort(names)
  local out, seen = {}, {}
  for i, c in ipairs(list) do
    local cp = join(path, i)
    if not is_plain(c) then self:expected(cp, '{ "path", "path", rank correlation }', c) end
    self:fields(cp, c, {}, 3)
    for j = 1, 2 do
      local a, at = c[j], join(cp, j)
      if type(a) ~= "string" then
        self:expected(at, 'the path of an assumption, such as "funnel.mql.rate"', a)
      end
      local p = known[a]
      if p == nil then
        self:expected(at, "the path of an uncertain assumption of this scenario", a, util.suggest(a, names))
      elseif p.kind == "fixed" then
        self:fail(at, nil, "'%s' is a constant: only uncertain assumptions can be correlated", a)
      elseif p.each == "period" then
        self:fail(at, nil, "'%s' is drawn every period: only assumptions drawn once per trial can be correlated", a)
      elseif p.kind == "poisson" or p.kind == "binomial" then
        self:fail(at, nil, "'%s' is a count: only continuous laws can be correlated", a)
      end
    end
    if c[1] == c[2] then self:fail(cp, nil, "expected two different assumptions, got '%s' twice", c[1]) end
    local rho = c[3]
    if not finite(rho) or rho <= -1 or rho >= 1 then
      self:expected(join(cp, 3), "a rank correlation in (-1, 1)", rho)
    end
    local key = c[1] < c[2] and (c[1] .. "\0" .. c[2]) or (c[2] .. "\0" .. c[1])
    if seen[key] then
      self:fail(cp, nil, "the pair '%s', '%s' is given twice (also correlations[%d])", c[1], c[2], seen[key])
    end
    seen[key] = i
    out[i] = { a = c[1], b = c[2], rho = rho }
  end
  self:copula_valid(out)
  return out
end

-- The pairs must fit one joint law: the normal correlations 2 sin(pi rho / 6)
-- of the copula must form a positive definite matrix (Cholesky succeeds).
-- The message names the pairs of the assumption where it fails.
function Ctx:copula_valid(pairs_)
  local index, vars = {}, {}
  for _, c in ipairs(pairs_) do
    for _, a in ipairs({ c.a, c.b }) do
      if not index[a] then vars[#vars + 1] = a; index[a] = #vars end
    end
  end
  local n, r, l = #vars, {}, {}
  for i = 1, n do r[i], l[i] = {}, {}; for j = 1, n do r[i][j] = i == j and 1 or 0 end end
  for _, c in ipairs(pairs_) do
    local x = 2 * math.sin(math.pi * c.rho / 6)
    r[index[c.a]][index[c.b]], r[index[c.b]][index[c.a]] = x, x
  end
  for j = 1, n do
    local d = r[j][j]
    for k = 1, j - 1 do d = d - l[j][k] * l[j][k] end
    if not (d > 1e-10) then
      local which = {}
      for i, c in ipairs(pairs_) do
        if c.a == vars[j] or c.b == vars[j] then which[#which + 1] = string.format("correlations[%d]", i) end
      end
      self:fail("correlations", nil, "no joint law has these rank correlations together; check %s (the pairs of '%s')",
        table.concat(which, ", "), vars[j])
    end
    l[j][j] = math.sqrt(d)
    for i = j + 1, n do
      local x = r[i][j]
      for k = 1, j - 1 do x = x - l[i][k] * l[j][k] end
      l[i][j] = x / l[j][j]
    end
  end
end

-- The whole spec, checked field by field in the order an analyst reads it;
-- returns the normalized table.
function Ctx:check(spec, default_name)
  if not is_plain(spec) then self:expected("", "a table { name = , periods = , channels = , funnel = , ... }", spec) end
  self:fields("", spec, TOP)
  local n = {
    name = self:string("name", spec.name, default_name),
    periods = self:integer("periods", spec.periods, 1, LIMITS.periods, 12),
  }
  local unit = spec.unit == nil and "month" or spec.unit
  if not one_of(unit, UNITS) then
    self:expected("unit", "one of " .. table.concat(UNITS, ", "), unit,
      type(unit) == "string" and util.suggest(unit, UNITS) or "")
  end
  n.unit = unit
  if spec.start ~= nil and not calendar.valid(unit, spec.start) then
    self:expected("start", string.format("the first period's label for %ss, %s", unit, calendar.form(unit)), spec.start)
  end
  n.start = spec.start
  -- the currency money is shown in (reports only: the numbers do not change)
  if spec.currency ~= nil and not (type(spec.currency) == "string" and spec.currency:match("^%u%u%u$")) then
    self:expected("currency", 'an ISO 4217 code of three capital letters, such as "EUR" or "USD"', spec.currency)
  end
  n.currency = spec.currency
  n.trials = self:integer("trials", spec.trials, 1, nil, 10000)
  if n.trials > MAX_TRIALS then self:expected("trials", "an integer in [1, 1e12]", spec.trials) end
  n.seed = self:integer("seed", spec.seed, 0, nil, 1)
  if spec.track_channels ~= nil and type(spec.track_channels) ~= "boolean" then
    self:expected("track_channels", "true or false", spec.track_channels)
  end
  n.track_channels = spec.track_channels == true
  local stages = self:stages(spec)
  n.channels = self:channels(spec, n.periods, unit, stages)
  n.stages = self:funnel(stages, n.channels)
  n.customers = self:customers(spec)
  n.winback = self:winback(spec)
  n.goals = self:goals(spec, n, stages)
  n.correlations = self:correlations(spec, n)
  return n
end

----------------------------------------------------------------------------
-- Scenario objects.

local methods = {}

-- Deep copy of the plain tables of a spec, so that later edits of the
-- analyst's tables do not change a validated scenario. Distributions and
-- records are read-only objects and are shared; a read-only view (s.spec.x)
-- given back becomes a copy of what it shows; any other value is kept as it
-- is, for validation to refuse.
function copy_spec(v)
  if object.is_view(v) then return copy_spec(object.view_data(v)) end
  if not is_plain(v) then return v end
  local out = {}
  for k, x in next, v do out[k] = copy_spec(x) end
  return out
end

-- with{} merge: tables merge key by key (a list like funnel by index), other
-- values replace; a record merges into a new record. A list of numbers (a
-- spend plan, a season, lags) is one value and replaces the old one whole.
local function merge(base, over)
  if object.is_view(over) then over = copy_spec(over) end
  local class = record_of(base)
  local mergeable = (is_plain(base) or class) and not is_list_of_numbers(base)
  if not (is_plain(over) and not is_list_of_numbers(over) and mergeable) then return copy_spec(over) end
  local src = class and object.data(base, class) or base
  local out = {}
  for k, x in next, src do out[k] = copy_spec(x) end
  for k, v in next, over do out[k] = merge(src[k], v) end
  return class and object.new(class, out) or out
end

local function base_name(origins)
  local o = origins[1]
  if o and o.chunk then return (o.file:match("([^/\\]+)$") or o.file):gsub("%.lua$", "") end
  return "scenario"
end

local Scenario

-- A scenario object over its spec (the library's deep copy), the origins of
-- its fields and its normalized table: none of them reachable by a script.
local function build(spec, origins)
  local ctx = setmetatable({ origins = origins }, Ctx)
  local norm = ctx:check(spec, base_name(origins))
  return object.new(Scenario, { spec = spec, origins = origins, norm = norm })
end

local function state(s) return object.data(s, Scenario) end

function M.is_scenario(x) return state(x) ~= nil end

M.scenario = function(spec, extra)
  local origin = caller_origin("scenario")
  if extra ~= nil then
    error(string.format("%s: scenario: expected one table, got more arguments", origin:fallback()), 0)
  end
  local origins = { origin }
  if not is_plain(spec) then
    setmetatable({ origins = origins }, Ctx):expected("", "a table { name = , periods = , channels = , funnel = , ... }", spec)
  end
  local why = tree_problem(spec)
  if why then error(string.format("%s: scenario: expected %s", origin:fallback(), why), 0) end
  return build(copy_spec(spec), origins)
end

-- A table of a with{} as the library reads it (a read-only view shows its data).
local function plain_of(v)
  if object.is_view(v) then return object.view_data(v) end
  return v
end

local function is_rate_table(v) return is_plain(v) and not is_list_of_numbers(v) end

-- The channels with a rate of their own in a per-channel rate table.
local function own_rates(rate)
  local own = {}
  for _, k in ipairs(sorted_keys(rate)) do
    if k ~= "default" then own[#own + 1] = tostring(k) end
  end
  return own
end

-- A with{} (or --set) change of stage rates, checked against the stage it
-- changes: one rate may not replace a rate per channel whole (it would drop
-- the channels' own rates without a word), and a change for one channel of
-- a stage that has a single rate keeps that rate as the default. Returns
-- the spec to merge into: st.spec, or a copy of its path to the changed rates.
local function rate_changes(st, over, ctx)
  local funnel, base = plain_of(over.funnel), st.spec.funnel
  if not is_plain(funnel) or not is_plain(base) then return st.spec end
  local spec = st.spec
  for _, i in ipairs(sorted_keys(funnel)) do
    local o, b = plain_of(funnel[i]), base[i]
    local orate = is_plain(o) and plain_of(o.rate)
    if math.type(i) == "integer" and orate ~= nil and is_plain(b) and b.rate ~= nil then
      local path = join(join("funnel", i), "rate")
      local name = st.norm.stages[i] and st.norm.stages[i].name or tostring(i)
      if is_rate_table(b.rate) and not is_rate_table(orate) and #own_rates(b.rate) > 0 then
        ctx:fail(path, nil, "expected funnel.%s.rate.default (the channels without a rate of their own) or "
          .. "funnel.%s.rate.<channel> (%s), got %s, which would replace the stage's rates per channel",
          name, name, table.concat(own_rates(b.rate), ", "), show(orate))
      elseif not is_rate_table(b.rate) and is_rate_table(orate) and orate.default == nil then
        if spec == st.spec then
          spec = {}
          for k, v in next, st.spec do spec[k] = v end
          spec.funnel = {}
          for k, v in next, base do spec.funnel[k] = v end
        end
        local stage = {}
        for k, v in next, b do stage[k] = v end
        stage.rate = { default = b.rate }
        spec.funnel[i] = stage
      end
    end
  end
  return spec
end

-- Fields of a channel that give it a response (what a new channel needs).
local RESPONSES = { "cpc", "cpl", "response", "organic" }

-- A with{} naming a channel the scenario does not have: a typo of an
-- existing name is an error that suggests it; a new channel is accepted
-- when its table is a whole channel (it has a response) and its name is no
-- near miss of an existing one.
local function channel_changes(st, over, ctx)
  local chans = plain_of(over.channels)
  if not is_plain(chans) then return end
  local known = {}
  for i, ch in ipairs(st.norm.channels) do known[i] = ch.name end
  for _, k in ipairs(sorted_keys(chans)) do
    if type(k) == "string" and not one_of(k, known) then
      local c, whole = plain_of(chans[k]), false
      for _, f in ipairs(RESPONSES) do whole = whole or (is_plain(c) and c[f] ~= nil) end
      local hint = util.suggest(k, known)
      -- a channel calibrate() found in a history file, which the plan lacks
      local src
      for _, f in ipairs(RESPONSES) do
        local law = is_plain(c) and c[f] ~= nil and dist.data(c[f])
        src = src or (law and law.source)
      end
      if src then
        ctx:fail("channels", join("channels", k), "the history file %s has a channel '%s' the plan has not%s (channels: "
          .. "%s): name the file's channels as the plan's", tostring(src.file), k, hint, table.concat(known, ", "))
      end
      if hint ~= "" and whole then
        hint = hint .. "; a new channel needs a name that is not this close to an existing one"
      elseif hint == "" and not whole then
        hint = string.format(" (channels: %s; a new channel needs a response: cpc, cpl, response or organic)",
          table.concat(known, ", "))
      end
      if hint ~= "" then ctx:fail("channels", join("channels", k), "unknown channel '%s'%s", k, hint) end
    end
  end
end

-- A with{} table whose funnel names stages (funnel = { lead = { rate = ... } },
-- as calibrate() returns) read with the stages' indices, as the funnel list
-- is merged; fail(fmt, ...) raises at the call (with{}, a library command).
local function stage_indices(st, over, fail)
  local funnel = plain_of(over.funnel)
  if not is_plain(funnel) then return over end
  local byname, names = {}, {}
  for i, stage in ipairs(st.norm.stages) do byname[stage.name], names[i] = i, stage.name end
  local out, changed = {}, false
  for _, k in ipairs(sorted_keys(funnel)) do
    local i = k
    if type(k) == "string" then
      i = byname[k]
      if not i then fail("funnel.%s: unknown stage '%s'%s", k, k, util.suggest(k, names)) end
      if funnel[i] ~= nil or out[i] ~= nil then
        fail("funnel.%s: the stage is changed twice, by name and as funnel[%d]", k, i)
      end
      changed = true
    end
    out[i] = funnel[k]
  end
  if not changed then return over end
  local copy = {}
  for k, v in next, plain_of(over) do copy[k] = v end
  copy.funnel = out
  return copy
end

-- derive(s, over, origin [, fail]): a validated copy of s changed by over
-- (a with{} table, stages by index or by name), the changed fields pointing at origin.
local function derive(s, over, origin, fail)
  local origins = {}
  local st = state(s)
  over = stage_indices(st, over, fail or function(fmt, ...)
    error(string.format("%s: " .. fmt, origin:fallback(), ...), 0)
  end)
  for i, o in ipairs(st.origins) do origins[i] = o end
  origin.leaves, origin.interior = written(over, "", {}, {})
  origins[#origins + 1] = origin
  local ctx = setmetatable({ origins = origins }, Ctx)
  channel_changes(st, over, ctx)
  return build(merge(rate_changes(st, over, ctx), over), origins)
end

-- For library commands that reshape a plan (backtest): a validated copy of s
-- whose spec is changed by reshape(spec) (a copy, free to change), with the
-- origins of s (messages point where its fields were written).
function M._reshape(s, reshape)
  local st = state(s)
  local spec = copy_spec(st.spec)
  reshape(spec)
  return build(spec, st.origins)
end

-- For the what-if helpers (scripts/whatif.lua): the origin of the script's
-- call of the library function that asks, and a validated copy of s changed
-- by over (a with{} table) whose changed fields point at that call.
function M._origin(fname)
  local o = caller_origin(fname, 1)
  return o
end
M._derive = derive

-- s:with{...}: a validated changed copy; the lines of fields written in the
-- with{} table come from that call, the others from the original.
function methods.with(s, over)
  local origin = caller_origin("with")
  if not M.is_scenario(s) then
    error(string.format("%s: with: expected a scenario (write s:with{...}), got %s", origin:fallback(), show(s)), 0)
  end
  if not is_plain(over) then
    error(string.format("%s: with: expected a table of changed fields, got %s", origin:fallback(), show(over)), 0)
  end
  local why = tree_problem(over)
  if why then error(string.format("%s: with: expected %s", origin:fallback(), why), 0) end
  return derive(s, over, origin, function(fmt, ...)
    error(string.format("%s: with: " .. fmt, origin:fallback(), ...), 0)
  end)
end

-- Reads a --set path: "channels.search.spend", "funnel[3].rate" or
-- "funnel.mql.rate", "goals[1].at_least". Returns its keys, with stage names
-- resolved to indices, and the path in message syntax.
local function parse_set_path(s, key, fail)
  local keys, rest = {}, key
  local first = rest:match("^([%a_][%w_]*)")
  if not first then fail("expected a field path such as channels.search.spend") end
  keys[1], rest = first, rest:sub(#first + 1)
  while rest ~= "" do
    local name = rest:match("^%.([^.%[%]]+)")
    local index = rest:match("^%[(%d+)%]")
    if name then
      keys[#keys + 1], rest = name, rest:sub(#name + 2)
    elseif index then
      keys[#keys + 1], rest = math.tointeger(tonumber(index)), rest:sub(#index + 3)
    else
      fail("expected a field path such as channels.search.spend or funnel[3].rate")
    end
  end
  local spec, norm = state(s).spec, state(s).norm
  if keys[1] == "funnel" and type(keys[2]) == "string" then
    local names = {}
    for i, st in ipairs(norm.stages) do
      names[i] = st.name
      if st.name == keys[2] then keys[2] = i end
    end
    if type(keys[2]) == "string" then fail("unknown stage '%s'%s", keys[2], util.suggest(keys[2], names)) end
  end
  if keys[1] == "channels" and keys[2] ~= nil then
    local names = {}
    for i, ch in ipairs(norm.channels) do names[i] = ch.name end
    if not one_of(keys[2], names) then fail("unknown channel '%s'%s", tostring(keys[2]), util.suggest(tostring(keys[2]), names)) end
  end
  if (keys[1] == "funnel" or keys[1] == "goals") and math.type(keys[2]) == "integer" then
    local n = #(spec[keys[1]] or {})
    if keys[2] < 1 or keys[2] > n then fail("expected %s[1] to %s[%d], got %s[%d]", keys[1], keys[1], n, keys[1], keys[2]) end
  end
  local path = ""
  for _, k in ipairs(keys) do path = join(path, k) end
  return keys, path
end

-- The constructors a --set value may call: funnel.mql.rate=beta(30,70). A
-- fresh environment for every value, so that nothing one value (or a
-- scenario calling s:set) does there can change what the next one means.
local function set_env()
  local env = {}
  for k, f in pairs(dist.constructors) do env[k] = f end
  env.hill, env.sbg, env.lags = M.hill, M.sbg, {}
  for k, f in pairs(M.lags) do env.lags[k] = f end
  return env
end

local function parse_set_value(text, fail)
  if type(text) ~= "string" then return text end
  local n = tonumber(text)
  if n then return n end
  if text == "true" then return true elseif text == "false" then return false end
  if text:match("^%s*[%a_][%w_.]*%s*[%({]") then
    local chunk = load("return " .. text, "=--set", "t", set_env())
    if not chunk then fail("expected a number, true, false or a distribution such as beta(30, 70), got %s", util.show(text)) end
    local ok, v = pcall(chunk)
    if not ok then fail("%s", (tostring(v):gsub("^%-%-set:%d+: ", ""))) end
    return v
  end
  return text
end

-- s:set(path, value): the CLI's --set KEY=VALUE. The value is a string read
-- as a number, a boolean, a constructor call or else a string.
function methods.set(s, key, text)
  local label = string.format("--set %s=%s", tostring(key), type(text) == "string" and text or show(text))
  local function fail(fmt, ...) error(label .. ": " .. string.format(fmt, ...), 0) end
  if not M.is_scenario(s) then fail("expected a scenario (write s:set(path, value)), got %s", show(s)) end
  if type(key) ~= "string" then fail("expected a field path, got %s", show(key)) end
  local keys, path = parse_set_path(s, key, fail)
  local value = parse_set_value(text, fail)
  local over = value
  for i = #keys, 1, -1 do over = { [keys[i]] = over } end
  return derive(s, over, setmetatable({ path = path, text = label }, SetOriginMT))
end

-- get(s, path): the value written at a --set path in s (a number, a list,
-- a distribution, a table or nil), the path in message syntax and the path
-- the compiler names the field by (stages by name: funnel.lead.rate);
-- errors as s:set's name the path.
function M.get(s, key)
  local function fail(fmt, ...) error(string.format("%s: %s", tostring(key), string.format(fmt, ...)), 0) end
  if not M.is_scenario(s) then fail("expected a scenario, got %s", show(s)) end
  if type(key) ~= "string" then fail("expected a field path, got %s", show(key)) end
  local keys, path = parse_set_path(s, key, fail)
  local v = state(s).spec
  for _, k in ipairs(keys) do
    local class = record_of(v)
    local t = class and object.data(v, class) or v
    if type(t) ~= "table" or dist.is_dist(v) then return nil, path end
    v = t[k]
  end
  local model_path = path
  if keys[1] == "funnel" and math.type(keys[2]) == "integer" then
    model_path = "funnel." .. state(s).norm.stages[keys[2]].name .. path:gsub("^funnel%[%d+%]", "")
  end
  return v, path, model_path
end

function methods.normalize(s) return M.normalize(s) end

local function plural(n, word) return string.format("%d %s%s", n, word, n == 1 and "" or "s") end

local READ = { name = true, periods = true, unit = true, trials = true, seed = true }

Scenario = object.class("scenario", {
  -- methods, the raw spec as a read-only view, and a few normalized fields
  index = function(st, k)
    if methods[k] then return methods[k] end
    if k == "spec" then return object.view(st.spec) end
    if READ[k] then return st.norm[k] end
    return nil
  end,
  readonly = "a scenario is read-only: use s:with{...} or s:set(path, value)",
  keys = { "name", "periods", "seed", "spec", "trials", "unit" },
  tostring = function(st)
    local n = st.norm
    local chans, stages = {}, {}
    for i, ch in ipairs(n.channels) do chans[i] = ch.name end
    for i, s in ipairs(n.stages) do stages[i] = s.name end
    return string.format("scenario \"%s\": %s, %s (%s), %s (%s), %s, %s, seed %s",
      n.name, plural(n.periods, n.unit), plural(#n.channels, "channel"), table.concat(chans, ", "),
      plural(#n.stages, "stage"), table.concat(stages, " > "), plural(#n.goals, "goal"),
      plural(n.trials, "trial"), util.unsigned(n.seed))
  end,
})

-- normalize(s): the plain table core/lua_model.c compiles (see the shape in
-- the brief of this module's header and in tests/scenario_api.lua): a fresh
-- copy at every call, so that what a script does with one cannot change the
-- scenario or what the library runs.
function M.normalize(s)
  local st = state(s)
  if not st then
    util.fail("normalize: expected a scenario, got %s", show(s))
  end
  return object.copy(st.norm)
end

-- "file:line" where the field of key path `key` (a stream's path, as the
-- engine's messages name fields: "funnel.lead.rate", "channels.search.cpc")
-- was written in scenario s, or nil.
function M.where(s, key)
  local st = state(s)
  if not st or type(key) ~= "string" then return nil end
  local path = key
  local stage, rest = key:match("^funnel%.([^.]+)(.*)$")
  if stage then
    for i, x in ipairs(st.norm.stages) do
      if x.name == stage then path = join("funnel", i) .. rest end
    end
  end
  return locate(st.origins, path)
end

-- s:with{...} and s:set(path, value) as plain functions, for the library's
-- own calls (a script cannot replace them on an object it holds).
M.with, M.set = methods.with, methods.set

----------------------------------------------------------------------------
-- Comparisons: compare{ base, alt, ... } is the list of the scenarios to run
-- side by side on common random numbers, the first being the base. A
-- read-only object (#c, c[i] and ipairs read it) that a file may return as
-- it would return the plain list.

local Comparison = object.class("comparison", {
  readonly = "a comparison is read-only: write a new compare{...}",
  tostring = function(list)
    local names = {}
    for i, s in ipairs(list) do names[i] = string.format("%q", state(s).norm.name) end
    return string.format("comparison of %d scenarios: %s", #list, table.concat(names, ", "))
  end,
})

function M.is_comparison(x) return object.is(x, Comparison) end

-- check_names(list [, where]): raises an error when two scenarios of list
-- (a list of scenarios, to run as one comparison) have the same name: a
-- comparison's report tells its scenarios apart by their names. The
-- message begins with where ("file:line: compare"), or, without it, with
-- the place that named the later of the two (its with{} or scenario{}
-- call); it names the duplicate name and both positions. Returns list.
function M.check_names(list, where)
  local seen = {}
  for i, s in ipairs(list) do
    local st = state(s)
    local name = st and st.norm.name
    if name ~= nil and seen[name] then
      local o = st.origins[#st.origins]
      where = where or (wrote(o, "name") and locate(st.origins, "name") or o:fallback())
      error(string.format("%s: expected scenarios with different names in a comparison, got %s at positions %d and %d "
        .. "(give each its own name = in scenario{} or with{})", where, show(name), seen[name], i), 0)
    end
    if name ~= nil then seen[name] = i end
  end
  return list
end

-- compare{ base, alt, ... }: a comparison of at least two scenarios with
-- different names; errors name the line of the compare call.
function M.compare(list, extra)
  local origin = caller_origin("compare")
  local where = origin:fallback() .. ": compare"
  local function fail(fmt, ...) error(where .. ": " .. string.format(fmt, ...), 0) end
  if not is_plain(list) or extra ~= nil then
    fail("expected one list of scenarios, compare{ base, alt, ... }, got %s", extra ~= nil and "more arguments" or show(list))
  end
  local n = #list
  for _, k in ipairs(sorted_keys(list)) do
    if not (math.type(k) == "integer" and k >= 1 and k <= n) then
      fail("expected a list of scenarios, got %s at %s", show(list[k]), type(k) == "string" and ("field '" .. k .. "'") or ("position " .. tostring(k)))
    end
  end
  if n < 2 then fail("expected at least two scenarios to compare, got %d", n) end
  local copy = {}
  for i = 1, n do
    if not M.is_scenario(list[i]) then fail("expected a scenario at position %d, got %s", i, show(list[i])) end
    copy[i] = list[i]
  end
  M.check_names(copy, where)
  return object.new(Comparison, copy)
end

-- What a scenario file returned: one scenario, several, a list of them or
-- a comparison (compare{...}). Returns the list; a file that returned something else is an error at the
-- line that most likely needs a `return` (its scenario{} call or last line).
function M.returned(chunkname, ...)
  local n, first = select("#", ...), ...
  local file = type(chunkname) == "string" and chunkname:gsub("^[@=]", "") or "?"
  local src = chunkname and chunkname:sub(1, 1) == "@" and read_source(file)
  local function fail(line, fmt, ...)
    error(string.format("%s:%d: %s", file, line, string.format(fmt, ...)), 0)
  end
  local list
  if n == 1 and M.is_comparison(first) then
    list = {}
    for i, s in ipairs(first) do list[i] = s end
  elseif n == 1 and is_plain(first) and not M.is_scenario(first) and #first > 0 then
    list = first
  else
    list = { ... }
  end
  if n == 0 or (n == 1 and first == nil) then
    local line = src and (lines.first_call(src, "scenario") or lines.last_line(src)) or 1
    fail(line, "expected the file to return a scenario (return scenario{...}) or a list of scenarios, got nothing")
  end
  local line = src and (lines.last_return(src) or lines.last_line(src)) or 1
  for i = 1, math.max(#list, n) do
    if not M.is_scenario(list[i]) then
      if n == 1 and #list <= 1 then
        fail(line, "expected the file to return a scenario (return scenario{...}) or a list of scenarios, got %s", show(first))
      end
      fail(line, "expected the file to return a list of scenarios, got %s at position %d", show(list[i]), i)
    end
  end
  return list
end

return M
