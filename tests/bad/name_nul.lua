-- expect: tests/bad/name_nul.lua:4: name: expected a name without NUL bytes, got "plan\0b"
-- a NUL in a name would cut it in the C side; refused instead
return scenario {
  name = "plan\0b",
  channels = { search = { spend = 1000, cpc = 2 } },
  funnel = { { "visitor" } },
}
