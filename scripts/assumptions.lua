-- assumptions: the uncertain assumptions of a run, as every result reports
-- them (DESIGN.md's `assumptions`): per assumption its path, the law as
-- written, and the mean, p5 and p95 of what the run draws (of the law, as
-- clipped: core.assumptions), with the counts it came from when calibrate()
-- made it, and after --actuals its prior and how it was updated.
local core = ...

local M = {}

-- The laws of a normalized scenario by their stream key (a rate per
-- channel's default entry appears once per channel that has no rate of its
-- own, under the default's key).
local function laws_of(norm)
  local by_key, seen = {}, {}
  local function walk(t)
    if type(t) ~= "table" or seen[t] then return end
    seen[t] = true
    if type(t.kind) == "string" and type(t.path) == "string" and t.label then by_key[t.path] = t end
    for _, k in ipairs(core._script("object").sorted_keys(t)) do walk(t[k]) end
  end
  walk(norm)
  return by_key
end

-- The list for normalized scenario norm: each drawn assumption once, in the
-- compiled model's order. updates (after --actuals: by path, { prior =
-- {law, mean, p5, p95}, method =, ess = }) are merged in (the method as update).
function M.list(norm, updates)
  local laws = laws_of(norm)
  local out, seen = {}, {}
  for _, a in ipairs(core.assumptions(norm)) do
    local law = laws[a.path]
    if a.law ~= "fixed" and not seen[a.path] then
      seen[a.path] = true
      local item = { path = a.path, law = law and law.label or a.law, each = a.per_period and "period" or "trial",
        mean = a.mean, p5 = a.p5, p95 = a.p95, source = law and law.source }
      local u = updates and updates[a.path]
      if u then item.prior, item.update, item.ess, item.observed = u.prior, u.method, u.ess, u.observed end
      out[#out + 1] = item
    end
  end
  return out
end

-- Gives each result of results (one per normalized scenario of norms) its
-- assumptions list.
function M.attach(results, norms, updates)
  for i, r in ipairs(results) do r.assumptions = M.list(norms[i] or norms[1], updates) end
  return results
end

-- The JSON of a list, one assumption per line, keys in a fixed order.
local SOURCE_KEYS = { "text", "file", "periods", "what", "of", "successes", "trials", "weight", "spend", "arrivals",
  "months" }
local STAT_KEYS = { "law", "mean", "p5", "p95" }

function M.json(list, indent)
  local json = core._script("json")
  local num, str = json.num, json.str
  local function fields(t, keys)
    local parts = {}
    for _, k in ipairs(keys) do
      local v = t[k]
      if v ~= nil then parts[#parts + 1] = str(k) .. ": " .. (type(v) == "string" and str(v) or num(v)) end
    end
    return "{ " .. table.concat(parts, ", ") .. " }"
  end
  local items = {}
  for i, a in ipairs(list) do
    local parts = { '"path": ' .. str(a.path), '"law": ' .. str(a.law), '"each": ' .. str(a.each),
      '"mean": ' .. num(a.mean), '"p5": ' .. num(a.p5), '"p95": ' .. num(a.p95) }
    if a.source then parts[#parts + 1] = '"source": ' .. fields(a.source, SOURCE_KEYS) end
    if a.prior then
      parts[#parts + 1] = '"prior": ' .. fields(a.prior, STAT_KEYS)
      parts[#parts + 1] = '"update": ' .. str(a.update or "none")
      if a.observed then parts[#parts + 1] = '"observed": ' .. fields(a.observed, SOURCE_KEYS) end
      if a.ess then parts[#parts + 1] = '"ess": ' .. num(a.ess) end
    end
    items[i] = "{ " .. table.concat(parts, ", ") .. " }"
  end
  return json.array(items, indent)
end

return M
