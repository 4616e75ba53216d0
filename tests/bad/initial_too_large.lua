-- expect: tests/bad/initial_too_large.lua:6: customers.initial: expected an integer in [0, 2^61 - 1], got 4611686018427387904
-- a count the simulator could overflow
return scenario {
  channels = { search = { spend = 1000, cpc = 2 } },
  funnel = { { "visitor" }, { "customer", rate = 0.01 } },
  customers = { initial = 1 << 62, churn = 0.01 },
}
