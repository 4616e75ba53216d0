-- The B2B plan for 2027 (b2b_saas_inbound.lua) with its assumptions
-- calibrated from the last two years' counts (history/b2b_history.csv: a
-- CRM export of visits, leads, MQL, SQL and customers per month and
-- channel, with churn, win-back and revenue; made by history/make_history.py).
--
-- Run it:            funnelcast run scenarios/b2b_calibrated.lua
-- Backtest it:       funnelcast backtest scenarios/b2b_saas_inbound.lua \
--                      --history scenarios/history/b2b_history.csv --train 12 --test 12
-- Track the year:    funnelcast run scenarios/b2b_calibrated.lua --actuals scenarios/history/b2b_ytd_2027.csv
--
-- calibrate() turns the counts into laws: each stage rate the beta posterior
-- of its counts (per channel), each channel's cost per click a lognormal of
-- its monthly spend / visits, the season by month, churn and win-back rates,
-- ARPU, and the customers active and lost at the end of the file. weight =
-- 0.5 counts each past month as half a month of evidence: last year is not
-- this year. Deals close a month after the SQL (lags), as the plan says.
local base = include "b2b_saas_inbound.lua"
local history = calibrate("history/b2b_history.csv", { weight = 0.5, lags = { customer = 1 } })

-- A change on top of the calibration, which the history cannot know: the
-- new landing pages are expected to lift the visit-to-lead rate by 10%.
-- lift(law, by): a beta law with `by` times the mean, as certain as the law.
local function lift(law, by)
  return beta(law.a * by, law.a + law.b - law.a * by)
end
local lead = {}
for channel, law in pairs(history.funnel.lead.rate) do lead[channel] = lift(law, 1.1) end

return base:with(history):with{
  name = "inbound-2027-calibrated",
  funnel = { lead = { rate = lead } },
}
