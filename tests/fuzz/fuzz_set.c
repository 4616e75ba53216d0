/* fuzz_set: structured mutations of valid scenarios. The first byte picks
 * one of the valid scenarios (the examples in scenarios/ and tests/good/, read at
 * start-up from FUZZ_ROOT, default "."); the rest is lines KEY=VALUE applied
 * as --set overrides (s:set, the path the command line takes), so that
 * every input reaches validation, compilation and a run of 50 trials with
 * a syntactically valid scenario whose fields are anything. Odd first bytes
 * run `check` instead of `run`. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lua.h>

#include "fuzz_lua.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const bases[] = {
    "scenarios/b2b_saas_inbound.lua", "scenarios/b2b_events_sales_cycle.lua",
    "scenarios/ecommerce_retention.lua", "tests/good/minimal.lua",
    "tests/good/full.lua", "tests/good/compare.lua",
};
#define NBASES (sizeof bases / sizeof *bases)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static char paths[NBASES][512];
    const char *root = getenv("FUZZ_ROOT");
    size_t b = (data[0] >> 1) % NBASES;
    snprintf(paths[b], sizeof paths[b], "%s/%s", root && *root ? root : ".", bases[b]);
    lua_State *L = fuzz_lua_new();
    if (L == NULL)
        return 0;
    fuzz_push_opts(L, data[0] & 1 ? "check" : "run", paths[b], (int)(size & 1));
    /* sets: the lines that hold '=' after their first byte, as cli.c accepts */
    lua_newtable(L);
    int n = 0;
    const char *p = (const char *)data + 1, *end = (const char *)data + size;
    while (p < end && n < 64) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        const char *eq = memchr(p, '=', (size_t)(le - p));
        if (eq && eq > p) {
            lua_createtable(L, 2, 0);
            lua_pushlstring(L, p, (size_t)(eq - p));
            lua_rawseti(L, -2, 1);
            lua_pushlstring(L, eq + 1, (size_t)(le - eq - 1));
            lua_rawseti(L, -2, 2);
            lua_rawseti(L, -2, ++n);
        }
        p = le + 1;
    }
    lua_setfield(L, -2, "sets");
    fuzz_main(L);
    fuzz_lua_close(L);
    return 0;
}
