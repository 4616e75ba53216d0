-- lang_fr: le catalogue français des rapports (la forme est décrite dans
-- scripts/locale.lua ; les clés sont celles du catalogue anglais).
return {
  name = "Français",
  number = { group = " ", decimal = ",", percent = "%s %%" },
  months = { "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc." },
  dates = { month = "%m %y", quarter = "T%q %y", week = "semaine du %d %m %y", day = "%d %m %y" },
  money = { sign = "%v %c", code = "%v %c" },
  strings = {
    -- rapport texte -------------------------------------------------------
  },
}
