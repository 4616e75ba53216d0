-- lang_en: the English catalogue of the reports (see scripts/locale.lua for
-- the shape; every other language's catalogue has the same keys).
return {
  name = "English",
  number = { group = ",", decimal = ".", percent = "%s%%" },
  months = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" },
  dates = { month = "%m %y", quarter = "Q%q %y", week = "week of %m %d, %y", day = "%m %d, %y" },
  -- %c the currency's sign or code, %v the amount
  money = { sign = "%c%v", code = "%v %c" },
  strings = {
    -- text report ---------------------------------------------------------
  },
}
