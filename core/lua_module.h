/* lua_module: the funnelcast Lua module. The same table serves `require
 * "funnelcast"` from a stock lua5.4 and the scenario environment of the CLI:
 * C functions (sampling, later compile/run) plus the embedded scripts/. */
#ifndef FC_LUA_MODULE_H
#define FC_LUA_MODULE_H

#include <lua.h>

/* Pushes the module table, building it on first use in this state (it is
 * cached in the registry). Raises a Lua error if an embedded script fails. */
int fc_lua_push_module(lua_State *L);

/* Entry point for require "funnelcast". */
int luaopen_funnelcast(lua_State *L);

#endif
