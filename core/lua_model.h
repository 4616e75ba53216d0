/* lua_model: compiles the normalized scenario table (made by
 * scripts/scenario.lua's normalize) into an fc_model. The Lua side has
 * validated every field with file and line; the checks here are a second
 * line of defence with field paths only. */
#ifndef FC_LUA_MODEL_H
#define FC_LUA_MODEL_H

#include <stddef.h>

#include <lua.h>

#include "model.h"

/* Compiles the table at idx. Returns the model (the caller owns it:
 * fc_model_free), or NULL with a message in err. */
fc_model *fc_lua_compile(lua_State *L, int idx, char *err, size_t errlen);

#endif
