/* lua_results: summaries as Lua tables, and the run binding. */
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
#include "engine.h"
#include "lua_model.h"
#include "lua_sandbox.h"
#include "partial.h"

static const char *const qnames[FC_NQUANTILES] = {"p5", "p10", "p25", "p50", "p75", "p90", "p95"};

static void setnum(lua_State *L, const char *k, double x)
{
    lua_pushnumber(L, x);
    lua_setfield(L, -2, k);
}

/* Goal g's probability in the low, middle and high third of one driver. */
typedef struct driver_row {
    int i;
    double p[3], swing;
} driver_row;

static int by_swing(const void *a, const void *b)
{
    const driver_row *x = a, *y = b;
    /* an unknown swing (a third without trials) last */
    double sx = isnan(x->swing) ? -1 : fabs(x->swing), sy = isnan(y->swing) ? -1 : fabs(y->swing);
    if (sx != sy)
        return sx > sy ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

/* Pushes goal g's drivers: for every assumption drawn once per trial, the
 * goal's probability when the draw falls in the low, middle or high third of
 * its law (NaN for a third without trials), the swing from low to high and
 * its standard error; the largest swings first (ties in the model's order). */
static void push_drivers(lua_State *L, const fc_summary *s, int g)
{
    const fc_model *m = s->model;
    const fc_accum *a = &s->acc;
    const int D = m->ndrivers, G = m->ngoals;
    /* a userdata, so that a memory error in what follows frees it */
    driver_row *row = lua_newuserdatauv(L, sizeof *row * (size_t)(D + 1), 0);
    for (int i = 0; i < D; i++) {
        row[i].i = i;
        for (int b = 0; b < 3; b++) {
            uint64_t n = a->driver_n[3 * i + b];
            uint64_t met = a->driver_met[(size_t)(3 * i + b) * (size_t)G + (size_t)g];
            row[i].p[b] = n ? (double)met / (double)n : NAN;
        }
        row[i].swing = row[i].p[2] - row[i].p[0];
    }
    qsort(row, (size_t)D, sizeof *row, by_swing);
    lua_createtable(L, D, 0);
    for (int r = 0; r < D; r++) {
        const int i = row[r].i;
        const uint64_t *n = a->driver_n + 3 * i;
        lua_createtable(L, 0, 8);
        lua_pushstring(L, m->drivers[i]->path);
        lua_setfield(L, -2, "assumption");
        setnum(L, "low", row[r].p[0]);
        setnum(L, "middle", row[r].p[1]);
        setnum(L, "high", row[r].p[2]);
        setnum(L, "swing", row[r].swing);
        double p0 = row[r].p[0], p2 = row[r].p[2];
        setnum(L, "se", sqrt(p0 * (1 - p0) / (double)n[0] + p2 * (1 - p2) / (double)n[2]));
        lua_createtable(L, 2, 0);
        for (int k = 0; k < 2; k++) {
            lua_pushnumber(L, m->driver_cut[2 * i + k]);
            lua_rawseti(L, -2, k + 1);
        }
        lua_setfield(L, -2, "cuts");
        lua_createtable(L, 3, 0);
        for (int b = 0; b < 3; b++) {
            lua_pushinteger(L, (lua_Integer)n[b]);
            lua_rawseti(L, -2, b + 1);
        }
        lua_setfield(L, -2, "trials");
        lua_rawseti(L, -2, r + 1);
    }
    lua_remove(L, -2); /* the rows */
}

static void push_stat(lua_State *L, const fc_stat *st, int is_count)
{
    lua_createtable(L, 0, 14);
    setnum(L, "mean", st->mean);
    setnum(L, "sd", st->sd);
    setnum(L, "min", st->min);
    setnum(L, "max", st->max);
    for (int i = 0; i < FC_NQUANTILES; i++)
        setnum(L, qnames[i], st->q[i]);
    lua_pushinteger(L, (lua_Integer)st->n);
    lua_setfield(L, -2, "n");
    lua_pushinteger(L, (lua_Integer)st->infinite);
    lua_setfield(L, -2, "infinite");
    lua_pushboolean(L, is_count);
    lua_setfield(L, -2, "count");
}

void fc_lua_push_results(lua_State *L, const fc_summary *s)
{
    const fc_model *m = s->model;
    const fc_layout *lay = &s->layout;
    const fc_stat *st = s->stats;
    lua_createtable(L, 0, 10);
    lua_pushstring(L, m->name);
    lua_setfield(L, -2, "scenario");
    lua_pushinteger(L, (lua_Integer)s->ntrials);
    lua_setfield(L, -2, "trials");
    lua_pushinteger(L, (lua_Integer)m->seed);
    lua_setfield(L, -2, "seed");
    lua_pushinteger(L, m->periods);
    lua_setfield(L, -2, "periods");
    lua_pushstring(L, m->unit);
    lua_setfield(L, -2, "unit");

    lua_createtable(L, FC_M_COUNT, 0);
    for (int i = 0; i < FC_M_COUNT; i++) {
        lua_createtable(L, 0, 2);
        lua_pushstring(L, fc_metric_name(i));
        lua_setfield(L, -2, "name");
        push_stat(L, &st[lay->metrics + i], fc_metric_is_count(i));
        lua_setfield(L, -2, "stat");
        lua_rawseti(L, -2, i + 1);
    }
    lua_setfield(L, -2, "metrics");

    lua_createtable(L, m->nstages, 0);
    for (int k = 0; k < m->nstages; k++) {
        lua_createtable(L, 0, 3);
        lua_pushstring(L, m->stages[k].name);
        lua_setfield(L, -2, "name");
        push_stat(L, &st[lay->stage_total + k], 1);
        lua_setfield(L, -2, "total");
        push_stat(L, &st[lay->stage_cost + k], 0);
        lua_setfield(L, -2, "cost");
        lua_rawseti(L, -2, k + 1);
    }
    lua_setfield(L, -2, "stages");

    lua_createtable(L, m->nchannels, 0);
    for (int c = 0; c < m->nchannels; c++) {
        lua_createtable(L, 0, 5);
        lua_pushstring(L, m->channels[c].name);
        lua_setfield(L, -2, "name");
        for (int f = 0; f < FC_C_COUNT; f++) {
            if (!m->track_channels && (f == FC_C_CUSTOMERS || f == FC_C_CAC))
                continue;
            push_stat(L, &st[lay->channel + c * FC_C_COUNT + f], f == FC_C_VISITORS || f == FC_C_CUSTOMERS);
            lua_setfield(L, -2, fc_chan_fig_name(f));
        }
        lua_rawseti(L, -2, c + 1);
    }
    lua_setfield(L, -2, "channels");

    const int T = m->periods;
    lua_createtable(L, m->nstages + FC_S_COUNT, 0);
    int at = 1;
    for (int i = 0; i < m->nstages + FC_S_COUNT; i++) {
        int stage = i < m->nstages;
        const char *name = stage ? m->stages[i].name : fc_series_name(i - m->nstages);
        int base = stage ? lay->stage_series + i * T : lay->series + (i - m->nstages) * T;
        int is_count = stage || (i - m->nstages) <= FC_S_LOST;
        lua_createtable(L, 0, 2);
        lua_pushstring(L, name);
        lua_setfield(L, -2, "name");
        lua_createtable(L, T, 0);
        for (int t = 0; t < T; t++) {
            push_stat(L, &st[base + t], is_count);
            lua_rawseti(L, -2, t + 1);
        }
        lua_setfield(L, -2, "periods");
        lua_rawseti(L, -2, at++);
    }
    lua_setfield(L, -2, "series");

    lua_createtable(L, m->ngoals, 0);
    for (int g = 0; g < m->ngoals; g++) {
        const fc_goal *goal = &m->goals[g];
        lua_createtable(L, 0, 10);
        lua_pushstring(L, goal->name);
        lua_setfield(L, -2, "name");
        lua_pushstring(L, goal->metric);
        lua_setfield(L, -2, "metric");
        lua_pushstring(L, goal->op == FC_GOAL_AT_LEAST ? ">=" : "<=");
        lua_setfield(L, -2, "op");
        setnum(L, "target", goal->target);
        lua_pushinteger(L, goal->by);
        lua_setfield(L, -2, "by");
        setnum(L, "probability", s->goal_prob[g]);
        setnum(L, "confidence", goal->confidence);
        lua_pushboolean(L, s->goal_prob[g] >= goal->confidence);
        lua_setfield(L, -2, "on_track");
        int id = goal->metric_id;
        push_stat(L, &st[lay->goal + g], id >= FC_M_COUNT || fc_metric_is_count(id));
        lua_setfield(L, -2, "value");
        push_drivers(L, s, g);
        lua_setfield(L, -2, "drivers");
        lua_rawseti(L, -2, g + 1);
    }
    lua_setfield(L, -2, "goals");
}

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
    fc_model *m;
    fc_summary *s;
    fc_merge *merge;    /* a merge of partial summaries */
    fc_partial head;    /* a partial's head */
    unsigned char *bytes; /* an encoded partial */
    fc_run_opts opts;
    double precision;   /* 0: run m->trials; else stop when precise (at most m->trials) */
    uint64_t shard_k, shard_n;
    double seconds;
} run_ctx;

