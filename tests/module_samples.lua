-- Draws samples through the Lua module, as a user of a stock lua5.4 would,
-- for every constructor and regime; prints one line per regime:
--   <regime> <TAB> <scipy distribution and parameters> <TAB> <draws, comma separated>
-- tests/module_vs_scipy.py tests each line against scipy's distribution.
package.cpath = (os.getenv("BUILD") or "build") .. "/?.so;" .. package.cpath
local fc = require "funnelcast"
local N = tonumber(arg[1]) or 20000
local Z95 = 1.6448536269514722

local cases = {
  { "uniform", fc.uniform(2, 5), "uniform 2 3" },
  { "normal", fc.normal{ mean = 10, sd = 3 }, "norm 10 3" },
  { "normal_p5_p95", fc.normal{ p5 = -4, p95 = 6 }, string.format("norm 1 %.17g", 5 / Z95) },
  { "lognormal_median", fc.lognormal{ median = 2.5, sigma = 0.2 }, "lognorm 0.2 0 2.5" },
  { "lognormal_mean_sd", fc.lognormal{ mean = 100, sd = 50 },
    string.format("lognorm %.17g 0 %.17g", math.sqrt(math.log(1.25)), 100 / math.sqrt(1.25)) },
  { "beta_30_970", fc.beta(30, 970), "beta 30 970" },
  { "beta_small", fc.beta(0.3, 0.5), "beta 0.3 0.5" },
  { "beta_tiny", fc.beta(0.05, 0.05), "beta 0.05 0.05" },
  { "beta_mean_sd", fc.beta{ mean = 0.2, sd = 0.05 }, "beta 12.6 50.4" },
  { "gamma_small", fc.gamma{ shape = 0.4, scale = 2 }, "gamma 0.4 0 2" },
  { "gamma_large", fc.gamma{ shape = 50, scale = 0.1 }, "gamma 50 0 0.1" },
  { "gamma_one", fc.gamma{ shape = 1, scale = 3 }, "gamma 1 0 3" },
  { "triangular", fc.triangular(1, 2, 6), "triang 0.2 1 5" },
  { "triangular_mode_min", fc.triangular(0, 0, 1), "triang 0 0 1" },
  { "pert", fc.pert(10, 20, 60), "beta_scaled 1.8 4.2 10 50" },
  { "range", fc.range(10, 100), string.format("lognorm %.17g 0 %.17g", math.log(10) / (2 * Z95), math.sqrt(1000)) },
  { "history", fc.history{ successes = 30, trials = 1000 }, "beta 31 971" },
  { "fixed", fc.fixed(7.5), "fixed 7.5" },
  { "binomial_small", fc.binomial(20, 0.3), "binom 20 0.3" },
  { "binomial_p_high", fc.binomial(50, 0.97), "binom 50 0.97" },
  { "binomial_large", fc.binomial(1000000000, 0.3), "binom 1000000000 0.3" },
  { "binomial_rare", fc.binomial(20000000, 1e-6), "binom 20000000 1e-06" },
  { "binomial_p_one", fc.binomial(1000, 1), "fixed 1000" },
  { "binomial_p_zero", fc.binomial(1000, 0), "fixed 0" },
  { "poisson_small", fc.poisson(3.5), "poisson 3.5" },
  { "poisson_large", fc.poisson(1e6), "poisson 1000000" },
  { "poisson_huge", fc.poisson(1e12), "poisson 1000000000000" },
}
for i, c in ipairs(cases) do
  local x = fc.sample(c[2], N, 1000 + i)
  local again = fc.sample(c[2], N, 1000 + i)
  for j = 1, N do assert(x[j] == again[j], c[1] .. ": the same seed gave other draws") end
  local parts = {}
  for j = 1, N do parts[j] = string.format("%.17g", x[j]) end
  io.write(c[1], "\t", c[3], "\t", table.concat(parts, ","), "\n")
end
