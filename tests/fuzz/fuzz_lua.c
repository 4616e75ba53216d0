/* fuzz_lua: see fuzz_lua.h. */
#include "fuzz_lua.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lualib.h>

#include "lua_module.h"
#include "lua_util.h"

typedef struct limit {
    size_t used;
    unsigned hooks;
} limit;

static void *limited_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    limit *lim = ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        lim->used -= old;
        return NULL;
    }
    if (nsize > old && lim->used - old + nsize > FUZZ_LUA_MEMORY)
        return NULL;
    void *p = realloc(ptr, nsize);
    if (p)
        lim->used = lim->used - old + nsize;
    return p;
}

static void count_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    limit *lim;
    lua_getallocf(L, (void **)&lim);
    if (++lim->hooks > FUZZ_HOOK_LIMIT)
        luaL_error(L, "fuzz: instruction limit");
}

static int open_libs(lua_State *L)
{
    luaL_openlibs(L);
    return 0;
}

lua_State *fuzz_lua_new(void)
{
    limit *lim = calloc(1, sizeof *lim);
    if (lim == NULL)
        return NULL;
    lua_State *L = lua_newstate(limited_alloc, lim);
    if (L == NULL) {
        free(lim);
        return NULL;
    }
    lua_pushcfunction(L, open_libs);
    if (lua_pcall(L, 0, 0, 0) != LUA_OK) {
        fuzz_lua_close(L);
        return NULL;
    }
    lua_sethook(L, count_hook, LUA_MASKCOUNT, FUZZ_HOOK_EVERY);
    return L;
}

void fuzz_lua_close(lua_State *L)
{
    void *lim;
    lua_getallocf(L, &lim);
    lua_sethook(L, NULL, 0, 0);
    lua_close(L);
    free(lim);
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
