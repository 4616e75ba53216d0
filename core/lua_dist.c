/* lua_dist: reading distribution tables, and the module's sampling surface:
 * sample(dist, count, seed), pcg32(initstate, initseq), _check_dist(dist). */
#include "lua_dist.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>

#include "lua_util.h"
#include "rng.h"
#include "special.h"

#define PCG32_MT "funnelcast.pcg32"
/* sample() refuses more draws than this (1 GiB of Lua array). */
#define SAMPLE_MAX_COUNT (INT64_C(1) << 26)

static int kind_of(const char *name)
{
    for (int k = 0; k < FC_DIST_KIND_COUNT; k++)
        if (strcmp(name, fc_dist_kind_name((fc_dist_kind)k)) == 0)
            return k;
    return -1;
}

/* Pushes field k of the table at (absolute) idx, raw: no metamethod of a
 * table a script may have made runs, or changes what is read. */
static int raw_field(lua_State *L, int idx, const char *k)
{
    lua_pushstring(L, k);
    return lua_rawget(L, idx);
}

/* Reads field `name` of the table at idx as a number into *x. */
static int get_number(lua_State *L, int idx, const char *kind, const char *name,
                      double *x, char *err, size_t errlen)
{
    raw_field(L, idx, name);
    int ok = lua_type(L, -1) == LUA_TNUMBER;
    *x = ok ? lua_tonumber(L, -1) : 0;
    if (!ok)
        snprintf(err, errlen, "%s: %s: expected a number, got %s", kind, name,
                 luaL_typename(L, -1));
    lua_pop(L, 1);
    return ok ? 0 : -1;
}

int fc_lua_todist(lua_State *L, int idx, fc_dist *out, char *err, size_t errlen)
{
    idx = lua_absindex(L, idx);
    memset(out, 0, sizeof *out);
    if (lua_type(L, idx) != LUA_TTABLE) {
        snprintf(err, errlen, "expected a distribution, got %s", luaL_typename(L, idx));
        return -1;
    }
    raw_field(L, idx, "kind");
    const char *name = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
    int kind = name ? kind_of(name) : -1;
    if (kind < 0)
        snprintf(err, errlen, "expected a distribution, got a table%s%s%s",
                 name ? " of kind '" : "", name ? name : "", name ? "'" : "");
    lua_pop(L, 1);
    if (kind < 0)
        return -1;
    out->kind = (fc_dist_kind)kind;
    if (out->kind == FC_DIST_BINOMIAL) {
        double n;
        if (get_number(L, idx, "binomial", "n", &n, err, errlen) ||
            get_number(L, idx, "binomial", "p", &out->p[0], err, errlen))
            return -1;
        if (!(n >= 0 && n <= 0x1p62 && n == floor(n))) {
            snprintf(err, errlen, "binomial: n: expected an integer in [0, 2^62], got %g", n);
            return -1;
        }
        raw_field(L, idx, "n");
        out->n = lua_isinteger(L, -1) ? (uint64_t)lua_tointeger(L, -1) : (uint64_t)n;
        lua_pop(L, 1);
    } else {
        for (int i = 0; i < 3; i++) {
            const char *pname = fc_dist_param_name(out->kind, i);
            if (pname == NULL)
                break;
            if (get_number(L, idx, name, pname, &out->p[i], err, errlen))
                return -1;
        }
    }
    return fc_dist_check(out, err, errlen);
}

/* _check_dist(d): raises the checker's message (no position: the Lua
 * constructor re-raises it at its caller's line). */
static int l_check_dist(lua_State *L)
{
    fc_dist d;
    char err[256];
    if (fc_lua_todist(L, 1, &d, err, sizeof err) != 0) {
        lua_pushstring(L, err);
        return lua_error(L);
    }
    lua_pushnumber(L, fc_dist_mean(&d));
    lua_pushnumber(L, fc_dist_var(&d));
    return 2;
}

static uint64_t check_u64(lua_State *L, int idx, const char *fn, const char *arg)
{
    if (!lua_isinteger(L, idx)) {
        int ok;
        double x = lua_tonumberx(L, idx, &ok);
        if (!ok || x != floor(x) || fabs(x) > 0x1p63)
            fc_lua_argfail(L, fn, arg, "an integer", idx);
        return (uint64_t)(int64_t)x;
    }
    return (uint64_t)lua_tointeger(L, idx);
}

