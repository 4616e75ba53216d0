-- expect: include_dotdot.lua:2: include "inc/../../good/minimal.lua": expected a path inside this file's folder, without '..'
return include "inc/../../good/minimal.lua"
