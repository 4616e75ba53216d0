-- expect: (load):1: 'io' is not available in a scenario: the sandbox has no files
-- A chunk from load sees the scenario's environment, not the state's globals.
local f = assert(load("return io.open('/tmp/funnelcast_sandbox_marker_load', 'w')"))
f()