#define RUN_CTX_MT "funnelcast.run_ctx"

static void run_ctx_free(run_ctx *c)
{
    fc_summary_free(c->s);
    fc_merge_free(c->merge);
    fc_model_free(c->m);
    fc_partial_free(&c->head);
    free(c->bytes);
    c->s = NULL;
    c->merge = NULL;
    c->m = NULL;
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

/* Compiles argument 1 and reads the options table at 2 ({ trials, seed,
 * threads, precision, shard_k, shard_n }); raises on errors. */
static run_ctx *run_setup(lua_State *L)
{
    char err[512];
    run_ctx *c = run_ctx_new(L);
    if (fc_lua_compile(L, 1, &c->m, err, sizeof err) != 0)
        raise_msg(L, err);
    lua_Integer trials = (lua_Integer)c->m->trials, seed = (lua_Integer)c->m->seed, threads = 0;
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
    }
    c->m->trials = (uint64_t)trials;
    c->m->seed = (uint64_t)seed;
    c->shard_k = (uint64_t)k;
    c->shard_n = (uint64_t)n;
    /* Results do not depend on the thread count: a run that would not fit
     * gets fewer threads, and one that does not fit on one is refused before
     * anything is allocated. The histograms' caps depend on the model and
     * the limit only. */
    int wanted = threads > 0 ? (int)threads : fc_cpu_count();
    uint64_t nblocks = (c->m->trials + FC_BLOCK - 1) / FC_BLOCK;
    uint64_t nkept = n > 0 && nblocks > c->shard_k ? (nblocks - c->shard_k + c->shard_n - 1) / c->shard_n : 0;
    fc_run_plan plan;
    if (fc_run_plan_make(c->m, wanted, (uint64_t)max_memory, lua_bytes(L), nkept, &plan) != 0) {
        char msg[512];
        snprintf(msg, sizeof msg,
                 "scenario \"%s\": a run needs about %.0f MiB of working memory (%d period%s, %d stage%s, "
                 "%d channel%s, %d goal%s), more than the limit of %.0f MiB; raise the limit with --max-memory%s",
                 c->m->name, (double)plan.need / 1048576.0, c->m->periods, c->m->periods == 1 ? "" : "s",
                 c->m->nstages, c->m->nstages == 1 ? "" : "s", c->m->nchannels, c->m->nchannels == 1 ? "" : "s",
                 c->m->ngoals, c->m->ngoals == 1 ? "" : "s", (double)max_memory / 1048576.0,
                 nkept > 0 ? ", or run more shards (each keeps the moments of its blocks)" : "");
        raise_msg(L, msg);
    }
    threads = plan.threads;
    c->s = fc_summary_new(c->m, 4 * plan.threads);
    if (c->s == NULL || (n > 0 && fc_summary_set_shard(c->s, c->shard_k, c->shard_n, c->m->trials) != 0))
        raise_msg(L, "out of memory");
    fc_summary_set_caps(c->s, plan.total, plan.series, UINT64_MAX, plan.yield);
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
    if (c->precision > 0) {
        while (st == 0 && c->s->ntrials < c->m->trials) {
            uint64_t upto = c->s->ntrials + PRECISION_ROUND;
            st = fc_engine_run(c->m, c->s, upto < c->m->trials ? upto : c->m->trials, &c->opts,
                               err, sizeof err);
            if (st == 0 && fc_summary_precise(c->s, c->precision))
                break;
        }
    } else {
        st = fc_engine_run(c->m, c->s, c->m->trials, &c->opts, err, sizeof err);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    c->seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    if (st == 0 && c->shard_n == 0 && fc_summary_finish(c->s) != 0) {
        st = -1;
        snprintf(err, sizeof err, "out of memory");
    }
    /* the statistics are the simulation's work too, not the scenario's */
    if (phase)
        phase->simulating(0);
    if (st != 0)
        raise_msg(L, st == -2 ? "interrupted" : err);
}

/* core.run(normalized [, { trials, seed, threads, precision }]) -> results.
 * Raises "<message>" on a bad model or a failed run, and "interrupted". */
static int l_run(lua_State *L)
{
    run_ctx *c = run_setup(L);
    c->shard_n = 0;
    run_trials(L, c);
    drop_counts(c->s);
    fc_lua_push_results(L, c->s);
    lua_pushnumber(L, c->seconds);
    lua_setfield(L, -2, "engine_seconds");
    if (c->precision > 0) {
        setnum(L, "precision", c->precision);
        lua_pushboolean(L, c->s->ntrials < c->m->trials || fc_summary_precise(c->s, c->precision));
        lua_setfield(L, -2, "precise");
    }
    run_ctx_free(c);
    return 1;
}

/* core.run_shard(normalized, text, { trials, seed, threads, shard_k, shard_n })
 * -> the partial summary's bytes, holding `text` (the serialized scenario). */
static int l_run_shard(lua_State *L)
{
    size_t tlen;
    const char *text = luaL_checklstring(L, 2, &tlen);
    lua_settop(L, 3);
    lua_pushvalue(L, 2); /* text at 4: keeps it alive (and its bytes valid) to the end */
    lua_pushvalue(L, 3);
    lua_replace(L, 2); /* options at 2, as run_setup reads them */
    run_ctx *c = run_setup(L);
    if (c->shard_n == 0)
        return raise_msg(L, "run_shard: expected shard_k and shard_n");
    run_trials(L, c);
    /* the partial's bytes beside the summary, then beside their copy in
     * the Lua string (the summary freed by then), within the limit */
    size_t len = fc_partial_size(c->s, tlen);
    uint64_t held = (uint64_t)atomic_load(&c->s->meter.used) + fc_run_bytes(c->m, 1, c->s->nkept);
    uint64_t max_memory = max_memory_of(L), lua = lua_bytes(L);
    if (lua + len + (held > len ? held : len) > max_memory) {
        char need[32], limit[32];
        fc_format_bytes(len, need, sizeof need);
        fc_format_bytes(max_memory, limit, sizeof limit);
        char msg[512];
        snprintf(msg, sizeof msg,
                 "scenario \"%s\": the partial summary takes %s, more than the memory limit of %s leaves; "
                 "raise the limit with --max-memory, or run more shards",
                 c->m->name, need, limit);
        return raise_msg(L, msg);
    }
    c->bytes = fc_partial_encode(c->s, text, tlen, c->m->seed, &len);
    if (c->bytes == NULL)
        return raise_msg(L, "out of memory");
    fc_summary_free(c->s);
    c->s = NULL;
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
 * summary at path, its seed and its trial count; raises the reader's message
 * for a bad one (one that is not a partial, or too large for the memory
 * limit, at once). */
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
    run_ctx_free(c);
    return 3;
}

/* core.merge(normalized, { path, ... }) -> results of the whole run the
 * partials at those paths make up, read one by one in C, counted against
 * the memory limit. */
static int l_merge(lua_State *L)
{
    char err[1024], limit_text[32];
    luaL_checktype(L, 2, LUA_TTABLE);
    int n = (int)lua_rawlen(L, 2);
    for (int i = 1; i <= n; i++)
        if (lua_rawgeti(L, 2, i) != LUA_TSTRING)
            return raise_msg(L, "merge: expected the paths of the partial summaries");
    lua_settop(L, 2);
    run_ctx *c = run_ctx_new(L);
    if (fc_lua_compile(L, 1, &c->m, err, sizeof err) != 0)
        return raise_msg(L, err);
    uint64_t limit = merge_limit(L, limit_text, sizeof limit_text);
    c->merge = fc_merge_new(c->m, n, limit, limit_text, err, sizeof err);
    if (c->merge == NULL)
        return raise_msg(L, err);
    for (int i = 1; i <= n; i++) {
        lua_rawgeti(L, 2, i);
        const char *path = lua_tostring(L, -1);
        if (fc_merge_file(c->merge, path, err, sizeof err) != 0)
            return raise_msg(L, err);
        lua_pop(L, 1);
        if (i == 1) { /* the run the partials make up */
            c->m->seed = fc_merge_seed(c->merge);
            c->m->trials = fc_merge_trials(c->merge);
        }
    }
    c->s = fc_merge_finish(c->merge, err, sizeof err);
    if (c->s == NULL)
        return raise_msg(L, err);
    drop_counts(c->s);
    fc_lua_push_results(L, c->s);
    run_ctx_free(c);
    return 1;
}

/* core.compile_check(normalized): raises the compiler's message, or returns
 * the number of random assumptions. */
static int l_compile_check(lua_State *L)
{
    char err[512];
    run_ctx *c = run_ctx_new(L);
    if (fc_lua_compile(L, 1, &c->m, err, sizeof err) != 0)
        return raise_msg(L, err);
    int random = 0;
    for (int i = 0; i < c->m->nparams; i++)
        random += c->m->params[i]->dist.kind != FC_DIST_FIXED;
    run_ctx_free(c);
    lua_pushinteger(L, random);
    return 1;
}

void fc_lua_results_register(lua_State *L)
{
    static const luaL_Reg funcs[] = {
        {"run", l_run},
        {"run_shard", l_run_shard},
        {"partial_scenario", l_partial_scenario},
        {"merge", l_merge},
        {"compile_check", l_compile_check},
        {NULL, NULL},
    };
    luaL_setfuncs(L, funcs, 0);
}
