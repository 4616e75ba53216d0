-- report_check: the "check" view of the report registry (scripts/report.lua):
-- the compiled models `funnelcast check` reads (data.models = { { scenario =
-- the normalized scenario, random_assumptions = n }, ... }), as text (what
-- will be simulated, with every assumption and where its randomness comes
-- from, in the language of ctx.L) and as JSON (the normalized scenarios).
local core = ...
local util = core._script("util")
local R = core._script("report")
local M = {}

function M.json(data)
  local objects = data.models
  return R.value(#objects == 1 and objects[1] or { scenarios = objects }) .. "\n"
end

-- An assumption as written: its label, and whether its draws are clipped.
local function law(x, L)
  if x == nil then return "-" end
  return x.label .. (x.clip and " (" .. L.t("check.clipped") .. ")" or "")
end

local function channels(add, n, L)
  add(L.t("check.channels"))
  for _, c in ipairs(n.channels) do
    local lo, hi = math.huge, -math.huge
    for _, x in ipairs(c.spend) do lo, hi = math.min(lo, x), math.max(hi, x) end
    local spend = lo == hi and L.money(lo) or L.t("cmp.to", L.money(lo), L.money(hi))
    local resp = c.response == "cost" and L.t("check.cost_per_arrival", law(c.cost, L))
      or c.response == "hill" and L.t("check.hill", law(c.hill.max, L), law(c.hill.half, L), law(c.hill.shape, L))
      or L.t("check.no_response")
    add(L.t("check.channel", R.pad(c.name, 12, true), spend, L.t("unit." .. n.unit), resp, n.stages[c.enters].name,
      c.adstock and L.t("check.adstock", law(c.adstock, L)) or "",
      c.organic and L.t("check.organic", law(c.organic, L)) or ""))
  end
end

-- A stage's delay: one number of periods, or a spread of them (lags[j] is
-- the chance of j - 1 periods).
local function delay(s, L)
  local mean, first, last = 0, nil, nil
  for j, q in ipairs(s.lags or {}) do
    mean = mean + (j - 1) * q
    if q > 0 then first, last = first or j - 1, j - 1 end
  end
  if first and first == last and last > 0 then
    return L.t(last == 1 and "check.delay_one" or "check.delay", last)
  elseif first and first ~= last then
    return L.t("check.delay_spread", first, last, L.fixed(mean, 2))
  end
  return ""
end

local function funnel(add, n, L)
  add(L.t("check.funnel"))
  for k, s in ipairs(n.stages) do
    local rate = "-"
    if s.rate_by_channel then
      local parts = {}
      for i, r in ipairs(s.rate_by_channel) do parts[i] = n.channels[i].name .. " " .. law(r, L) end
      rate = table.concat(parts, ", ")
    elseif s.rate then
      rate = law(s.rate, L)
    end
    local before = ""
    if s.before then
      local parts = {}
      for i, x in ipairs(s.before) do parts[i] = L.num(x) end
      before = L.t("check.stage_before", table.concat(parts, ", "))
    end
    add(L.t("check.stage", k, R.pad(s.name, 10, true), rate, delay(s, L),
      (s.cost and L.t("check.stage_cost", law(s.cost, L)) or "") .. before))
  end
end

local function describe(n, random, ctx)
  local L = ctx.L
  local lines = {}
  -- each line wrapped to the width, its rest indented under its start
  local function add(s)
    if s == "" then lines[#lines + 1] = s return end
    local lead = s:match("^( *)")
    for _, l in ipairs(R.wrap(s:sub(#lead + 1), ctx.columns - #lead, "    ")) do lines[#lines + 1] = lead .. l end
  end
  add(L.t("check.header", n.name, R.periods_in(L, n.periods, n.unit), R.span_in(L, n, true), L.num(n.trials),
    util.unsigned(n.seed), random))
  add("")
  channels(add, n, L)
  add("")
  funnel(add, n, L)
  local cu = n.customers
  add("")
  add(L.t("check.customers", L.num(cu.initial), L.num(cu.lost),
    cu.sbg and L.t("check.sbg", law(cu.sbg.alpha, L), law(cu.sbg.beta, L)) or law(cu.churn, L),
    law(cu.arpu, L), law(cu.growth, L), law(cu.expansion, L), law(cu.margin, L)))
  if n.winback then add(L.t("check.winback", law(n.winback.rate, L), law(n.winback.cost, L))) end
  if n.correlations and #n.correlations > 0 then
    add("")
    add(L.t("check.correlations"))
    for _, c in ipairs(n.correlations) do add(string.format("  %s ~ %s: %s", c.a, c.b, L.localize(R.num(c.rho)))) end
  end
  if #n.goals > 0 then
    add("")
    add(L.t("run.goals"))
    for _, g in ipairs(n.goals) do
      add(L.t("check.goal", g.name, g.metric, g.op, L.num(g.target), R.window_in(L, n, g, true),
        L.localize(R.num(100 * g.confidence))))
    end
  end
  return table.concat(lines, "\n") .. "\n"
end

function M.text(data, ctx)
  ctx = ctx or R.context()
  local out = {}
  for i, m in ipairs(data.models) do out[i] = describe(m.scenario, m.random_assumptions, ctx) end
  return table.concat(out, "\n")
end

return M
