-- checks: the counting harness of the Lua test scripts (tests/scenario_api.lua,
-- tests/whatif/whatif.lua, tests/reports/compare.lua): each check counts,
-- each failure is written to standard error, and finish prints the summary
-- line the suite reads and exits 1 when anything failed. Load it from the
-- repository root: local T = dofile("tests/support/checks.lua").
local M = { checks = 0, failures = 0 }

function M.check(ok, what)
  M.checks = M.checks + 1
  if not ok then
    M.failures = M.failures + 1
    io.stderr:write("FAIL: ", what, "\n")
  end
end

function M.eq(got, want, what)
  M.check(got == want, string.format("%s: got %s, want %s", what, tostring(got), tostring(want)))
end

function M.near(got, want, tol, what)
  M.check(type(got) == "number" and math.abs(got - want) <= tol,
    string.format("%s: got %s, want %s (tol %g)", what, tostring(got), tostring(want), tol))
end

-- The message of the error f raises, or nil.
function M.err_of(f, ...)
  local ok, e = pcall(f, ...)
  if ok then return nil end
  return tostring(e)
end

-- "<label>: N checks, M failed", and the exit status.
function M.finish(label)
  print(string.format("%s: %d checks, %d failed", label, M.checks, M.failures))
  os.exit(M.failures == 0 and 0 or 1)
end

return M
