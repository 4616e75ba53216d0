-- main: what the funnelcast command does once its options are parsed: load a
-- scenario file, apply --set overrides, run, and render the report. The C
-- side (core/cli.c) parses arguments, writes the output and picks the exit
-- status.
local core = ...
local M = {}

-- Globals a scenario file may use besides the constructors.
local SAFE = {
  "assert", "error", "ipairs", "next", "pairs", "pcall", "select", "tonumber",
  "tostring", "type", "xpcall", "rawequal", "rawget", "rawlen", "rawset",
  "setmetatable", "getmetatable", "print",
}
local SAFE_LIBS = { "string", "table", "math", "utf8" }

-- The environment a scenario file runs in: the library's constructors and a
-- safe subset of the base library (no io, os, require or load of bytecode).
function M.environment(fc)
  local env = {}
  for _, name in ipairs(SAFE) do env[name] = _G[name] end
  for _, name in ipairs(SAFE_LIBS) do
    local copy = {}
    for k, v in pairs(_G[name]) do copy[k] = v end
    env[name] = copy
  end
  for k, v in pairs(fc) do
    if type(k) == "string" and k:sub(1, 1) ~= "_" then env[k] = v end
  end
  env._G = env
  return env
end

-- Loads a scenario file: returns a list of scenarios (one, or the several a
-- file returns to compare). A file that cannot be read is named plainly.
function M.load(fc, path)
  local f, err = io.open(path, "rb")
  if not f then
    error(string.format("%s: cannot open the scenario file (%s)", path,
      (err or ""):gsub("^[^:]*: ", "")), 0)
  end
  f:close()
  return fc.load(path)
end

-- The most trials --precision runs when --trials does not say.
local PRECISION_MAX_TRIALS = 100000000

local function timing(r)
  io.stderr:write(string.format("funnelcast: %s: %d trials simulated in %.3f s (%.0f trials/s)\n",
    r.scenario, r.trials, r.engine_seconds, r.trials / r.engine_seconds))
end

local function render(results, format)
  local report = core._script("report")
  if format == "json" then return report.json(results) end
  return report.text(results)
end

-- funnelcast merge FILE...: the report of the whole run the partial
-- summaries make up (read here, checked and merged in C).
local function merge(opts)
  local serial = core._script("serial")
  local parts, text = {}, nil
  for i, path in ipairs(opts.files) do
    local f, err = io.open(path, "rb")
    if not f then
      error(string.format("%s: cannot open the partial summary (%s)", path, (err or ""):gsub("^[^:]*: ", "")), 0)
    end
    local bytes = f:read("a")
    f:close()
    local scenario = core.partial_scenario(bytes, path)
    text = text or scenario
    parts[i] = { path, bytes }
  end
  if not text then error("merge: no partial summaries given", 0) end
  return render({ core.merge(serial.read(text, "partial"), parts) }, opts.format)
end

-- opts: { command = "run" | "check" | "merge", file, files, trials, seed,
-- threads, format, precision, shard = { k, n }, sets = { { key, value }, ... } }.
-- Returns the bytes to write.
function M.main(fc, opts)
  if opts.command == "merge" then return merge(opts) end
  local scenarios = M.load(fc, opts.file)
  for i, s in ipairs(scenarios) do
    for _, kv in ipairs(opts.sets or {}) do s = s:set(kv[1], kv[2]) end
    scenarios[i] = s
  end
  if opts.command == "check" then
    local report = core._script("report")
    local out = {}
    for _, s in ipairs(scenarios) do
      local norm = fc.normalize(s)
      local random = core.compile_check(norm)
      out[#out + 1] = report.describe(norm, random)
    end
    return table.concat(out, "\n")
  end
  local run_opts = { trials = opts.trials, seed = opts.seed, threads = opts.threads,
    precision = opts.precision }
  if opts.precision and not opts.trials then run_opts.trials = PRECISION_MAX_TRIALS end
  if opts.shard then
    if #scenarios > 1 then
      error(string.format("%s: --shard runs one scenario; this file returns %d", opts.file, #scenarios), 0)
    end
    local norm = fc.normalize(scenarios[1])
    -- the partial carries the scenario as it ran: seed and trial count included
    norm.seed = opts.seed or norm.seed
    norm.trials = opts.trials or norm.trials
    run_opts.shard_k, run_opts.shard_n = opts.shard[1] - 1, opts.shard[2]
    return core.run_shard(norm, core._script("serial").write(norm), run_opts)
  end
  local results = {}
  for i, s in ipairs(scenarios) do
    results[i] = core.run(fc.normalize(s), run_opts)
    if opts.timing then timing(results[i]) end
  end
  return render(results, opts.format)
end

return M
