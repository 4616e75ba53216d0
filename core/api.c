/* api: the public C API (include/funnelcast.h). A context keeps what the
 * caller gave (scenario sources, overrides, options) and runs the command's
 * work through the embedded library (scripts/main.lua), in a fresh limited
 * Lua state per call, as the command does; it prints nothing and handles no
 * signals: a cancel is a flag the engine and the Lua hook read. */
#include "funnelcast.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lauxlib.h>

#include "budget.h"
#include "commands.h"
#include "lua_module.h"
#include "lua_results.h"
#include "lua_sandbox.h"
#include "lua_util.h"
#include "opt_parse.h"

/* A list of strings, owned. */
typedef struct strings {
    char **v;
    int n, cap;
} strings;

struct fc_context {
    strings names, texts;   /* sources: name, and text or NULL for a file */
    strings sets;           /* key, value, key, value, ... */
    strings own;            /* a command's own options: name, value, ... */
    int has_trials, has_seed, has_threads, has_precision;
    long long trials, threads;
    unsigned long long seed;
    double precision, time_limit;
    uint64_t max_memory, max_steps;
    char format[16], lang[16], locale[32]; /* checked against the registries when the command runs */
    fc_progress_fn progress;
    void *progress_user;
    pthread_mutex_t progress_lock; /* one progress call at a time */
    uint64_t progress_total, progress_done;
    volatile sig_atomic_t stop, timed_out;
    char err[4096];
};

static int push(strings *s, const char *x)
{
    if (s->n == s->cap) {
        int cap = s->cap ? 2 * s->cap : 8;
        char **v = realloc(s->v, (size_t)cap * sizeof *v);
        if (v == NULL)
            return -1;
        s->v = v;
        s->cap = cap;
    }
    char *copy = NULL;
    if (x && (copy = strdup(x)) == NULL)
        return -1;
    s->v[s->n++] = copy;
    return 0;
}

