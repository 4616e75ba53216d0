/* literal: see literal.h. A recursive-descent reader over the bytes, one
 * pass per value (strings with an escape take a second, decoding pass over
 * their own bytes), building tables with lua_rawset only. Every byte is looked
 * at a bounded number of times, and per table at most FC_LITERAL_MAX_SPARSE
 * integer keys can share a hash chain, so the time is linear in len; the C
 * stack holds one frame per open table and value, at most
 * FC_LITERAL_MAX_DEPTH + 1 of each. */
#include "literal.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>

typedef struct reader {
    lua_State *L;
    const char *s;
    size_t len, pos;
    const char *name;
    char *err;
    size_t errlen;
} reader;

static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_name_start(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static int is_name_char(int c) { return is_name_start(c) || is_digit(c); }
/* a byte %q always escapes, whatever the locale */
static int is_control(int c) { return c < 32 || c == 127; }

/* Appends to err at *used, keeping it terminated. */
static void append(reader *r, size_t *used, const char *fmt, ...)
{
    if (*used + 1 >= r->errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(r->err + *used, r->errlen - *used, fmt, ap);
    va_end(ap);
    if (n > 0)
        *used = *used + (size_t)n < r->errlen ? *used + (size_t)n : r->errlen - 1;
}

/* The message "<name>, byte <at>: <what>", and when got is nonzero what is
 * at that byte. Returns -1. */
static int fail(reader *r, size_t at, int got, const char *fmt, ...)
{
    if (r->err == NULL || r->errlen == 0)
        return -1;
    size_t used = 0;
    r->err[0] = '\0';
    append(r, &used, "%s, byte %zu: ", r->name, at);
    if (used + 1 < r->errlen) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(r->err + used, r->errlen - used, fmt, ap);
        va_end(ap);
        if (n > 0)
            used = used + (size_t)n < r->errlen ? used + (size_t)n : r->errlen - 1;
    }
    if (got) {
        if (at >= r->len) {
            append(r, &used, ", got the end of the text");
        } else {
            unsigned char c = (unsigned char)r->s[at];
            if (c == ' ')
                append(r, &used, ", got a space");
            else if (c == '\n')
                append(r, &used, ", got a newline");
            else if (c > 32 && c < 127)
                append(r, &used, ", got '%c'", c);
            else
                append(r, &used, ", got byte 0x%02x", c);
        }
    }
    return -1;
}

/* A key as it can be shown in a message: printable ASCII kept, anything
 * else as '?', at most 32 bytes. */
static void show_key(char *out, size_t outlen, const char *k, size_t n)
{
    size_t j = 0;
    for (size_t i = 0; i < n && i < 32 && j + 1 < outlen; i++) {
        unsigned char c = (unsigned char)k[i];
        out[j++] = c >= 32 && c < 127 ? (char)c : '?';
    }
    out[j] = '\0';
    if (n > 32 && j + 4 < outlen)
        memcpy(out + j, "...", 4);
}

static int is_keyword(const char *s, size_t n)
{
    static const char *const kw[] = {
        "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if",
        "in", "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while",
    };
    for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++)
        if (strlen(kw[i]) == n && memcmp(kw[i], s, n) == 0)
            return 1;
    return 0;
}

/* The number at r->pos (a '-' or a digit there). Pushes it; *is_int tells
 * whether it is a Lua integer. */
