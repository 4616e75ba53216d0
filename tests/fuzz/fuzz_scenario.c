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
    fuzz_push_opts(L, "run", path, (int)(size & 1));
    fuzz_main(L);
    fuzz_lua_close(L);
    return 0;
}
