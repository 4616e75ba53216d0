/* Tests of core/literal (fc_lua_read_literal), the strict reader of the text
 * scripts/serial.lua's write makes. Texts written by the real serial.write
 * (the embedded script) read back to what Lua's own load("return "..text)
 * gives, compared deeply with the number subtype, NaN, the infinities and
 * the sign of zero included: scalars, every byte in strings, random nested
 * values and the normalized example scenarios. Code, expressions, comments,
 * whitespace, long strings, unbalanced braces, 33-deep nesting, duplicate or
 * misordered keys, trailing bytes, integers past int64, inf and nan,
 * truncated or foreign escapes are refused with a message naming the text
 * and the byte offset. Also: the Lua binding, memory errors at every
 * allocation, and time linear in the length up to 1 MB (including the
 * integer keys that share one hash chain in a Lua table).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lauxlib.h>
#include <lualib.h>

#include "literal.h"
#include "lua_module.h"
#include "scripts.h"

#define NAME "t.bin: scenario text"

static lua_State *new_state(void)
{
    lua_State *L = luaL_newstate();
    assert_non_null(L);
    luaL_openlibs(L);
    return L;
}

/* Pushes the embedded scripts/serial.lua's module table (given, as its
 * core, the reader's bindings: the writer asks literal_name which keys go
 * bare). */
static void push_serial(lua_State *L)
{
    for (size_t i = 0; i < fc_script_count; i++) {
        if (strcmp(fc_scripts[i].name, "serial") != 0)
            continue;
        assert_int_equal(luaL_loadbufferx(L, fc_scripts[i].text, fc_scripts[i].len, "=serial", "t"),
                         LUA_OK);
        lua_newtable(L);
        fc_lua_literal_register(L);
        assert_int_equal(lua_pcall(L, 1, 1, 0), LUA_OK);
        return;
    }
    fail_msg("no embedded serial script");
}

/* Pushes serial.write(v) for v on the stack top (popped). */
static void write_top(lua_State *L)
{
    push_serial(L);
    lua_getfield(L, -1, "write");
    lua_remove(L, -2);
    lua_insert(L, -2);
    if (lua_pcall(L, 1, 1, 0) != LUA_OK)
        fail_msg("serial.write: %s", lua_tostring(L, -1));
}

/* Pushes what Lua's load("return "..text) in an empty environment gives,
 * or returns -1 (nothing pushed) when Lua refuses the text. */
static int push_trusted(lua_State *L, const char *text, size_t len)
{
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addstring(&b, "return ");
    luaL_addlstring(&b, text, len);
    luaL_pushresult(&b);
    size_t n;
    const char *code = lua_tolstring(L, -1, &n);
    int st = luaL_loadbufferx(L, code, n, "=trusted", "t");
    lua_remove(L, -2);
    if (st != LUA_OK) {
        lua_pop(L, 1);
        return -1;
    }
    lua_newtable(L);
    lua_setupvalue(L, -2, 1);
    if (lua_pcall(L, 0, 1, 0) != LUA_OK) {
        lua_pop(L, 1);
        return -1;
    }
    return 0;
}

/* Deep equality of the values at a and b. strict: same number subtype, NaN
 * equal to NaN only, zeros of the same sign; with min_float also math.mininteger
 * at a equal to the float -2^63 at b (Lua reads "-9223372036854775808" as
 * -(2^63), a float, while the reader keeps the integer written). Loose: Lua's
 * == on numbers, NaN equal to NaN. */
