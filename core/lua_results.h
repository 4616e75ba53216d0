/* lua_results: the results table that Lua reports, comparisons and plans
 * read. Shape (every `stat` is { mean, sd, min, max, p5, p10, p25, p50, p75,
 * p90, p95, n, infinite, count }):
 *   { scenario, trials, seed, periods, unit,
 *     metrics  = { { name = "new_customers", stat = ... }, ... }   (report order)
 *     stages   = { { name, total = stat, cost = stat }, ... }
 *     channels = { { name, visitors, spend = stat, customers = stat|nil, cac = stat|nil }, ... }
 *     series   = { { name, periods = { stat, ... } }, ... }  (stages first, then the others)
 *     goals    = { { name, metric, op, target, by, probability, confidence, on_track,
 *                    value = stat (the metric through `by`) }, ... } }
 * and a comparison's differences, one table per scenario after the first
 * (every stat of the per-trial difference, alternative minus base):
 *   { scenario, against, trials,
 *     metrics  = { { name, stat, better, ties, direction = "higher"|"lower" }, ... }
 *     goals    = { { name, probability, against, difference, se }, ... }  (both have it, alt's order)
 *     stages   = { { name, total = change, cost = change }, ... }  (both have it, base order)
 *     channels = { { name, visitors, spend = change, customers = change|nil, cac = change|nil }, ... } }
 * where a change is { mean, p50, infinite }: the difference of the two
 * scenarios' means and of their medians. A lean run's results (a search's
 * candidate, core.evaluate) hold only what it summarized:
 *   { trials, metrics = { [name] = stat, ... },
 *     goals = { { name, probability, met (trials), value = stat }, ... } } */
#ifndef FC_LUA_RESULTS_H
#define FC_LUA_RESULTS_H

#include <stdint.h>

#include <lua.h>

#include "paired.h"
#include "summary.h"

/* Registry key of an optional light userdata pointing to a volatile
 * sig_atomic_t: when it becomes nonzero, a running core.run stops and raises
 * "interrupted". */
#define FC_LUA_STOP_KEY "funnelcast.stop"

/* Registry key of an optional light userdata pointing to an fc_lua_progress:
 * core.run then reports its progress through it (the CLI's progress bar). */
#define FC_LUA_PROGRESS_KEY "funnelcast.progress"

/* Registry key of an optional integer: the most bytes a run's working memory
 * may take (see budget.h); runs get fewer threads to fit, or are refused. */
#define FC_LUA_MAX_MEMORY_KEY "funnelcast.max_memory"

typedef struct fc_lua_progress {
    void (*fn)(void *ctx, uint64_t done, uint64_t total);
    void *ctx;
} fc_lua_progress;

/* Pushes the results table of a finished summary. */
void fc_lua_push_results(lua_State *L, const fc_summary *s);

/* Pushes the differences of a finished paired run: diff (the pairing's
 * summary), base and alt the two scenarios' summaries. */
void fc_lua_push_differences(lua_State *L, const fc_pairing *p, const fc_summary *diff, const fc_summary *base,
                             const fc_summary *alt);

/* Pushes a lean summary's results (its shape from fc_shape_lean with these
 * nmetrics totals). */
void fc_lua_push_lean(lua_State *L, const fc_summary *s, const int *metrics, int nmetrics);

#endif
