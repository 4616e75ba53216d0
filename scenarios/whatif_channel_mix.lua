-- A what-if study of the kind a growth team runs on the 2027 inbound plan
-- (b2b_saas_inbound.lua): move budget between channels, cut one, or both,
-- and see which plan is better, by how much, and in how many futures.
--
-- Run it:   funnelcast run scenarios/whatif_channel_mix.lua
-- As JSON:  funnelcast run scenarios/whatif_channel_mix.lua --format json
--
-- The four plans run on common random numbers: trial i of each sees the same
-- cost per click, the same conversion rates and the same churn, so the
-- difference between two plans in a trial is the effect of the change, not
-- the luck of the draw. The first plan is the base every other is compared
-- with.
local base = include "b2b_saas_inbound.lua"

-- Events cost more per visit than search: move a fifth of their budget.
local shift = reallocate(base, { from = "events", to = "search", share = 0.2 })
  :with{ name = "20% of events to search" }

-- Spend 30% less on social and keep the money: fewer customers, but is the
-- return on what is spent better?
local cut = scale(base, { channel = "social", by = 0.7 })
  :with{ name = "social cut by 30%" }

-- Both changes at once.
local both = scale(shift, { channel = "social", by = 0.7 })
  :with{ name = "both" }

return compare{ base, shift, cut, both }