static int deep_equal(lua_State *L, int a, int b, int strict, int min_float)
{
    luaL_checkstack(L, 8, "deep_equal");
    a = lua_absindex(L, a);
    b = lua_absindex(L, b);
    int ta = lua_type(L, a), tb = lua_type(L, b);
    if (ta != tb)
        return 0;
    switch (ta) {
    case LUA_TNUMBER: {
        int ia = lua_isinteger(L, a), ib = lua_isinteger(L, b);
        if (strict && ia != ib)
            return min_float && ia && lua_tointeger(L, a) == LUA_MININTEGER &&
                   lua_tonumber(L, b) == -0x1p63;
        if (ia && ib)
            return lua_tointeger(L, a) == lua_tointeger(L, b);
        lua_Number x = lua_tonumber(L, a), y = lua_tonumber(L, b);
        if (isnan(x) || isnan(y))
            return isnan(x) && isnan(y);
        if (strict)
            return x == y && signbit(x) == signbit(y);
        return lua_compare(L, a, b, LUA_OPEQ);
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
            int eq = deep_equal(L, -2, -1, strict, min_float);
            lua_pop(L, 2);
            if (!eq) {
                lua_pop(L, 1);
                return 0;
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

/* Reads text with the reader and with load; both must accept it, and give
 * the same value (strictly). The reader's value is left on the stack. */
static void read_like_load(lua_State *L, const char *text, size_t len)
{
    int top = lua_gettop(L);
    char err[256];
    if (fc_lua_read_literal(L, text, len, NAME, err, sizeof err) != 0)
        fail_msg("refused %.200s: %s", text, err);
    assert_int_equal(lua_gettop(L), top + 1);
    if (push_trusted(L, text, len) != 0)
        fail_msg("load refused %.200s", text);
    if (!deep_equal(L, -2, -1, 1, 1))
        fail_msg("differs from load: %.300s", text);
    lua_pop(L, 1);
}

/* Writes the value of the Lua expression expr with serial.write, reads the
 * text back like load, and checks it against the value (loosely: serial.write
 * writes 1.0 as "1", which Lua itself reads as an integer). */
static void roundtrip_expr(lua_State *L, const char *expr)
{
    char code[4096];
    snprintf(code, sizeof code, "return %s", expr);
    assert_int_equal(luaL_dostring(L, code), LUA_OK);
    lua_pushvalue(L, -1);
    write_top(L);
    size_t len;
    const char *text = lua_tolstring(L, -1, &len);
    read_like_load(L, text, len);
    if (!deep_equal(L, -1, -3, 0, 0))
        fail_msg("%s does not read back: %s", expr, text);
    lua_pop(L, 3);
}

static void test_scalars(void **state)
{
    (void)state;
    lua_State *L = new_state();
    static const char *const exprs[] = {
        "0", "1", "-1", "42", "math.maxinteger", "math.mininteger", "math.mininteger + 1",
        "0.1", "-0.1", "1/3", "-2/3", "1e300", "-1e-300", "5e-324", "2.2250738585072014e-308",
        "1.7976931348623157e308", "2^53", "2^53 + 1.0", "2^63", "-2^63", "1e16", "1e17", "123456.789",
        "1/0", "-1/0", "0/0", "-(0/0)", "-0.0", "0.0", "3.0", "true", "false",
        "''", "'abc'", "'a\"b'", "'back\\\\slash'", "'new\\nline'", "'cr\\rlf\\r\\n'", "'nul\\0nul'",
        "'\\0011'", "'\\1'", "'\\127\\128\\159\\160\\255'", "'tab\\tx9'", "string.rep('x', 1000)",
        "{}", "{1, 2, 3}", "{a = 1, b = {c = {d = 'x'}}}", "{[0] = 0, [-5] = 1, 1, 2, x = 3}",
        "{['with space'] = 1, ['1'] = 2, [1] = 3, _ = 4, A9_ = 5}", "{[10] = 1, [20] = 2}",
        "{[math.mininteger] = 1, [math.maxinteger] = 2}", "{{{{{}}}}, {}, {{}}}",
        "{x = 0/0, y = 1/0, z = -1/0, w = -0.0, f = 1.5, i = 7}",
        "{[''] = '', ['\\0'] = '\\0', ['\\n'] = true, ['end '] = false}",
    };
    for (size_t i = 0; i < sizeof exprs / sizeof exprs[0]; i++)
        roundtrip_expr(L, exprs[i]);
    assert_int_equal(lua_gettop(L), 0);
    lua_close(L);
}

/* Reads text (nul-terminated) with the reader; returns the value's checks. */
static void expect_read(lua_State *L, const char *text, const char *lua_expr)
{
    char code[512];
    snprintf(code, sizeof code, "return %s", lua_expr);
    read_like_load(L, text, strlen(text));
    assert_int_equal(luaL_dostring(L, code), LUA_OK);
    if (!deep_equal(L, -2, -1, 1, 0))
        fail_msg("%s is not %s", text, lua_expr);
    lua_pop(L, 2);
}

/* Forms %.17g and %d print, read exactly as Lua reads them. */
static void test_numbers(void **state)
{
    (void)state;
    lua_State *L = new_state();
    expect_read(L, "-0", "0");                /* an integer, as Lua reads it */
    expect_read(L, "-0.0", "-0.0");           /* a float zero with its sign */
    expect_read(L, "-0e+00", "-0.0");
    expect_read(L, "1e+17", "1e17");
    expect_read(L, "1.0000000000000001e-05", "1.0000000000000001e-05");
    expect_read(L, "4.9406564584124654e-324", "5e-324");
    expect_read(L, "9223372036854775807", "math.maxinteger");
    expect_read(L, "0/0", "0/0");
    expect_read(L, "1/0", "math.huge");
    expect_read(L, "-1/0", "-math.huge");
    expect_read(L, "3.0", "3.0");
    /* math.mininteger as %d prints it: Lua's load makes it a float, the reader
     * keeps the integer that was written */
    char err[256];
    assert_int_equal(fc_lua_read_literal(L, "-9223372036854775808", 20, NAME, err, sizeof err), 0);
    assert_true(lua_isinteger(L, -1));
    assert_true(lua_tointeger(L, -1) == LUA_MININTEGER);
    lua_pop(L, 1);

    /* random doubles of every exponent, written as serial.write writes them */
    assert_int_equal(luaL_dostring(L,
        "math.randomseed(7)\n"
        "local out = {}\n"
        "for i = 1, 20000 do\n"
        "  local x = string.unpack('<d', string.pack('<i8', math.random(math.mininteger, math.maxinteger)))\n"
        "  if i % 3 == 0 then x = math.random() * 10.0 ^ math.random(-30, 30) end\n"
        "  if x == x and x ~= math.huge and x ~= -math.huge then out[#out + 1] = x end\n"
        "end\n"
        "return out\n"), LUA_OK);
    lua_Integer n = luaL_len(L, -1);
    assert_true(n > 10000);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, -1, i);
        write_top(L);
        size_t len;
        const char *text = lua_tolstring(L, -1, &len);
        read_like_load(L, text, len);
        lua_rawgeti(L, -3, i);
        /* a double with a fraction or an exponent keeps every bit */
        if (!lua_isinteger(L, -2) && !deep_equal(L, -1, -2, 1, 0))
            fail_msg("%s does not read back exactly", text);
        lua_pop(L, 3);
    }
    lua_pop(L, 1);
    assert_int_equal(lua_gettop(L), 0);
    lua_close(L);
}

/* Every byte 0..255 in a string, alone, before a digit (where %q writes a
 * three-digit escape), and all of them at once, reads back exactly. */
static void test_every_byte(void **state)
{
    (void)state;
    lua_State *L = new_state();
    char all[512];
    for (int b = 0; b < 256; b++) {
        const char forms[][4] = {{(char)b}, {(char)b, '0'}, {'9', (char)b, '9'}, {(char)b, (char)b}};
        const size_t lens[] = {1, 2, 3, 2};
        for (int f = 0; f < 4; f++) {
            lua_pushlstring(L, forms[f], lens[f]);
            lua_pushvalue(L, -1);
            write_top(L);
            size_t len;
            const char *text = lua_tolstring(L, -1, &len);
            read_like_load(L, text, len);
            assert_true(deep_equal(L, -1, -3, 1, 0));
            lua_pop(L, 3);
        }
        all[2 * b] = (char)b;
        all[2 * b + 1] = (char)(b * 7 + 1);
    }
    lua_pushlstring(L, all, sizeof all);
    lua_pushvalue(L, -1);
    write_top(L);
    size_t len;
    const char *text = lua_tolstring(L, -1, &len);
    read_like_load(L, text, len);
    assert_true(deep_equal(L, -1, -3, 1, 0));
    /* and as keys */
    lua_createtable(L, 0, 1);
    lua_pushvalue(L, -4);
    lua_pushboolean(L, 1);
    lua_rawset(L, -3);
    lua_pushvalue(L, -1);
    write_top(L);
    text = lua_tolstring(L, -1, &len);
    read_like_load(L, text, len);
    assert_true(deep_equal(L, -1, -3, 1, 0));
    lua_settop(L, 0);
    lua_close(L);
}

/* Random nested values (strings of any bytes, floats of any bit pattern,
 * integers of the whole range, string and integer keys), written by
 * serial.write: the reader gives what load gives. */
static void test_random_values(void **state)
{
    (void)state;
    lua_State *L = new_state();
    assert_int_equal(luaL_dostring(L,
        "math.randomseed(11)\n"
        "local R = math.random\n"
        "local kw = {}\n"
        "for w in ('and break do else elseif end false for function goto if in local nil not or '\n"
        "  .. 'repeat return then true until while'):gmatch('%a+') do kw[w] = true end\n"
        "local special = {'\"', '\\\\', '\\n', '\\r', '\\0', '\\127', '\\255', '9'}\n"
        "local function str()\n"
        "  local t = {}\n"
        "  for i = 1, R(0, 10) do\n"
        "    local r = R()\n"
        "    t[i] = r < 0.3 and string.char(R(0, 255)) or r < 0.5 and special[R(#special)]\n"
        "      or string.char(R(97, 122))\n"
        "  end\n"
        "  return table.concat(t)\n"
        "end\n"
        "local floats = {0.0, -0.0, 1/0, -1/0, 0/0, 0.1, 1e300, 5e-324, 2^53, 2^63, -2^63, 1e17}\n"
        "local function num()\n"
        "  local r = R(6)\n"
        "  if r == 1 then return string.unpack('<d', string.pack('<i8', R(math.mininteger, math.maxinteger))) end\n"
        "  if r == 2 then return R() * 10.0 ^ R(-20, 20) end\n"
        "  if r == 3 then return floats[R(#floats)] end\n"
        "  if r == 4 then return R(math.mininteger, math.maxinteger) end\n"
        "  if r == 5 then return R(-1000, 1000) + 0.0 end\n"
        "  return R(-1000, 1000)\n"
        "end\n"
        "local function value(d)\n"
        "  local r = R(5)\n"
        "  if r == 1 and d < 8 then\n"
        "    local t = {}\n"
        "    for i = 1, R(0, 6) do t[i] = value(d + 1) end\n"
        "    for _ = 1, R(0, 4) do\n"
        "      local kr, k = R(3)\n"
        "      if kr == 1 then k = R(-50, 50) elseif kr == 2 then k = str() else k = 'k' .. R(100) end\n"
        "      if not kw[k] then t[k] = value(d + 1) end\n"
        "    end\n"
        "    return t\n"
        "  end\n"
        "  if r == 2 then return str() end\n"
        "  if r == 3 then return R(2) == 1 end\n"
        "  return num()\n"
        "end\n"
        "gen = function() return value(0) end\n"), LUA_OK);
    for (int i = 0; i < 3000; i++) {
        lua_getglobal(L, "gen");
        assert_int_equal(lua_pcall(L, 0, 1, 0), LUA_OK);
        lua_pushvalue(L, -1);
        write_top(L);
        size_t len;
        const char *text = lua_tolstring(L, -1, &len);
        read_like_load(L, text, len);
        if (!deep_equal(L, -1, -3, 0, 0))
            fail_msg("does not read back: %.300s", text);
        lua_pop(L, 3);
    }
    assert_int_equal(lua_gettop(L), 0);
    lua_close(L);
}

/* The example scenarios and test scenarios, normalized by the module and
 * written by serial.write as `run --shard` writes them. */
static void test_scenarios(void **state)
{
    (void)state;
    static const char *const files[] = {
        "scenarios/b2b_saas_inbound.lua", "scenarios/b2b_events_sales_cycle.lua",
        "scenarios/ecommerce_retention.lua", "tests/good/minimal.lua", "tests/good/full.lua",
    };
    FILE *probe = fopen(files[0], "r");
    if (probe == NULL) {
        print_message("(run from the repository root to read the example scenarios)\n");
        skip();
    }
    fclose(probe);
    lua_State *L = new_state();
    int read = 0;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        fc_lua_push_module(L);
        lua_getfield(L, -1, "load");
        lua_pushstring(L, files[i]);
        lua_newtable(L);
        if (lua_pcall(L, 2, 1, 0) != LUA_OK)
            fail_msg("%s: %s", files[i], lua_tostring(L, -1));
        for (lua_Integer k = 1; lua_rawgeti(L, -1, k) != LUA_TNIL; k++) {
            lua_getfield(L, -3, "normalize");
            lua_insert(L, -2);
            if (lua_pcall(L, 1, 1, 0) != LUA_OK)
                fail_msg("%s: %s", files[i], lua_tostring(L, -1));
            lua_pushvalue(L, -1);
            write_top(L);
            size_t len;
            const char *text = lua_tolstring(L, -1, &len);
            read_like_load(L, text, len);
            assert_true(deep_equal(L, -1, -3, 0, 0));
            lua_pop(L, 3);
            read++;
        }
        lua_settop(L, 0);
    }
    assert_true(read >= 5);
    lua_close(L);
}

/* Texts of tests/fuzz/seeds/fuzz_literal, when run from the root. */
static void test_seeds(void **state)
{
    (void)state;
    static const char *const seeds[] = {"b2b_saas_inbound", "b2b_events_sales_cycle",
                                        "ecommerce_retention", "minimal", "full"};
    lua_State *L = new_state();
    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
        char path[256];
        snprintf(path, sizeof path, "tests/fuzz/seeds/fuzz_literal/%s", seeds[i]);
        FILE *f = fopen(path, "rb");
        if (f == NULL) {
            lua_close(L);
            print_message("(run from the repository root to read %s)\n", path);
            skip();
        }
        static char buf[1 << 16];
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        assert_true(n > 0 && n < sizeof buf);
        read_like_load(L, buf, n);
        lua_pop(L, 1);
    }
    lua_close(L);
}

