-- expect: io_open.lua:3: 'io' is not available in a scenario: the sandbox has no files
-- A scenario that writes a file.
local f = io.open("/tmp/funnelcast_sandbox_marker_io", "w")
f:write("escaped")
f:close()
