/* lua_results: summaries as Lua tables, and the run binding. */
#include "lua_results.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <lauxlib.h>

#include "engine.h"
#include "lua_model.h"

static const char *const qnames[FC_NQUANTILES] = {"p5", "p10", "p25", "p50", "p75", "p90", "p95"};

static void setnum(lua_State *L, const char *k, double x)
{
    lua_pushnumber(L, x);
    lua_setfield(L, -2, k);
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

/* core.run(normalized [, { trials =, seed =, threads = }]) -> results.
 * Raises "<message>" on a bad model or a failed run, and "interrupted". */
static int l_run(lua_State *L)
{
    char err[512];
    fc_model *m = fc_lua_compile(L, 1, err, sizeof err);
    if (m == NULL)
        return raise_msg(L, err);
    lua_Integer trials = (lua_Integer)m->trials, seed = (lua_Integer)m->seed, threads = 0;
    if (lua_istable(L, 2) && (!opt_int(L, 2, "trials", trials, &trials) ||
                              !opt_int(L, 2, "seed", seed, &seed) ||
                              !opt_int(L, 2, "threads", 0, &threads))) {
        fc_model_free(m);
        return raise_msg(L, "run: options: expected integers for trials, seed and threads");
    }
    if (trials < 1 || threads < 0) {
        fc_model_free(m);
        return raise_msg(L, "run: expected trials >= 1 and threads >= 0");
    }
    m->trials = (uint64_t)trials;
    m->seed = (uint64_t)seed;
    /* refuse before allocating what the machine does not have: with memory
     * overcommit a too-large allocation would succeed and be killed later */
    size_t need = fc_summary_bytes(m, m->trials);
    double phys = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGE_SIZE);
    fc_summary *s = need > 0 && (phys <= 0 || (double)need < 0.8 * phys)
                        ? fc_summary_new(m, 0, m->trials) : NULL;
    if (s == NULL) {
        size_t bytes = fc_summary_bytes(m, m->trials);
        fc_model_free(m);
        char msg[200];
        snprintf(msg, sizeof msg, "not enough memory for %lld trials: the results need %.1f GiB; "
                 "run fewer trials", (long long)trials, (double)bytes / 1073741824.0);
        return raise_msg(L, msg);
    }
    /* the embedding program may register a stop flag (the CLI's Ctrl-C) */
    lua_getfield(L, LUA_REGISTRYINDEX, FC_LUA_STOP_KEY);
    const volatile sig_atomic_t *stop = lua_touserdata(L, -1);
    lua_pop(L, 1);
    lua_getfield(L, LUA_REGISTRYINDEX, FC_LUA_PROGRESS_KEY);
    const fc_lua_progress *progress = lua_touserdata(L, -1);
    lua_pop(L, 1);
    fc_run_opts opts = {(int)threads, stop, progress ? progress->fn : NULL,
                        progress ? progress->ctx : NULL};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int st = fc_engine_run(m, s, &opts, err, sizeof err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (st == 0 && fc_summary_finish(s) != 0) {
        st = -1;
        snprintf(err, sizeof err, "out of memory");
    }
    if (st != 0) {
        fc_summary_free(s);
        fc_model_free(m);
        return raise_msg(L, st == -2 ? "interrupted" : err);
    }
    fc_lua_push_results(L, s);
    lua_pushnumber(L, (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec));
    lua_setfield(L, -2, "engine_seconds");
    fc_summary_free(s);
    fc_model_free(m);
    return 1;
}

/* core.compile_check(normalized): raises the compiler's message, or returns
 * the number of random assumptions. */
static int l_compile_check(lua_State *L)
{
    char err[512];
    fc_model *m = fc_lua_compile(L, 1, err, sizeof err);
    if (m == NULL)
        return raise_msg(L, err);
    int random = 0;
    for (int i = 0; i < m->nparams; i++)
        random += m->params[i]->dist.kind != FC_DIST_FIXED;
    fc_model_free(m);
    lua_pushinteger(L, random);
    return 1;
}

void fc_lua_results_register(lua_State *L)
{
    static const luaL_Reg funcs[] = {
        {"run", l_run},
        {"compile_check", l_compile_check},
        {NULL, NULL},
    };
    luaL_setfuncs(L, funcs, 0);
}
