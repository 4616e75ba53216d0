/* lua_module: the funnelcast Lua module. The same table serves `require
 * "funnelcast"` from a stock lua5.4 and the scenario environment of the CLI:
 * C functions (sampling, later compile/run) plus the embedded scripts/. */
#ifndef FC_LUA_MODULE_H
#define FC_LUA_MODULE_H

#include <lua.h>

/* Pushes the module table, building it on first use in this state (it is
 * cached in the registry). Raises a Lua error if an embedded script fails. */
int fc_lua_push_module(lua_State *L);

struct fc_lua_progress;

/* What an embedding program (the command, the C API) does before it calls
 * the library's main (scripts/main.lua), in a protected call on a state of
 * fc_lua_limited_state: opens the libraries (all of them when unsafe),
 * registers the stop flag (may be NULL), the memory the run may take and the
 * progress display (may be NULL), then pushes main and the module: the
 * caller pushes the options table and calls with 2 arguments. The pointers
 * must outlive the call. */
void fc_lua_push_main(lua_State *L, int unsafe, const volatile void *stop, long long max_memory,
                      const struct fc_lua_progress *progress);

/* Entry point for require "funnelcast". */
int luaopen_funnelcast(lua_State *L);

#endif
