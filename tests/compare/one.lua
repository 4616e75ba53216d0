return include "base.lua"
