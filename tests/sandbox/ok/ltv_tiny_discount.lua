-- The LTV loop used to run until its terms fell below 1e-15 of the sum: with
-- sbg{ alpha = 0.5, beta = 1 } and a discount of 1e-12 that was about 1e12
-- iterations per trial. Now closed forms and bounded sums (core/ltv.c): this
-- file must finish in well under a second (tests/check_sandbox.sh).
return scenario {
  channels = { search = { spend = 1000, cpc = 2 } },
  funnel = { { "visitor" }, { "customer", rate = 0.01 } },
  customers = { initial = 10, churn = sbg { alpha = 0.5, beta = 1 }, arpu = 100, discount = 1e-12,
    ltv_horizon = 1000000 },
}
