-- No width or value breaks the reports: a 150-character scenario name, a
-- 70-character channel name in UTF-8, a 100-character stage and goal name, an
-- arpu of 1e80 and a target of 1e300 (tests/check_cli.sh runs every report of it).
return scenario {
  name = ("plan-"):rep(30),
  channels = { [("é"):rep(70)] = { spend = 1000, cpc = 2 } },
  funnel = { { "visitor" }, { ("stage"):rep(20), rate = 0.01 } },
  customers = { initial = 10, arpu = 1e80, churn = 0.01 },
  goals = { goal { name = ("g"):rep(100), metric = "revenue", at_least = 1e300 } },
}
