-- funnelcast: the Lua side of the simulator. This is the table that
-- require "funnelcast" returns and that scenario files see as their
-- environment: distribution constructors, sampling, and (with the simulator)
-- scenario, goal and the what-if helpers.
local core = ...
local M = { version = core.version }
local dist = core._script("dist")

for name, f in pairs(dist.constructors) do M[name] = f end

-- sample(dist, count, seed): count draws on the stream of seed; the same
-- array for the same seed. The C side reads a plain copy of the law.
M.sample = function(d, ...)
  return core.sample(dist.plain(d) or d, ...)
end
M.pcg32 = core.pcg32

-- The scenario-file API (scripts/scenario.lua): constructors, validation,
-- what-if copies (s:with, s:set), and normalize(s), the plain table the model
-- compiler reads.
local scenario = core._script("scenario")
M.scenario, M.goal, M.hill, M.sbg, M.lags = scenario.scenario, scenario.goal, scenario.hill,
  scenario.sbg, scenario.lags
M.normalize, M.is_scenario = scenario.normalize, scenario.is_scenario

-- The what-if helpers: reallocate(s, {...}) and scale(s, {...})
-- (scripts/whatif.lua), and compare{ base, alt, ... }, the comparison a
-- file may return as it returns a list of scenarios.
local whatif = core._script("whatif")
M.reallocate, M.scale = whatif.reallocate, whatif.scale
M.compare, M.is_comparison = scenario.compare, scenario.is_comparison
-- check_names(list [, where]): the unique-names rule of a comparison, for a
-- plain list of scenarios (see scripts/scenario.lua).
M.check_names = scenario.check_names

-- returned(chunkname, ...): the list of scenarios a file's chunk returned
-- (one, several, a list or a comparison), or an error "file:line: expected the file to
-- return a scenario ..." at the line that most likely lacks a `return`.
M.returned = scenario.returned

-- load(path [, { unsafe =, seed =, text = }]): runs a scenario file (chunk
-- name "@path"; with text, that text under the name path, without includes)
-- in the sandbox of scripts/sandbox.lua and returns the list of scenarios it
-- returned; errors are "path:line: ..." messages.
function M.load(path, opts)
  local r = core._script("sandbox").load(M, path, opts)
  return M.returned("@" .. path, table.unpack(r, 1, r.n))
end

