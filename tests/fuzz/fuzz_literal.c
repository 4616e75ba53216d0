/* fuzz_literal: arbitrary bytes as the scenario text of a partial summary,
 * given to fc_lua_read_literal (core/literal.h) in a fresh Lua state with a
 * memory cap. A refusal must push nothing and name the text and an offset
 * within it. Whatever is accepted must be plain data that
 *   - written again by a small serializer here (serial.write's form, integer
 *     keys first and in order, floats keeping their subtype: 1.0, -0.0) reads
 *     back to a deeply equal value, whose own text is the same bytes;
 *   - Lua's own load("return " .. text), in an empty environment, accepts
 *     and evaluates to the same value, number subtypes, NaN and signed zeros
 *     included (but for "-9223372036854775808", which Lua reads as the float
 *     -2^63 and the reader as the integer it is).
 * Any difference aborts. */
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "fuzz_lua.h"
#include "literal.h"
#include "lua_sandbox.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TEXT_NAME "fuzz"

static void die(const char *what, const uint8_t *text, size_t len)
{
    fprintf(stderr, "fuzz_literal: %s\ntext (%zu bytes): %.*s\n", what, len, (int)(len < 2000 ? len : 2000),
            (const char *)text);
    abort();
}

/* A growing C buffer, owned by the caller of the protected call that fills
 * it (so a Lua memory error there leaks nothing). */
typedef struct buf {
    char *p;
    size_t n, size;
    int oom;
} buf;

static void put(buf *b, const void *s, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n > b->size) {
        size_t size = b->size ? b->size : 256;
        while (size < b->n + n)
            size *= 2;
        char *p = realloc(b->p, size);
        if (p == NULL) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->size = size;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
}

static void puts_(buf *b, const char *s) { put(b, s, strlen(s)); }

/* string.format("%q") of Lua 5.4 (lstrlib.c addquoted), in the C locale */
static void put_quoted(buf *b, const char *s, size_t n)
{
    put(b, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\' || c == '\n') {
            char e[2] = {'\\', (char)c};
            put(b, e, 2);
        } else if (c < 32 || c == 127) {
            char e[8];
            int digit_next = i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '9';
            snprintf(e, sizeof e, digit_next ? "\\%03u" : "\\%u", (unsigned)c);
            puts_(b, e);
        } else {
            put(b, s + i, 1);
        }
    }
    put(b, "\"", 1);
}

static void put_number(buf *b, lua_State *L, int idx)
{
    char s[64];
    if (lua_isinteger(L, idx)) {
        snprintf(s, sizeof s, "%" PRId64, (int64_t)lua_tointeger(L, idx));
        puts_(b, s);
        return;
    }
    lua_Number x = lua_tonumber(L, idx);
    if (isnan(x)) {
        puts_(b, "0/0");
    } else if (isinf(x)) {
        puts_(b, x > 0 ? "1/0" : "-1/0");
    } else {
        snprintf(s, sizeof s, "%.17g", x);
        /* serial.write stops here, so that 1.0 reads back as the integer 1
         * and -0.0 as 0; this keeps the subtype */
        if (strpbrk(s, ".e") == NULL)
            strcat(s, ".0");
        puts_(b, s);
    }
}

typedef struct key {
    int isint;
    lua_Integer i;
    const char *s;
    size_t n;
} key;

static int key_cmp(const void *pa, const void *pb)
{
    const key *a = pa, *b = pb;
    if (a->isint != b->isint)
        return a->isint ? -1 : 1;
    if (a->isint)
        return (a->i > b->i) - (a->i < b->i);
    size_t m = a->n < b->n ? a->n : b->n;
    int c = memcmp(a->s, b->s, m);
    return c ? c : (a->n > b->n) - (a->n < b->n);
}

/* Writes the value at idx; returns -1 for what no text can hold. Runs in
 * a protected call: the key list is a userdata, the pushes may raise. */
