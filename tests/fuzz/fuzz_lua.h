/* fuzz_lua: what the funnelcast fuzz harnesses share: the command's
 * sandboxed Lua state with a memory cap and an instruction limit (so that an
 * input that loops forever or allocates without end ends in a Lua error, not
 * a stuck fuzzer), the funnelcast module loaded in it, and a private scratch file
 * the input is written to (the module reads scenarios and partials from
 * files, as the command does). */
#ifndef FC_FUZZ_LUA_H
#define FC_FUZZ_LUA_H

#include <stddef.h>
#include <stdint.h>

#include <lua.h>

/* Lua memory and instruction limits per input. */
#define FUZZ_LUA_MEMORY (96u << 20)
#define FUZZ_LUA_STEPS 5000000

/* A fresh state of the command's sandbox (lua_sandbox.h) with the limits
 * above; NULL when out of memory. */
lua_State *fuzz_lua_new(void);
void fuzz_lua_close(lua_State *L);

/* Writes data to the scratch file and returns its path. */
const char *fuzz_write_scratch(const uint8_t *data, size_t size, const char *suffix);

/* Pushes the options of `funnelcast COMMAND FILE --trials 50 --threads 1`
 * (--format json when json is nonzero) as main.lua takes them. */
void fuzz_push_opts(lua_State *L, const char *command, const char *file, int json);

/* Calls fc._main(fc, opts) where opts is the table on the stack top (it is
 * popped), in protected mode. Returns the lua_pcall status; the result or the
 * message is popped too. */
int fuzz_main(lua_State *L);

#endif