static int read_number(reader *r, int *is_int)
{
    const char *s = r->s;
    const size_t len = r->len, start = r->pos;
    size_t i = start;
    int neg = 0;
    if (s[i] == '-') {
        neg = 1;
        i++;
    }
    const size_t digits = i;
    if (i >= len || !is_digit((unsigned char)s[i]))
        return fail(r, i, 1, "expected a digit after '-'");
    if (s[i] == '0') {
        i++;
        if (i < len && is_digit((unsigned char)s[i]))
            return fail(r, i, 0, "expected no digit after a leading 0 (a number with a leading zero)");
    } else {
        while (i < len && is_digit((unsigned char)s[i]))
            i++;
    }
    if (i < len && s[i] == '/') {
        /* 0/0, 1/0, -1/0: NaN and the infinities, computed as Lua computes them */
        size_t n = i - start;
        int kind = n == 1 && s[start] == '0' ? 0 : n == 1 && s[start] == '1' ? 1
                 : n == 2 && s[start] == '-' && s[start + 1] == '1' ? 2 : -1;
        if (kind < 0)
            return fail(r, start, 0, "expected 0/0, 1/0 or -1/0 (no other division)");
        if (i + 1 >= len || s[i + 1] != '0')
            return fail(r, i + 1, 1, "expected '0' after '/' (0/0, 1/0 or -1/0)");
        volatile double zero = 0.0, num = kind == 0 ? 0.0 : kind == 1 ? 1.0 : -1.0;
        lua_pushnumber(r->L, num / zero);
        r->pos = i + 2;
        *is_int = 0;
        return 0;
    }
    int is_float = 0;
    if (i < len && s[i] == '.') {
        is_float = 1;
        i++;
        if (i >= len || !is_digit((unsigned char)s[i]))
            return fail(r, i, 1, "expected a digit after '.'");
        while (i < len && is_digit((unsigned char)s[i]))
            i++;
    }
    if (i < len && s[i] == 'e') {
        is_float = 1;
        i++;
        if (i >= len || (s[i] != '+' && s[i] != '-'))
            return fail(r, i, 1, "expected '+' or '-' after 'e' in a number");
        i++;
        if (i >= len || !is_digit((unsigned char)s[i]))
            return fail(r, i, 1, "expected a digit in an exponent");
        while (i < len && is_digit((unsigned char)s[i]))
            i++;
    }
    if (i - start > FC_LITERAL_MAX_NUMBER)
        return fail(r, start, 0, "expected a number of at most %d bytes", FC_LITERAL_MAX_NUMBER);
    if (!is_float) {
        const uint64_t limit = neg ? UINT64_C(1) << 63 : (UINT64_C(1) << 63) - 1;
        uint64_t u = 0;
        for (size_t j = digits; j < i; j++) {
            unsigned d = (unsigned)(s[j] - '0');
            if (u > (limit - d) / 10)
                return fail(r, start, 0, "expected an integer within 64 bits (from %lld to %lld)",
                            (long long)LUA_MININTEGER, (long long)LUA_MAXINTEGER);
            u = u * 10 + d;
        }
        lua_Integer v = !neg ? (lua_Integer)u : u == UINT64_C(1) << 63 ? LUA_MININTEGER
                                                                       : -(lua_Integer)u;
        lua_pushinteger(r->L, v);
        *is_int = 1;
    } else {
        /* Lua's own conversion (its lexer's), on the digits without the sign,
         * then negated as Lua's unary minus does */
        char buf[FC_LITERAL_MAX_NUMBER + 1];
        memcpy(buf, s + digits, i - digits);
        buf[i - digits] = '\0';
        if (lua_stringtonumber(r->L, buf) == 0)
            return fail(r, start, 0, "expected a number");
        lua_Number x = lua_tonumber(r->L, -1);
        lua_pop(r->L, 1);
        if (!isfinite(x))
            return fail(r, start, 0, "expected a finite float (an infinity is written 1/0 or -1/0)");
        lua_pushnumber(r->L, neg ? -x : x);
        *is_int = 0;
    }
    r->pos = i;
    return 0;
}