/* text is refused with "NAME, byte <at>: ..." containing want; nothing is
 * pushed. len (SIZE_MAX: strlen) may be shorter than the string. */
static void expect_refused_len(lua_State *L, const char *text, size_t len, size_t at, const char *want)
{
    if (len == SIZE_MAX)
        len = strlen(text);
    int top = lua_gettop(L);
    char err[512] = "";
    int st = fc_lua_read_literal(L, text, len, NAME, err, sizeof err);
    if (st != -1)
        fail_msg("accepted %.200s", text);
    assert_int_equal(lua_gettop(L), top);
    char prefix[128];
    snprintf(prefix, sizeof prefix, NAME ", byte %zu: ", at);
    if (strncmp(err, prefix, strlen(prefix)) != 0 || strstr(err, want) == NULL)
        fail_msg("%.200s: got \"%s\", want \"%s...%s\"", text, err, prefix, want);
}

static void expect_refused(lua_State *L, const char *text, size_t at, const char *want)
{
    expect_refused_len(L, text, SIZE_MAX, at, want);
}

static void test_refusals(void **state)
{
    (void)state;
    lua_State *L = new_state();
    /* code */
    expect_refused(L, "f()", 0, "expected a value (a number, a string, true, false or a table), got 'f'");
    expect_refused(L, "{x=os.exit()}", 3, "expected a value");
    expect_refused(L, "{x=os.exit(),}", 3, "got 'o'");
    expect_refused(L, "string.rep(\"a\",1e9)", 0, "expected a value");
    expect_refused(L, "{s=string.rep(\"a\",1e9),}", 3, "expected a value");
    expect_refused(L, "(function() end)()", 0, "expected a value");
    expect_refused(L, "{x=1,[f()]=2,}", 6, "expected an integer or a string key after '['");
    expect_refused(L, "nil", 0, "expected a value");
    expect_refused(L, "{x=nil,}", 3, "expected a value");
    /* expressions */
    expect_refused(L, "1+1", 1, "expected the end of the text after the value, got '+'");
    expect_refused(L, "{x=2*3,}", 4, "expected ',' after a field, got '*'");
    expect_refused(L, "-x", 1, "expected a digit after '-'");
    expect_refused(L, "- 1", 1, "expected a digit after '-', got a space");
    expect_refused(L, "\"a\"..\"b\"", 3, "expected the end of the text");
    expect_refused(L, "2/0", 0, "expected 0/0, 1/0 or -1/0");
    expect_refused(L, "-0/0", 0, "expected 0/0, 1/0 or -1/0");
    expect_refused(L, "1/2", 2, "expected '0' after '/'");
    expect_refused(L, "1/", 2, "got the end of the text");
    expect_refused(L, "1/00", 3, "expected the end of the text");
    /* comments and whitespace */
    expect_refused(L, "--c\n1", 1, "expected a digit after '-'");
    expect_refused(L, "{--c\n}", 1, "expected a field name, '[' or '}'");
    expect_refused(L, "{x=1,}--c", 6, "expected the end of the text");
    expect_refused(L, " 1", 0, "got a space");
    expect_refused(L, "1\n", 1, "got a newline");
    expect_refused(L, "{x = 1,}", 2, "expected '=' after a field name, got a space");
    expect_refused(L, "{x=1, }", 5, "expected a field name, '[' or '}', got a space");
    expect_refused(L, "{x=1,\ty=2,}", 5, "got byte 0x09");
    expect_refused(L, "{x}", 2, "expected '=' after a field name, got '}'");
    expect_refused(L, "{x1 ", 3, "expected '=' after a field name, got a space");
    expect_refused(L, "{[1] =1,}", 4, "expected '=' after ']'");
    /* long strings and other string forms */
    expect_refused(L, "[[abc]]", 0, "expected a value");
    expect_refused(L, "{x=[==[a]==],}", 3, "expected a value");
    expect_refused(L, "{[[[a]]]=1,}", 2, "expected an integer or a string key after '['");
    expect_refused(L, "'abc'", 0, "expected a value");
    /* unbalanced braces */
    expect_refused(L, "{", 1, "expected a field or '}', got the end of the text");
    expect_refused(L, "{x=1,", 5, "expected a field or '}'");
    expect_refused(L, "{x={y=1,},", 10, "got the end of the text");
    expect_refused(L, "{x=1,}}", 6, "expected the end of the text after the value, got '}'");
    expect_refused(L, "}", 0, "expected a value");
    expect_refused(L, "{x=1}", 4, "expected ',' after a field, got '}'");
    expect_refused(L, "{x=,}", 3, "expected a value");
    expect_refused(L, "{,}", 1, "expected a field name");
    expect_refused(L, "{x={y=1,}", 9, "expected ',' after a field, got the end of the text");
    /* duplicate and misordered keys */
    expect_refused(L, "{a=1,a=2,}", 5, "duplicate key \"a\"");
    expect_refused(L, "{a=1,[\"a\"]=2,}", 5, "duplicate key \"a\"");
    expect_refused(L, "{[1]=1,[1]=2,}", 8, "duplicate key [1]");
    expect_refused(L, "{[0]=1,[-0]=2,}", 8, "duplicate key [0]");
    expect_refused(L, "{[2]=1,[1]=2,}", 8, "expected the integer keys in increasing order");
    expect_refused(L, "{a=1,[1]=2,}", 6, "expected the integer keys before the string keys");
    expect_refused(L, "{[1.5]=1,}", 2, "expected an integer or a string key");
    expect_refused(L, "{[1/0]=1,}", 2, "expected an integer or a string key");
    expect_refused(L, "{[true]=1,}", 2, "expected an integer or a string key");
    expect_refused(L, "{[1=1,}", 3, "expected ']' after a key, got '='");
    expect_refused(L, "{end=1,}", 1, "not a Lua keyword (\"end\" is one)");
    expect_refused(L, "{true=1,}", 1, "not a Lua keyword");
    expect_refused(L, "{x=1,\xc3\xa9=1,}", 5, "expected a field name, '[' or '}', got byte 0xc3");
    /* trailing bytes, and a text shorter than its C string */
    expect_refused(L, "1 ", 1, "expected the end of the text");
    expect_refused(L, "{}x", 2, "expected the end of the text after the value, got 'x'");
    expect_refused(L, "truex", 4, "expected the end of the text");
    expect_refused(L, "{}{}", 2, "expected the end of the text");
    expect_refused_len(L, "1\0", 2, 1, "got byte 0x00");
    expect_refused_len(L, "{a=1,}", 4, 4, "expected ',' after a field, got the end of the text");
    expect_refused_len(L, "true", 3, 0, "expected a value");
    expect_refused(L, "", 0, "expected a value (a number, a string, true, false or a table), got the end of the text");
    /* numbers */
    expect_refused(L, "9223372036854775808", 0, "expected an integer within 64 bits");
    expect_refused(L, "-9223372036854775809", 0, "expected an integer within 64 bits");
    expect_refused(L, "{[18446744073709551616]=1,}", 2, "expected an integer within 64 bits");
    expect_refused(L, "inf", 0, "expected a value");
    expect_refused(L, "-inf", 1, "expected a digit after '-'");
    expect_refused(L, "nan", 0, "expected a value");
    expect_refused(L, "{x=inf,}", 3, "expected a value");
    expect_refused(L, "1e+999", 0, "expected a finite float");
    expect_refused(L, "-1e+400", 0, "expected a finite float");
    expect_refused(L, "01", 1, "leading 0");
    expect_refused(L, "-007", 2, "leading 0");
    expect_refused(L, "1.", 2, "expected a digit after '.', got the end of the text");
    expect_refused(L, ".5", 0, "expected a value");
    expect_refused(L, "+1", 0, "expected a value");
    expect_refused(L, "1e5", 2, "expected '+' or '-' after 'e'");
    expect_refused(L, "1e+", 3, "expected a digit in an exponent");
    expect_refused(L, "1E+5", 1, "expected the end of the text");
    expect_refused(L, "0x10", 1, "expected the end of the text");
    expect_refused(L, "1.5.5", 3, "expected the end of the text");
    expect_refused(L, "1.00000000000000000000000000000000001", 0, "at most 32 bytes");
    /* strings: truncated, foreign or needless escapes, raw control bytes */
    expect_refused(L, "\"ab\\", 4, "expected an escape after '\\'");
    expect_refused(L, "\"ab\\", 4, "decimal digits), got the end of the text");
    expect_refused(L, "\"ab\\1", 5, "expected '\"' to end the string opened at byte 0");
    expect_refused(L, "\"ab", 3, "expected '\"' to end the string opened at byte 0, got the end of the text");
    expect_refused(L, "{x=\"ab,}", 8, "the string opened at byte 3");
    expect_refused(L, "\"\\x41\"", 2, "expected an escape after '\\'");
    expect_refused(L, "\"\\u{41}\"", 2, "expected an escape after '\\'");
    expect_refused(L, "\"\\n\"", 2, "got 'n'");
    expect_refused(L, "\"\\z  \"", 2, "expected an escape");
    expect_refused(L, "\"\\\r\"", 2, "got byte 0x0d");
    expect_refused(L, "\"\\65\"", 1, "expected a decimal escape of a control byte");
    expect_refused(L, "\"\\256\"", 1, "expected a decimal escape of at most 255");
    expect_refused(L, "\"\\999\"", 1, "at most 255");
    expect_refused(L, "\"a\nb\"", 2, "expected a control byte inside a string to be escaped, got a newline");
    expect_refused(L, "\"a\rb\"", 2, "got byte 0x0d");
    expect_refused_len(L, "\"a\0b\"", 5, 2, "got byte 0x00");
    expect_refused(L, "\"\x7f\"", 1, "got byte 0x7f");
    /* the sentence of the brief */
    expect_refused(L, "{channels={[1]={cost x", 20, "expected '=' after a field name, got a space");
    assert_int_equal(lua_gettop(L), 0);
    lua_close(L);
}

