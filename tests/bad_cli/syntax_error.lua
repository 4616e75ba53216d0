-- expect: tests/bad_cli/syntax_error.lua:6: '}' expected (to close '{' at line 2) near 'funnel'
return scenario {
  name = "missing comma",
  periods = 12
  -- the line above lacks a comma
  funnel = { { "visitor" }, { "lead", rate = 0.03 } },
}
