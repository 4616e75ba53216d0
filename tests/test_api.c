/* test_api: the public C API (include/funnelcast.h) as an embedding program
 * uses it: only the public header. Runs from texts and files, overrides and
 * options, every command, the errors (file:line messages, statuses, nothing
 * handed out), progress, and a cancel from another thread. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "funnelcast.h"

static const char *const small =
    "return scenario {\n"
    "  name = \"small\", periods = 6, trials = 2000, seed = 5,\n"
    "  channels = { search = { spend = 1000, cpc = lognormal{ median = 2, sigma = 0.2 } } },\n"
    "  funnel = { { \"visitor\" }, { \"lead\", rate = beta(30, 970) }, { \"customer\", rate = 0.2, delay = 1 } },\n"
    "  goals = { goal{ name = \"leads\", metric = \"lead\", at_least = 80 } },\n"
    "}\n";

static char *exec(fc_context *ctx, const char *cmd, fc_status want)
{
    char *out = (char *)0x1;
    size_t len = 0;
    fc_status st = fc_context_exec(ctx, cmd, &out, &len);
    if (st != want)
        print_error("status %d, want %d: %s\n", st, want, fc_context_error(ctx));
    assert_int_equal(st, want);
    if (st == FC_OK) {
        assert_non_null(out);
        assert_int_equal(strlen(out), len);
        assert_string_equal(fc_context_error(ctx), "");
    } else {
        assert_null(out);
        assert_true(strlen(fc_context_error(ctx)) > 0);
    }
    return out;
}

static void test_run_text(void **state)
{
    (void)state;
    fc_context *ctx = fc_context_new();
    assert_non_null(ctx);
    assert_int_equal(fc_context_add_text(ctx, "small.lua", small), FC_OK);
    char *a = exec(ctx, "run", FC_OK);
    assert_non_null(strstr(a, "\"scenario\": \"small\""));
    assert_non_null(strstr(a, "\"trials\": 2000"));
    /* the same run again: the same bytes */
    char *b = exec(ctx, "run", FC_OK);
    assert_string_equal(a, b);
    fc_free(b);
    /* options and overrides change it */
    assert_int_equal(fc_context_option(ctx, "trials", "3e3"), FC_OK);
    assert_int_equal(fc_context_set(ctx, "channels.search.spend", "2000"), FC_OK);
    assert_int_equal(fc_context_option(ctx, "format", "text"), FC_OK);
    b = exec(ctx, "run", FC_OK);
    assert_non_null(strstr(b, "small: 3,000 trials"));
    assert_non_null(strstr(b, "search   12,000"));
    fc_free(a);
    fc_free(b);
    fc_context_free(ctx);
}

static void test_commands(void **state)
{
    (void)state;
    fc_context *ctx = fc_context_new();
    assert_int_equal(fc_context_add_file(ctx, "scenarios/b2b_saas_inbound.lua"), FC_OK);
    assert_int_equal(fc_context_option(ctx, "trials", "2000"), FC_OK);
    char *c = exec(ctx, "check", FC_OK);
    assert_non_null(strstr(c, "\"random_assumptions\""));
    fc_free(c);
    assert_int_equal(fc_context_option(ctx, "goal", "200 new customers in 2027"), FC_OK);
    char *p = exec(ctx, "plan", FC_OK);
    assert_non_null(strstr(p, "\"plan\""));
    fc_free(p);
    /* a command's own option given to another is refused */
    exec(ctx, "run", FC_EINPUT);
    assert_non_null(strstr(fc_context_error(ctx), "run: option 'goal' is not one of this command's"));
    fc_context_free(ctx);

    /* history: a backtest, a re-forecast with actuals */
    ctx = fc_context_new();
    assert_int_equal(fc_context_add_file(ctx, "scenarios/b2b_saas_inbound.lua"), FC_OK);
    assert_int_equal(fc_context_option(ctx, "trials", "1000"), FC_OK);
    assert_int_equal(fc_context_option(ctx, "history", "scenarios/history/b2b_history.csv"), FC_OK);
    assert_int_equal(fc_context_option(ctx, "train", "12"), FC_OK);
    assert_int_equal(fc_context_option(ctx, "test", "6"), FC_OK);
    char *b = exec(ctx, "backtest", FC_OK);
    assert_non_null(strstr(b, "\"p10_p90\""));
    fc_free(b);
    fc_context_free(ctx);
    ctx = fc_context_new();
    assert_int_equal(fc_context_add_file(ctx, "scenarios/b2b_saas_inbound.lua"), FC_OK);
    assert_int_equal(fc_context_option(ctx, "trials", "1000"), FC_OK);
    assert_int_equal(fc_context_option(ctx, "actuals", "scenarios/history/b2b_ytd_2027.csv"), FC_OK);
    char *a = exec(ctx, "run", FC_OK);
    assert_non_null(strstr(a, "\"probability_at_plan\""));
    fc_free(a);
    fc_context_free(ctx);

    ctx = fc_context_new();
    assert_int_equal(fc_context_add_text(ctx, "a.lua", small), FC_OK);
    assert_int_equal(fc_context_add_text(ctx, "b.lua", "return scenario { name = \"b\", "
                                                        "periods = 6, channels = { search = { spend = 1500, cpc = 2 } }, "
                                                        "funnel = { { \"visitor\" }, { \"lead\", rate = 0.03 } } }\n"),
                     FC_OK);
    char *d = exec(ctx, "compare", FC_OK);
    assert_non_null(strstr(d, "\"differences\""));
    fc_free(d);
    /* run takes one scenario */
    exec(ctx, "run", FC_EINPUT);
    assert_non_null(strstr(fc_context_error(ctx), "takes one scenario"));
    fc_context_free(ctx);
}

