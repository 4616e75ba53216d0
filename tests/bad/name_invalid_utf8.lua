-- expect: tests/bad/name_invalid_utf8.lua:5: funnel[2]: expected a stage name: a name in valid UTF-8, got "l\255ad"
-- a stage name that is not UTF-8 would make the JSON report invalid
return scenario {
  channels = { search = { spend = 1000, cpc = 2 } },
  funnel = { { "visitor" }, { "l\xffad", rate = 0.1 } },
}
