-- expect: the sandbox holds (
-- Walks everything a scenario can reach: the environment, every table and
-- metatable inside it, the objects the constructors return, and what each
-- function returns when called. Any table that looks like io, os, debug,
-- package or the library's core table is an escape: the script then tries
-- to create the marker file through it.
local MARKER = "/tmp/funnelcast_sandbox_marker_reach"
local seen, queue, count = {}, {}, 0
local function push(v, path)
  local t = type(v)
  if (t == "table" or t == "function" or t == "userdata") and not seen[v] then
    seen[v] = path
    queue[#queue + 1] = { v, path }
  end
end
local function suspicious(t)
  return rawget(t, "open") or rawget(t, "popen") or rawget(t, "execute") or rawget(t, "sethook")
    or rawget(t, "getupvalue") or rawget(t, "_script") or rawget(t, "_loaded") or rawget(t, "_read_file")
    or rawget(t, "searchers") or rawget(t, "dump") or rawget(t, "loadfile") or rawget(t, "dofile")
    or rawget(t, "collectgarbage")
end
push(_ENV, "_ENV")
local s = scenario { channels = { search = { spend = 1000, cpc = lognormal { median = 2, sigma = 0.2 } } },
  funnel = { { "visitor" }, { "lead", rate = beta(3, 97), delay = lags.geometric { mean = 1 } } },
  customers = { churn = sbg { alpha = 1, beta = 2 } },
  goals = { goal { metric = "new_customers", at_least = 1 } } }
push(s, "s"); push(s:with { periods = 6 }, "s:with"); push(s.spec, "s.spec"); push(normalize(s), "normalize(s)")
push(pcg32(1, 2), "pcg32"); push(hill { max = 1, half = 1, shape = 1 }, "hill")
local i = 1
while i <= #queue do
  local v, path = queue[i][1], queue[i][2]
  i = i + 1
  count = count + 1
  if type(v) == "table" then
    if suspicious(v) then
      if rawget(v, "open") then pcall(v.open, MARKER, "w") end
      if rawget(v, "execute") then pcall(v.execute, "touch " .. MARKER) end
      error("ESCAPED through " .. path)
    end
    for k, x in next, v do
      push(k, path .. "[key]")
      push(x, path .. "." .. tostring(k))
    end
  elseif type(v) == "function" and v ~= print and v ~= error and v ~= assert then
    for _, args in ipairs { {}, { s }, { {} }, { "x" }, { 1, 2 } } do
      local r = table.pack(pcall(v, table.unpack(args)))
      for j = 2, r.n do push(r[j], path .. "()") end
    end
  end
  local mt = getmetatable(v)
  if type(mt) == "table" then push(mt, path .. "<mt>") end
end
for _, name in ipairs { "io", "os", "debug", "package", "require", "dofile", "loadfile", "coroutine" } do
  if rawget(_ENV, name) ~= nil or pcall(load("return " .. name)) then error("ESCAPED: " .. name) end
end
error(string.format("the sandbox holds (%d values reached)", count))