static int l_sample(lua_State *L)
{
    fc_dist d;
    char err[256];
    if (fc_lua_todist(L, 1, &d, err, sizeof err) != 0)
        return luaL_error(L, "sample: dist: %s", err);
    if (!lua_isinteger(L, 2) || lua_tointeger(L, 2) < 0 ||
        lua_tointeger(L, 2) > SAMPLE_MAX_COUNT)
        return fc_lua_argfail(L, "sample", "count", "an integer in [0, 2^26]", 2);
    lua_Integer count = lua_tointeger(L, 2);
    uint64_t seed = lua_isnoneornil(L, 3) ? 0 : check_u64(L, 3, "sample", "seed");
    fc_pcg32 rng;
    fc_rng_stream(&rng, seed, 0, fc_rng_key("sample"));
    lua_createtable(L, (int)count, 0);
    for (lua_Integer i = 1; i <= count; i++) {
        switch (d.kind) {
        case FC_DIST_BINOMIAL:
            lua_pushinteger(L, (lua_Integer)fc_rbinom(&rng, d.n, d.p[0]));
            break;
        case FC_DIST_POISSON:
            lua_pushinteger(L, (lua_Integer)fc_rpois(&rng, d.p[0]));
            break;
        default:
            lua_pushnumber(L, fc_dist_draw(&d, &rng));
        }
        lua_rawseti(L, -2, i);
    }
    return 1;
}

static int l_pcg32(lua_State *L)
{
    uint64_t initstate = check_u64(L, 1, "pcg32", "initstate");
    uint64_t initseq = lua_isnoneornil(L, 2) ? 0 : check_u64(L, 2, "pcg32", "initseq");
    fc_pcg32 *rng = lua_newuserdatauv(L, sizeof *rng, 0);
    fc_pcg32_seed(rng, initstate, initseq);
    luaL_setmetatable(L, PCG32_MT);
    return 1;
}

static int l_pcg32_next(lua_State *L)
{
    fc_pcg32 *rng = luaL_checkudata(L, 1, PCG32_MT);
    lua_pushinteger(L, (lua_Integer)fc_pcg32_next(rng));
    return 1;
}

static int l_pcg32_uniform(lua_State *L)
{
    fc_pcg32 *rng = luaL_checkudata(L, 1, PCG32_MT);
    lua_pushnumber(L, fc_rng_uniform(rng));
    return 1;
}

static int l_pcg32_advance(lua_State *L)
{
    fc_pcg32 *rng = luaL_checkudata(L, 1, PCG32_MT);
    fc_pcg32_advance(rng, check_u64(L, 2, "advance", "delta"));
    lua_settop(L, 1);
    return 1;
}

/* beta_from_quantiles(lo, hi) -> a, b: the beta whose 5th and 95th
 * percentiles are lo and hi; raises a message when none fits. */
static int l_beta_from_quantiles(lua_State *L)
{
    double lo = luaL_checknumber(L, 1), hi = luaL_checknumber(L, 2), a, b;
    if (fc_beta_from_quantiles(lo, hi, &a, &b) != 0) {
        lua_pushfstring(L, "no beta distribution has 5th and 95th percentiles %f and %f", lo, hi);
        return lua_error(L);
    }
    lua_pushnumber(L, a);
    lua_pushnumber(L, b);
    return 2;
}

void fc_lua_dist_register(lua_State *L)
{
    static const luaL_Reg methods[] = {
        {"next", l_pcg32_next},
        {"uniform", l_pcg32_uniform},
        {"advance", l_pcg32_advance},
        {NULL, NULL},
    };
    if (luaL_newmetatable(L, PCG32_MT)) {
        luaL_newlib(L, methods);
        lua_setfield(L, -2, "__index");
        /* a script holding a generator cannot reach (and change) its methods */
        lua_pushboolean(L, 0);
        lua_setfield(L, -2, "__metatable");
    }
    lua_pop(L, 1);
    static const luaL_Reg funcs[] = {
        {"sample", l_sample},
        {"pcg32", l_pcg32},
        {"_check_dist", l_check_dist},
        {"beta_from_quantiles", l_beta_from_quantiles},
        {NULL, NULL},
    };
    luaL_setfuncs(L, funcs, 0);
}
