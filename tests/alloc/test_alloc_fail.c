/* test_alloc_fail: allocation-failure tests, the way SQLite's and Lua's own
 * test suites do them. Linked with -Wl,--wrap=malloc,--wrap=calloc,
 * --wrap=realloc,--wrap=free, so that every allocation the funnelcast core
 * (libfunnelcast.a) makes goes through the counting wrappers below; the Lua
 * state gets a lua_Alloc on the same counter. For k = 1, 2, ... the k-th
 * allocation (C or Lua, in whatever thread) fails, and the whole job runs
 * again from a fresh state: open the standard libraries, build the module,
 * load a scenario file, normalize, compile, run 2,000 trials on 2 threads,
 * render a report, then `check`, a shard and its merge. Every run must end
 * in a result or a Lua error (never a crash, an abort or a panic), and once
 * lua_close has run, every C block and every Lua block must have been freed.
 * The loop stops at the first k past the job's last allocation (a run with
 * no failure injected).
 *
 *   test_alloc_fail [SCENARIO]      (default scenarios/b2b_saas_inbound.lua)
 *   ALLOC_FROM=k ALLOC_TO=k ALLOC_STEP=s ALLOC_VERBOSE=1   to narrow a search
 *
 * realpath, strdup and strndup are wrapped as well: they return malloc'd
 * memory that the core frees. Allocations that libc makes for itself (pthread_create's stacks, stdio
 * buffers) do not go through the wrappers, as --wrap only rebinds the
 * references of the objects linked here; that is fine: they are not ours. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

#include "lua_module.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);
char *__real_realpath(const char *path, char *resolved);
char *__wrap_realpath(const char *path, char *resolved);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

/* Which allocations are counted, and so may fail. */
enum mode {
    MODE_C,   /* the core's own (wrapped malloc, calloc, realloc): every k */
    MODE_LUA, /* Lua's, while the core holds C blocks (a binding between its
               * allocation and its free, where a Lua error would leak them
               * unless it is handled): every k; the failure persists (every
               * later Lua allocation fails too), else Lua's emergency
               * collection would retry and succeed, and no error be raised */
    MODE_ALL, /* every allocation, C and Lua: every ALLOC_STEP-th k (the Lua
               * library's own allocations are many) */
};
static const char *const mode_names[] = {"C allocations", "Lua allocations while the core holds memory",
                                         "all allocations"};
static enum mode mode;
static atomic_long calls;    /* counted allocation attempts so far */
static atomic_long fail_at;  /* the attempt that fails (0: none) */
static atomic_int injected;  /* a failure was injected */
static atomic_long c_live;   /* C blocks allocated and not freed */
static atomic_long lua_live; /* Lua blocks allocated and not freed */

static int should_fail(int is_lua)
{
    if (mode == MODE_LUA && is_lua && atomic_load(&injected))
        return 1;
    if (mode == MODE_C && is_lua)
        return 0;
    if (mode == MODE_LUA && (!is_lua || atomic_load(&c_live) == 0))
        return 0;
    long n = atomic_fetch_add(&calls, 1) + 1;
    if (n == atomic_load(&fail_at)) {
        atomic_store(&injected, 1);
        return 1;
    }
    return 0;
}

void *__wrap_malloc(size_t n)
{
    if (should_fail(0))
        return NULL;
    void *p = __real_malloc(n);
    if (p)
        atomic_fetch_add(&c_live, 1);
    return p;
}

void *__wrap_calloc(size_t n, size_t size)
{
    if (should_fail(0))
        return NULL;
    void *p = __real_calloc(n, size);
    if (p)
        atomic_fetch_add(&c_live, 1);
    return p;
}

void *__wrap_realloc(void *p, size_t n)
{
    if (p == NULL)
        return __wrap_malloc(n);
    if (n == 0) {
        __wrap_free(p);
        return NULL;
    }
    if (should_fail(0))
        return NULL;
    return __real_realloc(p, n);
}

void __wrap_free(void *p)
{
    if (p)
        atomic_fetch_sub(&c_live, 1);
    __real_free(p);
}

