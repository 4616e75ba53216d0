-- whatif: the budget what-ifs of DESIGN.md's "Lua scenario file":
-- reallocate(s, {...}) moves budget from one channel to another, keeping
-- every period's total spend bitwise the same; scale(s, {...}) multiplies
-- budgets. Each returns a new validated scenario, as s:with{} does, whose
-- changed spends point at the helper's call in messages.
local core = ...
local util = core._script("util")
local scenario = core._script("scenario")
local object = core._script("object")

local M = {}

local show = scenario.show

local is_plain, finite = util.is_plain, util.finite

local function options(fail, opts, known, usage) return util.options(fail, opts, known, usage, show) end

-- The index of channel `name` (the value of option field) in the
-- normalized channels, or an error suggesting the closest name.
local function channel_index(fail, field, name, norm)
  local names = {}
  for i, ch in ipairs(norm.channels) do
    if ch.name == name then return i end
    names[i] = ch.name
  end
  local list = " (channels: " .. table.concat(names, ", ") .. ")"
  if type(name) ~= "string" then fail("%s: expected a channel name%s, got %s", field, list, show(name)) end
  local hint = util.suggest(name, names)
  fail("%s: unknown channel '%s'%s", field, name, hint ~= "" and hint or list)
end

-- periods = { first, last }: the inclusive window of periods to change
-- (default: the whole horizon).
local function window(fail, w, periods)
  if w == nil then return 1, periods end
  local ok = is_plain(w) and #w == 2 and #object.sorted_keys(w) == 2
    and math.tointeger(w[1]) and math.tointeger(w[2])
  local first, last = ok and math.tointeger(w[1]), ok and math.tointeger(w[2])
  if not ok or first < 1 or first > last or last > periods then
    fail("periods: expected a window { first, last } of periods with 1 <= first <= last <= %d, got %s",
      periods, show(w))
  end
  return first, last
end

-- The spend of every channel, period by period (lists of floats, in the
-- normalized channel order: the order in which the engine adds them).
local function spend_lists(norm)
  local out = {}
  for c, ch in ipairs(norm.channels) do
    out[c] = {}
    for t, x in ipairs(ch.spend) do out[c][t] = x + 0.0 end
  end
  return out
end

-- What to write as channel c's new spend: a number when the spec had one
-- and every period is still alike, else a list; nil when the spec had none
-- and nothing is spent. Whole amounts are written as integers (the same
-- doubles for the engine; plainer in messages).
local function spend_value(spec_spend, values)
  local alike = true
  for t = 2, #values do alike = alike and values[t] == values[1] end
  if alike and spec_spend == nil and values[1] == 0 then return nil end
  if alike and type(spec_spend) == "number" then return math.tointeger(values[1]) or values[1] end
  local list = {}
  for t, x in ipairs(values) do list[t] = math.tointeger(x) or x end
  return list
end

-- The over table of a with{} that gives the channels of `changed` (a set
-- of indices) their new spend lists.
local function spend_over(s, norm, spends, changed)
  local chans = {}
  for c in pairs(changed) do
    local name = norm.channels[c].name
    local v = spend_value(s.spec.channels[name].spend, spends[c])
    if v ~= nil then chans[name] = { spend = v } end
  end
  return { channels = chans }
end

