-- expect: tests/bad/tenure_too_long.lua:6: customers.ltv_horizon: expected an integer in [1, 1000000], got 5000000
-- an LTV horizon past the longest the model counts
return scenario {
  channels = { search = { spend = 1000, cpc = 2 } },
  funnel = { { "visitor" }, { "customer", rate = 0.01 } },
  customers = { churn = 0.01, arpu = 10, ltv_horizon = 5000000 },
}
