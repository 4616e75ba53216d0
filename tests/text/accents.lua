-- A French plan with accented and long names, money in euros and a
-- calendar start: the text report's snapshots (tests/check_text.sh) read it
-- at 80 and 100 columns, in English and French.
return scenario {
  name = "Plan d'acquisition 2027 — référencement et salons professionnels",
  periods = 6, unit = "month", start = "2027-01", currency = "EUR",
  trials = 4000, seed = 7,
  channels = {
    ["référencement naturel et payant"] = { spend = 12000, cpc = lognormal{ median = 2.4, sigma = 0.2 } },
    ["salons"] = { spend = 8000, cpc = lognormal{ median = 6.0, sigma = 0.25 } },
  },
  funnel = {
    { "visiteur" },
    { "prospect", rate = beta(30, 970) },
    { "qualifié", rate = beta(40, 60) },
    { "opportunité", rate = beta(30, 70) },
    { "client", rate = beta(25, 75), delay = 1 },
  },
  customers = { initial = 300, churn = beta(3, 97), arpu = 120 },
  goals = {
    goal{ name = "Cinquante nouveaux clients signés avant la fin du premier semestre 2027", metric = "new_customers",
      at_least = 50 },
    goal{ name = "Coût d'acquisition sous 3 000 €", metric = "cac", at_most = 3000, confidence = 0.6 },
    goal{ name = "Une certitude", metric = "active_end", at_least = 1 },
  },
}
