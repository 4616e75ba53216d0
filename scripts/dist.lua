-- dist: the distribution constructors of a scenario (fixed, uniform, normal,
-- lognormal, beta, gamma, triangular, pert, range, history, binomial,
-- poisson). Each returns a distribution object (scripts/object.lua) over the
-- data { kind = ..., <parameters>, each = "trial" | "period", label =
-- "beta(30, 970)" }: a scenario reads d.kind or d.label but cannot change
-- them. Parameter checks live in C (fc_dist_check) so that Lua and C agree
-- on what is valid; the C side reads plain copies (M.plain).
--
-- The module is { constructors = { name = f, ... }, is_dist, data, plain }:
-- only the constructors reach a scenario's environment.
local core = ...
local util = core._script("util")
local object = core._script("object")
local show, fail, public = util.show, util.fail, util.public

local Dist = object.class("distribution", {
  tostring = function(d) return d.label end,
  readonly = "a distribution is read-only: write a new one, such as beta(30, 970)",
})

local M = {}

-- z of the standard normal's 95th percentile: range() and normal{p5, p95}
-- read a guess as a 90% interval.
local Z95 = 1.6448536269514722

local function number(fn, name, x)
  if type(x) ~= "number" then fail("%s: %s: expected a number, got %s", fn, name, show(x)) end
  if x ~= x or x == math.huge or x == -math.huge then
    fail("%s: %s: expected a finite number, got %s", fn, name, show(x))
  end
  return x
end