static void strings_free(strings *s)
{
    for (int i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    memset(s, 0, sizeof *s);
}

static fc_status fail(fc_context *ctx, fc_status st, const char *fmt, const char *arg)
{
    snprintf(ctx->err, sizeof ctx->err, fmt, arg);
    return st;
}

static fc_status ok(fc_context *ctx)
{
    ctx->err[0] = 0;
    return FC_OK;
}

fc_context *fc_context_new(void)
{
    fc_context *ctx = calloc(1, sizeof *ctx);
    if (ctx == NULL)
        return NULL;
    if (pthread_mutex_init(&ctx->progress_lock, NULL) != 0) {
        free(ctx);
        return NULL;
    }
    strcpy(ctx->format, "json");
    ctx->max_memory = FC_DEFAULT_MAX_MEMORY;
    ctx->max_steps = FC_DEFAULT_MAX_STEPS;
    return ctx;
}

void fc_context_free(fc_context *ctx)
{
    if (ctx == NULL)
        return;
    strings_free(&ctx->names);
    strings_free(&ctx->texts);
    strings_free(&ctx->sets);
    strings_free(&ctx->own);
    pthread_mutex_destroy(&ctx->progress_lock);
    free(ctx);
}

static fc_status add_source(fc_context *ctx, const char *name, const char *text)
{
    if (name == NULL || name[0] == 0)
        return fail(ctx, FC_EINPUT, "%s", "a scenario needs a file name (or, for a text, a name for messages)");
    if (push(&ctx->names, name) != 0 || push(&ctx->texts, text) != 0) {
        if (ctx->texts.n < ctx->names.n)
            free(ctx->names.v[--ctx->names.n]);
        return fail(ctx, FC_EINTERNAL, "%s", "out of memory");
    }
    return ok(ctx);
}

fc_status fc_context_add_file(fc_context *ctx, const char *path) { return add_source(ctx, path, NULL); }

fc_status fc_context_add_text(fc_context *ctx, const char *name, const char *text)
{
    if (text == NULL)
        return fail(ctx, FC_EINPUT, "%s: no scenario text given", name ? name : "(unnamed)");
    return add_source(ctx, name, text);
}

static fc_status push_pair(fc_context *ctx, strings *s, const char *a, const char *b)
{
    if (push(s, a) != 0)
        return fail(ctx, FC_EINTERNAL, "%s", "out of memory");
    if (push(s, b) != 0) {
        free(s->v[--s->n]);
        return fail(ctx, FC_EINTERNAL, "%s", "out of memory");
    }
    return ok(ctx);
}

fc_status fc_context_set(fc_context *ctx, const char *key, const char *value)
{
    if (key == NULL || key[0] == 0 || value == NULL)
        return fail(ctx, FC_EINPUT, "%s", "--set: expected a key and a value (KEY=VALUE)");
    return push_pair(ctx, &ctx->sets, key, value);
}

fc_status fc_context_option(fc_context *ctx, const char *name, const char *value)
{
    if (name == NULL || value == NULL)
        return fail(ctx, FC_EINPUT, "%s", "an option needs a name and a value");
    char msg[300];
    snprintf(msg, sizeof msg, "--%.40s %.200s: expected ", name, value);
    if (strcmp(name, "trials") == 0) {
        if (fc_parse_int(value, 1, 1000000000000LL, &ctx->trials))
            return fail(ctx, FC_EINPUT, "%san integer in [1, 1e12]", msg);
        ctx->has_trials = 1;
    } else if (strcmp(name, "seed") == 0) {
        if (fc_parse_u64(value, &ctx->seed))
            return fail(ctx, FC_EINPUT, "%sa whole number in [0, 18446744073709551615]", msg);
        ctx->has_seed = 1;
    } else if (strcmp(name, "threads") == 0) {
        if (fc_parse_int(value, 0, 256, &ctx->threads))
            return fail(ctx, FC_EINPUT, "%san integer in [0, 256] (0: all cores)", msg);
        ctx->has_threads = 1;
    } else if (strcmp(name, "precision") == 0) {
        char *end;
        double p = strtod(value, &end);
        if (end == value || *end || !(p > 0 && p < 0.5))
            return fail(ctx, FC_EINPUT, "%sa number in (0, 0.5), such as 0.005", msg);
        ctx->precision = p;
        ctx->has_precision = 1;
    } else if (strcmp(name, "format") == 0 || strcmp(name, "lang") == 0) {
        /* a name: which ones exist, the command says (scripts/report.lua, scripts/locale.lua) */
        size_t n = strspn(value, "abcdefghijklmnopqrstuvwxyz");
        if (n == 0 || value[n] != 0 || n >= sizeof ctx->format)
            return fail(ctx, FC_EINPUT, name[0] == 'f' ? "%sa format name, such as json or html" : "%sa language code, such as en or fr", msg);
        strcpy(name[0] == 'f' ? ctx->format : ctx->lang, value);
    } else if (strcmp(name, "locale") == 0) {
        size_t n = strspn(value, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-@");
        if (n == 0 || value[n] != 0 || n >= sizeof ctx->locale)
            return fail(ctx, FC_EINPUT, "%sa locale such as fr_FR.UTF-8 or en", msg);
        strcpy(ctx->locale, value);
    } else if (strcmp(name, "max-memory") == 0) {
        uint64_t v;
        if (fc_parse_size(value, &v) || v < (UINT64_C(16) << 20))
            return fail(ctx, FC_EINPUT, "%sa size of at least 16M, such as 256M or 2G", msg);
        ctx->max_memory = v;
    } else if (strcmp(name, "max-steps") == 0) {
        long long v;
        if (fc_parse_int(value, 1000, 1000000000000000LL, &v))
            return fail(ctx, FC_EINPUT, "%sa whole number of steps in [1000, 1e15]", msg);
        ctx->max_steps = (uint64_t)v;
    } else if (strcmp(name, "time-limit") == 0) {
        if (fc_parse_seconds(value, &ctx->time_limit))
            return fail(ctx, FC_EINPUT, "%sa number of seconds in (0, 1e7]", msg);
    } else {
        if (!fc_command_any_own(name))
            return fail(ctx, FC_EINPUT, "unknown option '%s' (see funnelcast(1) for the options)", name);
        return push_pair(ctx, &ctx->own, name, value);
    }
    return ok(ctx);
}

void fc_context_progress(fc_context *ctx, fc_progress_fn fn, void *user)
{
    ctx->progress = fn;
    ctx->progress_user = user;
}

void fc_context_cancel(fc_context *ctx) { ctx->stop = 1; }

const char *fc_context_error(const fc_context *ctx) { return ctx->err; }

void fc_free(void *p) { free(p); }

static int l_quiet_print(lua_State *L)
{
    (void)L;
    return 0;
}

static void set_pairs(lua_State *L, const strings *s, const char *field)
{
    lua_createtable(L, s->n / 2, 0);
    for (int i = 0; i + 1 < s->n; i += 2) {
        lua_createtable(L, 2, 0);
        lua_pushstring(L, s->v[i]);
        lua_rawseti(L, -2, 1);
        lua_pushstring(L, s->v[i + 1]);
        lua_rawseti(L, -2, 2);
        lua_rawseti(L, -2, i / 2 + 1);
    }
    lua_setfield(L, -2, field);
}

typedef struct api_call {
    fc_context *ctx;
    const char *command;
    fc_lua_progress progress;
} api_call;

/* The engine's progress, relayed to the caller's callback: calls come from
 * the worker threads as blocks finish, so they are serialized here, and
 * within one simulation `done` never goes down. */
static void relay_progress(void *arg, uint64_t done, uint64_t total)
{
    fc_context *ctx = arg;
    pthread_mutex_lock(&ctx->progress_lock);
    if (total != ctx->progress_total || done < ctx->progress_done / 2) { /* a new simulation */
        ctx->progress_total = total;
        ctx->progress_done = 0;
    }
    if (done > ctx->progress_done || (done == 0 && ctx->progress_done == 0)) {
        ctx->progress_done = done;
        ctx->progress(ctx->progress_user, done, total);
    }
    pthread_mutex_unlock(&ctx->progress_lock);
}

/* The time limit's watchdog: the Lua hook checks the limit between Lua
 * steps; this thread stops the simulation (the engine reads ctx->stop). */
typedef struct watchdog {
    fc_context *ctx;
    pthread_mutex_t lock;
    pthread_cond_t done_cond;
    int done;
} watchdog;

static void *watch(void *arg)
{
    watchdog *wd = arg;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    double t = wd->ctx->time_limit;
    until.tv_sec += (time_t)t;
    until.tv_nsec += (long)((t - (double)(time_t)t) * 1e9);
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&wd->lock);
    int st = 0;
    while (!wd->done && st != ETIMEDOUT)
        st = pthread_cond_timedwait(&wd->done_cond, &wd->lock, &until);
    if (!wd->done) {
        wd->ctx->timed_out = 1;
        wd->ctx->stop = 1;
    }
    pthread_mutex_unlock(&wd->lock);
    return NULL;
}

/* Runs protected: opens the sandbox's libraries, sets what the run binding
 * reads (stop flag, progress, memory), and calls main.lua with the options
 * table the command would build. Returns the report text. */
static int l_api_main(lua_State *L)
{
    const api_call *c = lua_touserdata(L, 1);
    fc_context *ctx = c->ctx;
    /* the progress relays to the caller's callback (relay_progress) */
    fc_lua_push_main(L, 0, &ctx->stop, (long long)ctx->max_memory, ctx->progress ? &c->progress : NULL);
    lua_createtable(L, 0, 16); /* fc, main, fc, opts */
    lua_pushstring(L, c->command);
    lua_setfield(L, -2, "command");
    lua_pushstring(L, ctx->names.v[0]);
    lua_setfield(L, -2, "file");
    lua_pushstring(L, ctx->format);
    lua_setfield(L, -2, "format");
    if (ctx->lang[0]) {
        lua_pushstring(L, ctx->lang);
        lua_setfield(L, -2, "lang");
    }
    if (ctx->locale[0]) {
        lua_pushstring(L, ctx->locale);
        lua_setfield(L, -2, "locale");
    }
    lua_createtable(L, ctx->names.n, 0); /* files, and sources: { name [, text] } */
    lua_createtable(L, ctx->names.n, 0);
    for (int i = 0; i < ctx->names.n; i++) {
        lua_pushstring(L, ctx->names.v[i]);
        lua_rawseti(L, -3, i + 1);
        lua_createtable(L, 2, 0);
        lua_pushstring(L, ctx->names.v[i]);
        lua_rawseti(L, -2, 1);
        if (ctx->texts.v[i]) {
            lua_pushstring(L, ctx->texts.v[i]);
            lua_rawseti(L, -2, 2);
        }
        lua_rawseti(L, -2, i + 1);
    }
    lua_setfield(L, -3, "sources");
    lua_setfield(L, -2, "files");
    if (ctx->has_trials) {
        lua_pushinteger(L, ctx->trials);
        lua_setfield(L, -2, "trials");
    }
    if (ctx->has_seed) { /* past 2^63 - 1: the integer with the same 64 bits */
        lua_pushinteger(L, (lua_Integer)ctx->seed);
        lua_setfield(L, -2, "seed");
    }
    if (ctx->has_threads) {
        lua_pushinteger(L, ctx->threads);
        lua_setfield(L, -2, "threads");
    }
    if (ctx->has_precision) {
        lua_pushnumber(L, ctx->precision);
        lua_setfield(L, -2, "precision");
    }
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "unsafe");
    lua_pushcfunction(L, l_quiet_print);
    lua_setfield(L, -2, "print");
    set_pairs(L, &ctx->sets, "sets");
    set_pairs(L, &ctx->own, "own");
    lua_call(L, 2, 1);
    return 1;
}

