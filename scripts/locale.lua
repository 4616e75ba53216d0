-- locale: what a report says in a language, and how it writes numbers,
-- money, shares and dates there. One catalogue per language, the file
-- scripts/lang_<code>.lua ({ name, number = { group, decimal, percent },
-- months = { 12 short names }, date patterns, money patterns, strings =
-- { key = text } }): adding a language is adding that file. JSON and CSV
-- never go through here: they are the same in every language.
local core = ...
local M = {}

-- The catalogue of a language code, or nil.
local function catalogue(code)
  if type(code) ~= "string" or not code:match("^%l%l%l?$") then return nil end
  local ok, c = pcall(core._script, "lang_" .. code)
  return ok and c or nil
end

-- The language codes with a catalogue, sorted.
function M.languages()
  local out = {}
  for _, name in ipairs(core._scripts()) do
    local code = name:match("^lang_(%l+)$")
    if code then out[#out + 1] = code end
  end
  table.sort(out)
  return out
end

-- The language code of a locale name: "fr" of "fr_FR.UTF-8", "fr@euro" or
-- "fr"; nil when it names none.
function M.code_of(name)
  if type(name) ~= "string" then return nil end
  return name:match("^(%l%l%l?)[_.@]") or name:match("^(%l%l%l?)$")
end

-- The language a LANG value names ("fr_FR.UTF-8" -> "fr"), when it has a
-- catalogue; else "en".
function M.from_env(lang)
  local code = M.code_of(lang)
  return catalogue(code) and code or "en"
end

-- Numbers in English and the C locale's signs: the forms every language's
-- are made from (L.num and the others below) ------------------------------

-- Numbers for people: grouped thousands for large values, 3 significant
-- digits for small ones.
local function human(x)
  if x ~= x then return "-" end
  if x == math.huge then return "inf" end
  if x == -math.huge then return "-inf" end
  local a = math.abs(x)
  local s
  if a >= 1e15 then
    s = string.format("%.3g", x) -- past a quadrillion, digits no longer help a reader
  elseif a >= 1000 then
    s = string.format("%.0f", a):reverse():gsub("(%d%d%d)", "%1,"):reverse():gsub("^,", "")
    if x < 0 then s = "-" .. s end
  elseif x == math.floor(x) then
    s = string.format("%d", x)
  else
    s = string.format("%.3g", x)
  end
  return s
end
M.human = human

-- At most 8 columns, for tables that must stay narrow: 3 significant digits
-- with k, M, B or T past a thousand ("12.3M"), an exponent past 1e15 or
-- under 0.01.
local SUFFIXES = { { 1e3, "k" }, { 1e6, "M" }, { 1e9, "B" }, { 1e12, "T" } }
function M.compact(x)
  if x ~= x or x == math.huge or x == -math.huge then return human(x) end
  local a = math.abs(x)
  if a >= 1e15 or (a < 0.01 and a > 0) then return string.format("%.1e", x) end
  for i = #SUFFIXES, 1, -1 do
    local s = SUFFIXES[i]
    if a >= s[1] then
      local t = string.format("%.3g", x / s[1])
      if math.abs(tonumber(t)) < 1000 then return t .. s[2] end
      -- 999,950 rounds to 1,000k: the next suffix says it
      local up = SUFFIXES[i + 1]
      return up and string.format("%.3g", x / up[1]) .. up[2] or string.format("%.1e", x)
    end
  end
  -- 999.95 would read "1e+03"
  if a >= 999.5 then return (x < 0 and "-" or "") .. "1k" end
  return human(x)
end

-- "+1,234", "-56", "0": a difference, with fmt (human by default).
function M.signed(x, fmt)
  local s = (fmt or human)(x)
  if x == x and x > 0 then s = "+" .. s end
  return s
end

-- A share of trials as a whole percentage that never rounds to 0% or 100%
-- when it is not exactly that.
function M.percent(p)
  if p ~= p then return "-" end
  if p > 0 and p < 0.005 then return "<1%" end
  if p < 1 and p > 0.995 then return ">99%" end
  return string.format("%.0f%%", 100 * p)
end

-- Languages ----------------------------------------------------------------

-- The currencies with a sign of their own (written where the language puts
-- signs: "€12,400", "12 400 €"); any other code is written as a code
-- ("12,400 CHF").
local CURRENCY_SIGNS = { EUR = "€", USD = "$", GBP = "£", JPY = "¥", CAD = "CA$", AUD = "A$" }

-- Groups the digits of the integer text s by thousands with sep.
local function group(s, sep)
  local neg, digits = s:match("^(%-?)(%d+)$")
  if not digits then return s end
  local out = digits:reverse():gsub("(%d%d%d)", "%1\0"):reverse():gsub("^%z", "")
  return neg .. out:gsub("%z", sep)
end

-- A locale: M.new(code [, currency [, { nbsp = true, formats = locale }]]) -> L with
--   L.code, L.t(key, ...) (the text of key, formatted with ...),
--   L.num(x) (a number for people: grouped thousands, 3 significant digits
--   under 1,000), L.compact(x) ("12.3k", "1,2M"), L.fixed(x, d) (d decimals),
--   L.pct(p) (a share as a whole percentage, never rounding to 0 or 100 when
--   it is not), L.pct1(p) (one decimal), L.money(x) (L.num with the
--   scenario's currency), L.period(unit, label) (a calendar label in words:
--   "Dec 2027", "déc. 2027").
function M.new(code, currency, opts)
  local c = catalogue(code)
  if not c then
    error(string.format("--lang %s: expected one of %s", tostring(code), table.concat(M.languages(), ", ")), 0)
  end
  -- opts.formats: the locale whose number, money and date formats to use
  -- ("fr", "fr_FR.UTF-8"; default the language's own)
  local f = c
  if opts and opts.formats then
    f = catalogue(M.code_of(opts.formats))
    if not f then
      error(string.format("--locale %s: expected a locale of one of %s (such as fr_FR or en)", tostring(opts.formats),
        table.concat(M.languages(), ", ")), 0)
    end
  end
  local en = catalogue("en")
  local nf = f.number
  local money = f.money
  -- opts.nbsp: the spaces inside numbers and before their units are
  -- no-break spaces (a page that wraps must not break "12 400 €")
  if opts and opts.nbsp then
    local function glue(s) return (s:gsub(" ", "\u{A0}")) end
    nf = { group = glue(nf.group), decimal = nf.decimal, percent = glue(nf.percent) }
    money = { sign = glue(money.sign), code = glue(money.code) }
  end
  local L = { code = code, name = c.name }
  -- "1,234.5" (the C locale's text, as string.format writes it in every
  -- locale: funnelcast never calls setlocale) in the language's signs
  local function localize(s)
    return (s:gsub("[,.]", { [","] = "\0G", ["."] = "\0D" }):gsub("%z([GD])", { G = nf.group, D = nf.decimal }))
  end
  L.localize = localize

  function L.t(key, ...)
    local s = c.strings[key] or en.strings[key]
    if not s then error("locale: no text for " .. key, 2) end
    if select("#", ...) > 0 then return string.format(s, ...) end
    return s
  end

  -- the English forms, then localized
  function L.num(x) return localize(human(x)) end
  function L.compact(x) return localize(M.compact(x)) end
  function L.signed(x) return localize(M.signed(x)) end
  function L.fixed(x, d)
    if x ~= x then return "-" end
    local s = string.format("%." .. d .. "f", x)
    local int, frac = s:match("^(%-?%d+)(.*)$")
    return localize(group(int, ",") .. frac)
  end
  local function percent(text) return string.format(nf.percent, localize(text)) end
  function L.pct(p)
    if p ~= p then return "-" end
    if p > 0 and p < 0.005 then return "<" .. percent("1") end
    if p < 1 and p > 0.995 then return ">" .. percent("99") end
    return percent(string.format("%.0f", 100 * p))
  end
  -- one decimal, never rounding to 0.0 or 100.0 when it is not exactly that
  function L.pct1(p)
    if p ~= p then return "-" end
    if p > 0 and p < 0.0005 then return "<" .. percent("0.1") end
    if p < 1 and p > 0.9995 then return ">" .. percent("99.9") end
    return percent(string.format("%.1f", 100 * p))
  end
  function L.money(x, fmt)
    local s = (fmt or L.num)(x)
    if not currency or s == "-" then return s end
    local sign = CURRENCY_SIGNS[currency] or currency
    local neg = s:match("^%-") and "-" or ""
    s = s:gsub("^%-", "")
    local pattern = money[CURRENCY_SIGNS[currency] and "sign" or "code"]
    return neg .. pattern:gsub("%%v", (s:gsub("%%", "%%%%"))):gsub("%%c", (sign:gsub("%%", "%%%%")))
  end
  L.currency, L.formats = currency, opts and opts.formats
  function L.period(unit, label)
    if unit == "month" then
      local y, m = label:match("^(%d+)%-(%d%d)$")
      if y then return (f.dates.month:gsub("%%m", f.months[tonumber(m)]):gsub("%%y", y)) end
    elseif unit == "quarter" then
      local y, q = label:match("^(%d+)%-Q(%d)$")
      if y then return (f.dates.quarter:gsub("%%q", q):gsub("%%y", y)) end
    elseif unit == "week" or unit == "day" then
      local y, m, d = label:match("^(%d+)%-(%d%d)%-(%d%d)$")
      if y then
        return (f.dates[unit]:gsub("%%d", tostring(tonumber(d))):gsub("%%m", f.months[tonumber(m)]):gsub("%%y", y))
      end
    end
    return label
  end
  return L
end

return M