-- Reads a constructor's arguments: either positional numbers or one table of
-- named fields (which may also say each = "period", and clip = true to have
-- draws clamped into the field's domain instead of rejected by the scenario
-- check). Returns the table of named values; unknown names are errors with a
-- suggestion.
local function args(fn, names, allowed, ...)
  local first = ...
  local named = {}
  if type(first) == "table" and getmetatable(first) == nil and select("#", ...) == 1 then
    for _, k in ipairs(object.sorted_keys(first)) do
      local v = first[k]
      local known = k == "each" or k == "clip"
      for _, a in ipairs(allowed) do if a == k then known = true end end
      if not known then
        local cands = { "each", "clip" }
        for _, a in ipairs(allowed) do cands[#cands + 1] = a end
        fail("%s: unknown field '%s'%s", fn, tostring(k), util.suggest(k, cands))
      end
      named[k] = v
    end
  else
    local n = select("#", ...)
    if n > #names then
      fail("%s: expected at most %d argument%s (%s), got %d", fn, #names, #names == 1 and "" or "s",
        table.concat(names, ", "), n)
    end
    for i, name in ipairs(names) do named[name] = select(i, ...) end
  end
  local each = named.each or "trial"
  if each ~= "trial" and each ~= "period" then
    fail("%s: each: expected \"trial\" or \"period\", got %s", fn, show(each))
  end
  named.each = each
  if named.clip ~= nil and type(named.clip) ~= "boolean" then
    fail("%s: clip: expected true or false, got %s", fn, show(named.clip))
  end
  return named
end

-- Validates the finished table in C and gives it the Dist metatable. d.clip
-- is set only when the scenario asked for it (scenario.lua reads it).
local function finish(d, label, each, clip)
  d.each, d.label = each, label
  if each == "period" then d.label = label:gsub("%)$", ", each = \"period\")") end
  if clip then
    d.clip = true
    d.label = d.label:gsub("%)$", ", clip = true)")
  end
  core._check_dist(d)
  return object.new(Dist, d)
end

M.fixed = public(function(x)
  if type(x) == "table" and getmetatable(x) == nil then x = x.value end
  number("fixed", "value", x)
  return finish({ kind = "fixed", value = x }, string.format("fixed(%s)", show(x)), "trial")
end)

M.uniform = public(function(...)
  local a = args("uniform", { "min", "max" }, { "min", "max" }, ...)
  local lo, hi = number("uniform", "min", a.min), number("uniform", "max", a.max)
  return finish({ kind = "uniform", min = lo, max = hi },
    string.format("uniform(%s, %s)", show(lo), show(hi)), a.each, a.clip)
end)

M.normal = public(function(...)
  local a = args("normal", { "mean", "sd" }, { "mean", "sd", "p5", "p95" }, ...)
  local mean, sd
  if a.p5 ~= nil or a.p95 ~= nil then
    if a.mean ~= nil or a.sd ~= nil then fail("normal: give either mean and sd, or p5 and p95") end
    local p5, p95 = number("normal", "p5", a.p5), number("normal", "p95", a.p95)
    if not (p5 < p95) then fail("normal: p95: expected a number > p5 (%s), got %s", show(p5), show(p95)) end
    mean, sd = (p5 + p95) / 2, (p95 - p5) / (2 * Z95)
  else
    mean, sd = number("normal", "mean", a.mean), number("normal", "sd", a.sd)
  end
  return finish({ kind = "normal", mean = mean, sd = sd },
    string.format("normal(%s, %s)", show(mean), show(sd)), a.each, a.clip)
end)

M.lognormal = public(function(...)
  local a = args("lognormal", { "median", "sigma" }, { "median", "sigma", "mean", "sd" }, ...)
  local mu, sigma
  if a.mean ~= nil or a.sd ~= nil then
    if a.median ~= nil or a.sigma ~= nil then fail("lognormal: give either median and sigma, or mean and sd") end
    local mean, sd = number("lognormal", "mean", a.mean), number("lognormal", "sd", a.sd)
    if mean <= 0 then fail("lognormal: mean: expected a number > 0, got %s", show(mean)) end
    if sd < 0 then fail("lognormal: sd: expected a number >= 0, got %s", show(sd)) end
    sigma = math.sqrt(math.log(1 + (sd / mean) ^ 2))
    mu = math.log(mean) - sigma * sigma / 2
  else
    local median = number("lognormal", "median", a.median)
    if median <= 0 then fail("lognormal: median: expected a number > 0, got %s", show(median)) end
    mu, sigma = math.log(median), number("lognormal", "sigma", a.sigma)
  end
  return finish({ kind = "lognormal", mu = mu, sigma = sigma },
    string.format("lognormal(median %s, sigma %s)", show(math.exp(mu)), show(sigma)), a.each, a.clip)
end)

M.beta = public(function(...)
  local a = args("beta", { "a", "b" }, { "a", "b", "mean", "sd" }, ...)
  local pa, pb
  if a.mean ~= nil or a.sd ~= nil then
    if a.a ~= nil or a.b ~= nil then fail("beta: give either a and b, or mean and sd") end
    local m, sd = number("beta", "mean", a.mean), number("beta", "sd", a.sd)
    if not (m > 0 and m < 1) then fail("beta: mean: expected a number in (0, 1), got %s", show(m)) end
    if not (sd > 0 and sd * sd < m * (1 - m)) then
      fail("beta: sd: expected a number in (0, %s) for mean %s, got %s",
        show(math.sqrt(m * (1 - m))), show(m), show(sd))
    end
    local k = m * (1 - m) / (sd * sd) - 1
    pa, pb = m * k, (1 - m) * k
  else
    pa, pb = number("beta", "a", a.a), number("beta", "b", a.b)
  end
  return finish({ kind = "beta", a = pa, b = pb },
    string.format("beta(%s, %s)", show(pa), show(pb)), a.each, a.clip)
end)

M.gamma = public(function(...)
  local a = args("gamma", { "shape", "scale" }, { "shape", "scale" }, ...)
  local shape, scale = number("gamma", "shape", a.shape), number("gamma", "scale", a.scale or 1)
  return finish({ kind = "gamma", shape = shape, scale = scale },
    string.format("gamma(%s, %s)", show(shape), show(scale)), a.each, a.clip)
end)

local function three(kind)
  return public(function(...)
    local a = args(kind, { "min", "mode", "max" }, { "min", "mode", "max" }, ...)
    local lo, mode, hi = number(kind, "min", a.min), number(kind, "mode", a.mode), number(kind, "max", a.max)
    return finish({ kind = kind, min = lo, mode = mode, max = hi },
      string.format("%s(%s, %s, %s)", kind, show(lo), show(mode), show(hi)), a.each, a.clip)
  end)
end
M.triangular = three("triangular")
M.pert = three("pert")

-- range(lo, hi): a 90% interval. By default a lognormal with those 5th and
-- 95th percentiles; the model compiler turns it into a beta with the same
-- percentiles in a field that holds a probability (d.range keeps lo and hi).
M.range = public(function(...)
  local a = args("range", { "lo", "hi" }, { "lo", "hi" }, ...)
  local lo, hi = number("range", "lo", a.lo), number("range", "hi", a.hi)
  if not (lo > 0) then fail("range: lo: expected a number > 0, got %s", show(lo)) end
  if not (hi > lo) then fail("range: hi: expected a number > lo (%s), got %s", show(lo), show(hi)) end
  local mu = (math.log(lo) + math.log(hi)) / 2
  local sigma = (math.log(hi) - math.log(lo)) / (2 * Z95)
  local d = finish({ kind = "lognormal", mu = mu, sigma = sigma, range = { lo = lo, hi = hi } },
    string.format("range(%s, %s)", show(lo), show(hi)), a.each, a.clip)
  return d
end)

M.history = public(function(t)
  if type(t) ~= "table" then fail("history: expected a table {successes = , trials = }, got %s", show(t)) end
  local a = args("history", {}, { "successes", "trials" }, t)
  local s, n = a.successes, a.trials
  for _, name in ipairs({ "successes", "trials" }) do
    local v = a[name]
    if math.type(v) ~= "integer" and not (type(v) == "number" and v == math.floor(v)) or v < 0 then
      fail("history: %s: expected an integer >= 0, got %s", name, show(v))
    end
  end
  if s > n then fail("history: successes: expected at most trials (%s), got %s", show(n), show(s)) end
  return finish({ kind = "beta", a = s + 1, b = n - s + 1 },
    string.format("history(%s of %s)", show(s), show(n)), a.each, a.clip)
end)

M.binomial = public(function(...)
  local a = args("binomial", { "n", "p" }, { "n", "p" }, ...)
  local n, p = number("binomial", "n", a.n), number("binomial", "p", a.p)
  return finish({ kind = "binomial", n = n, p = p },
    string.format("binomial(%s, %s)", show(n), show(p)), a.each, a.clip)
end)

M.poisson = public(function(...)
  local a = args("poisson", { "mean" }, { "mean" }, ...)
  local mean = number("poisson", "mean", a.mean)
  return finish({ kind = "poisson", mean = mean }, string.format("poisson(%s)", show(mean)), a.each, a.clip)
end)

local lib = { constructors = M }

function lib.is_dist(x) return object.is(x, Dist) end
-- The data of distribution d (the library's: never hand it to a script).
function lib.data(d) return object.data(d, Dist) end
-- A copy of distribution d that says where it came from (calibrate's laws:
-- source = { text = "1,234 lead of 41,000 visitor", file, periods, ... }),
-- which normalized scenarios keep and the assumptions list reports.
function lib.with_source(d, source)
  local data = object.copy(object.data(d, Dist))
  data.source = source
  return object.new(Dist, data)
end
-- A plain deep copy of d's data, for the C side and normalized scenarios.
function lib.plain(d)
  local data = object.data(d, Dist)
  return data and object.copy(data)
end

return lib
