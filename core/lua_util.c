/* lua_util: protected calls and argument errors for the Lua bindings. */
#include "lua_util.h"

#include <string.h>

#include <lauxlib.h>

#include "scripts.h"

static int msghandler_tb(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    if (msg == NULL) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
            return 1;
        msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    luaL_traceback(L, L, msg, 1);
    return 1;
}

static int msghandler_plain(lua_State *L)
{
    if (lua_tostring(L, 1) == NULL) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
            return 1;
        lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    return 1;
}

int fc_lua_pcall(lua_State *L, int nargs, int nresults, int traceback)
{
    int base = lua_gettop(L) - nargs;
    lua_pushcfunction(L, traceback ? msghandler_tb : msghandler_plain);
    lua_insert(L, base);
    int status = lua_pcall(L, nargs, nresults, base);
    lua_remove(L, base);
    return status;
}

int fc_lua_argfail(lua_State *L, const char *fn, const char *arg,
                   const char *what, int idx)
{
    const char *got;
    if (lua_type(L, idx) == LUA_TNUMBER || lua_type(L, idx) == LUA_TSTRING)
        got = luaL_tolstring(L, idx, NULL);
    else
        got = luaL_typename(L, idx);
    luaL_where(L, 1);
    lua_pushfstring(L, "%s: %s: expected %s, got %s", fn, arg, what, got);
    lua_concat(L, 2);
    return lua_error(L);
}

int fc_lua_internal_fault(const char *msg)
{
    return strncmp(msg, FC_SCRIPT_CHUNK, strlen(FC_SCRIPT_CHUNK)) == 0 || strncmp(msg, "internal error", 14) == 0 ||
           strstr(msg, "funnelcast: internal error") != NULL;
}
