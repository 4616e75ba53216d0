-- E-commerce subscription box, 2027: paid social and search bring first
-- orders, but most of the revenue comes from keeping subscribers and winning
-- back the ones who lapse. Read the "active" and "revenue" series, not only
-- new customers.
--
-- Run it:  funnelcast run scenarios/ecommerce_retention.lua
return scenario {
  name = "subscription-box-2027",
  periods = 12, unit = "month", start = "2027-01",
  trials = 50000, seed = 7,

  channels = {
    -- Paid social has diminishing returns: a hill curve. At 'half' spend per
    -- month it brings half of 'max' visits; shape > 1 makes the curve S-like.
    -- Ad memory carries 40% of last month's effective spend into this month.
    social = {
      spend = { 30000, 30000, 30000, 35000, 35000, 35000, 30000, 30000, 40000, 45000, 60000, 60000 },
      response = hill{ max = 90000, half = lognormal{ median = 35000, sigma = 0.25 }, shape = 1.2 },
      adstock = 0.4,
    },
    search = { spend = 15000, cpc = lognormal{ median = 0.9, sigma = 0.15 } },
    -- Word of mouth and SEO: visits that cost nothing, with a busy November
    -- and December (season multiplies every channel's arrivals of that month).
    organic = { spend = 0, organic = normal{ p5 = 15000, p95 = 25000, clip = true } },
  },

  funnel = {
    { "visitor" },
    { "cart",      rate = beta(60, 940) },
    { "customer",  rate = range(0.35, 0.55) },   -- a 90% interval, read as a beta
  },

  customers = {
    initial = 12000,
    -- Subscribers differ: the shifted-beta-geometric model lets loyal ones
    -- stay, so a cohort's churn falls with tenure (Fader and Hardie).
    churn = sbg{ alpha = 1.6, beta = 8 },
    initial_tenure = 6,
    arpu = 32, growth = 0.004, margin = beta(45, 55),
    ltv_horizon = 36, discount = 0.01,
  },

  -- Lapsed subscribers get a reactivation offer every month: about 4% come
  -- back; each contact costs 0.40.
  winback = { rate = beta(4, 96), cost = 0.4 },

  goals = {
    goal{ name = "22,000 subscribers at year end", metric = "active_end", at_least = 22000 },
    goal{ name = "7M revenue in 2027", metric = "revenue", at_least = 7e6 },
    goal{ name = "3,000 subscribers won back", metric = "won_back", at_least = 3000 },
    goal{ name = "Acquisition cost under 25", metric = "cac", at_most = 25 },
  },
}