/* The string whose opening quote is at r->pos. Pushes it. */
static int read_string(reader *r)
{
    const char *s = r->s;
    const size_t len = r->len, open = r->pos;
    size_t i = open + 1, n = 0;
    int escapes = 0;
    /* pass 1: check it, find its end and its length */
    for (;;) {
        if (i >= len)
            return fail(r, i, 1, "expected '\"' to end the string opened at byte %zu", open);
        unsigned char c = (unsigned char)s[i];
        if (c == '"')
            break;
        if (c == '\\') {
            escapes = 1;
            if (i + 1 < len && (s[i + 1] == '"' || s[i + 1] == '\\' || s[i + 1] == '\n')) {
                i += 2;
            } else if (i + 1 < len && is_digit((unsigned char)s[i + 1])) {
                unsigned v = 0;
                size_t j = i + 1;
                while (j < len && j < i + 4 && is_digit((unsigned char)s[j]))
                    v = v * 10 + (unsigned)(s[j++] - '0');
                if (v > 255)
                    return fail(r, i, 0, "expected a decimal escape of at most 255");
                if (!is_control((int)v) && v < 128)
                    return fail(r, i, 0, "expected a decimal escape of a control byte "
                                         "(byte %u is written as itself)", v);
                i = j;
            } else {
                return fail(r, i + 1, 1, "expected an escape after '\\' "
                                         "(\\\", \\\\, \\ and a newline, or \\ and 1 to 3 decimal digits)");
            }
        } else if (is_control(c)) {
            return fail(r, i, 1, "expected a control byte inside a string to be escaped");
        } else {
            i++;
        }
        n++;
    }
    if (!escapes) {
        lua_pushlstring(r->L, s + open + 1, n);
    } else {
        /* pass 2: decode into a Lua buffer (a Lua object: a memory error
         * leaves nothing of C behind) */
        luaL_Buffer b;
        char *out = luaL_buffinitsize(r->L, &b, n);
        size_t k = 0;
        for (size_t j = open + 1; j < i;) {
            if (s[j] != '\\') {
                out[k++] = s[j++];
            } else if (!is_digit((unsigned char)s[j + 1])) {
                out[k++] = s[j + 1];
                j += 2;
            } else {
                unsigned v = 0;
                size_t e = j + 1;
                while (e < i && e < j + 4 && is_digit((unsigned char)s[e]))
                    v = v * 10 + (unsigned)(s[e++] - '0');
                out[k++] = (char)(unsigned char)v;
                j = e;
            }
        }
        luaL_pushresultsize(&b, k);
    }
    r->pos = i + 1;
    return 0;
}

static int read_value(reader *r, int depth);

/* The table whose '{' is at r->pos, `depth` tables deep counting itself.
 * Pushes it. */
static int read_table(reader *r, int depth)
{
    lua_State *L = r->L;
    const char *s = r->s;
    if (depth > FC_LITERAL_MAX_DEPTH)
        return fail(r, r->pos, 0, "expected tables nested at most %d deep", FC_LITERAL_MAX_DEPTH);
    r->pos++;
    lua_createtable(L, 0, 0);
    const int t = lua_gettop(L);
    int have_int = 0, have_str = 0;
    lua_Integer last = 0, seq = 0;
    unsigned sparse = 0;
    for (;;) {
        const size_t at = r->pos;
        if (at >= r->len)
            return fail(r, at, 1, "expected a field or '}'");
        const unsigned char c = (unsigned char)s[at];
        if (c == '}') {
            r->pos++;
            return 0;
        }
        const char *after;
        if (c == '[') {
            r->pos++;
            const size_t kat = r->pos;
            if (kat < r->len && s[kat] == '"') {
                if (read_string(r) != 0)
                    return -1;
                have_str = 1;
            } else if (kat < r->len && (s[kat] == '-' || is_digit((unsigned char)s[kat]))) {
                int is_int;
                if (read_number(r, &is_int) != 0)
                    return -1;
                if (!is_int)
                    return fail(r, kat, 0, "expected an integer or a string key after '['");
                lua_Integer k = lua_tointeger(L, -1);
                if (have_str)
                    return fail(r, kat, 0, "expected the integer keys before the string keys");
                if (have_int && k == last)
                    return fail(r, kat, 0, "expected each key once (duplicate key [%lld])", (long long)k);
                if (have_int && k < last)
                    return fail(r, kat, 0, "expected the integer keys in increasing order");
                if (k == seq + 1)
                    seq = k;
                else if (++sparse > FC_LITERAL_MAX_SPARSE)
                    return fail(r, kat, 0, "expected at most %d integer keys outside the "
                                           "sequence 1, 2, 3, ... in one table",
                                FC_LITERAL_MAX_SPARSE);
                have_int = 1;
                last = k;
            } else {
                return fail(r, kat, 1, "expected an integer or a string key after '['");
            }
            if (r->pos >= r->len || s[r->pos] != ']')
                return fail(r, r->pos, 1, "expected ']' after a key");
            r->pos++;
            after = "']'";
        } else if (is_name_start(c)) {
            size_t e = at + 1;
            while (e < r->len && is_name_char((unsigned char)s[e]))
                e++;
            if (is_keyword(s + at, e - at))
                return fail(r, at, 0, "expected a field name that is not a Lua keyword "
                                      "(\"%.*s\" is one)", (int)(e - at), s + at);
            lua_pushlstring(L, s + at, e - at);
            r->pos = e;
            have_str = 1;
            after = "a field name";
        } else {
            return fail(r, at, 1, "expected a field name, '[' or '}'");
        }
        if (lua_type(L, -1) == LUA_TSTRING) {
            /* integer keys were checked by their order */
            lua_pushvalue(L, -1);
            if (lua_rawget(L, t) != LUA_TNIL) {
                size_t kl;
                const char *k = lua_tolstring(L, -2, &kl);
                char shown[40];
                show_key(shown, sizeof shown, k, kl);
                return fail(r, at, 0, "expected each key once (duplicate key \"%s\")", shown);
            }
            lua_pop(L, 1);
        }
        if (r->pos >= r->len || s[r->pos] != '=')
            return fail(r, r->pos, 1, "expected '=' after %s", after);
        r->pos++;
        if (read_value(r, depth) != 0)
            return -1;
        lua_rawset(L, t);
        if (r->pos >= r->len || s[r->pos] != ',')
            return fail(r, r->pos, 1, "expected ',' after a field");
        r->pos++;
    }
}

