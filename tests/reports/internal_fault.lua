-- A trusted (--unsafe) script that breaks the library's own string library:
-- the report then fails inside the embedded scripts, which is a fault of the
-- library, not of the input: status 3 and "internal error" (tests/check_cli.sh).
debug.getmetatable("").__index.rep = nil
return scenario { channels = { search = { spend = 1000, cpc = 2 } }, funnel = { { "visitor" } } }
