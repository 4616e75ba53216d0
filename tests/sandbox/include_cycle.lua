-- expect: tests/sandbox/inc/cycle_b.lua:2: include "cycle_a.lua": an include cycle: tests/sandbox/inc/cycle_a.lua -> tests/sandbox/inc/cycle_b.lua -> tests/sandbox/inc/cycle_a.lua
return include "inc/cycle_a.lua"