static int put_value(buf *b, lua_State *L, int idx)
{
    idx = lua_absindex(L, idx);
    if (!lua_checkstack(L, 4))
        return -1;
    switch (lua_type(L, idx)) {
    case LUA_TNUMBER:
        put_number(b, L, idx);
        return 0;
    case LUA_TBOOLEAN:
        puts_(b, lua_toboolean(L, idx) ? "true" : "false");
        return 0;
    case LUA_TSTRING: {
        size_t n;
        const char *s = lua_tolstring(L, idx, &n);
        put_quoted(b, s, n);
        return 0;
    }
    case LUA_TTABLE:
        break;
    default:
        return -1;
    }
    size_t nkeys = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        nkeys++;
    }
    key *keys = lua_newuserdatauv(L, (nkeys ? nkeys : 1) * sizeof *keys, 0);
    size_t k = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        key *e = &keys[k++];
        if (lua_type(L, -1) == LUA_TSTRING) {
            e->isint = 0;
            e->s = lua_tolstring(L, -1, &e->n); /* anchored: the key is in the table */
        } else if (lua_isinteger(L, -1)) {
            e->isint = 1;
            e->i = lua_tointeger(L, -1);
        } else {
            return -1;
        }
    }
    qsort(keys, nkeys, sizeof *keys, key_cmp);
    put(b, "{", 1);
    int st = 0;
    for (k = 0; k < nkeys && st == 0; k++) {
        if (keys[k].isint) {
            char s[40];
            snprintf(s, sizeof s, "[%" PRId64 "]=", (int64_t)keys[k].i);
            puts_(b, s);
            lua_rawgeti(L, idx, keys[k].i);
        } else {
            if (fc_literal_is_name(keys[k].s, keys[k].n)) { /* bare: the reader's own rule */
                put(b, keys[k].s, keys[k].n);
                put(b, "=", 1);
            } else {
                put(b, "[", 1);
                put_quoted(b, keys[k].s, keys[k].n);
                put(b, "]=", 2);
            }
            lua_pushlstring(L, keys[k].s, keys[k].n);
            lua_rawget(L, idx);
        }
        st = put_value(b, L, -1);
        lua_pop(L, 1);
        put(b, ",", 1);
    }
    put(b, "}", 1);
    lua_pop(L, 1); /* keys */
    return st;
}

/* Deep equality; strict: number subtypes, NaN only with NaN, signed zeros;
 * min_float: math.mininteger at a also equals the float -2^63 at b. */
static int deep_equal(lua_State *L, int a, int b, int min_float)
{
    if (!lua_checkstack(L, 6))
        return -1;
    a = lua_absindex(L, a);
    b = lua_absindex(L, b);
    int ta = lua_type(L, a);
    if (ta != lua_type(L, b))
        return 0;
    switch (ta) {
    case LUA_TNUMBER: {
        int ia = lua_isinteger(L, a), ib = lua_isinteger(L, b);
        if (ia != ib)
            return min_float && ia && lua_tointeger(L, a) == LUA_MININTEGER &&
                   lua_tonumber(L, b) == -0x1p63;
        if (ia)
            return lua_tointeger(L, a) == lua_tointeger(L, b);
        lua_Number x = lua_tonumber(L, a), y = lua_tonumber(L, b);
        if (isnan(x) || isnan(y))
            return isnan(x) && isnan(y);
        return x == y && signbit(x) == signbit(y);
    }
    case LUA_TSTRING: {
        size_t la, lb;
        const char *sa = lua_tolstring(L, a, &la), *sb = lua_tolstring(L, b, &lb);
        return la == lb && memcmp(sa, sb, la) == 0;
    }
    case LUA_TBOOLEAN:
        return lua_toboolean(L, a) == lua_toboolean(L, b);
    case LUA_TTABLE: {
        size_t na = 0, nb = 0;
        lua_pushnil(L);
        while (lua_next(L, a)) {
            na++;
            lua_pushvalue(L, -2);
            lua_rawget(L, b);
            int eq = deep_equal(L, -2, -1, min_float);
            lua_pop(L, 2);
            if (eq != 1) {
                lua_pop(L, 1);
                return eq;
            }
        }
        lua_pushnil(L);
        while (lua_next(L, b)) {
            nb++;
            lua_pop(L, 1);
        }
        return na == nb;
    }
    default:
        return 0;
    }
}

typedef struct job {
    const char *text;
    size_t len;
    int status; /* the reader's */
    char err[512];
} job;

/* read(job): runs the reader; pushes its value or nothing. */
static int l_read(lua_State *L)
{
    job *j = lua_touserdata(L, 1);
    lua_settop(L, 0);
    j->status = fc_lua_read_literal(L, j->text, j->len, TEXT_NAME, j->err, sizeof j->err);
    if (j->status == 0 && lua_gettop(L) != 1)
        die("accepted, but the stack is not one value", (const uint8_t *)j->text, j->len);
    if (j->status != 0 && lua_gettop(L) != 0)
        die("refused, but left values on the stack", (const uint8_t *)j->text, j->len);
    return lua_gettop(L);
}

/* trusted(code, len): pushes what the chunk returns, run with an empty
 * environment, or raises; a syntax error is pushed as false, message. */
static int l_trusted(lua_State *L)
{
    const char *code = lua_touserdata(L, 1);
    size_t len = (size_t)lua_tointeger(L, 2);
    int st = luaL_loadbufferx(L, code, len, "=trusted", "t");
    if (st == LUA_ERRSYNTAX) {
        lua_pushboolean(L, 0);
        lua_insert(L, -2);
        return 2;
    }
    if (st != LUA_OK)
        return lua_error(L);
    lua_newtable(L);
    lua_setupvalue(L, -2, 1);
    lua_call(L, 0, 1);
    return 1;
}

