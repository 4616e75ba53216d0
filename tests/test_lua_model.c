/* Tests of core/lua_model (fc_lua_compile) against normalized tables that a
 * script or a forged partial could hand it: the compiler reads raw, takes
 * each field's domain from its own code and re-checks every value it relies
 * on, so a rate of 5, a negative cost, a confidence of 7, an empty, NUL-
 * carrying or invalid-UTF-8 name, a law that can leave its field's domain or
 * a path longer than the limit is refused with a message naming the field,
 * whatever the Lua validation let through. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

#include "lua_model.h"
#include "lua_module.h"
#include "model.h"

/* A valid normalized scenario, as `n` in the Lua code that follows. */
static const char *BASE =
    "local fc = ...\n"
    "local s = fc.scenario { name = 'plan', channels = { search = { spend = 1000, cpc = fc.lognormal{ median = 2, sigma = 0.2 } } },\n"
    "  funnel = { { 'visitor' }, { 'lead', rate = fc.beta(30, 970) }, { 'customer', rate = 0.2, cost = 5 } },\n"
    "  customers = { initial = 10, churn = 0.03, arpu = 100 },\n"
    "  goals = { fc.goal{ metric = 'new_customers', at_least = 3 } } }\n"
    "local n = fc.normalize(s)\n";

/* Runs BASE then `edit` (Lua statements changing n), then compiles n.
 * Returns the compiler's status; its message in err. */
static int compile_edited(const char *edit, char *err, size_t errlen)
{
    lua_State *L = luaL_newstate();
    assert_non_null(L);
    luaL_openlibs(L);
    char code[4096];
    snprintf(code, sizeof code, "%s%s\nreturn n\n", BASE, edit);
    if (luaL_loadstring(L, code) != LUA_OK) {
        print_error("%s\n", lua_tostring(L, -1));
        fail();
    }
    fc_lua_push_module(L);
    if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
        print_error("%s\n", lua_tostring(L, -1));
        fail();
    }
    fc_model *m = NULL;
    int st = fc_lua_compile(L, -1, &m, err, errlen);
    fc_model_free(m);
    lua_close(L);
    return st;
}

static void expect_refused(const char *edit, const char *want)
{
    char err[512] = "";
    if (compile_edited(edit, err, sizeof err) != -1) {
        print_error("edit accepted: %s\n", edit);
        fail();
    }
    if (strstr(err, want) == NULL) {
        print_error("edit %s: message \"%s\" does not contain \"%s\"\n", edit, err, want);
        fail();
    }
}

static void test_valid_compiles(void **state)
{
    (void)state;
    char err[512] = "";
    assert_int_equal(compile_edited("", err, sizeof err), 0);
}

static void test_domains_are_the_compilers(void **state)
{
    (void)state;
    /* the values of the issue: a rate of 5, a negative cpc, a confidence of 7 */
    expect_refused("n.stages[3].rate.value = 5", "funnel.customer.rate: expected a probability in [0, 1], got 5");
    expect_refused("n.channels[1].cost = { kind = 'fixed', value = -2, path = 'channels.search.cpc' }",
                   "channels.search.cpc: expected a number > 0, got -2");
    expect_refused("n.goals[1].confidence = 7", "goals[1].confidence: expected a number in (0, 1), got 7");
    /* the table cannot widen a field's domain, nor hide a law that escapes it */
    expect_refused("n.stages[3].rate.value = 5; n.stages[3].rate.domain = 'real'", "expected a probability");
    expect_refused("n.stages[2].rate = { kind = 'normal', mean = 0.03, sd = 0.01, path = 'funnel.lead.rate' }",
                   "funnel.lead.rate: expected a law whose draws are a probability in [0, 1]");
    expect_refused("n.channels[1].cost = { kind = 'normal', mean = 2, sd = 1, path = 'channels.search.cpc' }",
                   "expected a law whose draws are a number > 0");
    expect_refused("n.stages[3].cost.value = -1", "funnel.customer.cost: expected a number >= 0, got -1");
    expect_refused("n.customers.churn.value = 1.5", "customers.churn: expected a probability");
    expect_refused("n.customers.arpu = { kind = 'uniform', min = -1, max = 1, path = 'customers.arpu' }",
                   "customers.arpu: expected a law whose draws are a number >= 0");
    expect_refused("n.stages[2].rate = { kind = 'beta', a = -1, b = 2, path = 'funnel.lead.rate' }", "beta: a");
    expect_refused("n.customers.discount = -0.5", "customers.discount");
    expect_refused("n.goals[1].op = '~='", "goals[1]: expected the operator");
    expect_refused("n.goals[1].by = 13", "goals[1]: expected an integer in [1, 12]");
    expect_refused("n.customers.initial = -4", "customers.initial");
    expect_refused("n.stages[2].lags = { 0.5, 0.6 }", "funnel[2].delay: expected lag probabilities summing to 1");
    expect_refused("n.channels[1].spend[3] = -5", "channels.search.spend: expected numbers >= 0");
    expect_refused("n.channels[1].response = 'magic'", "channels.search.response");
    /* a clipped law may range wider: its draws are clamped */
    char err[512];
    assert_int_equal(compile_edited("n.stages[2].rate = { kind = 'normal', mean = 0.03, sd = 0.01, "
                                    "path = 'funnel.lead.rate', clip = true }", err, sizeof err), 0);
}

static void test_names(void **state)
{
    (void)state;
    expect_refused("n.stages[2].name = ''", "funnel[2].name: expected a non-empty name");
    expect_refused("n.stages[2].name = 'le\\0ad'", "funnel[2].name: expected a name without NUL bytes");
    expect_refused("n.stages[2].name = 'l\\xffead'", "funnel[2].name: expected a name in valid UTF-8");
    expect_refused("n.stages[2].name = 'customer'", "is used twice");
    expect_refused("n.stages[2].name = 'revenue'", "is the name of a metric");
    expect_refused("n.channels[2] = n.channels[1]", "channel name 'search' is used twice");
    expect_refused("n.name = ('x'):rep(256)", "name: expected a name of at most 255 bytes");
    expect_refused("n.goals[1].name = '\\xed\\xa0\\x80'", "goals[1].name: expected a name in valid UTF-8");
    expect_refused("n.channels[1].cost.path = ('p'):rep(641)", "of at most 640 bytes");
    /* names of the longest length and any valid UTF-8 are kept whole */
    char err[512];
    assert_int_equal(compile_edited("n.name = ('\\xc3\\xa9'):rep(127)", err, sizeof err), 0);
}

static void test_raw_reads(void **state)
{
    (void)state;
    /* a metatable on the table changes nothing the compiler reads */
    expect_refused("n.stages[3].rate = setmetatable({}, { __index = { kind = 'fixed', value = 0.5, "
                   "path = 'funnel.customer.rate' } })",
                   "funnel[3].rate");
    char err[512];
    assert_int_equal(compile_edited("setmetatable(n, { __index = function() error('ran') end })", err, sizeof err), 0);
    /* numbers are numbers: a string that reads as one is refused */
    expect_refused("n.stages[3].rate.value = '0.5'", "funnel[3].rate");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_compiles),
        cmocka_unit_test(test_domains_are_the_compilers),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_raw_reads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
