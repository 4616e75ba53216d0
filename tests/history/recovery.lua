-- recovery: calibrate (weight 1, one rate per stage, customers a month after
-- their SQL) on each history file named, printing per file and assumption
-- "file name a b" of the beta posterior (tests/check_history.sh checks the
-- true rates against their 95% credible intervals).
--   lua5.4 tests/history/recovery.lua BUILD FILE ...
package.cpath = arg[1] .. "/?.so;" .. package.cpath
local fc = require "funnelcast"
for i = 2, #arg do
  local c = fc.calibrate(arg[i], { channels = false, lags = { customer = 1 } })
  local laws = { lead = c.funnel.lead.rate, mql = c.funnel.mql.rate, sql = c.funnel.sql.rate,
    customer = c.funnel.customer.rate, churn = c.customers.churn, winback = c.winback.rate }
  for _, name in ipairs({ "lead", "mql", "sql", "customer", "churn", "winback" }) do
    print(arg[i], name, laws[name].a, laws[name].b)
  end
end
