-- A trusted study script that writes a file: runs only with --unsafe.
local f = assert(io.open(os.getenv("FC_SANDBOX_MARKER"), "w"))
f:write("written by a trusted script\n")
f:close()
return scenario { channels = { search = { spend = 1000, cpc = 2 } }, funnel = { { "visitor" } } }
