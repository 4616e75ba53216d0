/* lua_run: the bindings that run scenarios (core.run, core.compare,
 * core.run_shard, core.merge, core.compile_check): compile, plan the
 * memory, run the engine, and push the results tables (core/lua_results.h).
 * A run is a set of models run trial by trial together (core/engine.h): one
 * for core.run, several for a comparison. */
#include "lua_run.h"
#include "elem.h"
#include "lua_results.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <lauxlib.h>

#include "budget.h"
#include "dist.h"
#include "engine.h"
#include "special.h"
#include "lua_model.h"
#include "lua_sandbox.h"
#include "paired.h"
#include "partial.h"

/* Raises msg as is: run errors name the scenario's fields, not a Lua line. */
static int raise_msg(lua_State *L, const char *msg)
{
    lua_pushstring(L, msg);
    return lua_error(L);
}

static int opt_int(lua_State *L, int idx, const char *k, lua_Integer dflt, lua_Integer *out)
{
    lua_getfield(L, idx, k);
    int ok = 1;
    *out = lua_isnil(L, -1) ? dflt : lua_tointegerx(L, -1, &ok);
    lua_pop(L, 1);
    return ok;
}

/* What a binding holds across Lua calls that can raise (a memory error in
 * lua_pushstring, say): a userdata whose __gc frees whatever is still set,
 * so that no error path leaks and the normal path frees it early. */
typedef struct run_ctx {
    int n;              /* models of the set */
    fc_model *ms[FC_MAX_COMPARED];
    fc_summary *ss[FC_MAX_COMPARED];
    fc_pairing pair[FC_MAX_COMPARED]; /* [1, n) */
    fc_summary *ds[FC_MAX_COMPARED];  /* [1, n) */
    fc_run_set set;     /* over the above */
    fc_merge *merge;    /* a merge of partial summaries */
    fc_partial head;    /* a partial's head */
    unsigned char *bytes; /* an encoded partial */
    fc_run_opts opts;
    double precision;   /* 0: run m->trials; else stop when precise (at most m->trials) */
    int paired;         /* models after the first are paired with it (differences) */
    int lean;           /* the summaries are lean: shape[j] */
    fc_shape shape[FC_MAX_COMPARED];
    int *pick[FC_MAX_COMPARED]; /* owned: shape[j]'s */
    uint64_t shard_k, shard_n;
    double seconds;
} run_ctx;

/* The first model and its summary: a run of one scenario. */
#define M0(c) ((c)->ms[0])
#define S0(c) ((c)->ss[0])

#define RUN_CTX_MT "funnelcast.run_ctx"

static void run_ctx_free(run_ctx *c)
{
    for (int j = 0; j < FC_MAX_COMPARED; j++) {
        fc_summary_free(c->ss[j]);
        fc_summary_free(c->ds[j]);
        fc_pairing_free(&c->pair[j]);
        fc_model_free(c->ms[j]);
        free(c->pick[j]);
        c->ss[j] = c->ds[j] = NULL;
        c->ms[j] = NULL;
        c->pick[j] = NULL;
    }
    fc_merge_free(c->merge);
    fc_partial_free(&c->head);
    free(c->bytes);
    c->merge = NULL;
    c->bytes = NULL;
}

/* The bytes the Lua state holds now: a run gets the limit less these. */
static uint64_t lua_bytes(lua_State *L)
{
    return (uint64_t)lua_gc(L, LUA_GCCOUNT, 0) * 1024 + (uint64_t)lua_gc(L, LUA_GCCOUNTB, 0);
}

/* The embedding program's limit (the CLI's --max-memory), else
 * FC_DEFAULT_MAX_MEMORY. */
static uint64_t max_memory_of(lua_State *L)
{
    uint64_t max_memory = FC_DEFAULT_MAX_MEMORY;
    if (lua_getfield(L, LUA_REGISTRYINDEX, FC_LUA_MAX_MEMORY_KEY) == LUA_TNUMBER && lua_tointeger(L, -1) > 0)
        max_memory = (uint64_t)lua_tointeger(L, -1);
    lua_pop(L, 1);
    return max_memory;
}

/* Frees a finished summary's histograms and gives their pages back to the
 * system, before the results (Lua's allocations) are built: the threads'
 * allocator arenas would otherwise keep them, beside what Lua takes. */
static void drop_counts(fc_summary *s)
{
    fc_summary_drop_counts(s);
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}

static int run_ctx_gc(lua_State *L)
{
    run_ctx_free(luaL_checkudata(L, 1, RUN_CTX_MT));
    return 0;
}