/* Builds "{a=" x (depth - 1) "{}" ",}" x (depth - 1) into buf. */
static size_t nest(char *buf, int depth)
{
    size_t n = 0;
    for (int i = 1; i < depth; i++)
        n += (size_t)sprintf(buf + n, "{a=");
    n += (size_t)sprintf(buf + n, "{}");
    for (int i = 1; i < depth; i++)
        n += (size_t)sprintf(buf + n, ",}");
    return n;
}

static void test_nesting(void **state)
{
    (void)state;
    lua_State *L = new_state();
    char buf[1024];
    size_t n = nest(buf, 32);
    read_like_load(L, buf, n);
    int depth = 0;
    while (lua_istable(L, -1)) {
        depth++;
        lua_getfield(L, -1, "a");
    }
    assert_int_equal(depth, 32);
    lua_settop(L, 0);
    n = nest(buf, 33);
    expect_refused_len(L, buf, n, 96, "expected tables nested at most 32 deep");
    /* 10,000 opening braces: refused at the 33rd, with a bounded C stack */
    static char deep[10000];
    memset(deep, '{', sizeof deep);
    for (size_t i = 0; i < sizeof deep; i++)
        deep[i] = "{a="[i % 3];
    expect_refused_len(L, deep, sizeof deep, 96, "nested at most 32 deep");
    lua_close(L);
}