/* libc functions that return malloc'd memory the core frees. */
char *__wrap_realpath(const char *path, char *resolved)
{
    if (resolved == NULL && should_fail(0))
        return NULL;
    char *r = __real_realpath(path, resolved);
    if (r && resolved == NULL)
        atomic_fetch_add(&c_live, 1);
    return r;
}

char *__wrap_strndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *d = __wrap_malloc(len + 1);
    if (d) {
        memcpy(d, s, len);
        d[len] = 0;
    }
    return d;
}

char *__wrap_strdup(const char *s) { return __wrap_strndup(s, (size_t)-1); }

static void *lua_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    (void)ud;
    (void)osize;
    if (nsize == 0) {
        if (ptr)
            atomic_fetch_sub(&lua_live, 1);
        __real_free(ptr);
        return NULL;
    }
    if (should_fail(1))
        return NULL;
    void *q = __real_realloc(ptr, nsize);
    if (q && ptr == NULL)
        atomic_fetch_add(&lua_live, 1);
    return q;
}

/* The job, in Lua, with fc and the scenario path as arguments. */
static const char job[] =
    "local fc, path = ...\n"
    "local s = fc.load(path)[1]\n"
    "local r = fc.run(s, { trials = 2000, threads = 2 })\n"
    "assert(r.trials == 2000 and #r.goals >= 0)\n"
    "local out = {}\n"
    "local function main(o)\n"
    "  o.file, o.files, o.sets, o.threads = o.file or path, o.files or {}, {}, 2\n"
    "  return fc._main(fc, o)\n"
    "end\n"
    "out[1] = main{ command = 'run', format = 'json', trials = 1000 }\n"
    "out[2] = main{ command = 'check', format = 'text' }\n"
    "local part = main{ command = 'run', format = 'text', trials = 1000, shard = { 1, 1 } }\n"
    "local tmp = os.tmpname()\n"
    "local f = assert(io.open(tmp, 'wb'))\n"
    "f:write(part)\n"
    "f:close()\n"
    "local ok, merged = pcall(main, { command = 'merge', format = 'text', files = { tmp } })\n"
    "os.remove(tmp)\n"
    "if not ok then error(merged, 0) end\n"
    "out[3] = merged\n"
    "return #out[1] + #out[2] + #out[3]\n";

static int run_job(lua_State *L)
{
    const char *path = lua_touserdata(L, 1);
    luaL_openlibs(L);
    fc_lua_push_module(L);
    if (luaL_loadbufferx(L, job, sizeof job - 1, "=alloc_job", "t") != LUA_OK)
        return lua_error(L);
    lua_insert(L, -2);
    lua_pushstring(L, path);
    lua_call(L, 2, 1);
    return 1;
}

static int panic(lua_State *L)
{
    fprintf(stderr, "test_alloc_fail: Lua panic at k = %ld: %s\n", atomic_load(&fail_at),
            lua_tostring(L, -1) ? lua_tostring(L, -1) : "?");
    return 0; /* lua then aborts */
}

/* Distinct error messages met, for the summary. */
#define MAXMSG 32
static char msgs[MAXMSG][128];
static long msg_count[MAXMSG];
static int nmsgs;

static void note_msg(const char *m)
{
    char key[128];
    snprintf(key, sizeof key, "%s", m ? m : "(not a string)");
    char *tmp = strstr(key, "/tmp/lua_"); /* os.tmpname()'s random part */
    if (tmp && strlen(tmp) >= 15)
        memmove(tmp + 9, tmp + 15, strlen(tmp + 15) + 1);
    for (int i = 0; i < nmsgs; i++)
        if (strcmp(msgs[i], key) == 0) {
            msg_count[i]++;
            return;
        }
    if (nmsgs < MAXMSG) {
        snprintf(msgs[nmsgs], sizeof msgs[nmsgs], "%s", key);
        msg_count[nmsgs++] = 1;
    }
}

static long env_long(const char *name, long dflt)
{
    const char *s = getenv(name);
    return s && *s ? strtol(s, NULL, 10) : dflt;
}

