/* lua_module: builds the module table from the C bindings and the embedded
 * Lua library (scripts/, see scripts.h). Embedded scripts are loaded with
 * core._script(name), so they find each other without package.path. */
#include "lua_module.h"

#include <string.h>

#include <lauxlib.h>

#include "funnelcast.h"
#include "literal.h"
#include "lua_dist.h"
#include "lua_results.h"
#include "lua_sandbox.h"
#include "model.h"
#include "scripts.h"

#define MODULE_KEY "funnelcast.module"

static const fc_script *find_script(const char *name)
{
    for (size_t i = 0; i < fc_script_count; i++)
        if (strcmp(fc_scripts[i].name, name) == 0)
            return &fc_scripts[i];
    return NULL;
}

/* core._script(name): runs the embedded script once with the core table as
 * its argument and returns (and caches) its result, like require. */
static int l_script(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    lua_getfield(L, lua_upvalueindex(1), "_loaded");
    if (lua_getfield(L, -1, name) != LUA_TNIL)
        return 1;
    lua_pop(L, 1);
    const fc_script *s = find_script(name);
    if (s == NULL)
        return luaL_error(L, "no embedded script '%s'", name);
    lua_pushfstring(L, "=" FC_SCRIPT_CHUNK "%s", s->path);
    if (luaL_loadbufferx(L, s->text, s->len, lua_tostring(L, -1), "t") != LUA_OK)
        return lua_error(L);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_call(L, 1, 1);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_pushboolean(L, 1);
    }
    lua_pushvalue(L, -1);
    lua_setfield(L, -4, name);
    return 1;
}

int fc_lua_push_module(lua_State *L)
{
    if (lua_getfield(L, LUA_REGISTRYINDEX, MODULE_KEY) == LUA_TTABLE)
        return 1;
    lua_pop(L, 1);
    lua_newtable(L); /* core: the C side, handed to the scripts */
    fc_lua_dist_register(L);
    fc_lua_results_register(L);
    fc_lua_sandbox_register(L);
    fc_lua_literal_register(L);
    lua_pushstring(L, fc_version());
    lua_setfield(L, -2, "version");
    lua_pushliteral(L, FC_SCRIPT_CHUNK);
    lua_setfield(L, -2, "script_chunk");
    /* the model's limits, for the Lua validation to check the same numbers */
    static const struct { const char *name; long long value; } limits[] = {
        {"periods", FC_MAX_PERIODS}, {"stages", FC_MAX_STAGES}, {"channels", FC_MAX_CHANNELS},
        {"goals", FC_MAX_GOALS}, {"lags", FC_MAX_LAGS}, {"trials", FC_MAX_TRIALS},
        {"name", FC_NAME_MAX}, {"customers", FC_MAX_CUSTOMERS}, {"tenure", FC_MAX_TENURE},
        {"correlated", FC_MAX_CORRELATED},
    };
    lua_createtable(L, 0, (int)(sizeof limits / sizeof limits[0]));
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
        lua_pushinteger(L, (lua_Integer)limits[i].value);
        lua_setfield(L, -2, limits[i].name);
    }
    lua_setfield(L, -2, "limits");
    lua_newtable(L);
    lua_setfield(L, -2, "_loaded");
    lua_pushvalue(L, -1);
    lua_pushcclosure(L, l_script, 1);
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, "_script");
    lua_pushstring(L, "funnelcast");
    lua_call(L, 1, 1);
    lua_remove(L, -2);
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, MODULE_KEY);
    return 1;
}

int luaopen_funnelcast(lua_State *L) { return fc_lua_push_module(L); }
