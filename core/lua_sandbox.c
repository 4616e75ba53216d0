/* lua_sandbox: the limited state, the command's libraries and the library's
 * privileged functions (see lua_sandbox.h). */
/* realpath is an X/Open function in glibc's headers */
#define _XOPEN_SOURCE 700
#include "lua_sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <lauxlib.h>
#include <lualib.h>

#include "rng.h"

/* Steps between two calls of the count hook, while no limit is hit. */
#define HOOK_COUNT 1000

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* The cap counts every byte the state holds. A refusal is definite when Lua's
 * emergency collection did not make room either: two refusals with no
 * successful allocation between them (Lua retries once after collecting). */
static void *limited_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    fc_lua_limits *lim = ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        lim->used -= old;
        return NULL;
    }
    if (lim->max_memory && nsize > old &&
        (nsize - old > lim->max_memory || lim->used > lim->max_memory - (nsize - old))) {
        if (lim->refused_last)
            lim->memory_hit = 1;
        lim->refused = lim->refused_last = 1;
        return NULL;
    }
    void *p = realloc(ptr, nsize);
    if (p == NULL)
        return NULL;
    lim->used = lim->used - old + nsize;
    lim->refused_last = 0;
    return p;
}

static fc_lua_limits *limits_of(lua_State *L)
{
    void *ud;
    lua_getallocf(L, &ud);
    return ud;
}

static void count_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    fc_lua_limits *lim = limits_of(L);
    if (!(lim->steps_hit || lim->memory_hit || lim->time_hit || lim->stopped)) {
        lim->steps += HOOK_COUNT;
        if (lim->max_steps && lim->steps > lim->max_steps)
            lim->steps_hit = 1;
        else if (lim->stop && *lim->stop)
            lim->stopped = 1;
        else if (lim->time_limit > 0 && now_seconds() - lim->start > lim->time_limit)
            lim->time_hit = 1;
        else
            return;
    }
    /* from now on at every instruction: a pcall that caught this error
     * cannot run a single instruction of its own */
    lua_sethook(L, count_hook, LUA_MASKCOUNT, 1);
    lua_pushstring(L, lim->stopped ? "interrupted" : "a limit of the scenario was reached");
    lua_error(L);
}

static int panic(lua_State *L)
{
    /* unreachable: every call into Lua is protected (lua_util.h) */
    const char *msg = lua_tostring(L, -1);
    fprintf(stderr, "funnelcast: internal error: unprotected Lua error: %s\n", msg ? msg : "?");
    return 0;
}

lua_State *fc_lua_limited_state(fc_lua_limits *lim)
{
    lim->used = 0;
    lim->steps = 0;
    lim->steps_hit = lim->memory_hit = lim->time_hit = lim->stopped = 0;
    lim->refused = lim->refused_last = 0;
    lim->start = now_seconds();
    lua_State *L = lua_newstate(limited_alloc, lim);
    if (L == NULL)
        return NULL;
    lua_atpanic(L, panic);
    lua_setwarnf(L, NULL, NULL);
    lua_sethook(L, count_hook, LUA_MASKCOUNT, HOOK_COUNT);
    return L;
}

/* load(chunk [, chunkname [, mode [, env]]]) for text only: the base load of
 * the command's state, which never turns bytes into bytecode. */
static int text_load(lua_State *L)
{
    size_t len;
    if (lua_type(L, 1) != LUA_TSTRING)
        return luaL_argerror(L, 1, "expected a string (load reads text chunks only)");
    const char *s = lua_tolstring(L, 1, &len);
    const char *name = luaL_optstring(L, 2, s);
    const char *mode = luaL_optstring(L, 3, "t");
    if (strchr(mode, 't') == NULL || (len > 0 && s[0] == LUA_SIGNATURE[0])) {
        lua_pushnil(L);
        lua_pushstring(L, "load: binary chunks (bytecode) cannot be loaded: only Lua text");
        return 2;
    }
    if (luaL_loadbufferx(L, s, len, name, "t") != LUA_OK) {
        lua_pushnil(L);
        lua_insert(L, -2);
        return 2;
    }
    if (!lua_isnone(L, 4)) {
        lua_pushvalue(L, 4);
        if (lua_setupvalue(L, -2, 1) == NULL)
            lua_pop(L, 1);
    }
    return 1;
}

