-- funnelcast: the Lua side of the simulator. This is the table that
-- require "funnelcast" returns and that scenario files see as their
-- environment: distribution constructors, sampling, and (with the simulator)
-- scenario, goal and the what-if helpers.
local core = ...
local M = { version = core.version }

for name, f in pairs(core._script("dist")) do M[name] = f end

-- sample(dist, count, seed): count draws on the stream of seed; the same
-- array for the same seed.
M.sample = core.sample
M.pcg32 = core.pcg32

-- The scenario-file API (scripts/scenario.lua): constructors, validation,
-- what-if copies (s:with, s:set), and normalize(s), the plain table the model
-- compiler reads.
local scenario = core._script("scenario")
M.scenario, M.goal, M.hill, M.sbg, M.lags = scenario.scenario, scenario.goal, scenario.hill,
  scenario.sbg, scenario.lags
M.normalize, M.is_scenario = scenario.normalize, scenario.is_scenario

-- returned(chunkname, ...): the list of scenarios a file's chunk returned
-- (one, several, or a list), or an error "file:line: expected the file to
-- return a scenario ..." at the line that most likely lacks a `return`.
M.returned = scenario.returned

local util = core._script("util")
local loadfile, io = loadfile, io

-- The environment of one scenario file: main.environment's, where reading
-- an unknown global is an error with a suggestion (a misspelt constructor,
-- `betta(30, 970)`, would otherwise surface as "attempt to call a nil value").
local function file_env()
  local base = core._script("main").environment(M)
  local names = {}
  for k in pairs(base) do names[#names + 1] = k end
  table.sort(names)
  return setmetatable(base, {
    __index = function(_, k)
      error(string.format("unknown name '%s'%s", tostring(k), util.suggest(tostring(k), names)), 2)
    end,
  })
end

-- load(path): runs a scenario file (chunk name "@path") and returns the list
-- of scenarios it returned; errors are "path:line: ..." messages.
function M.load(path)
  local f, oerr = io.open(path, "rb")
  if not f then
    error(string.format("%s: cannot open the scenario file (%s)", path, (oerr or ""):gsub("^[^:]*: ", "")), 0)
  end
  f:close()
  local chunk, err = loadfile(path, "t", file_env())
  if not chunk then error(err, 0) end
  local prev = scenario._loading(path)
  local ok, r = pcall(function() return table.pack(chunk()) end)
  scenario._loading(prev)
  if not ok then error(r, 0) end
  return M.returned("@" .. path, table.unpack(r, 1, r.n))
end

-- run(scenario [, { trials =, seed =, threads = }]): runs the scenario and
-- returns its results table (see core/lua_results.h).
M.run = function(s, opts)
  return core.run(M.normalize(s), opts)
end

-- The command line's entry point (core/cli.c).
M._main = function(fc, opts) return core._script("main").main(fc, opts) end

return M