fc_status fc_context_exec(fc_context *ctx, const char *command, char **report, size_t *len)
{
    ctx->stop = ctx->timed_out = 0; /* first: a cancel from here on stops this call */
    ctx->progress_total = ctx->progress_done = 0;
    *report = NULL;
    const fc_command *cmd = fc_command_find(command);
    if (cmd == NULL || !cmd->api) {
        char names[128], msg[512];
        fc_command_api_names(names, sizeof names);
        snprintf(msg, sizeof msg, "unknown command '%.200s': expected %s", command ? command : "(null)", names);
        return fail(ctx, FC_EINPUT, "%s", msg);
    }
    /* the own options given must be this command's */
    for (int i = 0; i + 1 < ctx->own.n; i += 2)
        if (!fc_command_has_own(cmd, ctx->own.v[i])) {
            char msg[512];
            snprintf(msg, sizeof msg, "%s: option '%.200s' is not one of this command's (see funnelcast(1))", command,
                     ctx->own.v[i]);
            return fail(ctx, FC_EINPUT, "%s", msg);
        }
    if (ctx->names.n == 0)
        return fail(ctx, FC_EINPUT, "%s: no scenario given (fc_context_add_file or fc_context_add_text)", command);
    if (ctx->names.n > 1 && strcmp(command, "compare") != 0)
        return fail(ctx, FC_EINPUT, "%s: takes one scenario file (compare takes several)", command);
    fc_lua_limits lim;
    memset(&lim, 0, sizeof lim);
    lim.max_steps = ctx->max_steps;
    lim.max_memory = (size_t)ctx->max_memory;
    lim.time_limit = ctx->time_limit;
    lim.stop = &ctx->stop;
    lua_State *L = fc_lua_limited_state(&lim);
    if (L == NULL)
        return fail(ctx, FC_EINTERNAL, "%s", "out of memory");
    api_call call = {ctx, command, {relay_progress, ctx}};
    watchdog wd = {ctx, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0};
    pthread_t wd_thread;
    int watching = ctx->time_limit > 0 && pthread_create(&wd_thread, NULL, watch, &wd) == 0;
    lua_pushcfunction(L, l_api_main);
    lua_pushlightuserdata(L, &call);
    int st = fc_lua_pcall(L, 1, 1, 0);
    if (watching) {
        pthread_mutex_lock(&wd.lock);
        wd.done = 1;
        pthread_cond_signal(&wd.done_cond);
        pthread_mutex_unlock(&wd.lock);
        pthread_join(wd_thread, NULL);
    }
    fc_status out = FC_OK;
    char buf[1024];
    if (st != LUA_OK || fc_lua_limit_message(&lim, ctx->names.v[0], 0, buf, sizeof buf)) {
        const char *msg = lua_tostring(L, -1);
        msg = msg ? msg : "unknown error";
        int memory = st == LUA_ERRMEM || strcmp(msg, "not enough memory") == 0;
        if (ctx->timed_out || lim.time_hit) {
            snprintf(buf, sizeof buf, "%s: stopped at the time limit of %g s (time-limit)", ctx->names.v[0],
                     ctx->time_limit);
            out = fail(ctx, FC_EINPUT, "%s", buf);
        } else if (ctx->stop || lim.stopped) {
            out = fail(ctx, FC_ECANCELED, "%s", "canceled (fc_context_cancel)");
        } else if (fc_lua_limit_message(&lim, ctx->names.v[0], memory, buf, sizeof buf)) {
            out = fail(ctx, FC_EINPUT, "%s", buf);
        } else if (memory || strcmp(msg, "out of memory") == 0) {
            out = fail(ctx, FC_EINTERNAL, "%s", "out of memory");
        } else if (fc_lua_internal_fault(msg)) {
            out = fail(ctx, FC_EINTERNAL, "internal error (please report it): %s", msg);
        } else {
            out = fail(ctx, FC_EINPUT, "%s", msg);
        }
    } else {
        size_t n;
        const char *text = lua_tolstring(L, -1, &n);
        char *copy = text ? malloc(n + 1) : NULL;
        if (copy == NULL) {
            out = fail(ctx, FC_EINTERNAL, "%s", text ? "out of memory" : "internal error: no output");
        } else {
            memcpy(copy, text, n + 1);
            *report = copy;
            if (len)
                *len = n;
            ok(ctx);
        }
    }
    lua_close(L);
    return out;
}