int fc_lua_open_libs(lua_State *L)
{
    int unsafe = lua_toboolean(L, 1);
    if (unsafe) {
        luaL_openlibs(L);
        return 0;
    }
    static const luaL_Reg libs[] = {
        {LUA_GNAME, luaopen_base},       {LUA_TABLIBNAME, luaopen_table},
        {LUA_STRLIBNAME, luaopen_string}, {LUA_MATHLIBNAME, luaopen_math},
        {LUA_UTF8LIBNAME, luaopen_utf8}, {NULL, NULL},
    };
    for (const luaL_Reg *lib = libs; lib->name; lib++) {
        luaL_requiref(L, lib->name, lib->func, 1);
        lua_pop(L, 1);
    }
    lua_pushglobaltable(L);
    lua_pushnil(L);
    lua_setfield(L, -2, "dofile");
    lua_pushnil(L);
    lua_setfield(L, -2, "loadfile");
    lua_pushcfunction(L, text_load);
    lua_setfield(L, -2, "load");
    lua_getfield(L, -1, LUA_STRLIBNAME);
    lua_pushnil(L);
    lua_setfield(L, -2, "dump");
    lua_pop(L, 2);
    /* getmetatable("") gives nothing to modify: the string library a script
     * sees is its own copy (scripts/sandbox.lua) */
    lua_pushliteral(L, "");
    if (lua_getmetatable(L, -1)) {
        lua_pushboolean(L, 0);
        lua_setfield(L, -2, "__metatable");
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return 0;
}

static void format_bytes(uint64_t n, char *buf, size_t len)
{
    if (n >= (UINT64_C(1) << 30) && n % (UINT64_C(1) << 30) == 0)
        snprintf(buf, len, "%llu GiB", (unsigned long long)(n >> 30));
    else if (n >= (UINT64_C(1) << 20) && n % (UINT64_C(1) << 20) == 0)
        snprintf(buf, len, "%llu MiB", (unsigned long long)(n >> 20));
    else if (n >= (UINT64_C(1) << 10) && n % (UINT64_C(1) << 10) == 0)
        snprintf(buf, len, "%llu KiB", (unsigned long long)(n >> 10));
    else
        snprintf(buf, len, "%llu bytes", (unsigned long long)n);
}

int fc_lua_limit_message(const fc_lua_limits *lim, const char *file, int memory_error,
                         char *buf, size_t len)
{
    if (lim->steps_hit) {
        snprintf(buf, len,
                 "%s: the scenario ran more than %llu Lua steps (a loop that never ends?); "
                 "raise the limit with --max-steps",
                 file, (unsigned long long)lim->max_steps);
        return 1;
    }
    if (lim->time_hit) {
        snprintf(buf, len, "%s: the command ran for more than %g s; raise the limit with --time-limit",
                 file, lim->time_limit);
        return 1;
    }
    if (lim->memory_hit || (memory_error && lim->refused)) {
        char size[32];
        format_bytes(lim->max_memory, size, sizeof size);
        snprintf(buf, len,
                 "%s: the scenario used more than %s of memory; raise the limit with --max-memory",
                 file, size);
        return 1;
    }
    return 0;
}

static int file_gc(lua_State *L)
{
    FILE **pf = lua_touserdata(L, 1);
    if (*pf)
        fclose(*pf);
    *pf = NULL;
    return 0;
}

/* _read_file(path [, regular_only [, max_bytes]]) -> the file's bytes and
 * whether it is a regular file, or nil and the reason (a regular file
 * larger than max_bytes is refused before it is read). With regular_only, a device, a pipe
 * or a directory is refused before anything is read (an include must not
 * read /dev/zero, a terminal or a FIFO). The FILE is held by a userdata
 * whose __gc closes it, so a memory error while reading does not leak it. */
static int l_read_file(lua_State *L)
{
    size_t plen;
    const char *path = luaL_checklstring(L, 1, &plen);
    int regular_only = lua_toboolean(L, 2);
    lua_Integer max_bytes = luaL_optinteger(L, 3, 0);
    if (strlen(path) != plen) {
        lua_pushnil(L);
        lua_pushliteral(L, "a file name with a NUL byte");
        return 2;
    }
    FILE **pf = lua_newuserdatauv(L, sizeof *pf, 0);
    *pf = NULL;
    if (luaL_newmetatable(L, "funnelcast.file")) {
        lua_pushcfunction(L, file_gc);
        lua_setfield(L, -2, "__gc");
        lua_pushboolean(L, 0);
        lua_setfield(L, -2, "__metatable");
    }
    lua_setmetatable(L, -2);
    /* opened without blocking, so that a FIFO nobody writes is refused
     * (regular_only), not waited for */
    int fd = open(path, O_RDONLY | O_CLOEXEC | (regular_only ? O_NONBLOCK : 0));
    struct stat st;
    int regular = fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    char big[96];
    const char *why = fd < 0 ? strerror(errno) : regular_only && !regular ? "not a regular file" : NULL;
    if (!why && regular && max_bytes > 0 && st.st_size > max_bytes) {
        snprintf(big, sizeof big, "%lld bytes, more than the %lld allowed", (long long)st.st_size,
                 (long long)max_bytes);
        why = big;
    }
    FILE *f = why ? NULL : fdopen(fd, "rb");
    if (f == NULL) {
        if (fd >= 0)
            close(fd);
        lua_pushnil(L);
        lua_pushstring(L, why ? why : strerror(errno));
        return 2;
    }
    *pf = f;
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    size_t n;
    do {
        char *p = luaL_prepbuffer(&b);
        n = fread(p, 1, LUAL_BUFFERSIZE, f);
        luaL_addsize(&b, n);
    } while (n == LUAL_BUFFERSIZE);
    int bad = ferror(f), err = errno;
    fclose(f);
    *pf = NULL;
    if (bad) {
        lua_pushnil(L);
        lua_pushstring(L, strerror(err));
        return 2;
    }
    luaL_pushresult(&b);
    lua_pushboolean(L, regular);
    return 2;
}

/* _realpath(path) -> the canonical absolute path, or nil and the reason. */
static int l_realpath(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    char real[PATH_MAX]; /* on the stack: a memory error below leaks nothing */
    if (realpath(path, real) == NULL) {
        lua_pushnil(L);
        lua_pushstring(L, strerror(errno));
        return 2;
    }
    lua_pushstring(L, real);
    return 1;
}

/* _getinfo(level): where a function on the stack is, as debug.getinfo(level,
 * "Slt") says it (level 0 is _getinfo itself), without the function. */
static int l_getinfo(lua_State *L)
{
    lua_Debug ar;
    if (!lua_getstack(L, (int)luaL_checkinteger(L, 1), &ar) || !lua_getinfo(L, "Slt", &ar)) {
        lua_pushnil(L);
        return 1;
    }
    lua_createtable(L, 0, 5);
    lua_pushstring(L, ar.source);
    lua_setfield(L, -2, "source");
    lua_pushstring(L, ar.short_src);
    lua_setfield(L, -2, "short_src");
    lua_pushinteger(L, ar.currentline);
    lua_setfield(L, -2, "currentline");
    lua_pushstring(L, ar.what);
    lua_setfield(L, -2, "what");
    lua_pushboolean(L, ar.istailcall);
    lua_setfield(L, -2, "istailcall");
    return 1;
}

/* math.random on PCG32: a scenario that draws stays reproducible. */
typedef struct script_rng {
    fc_pcg32 g;
    uint64_t seed0;
} script_rng;

static void rng_seed(script_rng *r, uint64_t seed)
{
    fc_rng_stream(&r->g, seed, 0, fc_rng_key("math.random"));
}

/* An integer in [0, lim], without bias. */
static uint64_t rng_upto(fc_pcg32 *g, uint64_t lim)
{
    if (lim < UINT32_MAX)
        return fc_rng_bounded(g, (uint32_t)(lim + 1));
    if (lim == UINT64_MAX)
        return fc_pcg32_next64(g);
    uint64_t mask = lim;
    mask |= mask >> 1;
    mask |= mask >> 2;
    mask |= mask >> 4;
    mask |= mask >> 8;
    mask |= mask >> 16;
    mask |= mask >> 32;
    uint64_t x;
    do
        x = fc_pcg32_next64(g) & mask;
    while (x > lim);
    return x;
}

/* random(), random(m), random(m, n), as Lua 5.4's math.random. */
static int l_script_random(lua_State *L)
{
    script_rng *r = lua_touserdata(L, lua_upvalueindex(1));
    lua_Integer low, up;
    switch (lua_gettop(L)) {
    case 0:
        lua_pushnumber(L, fc_rng_uniform(&r->g));
        return 1;
    case 1:
        low = 1;
        up = luaL_checkinteger(L, 1);
        if (up == 0) {
            lua_pushinteger(L, (lua_Integer)fc_pcg32_next64(&r->g));
            return 1;
        }
        break;
    case 2:
        low = luaL_checkinteger(L, 1);
        up = luaL_checkinteger(L, 2);
        break;
    default:
        return luaL_error(L, "wrong number of arguments");
    }
    luaL_argcheck(L, low <= up, lua_gettop(L), "interval is empty");
    uint64_t x = rng_upto(&r->g, (uint64_t)up - (uint64_t)low);
    lua_pushinteger(L, (lua_Integer)((uint64_t)low + x));
    return 1;
}

/* randomseed([x]): restarts the stream of seed x (of the run's seed without x). */
static int l_script_randomseed(lua_State *L)
{
    script_rng *r = lua_touserdata(L, lua_upvalueindex(1));
    uint64_t seed = r->seed0;
    if (!lua_isnoneornil(L, 1)) {
        if (lua_isinteger(L, 1)) {
            seed = (uint64_t)lua_tointeger(L, 1);
        } else {
            double x = luaL_checknumber(L, 1);
            lua_Integer i;
            if (lua_numbertointeger(x, &i))
                seed = (uint64_t)i;
            else
                memcpy(&seed, &x, sizeof seed);
        }
    }
    rng_seed(r, seed);
    return 0;
}

/* _random(seed) -> random, randomseed sharing one generator. */
static int l_random(lua_State *L)
{
    lua_Integer seed = luaL_checkinteger(L, 1);
    script_rng *r = lua_newuserdatauv(L, sizeof *r, 0);
    r->seed0 = (uint64_t)seed;
    rng_seed(r, r->seed0);
    lua_pushvalue(L, -1);
    lua_pushcclosure(L, l_script_random, 1);
    lua_insert(L, -2);
    lua_pushcclosure(L, l_script_randomseed, 1);
    return 2;
}

/* _limit_hit() -> whether a limit of this state was hit (false in a state
 * that fc_lua_limited_state did not make, such as a stock lua5.4's). */
static int l_limit_hit(lua_State *L)
{
    void *ud;
    int hit = 0;
    if (lua_getallocf(L, &ud) == limited_alloc) {
        const fc_lua_limits *lim = ud;
        hit = lim->steps_hit || lim->memory_hit || lim->time_hit || lim->stopped;
    }
    lua_pushboolean(L, hit);
    return 1;
}

/* _proxy(mt) -> a new empty userdata with metatable mt: an object a script
 * can hold but not index raw, write or re-metatable (scripts/object.lua). */
static int l_proxy(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_newuserdatauv(L, 0, 0);
    lua_pushvalue(L, 1);
    lua_setmetatable(L, -2);
    return 1;
}

void fc_lua_sandbox_register(lua_State *L)
{
    static const luaL_Reg funcs[] = {
        {"_proxy", l_proxy},
        {"_read_file", l_read_file},
        {"_realpath", l_realpath},
        {"_getinfo", l_getinfo},
        {"_random", l_random},
        {"_limit_hit", l_limit_hit},
        {NULL, NULL},
    };
    luaL_setfuncs(L, funcs, 0);
}
