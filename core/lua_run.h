/* lua_run: the bindings that compile and run scenarios, alone or paired
 * (core.run, core.compare, core.run_shard, core.partial_scenario,
 * core.merge, core.compile_check); their results are the tables of
 * core/lua_results.h. */
#ifndef FC_LUA_RUN_H
#define FC_LUA_RUN_H

#include <lua.h>

/* Adds the bindings to the table on the stack top. */
void fc_lua_run_register(lua_State *L);

#endif