/* Pushes a new, empty run_ctx. */
static run_ctx *run_ctx_new(lua_State *L)
{
    run_ctx *c = lua_newuserdatauv(L, sizeof *c, 0);
    memset(c, 0, sizeof *c);
    if (luaL_newmetatable(L, RUN_CTX_MT)) {
        lua_pushcfunction(L, run_ctx_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    return c;
}

/* The set of c's models, summaries and pairings, for the engine. */
static void set_of_ctx(run_ctx *c)
{
    memset(&c->set, 0, sizeof c->set);
    c->set.n = c->n;
    for (int j = 0; j < c->n; j++) {
        c->set.models[j] = c->ms[j];
        c->set.sums[j] = c->ss[j];
        c->set.lean[j] = c->lean ? &c->shape[j] : NULL;
        if (j > 0 && c->paired) {
            c->set.pairs[j] = &c->pair[j];
            c->set.diffs[j] = c->ds[j];
        }
    }
}

/* "scenario "x"" or "comparison of "x", "y" ..." for messages. */
static void name_set(const run_ctx *c, char *buf, size_t len)
{
    if (c->n == 1) {
        snprintf(buf, len, "scenario \"%.200s\"", M0(c)->name);
        return;
    }
    size_t at = (size_t)snprintf(buf, len, "comparison of \"%.60s\"", M0(c)->name);
    for (int j = 1; j < c->n && at < len; j++)
        at += (size_t)snprintf(buf + at, len - at, j + 1 < c->n ? ", \"%.60s\"" : " and \"%.60s\"", c->ms[j]->name);
}

/* Compiles the scenarios at argument 1 into c: one normalized table, or
 * with `many` a list of 1 to FC_MAX_COMPARED of them (a comparison, the
 * first the base: names must differ), and pairs each after the first with
 * the first when c->paired. `what` names the binding in messages; raises on
 * errors. */
static void compile_set(lua_State *L, run_ctx *c, int many, const char *what)
{
    char err[512];
    lua_Integer n = 1;
    if (many) {
        luaL_checktype(L, 1, LUA_TTABLE);
        n = (lua_Integer)lua_rawlen(L, 1);
        if (n < 1 || n > FC_MAX_COMPARED) {
            snprintf(err, sizeof err, "%s: expected 1 to %d scenarios, got %lld", what, FC_MAX_COMPARED, (long long)n);
            raise_msg(L, err);
        }
    }
    for (int j = 0; j < (int)n; j++) {
        if (many)
            lua_rawgeti(L, 1, j + 1);
        else
            lua_pushvalue(L, 1);
        int st = fc_lua_compile(L, lua_gettop(L), &c->ms[j], err, sizeof err);
        lua_pop(L, 1);
        if (st != 0)
            raise_msg(L, err);
        c->n = j + 1;
        for (int k = 0; k < j && c->paired; k++)
            if (strcmp(c->ms[k]->name, c->ms[j]->name) == 0) {
                snprintf(err, sizeof err,
                         "%s: scenarios %d and %d are both named \"%.200s\": names must be unique in a "
                         "comparison (give one a name = ...)", what, k + 1, j + 1, c->ms[j]->name);
                raise_msg(L, err);
            }
        if (j > 0 && c->paired && fc_pairing_make(&c->pair[j], c->ms[0], c->ms[j]) != 0)
            raise_msg(L, "out of memory");
    }
}

/* Compiles the scenarios at argument 1 (compile_set) and reads the
 * options table at 2 ({ trials, seed, threads, precision, shard_k, shard_n,
 * max_memory }); raises on errors. A comparison runs every scenario on the
 * first's trial count and seed (common random numbers), or the options'.
 * With `lean` (nlean metric ids), the summaries are lean (fc_shape_lean:
 * those totals and the goals) and the scenarios are not paired: a search's
 * candidates, on common random numbers too. With `objective` too (a goal's
 * name, or NULL), a lean summary counts that goal alone, and its trials may
 * draw it from its marginal law (fc_engine_marginal). */
static run_ctx *run_setup(lua_State *L, int many, const int *lean, int nlean, const char *objective)
{
    run_ctx *c = run_ctx_new(L);
    c->paired = lean == NULL;
    compile_set(L, c, many, lean ? "evaluate" : "compare");
    fc_model *m = M0(c);
    lua_Integer trials = (lua_Integer)m->trials, seed = (lua_Integer)m->seed, threads = 0;
    lua_Integer k = 0, n = 0;
    /* the most memory the Lua state and a run may take together: the
     * options', else the embedding program's, else FC_DEFAULT_MAX_MEMORY */
    lua_Integer max_memory = (lua_Integer)max_memory_of(L);
    if (lua_istable(L, 2)) {
        int ok = opt_int(L, 2, "trials", trials, &trials) && opt_int(L, 2, "seed", seed, &seed) &&
                 opt_int(L, 2, "threads", 0, &threads) && opt_int(L, 2, "shard_k", 0, &k) &&
                 opt_int(L, 2, "shard_n", 0, &n) && opt_int(L, 2, "max_memory", max_memory, &max_memory);
        lua_getfield(L, 2, "precision");
        c->precision = lua_tonumber(L, -1);
        lua_pop(L, 1);
        if (!ok || trials < 1 || trials > FC_MAX_TRIALS || threads < 0 || threads > FC_MAX_THREADS ||
            n < 0 || k < 0 || (n > 0 && k >= n) || !(c->precision >= 0 && c->precision < 1) ||
            max_memory < 1) {
            raise_msg(L, "run: options: expected 1 <= trials <= 1e12, 0 <= threads <= 256, "
                         "0 <= shard_k < shard_n, 0 <= precision < 1 and max_memory >= 1");
        }
        if (lean && (c->precision > 0 || n > 0))
            raise_msg(L, "evaluate: options: a search's candidates run whole (no precision, no shards)");
    }
    for (int j = 0; j < c->n; j++) {
        c->ms[j]->trials = (uint64_t)trials;
        c->ms[j]->seed = (uint64_t)seed;
    }
    c->shard_k = (uint64_t)k;
    c->shard_n = (uint64_t)n;
    c->lean = lean != NULL;
    for (int j = 0; lean && j < c->n; j++) {
        c->pick[j] = malloc(((size_t)nlean + (size_t)c->ms[j]->ngoals + 1) * sizeof(int));
        if (c->pick[j] == NULL)
            raise_msg(L, "out of memory");
        int goal = -1;
        for (int g = 0; objective && g < c->ms[j]->ngoals && goal < 0; g++)
            if (strcmp(c->ms[j]->goals[g].name, objective) == 0)
                goal = g;
        if (objective && goal < 0) {
            char err[400];
            snprintf(err, sizeof err, "evaluate: objective: scenario %d has no goal named \"%.200s\"", j + 1,
                     objective);
            raise_msg(L, err);
        }
        fc_shape_lean(c->ms[j], lean, nlean, goal, c->pick[j], &c->shape[j]);
        c->shape[j].marginal = objective != NULL;
    }
    set_of_ctx(c);
    /* Results do not depend on the thread count: a run that would not fit
     * gets fewer threads, and one that does not fit on one is refused before
     * anything is allocated. The histograms' caps depend on the models and
     * the limit only. */
    int wanted = threads > 0 ? (int)threads : fc_cpu_count();
    uint64_t nblocks = (m->trials + FC_BLOCK - 1) / FC_BLOCK;
    uint64_t nkept = n > 0 && nblocks > c->shard_k ? (nblocks - c->shard_k + c->shard_n - 1) / c->shard_n : 0;
    fc_run_plan plan;
    if (fc_set_plan_make(&c->set, wanted, (uint64_t)max_memory, lua_bytes(L), nkept, &plan) != 0) {
        char what[256], msg[768];
        name_set(c, what, sizeof what);
        snprintf(msg, sizeof msg,
                 "%s: a run needs about %.0f MiB of working memory (%d period%s, %d stage%s, "
                 "%d channel%s, %d goal%s%s), more than the limit of %.0f MiB; raise the limit with --max-memory%s",
                 what, (double)plan.need / 1048576.0, m->periods, m->periods == 1 ? "" : "s",
                 m->nstages, m->nstages == 1 ? "" : "s", m->nchannels, m->nchannels == 1 ? "" : "s",
                 m->ngoals, m->ngoals == 1 ? "" : "s", c->n > 1 ? " in the first" : "",
                 (double)max_memory / 1048576.0,
                 nkept > 0 ? ", or run more shards (each keeps the moments of its blocks)" : "");
        raise_msg(L, msg);
    }
    threads = plan.threads;
    for (int j = 0; j < c->n; j++) {
        c->ss[j] = lean ? fc_summary_new_shape(&c->shape[j], 4 * plan.threads)
                        : fc_summary_new(c->ms[j], 4 * plan.threads);
        if (c->ss[j] == NULL || (n > 0 && fc_summary_set_shard(c->ss[j], c->shard_k, c->shard_n, m->trials) != 0))
            raise_msg(L, "out of memory");
        if (lean)
            fc_summary_set_caps(c->ss[j], plan.lean[j], plan.lean[j], UINT64_MAX, plan.sum_yield[j]);
        else
            fc_summary_set_caps(c->ss[j], plan.total, plan.series, UINT64_MAX, plan.sum_yield[j]);
        if (j == 0 || !c->paired)
            continue;
        c->ds[j] = fc_summary_new_shape(&c->pair[j].shape, 4 * plan.threads);
        if (c->ds[j] == NULL || (n > 0 && fc_summary_set_shard(c->ds[j], c->shard_k, c->shard_n, m->trials) != 0))
            raise_msg(L, "out of memory");
        fc_summary_set_caps(c->ds[j], plan.total, plan.total, UINT64_MAX, plan.diff_yield[j]);
    }
    set_of_ctx(c);
    /* the embedding program may register a stop flag (the CLI's Ctrl-C) and
     * a progress display */
    lua_getfield(L, LUA_REGISTRYINDEX, FC_LUA_STOP_KEY);
    c->opts.stop = lua_touserdata(L, -1);
    lua_getfield(L, LUA_REGISTRYINDEX, FC_LUA_PROGRESS_KEY);
    const fc_lua_progress *progress = lua_touserdata(L, -1);
    lua_pop(L, 2);
    c->opts.threads = (int)threads;
    if (progress && c->precision == 0) {
        c->opts.progress = progress->fn;
        c->opts.progress_ctx = progress->ctx;
    }
    return c;
}

/* Rounds of this many trials between checks of --precision: a whole number
 * of blocks, so that where a run stops depends on the seed alone. */
#define PRECISION_ROUND (16 * FC_BLOCK)

/* Whether every summary of the set is as precise as --precision asks. */
static int set_precise(const run_ctx *c)
{
    for (int j = 0; j < c->n; j++)
        if (!fc_summary_precise(c->ss[j], c->precision) ||
            (j > 0 && !fc_pairing_precise(&c->pair[j], c->ds[j], S0(c), c->precision)))
            return 0;
    return 1;
}

/* Runs the trials (all, or round by round until precise); raises on errors. */
static void run_trials(lua_State *L, run_ctx *c)
{
    char err[512];
    struct timespec t0, t1;
    /* the embedding program may want to know when the simulation runs */
    lua_getfield(L, LUA_REGISTRYINDEX, FC_LUA_PHASE_KEY);
    const fc_lua_phase *phase = lua_touserdata(L, -1);
    lua_pop(L, 1);
    if (phase)
        phase->simulating(1);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int st = 0;
    const uint64_t trials = M0(c)->trials;
    if (c->precision > 0) {
        while (st == 0 && S0(c)->ntrials < trials) {
            uint64_t upto = S0(c)->ntrials + PRECISION_ROUND;
            st = fc_engine_run_set(&c->set, upto < trials ? upto : trials, &c->opts, err, sizeof err);
            if (st == 0 && set_precise(c))
                break;
        }
    } else {
        st = fc_engine_run_set(&c->set, trials, &c->opts, err, sizeof err);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    c->seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    for (int j = 0; st == 0 && c->shard_n == 0 && j < c->n; j++)
        if (fc_summary_finish(c->ss[j]) != 0 || (c->ds[j] && fc_summary_finish(c->ds[j]) != 0)) {
            st = -1;
            snprintf(err, sizeof err, "out of memory");
        }
    /* a comparison's failure names the scenario whose trial failed */
    if (st == -1 && c->n > 1 && c->set.failed >= 0) {
        char named[640];
        snprintf(named, sizeof named, "scenario \"%.100s\": %.400s", c->ms[c->set.failed]->name, err);
        snprintf(err, sizeof err, "%.511s", named);
    }
    /* the statistics are the simulation's work too, not the scenario's */
    if (phase)
        phase->simulating(0);
    if (st != 0)
        raise_msg(L, st == -2 ? "interrupted" : err);
}

/* core.run(normalized [, { trials, seed, threads, precision }]) -> results.
 * Raises "<message>" on a bad model or a failed run, and "interrupted". */
static void set_precision(lua_State *L, const run_ctx *c)
{
    if (c->precision > 0) {
        lua_pushnumber(L, c->precision);
        lua_setfield(L, -2, "precision");
        lua_pushboolean(L, S0(c)->ntrials < M0(c)->trials || set_precise(c));
        lua_setfield(L, -2, "precise");
    }
}

static int l_run(lua_State *L)
{
    run_ctx *c = run_setup(L, 0, NULL, 0, NULL);
    c->shard_n = 0;
    run_trials(L, c);
    drop_counts(S0(c));
    fc_lua_push_results(L, S0(c));
    lua_pushnumber(L, c->seconds);
    lua_setfield(L, -2, "engine_seconds");
    set_precision(L, c);
    run_ctx_free(c);
    return 1;
}

/* Pushes a finished set's { scenarios = { results, ... }, differences = {
 * ..., one per scenario after the first } }. */
static void push_set(lua_State *L, run_ctx *c)
{
    for (int j = 0; j < c->n; j++) {
        drop_counts(c->ss[j]);
        if (j > 0)
            drop_counts(c->ds[j]);
    }
    lua_createtable(L, 0, 4);
    lua_createtable(L, c->n, 0);
    for (int j = 0; j < c->n; j++) {
        fc_lua_push_results(L, c->ss[j]);
        set_precision(L, c);
        lua_rawseti(L, -2, j + 1);
    }
    lua_setfield(L, -2, "scenarios");
    lua_createtable(L, c->n - 1, 0);
    for (int j = 1; j < c->n; j++) {
        fc_lua_push_differences(L, &c->pair[j], c->ds[j], S0(c), c->ss[j]);
        lua_rawseti(L, -2, j);
    }
    lua_setfield(L, -2, "differences");
}

/* core.compare({ normalized, ... } [, options]) -> { scenarios, differences,
 * engine_seconds }: the scenarios run paired on the first's trials and seed. */
static int l_compare(lua_State *L)
{
    run_ctx *c = run_setup(L, 1, NULL, 0, NULL);
    c->shard_n = 0;
    run_trials(L, c);
    push_set(L, c);
    lua_pushnumber(L, c->seconds);
    lua_setfield(L, -2, "engine_seconds");
    run_ctx_free(c);
    return 1;
}

/* core.evaluate({ normalized, ... } [, { trials, seed, threads, max_memory,
 * metrics = { name, ... }, objective = goal name }]) -> { lean results, ... }
 * (core/lua_results.h): the candidates of a search, run together on common
 * random numbers (the first's trials and seed, or the options'), each
 * summarizing only its goals (or the objective's goal alone) and the totals
 * named (a lean run: core/engine.h). With an objective and no metrics, a
 * candidate whose goal allows it runs objective-only (fc_engine_marginal):
 * its result says so (objective_only). */
static int l_evaluate(lua_State *L)
{
    int ids[FC_M_COUNT], n = 0;
    char objective[FC_NAME_MAX + 1];
    int has_objective = 0;
    if (lua_istable(L, 2) && lua_getfield(L, 2, "objective") != LUA_TNIL) {
        size_t len;
        const char *s = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &len) : NULL;
        if (s == NULL || len > FC_NAME_MAX)
            return raise_msg(L, "evaluate: objective: expected the name of a goal");
        memcpy(objective, s, len + 1);
        has_objective = 1;
    }
    lua_settop(L, 2);
    if (lua_istable(L, 2) && lua_getfield(L, 2, "metrics") != LUA_TNIL) {
        luaL_checktype(L, -1, LUA_TTABLE);
        for (lua_Integer i = 1; i <= (lua_Integer)lua_rawlen(L, -1); i++) {
            /* a string only: lua_tostring would turn a number into a new
             * string on the stack, gone once popped */
            const char *name = lua_rawgeti(L, -1, i) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
            int id = -1;
            for (int k = 0; name && k < FC_M_COUNT && id < 0; k++)
                if (strcmp(name, fc_metric_name(k)) == 0)
                    id = k;
            if (id < 0 || n == FC_M_COUNT) {
                char err[400];
                snprintf(err, sizeof err, "evaluate: metrics[%lld]: expected the name of a total (%s, ...), got %.200s",
                         (long long)i, fc_metric_name(0), name ? name : "not a string");
                return raise_msg(L, err);
            }
            lua_pop(L, 1);
            ids[n++] = id;
        }
    }
    lua_settop(L, 2);
    run_ctx *c = run_setup(L, 1, ids, n, has_objective ? objective : NULL);
    run_trials(L, c);
    lua_createtable(L, c->n, 0);
    for (int j = 0; j < c->n; j++) {
        fc_lua_push_lean(L, c->ss[j], ids, n);
        lua_pushboolean(L, fc_engine_marginal(c->ms[j], &c->shape[j]));
        lua_setfield(L, -2, "objective_only");
        lua_rawseti(L, -2, j + 1);
    }
    run_ctx_free(c);
    return 1;
}

/* Whether argument idx is a list of normalized scenarios (a comparison)
 * rather than one; raises unless it is a table. */
static int is_scenario_list(lua_State *L, int idx)
{
    luaL_checktype(L, idx, LUA_TTABLE);
    int list = lua_rawgeti(L, idx, 1) == LUA_TTABLE;
    lua_pop(L, 1);
    return list;
}

/* The summaries a partial of c holds, in its order: each scenario's, then
 * each alternative's differences. Returns their number. */
static int partial_summaries(run_ctx *c, fc_summary **out)
{
    int k = 0;
    for (int j = 0; j < c->n; j++)
        out[k++] = c->ss[j];
    for (int j = 1; j < c->n; j++)
        out[k++] = c->ds[j];
    return k;
}

/* core.run_shard(normalized or { normalized, ... }, text, { trials, seed,
 * threads, shard_k, shard_n }) -> the partial summary's bytes, holding
 * `text` (the serialized scenario, or for a comparison the serialized list:
 * its partial holds every scenario's summary and the differences). */
static int l_run_shard(lua_State *L)
{
    size_t tlen;
    const char *text = luaL_checklstring(L, 2, &tlen);
    const int many = is_scenario_list(L, 1);
    lua_settop(L, 3);
    lua_pushvalue(L, 2); /* text at 4: keeps it alive (and its bytes valid) to the end */
    lua_pushvalue(L, 3);
    lua_replace(L, 2); /* options at 2, as run_setup reads them */
    run_ctx *c = run_setup(L, many, NULL, 0, NULL);
    if (c->shard_n == 0)
        return raise_msg(L, "run_shard: expected shard_k and shard_n");
    run_trials(L, c);
    /* the partial's bytes beside the summaries, then beside their copy in
     * the Lua string (the summaries freed by then), within the limit */
    fc_summary *sums[FC_PARTIAL_MAX_SUMMARIES];
    const int nsum = partial_summaries(c, sums);
    size_t len = fc_partial_size_set(sums, nsum, tlen);
    uint64_t held = fc_set_bytes(&c->set, 1, S0(c)->nkept);
    for (int j = 0; j < nsum; j++)
        held += (uint64_t)atomic_load(&sums[j]->meter.used);
    uint64_t max_memory = max_memory_of(L), lua = lua_bytes(L);
    if (lua + len + (held > len ? held : len) > max_memory) {
        char need[32], limit[32], what[256];
        fc_format_bytes(len, need, sizeof need);
        fc_format_bytes(max_memory, limit, sizeof limit);
        name_set(c, what, sizeof what);
        char msg[768];
        snprintf(msg, sizeof msg,
                 "%s: the partial summary takes %s, more than the memory limit of %s leaves; "
                 "raise the limit with --max-memory, or run more shards",
                 what, need, limit);
        return raise_msg(L, msg);
    }
    c->bytes = fc_partial_encode_set(sums, nsum, text, tlen, M0(c)->seed, &len);
    if (c->bytes == NULL)
        return raise_msg(L, "out of memory");
    for (int j = 0; j < c->n; j++) {
        fc_summary_free(c->ss[j]);
        fc_summary_free(c->ds[j]);
        c->ss[j] = c->ds[j] = NULL;
    }
#ifdef __GLIBC__
    malloc_trim(0);
#endif
    lua_pushlstring(L, (const char *)c->bytes, len);
    run_ctx_free(c);
    return 1;
}

/* What a merge may hold: the limit less the Lua state, and the limit's
 * words for messages. */
static uint64_t merge_limit(lua_State *L, char *text, size_t len)
{
    uint64_t max_memory = max_memory_of(L), lua = lua_bytes(L);
    fc_format_bytes(max_memory, text, len);
    return max_memory > lua ? max_memory - lua : 0;
}

/* core.partial_scenario(path) -> the serialized scenario of the partial
 * summary at path (for a comparison, the serialized list of its scenarios),
 * its seed, its trial count and its number of summaries; raises the
 * reader's message for a bad one (one that is not a partial, or too large
 * for the memory limit, at once). */
static int l_partial_scenario(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    run_ctx *c = run_ctx_new(L);
    char err[1024], limit[32];
    uint64_t max_bytes = merge_limit(L, limit, sizeof limit);
    if (fc_partial_read_head(path, max_bytes, limit, &c->head, err, sizeof err) != 0)
        return raise_msg(L, err);
    lua_pushlstring(L, c->head.scenario, c->head.scenario_len);
    lua_pushinteger(L, (lua_Integer)c->head.seed);
    lua_pushinteger(L, (lua_Integer)c->head.run_trials);
    lua_pushinteger(L, (lua_Integer)c->head.nsummaries);
    run_ctx_free(c);
    return 4;
}

/* Compiles core.merge's scenarios at argument 1 into c (compile_set: the
 * text of a partial is not trusted, its names are checked as core.compare
 * checks them) and lists the summaries the partials must hold (models[i],
 * or shapes[i] for the differences). Returns their number; raises on
 * errors. */
static int merge_setup(lua_State *L, run_ctx *c, int many, const fc_model **models, const fc_shape **shapes)
{
    c->paired = 1;
    compile_set(L, c, many, "merge: the partial summaries' scenarios");
    int k = 0;
    for (int j = 0; j < c->n; j++, k++) {
        models[k] = c->ms[j];
        shapes[k] = NULL;
    }
    for (int j = 1; j < c->n; j++, k++) {
        models[k] = NULL;
        shapes[k] = &c->pair[j].shape;
    }
    return k;
}

/* core.merge(normalized or { normalized, ... }, { path, ... }) -> results
 * of the whole run the partials at those paths make up, or for a comparison
 * { scenarios = { results, ... }, differences = { ... } } as core.compare
 * gives them; read one by one in C, counted against the memory limit. */
static int l_merge(lua_State *L)
{
    char err[1024], limit_text[32];
    const int many = is_scenario_list(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    int n = (int)lua_rawlen(L, 2);
    for (int i = 1; i <= n; i++)
        if (lua_rawgeti(L, 2, i) != LUA_TSTRING)
            return raise_msg(L, "merge: expected the paths of the partial summaries");
    lua_settop(L, 2);
    run_ctx *c = run_ctx_new(L);
    const fc_model *models[FC_PARTIAL_MAX_SUMMARIES];
    const fc_shape *shapes[FC_PARTIAL_MAX_SUMMARIES];
    const int nsum = merge_setup(L, c, many, models, shapes);
    uint64_t limit = merge_limit(L, limit_text, sizeof limit_text);
    c->merge = fc_merge_new_set(models, shapes, nsum, n, limit, limit_text, err, sizeof err);
    if (c->merge == NULL)
        return raise_msg(L, err);
    for (int i = 1; i <= n; i++) {
        lua_rawgeti(L, 2, i);
        const char *path = lua_tostring(L, -1);
        if (fc_merge_file(c->merge, path, err, sizeof err) != 0)
            return raise_msg(L, err);
        lua_pop(L, 1);
        for (int j = 0; i == 1 && j < c->n; j++) { /* the run the partials make up: the base's */
            c->ms[j]->seed = fc_merge_seed(c->merge);
            c->ms[j]->trials = fc_merge_trials(c->merge);
        }
    }
    fc_summary *out[FC_PARTIAL_MAX_SUMMARIES];
    if (fc_merge_finish_set(c->merge, out, err, sizeof err) != 0)
        return raise_msg(L, err);
    for (int j = 0; j < c->n; j++) {
        c->ss[j] = out[j];
        if (j > 0)
            c->ds[j] = out[c->n + j - 1];
    }
    if (many) {
        push_set(L, c);
    } else {
        drop_counts(S0(c));
        fc_lua_push_results(L, S0(c));
    }
    run_ctx_free(c);
    return 1;
}

/* core.compile_check(normalized): raises the compiler's message, or returns
 * the number of random assumptions. */
static int l_compile_check(lua_State *L)
{
    char err[512];
    run_ctx *c = run_ctx_new(L);
    if (fc_lua_compile(L, 1, &c->ms[0], err, sizeof err) != 0)
        return raise_msg(L, err);
    int random = 0;
    for (int i = 0; i < M0(c)->nparams; i++)
        random += M0(c)->params[i]->dist.kind != FC_DIST_FIXED;
    run_ctx_free(c);
    lua_pushinteger(L, random);
    return 1;
}

/* The name of a domain in core.assumptions. */
static const char *domain_name(fc_domain d)
{
    switch (d) {
    case FC_DOMAIN_REAL: return "real";
    case FC_DOMAIN_NONNEG: return "nonneg";
    case FC_DOMAIN_POSITIVE: return "positive";
    case FC_DOMAIN_PROBABILITY: return "probability";
    case FC_DOMAIN_FRACTION: return "fraction";
    }
    return "real";
}

/* The mean, median, p5 and p95 of what parameter p draws: of its law, or,
 * clipped (clip = true), of the law moved into its domain (the mean then by
 * a midpoint sum over normal scores, 4,096 points from z = -8.5 to 8.5,
 * through the law's quantile: within about 1e-5 relative where the clip
 * bends it). Discrete laws (Poisson, binomial) give their mean only. */
static void law_stats(lua_State *L, const fc_param *p)
{
    static const double Z95 = 1.6448536269514722;
    const fc_dist *d = &p->dist;
    double mean = fc_dist_mean(d);
    if (d->kind == FC_DIST_POISSON || d->kind == FC_DIST_BINOMIAL) {
        lua_pushnumber(L, mean);
        lua_setfield(L, -2, "mean");
        return;
    }
    double q[3] = {fc_dist_quantile_z(d, -Z95), fc_dist_quantile_z(d, 0.0), fc_dist_quantile_z(d, Z95)};
    int moved = 0;
    for (int i = 0; i < 3 && p->clip; i++) {
        double c = fc_domain_clip(p->domain, q[i]);
        moved |= c != q[i];
        q[i] = c;
    }
    if (p->clip && (moved || !isfinite(mean) || !fc_domain_contains(p->domain, mean))) {
        enum { N = 4096 };
        const double lo = -8.5, h = 17.0 / N;
        double s = 0, wsum = 0;
        for (int i = 0; i < N; i++) {
            double z = lo + (i + 0.5) * h, w = fc_exp(-0.5 * z * z);
            s += w * fc_domain_clip(p->domain, fc_dist_quantile_z(d, z));
            wsum += w;
        }
        mean = s / wsum;
    }
    lua_pushnumber(L, mean);
    lua_setfield(L, -2, "mean");
    lua_pushnumber(L, q[1]);
    lua_setfield(L, -2, "median");
    lua_pushnumber(L, q[0]);
    lua_setfield(L, -2, "p5");
    lua_pushnumber(L, q[2]);
    lua_setfield(L, -2, "p95");
}

/* core.assumptions(normalized) -> { { path, law, domain, mean, median,
 * per_period }, ... }: every assumption of the compiled model, in its
 * order (median: of a continuous or fixed law, else nil). Raises the
 * compiler's message. */
static int l_assumptions(lua_State *L)
{
    char err[512];
    run_ctx *c = run_ctx_new(L);
    if (fc_lua_compile(L, 1, &c->ms[0], err, sizeof err) != 0)
        return raise_msg(L, err);
    const fc_model *m = M0(c);
    lua_createtable(L, m->nparams, 0);
    for (int i = 0; i < m->nparams; i++) {
        const fc_param *p = m->params[i];
        lua_createtable(L, 0, 6);
        lua_pushstring(L, p->path);
        lua_setfield(L, -2, "path");
        lua_pushstring(L, fc_dist_kind_name(p->dist.kind));
        lua_setfield(L, -2, "law");
        lua_pushstring(L, domain_name(p->domain));
        lua_setfield(L, -2, "domain");
        law_stats(L, p);
        lua_pushboolean(L, p->per_period);
        lua_setfield(L, -2, "per_period");
        lua_rawseti(L, -2, i + 1);
    }
    run_ctx_free(c);
    return 1;
}

/* core.metrics() -> { { name, count, higher }, ... }: the totals, in report
 * order, whether each is a whole count and whether more of it is better
 * (metrics.h: the one table of them). */
static int l_metrics(lua_State *L)
{
    lua_createtable(L, FC_M_COUNT, 0);
    for (int i = 0; i < FC_M_COUNT; i++) {
        lua_createtable(L, 0, 3);
        lua_pushstring(L, fc_metric_name(i));
        lua_setfield(L, -2, "name");
        lua_pushboolean(L, fc_metric_is_count(i));
        lua_setfield(L, -2, "count");
        lua_pushboolean(L, fc_metric_higher_is_better(i));
        lua_setfield(L, -2, "higher");
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

void fc_lua_run_register(lua_State *L)
{
    static const luaL_Reg funcs[] = {
        {"run", l_run},
        {"compare", l_compare},
        {"evaluate", l_evaluate},
        {"run_shard", l_run_shard},
        {"partial_scenario", l_partial_scenario},
        {"merge", l_merge},
        {"compile_check", l_compile_check},
        {"assumptions", l_assumptions},
        {"metrics", l_metrics},
        {NULL, NULL},
    };
    luaL_setfuncs(L, funcs, 0);
}