static int l_write(lua_State *L)
{
    buf *b = lua_touserdata(L, 1);
    lua_pushinteger(L, put_value(b, L, 2));
    return 1;
}

/* Writes the value at idx into b: 0, -1 (not writable), 2 (out of memory). */
static int write_value(lua_State *L, int idx, buf *b)
{
    idx = lua_absindex(L, idx);
    lua_pushcfunction(L, l_write);
    lua_pushlightuserdata(L, b);
    lua_pushvalue(L, idx);
    if (lua_pcall(L, 2, 1, 0) != LUA_OK) {
        lua_pop(L, 1);
        return 2;
    }
    int st = (int)lua_tointeger(L, -1);
    lua_pop(L, 1);
    return b->oom ? 2 : st;
}

/* Reads text in L (the value is left on the stack); returns the reader's
 * status, or 2 when Lua ran out of memory (nothing pushed). */
static int read_text(lua_State *L, job *j)
{
    lua_pushcfunction(L, l_read);
    lua_pushlightuserdata(L, j);
    int st = lua_pcall(L, 1, LUA_MULTRET, 0);
    if (st != LUA_OK) {
        lua_pop(L, 1);
        return 2;
    }
    return j->status;
}

static void check_message(const job *j)
{
    const char *prefix = TEXT_NAME ", byte ";
    if (strncmp(j->err, prefix, strlen(prefix)) != 0)
        die(j->err, (const uint8_t *)j->text, j->len);
    char *end;
    unsigned long long at = strtoull(j->err + strlen(prefix), &end, 10);
    if (end == j->err + strlen(prefix) || at > j->len || strncmp(end, ": expected ", 11) != 0)
        die(j->err, (const uint8_t *)j->text, j->len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* the command's memory-capped state (lua_sandbox.h), without libraries */
    fc_lua_limits lim = {.max_steps = FUZZ_LUA_STEPS, .max_memory = FUZZ_LUA_MEMORY};
    lua_State *L = fc_lua_limited_state(&lim);
    if (L == NULL)
        return 0;
    job j = {(const char *)data, size, 0, ""};
    int st = read_text(L, &j);
    if (st == 1)
        check_message(&j);
    if (st != 0) {
        lua_close(L);
        return 0;
    }
    const int v = lua_gettop(L);

    /* written again, read again: the same value, and the same text again */
    buf b1 = {0}, b2 = {0};
    int w = write_value(L, v, &b1);
    if (w == -1)
        die("accepted a value that cannot be written", data, size);
    if (w == 0) {
        job j2 = {b1.p, b1.n, 0, ""};
        st = read_text(L, &j2);
        if (st == 1)
            die(j2.err, (const uint8_t *)b1.p, b1.n);
        if (st == 0) {
            if (deep_equal(L, v, -1, 0) == 0)
                die("the value written again reads back different", data, size);
            w = write_value(L, -1, &b2);
            if (w == -1)
                die("cannot write the value read back", data, size);
            if (w == 0 && (b2.n != b1.n || memcmp(b1.p, b2.p, b1.n) != 0))
                die("the text of the value read back differs", data, size);
            lua_pop(L, 1);
        }
    }
    free(b2.p);

    /* Lua's own reading of the same text */
    char *code = malloc(size + 8);
    if (code != NULL) {
        memcpy(code, "return ", 7);
        memcpy(code + 7, data, size);
        lua_pushcfunction(L, l_trusted);
        lua_pushlightuserdata(L, code);
        lua_pushinteger(L, (lua_Integer)(size + 7));
        int top = lua_gettop(L) - 3;
        int lst = lua_pcall(L, 2, LUA_MULTRET, 0);
        if (lst == LUA_OK) {
            if (lua_gettop(L) - top == 2) {
                fprintf(stderr, "Lua: %s\n", lua_tostring(L, -1));
                die("accepted a text Lua's load refuses", data, size);
            }
            if (deep_equal(L, v, -1, 1) == 0) {
                fprintf(stderr, "written again: %.*s\n", (int)(b1.n < 2000 ? b1.n : 2000),
                        b1.p ? b1.p : "");
                die("reads differently from Lua's load", data, size);
            }
        } else if (lst != LUA_ERRMEM) {
            /* running a literal cannot fail but for memory */
            fprintf(stderr, "Lua: %s\n", lua_tostring(L, -1));
            die("Lua's load of an accepted text failed", data, size);
        }
        free(code);
    }
    free(b1.p);
    lua_close(L);
    return 0;
}
