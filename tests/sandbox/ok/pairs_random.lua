-- Builds its channels by walking a table with pairs() and draws their
-- budgets with math.random: with the same --seed, every process must print
-- the same bytes (pairs, next and table.sort walk and sort in one stable order).
local names = { "search", "social", "events", "display", "email", "partners", "video", "radio", "podcasts", "print" }
local set = {}
for _, n in ipairs(names) do set[n] = true end
local channels, order = {}, {}
for name in pairs(set) do
  channels[name] = { spend = math.random(1000, 5000), cpc = 1 + math.random() }
  order[#order + 1] = name
end
local k, walked = next(set), {}
while k do walked[#walked + 1] = k; k = next(set, k) end
assert(table.concat(walked, ",") == table.concat(order, ","), "next walks as pairs does")
-- a sort with ties keeps the order it was given (stable)
local rows = {}
for i, n in ipairs(order) do rows[i] = { name = n, size = #n } end
table.sort(rows, function(a, b) return a.size < b.size end)
local sorted = {}
for i, r in ipairs(rows) do sorted[i] = r.name end
return scenario {
  name = table.concat(sorted, " "),
  channels = channels,
  funnel = { { "visitor" }, { "customer", rate = 0.01 } },
}
