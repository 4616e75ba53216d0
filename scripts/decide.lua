-- decide: what the searches (plan: scripts/plan.lua, optimize:
-- scripts/optimize.lua) share: reading their options, the goal they
-- serve, and the lean runs of their candidates (core.evaluate), all on the
-- same trials and seed (common random numbers), in sets of at most
-- MAX_SET, counted.
local core = ...
local util = core._script("util")
local scenario = core._script("scenario")
local show = scenario.show

local M = {}

-- Prose: a sentence of a decision's result ("method", a "reason") kept as a
-- catalogue key and its arguments, { key, arg, ... }, so that each report
-- says it in its language; an argument { num = "0.8" } is a number (written
-- in the language's signs), { key, ... } a piece of prose, any other a word
-- as it is. The JSON and CSV
-- hold the English.
function M.prose(key, ...) return { key, ... } end
function M.number(x, spec) return { num = spec and string.format(spec, x) or show(x) } end

-- The text of prose p in the words of locale L (English when L is nil); nil
-- when p is.
local english
function M.words(L, p)
  if not p then return nil end
  if not L then
    english = english or core._script("locale").new("en")
    L = english
  end
  local args = {}
  for i = 2, #p do
    local a = p[i]
    -- a number, a sentence of its own (prose), or a word
    args[i - 1] = type(a) ~= "table" and a or a.num and L.localize(a.num) or M.words(L, a)
  end
  return L.t(p[1], table.unpack(args, 1, #p - 1))
end

-- The most candidates one paired set runs (FC_MAX_COMPARED).
M.MAX_SET = 16

-- fail(fmt, ...) for a search's messages: "plan: ...".
function M.failer(what)
  return function(fmt, ...) error(what .. ": " .. string.format(fmt, ...), 0) end
end

-- The start of a search `what` (plan, optimize) on scenario s: its fail
-- function, its checked options (known fields; run options as run takes
-- them) and s normalized. usage shows how it is called.
function M.start(fc, what, s, opts, known, usage)
  local fail = M.failer(what)
  if not scenario.is_scenario(s) then fail("expected a scenario first, %s, got %s", usage, show(s)) end
  opts = M.options(fail, opts, known)
  M.run_options(fail, opts)
  return fail, opts, fc.normalize(s)
end

-- Checks that opts (nil or a plain table) has only known fields.
function M.options(fail, opts, known) return util.options(fail, opts, known, nil, show) end

-- Goal `name` of the normalized scenario (the first without a name) and
-- its index; a message naming the goals otherwise.
function M.goal(fail, norm, name)
  local names = {}
  for i, g in ipairs(norm.goals or {}) do
    names[i] = g.name
    if name == nil or g.name == name then return g, i end
  end
  if #names == 0 then fail("the scenario has no goal: add goals = { goal{ ... } } to it") end
  fail("goal: unknown goal %s%s (goals: %s)", show(name), util.suggest(tostring(name), names),
    table.concat(names, "; "))
end

-- The channels a search may change: opts' list (names checked) or all that
-- buy arrivals (a cost per arrival or a response: spend on an organic-only
-- channel buys nothing), in the normalized order.
function M.channels(fail, norm, list)
  local all, known, paid = {}, {}, {}
  for i, ch in ipairs(norm.channels) do
    all[i] = ch.name
    known[ch.name] = true
    if ch.response ~= "none" then paid[#paid + 1] = ch.name end
  end
  if #paid == 0 then fail("the scenario has no channel that buys arrivals (a cpc, a cpl or a response)") end
  if list == nil then return paid end
  if not util.is_plain(list) or #list == 0 then fail("channels: expected a list of channel names, got %s", show(list)) end
  local out, seen = {}, {}
  for i, name in ipairs(list) do
    if not known[name] then
      fail("channels[%d]: unknown channel %s%s (channels: %s)", i, show(name), util.suggest(tostring(name), all),
        table.concat(all, ", "))
    end
    if seen[name] then fail("channels[%d]: %s is listed twice", i, show(name)) end
    seen[name] = true
    out[#out + 1] = name
  end
  return out
end

-- Checks the run options a search passes on: trials in [1, 1e12], threads
-- in [0, 256], seed a whole number (nil: the scenario's).
function M.run_options(fail, opts)
  local function whole(v) return math.type(v) == "integer" or (type(v) == "number" and v == math.floor(v)) end
  for _, o in ipairs({ { "trials", 1, 1e12 }, { "threads", 0, 256 } }) do
    local v = opts[o[1]]
    if v ~= nil and not (whole(v) and v >= o[2] and v <= o[3]) then
      fail("%s: expected a whole number in [%s, %s], got %s", o[1], show(o[2]), show(o[3]), show(v))
    end
  end
  if opts.seed ~= nil and math.type(opts.seed) ~= "integer" then
    fail("seed: expected a whole number, got %s", show(opts.seed))
  end
end

-- The runner of a search: run(list) runs the candidate scenarios lean (their
-- goals and the totals named by metrics) on the options' trials and seed
-- (else the first scenario's), and returns their lean results in order;
-- runner.runs counts the candidates run. Candidates run together, at most
-- MAX_SET at a time, fewer when so many do not fit the memory limit (a lean
-- candidate's figures do not depend on what runs beside it). With objective
-- (a goal's name), each result holds that goal alone, drawn objective-only
-- where the goal allows it (fc.evaluate: res.objective_only).
function M.runner(fc, opts, metrics, objective)
  local r = { runs = 0, set = M.MAX_SET }
  local function batch_of(list, i, n)
    local b = {}
    for j = i, math.min(i + n - 1, #list) do b[#b + 1] = list[j] end
    return b
  end
  function r.run(list)
    local out, i = {}, 1
    while i <= #list do
      local batch = batch_of(list, i, r.set)
      local ok, res = pcall(fc.evaluate, batch, { trials = opts.trials, seed = opts.seed, threads = opts.threads,
        metrics = metrics, objective = objective })
      if ok then
        for _, x in ipairs(res) do out[#out + 1] = x end
        i = i + #batch
      elseif #batch > 1 and tostring(res):find("more than the limit of", 1, true) then
        r.set = (#batch + 1) // 2
      else
        error(res, 0)
      end
    end
    r.runs = r.runs + #list
    return out
  end
  return r
end

-- The total spend of a normalized scenario over its horizon, and per channel.
function M.spend(norm)
  local total, by = 0, {}
  for _, ch in ipairs(norm.channels) do
    local s = 0
    for _, x in ipairs(ch.spend) do s = s + x end
    by[ch.name] = s
    total = total + s
  end
  return total, by
end

return M