static void test_errors(void **state)
{
    (void)state;
    fc_context *ctx = fc_context_new();
    exec(ctx, "run", FC_EINPUT); /* nothing given */
    assert_int_equal(fc_context_add_text(ctx, "q3.lua", "return scenario {\n  name = 'q3',\n  funnel = { { 'v' }, { 'l', rate = 1.4 } },\n}\n"),
                     FC_OK);
    exec(ctx, "run", FC_EINPUT);
    assert_non_null(strstr(fc_context_error(ctx), "q3.lua:3: funnel[2].rate: expected a probability in [0, 1], got 1.4"));
    exec(ctx, "dance", FC_EINPUT);
    assert_non_null(strstr(fc_context_error(ctx), "expected run, check, compare, plan, optimize or backtest"));
    exec(ctx, "merge", FC_EINPUT); /* the command line's alone */
    assert_int_equal(fc_context_option(ctx, "trials", "0"), FC_EINPUT);
    assert_non_null(strstr(fc_context_error(ctx), "--trials 0: expected an integer in [1, 1e12]"));
    assert_int_equal(fc_context_option(ctx, "trails", "5"), FC_EINPUT);
    assert_int_equal(fc_context_option(ctx, "format", "HTML!"), FC_EINPUT);
    /* a name the registry does not have: refused when the command runs */
    assert_int_equal(fc_context_option(ctx, "format", "xml"), FC_OK);
    exec(ctx, "run", FC_EINPUT);
    assert_non_null(strstr(fc_context_error(ctx), "--format xml: expected one of text, json, csv, html"));
    assert_int_equal(fc_context_option(ctx, "format", "json"), FC_OK);
    assert_int_equal(fc_context_set(ctx, "", "1"), FC_EINPUT);
    fc_context_free(ctx);

    ctx = fc_context_new();
    assert_int_equal(fc_context_add_text(ctx, "loop.lua", "while true do end"), FC_OK);
    assert_int_equal(fc_context_option(ctx, "max-steps", "100000"), FC_OK);
    exec(ctx, "run", FC_EINPUT);
    assert_non_null(strstr(fc_context_error(ctx), "Lua steps"));
    fc_context_free(ctx);

    ctx = fc_context_new();
    assert_int_equal(fc_context_add_text(ctx, "io.lua", "return io.open('/etc/passwd')"), FC_OK);
    exec(ctx, "run", FC_EINPUT); /* the sandbox: no io */
    fc_context_free(ctx);
    assert_string_equal(fc_version(), FUNNELCAST_VERSION);
}

typedef struct seen {
    uint64_t calls, last_done, total;
} seen;

static void on_progress(void *user, uint64_t done, uint64_t total)
{
    seen *s = user; /* calls come one at a time, done never going down */
    assert_true(done >= s->last_done || total != s->total);
    s->calls++;
    s->last_done = done;
    s->total = total;
}

static void *cancel_soon(void *arg)
{
    struct timespec ts = {0, 300 * 1000 * 1000};
    nanosleep(&ts, NULL);
    fc_context_cancel(arg);
    return NULL;
}

static void test_progress_and_cancel(void **state)
{
    (void)state;
    fc_context *ctx = fc_context_new();
    seen s = {0, 0, 0};
    assert_int_equal(fc_context_add_text(ctx, "small.lua", small), FC_OK);
    assert_int_equal(fc_context_option(ctx, "trials", "200000"), FC_OK);
    fc_context_progress(ctx, on_progress, &s);
    fc_free(exec(ctx, "run", FC_OK));
    assert_true(s.calls > 0);
    assert_int_equal(s.total, 200000);
    assert_int_equal(s.last_done, 200000);
    /* a run far too long for the test, canceled from another thread */
    assert_int_equal(fc_context_option(ctx, "trials", "1e12"), FC_OK);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, cancel_soon, ctx), 0);
    exec(ctx, "run", FC_ECANCELED);
    pthread_join(th, NULL);
    /* a time limit stops the simulation too, as bad input */
    assert_int_equal(fc_context_option(ctx, "time-limit", "0.3"), FC_OK);
    memset(&s, 0, sizeof s); /* a new run */
    time_t t0 = time(NULL);
    exec(ctx, "run", FC_EINPUT);
    assert_non_null(strstr(fc_context_error(ctx), "small.lua: stopped at the time limit of 0.3 s"));
    assert_true(time(NULL) - t0 < 20);
    assert_int_equal(fc_context_option(ctx, "time-limit", "1e7"), FC_OK);
    /* the context still works */
    assert_int_equal(fc_context_option(ctx, "trials", "1000"), FC_OK);
    fc_free(exec(ctx, "run", FC_OK));
    fc_context_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_text),
        cmocka_unit_test(test_commands),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_progress_and_cancel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