/* Integer keys outside the sequence 1..n: up to FC_LITERAL_MAX_SPARSE per
 * table, so that keys sharing a residue cannot make the table quadratic. */
static void test_sparse_keys(void **state)
{
    (void)state;
    lua_State *L = new_state();
    static char buf[1 << 16];
    for (int extra = 0; extra <= 1; extra++) {
        size_t n = (size_t)sprintf(buf, "{[1]=0,[2]=0,");
        size_t at = 0;
        for (int k = 1; k <= FC_LITERAL_MAX_SPARSE + extra; k++) {
            at = n + 1;
            n += (size_t)sprintf(buf + n, "[%lld]=0,", 65535LL * (k + 1));
        }
        n += (size_t)sprintf(buf + n, "}");
        if (!extra) {
            read_like_load(L, buf, n);
            lua_pop(L, 1);
        } else {
            expect_refused_len(L, buf, n, at, "expected at most 256 integer keys outside the sequence");
        }
    }
    lua_close(L);
}

/* read_literal(text [, name]) as the module will call it. */
static void test_binding(void **state)
{
    (void)state;
    lua_State *L = new_state();
    lua_newtable(L);
    fc_lua_literal_register(L);
    lua_setglobal(L, "core");
    const char *code =
        "local t = core.read_literal('{a=1,b={[1]=\"x\\\\\\n\",},c=0/0,}', 'p.bin')\n"
        "assert(t.a == 1 and math.type(t.a) == 'integer' and t.b[1] == 'x\\n' and t.c ~= t.c)\n"
        "assert(core.read_literal('1.5') == 1.5)\n"
        "local ok, e = pcall(core.read_literal, '{x = 1,}', 'part.1.bin: scenario text')\n"
        "assert(not ok and type(e) == 'string')\n"
        "assert(e == \"part.1.bin: scenario text, byte 2: expected '=' after a field name, got a space\", e)\n"
        "ok, e = pcall(core.read_literal, 'os.exit()')\n"
        "assert(not ok and e:find('^literal, byte 0: expected a value'), e)\n"
        "ok, e = pcall(core.read_literal, 12)\n"
        "assert(not ok and e:find('string expected'), e)\n"
        "return 'done'\n";
    if (luaL_dostring(L, code) != LUA_OK)
        fail_msg("%s", lua_tostring(L, -1));
    assert_string_equal(lua_tostring(L, -1), "done");
    lua_close(L);
}

