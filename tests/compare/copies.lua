-- An exact copy, and a copy that only reports by channel.
local base = include "base.lua"
return compare{ base, base:with{ name = "copy" }, base:with{ name = "tracked", track_channels = true } }
