-- expect: require.lua:2: 'require' is not available in a scenario: the sandbox has no modules
local os = require "os"
os.execute("touch /tmp/funnelcast_sandbox_marker_require")