/* An allocator that refuses the k-th allocation (counting from when it is
 * armed) and every one after it. */
typedef struct failing {
    long count, fail_at;
} failing;

static void *failing_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    failing *f = ud;
    (void)osize;
    if (nsize == 0) {
        free(ptr);
        return NULL;
    }
    if (f->fail_at > 0 && nsize > osize && ++f->count >= f->fail_at)
        return NULL;
    return realloc(ptr, nsize);
}

static int read_in_pcall(lua_State *L)
{
    size_t len;
    const char *text = lua_tolstring(L, 1, &len);
    char err[256];
    if (fc_lua_read_literal(L, text, len, NAME, err, sizeof err) != 0)
        return luaL_error(L, "refused: %s", err);
    return 1;
}

/* A memory error at any allocation of a read ends in LUA_ERRMEM with the
 * stack as it was (and, under ASan, nothing leaked); with enough memory the
 * read succeeds. */
static void test_memory_errors(void **state)
{
    (void)state;
    const char *text = "{a={[1]=\"x\\0y\",[2]=\"long string long string long string long string\","
                       "[3]=1.5,},b=\"\\\"\",c={d={e={},},},[\"k\\\n\"]=true,z=-1/0,}";
    int succeeded = 0;
    for (long k = 1; k < 2000 && !succeeded; k++) {
        failing f = {0, 0};
        lua_State *L = lua_newstate(failing_alloc, &f);
        assert_non_null(L);
        lua_pushcfunction(L, read_in_pcall);
        lua_pushstring(L, text);
        f.fail_at = k;
        int st = lua_pcall(L, 1, 1, 0);
        f.fail_at = 0;
        if (st == LUA_OK) {
            assert_true(lua_istable(L, -1));
            succeeded = 1;
        } else if (st != LUA_ERRMEM) {
            /* luaL_checkstack's own message, when growing the stack failed */
            const char *msg = lua_tostring(L, -1);
            if (st != LUA_ERRRUN || msg == NULL || strstr(msg, "stack overflow") == NULL)
                fail_msg("allocation %ld: status %d: %s", k, st, msg ? msg : "?");
        }
        assert_int_equal(lua_gettop(L), 1);
        lua_close(L);
    }
    assert_true(succeeded);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Fills buf with a text of about size bytes of one shape; returns its length. */
static size_t make_text(char *buf, size_t size, int shape)
{
    size_t n = 0;
    switch (shape) {
    case 0: /* an array of records */
        n += (size_t)sprintf(buf, "{");
        for (int i = 1; n + 128 < size; i++)
            n += (size_t)sprintf(buf + n, "[%d]={a=%d,b=\"x\\\ny\\0011\",c=0.10000000000000001,d=true,},",
                                 i, i);
        break;
    case 1: /* one string, every other byte escaped */
        buf[n++] = '"';
        while (n + 8 < size)
            n += (size_t)sprintf(buf + n, "a\\\"\\0");
        buf[n++] = '"';
        return n;
    case 2: /* many distinct string keys */
        n += (size_t)sprintf(buf, "{");
        for (int i = 0; n + 64 < size; i++)
            n += (size_t)sprintf(buf + n, "k%d=%d,[\"s %d\"]=\"v\",", i, i, i);
        break;
    case 3: /* tables of FC_LITERAL_MAX_SPARSE integer keys in one residue class */
        n += (size_t)sprintf(buf, "{");
        for (int i = 1; n + 8192 < size; i++) {
            n += (size_t)sprintf(buf + n, "[%d]={", i);
            for (int k = 1; k <= FC_LITERAL_MAX_SPARSE; k++)
                n += (size_t)sprintf(buf + n, "[%d]=0,", 255 * k);
            n += (size_t)sprintf(buf + n, "},");
        }
        break;
    default: /* nested tables 32 deep, over and over */
        n += (size_t)sprintf(buf, "{");
        for (int i = 1; n + 256 < size; i++) {
            n += (size_t)sprintf(buf + n, "[%d]=", i);
            for (int d = 1; d < 32; d++)
                n += (size_t)sprintf(buf + n, "{x=");
            n += (size_t)sprintf(buf + n, "1");
            for (int d = 1; d < 32; d++)
                n += (size_t)sprintf(buf + n, ",}");
            n += (size_t)sprintf(buf + n, ",");
        }
        break;
    }
    n += (size_t)sprintf(buf + n, "}");
    return n;
}

/* Best of 5 reads of text, in seconds. */
static double time_read(lua_State *L, const char *text, size_t len)
{
    double best = 1e9;
    for (int rep = 0; rep < 5; rep++) {
        char err[256];
        double t0 = now();
        int st = fc_lua_read_literal(L, text, len, NAME, err, sizeof err);
        double t = now() - t0;
        if (st != 0)
            fail_msg("%s", err);
        lua_pop(L, 1);
        lua_gc(L, LUA_GCCOLLECT);
        if (t < best)
            best = t;
    }
    return best;
}

/* 1 MB of each shape reads in time proportional to its length: 16 times the
 * text takes less than 48 times as long (quadratic time would take 256). */
static void test_linear_time(void **state)
{
    (void)state;
    enum { SMALL = 64 << 10, BIG = 1 << 20 };
    char *buf = malloc(BIG);
    assert_non_null(buf);
    lua_State *L = new_state();
    for (int shape = 0; shape < 5; shape++) {
        size_t ns = make_text(buf, SMALL, shape);
        double ts = time_read(L, buf, ns);
        size_t nb = make_text(buf, BIG, shape);
        double tb = time_read(L, buf, nb);
        print_message("shape %d: %zu bytes %.2f ms, %zu bytes %.2f ms (x%.1f)\n", shape, ns, ts * 1e3,
                      nb, tb * 1e3, tb / ts);
        assert_true(nb > BIG - 8192);
        assert_true(tb < 48 * ts * (double)nb / (16.0 * (double)ns) + 1e-3);
        assert_true(tb < 5.0);
    }
    lua_close(L);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scalars),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_every_byte),
        cmocka_unit_test(test_random_values),
        cmocka_unit_test(test_scenarios),
        cmocka_unit_test(test_seeds),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_nesting),
        cmocka_unit_test(test_sparse_keys),
        cmocka_unit_test(test_binding),
        cmocka_unit_test(test_memory_errors),
        cmocka_unit_test(test_linear_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
