-- calendar: the calendar labels of a scenario's periods, from its `start`
-- ("2027-01" for months, "2027-Q1" for quarters, "2027" for years, a date
-- "2027-01-04" for weeks and days), and the period a label names (a goal's
-- `from` and `by`). Pure functions; dates are proleptic Gregorian.
local M = {}

-- Days since 1970-01-01 of a civil date (the days-from-civil algorithm).
local function days_from_civil(y, m, d)
  if m <= 2 then y = y - 1 end
  local era = (y >= 0 and y or y - 399) // 400
  local yoe = y - era * 400
  local doy = (153 * (m + (m > 2 and -3 or 9)) + 2) // 5 + d - 1
  local doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
  return era * 146097 + doe - 719468
end

local function civil_from_days(z)
  z = z + 719468
  local era = (z >= 0 and z or z - 146096) // 146097
  local doe = z - era * 146097
  local yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
  local y = yoe + era * 400
  local doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
  local mp = (5 * doy + 2) // 153
  local d = doy - (153 * mp + 2) // 5 + 1
  local m = mp + (mp < 10 and 3 or -9)
  if m <= 2 then y = y + 1 end
  return y, m, d
end

local function date_of(s)
  local y, m, d = s:match("^(%d%d%d%d)%-(%d%d)%-(%d%d)$")
  if not y then return nil end
  y, m, d = tonumber(y), tonumber(m), tonumber(d)
  if m < 1 or m > 12 or d < 1 then return nil end
  local days = days_from_civil(y, m, d)
  local y2, m2, d2 = civil_from_days(days)
  if y2 ~= y or m2 ~= m or d2 ~= d then return nil end -- 2027-02-30
  return days
end

-- Each unit: what its labels look like (for messages), the index of a label
-- on a scale of its own (months since year 0, days, ...), that index's
-- label, and how many indexes one period spans.
local UNITS = {
  month = { form = '"YYYY-MM" (such as "2027-01")', step = 1,
    index = function(s)
      local y, m = s:match("^(%d%d%d%d)%-(%d%d)$")
      y, m = tonumber(y), tonumber(m)
      return y and m >= 1 and m <= 12 and y * 12 + m - 1 or nil
    end,
    label = function(i) return string.format("%04d-%02d", i // 12, i % 12 + 1) end },
  quarter = { form = '"YYYY-Qn" (such as "2027-Q1")', step = 1,
    index = function(s)
      local y, q = s:match("^(%d%d%d%d)%-Q([1-4])$")
      return y and tonumber(y) * 4 + tonumber(q) - 1 or nil
    end,
    label = function(i) return string.format("%04d-Q%d", i // 4, i % 4 + 1) end },
  year = { form = '"YYYY" (such as "2027")', step = 1,
    index = function(s) return s:match("^%d%d%d%d$") and tonumber(s) or nil end,
    label = function(i) return string.format("%04d", i) end },
  week = { form = 'a date "YYYY-MM-DD" (such as "2027-01-04")', step = 7, index = date_of,
    label = function(i) return string.format("%04d-%02d-%02d", civil_from_days(i)) end },
  day = { form = 'a date "YYYY-MM-DD" (such as "2027-01-04")', step = 1, index = date_of,
    label = function(i) return string.format("%04d-%02d-%02d", civil_from_days(i)) end },
}

-- What a unit's labels look like ("YYYY-MM" ...).
function M.form(unit) return UNITS[unit].form end

-- Days since 1970-01-01 of a civil date, and back (for the readers of
-- dated files: scripts/history.lua).
M.days_from_civil, M.civil_from_days = days_from_civil, civil_from_days
-- The date "YYYY-MM-DD" of a day (days since 1970-01-01).
function M.date_text(z) return string.format("%04d-%02d-%02d", civil_from_days(z)) end
-- Days since 1970-01-01 of the Monday of ISO week w of year y (the week
-- holding January 4th is week 1).
function M.iso_week_monday(y, w)
  local jan4 = days_from_civil(y, 1, 4)
  return jan4 - (jan4 + 3) % 7 + 7 * (w - 1)
end

-- Whether start is a valid start for unit.
function M.valid(unit, start)
  return type(start) == "string" and UNITS[unit].index(start) ~= nil
end

-- The label of period t (1-based) of a scenario starting at start.
function M.label(unit, start, t)
  local u = UNITS[unit]
  return u.label(u.index(start) + (t - 1) * u.step)
end

-- The labels of periods 1..n.
function M.labels(unit, start, n)
  local out = {}
  for t = 1, n do out[t] = M.label(unit, start, t) end
  return out
end

-- The period (1-based, possibly outside 1..periods) that label names, or nil
-- when it is not a label of the unit: for weeks, the week that holds the date.
function M.period_of(unit, start, label)
  local u = UNITS[unit]
  local i = type(label) == "string" and u.index(label)
  if not i then return nil end
  return (i - u.index(start)) // u.step + 1
end

return M
