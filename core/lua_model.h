/* lua_model: compiles the normalized scenario table (made by
 * scripts/scenario.lua's normalize) into an fc_model. The Lua side has
 * validated every field with file and line; the checks here are a second
 * line of defence with field paths only. */
#ifndef FC_LUA_MODEL_H
#define FC_LUA_MODEL_H

#include <stddef.h>

#include <lua.h>

#include "model.h"

/* Compiles the table at idx into *out. Returns 0; or -1 with a message in
 * err and *out NULL. The caller owns *out (fc_model_free) as soon as it is
 * set, which is before any Lua call that can raise: keep *out somewhere a Lua
 * error cannot lose it (a userdata with __gc), and a memory error raised
 * while compiling leaks nothing. */
int fc_lua_compile(lua_State *L, int idx, fc_model **out, char *err, size_t errlen);

/* Adds to the table on the stack top what the Lua validation shares with
 * the compiler: limits (the model's maxima by name) and name_problem(s
 * [, part]), the rule for names (fc_name_problem). */
void fc_lua_model_register(lua_State *L);

#endif
