-- main: what the funnelcast command does once its options are parsed: load
-- scenario files, apply --set overrides, run (several scenarios paired, on
-- common random numbers: a comparison), and render the report. The C
-- side (core/cli.c) parses arguments, writes the output and picks the exit
-- status.
local core = ...
local M = {}

-- The most trials --precision runs when --trials does not say.
local PRECISION_MAX_TRIALS = 100000000

local function timing(r)
  local rate = r.trials / r.engine_seconds
  -- whole trials per second (bench/bench_b1.sh reads them), unless fewer than 10
  return string.format("funnelcast: %s: %d trials simulated in %.3f s (%s trials/s)\n",
    r.scenario, r.trials, r.engine_seconds, rate >= 10 and string.format("%.0f", rate) or string.format("%.3g", rate))
end

-- Goals below their confidence, over every scenario (for --fail-on-goal).
local function below(results)
  local n = 0
  for _, r in ipairs(results) do
    for _, g in ipairs(r.goals) do
      if not g.on_track then n = n + 1 end
    end
  end
  return n
end

-- differences: a comparison's, or nil
local function render(results, format, differences)
  local report = core._script("report")
  if format == "json" then return report.json(results, differences) end
  return report.text(results, differences)
end

-- funnelcast merge FILE...: the report of the whole run the partial
-- summaries make up. They are read, checked and merged in C, file by file,
-- within the memory limit: the first one's head gives the scenario, or the
-- list of a comparison's scenarios (then the report is the comparison's,
-- as the unsharded run renders it).
local function merge(opts)
  local serial = core._script("serial")
  local files = opts.files or {}
  if #files == 0 then error("merge: no partial summaries given", 0) end
  local text = core.partial_scenario(files[1])
  local s = serial.read(text, files[1] .. ": scenario text")
  if type(s) ~= "table" then
    error(files[1] .. ": scenario text: expected a scenario or a list of scenarios, got a " .. type(s), 0)
  end
  if type(s[1]) == "table" then
    local c = core.merge(s, files)
    return render(c.scenarios, opts.format, c.differences), nil, below(c.scenarios)
  end
  local results = { core.merge(s, files) }
  return render(results, opts.format), nil, below(results)
end

-- A failure the engine names by a field of scenario s ("funnel.lead.rate:
-- a draw fell outside its range ...") with the file and line where that
-- field was written, or nil.
local function located(s, msg)
  local field = type(msg) == "string" and msg:match("^((%a+)[^:%s]*): ")
  local part = field and field:match("^(%a+)")
  if part == "channels" or part == "funnel" or part == "customers" or part == "winback" then
    local where = core._script("scenario").where(s, field)
    if where then return where .. ": " .. msg end
  end
  return nil
end

-- f(...), a run of the scenarios of list (one, or a comparison whose
-- failures name the scenario: 'scenario "x": field: ...'), with a failure
-- located in the scenario it comes from.
local function run_located(list, f, ...)
  local ok, r = pcall(f, ...)
  if ok then return r end
  if #list == 1 then error(located(list[1], r) or r, 0) end
  local name, rest = tostring(r):match('^scenario "(.-)": (.*)$')
  for _, s in ipairs(name and list or {}) do
    if s.name == name then
      local where = located(s, rest)
      if where then error(string.format('scenario "%s": %s', name, where), 0) end
    end
  end
  error(r, 0)
end

-- The scenarios of the command's files, in order: run's and check's one
-- file, compare's several.
local function load_all(fc, opts, inputs)
  local files = opts.command == "compare" and opts.files or { opts.file }
  local list = {}
  for _, file in ipairs(files) do
    local loaded = fc.load(file, { unsafe = opts.unsafe, seed = opts.seed, print = opts.print, inputs = inputs })
    for _, s in ipairs(loaded) do list[#list + 1] = s end
  end
  if opts.command == "compare" and #list < 2 then
    error(string.format("compare: expected at least two scenarios (a base and an alternative), got %d from %s",
      #list, table.concat(files, ", ")), 0)
  end
  return list
end

-- opts: { command = "run" | "check" | "compare" | "merge", file, files, trials, seed,
-- threads, format, precision, shard = { k, n }, sets = { { key, value }, ... },
-- unsafe, timing }. Returns the bytes to write, the notes for standard
-- error (--timing) or nil, the number of goals below their confidence, and
-- the files the command read (nil: only those of its command line).
function M.main(fc, opts)
  if opts.command == "merge" then return merge(opts) end
  -- math.random in the file starts from --seed, else 1 (see sandbox.lua)
  -- every file the scenario read: the output may land on none of them
  local inputs = {}
  local scenarios = load_all(fc, opts, inputs)
  local scenario = core._script("scenario")
  for i, s in ipairs(scenarios) do
    -- the library's own set, not a method looked up on an object the script made
    for _, kv in ipairs(opts.sets or {}) do s = scenario.set(s, kv[1], kv[2]) end
    scenarios[i] = s
  end
  -- several run as one comparison: one rule and message for compare{}, a
  -- returned list and compare FILE..., sharded or not
  if #scenarios > 1 then scenario.check_names(scenarios) end
  if opts.command == "check" then
    local report = core._script("report")
    local out = {}
    for _, s in ipairs(scenarios) do
      local norm = fc.normalize(s)
      local random = core.compile_check(norm)
      out[#out + 1] = report.describe(norm, random)
    end
    return table.concat(out, "\n"), nil, 0, inputs
  end
  local run_opts = { trials = opts.trials, seed = opts.seed, threads = opts.threads,
    precision = opts.precision }
  if opts.precision and not opts.trials then run_opts.trials = PRECISION_MAX_TRIALS end
  local norms = {}
  for i, s in ipairs(scenarios) do norms[i] = fc.normalize(s) end
  if opts.shard then
    -- the partial carries the scenarios as they ran, seed and trial count
    -- included: a comparison's are the base's (or the options'), as
    -- core.compare runs them
    local seed, trials = opts.seed or norms[1].seed, opts.trials or norms[1].trials
    for _, norm in ipairs(norms) do norm.seed, norm.trials = seed, trials end
    local run = #norms == 1 and norms[1] or norms
    run_opts.shard_k, run_opts.shard_n = opts.shard[1] - 1, opts.shard[2]
    return run_located(scenarios, core.run_shard, run, core._script("serial").write(run), run_opts), nil, 0, inputs
  end
  if #scenarios == 1 then
    local r = run_located(scenarios, core.run, norms[1], run_opts)
    return render({ r }, opts.format), opts.timing and timing(r) or nil, below({ r }), inputs
  end
  -- paired, the first the base
  local c = run_located(scenarios, core.compare, norms, run_opts)
  local note = opts.timing and timing({ scenario = string.format("comparison of %d scenarios", #scenarios),
    trials = c.scenarios[1].trials, engine_seconds = c.engine_seconds }) or nil
  return render(c.scenarios, opts.format, c.differences), note, below(c.scenarios), inputs
end

return M
