-- scenario_api: the scenario-file API (scripts/scenario.lua) from a stock
-- lua5.4 with the built module: valid scenarios normalize to the table the
-- model compiler reads, what-ifs (with, set) keep their lines, and every
-- broken scenario under tests/bad/ fails with the exact message its first
-- line announces ("-- expect: <message>"). Run from the repository root:
--   lua5.4 tests/scenario_api.lua [BUILD]
local build = arg[1] or os.getenv("BUILD") or "build"
package.cpath = build .. "/?.so;" .. package.cpath
local fc = require "funnelcast"

local T = dofile("tests/support/checks.lua")
local check, eq, near = T.check, T.eq, T.near

-- The message of the error f raises, or nil. Not T.err_of: a tail call's
-- error names the nearest caller still known, and the checks below expect
-- that to be this file.
local function err_of(f, ...)
  local ok, e = pcall(f, ...)
  if ok then return nil end
  return tostring(e)
end

local function keys(t)
  local out = {}
  for k in pairs(t) do out[#out + 1] = tostring(k) end
  table.sort(out)
  return table.concat(out, ",")
end

local function sum(list)
  local s = 0
  for _, x in ipairs(list) do s = s + x end
  return s
end

local function load1(path)
  local list = fc.load(path)
  return list[1], list
end

-- Regularized incomplete beta I_x(a, b) (continued fraction, Numerical
-- Recipes' betacf), to check that range() in a rate has the asked percentiles.
local function lgamma(x)
  local g = { 76.18009172947146, -86.50532032941677, 24.01409824083091,
    -1.231739572450155, 0.1208650973866179e-2, -0.5395239384953e-5 }
  local y, tmp = x, x + 5.5
  tmp = tmp - (x + 0.5) * math.log(tmp)
  local ser = 1.000000000190015
  for j = 1, 6 do y = y + 1; ser = ser + g[j] / y end
  return -tmp + math.log(2.5066282746310005 * ser / x)
end

local function betacf(a, b, x)
  local qab, qap, qam, c, d = a + b, a + 1, a - 1, 1, 1 - (a + b) * x / (a + 1)
  d = 1 / d
  local h = d
  for m = 1, 300 do
    local m2 = 2 * m
    local aa = m * (b - m) * x / ((qam + m2) * (a + m2))
    d = 1 / (1 + aa * d); c = 1 + aa / c; h = h * d * c
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
    d = 1 / (1 + aa * d); c = 1 + aa / c
    local del = d * c
    h = h * del
    if math.abs(del - 1) < 1e-14 then break end
  end
  return h
end

local function ibeta(a, b, x)
  local bt = math.exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * math.log(x) + b * math.log(1 - x))
  if x < (a + 1) / (a + b + 2) then return bt * betacf(a, b, x) / a end
  return 1 - bt * betacf(b, a, 1 - x) / b
end

----------------------------------------------------------------------------
-- Defaults.
do
  local s = load1("tests/good/minimal.lua")
  local n = fc.normalize(s)
  eq(keys(n), "channels,correlations,customers,goals,name,periods,seed,stages,track_channels,trials,unit", "top-level keys")
  eq(n.name, "minimal", "name defaults to the file's base name")
  eq(n.periods, 12, "periods default")
  eq(n.unit, "month", "unit default")
  eq(n.trials, 10000, "trials default")
  eq(n.seed, 1, "seed default")
  eq(n.track_channels, false, "track_channels default")
  eq(n.winback, nil, "no winback block")
  eq(#n.goals, 0, "no goals")
  local ch = n.channels[1]
  eq(keys(ch), "cost,enters,name,response,season,spend", "channel keys")
  eq(ch.response, "cost", "cpc is a cost response")
  eq(ch.enters, 1, "cpc enters at the first stage")
  eq(#ch.spend, 12, "spend expanded to periods")
  eq(ch.spend[12], 1000, "spend value")
  eq(ch.season[5], 1, "season defaults to 1")
  eq(ch.cost.kind, "fixed", "a constant becomes fixed")
  eq(ch.cost.value, 2, "fixed value")
  eq(ch.cost.path, "channels.search.cpc", "param path")
  eq(ch.cost.domain, "positive", "cpc domain")
  eq(ch.cost.clip, false, "clip defaults to false")
  eq(ch.cost.each, "trial", "drawn once per trial")
  eq(keys(n.stages[1]), "name", "first stage has only a name")
  eq(keys(n.stages[2]), "lags,name,rate", "second stage keys")
  eq(#n.stages[2].lags, 1, "no delay: one lag")
  eq(n.stages[2].lags[1], 1, "lag 0 has all the mass")
  eq(n.stages[2].rate.path, "funnel.customer.rate", "rate path is keyed by the stage name")
  local c = n.customers
  eq(keys(c), "arpu,discount,expansion,growth,initial,initial_tenure,lost,ltv_horizon,margin", "customers keys")
  eq(c.initial, 0, "initial default")
  eq(c.ltv_horizon, 0, "ltv_horizon default (unlimited)")
  eq(c.margin.value, 1, "margin default")
  eq(c.margin.domain, "probability", "margin domain")
  eq(c.arpu.value, 0, "arpu default")
  eq(c.churn, nil, "no churn")
  eq(tostring(s), 'scenario "minimal": 12 months, 1 channel (search), 2 stages (visitor > customer), 0 goals, 10000 trials, seed 1',
    "tostring")
  eq(s.name, "minimal", "s.name")
  eq(s.spec.channels.search.spend, 1000, "s.spec reads the raw spec")
  check(err_of(function() s.spec.periods = 3 end) ~= nil, "s.spec is read-only")
  check(err_of(function() s.periods = 3 end) ~= nil, "a scenario is read-only")
end

----------------------------------------------------------------------------
-- Every kind of field.
do
  local s = load1("tests/good/full.lua")
  local n = fc.normalize(s)
  eq(n.name, "full", "name")
  eq(n.periods, 24, "periods")
  eq(n.track_channels, true, "track_channels")
  local names = {}
  for i, ch in ipairs(n.channels) do names[i] = ch.name end
  eq(table.concat(names, ","), "events,search,seo,social", "channels sorted by name")
  local events, search, seo, social = table.unpack(n.channels)
  -- cost per lead: enters at the second stage; range stays a lognormal for a price
  eq(events.response, "cost", "cpl is a cost response")
  eq(events.enters, 2, "cpl enters at the second stage")
  eq(events.cost.kind, "lognormal", "range(40, 90) for a price is a lognormal")
  eq(events.cost.path, "channels.events.cpl", "cpl path")
  -- hill response with adstock
  eq(search.response, "hill", "hill response")
  eq(search.cost, nil, "no cost with hill")
  eq(keys(search.hill), "half,max,shape", "hill keys")
  eq(search.hill.max.value, 12000, "hill max")
  eq(search.hill.shape.path, "channels.search.response.shape", "hill shape path")
  eq(search.adstock.value, 0.3, "adstock")
  eq(search.adstock.domain, "fraction", "adstock domain")
  -- organic only
  eq(seo.response, "none", "organic only")
  eq(seo.organic.kind, "gamma", "organic dist")
  eq(seo.organic.domain, "nonneg", "organic domain")
  eq(seo.spend[1], 0, "organic channel spends 0")
  -- season of 12 months repeated over 24
  eq(#social.season, 24, "season expanded")
  eq(social.season[13], 1.2, "season repeats")
  eq(social.season[7], 0.7, "season value")
  -- per-channel rate
  local lead = n.stages[2]
  eq(lead.rate.path, "funnel.lead.rate", "default rate path")
  eq(#lead.rate_by_channel, 4, "one rate per channel")
  eq(lead.rate_by_channel[1].a, 60, "events' own rate")
  eq(lead.rate_by_channel[1].path, "funnel.lead.rate.events", "per-channel path")
  eq(lead.rate_by_channel[2].a, 30, "search takes the default")
  eq(lead.rate_by_channel[2].path, "funnel.lead.rate", "the default is one assumption")
  eq(lead.cost.value, 1.5, "stage cost")
  eq(lead.cost.domain, "nonneg", "stage cost domain")
  -- range in a rate: a beta with those 5th and 95th percentiles
  local mql = n.stages[3]
  eq(mql.rate.kind, "beta", "range in a rate is a beta")
  near(ibeta(mql.rate.a, mql.rate.b, 0.3), 0.05, 1e-4, "range beta P5")
  near(ibeta(mql.rate.a, mql.rate.b, 0.5), 0.95, 1e-4, "range beta P95")
  eq(table.concat(mql.lags, ","), "0,0,1", "integer delay")
  -- clipped normal
  local sql = n.stages[4]
  eq(sql.rate.kind, "normal", "clipped normal kept")
  eq(sql.rate.clip, true, "clip kept")
  -- lags: negative binomial, weibull
  near(sum(sql.lags), 1, 1e-12, "negbin lags sum to 1")
  local mean = 0
  for k, p in ipairs(sql.lags) do mean = mean + (k - 1) * p end
  near(mean, 2, 1e-4, "negbin mean")
  near(sql.lags[1], 0.25, 1e-6, "negbin P(0) = q^r = 0.5^1")
  local cust = n.stages[5]
  local F = function(x) return 1 - math.exp(-((x / 2) ^ 1.5)) end
  near(cust.lags[1], F(1) - F(0), 1e-6, "weibull P(0) = F(1) - F(0)")
  near(cust.lags[3], F(3) - F(2), 1e-6, "weibull P(2) = F(3) - F(2)")
  near(sum(cust.lags), 1, 1e-12, "weibull lags sum to 1")
  eq(cust.cost.value, 400, "customer stage cost")
  -- customers with sbg
  local c = n.customers
  eq(c.churn, nil, "sbg: no plain churn")
  eq(c.sbg.alpha.value, 0.7, "sbg alpha")
  eq(c.sbg.beta.path, "customers.churn.beta", "sbg beta path")
  eq(c.initial, 500, "initial")
  eq(c.lost, 200, "lost")
  eq(c.initial_tenure, 6, "initial tenure")
  eq(c.ltv_horizon, 36, "ltv horizon")
  eq(c.discount, 0.01, "discount is a number")
  eq(c.growth.domain, "real", "growth domain")
  eq(keys(n.winback), "cost,rate", "winback keys")
  eq(n.winback.cost.value, 2, "winback cost")
  -- goals
  local g1, g2, g3 = table.unpack(n.goals)
  eq(keys(g1), "by,confidence,every,from,metric,name,op,target", "goal keys")
  eq(g1.name, "new_customers >= 200", "default goal name")
  eq(g1.op, ">=", "at_least")
  eq(g1.by, 24, "by defaults to periods")
  eq(g1.confidence, 0.8, "confidence default")
  eq(g2.op, "<=", "at_most")
  eq(g2.target, 3000, "target")
  eq(g2.by, 12, "by")
  eq(g2.confidence, 0.9, "confidence")
  eq(g3.metric, "sql", "a stage name as a metric")
end

----------------------------------------------------------------------------
-- Lag laws on their own.
do
  local g = fc.lags.geometric{ mean = 1.5 }
  near(sum(g), 1, 1e-12, "geometric sums to 1")
  near(g[1], 1 / 2.5, 1e-6, "geometric P(0) = 1 / (1 + mean)")
  local m = 0
  for k, p in ipairs(g) do m = m + (k - 1) * p end
  near(m, 1.5, 1e-4, "geometric mean")
  local g0 = fc.lags.geometric{ mean = 0 }
  check(#g0 == 1 and g0[1] == 1, "geometric with mean 0 is {1}")
  local tail = 0
  local q = 1.5 / 2.5
  tail = q ^ #g
  check(tail < 1e-6 and q ^ (#g - 1) >= 1e-6, "geometric cut at the first lag with tail < 1e-6")
  check(err_of(fc.lags.geometric, { mean = 1000 }) ~= nil, "geometric too long for 600 lags")
  local e = err_of(fc.lags.weibull, { shape = 1.5, scal = 2 })
  check(e and e:find("lags.weibull: unknown field 'scal' (did you mean 'scale'?)", 1, true), "weibull unknown field: " .. tostring(e))
end

----------------------------------------------------------------------------
-- Two scenarios in one file; with{} and set().
do
  local list = fc.load("tests/good/compare.lua")
  eq(#list, 2, "a file returning a list")
  local base, alt = list[1], list[2]
  eq(fc.normalize(alt).name, "more search", "with: name replaced")
  eq(fc.normalize(alt).channels[2].spend[1], 25000, "with: spend replaced")
  eq(fc.normalize(alt).channels[2].cost.kind, "lognormal", "with: other fields kept")
  eq(fc.normalize(base).channels[2].spend[1], 20000, "with: the original is unchanged")
  -- funnel merges by index
  local b = base:with{ funnel = { [2] = { rate = 0.05 } } }
  eq(fc.normalize(b).stages[2].rate.value, 0.05, "with: funnel[2].rate replaced")
  eq(fc.normalize(b).stages[2].name, "lead", "with: funnel[2] name kept")
  eq(fc.normalize(b).stages[3].rate.kind, "beta", "with: funnel[3] kept")
  -- set: numbers, aliases, constructors
  eq(fc.normalize(base:set("channels.search.spend", "25000")).channels[2].spend[3], 25000, "set spend")
  eq(fc.normalize(base:set("funnel.lead.rate", "0.04")).stages[2].rate.value, 0.04, "set by stage name")
  eq(fc.normalize(base:set("funnel[3].rate", "beta(20, 80)")).stages[3].rate.a, 20, "set a distribution")
  eq(fc.normalize(base:set("track_channels", "true")).track_channels, true, "set a boolean")
  eq(fc.normalize(base:set("unit", "week")).unit, "week", "set a string")
  eq(fc.normalize(base:set("periods", "24")).channels[1].spend[24], 15000, "set periods re-expands spend")
  local function set_err(k, v) return err_of(function() return base:set(k, v) end) end
  eq(set_err("channels.serch.spend", "1"),
    "--set channels.serch.spend=1: unknown channel 'serch' (did you mean 'search'?)", "set: unknown channel")
  eq(set_err("funnel.leed.rate", "0.1"),
    "--set funnel.leed.rate=0.1: unknown stage 'leed' (did you mean 'lead'?)", "set: unknown stage")
  eq(set_err("channels.search.cpcc", "1"),
    "--set channels.search.cpcc=1: channels.search: unknown field 'cpcc' (did you mean 'cpc'?)", "set: unknown field")
  eq(set_err("perods", "24"),
    "--set perods=24: scenario: unknown field 'perods' (did you mean 'periods'?)", "set: unknown top field")
  eq(set_err("funnel[3].rate", "1.4"),
    "--set funnel[3].rate=1.4: funnel[3].rate: expected a probability in [0, 1], got 1.4 (did you mean 0.014? a rate is a share, not a percentage)", "set: bad value")
  eq(set_err("funnel[7].rate", "0.1"),
    "--set funnel[7].rate=0.1: expected funnel[1] to funnel[3], got funnel[7]", "set: index out of range")
  eq(set_err("channels..spend", "1"),
    "--set channels..spend=1: expected a field path such as channels.search.spend or funnel[3].rate", "set: bad path")
  -- errors in a with{} written in a script point into the with{} table
  local e = err_of(function()
    local changed = base:with{ channels = { events = { cpc = -1 } } }
    return changed
  end)
  local line
  do -- the line of the with{} above, found in this file's own text
    local f = assert(io.open("tests/scenario_api.lua"))
    local i = 0
    for l in f:lines() do
      i = i + 1
      if not line and l:find("local changed = base:with{ channels", 1, true) then line = i end
    end
    f:close()
  end
  eq(e, "tests/scenario_api.lua:" .. line .. ": channels.events.cpc: expected a number > 0, got -1",
    "with: error at the with{} line")
  -- a tail call (return base:with{...}) outside fc.load leaves no frame of
  -- its own: the error names the line of the nearest caller still known
  local e2 = err_of(function() return base:with{ channels = { events = { cpc = -1 } } } end)
  check(e2 and e2:match("^tests/scenario_api%.lua:%d+: channels%.events%.cpc: expected a number > 0, got %-1$"),
    "with, tail call: " .. tostring(e2))
end

----------------------------------------------------------------------------
-- Constructors used from a script (not a file): positions still name the caller.
do
  local e = err_of(fc.scenario, "q3")
  check(e and e:find(": scenario: expected a table", 1, true), "scenario(non-table): " .. tostring(e))
  local e2 = err_of(fc.normal, { mean = 0.3, sd = 0.1, clip = "yes" })
  check(e2 and e2:find("normal: clip: expected true or false", 1, true), "clip must be boolean: " .. tostring(e2))
  eq(fc.normal{ mean = 0.3, sd = 0.1, clip = true }.clip, true, "normal{clip = true} stores clip")
  eq(fc.normal(0.3, 0.1).clip, nil, "positional normal has no clip")
end

----------------------------------------------------------------------------
-- The module's sandbox: no string.dump in a loaded scenario, and the host's
-- own string library is whole again afterwards.
do
  local ok, e = pcall(fc.load, "tests/module/dump.lua")
  check(ok, "tests/module/dump.lua: " .. tostring(e))
  check(type(("").dump) == "function" and string.dump == ("").dump, "the host's string.dump after fc.load")
  check(select(2, pcall(fc.load, "tests/bad/rate_above_one.lua")) and ("").dump ~= nil,
    "the host's string.dump after a failed fc.load")
end

----------------------------------------------------------------------------
-- Broken scenarios: each fails with the message of its first line.
do
  local p = io.popen("ls tests/bad/*.lua")
  local n = 0
  for path in p:lines() do
    local f = assert(io.open(path))
    local want = f:read("l"):match("^%-%- expect: (.*)$")
    f:close()
    check(want ~= nil, path .. ": first line must be '-- expect: <message>'")
    local got = err_of(fc.load, path)
    eq(got, want, path)
    n = n + 1
  end
  p:close()
  check(n >= 30, "at least 30 broken scenarios, got " .. n)
end

----------------------------------------------------------------------------
-- run(compare{...}) in the module: paired, { scenarios, differences }.
do
  local b = fc.scenario{ name = "b", periods = 3, trials = 3000,
    channels = { s = { spend = 100, cpc = fc.lognormal{ median = 1, sigma = 0.2 } } },
    funnel = { { "visitor" }, { "customer", rate = 0.1 } },
    goals = { fc.goal{ name = "g", metric = "new_customers", at_least = 30 } } }
  local c = fc.run(fc.compare{ b, b:with{ name = "copy" }, fc.scale(b, { by = 1.2 }):with{ name = "more" } })
  eq(#c.scenarios, 3, "run(compare): scenarios")
  eq(#c.differences, 2, "run(compare): differences")
  eq(c.differences[1].against, "b", "run(compare): against")
  local copy, more = c.differences[1], c.differences[2]
  eq(copy.metrics[1].name, "new_customers", "run(compare): metric order")
  eq(copy.metrics[1].ties, 1, "run(compare): an exact copy ties")
  eq(copy.goals[1].difference, 0, "run(compare): an exact copy's goal")
  check(more.metrics[1].stat.mean > 0 and more.metrics[1].better > 0.5, "run(compare): more spend, more customers")
  eq(more.goals[1].difference, c.scenarios[3].goals[1].probability - c.scenarios[1].goals[1].probability,
    "run(compare): goal difference")
  local alone = fc.run(b)
  eq(alone.metrics[1].stat.mean, c.scenarios[1].metrics[1].stat.mean, "run(compare): the base as alone")
  check(err_of(fc.run, { b, b }):find("different names", 1, true), "run of a list: unique names")
end

T.finish("scenario_api")