/* Runs the job with the k-th counted allocation failing. Returns 1 when a
 * failure was injected, 0 when the job made fewer than k allocations, -1 on
 * a test failure (the job failed with nothing injected, or leaked). */
typedef struct tally {
    long runs, errors, recovered, leaks, total;
} tally;

static int run_k(const char *path, long k, int verbose, tally *t)
{
    atomic_store(&calls, 0);
    atomic_store(&injected, 0);
    atomic_store(&fail_at, k);
    long c0 = atomic_load(&c_live), l0 = atomic_load(&lua_live);
    int st = LUA_OK;
    char msg[128] = "";
    lua_State *L = lua_newstate(lua_alloc, NULL);
    if (L == NULL) {
        st = LUA_ERRMEM;
        snprintf(msg, sizeof msg, "lua_newstate: NULL");
    } else {
        lua_atpanic(L, panic);
        lua_pushcfunction(L, run_job);
        lua_pushlightuserdata(L, (void *)path);
        st = lua_pcall(L, 1, 1, 0);
        if (st != LUA_OK)
            snprintf(msg, sizeof msg, "%s", lua_tostring(L, -1) ? lua_tostring(L, -1) : "(not a string)");
        lua_close(L);
    }
    t->runs++;
    int inj = atomic_load(&injected), bad = 0;
    long cl = atomic_load(&c_live) - c0, ll = atomic_load(&lua_live) - l0;
    if (cl != 0 || ll != 0) {
        t->leaks++;
        bad = 1;
        fprintf(stderr, "test_alloc_fail: %s, k = %ld: leak: %ld C blocks, %ld Lua blocks (run: %s)\n",
                mode_names[mode], k, cl, ll, st == LUA_OK ? "ok" : msg);
        atomic_store(&c_live, c0);
        atomic_store(&lua_live, l0);
    }
    if (st != LUA_OK) {
        t->errors++;
        note_msg(msg);
        if (!inj) {
            fprintf(stderr, "test_alloc_fail: the job failed with no injected failure: %s\n", msg);
            bad = 1;
        }
    } else if (inj) {
        t->recovered++; /* Lua's emergency collection retried, or the core fell back */
    }
    if (verbose)
        fprintf(stderr, "%s, k = %ld: %s%s\n", mode_names[mode], k, inj ? "" : "(no failure) ",
                st == LUA_OK ? "ok" : msg);
    if (!inj)
        t->total = atomic_load(&calls);
    return bad ? -1 : inj;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "scenarios/b2b_saas_inbound.lua";
    long from = env_long("ALLOC_FROM", 1), to = env_long("ALLOC_TO", 0);
    long step = env_long("ALLOC_STEP", 97);
    long only = env_long("ALLOC_MODE", -1);
    int verbose = (int)env_long("ALLOC_VERBOSE", 0);
    int failed = 0;
    for (int md = MODE_C; md <= MODE_ALL; md++) {
        if (only >= 0 && md != only)
            continue;
        mode = (enum mode)md;
        tally t = {0, 0, 0, 0, 0};
        long cstep = env_long("ALLOC_C_STEP", 1);
        long stride = md == MODE_ALL ? (step > 0 ? step : 1) : cstep > 1 ? cstep : 1;
        nmsgs = 0;
        for (long k = from; to == 0 || k <= to; k += stride) {
            int r = run_k(path, k, verbose, &t);
            if (r < 0)
                failed = 1;
            if (r == 0)
                break;
        }
        printf("test_alloc_fail: %s: failing %s, k = %ld..%ld%s: %ld runs (the job makes %ld); %ld ended in "
               "an error, %ld recovered, %ld leaked\n",
               path, mode_names[md], from, from + (t.runs - 1) * stride, stride > 1 ? " by steps" : "",
               t.runs, t.total, t.errors, t.recovered, t.leaks);
        for (int i = 0; i < nmsgs; i++)
            printf("  %6ld x %s\n", msg_count[i], msgs[i]);
    }
    if (failed) {
        printf("[  FAILED  ] allocation-failure tests\n");
        return 1;
    }
    printf("[  PASSED  ] allocation-failure tests: every failed allocation ended in a result or an error, "
           "with nothing leaked\n");
    return 0;
}
