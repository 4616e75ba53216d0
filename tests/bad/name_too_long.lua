-- expect: tests/bad/name_too_long.lua:6: channels: expected channel names: a name of at most 255 bytes (got 300), got "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx..."
-- a channel name past the 255 bytes names may have: refused, never cut
return scenario {
  funnel = { { "visitor" } },
  channels = {
    ["xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"] = { spend = 10, cpc = 1 },
  },
}
