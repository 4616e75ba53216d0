/* lua_dist: distributions between Lua and C. A distribution in Lua is a table
 * made by the constructors of scripts/funnelcast.lua, e.g.
 * { kind = "beta", a = 30, b = 970, each = "trial" }; its fields are named as
 * fc_dist_param_name() names them (binomial: n, p). */
#ifndef FC_LUA_DIST_H
#define FC_LUA_DIST_H

#include <stddef.h>

#include <lua.h>

#include "dist.h"

/* Reads the distribution table at idx into *out and checks it. The table is
 * read raw (metamethods are ignored). Returns 0, or -1 with a message in err
 * such as "beta: a: expected a number > 0, got -1". */
int fc_lua_todist(lua_State *L, int idx, fc_dist *out, char *err, size_t errlen);

/* Adds the sampling functions (sample, pcg32, _check_dist) to the table on
 * the stack top. */
void fc_lua_dist_register(lua_State *L);

#endif
