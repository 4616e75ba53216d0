-- whatif: the what-if helpers (scripts/whatif.lua, compare in
-- scripts/scenario.lua) from a stock lua5.4 with the built module:
-- reallocate keeps every period's total spend bitwise (in the engine's
-- order of summation), windows leave the other periods alone, share and
-- amount, scale, the with{}/set rules on per-channel rates and channel
-- names, and compare{}. Run from the repository root:
--   lua5.4 tests/whatif/whatif.lua [BUILD]
local build = arg[1] or os.getenv("BUILD") or "build"
package.cpath = build .. "/?.so;" .. package.cpath
local fc = require "funnelcast"

local T = dofile("tests/support/checks.lua")
local check, eq, err_of = T.check, T.eq, T.err_of

-- The error of f must end with want (the place in front is checked by the
-- tests/bad/ cases).
local function fails_with(f, want, what)
  local e = err_of(f)
  check(e ~= nil and e:sub(-#want) == want, string.format("%s: got %s, want ...%s", what, tostring(e), want))
end

-- The bits of a double, to compare sums bitwise.
local function bits(x) return string.pack("<d", x) end

-- Period t's total spend as the engine adds it: 0, then each channel in
-- the normalized order.
local function total(norm, t)
  local s = 0.0
  for _, ch in ipairs(norm.channels) do s = s + ch.spend[t] end
  return s
end

local function channel(norm, name)
  for _, ch in ipairs(norm.channels) do
    if ch.name == name then return ch end
  end
end

-- Every period's total of a and b is bitwise the same.
local function same_totals(a, b, what)
  local na, nb = fc.normalize(a), fc.normalize(b)
  local ok = true
  for t = 1, na.periods do ok = ok and bits(total(na, t)) == bits(total(nb, t)) end
  check(ok, what .. ": every period's total spend is bitwise the same")
end

-- Channel name spends bitwise the same in a and b over periods [p, q].
local function untouched(a, b, name, p, q, what)
  local ca, cb = channel(fc.normalize(a), name), channel(fc.normalize(b), name)
  local ok = true
  for t = p, q do ok = ok and bits(ca.spend[t] + 0.0) == bits(cb.spend[t] + 0.0) end
  check(ok, string.format("%s: %s untouched in periods %d..%d", what, name, p, q))
end

local base = fc.load("tests/whatif/base.lua")[1]
local nbase = fc.normalize(base)

----------------------------------------------------------------------------
-- reallocate by share, over the whole horizon and in a window.
do
  local r = fc.reallocate(base, { from = "social", to = "search", share = 0.37 })
  same_totals(base, r, "share 0.37")
  local n = fc.normalize(r)
  local ok = true
  for t = 1, 12 do
    local a = channel(nbase, "social").spend[t]
    local moved = a - channel(n, "social").spend[t]
    local got = channel(n, "search").spend[t] - channel(nbase, "search").spend[t]
    ok = ok and math.abs(moved - 0.37 * a) <= 1e-9 * a and math.abs(got - moved) <= 1e-9 * a
  end
  check(ok, "share 0.37: 37% of social's spend moved to search in each period")
  untouched(base, r, "events", 1, 12, "share 0.37")
  untouched(base, r, "partners", 1, 12, "share 0.37")
  eq(type(r.spec.channels.search.spend), "userdata", "share 0.37: a scalar spend that varies by period becomes a list")
  eq(#r.spec.channels.social.spend, 12, "share 0.37: a spend list stays a list of 12")

  local w = fc.reallocate(base, { from = "social", to = "search", share = 0.37, periods = { 7, 12 } })
  same_totals(base, w, "window 7..12")
  untouched(base, w, "social", 1, 6, "window 7..12")
  untouched(base, w, "search", 1, 6, "window 7..12")
  local nw = fc.normalize(w)
  check(channel(nw, "social").spend[7] < channel(nbase, "social").spend[7]
    and channel(nw, "search").spend[12] > 20000, "window 7..12: periods 7 and 12 moved")

  local all = fc.reallocate(base, { from = "events", to = "search", share = 1 })
  same_totals(base, all, "share 1")
  eq(all.spec.channels.events.spend, 0, "share 1: events spends nothing, still a number")
  eq(all.spec.channels.search.spend, 35000, "share 1: search spends both budgets, still a number")
  local none = fc.reallocate(base, { from = "events", to = "search", share = 0 })
  eq(none.spec.channels.events.spend, 15000, "share 0 moves nothing")
end

----------------------------------------------------------------------------
-- reallocate by amount; amount and share agree where they mean the same.
do
  local a = fc.reallocate(base, { from = "events", to = "search", amount = 3000 })
  local s = fc.reallocate(base, { from = "events", to = "search", share = 0.2 })
  eq(a.spec.channels.events.spend, 12000, "amount 3000: events keeps 12000 a month, as a number")
  eq(a.spec.channels.search.spend, 23000, "amount 3000: search gets 23000 a month")
  eq(s.spec.channels.events.spend, 12000, "share 0.2 of 15000 is the same move")
  same_totals(base, a, "amount 3000")
  local w = fc.reallocate(base, { from = "events", to = "social", amount = 2500.25, periods = { 2, 5 } })
  same_totals(base, w, "amount in a window")
  untouched(base, w, "events", 1, 1, "amount in a window")
  untouched(base, w, "events", 6, 12, "amount in a window")
  untouched(base, w, "social", 6, 12, "amount in a window")
  local ev = w.spec.channels.events.spend
  check(type(ev) == "userdata" and ev[1] == 15000 and ev[2] == 12499.75 and ev[6] == 15000,
    "amount in a window: events becomes a list, moved only in 2..5")
  -- partners spends 0 outside its event months: an amount is too much there
  fails_with(function() return fc.reallocate(base, { from = "partners", to = "search", amount = 100 }) end,
    "reallocate: amount: cannot move 100 from partners to search in period 1: partners spends 0 there",
    "amount above the spend")
  local p = fc.reallocate(base, { from = "partners", to = "search", amount = 7000, periods = { 3, 3 } })
  eq(p.spec.channels.partners.spend[3], 0, "amount equal to the spend empties the period")
end

----------------------------------------------------------------------------
-- Totals kept exactly for spends of every kind: random plans of 2 to 6
-- channels (whole units, cents, any double over twelve orders of
-- magnitude) and random moves, in both channel orders.
do
  local rng = fc.pcg32(2027, 5)
  local moves, refused = 0, 0
  for iter = 1, 150 do
    local nch = 2 + rng:next() % 5
    local chans = {}
    for c = 1, nch do
      local sp = {}
      for t = 1, 12 do
        local v = rng:uniform() * 10 ^ (rng:next() % 12 - 3)
        if iter % 3 == 1 then v = math.floor(v) elseif iter % 3 == 2 then v = math.floor(v * 100) / 100 end
        sp[t] = v
      end
      chans["c" .. c] = { spend = sp, cpc = 1 }
    end
    local s = fc.scenario{ name = "random", periods = 12, channels = chans, funnel = { { "visitor" } } }
    local i = 1 + rng:next() % nch
    local j = 1 + (i + rng:next() % (nch - 1)) % nch
    local opts = { from = "c" .. i, to = "c" .. j, share = ({ rng:uniform(), 0.2, 0.37, 1, 1 / 3 })[1 + rng:next() % 5] }
    local ok, r = pcall(fc.reallocate, s, opts)
    if ok then
      moves = moves + 1
      same_totals(s, r, string.format("random plan %d", iter))
    else
      refused = refused + 1
      check(tostring(r):find("without changing the period's total spend", 1, true), "random plan: " .. tostring(r))
    end
  end
  check(refused <= 2, string.format("random plans: at most 2 of 150 moves refused, got %d", refused))
end

----------------------------------------------------------------------------
-- reallocate's errors (their file:line is checked by tests/bad/).
do
  local function r(opts) return function() return fc.reallocate(base, opts) end end
  fails_with(r{ from = "event", to = "search", share = 0.2 },
    "reallocate: from: unknown channel 'event' (did you mean 'events'?)", "unknown from")
  fails_with(r{ from = "events", to = "serch", share = 0.2 },
    "reallocate: to: unknown channel 'serch' (did you mean 'search'?)", "unknown to")
  fails_with(r{ from = "events", to = "tv", share = 0.2 },
    "reallocate: to: unknown channel 'tv' (channels: events, partners, search, social)", "unknown to, no close name")
  fails_with(r{ from = "events", to = "events", share = 0.2 },
    "reallocate: to: expected a channel other than from, got \"events\" twice", "from == to")
  fails_with(r{ from = "events", to = "search", share = 1.2 },
    "reallocate: share: expected a number in [0, 1], got 1.2", "share above 1")
  fails_with(r{ from = "events", to = "search", share = -0.1 },
    "reallocate: share: expected a number in [0, 1], got -0.1", "negative share")
  fails_with(r{ from = "events", to = "search", amount = -5 },
    "reallocate: amount: expected a number >= 0 (per period), got -5", "negative amount")
  fails_with(r{ from = "events", to = "search", amount = 0 / 0 },
    "reallocate: amount: expected a number >= 0 (per period), got nan", "nan amount")
  fails_with(r{ from = "events", to = "search" },
    "reallocate: expected one of share = (a part of from's spend) or amount = (per period), got neither", "no share nor amount")
  fails_with(r{ from = "events", to = "search", share = 0.1, amount = 5 },
    "reallocate: expected one of share = (a part of from's spend) or amount = (per period), got both", "share and amount")
  fails_with(r{ from = "events", to = "search", share = 0.1, periods = { 8, 7 } },
    "reallocate: periods: expected a window { first, last } of periods with 1 <= first <= last <= 12, got {8, 7}", "reversed window")
  fails_with(r{ from = "events", to = "search", share = 0.1, periods = { 0, 3 } },
    "reallocate: periods: expected a window { first, last } of periods with 1 <= first <= last <= 12, got {0, 3}", "window from 0")
  fails_with(r{ from = "events", to = "search", share = 0.1, periods = { 3 } },
    "reallocate: periods: expected a window { first, last } of periods with 1 <= first <= last <= 12, got {3}", "window of one number")
  fails_with(r{ from = "events", to = "search", shares = 0.1 },
    "reallocate: unknown field 'shares' (did you mean 'share'?)", "unknown option")
  fails_with(function() return fc.reallocate("base", { from = "events", to = "search", share = 0.1 }) end,
    "reallocate: expected a scenario first, reallocate(s, { from = , to = , share = | amount = , periods = { first, last } }), got \"base\"",
    "not a scenario")
end

----------------------------------------------------------------------------
-- scale.
do
  local s = fc.scale(base, { channel = "search", by = 1.1 })
  eq(s.spec.channels.search.spend, 22000, "scale search by 1.1, still a number")
  untouched(base, s, "social", 1, 12, "scale search")
  local all = fc.scale(base, { by = 0.5 })
  local n, ok = fc.normalize(all), true
  for _, ch in ipairs(nbase.channels) do
    for t = 1, 12 do ok = ok and channel(n, ch.name).spend[t] == ch.spend[t] * 0.5 end
  end
  check(ok, "scale every channel by 0.5")
  eq(#all.spec.channels.social.spend, 12, "scale: a spend list stays a list")
  local w = fc.scale(base, { by = 2, periods = { 10, 12 } })
  untouched(base, w, "events", 1, 9, "scale in a window")
  eq(w.spec.channels.events.spend[10], 30000, "scale in a window: period 10 doubled")
  eq(fc.scale(base, { by = 0 }).spec.channels.search.spend, 0, "scale by 0")
  fails_with(function() return fc.scale(base, { by = -1 }) end, "scale: by: expected a finite number >= 0, got -1", "negative by")
  fails_with(function() return fc.scale(base, { by = math.huge }) end, "scale: by: expected a finite number >= 0, got inf", "infinite by")
  fails_with(function() return fc.scale(base, { channel = "serach", by = 2 }) end,
    "scale: channel: unknown channel 'serach' (did you mean 'search'?)", "scale: unknown channel")
  fails_with(function() return fc.scale(base, { channel = "search" }) end,
    "scale: by: expected a finite number >= 0, got nothing", "scale without by")
end

----------------------------------------------------------------------------
-- with{} and set on a rate per channel, and with{} on an unknown channel.
do
  local msg = "funnel[2].rate: expected funnel.lead.rate.default (the channels without a rate of their own) or "
    .. "funnel.lead.rate.<channel> (events), got 0.04, which would replace the stage's rates per channel"
  eq(err_of(function() return base:set("funnel.lead.rate", "0.04") end), "--set funnel.lead.rate=0.04: " .. msg,
    "set: one rate over a rate per channel")
  fails_with(function() return base:with{ funnel = { [2] = { rate = 0.04 } } } end, msg, "with: one rate over a rate per channel")
  fails_with(function() return base:with{ funnel = { [2] = { rate = fc.beta(3, 97) } } } end,
    "got beta(3, 97), which would replace the stage's rates per channel", "with: a distribution over a rate per channel")
  local d = fc.normalize(base:set("funnel.lead.rate.default", "0.04")).stages[2]
  check(d.rate.value == 0.04 and d.rate_by_channel[1].kind == "beta" and d.rate_by_channel[3].value == 0.04,
    "set rate.default: the default changes, events keeps its own rate")
  local e = fc.normalize(base:set("funnel.lead.rate.events", "0.07")).stages[2]
  check(e.rate_by_channel[1].value == 0.07 and e.rate.kind == "beta", "set rate.<channel> on a rate per channel")
  local m = fc.normalize(base:set("funnel.mql.rate.search", "0.5")).stages[3]
  check(m.rate_by_channel[3].value == 0.5 and m.rate_by_channel[1].kind == "beta" and m.rate_by_channel[1].path == "funnel.mql.rate",
    "set rate.<channel> on a single rate: the old rate becomes the default, same stream")
  local w = fc.normalize(base:with{ funnel = { [3] = { rate = { social = 0.45 } } } }).stages[3]
  check(w.rate_by_channel[4].value == 0.45 and w.rate_by_channel[2].kind == "beta", "with rate = { social = } on a single rate")
  eq(fc.normalize(base:with{ funnel = { [3] = { rate = 0.3 } } }).stages[3].rate.value, 0.3, "with: a single rate still replaces a single rate")

  fails_with(function() return base:with{ channels = { serach = { spend = 25000 } } } end,
    "channels: unknown channel 'serach' (did you mean 'search'?)", "with: channel typo")
  fails_with(function() return base:with{ channels = { serach = { spend = 25000, cpc = 2 } } } end,
    "channels: unknown channel 'serach' (did you mean 'search'?); a new channel needs a name that is not this close to an existing one",
    "with: a whole channel named like an existing one")
  fails_with(function() return base:with{ channels = { tv = { spend = 25000 } } } end,
    "channels: unknown channel 'tv' (channels: events, partners, search, social; a new channel needs a response: cpc, cpl, response or organic)",
    "with: an unknown channel without a response")
  eq(#fc.normalize(base:with{ channels = { podcast = { spend = 3000, cpc = 4 } } }).channels, 5, "with: a new whole channel")
end

----------------------------------------------------------------------------
-- compare{}.
do
  local alt = base:with{ name = "alt" }
  local c = fc.compare{ base, alt }
  check(fc.is_comparison(c) and #c == 2 and c[1] == base and c[2] == alt, "compare: a list of the scenarios")
  eq(tostring(c), 'comparison of 2 scenarios: "whatif-base", "alt"', "compare: tostring")
  local list = fc.returned("=test", c)
  check(#list == 2 and list[2] == alt and not fc.is_comparison(list), "returned: a comparison gives its list")
  local loaded = fc.load("tests/whatif/compare.lua")
  eq(#loaded, 3, "a file returning compare{...}")
  eq(loaded[3].name, "to-social", "a file returning compare{...}: third scenario")
  fails_with(function() return fc.compare{ base, alt, base:with{ seed = 3 } } end,
    'compare: expected scenarios with different names in a comparison, got "whatif-base" at positions 1 and 3 '
      .. "(give each its own name = in scenario{} or with{})", "compare: duplicate names")
  fails_with(function() return fc.compare{ base } end, "compare: expected at least two scenarios to compare, got 1", "compare: one")
  fails_with(function() return fc.compare{ base, { name = "x" } } end, "compare: expected a scenario at position 2, got a table",
    "compare: not a scenario")
  fails_with(function() return fc.compare{ base, alt, other = alt } end,
    "compare: expected a list of scenarios, got a scenario at field 'other'", "compare: a named field")
  fails_with(function() return fc.compare(base, alt) end,
    "compare: expected one list of scenarios, compare{ base, alt, ... }, got more arguments", "compare(a, b)")
  -- the rule for a plain list a file returns
  local two = { base, alt }
  check(fc.check_names(two) == two, "check_names: different names pass")
  local e = err_of(fc.check_names, { base, alt, alt })
  check(e and e:match('^tests/whatif/whatif%.lua:%d+: expected scenarios with different names in a comparison, got "alt" at positions 2 and 3'),
    "check_names without where: at the with{} that named the later one: " .. tostring(e))
  eq(err_of(fc.check_names, { base, base }, "x.lua"),
    'x.lua: expected scenarios with different names in a comparison, got "whatif-base" at positions 1 and 2 '
      .. "(give each its own name = in scenario{} or with{})", "check_names with where")
end

-- paired runs of scenarios over different horizons: each keeps the figures
-- it has alone (a later one used to copy the first's draws with its own
-- stride, and past their end when longer)
do
  local function horizon(periods, name)
    return fc.scenario {
      name = name, periods = periods, trials = 3000, seed = 4,
      channels = { search = { spend = 2000, cpc = fc.lognormal{ median = 2, sigma = 0.3, each = "period" } } },
      funnel = { { "visitor" }, { "lead", rate = fc.beta(30, 970) }, { "customer", rate = fc.beta(20, 80) } },
      goals = { fc.goal{ name = "customers", metric = "new_customers", at_least = 4 * periods } },
    }
  end
  local short, long = horizon(12, "twelve"), horizon(18, "eighteen")
  for _, pair in ipairs({ { short, long }, { long, short } }) do
    local c = fc.run(pair, { trials = 3000 })
    for i, s in ipairs(pair) do
      local alone = fc.run(s, { trials = 3000 })
      eq(c.scenarios[i].goals[1].probability, alone.goals[1].probability,
        string.format("paired %s then %s: %s's goal as alone", pair[1].name, pair[2].name, s.name))
      eq(c.scenarios[i].metrics[1].stat.mean, alone.metrics[1].stat.mean,
        string.format("paired %s then %s: %s's new customers as alone", pair[1].name, pair[2].name, s.name))
    end
  end
end

T.finish("whatif")