----------------------------------------------------------------------------
-- Exact moves. The engine adds a period's spends in channel order
-- (spend_t = 0, then spend_t += spend[c][t], core/engine.c), and that sum
-- must stay bitwise the same. Moving x from channel `from` (spending a) to
-- channel `to` (spending b) writes a - x and b + x as floating point
-- computes them; with whole amounts (and, generally, spends on a grid no
-- finer than the ulp of the period's total) that keeps the sum exactly.
-- When rounding would change it, `from` still spends a - x and `to` gets,
-- instead of b + x, the nearest number that restores the sum: it differs
-- from b + x by about an ulp of the period's total (1e-8 on 100 million),
-- the rounding the engine's own sum makes. The sum is monotone in any one
-- spend and moves by at most one ulp of its result per ulp of that spend,
-- so such a number is found by bisection, unless a tie in that sum's
-- rounding pins its last bit; then `from` takes the adjustment instead, and
-- failing that the amount moved changes by a few ulps of the total (so a
-- share of 1 may leave such a crumb behind). Only when all fail is the move
-- an error.

local function period_total(spends, t, i, ai, j, bj)
  local sum = 0.0
  for c = 1, #spends do
    local v = spends[c][t]
    if c == i then v = ai elseif c == j then v = bj end
    sum = sum + v
  end
  return sum
end

-- The number v >= 0 nearest v0 with f(v) == want, for f nondecreasing, or nil.
local MAX_STEPS = 2200

local function solve(f, v0, want)
  local got = f(v0)
  if got == want then return v0 end
  local up = got < want
  local d = math.abs(want - got)
  local lo, hi = v0, v0
  for _ = 1, MAX_STEPS do -- a bracket: f(lo) < want <= f(hi), or f(lo) <= want < f(hi)
    if up then hi = v0 + d else lo = math.max(v0 - d, 0.0) end
    if up and f(hi) >= want or not up and (f(lo) <= want) then break end
    if not up and lo == 0 then return nil end
    d = d * 2
  end
  for _ = 1, MAX_STEPS do
    local mid = lo + (hi - lo) * 0.5
    if mid == lo or mid == hi then break end
    local below = up and f(mid) < want or not up and f(mid) <= want
    if below then lo = mid else hi = mid end
  end
  local v = up and hi or lo
  if f(v) == want then return v end
  return nil
end

-- The new spends of channels i (from, spending a) and j (to, spending b) in
-- period t when x is moved, the period's total kept; or nil.
local function move_exactly(spends, t, i, j, x)
  local want = period_total(spends, t)
  local a, b = spends[i][t], spends[j][t]
  local ai, bj = a - x, b + x
  local v = solve(function(y) return period_total(spends, t, i, ai, j, y) end, bj, want)
  if v then return ai, v end
  v = solve(function(y) return period_total(spends, t, i, y, j, bj) end, ai, want)
  if v then return v, bj end
  return nil
end

-- As move_exactly, for x0, else for amounts up to a few ulps of the total
-- away (in steps of a quarter ulp or so, to reach another last bit).
local NUDGES = 32

local function exact_move(spends, t, i, j, x0)
  local u = period_total(spends, t) * 2.0 ^ -54
  for k = 0, NUDGES do
    local x = x0 + (k % 2 == 1 and -1 or 1) * ((k + 1) // 2) * u
    if x > 0 and x <= spends[i][t] then
      local ai, bj = move_exactly(spends, t, i, j, x)
      if ai then return ai, bj end
    end
  end
  return nil
end

----------------------------------------------------------------------------
-- The helpers.

-- A fail(fmt, ...) that raises "file:line: fname: ..." at the script's call.
local function failer(origin, fname)
  local where = origin:fallback()
  return function(fmt, ...)
    error(string.format("%s: %s: %s", where, fname, string.format(fmt, ...)), 0)
  end
end

local REALLOCATE = { "from", "to", "share", "amount", "periods" }
local REALLOCATE_USAGE = "{ from = , to = , share = | amount = , periods = { first, last } }"

-- reallocate(s, { from =, to =, share = | amount =, periods = { first, last } }):
-- a copy of s where, in each period of the window, `share` of from's spend
-- (or `amount`) goes to `to` instead, every period's total kept exactly.
function M.reallocate(s, opts, extra)
  local origin = scenario._origin("reallocate")
  local fail = failer(origin, "reallocate")
  if not scenario.is_scenario(s) then
    fail("expected a scenario first, reallocate(s, %s), got %s", REALLOCATE_USAGE, show(s))
  end
  if extra ~= nil then fail("expected a scenario and one table of options, got more arguments") end
  options(fail, opts, REALLOCATE, REALLOCATE_USAGE)
  local norm = scenario.normalize(s)
  local from = channel_index(fail, "from", opts.from, norm)
  local to = channel_index(fail, "to", opts.to, norm)
  if from == to then fail("to: expected a channel other than from, got %s twice", show(opts.from)) end
  local share, amount = opts.share, opts.amount
  if (share == nil) == (amount == nil) then
    fail("expected one of share = (a part of from's spend) or amount = (per period), got %s",
      share == nil and "neither" or "both")
  end
  if share ~= nil and not (finite(share) and share >= 0 and share <= 1) then
    fail("share: expected a number in [0, 1], got %s", show(share))
  end
  if amount ~= nil and not (finite(amount) and amount >= 0) then
    fail("amount: expected a number >= 0 (per period), got %s", show(amount))
  end
  local first, last = window(fail, opts.periods, norm.periods)
  local spends = spend_lists(norm)
  local fname, tname = norm.channels[from].name, norm.channels[to].name
  for t = first, last do
    local a = spends[from][t]
    local x0 = share and share * a or amount + 0.0
    if x0 > a then
      fail("amount: cannot move %s from %s to %s in period %d: %s spends %s there",
        show(amount), fname, tname, t, fname, show(a))
    end
    if x0 > 0 then
      local ai, bj = exact_move(spends, t, from, to, x0)
      if not ai then
        fail("cannot move %s from %s to %s in period %d without changing the period's total spend "
          .. "(floating-point rounding); move a slightly different share or amount", show(x0), fname, tname, t)
      end
      spends[from][t], spends[to][t] = ai, bj
    end
  end
  return scenario._derive(s, spend_over(s, norm, spends, { [from] = true, [to] = true }), origin)
end

local SCALE = { "channel", "by", "periods" }
local SCALE_USAGE = "{ channel = , by = , periods = { first, last } }"

-- scale(s, { channel =, by =, periods = { first, last } }): a copy of s where
-- the spend of channel (of every channel without one) is multiplied by `by`
-- in each period of the window.
function M.scale(s, opts, extra)
  local origin = scenario._origin("scale")
  local fail = failer(origin, "scale")
  if not scenario.is_scenario(s) then fail("expected a scenario first, scale(s, %s), got %s", SCALE_USAGE, show(s)) end
  if extra ~= nil then fail("expected a scenario and one table of options, got more arguments") end
  options(fail, opts, SCALE, SCALE_USAGE)
  local norm = scenario.normalize(s)
  local by = opts.by
  if not (finite(by) and by >= 0) then fail("by: expected a finite number >= 0, got %s", show(by)) end
  local only = opts.channel ~= nil and channel_index(fail, "channel", opts.channel, norm) or nil
  local first, last = window(fail, opts.periods, norm.periods)
  local spends, changed = spend_lists(norm), {}
  for c, ch in ipairs(norm.channels) do
    if (only == nil or only == c) and s.spec.channels[ch.name].spend ~= nil then
      for t = first, last do spends[c][t] = spends[c][t] * by end
      changed[c] = true
    end
  end
  return scenario._derive(s, spend_over(s, norm, spends, changed), origin)
end

return M
