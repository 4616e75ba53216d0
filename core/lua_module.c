/* lua_module: builds the module table from the C bindings and the embedded
 * Lua library (scripts/, see scripts.h). Embedded scripts are loaded with
 * core._script(name), so they find each other without package.path. */
#include "lua_module.h"

#include <string.h>

#include <lauxlib.h>

#include "funnelcast.h"
#include "literal.h"
#include "lua_dist.h"
#include "lua_model.h"
#include "lua_results.h"
#include "lua_run.h"
#include "lua_sandbox.h"
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

/* core._scripts(): the names of the embedded scripts, in file order (the
 * languages with a catalogue are found this way). */
static int l_scripts(lua_State *L)
{
    lua_createtable(L, (int)fc_script_count, 0);
    for (size_t i = 0; i < fc_script_count; i++) {
        lua_pushstring(L, fc_scripts[i].name);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

int fc_lua_push_module(lua_State *L)
{
    if (lua_getfield(L, LUA_REGISTRYINDEX, MODULE_KEY) == LUA_TTABLE)
        return 1;
    lua_pop(L, 1);
    lua_newtable(L); /* core: the C side, handed to the scripts */
    fc_lua_dist_register(L);
    fc_lua_run_register(L);
    fc_lua_sandbox_register(L);
    fc_lua_literal_register(L);
    fc_lua_model_register(L);
    lua_pushstring(L, fc_version());
    lua_setfield(L, -2, "version");
    lua_pushliteral(L, FC_SCRIPT_CHUNK);
    lua_setfield(L, -2, "script_chunk");
    lua_newtable(L);
    lua_setfield(L, -2, "_loaded");
    lua_pushcfunction(L, l_scripts);
    lua_setfield(L, -2, "_scripts");
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

void fc_lua_push_main(lua_State *L, int unsafe, const volatile void *stop, long long max_memory,
                      const struct fc_lua_progress *progress)
{
    lua_pushcfunction(L, fc_lua_open_libs);
    lua_pushboolean(L, unsafe);
    lua_call(L, 1, 0);
    if (stop) {
        lua_pushlightuserdata(L, (void *)stop);
        lua_setfield(L, LUA_REGISTRYINDEX, FC_LUA_STOP_KEY);
    }
    lua_pushinteger(L, (lua_Integer)max_memory);
    lua_setfield(L, LUA_REGISTRYINDEX, FC_LUA_MAX_MEMORY_KEY);
    if (progress) {
        lua_pushlightuserdata(L, (void *)progress);
        lua_setfield(L, LUA_REGISTRYINDEX, FC_LUA_PROGRESS_KEY);
    }
    fc_lua_push_module(L);        /* fc */
    lua_getfield(L, -1, "_main"); /* fc, main */
    lua_pushvalue(L, -2);         /* fc, main, fc */
}