-- run(scenario [, { trials =, seed =, threads =, actuals = PATH }]): runs the
-- scenario and returns its results table (see core/lua_results.h); with
-- actuals, the re-forecast from a file of the months done so far, as run
-- --actuals (README.md, "Tracking the year"): results.actuals says how the
-- plan stands. run(compare{ base,
-- alt, ... }) (or a list of scenarios) runs them paired, on the base's
-- trials and seed, and returns { scenarios = { results, ... }, differences
-- = { one per scenario after the first }, engine_seconds }.
-- The options of run and evaluate: a misspelt one is an error, not ignored.
local util = core._script("util")
local RUN_OPTIONS = { "trials", "seed", "threads", "precision", "max_memory" }
local function run_options(what, opts, ...)
  local known = { table.unpack(RUN_OPTIONS) }
  for _, extra in ipairs({ ... }) do known[#known + 1] = extra end
  -- level 5: the caller of run (fail, util.options, run_options, run; not tail calls)
  local checked = util.options(function(fmt, ...) error(what .. ": options: " .. string.format(fmt, ...), 5) end,
    opts, known)
  return checked
end

M.run = function(s, opts)
  run_options("run", opts, "actuals")
  local assumptions = core._script("assumptions")
  if opts and opts.actuals ~= nil then
    if not M.is_scenario(s) then error("run: actuals: expected one scenario, got " .. type(s), 2) end
    local run_opts = {}
    for _, k in ipairs(RUN_OPTIONS) do run_opts[k] = opts[k] end
    return (core._script("actuals").run(s, opts.actuals, run_opts, M))
  end
  if M.is_scenario(s) then
    local norm = M.normalize(s)
    return assumptions.attach({ core.run(norm, opts) }, { norm })[1]
  end
  if not (M.is_comparison(s) or (type(s) == "table" and getmetatable(s) == nil and #s > 0)) then
    error("run: expected a scenario, compare{ base, alt, ... } or a list of scenarios, got " .. type(s), 2)
  end
  local norms, list = {}, {}
  for i, x in ipairs(s) do
    if not M.is_scenario(x) then error(string.format("run: expected a scenario at position %d, got %s", i, type(x)), 2) end
    list[i], norms[i] = x, M.normalize(x)
  end
  M.check_names(list, "run")
  local c = core.compare(norms, opts)
  assumptions.attach(c.scenarios, norms)
  return c
end

-- report(results [, format [, { lang =, locale =, currency =, columns = }]]): the
-- report of what run returned, as the command writes it: format "text" (the
-- default), "json", "csv" (one long table) or "html"; a comparison's ({
-- scenarios, differences }) as a comparison.
M.report = function(results, format, opts)
  local report = core._script("report")
  format = format or "text"
  if type(results) ~= "table" then error("report: expected the results of fc.run, got " .. type(results), 2) end
  local data = results.scenarios and { results = results.scenarios, differences = results.differences }
    or { results = { results } }
  local ok, ctx = pcall(report.context, opts)
  if not ok then error("report: " .. tostring(ctx), 2) end
  local out, why = report.write(format, data.differences and "comparison" or "run", data, ctx)
  if not out then error("report: " .. why, 2) end
  return out
end

-- evaluate({ scenario, ... } [, { trials, seed, threads, metrics = { name, ... },
-- objective = goal name }]): lean runs of candidates (a search's): all on the
-- first's trials and seed (common random numbers), each summarizing only its
-- goals' probabilities (the objective's goal alone when one is named) and the
-- totals named, and computing of each trial only what those need (the same
-- values as a full run's). With an objective and no metrics, a goal on a
-- stage's arrivals, on new_customers, or on the CAC when no stage has a cost,
-- in a funnel of Poisson flows, is drawn objective-only: as one Poisson per
-- trial, the law of a full run's figure, not its draws (objective_only is
-- then true). Returns one table per scenario:
-- { trials, objective_only, goals = { { name, probability, met, value }, ... },
--   metrics = { [name] = stat } }.
M.evaluate = function(list, opts)
  run_options("evaluate", opts, "metrics", "objective")
  local norms = {}
  for i, x in ipairs(list) do
    if not M.is_scenario(x) then error(string.format("evaluate: expected a scenario at position %d, got %s", i, type(x)), 2) end
    norms[i] = M.normalize(x)
  end
  return core.evaluate(norms, opts)
end

-- plan{ scenario, goal = NAME, confidence =, vary = "budget" | PATH, channels = {...},
-- between = { lo, hi }, trials =, seed =, threads = } (scripts/plan.lua) and
-- optimize{ scenario, budget =, objective =, channels = {...}, min = {...},
-- max = {...}, ... } (scripts/optimize.lua): the decisions, each a table
-- with the content of its JSON report ({ plan = ..., result = ... }).
local function decision(name)
  return function(t, extra)
    if type(t) ~= "table" or getmetatable(t) ~= nil or extra ~= nil then
      error(string.format("%s: expected one table, %s{ scenario, ... }, got %s", name, name, type(t)), 2)
    end
    local opts = {}
    for k, v in pairs(t) do if k ~= 1 then opts[k] = v end end
    return core._script(name)[name](M, t[1], opts)
  end
end
M.plan, M.optimize = decision("plan"), decision("optimize")

-- read_history(path [, { lags = { stage = periods } }]): a history file (README.md, "History files") read by
-- the strict reader: { file, kind, labels, stages, channels, total = { row
-- per period }, by_channel = { [name] = { row per period } } }, a row {
-- spend =, <stage> =, churned =, ... } (nil where the file is empty). A
-- stage with a lag may count more in a row than the stage before it.
-- calibrate(path [, opts]): the with{} table of a scenario's calibrate(),
-- from a file at any path (the caller is trusted, as the command line is).
-- backtest(s, { history =, train =, test =, trials =, seed =, threads = }):
-- the backtest command's result ({ backtest = ..., assumptions, ... }).
M.read_history = function(path, opts)
  if type(path) ~= "string" then error("read_history: expected a file path, got " .. type(path), 2) end
  local checked = util.options(function(fmt, ...) error("read_history: options: " .. string.format(fmt, ...), 3) end,
    opts, { "lags" })
  -- level 4: the caller of read_history (fail, read_lags, read_history)
  local _, skip = core._script("calibrate").read_lags(checked and checked.lags, function(fmt, ...)
    error("read_history: " .. string.format(fmt, ...), 4)
  end)
  return core._script("history").read(path, { skip_order = skip })
end
M.calibrate = function(path, opts)
  if type(path) ~= "string" then error("calibrate: expected a history file's path, got " .. type(path), 2) end
  local text, why = core._read_file(path, true, core._script("history").MAX_BYTES)
  if not text then error(string.format("calibrate: cannot read %s (%s)", path, why), 2) end
  return core._script("calibrate").calibrate(text, path, opts)
end
M.backtest = function(s, opts)
  run_options("backtest", opts, "history", "train", "test")
  if not M.is_scenario(s) then error("backtest: expected a scenario, got " .. type(s), 2) end
  local run_opts = {}
  for _, k in ipairs(RUN_OPTIONS) do run_opts[k] = opts[k] end
  return core._script("backtest").run(M, s, opts, run_opts)
end

-- The formats for the command's --help, a line each (core/cli.c).
M._formats_help = function() return core._script("report").formats_help() end
M._languages = function() return table.concat(core._script("locale").languages(), ", ") end

-- The command line's entry point (core/cli.c).
M._main = function(fc, opts) return core._script("main").main(fc, opts) end

return M
