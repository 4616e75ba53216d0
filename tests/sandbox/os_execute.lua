-- expect: os_execute.lua:3: 'os' is not available in a scenario: the sandbox has no programs, files or clock
-- A scenario that runs a program: the marker file must not appear.
os.execute("touch /tmp/funnelcast_sandbox_marker_os")
