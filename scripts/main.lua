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

-- The report context of the command (see report.context): the language
-- from --lang, else LANG; the scenarios' currency (the first's); the texts
-- of the files as written.
local function report_context(opts, scenarios)
  local locale = core._script("locale")
  local scenario = core._script("scenario")
  local sources = {}
  for _, src in ipairs(opts.sources or {}) do
    sources[#sources + 1] = { src[1], src[2] or scenario._source(src[1]) }
  end
  if not opts.sources and opts.command ~= "merge" then
    for _, file in ipairs(opts.files or {}) do sources[#sources + 1] = { file, scenario._source(file) } end
  end
  local currency
  for _, s in ipairs(scenarios or {}) do currency = currency or s.currency end
  -- an embedding program has no command line: the one that does the same
  local argv = opts.argv
  if not argv then
    argv = { "funnelcast", opts.command }
    for _, file in ipairs(opts.files or { opts.file }) do argv[#argv + 1] = file end
    for _, kv in ipairs(opts.sets or {}) do argv[#argv + 1] = "--set" argv[#argv + 1] = kv[1] .. "=" .. kv[2] end
    for _, kv in ipairs(opts.own or {}) do argv[#argv + 1] = "--" .. kv[1] argv[#argv + 1] = kv[2] end
    for _, k in ipairs({ "trials", "seed", "threads", "format", "lang", "locale" }) do
      if opts[k] ~= nil then argv[#argv + 1] = "--" .. k argv[#argv + 1] = tostring(opts[k]) end
    end
  end
  return core._script("report").context({
    lang = opts.lang or locale.from_env(opts.env_lang), locale = opts.locale, currency = currency, columns = opts.columns,
    color = opts.color, argv = argv, output = opts.output, sources = sources })
end

-- The report of a run (differences nil) or a comparison, in the command's
-- format.
local function render(results, format, differences, ctx)
  local out, why = core._script("report").write(format, differences and "comparison" or "run",
    { results = results, differences = differences }, ctx)
  if not out then error(why, 0) end
  return out
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
    core._script("assumptions").attach(c.scenarios, s)
    return render(c.scenarios, opts.format, c.differences, report_context(opts, s)), nil, below(c.scenarios)
  end
  local results = core._script("assumptions").attach({ core.merge(s, files) }, { s })
  return render(results, opts.format, nil, report_context(opts, { s })), nil, below(results)
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
  -- an embedding program may give scenario texts: { { name, text } | { name }, ... }
  local sources = opts.sources
  if not sources then
    sources = {}
    for i, file in ipairs(files) do sources[i] = { file } end
  end
  local list = {}
  for _, src in ipairs(sources) do
    local file = src[1]
    local loaded = fc.load(file, { unsafe = opts.unsafe, seed = opts.seed, print = opts.print, inputs = inputs,
      text = src[2] })
    for _, s in ipairs(loaded) do list[#list + 1] = s end
  end
  if opts.command == "compare" and #list < 2 then
    error(string.format("compare: expected at least two scenarios (a base and an alternative), got %d from %s",
      #list, table.concat(files, ", ")), 0)
  end
  return list
end

-- The options of plan and optimize, from the command line's own (opts.own:
-- { { name, text }, ... } as written): the table plan{} and optimize{}
-- take, every value read and checked for its syntax here (plan.lua and
-- optimize.lua check what they mean).
local function number_of(name, text, what)
  local x = tonumber(text)
  if not x or x ~= x or x == math.huge or x == -math.huge then
    error(string.format("--%s %s: expected %s", name, text, what or "a number"), 0)
  end
  return x
end

local function list_of(text)
  local out = {}
  for part in (text .. ","):gmatch("([^,]*),") do
    local name = part:match("^%s*(.-)%s*$")
    if name ~= "" then out[#out + 1] = name end
  end
  return out
end

local function decision_options(command, own)
  local out, seen = {}, {}
  for _, kv in ipairs(own or {}) do
    local name, text = kv[1], kv[2]
    if seen[name] and name ~= "min" and name ~= "max" then
      error(string.format("--%s given twice", name), 0)
    end
    seen[name] = true
    if name == "goal" or name == "vary" or name == "objective" then
      out[name] = text
    elseif name == "confidence" then
      out.confidence = number_of(name, text, "a number in (0, 1), such as 0.8")
    elseif name == "budget" then
      out.budget = number_of(name, text, "the total spend per period, such as 45000")
    elseif name == "channels" then
      out.channels = list_of(text)
      if #out.channels == 0 then error(string.format("--channels %s: expected channel names, such as search,social", text), 0) end
    elseif name == "between" then
      local a, b = text:match("^%s*([^,]+),([^,]+)%s*$")
      if not a then error(string.format("--between %s: expected LO,HI, such as 0.5,3", text), 0) end
      out.between = { number_of(name, a, "LO,HI, two numbers"), number_of(name, b, "LO,HI, two numbers") }
    elseif name == "min" or name == "max" then
      local ch, x = text:match("^%s*([^=]-)%s*=%s*(.-)%s*$")
      if not ch or ch == "" then error(string.format("--%s %s: expected CHANNEL=AMOUNT, such as search=5000", name, text), 0) end
      out[name] = out[name] or {}
      if out[name][ch] then error(string.format("--%s: %s given twice", name, ch), 0) end
      if not tonumber(x) then
        error(string.format("--%s %s: expected CHANNEL=AMOUNT with a number, such as search=5000", name, text), 0)
      end
      out[name][ch] = number_of(name, x, "CHANNEL=AMOUNT with a finite number")
    end
  end
  if command == "plan" and not out.goal then error("plan: --goal NAME is required (the goal to plan for)", 0) end
  if command == "optimize" and not out.budget then error("optimize: --budget X is required (the total spend per period)", 0) end
  return out
end

-- plan FILE ... and optimize FILE ...: the decision on the file's scenario
-- (one: a file that returns several is refused), its report.
local function decision(fc, opts, scenarios, inputs)
  if #scenarios ~= 1 then
    error(string.format("%s: expected a file returning one scenario, got %d", opts.command, #scenarios), 0)
  end
  local args = decision_options(opts.command, opts.own)
  args.trials, args.seed, args.threads = opts.trials, opts.seed, opts.threads
  local decide = core._script(opts.command)
  local data = run_located(scenarios, decide[opts.command], fc, scenarios[1], args)
  if data.result then core._script("assumptions").attach({ data.result }, { fc.normalize(scenarios[1]) }) end
  local out, why = core._script("report").write(opts.format, opts.command, data,
    report_context(opts, { fc.normalize(scenarios[1]) }))
  if not out then error(opts.command .. ": " .. why, 0) end
  -- --fail-on-goal: the goals below their confidence at what was found (a
  -- plan found nowhere leaves its goal below)
  return out, nil, data.result and below({ data.result }) or 1, inputs
end

-- opts: { command = "run" | "check" | "compare" | "merge" | "plan" | "optimize", file, files, trials, seed,
-- threads, format, precision, shard = { k, n }, sets = { { key, value }, ... },
-- unsafe, timing }. Returns the bytes to write, the notes for standard
-- error (--timing) or nil, the number of goals below their confidence, and
-- the files the command read (nil: only those of its command line).
function M.main(fc, opts)
  -- an unknown format is refused before any work
  local report = core._script("report")
  local known, why = report.writer(opts.format or "text", "run")
  if not known then error(why, 0) end
  -- an unknown language or locale is refused here
  if opts.lang or opts.locale then core._script("locale").new(opts.lang or "en", nil, { formats = opts.locale }) end
  if opts.command == "check" and not report.writer(opts.format, "check") then
    error(string.format("check: --format %s: expected text or json", opts.format), 0)
  end
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
    -- each normalized scenario the compiler read, and how many of its
    -- assumptions are random
    local models, norms = {}, {}
    for i, s in ipairs(scenarios) do
      norms[i] = fc.normalize(s)
      models[i] = { scenario = norms[i], random_assumptions = core.compile_check(norms[i]) }
    end
    local out = assert(report.write(opts.format, "check", { models = models }, report_context(opts, norms)))
    return out, nil, 0, inputs
  end
  if opts.command == "plan" or opts.command == "optimize" then
    if opts.precision or opts.shard then error(opts.command .. ": --precision and --shard do not apply", 0) end
    return decision(fc, opts, scenarios, inputs)
  end
  local own = {}
  for _, kv in ipairs(opts.own or {}) do
    if own[kv[1]] then error(string.format("--%s given twice", kv[1]), 0) end
    own[kv[1]] = kv[2]
  end
  if opts.command == "backtest" or own.actuals then
    if opts.precision or opts.shard then
      error(string.format("%s: --precision and --shard do not apply", own.actuals and "--actuals" or "backtest"), 0)
    end
    if #scenarios ~= 1 then
      error(string.format("%s: expected a file returning one scenario, got %d",
        own.actuals and "--actuals" or "backtest", #scenarios), 0)
    end
    local file = own.actuals or own.history
    if file then inputs[#inputs + 1] = core._realpath(file) or file end
    local run_opts = { trials = opts.trials, seed = opts.seed, threads = opts.threads }
    local norm = fc.normalize(scenarios[1])
    if opts.command == "backtest" then
      local data = run_located(scenarios, core._script("backtest").run, fc, scenarios[1], own, run_opts)
      local out, why = core._script("report").write(opts.format, "backtest", data, report_context(opts, { norm }))
      if not out then error("backtest: " .. why, 0) end
      return out, nil, 0, inputs
    end
    local r = run_located(scenarios, core._script("actuals").run, scenarios[1], own.actuals, run_opts, fc)
    return render({ r }, opts.format, nil, report_context(opts, { norm })), opts.timing and timing(r) or nil,
      below({ r }), inputs
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
  local ctx = report_context(opts, norms)
  if #scenarios == 1 then
    local r = run_located(scenarios, core.run, norms[1], run_opts)
    core._script("assumptions").attach({ r }, norms)
    return render({ r }, opts.format, nil, ctx), opts.timing and timing(r) or nil, below({ r }), inputs
  end
  -- paired, the first the base
  local c = run_located(scenarios, core.compare, norms, run_opts)
  core._script("assumptions").attach(c.scenarios, norms)
  local note = opts.timing and timing({ scenario = string.format("comparison of %d scenarios", #scenarios),
    trials = c.scenarios[1].trials, engine_seconds = c.engine_seconds }) or nil
  return render(c.scenarios, opts.format, c.differences, ctx), note, below(c.scenarios), inputs
end

return M
