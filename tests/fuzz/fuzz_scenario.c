/* fuzz_scenario: arbitrary bytes as a scenario file, through what
 * `funnelcast run FILE --trials 50 --threads 1` does (scripts/main.lua):
 * load in the scenario environment, validate, normalize, compile, run 50
 * trials, render the report (text or json, from the input's length). Every
 * input must end in a result or a Lua error; the sanitizers catch the rest.
 * Pair it with tests/fuzz/scenario.dict and the seed corpus (make fuzz). */
#include <stdint.h>
#include <stddef.h>

#include <lua.h>

#include "fuzz_lua.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write_scratch(data, size, ".lua");
    lua_State *L = fuzz_lua_new();
    if (L == NULL)
        return 0;
    lua_createtable(L, 0, 8);
    lua_pushstring(L, "run");
    lua_setfield(L, -2, "command");
    lua_pushstring(L, path);
    lua_setfield(L, -2, "file");
    lua_pushstring(L, size & 1 ? "json" : "text");
    lua_setfield(L, -2, "format");
    lua_pushinteger(L, 50);
    lua_setfield(L, -2, "trials");
    lua_pushinteger(L, 1);
    lua_setfield(L, -2, "threads");
    fuzz_main(L);
    fuzz_lua_close(L);
    return 0;
}
