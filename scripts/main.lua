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

-- opts: { command = "run" | "check", file, trials, seed, threads, format,
-- sets = { { key, value }, ... } }. Returns the text to write.
function M.main(fc, opts)
  local scenarios = M.load(fc, opts.file)
  for i, s in ipairs(scenarios) do
    for _, kv in ipairs(opts.sets or {}) do s = s:set(kv[1], kv[2]) end
    scenarios[i] = s
  end
  local report = core._script("report")
  if opts.command == "check" then
    local out = {}
    for _, s in ipairs(scenarios) do
      local norm = fc.normalize(s)
      local random = core.compile_check(norm)
      out[#out + 1] = report.describe(norm, random)
    end
    return table.concat(out, "\n")
  end
  local results = {}
  for i, s in ipairs(scenarios) do
    results[i] = core.run(fc.normalize(s), { trials = opts.trials, seed = opts.seed, threads = opts.threads })
    if opts.timing then
      local r = results[i]
      io.stderr:write(string.format("funnelcast: %s: %d trials simulated in %.3f s (%.0f trials/s)\n",
        r.scenario, r.trials, r.engine_seconds, r.trials / r.engine_seconds))
    end
  end
  if opts.format == "json" then return report.json(results) end
  return report.text(results)
end

return M
