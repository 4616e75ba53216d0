-- expect: include_self.lua:2: include "include_self.lua": an include cycle: tests/sandbox/include_self.lua -> tests/sandbox/include_self.lua
return include "include_self.lua"
