-- history: the history files through the built module (tests/check_history.sh
-- runs it): the reader on good files (';' with decimal commas, quotes, a BOM
-- and CRLF, weeks, days, numbered periods, totals made from channel rows),
-- calibrate's posteriors against their closed forms for given counts and
-- weights, and run{ actuals = } (the conjugate update exactly, months beyond
-- a goal make it certain, a file that knows no counts gives the plain run).
-- Run from the repository root: lua5.4 tests/history/history.lua BUILD
local build = arg[1] or "build"
package.cpath = build .. "/?.so;" .. package.cpath
local fc = require "funnelcast"
local T = dofile("tests/support/checks.lua")
local check, eq, near = T.check, T.eq, T.near

local tmp = os.tmpname()
local function file(text)
  local f = assert(io.open(tmp, "wb"))
  f:write(text)
  f:close()
  return tmp
end

-- The reader --------------------------------------------------------------

-- ';' separators, decimal commas, quoted fields (a separator and "" inside),
-- a byte-order mark, CRLF line ends, column names in any case
local h = fc.read_history(file("\239\187\191Period;Channel;Spend;Visitor;Lead\r\n" ..
  "2026-01;;1234,5;1000;30\r\n" ..
  "2026-01;\"search; paid\";1000,25;600;20\r\n" ..
  "2026-01;\"say \"\"hi\"\"\";234,25;400;10\r\n" ..
  "2026-02;;;;\r\n"))
