-- expect: include_missing.lua:2: include "inc/nothing.lua": cannot open tests/sandbox/inc/nothing.lua (No such file or directory)
return include "inc/nothing.lua"