/* The value at r->pos, inside `depth` tables. Pushes it. */
static int read_value(reader *r, int depth)
{
    const size_t at = r->pos;
    if (at >= r->len)
        return fail(r, at, 1, "expected a value (a number, a string, true, false or a table)");
    const char c = r->s[at];
    if (c == '{')
        return read_table(r, depth + 1);
    if (c == '"')
        return read_string(r);
    if (c == '-' || is_digit((unsigned char)c)) {
        int is_int;
        return read_number(r, &is_int);
    }
    if (r->len - at >= 4 && memcmp(r->s + at, "true", 4) == 0) {
        lua_pushboolean(r->L, 1);
        r->pos += 4;
        return 0;
    }
    if (r->len - at >= 5 && memcmp(r->s + at, "false", 5) == 0) {
        lua_pushboolean(r->L, 0);
        r->pos += 5;
        return 0;
    }
    return fail(r, at, 1, "expected a value (a number, a string, true, false or a table)");
}

int fc_lua_read_literal(lua_State *L, const char *text, size_t len, const char *name,
                        char *err, size_t errlen)
{
    reader r = {L, text, len, 0, name ? name : "literal", err, errlen};
    if (err && errlen)
        err[0] = '\0';
    const int base = lua_gettop(L);
    /* per open table: the table and a key; then a value, a buffer, a number
     * (raises when the stack cannot grow: a memory error, not a bad text) */
    luaL_checkstack(L, 2 * (FC_LITERAL_MAX_DEPTH + 1) + LUA_MINSTACK, "reading a literal");
    if (read_value(&r, 0) != 0) {
        lua_settop(L, base);
        return -1;
    }
    if (r.pos != len) {
        lua_settop(L, base);
        return fail(&r, r.pos, 1, "expected the end of the text after the value");
    }
    return 0;
}

static int l_read_literal(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TSTRING);
    size_t len;
    const char *text = lua_tolstring(L, 1, &len);
    const char *name = luaL_optstring(L, 2, "literal");
    char err[512];
    lua_settop(L, 2);
    if (fc_lua_read_literal(L, text, len, name, err, sizeof err) != 0) {
        lua_pushstring(L, err);
        return lua_error(L);
    }
    return 1;
}

int fc_literal_is_name(const char *s, size_t n)
{
    if (n == 0 || !is_name_start((unsigned char)s[0]))
        return 0;
    for (size_t i = 1; i < n; i++)
        if (!is_name_char((unsigned char)s[i]))
            return 0;
    return !is_keyword(s, n);
}

/* literal_name(key) -> whether the writer may put key as `key=`. */
static int l_literal_name(lua_State *L)
{
    size_t n;
    const char *s = lua_type(L, 1) == LUA_TSTRING ? lua_tolstring(L, 1, &n) : NULL;
    lua_pushboolean(L, s != NULL && fc_literal_is_name(s, n));
    return 1;
}

void fc_lua_literal_register(lua_State *L)
{
    static const luaL_Reg funcs[] = {
        {"read_literal", l_read_literal},
        {"literal_name", l_literal_name},
        {NULL, NULL},
    };
    luaL_setfuncs(L, funcs, 0);
}