eq(h.kind, "month", "a file of months")
eq(#h.labels, 2, "two periods")
eq(h.labels[2], "2026-02", "the second label")
eq(h.total[1].spend, 1234.5, "a decimal comma")
eq(h.total[1].visitor, 1000, "a count")
eq(h.channels[1], "search; paid", "a quoted separator")
eq(h.channels[2], 'say "hi"', "a quoted quote")
eq(h.by_channel["search; paid"][1].spend, 1000.25, "a channel's spend")
eq(h.total[2].visitor, nil, "an empty field is unknown")
eq(table.concat(h.stages, ","), "visitor,lead", "the stage columns, in order")

-- totals made from channel rows where the file has no total row
h = fc.read_history(file("period,channel,spend,visitor,lead\n1,a,10,100,5\n1,b,20,300,7\n2,a,10,90,4\n2,b,20,310,9\n"))
eq(h.kind, "number", "numbered periods")
eq(h.total[1].visitor, 400, "a total from its channel rows")
eq(h.total[2].lead, 13, "a total from its channel rows (2)")
eq(h.total[1].spend, 30, "a total spend from its channel rows")

-- ISO weeks across a year's end (2026 has 53 weeks) and days across a month's
h = fc.read_history(file("period,visitor\n2026-W52,10\n2026-W53,11\n2027-W01,12\n"))
eq(h.kind, "week", "a file of weeks")
eq(#h.labels, 3, "three weeks")
eq(h.date and h.date[3], "2027-01-04", "the Monday of 2027-W01")
h = fc.read_history(file("period,visitor\n2028-02-28,1\n2028-02-29,2\n2028-03-01,3\n"))
eq(h.kind, "day", "a file of days")
eq(#h.labels, 3, "a leap day")

-- months written as their first days are months; other days stay days
h = fc.read_history(file("period,visitor\n2026-11-01,10\n2026-12-01,11\n2027-01-01,12\n"))
eq(h.kind, "month", "2026-11-01, 2026-12-01, ...: months")
eq(h.labels[3], "2027-01", "as month labels")
h = fc.read_history(file("period,visitor\n2026-11-01,10\n2026-11-02,11\n"))
eq(h.kind, "day", "2026-11-01, 2026-11-02: days")

-- a lagged stage may count more than the stage before it, when told
local lagged = "period,sql,customer\n1,10,2\n2,5,7\n"
check(T.err_of(fc.read_history, file(lagged)), "a stage above the one before it in a row is an error")
h = fc.read_history(file(lagged), { lags = { customer = 1 } })
eq(h.total[2].customer, 7, "a lagged stage's count")

-- Calibrate: the closed forms ---------------------------------------------

-- two channels, four months; customers a month after their SQL
local cal = "period,channel,spend,visitor,lead,sql,customer,churned,won_back,active,lost,revenue\n" ..
  "2026-01,,3000,2000,60,20,4,10,2,500,40,50000\n" ..
  "2026-01,a,1000,1000,40,12,3,,,,,\n" ..
  "2026-01,b,2000,1000,20,8,1,,,,,\n" ..
  "2026-02,,3000,2200,70,25,6,12,3,497,49,49700\n" ..
  "2026-02,a,1000,1100,45,15,4,,,,,\n" ..
  "2026-02,b,2000,1100,25,10,2,,,,,\n" ..
  "2026-03,,3000,1800,50,15,7,9,4,499,54,49900\n" ..
  "2026-03,a,1000,900,30,9,5,,,,,\n" ..
  "2026-03,b,2000,900,20,6,2,,,,,\n" ..
  "2026-04,,3000,2000,62,21,5,11,2,495,63,49500\n" ..
  "2026-04,a,1000,1000,40,13,3,,,,,\n" ..
  "2026-04,b,2000,1000,22,8,2,,,,,\n"
local path = file(cal)
for _, w in ipairs({ 1, 0.5 }) do
  local c = fc.calibrate(path, { weight = w, lags = { customer = 1 } })
  local function beta_is(law, s, n, what)
    eq(law.kind, "beta", what .. ": a beta law")
    near(law.a, 1 + w * s, 1e-12, what .. ": a = 1 + w s (w = " .. w .. ")")
    near(law.b, 1 + w * (n - s), 1e-12, what .. ": b = 1 + w (n - s) (w = " .. w .. ")")
  end
  -- lead of visitor, per channel and in total (default), same period
  beta_is(c.funnel.lead.rate.default, 60 + 70 + 50 + 62, 2000 + 2200 + 1800 + 2000, "lead rate")
  beta_is(c.funnel.lead.rate.a, 40 + 45 + 30 + 40, 1000 + 1100 + 900 + 1000, "lead rate of a")
  beta_is(c.funnel.sql.rate.b, 8 + 10 + 6 + 8, 20 + 25 + 20 + 22, "sql rate of b")
  -- customer of the SQL a month before: pairs (1, 2), (2, 3), (3, 4)
  beta_is(c.funnel.customer.rate.default, 6 + 7 + 5, 20 + 25 + 15, "customer rate, lag 1")
  -- churned of the active a month before (the first from the balance:
  -- 500 - 4 new - 2 won back + 10 churned = 504), won back of the lost before
  beta_is(c.customers.churn, 10 + 12 + 9 + 11, 504 + 500 + 497 + 499, "churn")
  beta_is(c.winback.rate, 2 + 3 + 4 + 2, (40 - 10 + 2) + 40 + 49 + 54, "win-back")
  eq(c.customers.initial, 495, "initial: the last row's active")
  eq(c.customers.lost, 63, "lost: the last row's")
  eq(c.customers.arpu.kind, "fixed", "arpu: revenue / active, the same each month")
  near(c.customers.arpu.value, 100, 1e-9, "arpu")
  -- cost per visit: lognormal of spend / visitors, median their geometric mean
  local cpc = c.channels.a.cpc
  eq(cpc.kind, "lognormal", "a channel's cost per visit")
  local logs = { math.log(1000 / 1000), math.log(1000 / 1100), math.log(1000 / 900), math.log(1000 / 1000) }
  local m = (logs[1] + logs[2] + logs[3] + logs[4]) / 4
  local v = 0
  for _, y in ipairs(logs) do v = v + (y - m) ^ 2 end
  v = v / 3
  near(cpc.mu, m, 1e-12, "cpc: mu = mean log(spend / visitors)")
  local df = 3
  near(cpc.sigma, math.sqrt(v * (1 + 1 / (w * 4)) * 3), 1e-12, "cpc: sigma = sd sqrt((1 + 1 / (w n)) t-factor), w = " .. w)
  check(cpc.each == "period", "cpc: drawn each period")
  check(df > 0 and c.channels.a.season == nil, "no season from 4 months")
end
-- weight widens: the same counts at half weight give a wider law, as stated
local c1 = fc.calibrate(path, { lags = { customer = 1 } })
local c5 = fc.calibrate(path, { weight = 0.5, lags = { customer = 1 } })
local function var(law) local a, b = law.a, law.b return a * b / ((a + b) ^ 2 * (a + b + 1)) end
check(var(c5.funnel.lead.rate.default) > 1.9 * var(c1.funnel.lead.rate.default), "weight 0.5 about doubles a rate's variance")
check(c5.channels.a.cpc.sigma > c1.channels.a.cpc.sigma, "weight 0.5 widens a cost")
-- months = { first, last } picks the window
local c2 = fc.calibrate(path, { months = { 2, 3 } })
near(c2.funnel.lead.rate.default.a, 1 + 70 + 50, 1e-12, "months = { 2, 3 }")
local c3 = fc.calibrate(path, { months = { "2026-03", "2026-04" } })
near(c3.funnel.lead.rate.default.a, 1 + 50 + 62, 1e-12, "months by label")
-- channels = false: one rate of the totals
local c4 = fc.calibrate(path, { channels = false, lags = { customer = 1 } })
eq(c4.funnel.lead.rate.kind, "beta", "channels = false: one rate")
-- every law says where it came from
local src = c1.funnel.lead.rate.default.source
check(src and src.successes == 242 and src.trials == 8000 and src.file == path, "a law carries its counts")

-- the units on their way at the plan's start: the stage before a lagged one, its last periods
local cb = fc.calibrate(path, { lags = { customer = 1 } })
eq(cb.funnel.sql.before and #cb.funnel.sql.before, 1, "lags = { customer = 1 }: one period of SQLs on their way")
eq(cb.funnel.sql.before and cb.funnel.sql.before[1], 21, "the last row's SQLs")
eq(c1.funnel.lead.before, nil, "no lag, nothing on its way")
local c7 = fc.calibrate(path, { lags = { customer = 9 } })
eq(c7.funnel.sql.before, nil, "a lag longer than the file: nothing known on its way")
local c6 = fc.calibrate(path, { lags = { customer = 2 } })
eq(c6.funnel.sql.before and table.concat(c6.funnel.sql.before, ","), "15,21", "lag 2: the last two rows' SQLs, oldest first")

-- bad options
for _, case in ipairs({
  { { weight = 0 }, "weight: expected a number in (0, 1]" },
  { { weight = 1.5 }, "weight: expected a number in (0, 1]" },
  { { months = { 3, 2 } }, "months: expected { first, last }" },
  { { months = { 1, 9 } }, "months: expected { first, last }, periods of the file (1 to 4" },
  { { lags = { customer = -1 } }, "lags.customer: expected a whole number of periods >= 0" },
  { { lags = { custmer = 1 }, months = { 1, 1 } }, nil },
  { { wieght = 1 }, "unknown field 'wieght' (did you mean 'weight'?)" },
}) do
  local e = T.err_of(fc.calibrate, path, case[1])
  if case[2] then
    check(e and e:find(case[2], 1, true), "calibrate option error: want '" .. case[2] .. "', got " .. tostring(e))
  else
    check(e ~= nil, "calibrate: an unknown lag stage is an error")
  end
end

-- Actuals -------------------------------------------------------------------

local s = fc.load("scenarios/b2b_saas_inbound.lua")[1]
local opts = { trials = 4000, seed = 7, threads = 1 }
local plain = fc.run(s, opts)

-- a lower lead rate observed: beta(30, 970) and s of n give beta(30 + s, 970 + n - s)
local ytd = "period,channel,spend,visitor,lead\n2027-01,,45000,20000,480\n2027-02,,45000,21000,500\n"
opts.actuals = file(ytd)
local r = fc.run(s, opts)
local lead
for _, a in ipairs(r.assumptions) do if a.path == "funnel.lead.rate" then lead = a end end
check(lead and lead.update == "conjugate", "the lead rate is updated by its counts")
eq(lead and lead.law, "beta(1010, 40990)", "the conjugate posterior: beta(30 + 980, 970 + 41000 - 980)")
near(lead and lead.mean, (30 + 980) / (30 + 970 + 41000), 1e-12, "its mean: (a + s) / (a + b + n)")
eq(lead and lead.prior.law, "beta(30, 970)", "the prior beside it")
near(lead and lead.prior.mean, 0.03, 1e-12, "the prior's mean")
check(lead and lead.mean < lead.prior.mean and lead.mean > 980 / 41000, "the posterior lies between the prior and the observed rate")
eq(r.goals[1].probability_at_plan, plain.goals[1].probability, "the probability at plan time is the plain run's")

-- customers already beyond the goal: certain
opts.actuals = file("period,customer\n2027-01,120\n2027-02,90\n")
r = fc.run(s, opts)
eq(r.goals[1].probability, 1, "200 new customers, 210 already won: probability 1")
check(r.goals[1].value.min >= 210, "every trial counts the 210 observed")

-- a file that knows no counts observes nothing: the forecast is the plan's
opts.actuals = file("period,channel,spend,visitor,lead\n2027-01,,,,\n2027-02,,,,\n")
r = fc.run(s, opts)
opts.actuals = nil
-- (less the probability at plan time the goals gain with actuals)
local a, b = fc.report(r, "json"):gsub(', "probability_at_plan": [^,]+', ""), fc.report(plain, "json")
local cut = function(text) -- the JSON before the assumptions list
  return text:sub(1, (text:find('"assumptions"', 1, true) or 0) - 1)
end
check(cut(a) == cut(b) and #cut(a) > 1000, "no counts: the forecast equals the plain run byte for byte")
-- nor does a file of no rows (the actuals of a year not begun)
opts.actuals = "tests/history/header_only.csv"
r = fc.run(s, opts)
opts.actuals = nil
a = fc.report(r, "json"):gsub(', "probability_at_plan": [^,]+', "")
check(cut(a) == cut(b), "no rows: the forecast equals the plain run byte for byte")
eq(r.actuals.periods, 0, "no rows: no period observed")
eq(r.goals[1].probability_at_plan, r.goals[1].probability, "no rows: the probability now is the plan's")

-- the stocks before the first period are the file's where its first row gives them
opts.actuals = file("period,customer,churned,won_back,active,lost\n2027-01,14,24,13,664,270\n")
r = fc.run(s, opts)
local noted = false
for _, n in ipairs(r.actuals.notes) do noted = noted or n:find("customers.initial: the file's first row implies 661", 1, true) end
check(noted, "the stocks before the file: 664 - 14 - 13 + 24 = 661 active, noted")
for _, x in ipairs(r.assumptions) do
  if x.path == "customers.churn" then
    eq(x.observed and x.observed.trials, 661, "churn: 24 churned of the 661 active before")
  elseif x.path == "winback.rate" then
    eq(x.observed and x.observed.trials, 270 - 24 + 13, "win-back: 13 won back of the 259 lost before")
  end
end

-- a spread-out delay: a period's arrivals against the units that could have
-- made them, in the periods that owe less than 5% of the delay to before the file
local spread = s:with{ funnel = { customer = { delay = { 0.5, 0.5 } } } }
opts.actuals = file("period,sql,customer\n2027-01,60,9\n2027-02,80,12\n2027-03,70,20\n")
r = fc.run(spread, opts)
for _, x in ipairs(r.assumptions) do
  if x.path == "funnel.customer.rate" then
    eq(x.observed and x.observed.successes, 12 + 20, "delay { 0.5, 0.5 }: the arrivals of periods 2 and 3")
    near(x.observed and x.observed.trials, 0.5 * 80 + 0.5 * 60 + 0.5 * 70 + 0.5 * 80, 1e-9,
      "delay { 0.5, 0.5 }: against half of each period's and half of the one before's SQLs")
    near(x.mean, (25 + 32) / (25 + 75 + 145), 1e-12, "delay { 0.5, 0.5 }: the beta update with them")
  end
end

-- before: a stage's arrivals before the plan, converted by the next stage
-- as its own: Binomial(100, 0.25) customers in the first period
local function scen(text) return fc.load("before.lua", { text = text })[1] end
local base = [[
return scenario {
  name = "before", periods = 3, trials = 40000, seed = 5,
  channels = { search = { spend = 1000, cpc = 1 }, social = { spend = 3000, cpc = 1 } },
  funnel = { { "visitor" }, { "sql", rate = 0, before = BEFORE }, { "customer", rate = RATE, delay = DELAY } },
}
]]
local function mean_sd(text)
  local res = fc.run(scen(text), { threads = 1 })
  for _, x in ipairs(res.series) do
    if x.name == "new_customers" then return x.periods[1].mean, x.periods[1].sd, x.periods[2].mean, res.trials end
  end
end
local m1, sd1, m2, n = mean_sd(base:gsub("BEFORE", "{ 100 }"):gsub("RATE", "0.25"):gsub("DELAY", "1"))
near(m1, 25, 4 * math.sqrt(100 * 0.25 * 0.75 / n), "before = { 100 }, rate 0.25, delay 1: 25 in the first period")
near(sd1, math.sqrt(100 * 0.25 * 0.75), 0.1, "its spread: a binomial's")
eq(m2, 0, "nothing in the second period")
-- a spread delay: half land before the plan (past), half in the first period;
-- the channels' shares of the first period's visitors (1 : 3) split the units
local want = 100 * 0.5 * (0.25 * 0.25 + 0.75 * 0.5)
m1, sd1 = mean_sd(base:gsub("BEFORE", "{ 40, 100 }"):gsub("RATE", "{ default = 0.25, social = 0.5 }")
  :gsub("DELAY", "{ 0.5, 0.5 }"))
near(m1, want, 4 * sd1 / math.sqrt(n), "before = { 40, 100 }, delay { 0.5, 0.5 }, rates by channel")
for _, case in ipairs({
  { "{ 1.5 }", "funnel[2].before[1]: expected an integer in [0," },
  { "{ -1 }", "funnel[2].before[1]: expected an integer in [0," },
  { "{}", "funnel[2].before: expected a list of the stage's arrivals in the periods before the plan" },
  { "12", "funnel[2].before: expected a list of the stage's arrivals" },
  { "{ 600000000000000, 600000000000000 }", "funnel[2].before[2]: expected at most 1000000000000000 units in all" },
}) do
  local e = T.err_of(scen, base:gsub("BEFORE", case[1]):gsub("RATE", "0.25"):gsub("DELAY", "1"))
  check(e and e:find(case[2], 1, true), "before = " .. case[1] .. ": want '" .. case[2] .. "', got " .. tostring(e))
end
local e = T.err_of(scen, [[return scenario { name = "x", periods = 2, channels = { a = { spend = 1, cpc = 1 } },
  funnel = { { "visitor" }, { "lead", rate = 0.1, before = { 5 } } } }]])
check(e and e:find("funnel[2].before: expected no before on the last stage", 1, true), "before on the last stage: " .. tostring(e))

-- a period with rows for some channels only has unknown totals
h = fc.read_history(file("period,channel,spend,visitor\n1,a,1,10\n1,b,1,20\n2,a,1,12\n"))
eq(h.total[1].visitor, 30, "a period with every channel: its total")
eq(h.total[2] and h.total[2].visitor, nil, "a period with some channels: its total unknown")
check(T.err_of(fc.read_history, file(lagged), { lags = { customer = -1 } }), "read_history: a negative lag is an error")

os.remove(tmp)
T.finish("history")
