/* fuzz_lua: see fuzz_lua.h. */
#include "fuzz_lua.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lualib.h>

#include "lua_module.h"
#include "lua_sandbox.h"
#include "lua_util.h"

/* The command's own limited, sandboxed state (core/lua_sandbox.c), with
 * tighter limits: inputs are fuzzed through the same sandbox users get. */
lua_State *fuzz_lua_new(void)
{
    fc_lua_limits *lim = calloc(1, sizeof *lim);
    if (lim == NULL)
        return NULL;
    lim->max_steps = FUZZ_LUA_STEPS;
    lim->max_memory = FUZZ_LUA_MEMORY;
    lua_State *L = fc_lua_limited_state(lim);
    if (L == NULL) {
        free(lim);
        return NULL;
    }
    lua_pushcfunction(L, fc_lua_open_libs);
    lua_pushboolean(L, 0);
    if (lua_pcall(L, 1, 0, 0) != LUA_OK) {
        fuzz_lua_close(L);
        return NULL;
    }
    return L;
}

void fuzz_lua_close(lua_State *L)
{
    void *lim;
    lua_getallocf(L, &lim);
    lua_close(L);
    free(lim);
}

void fuzz_push_opts(lua_State *L, const char *command, const char *file, int json)
{
    lua_createtable(L, 0, 8);
    lua_pushstring(L, command);
    lua_setfield(L, -2, "command");
    lua_pushstring(L, file);
    lua_setfield(L, -2, "file");
    lua_pushstring(L, json ? "json" : "text");
    lua_setfield(L, -2, "format");
    lua_pushinteger(L, 50);
    lua_setfield(L, -2, "trials");
    lua_pushinteger(L, 1);
    lua_setfield(L, -2, "threads");
}

const char *fuzz_write_scratch(const uint8_t *data, size_t size, const char *suffix)
{
    static char path[256];
    const char *dir = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/fcfuzz-%ld%s", dir && *dir ? dir : "/tmp", (long)getpid(), suffix);
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, size, f) != size || fclose(f) != 0) {
        perror(path);
        abort();
    }
    return path;
}

static int call_main(lua_State *L)
{
    /* opts at 1 */
    fc_lua_push_module(L);
    lua_getfield(L, -1, "_main");
    lua_pushvalue(L, -2);
    lua_pushvalue(L, 1);
    lua_call(L, 2, 1);
    return 1;
}

int fuzz_main(lua_State *L)
{
    lua_pushcfunction(L, call_main);
    lua_insert(L, -2);
    int st = fc_lua_pcall(L, 1, 1, 0);
    if (getenv("FUZZ_VERBOSE")) {
        const char *s = lua_tostring(L, -1);
        fprintf(stderr, "%s: %.300s\n", st == LUA_OK ? "ok" : "error", s ? s : "(no string)");
    }
    lua_pop(L, 1);
    return st;
}
