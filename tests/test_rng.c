/* Tests of core/rng: PCG32 against its published reference output, jump-ahead
 * against stepping, the uniform and bounded draws against their exact laws,
 * and the keyed streams' contract (a stream depends on its triple only, and
 * neighbouring streams are uncorrelated).
 *
 * Statistical checks assert p > P_MIN (or |z| < Z_MAX, two-sided p 8e-11);
 * there are 10 of them, so a correct generator fails this file less than once
 * in 1e8 runs. Seeds are fixed: the outcome is the same on every run.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "rng.h"
#include "support/stat_check.h"

#define P_MIN 1e-9
#define Z_MAX 6.5

/* The reference output of pcg32-global-demo / pcg32_srandom_r(42, 54). */
static void test_pcg32_reference(void **state)
{
    (void)state;
    static const uint32_t want[6] = {0xa15c02b7, 0x7b47f409, 0xba1d3330,
                                     0x83d2f293, 0xbfa4784b, 0xcbed606e};
    fc_pcg32 r;
    fc_pcg32_seed(&r, 42, 54);
    for (int i = 0; i < 6; i++)
        assert_int_equal(fc_pcg32_next(&r), want[i]);
    /* next64 is two next32 outputs, high word first */
    fc_pcg32 a, b;
    fc_pcg32_seed(&a, 42, 54);
    fc_pcg32_seed(&b, 42, 54);
    uint64_t hi = fc_pcg32_next(&b);
    assert_true(fc_pcg32_next64(&a) == ((hi << 32) | fc_pcg32_next(&b)));
}

static void test_advance_equals_stepping(void **state)
{
    (void)state;
    static const uint64_t dist[] = {0, 1, 2, 1000, 123456};
    for (size_t i = 0; i < sizeof dist / sizeof dist[0]; i++) {
        fc_pcg32 stepped, jumped;
        fc_pcg32_seed(&stepped, 0x853c49e6748fea9bULL, 0xda3e39cb94b95bdbULL);
        jumped = stepped;
        for (uint64_t k = 0; k < dist[i]; k++)
            (void)fc_pcg32_next(&stepped);
        fc_pcg32_advance(&jumped, dist[i]);
        assert_true(stepped.state == jumped.state);
        assert_true(stepped.inc == jumped.inc);
        assert_int_equal(fc_pcg32_next(&stepped), fc_pcg32_next(&jumped));
    }
}

static void test_advance_backwards(void **state)
{
    (void)state;
    static const uint64_t back[] = {1, 2, 77, 5000};
    for (size_t i = 0; i < sizeof back / sizeof back[0]; i++) {
        fc_pcg32 start, r;
        fc_pcg32_seed(&start, 42, 54);
        r = start;
        for (uint64_t k = 0; k < back[i]; k++)
            (void)fc_pcg32_next(&r);
        fc_pcg32_advance(&r, (uint64_t)0 - back[i]); /* 2^64 - k */
        assert_true(r.state == start.state);
        assert_int_equal(fc_pcg32_next(&r), 0xa15c02b7);
    }
    /* a full round trip of a huge stride */
    fc_pcg32 a, b;
    fc_pcg32_seed(&a, 1, 2);
    b = a;
    fc_pcg32_advance(&a, 0x123456789abcdefULL);
    fc_pcg32_advance(&a, (uint64_t)0 - 0x123456789abcdefULL);
    assert_true(a.state == b.state);
}

static double cdf_uniform01(double x, const void *ctx)
{
    (void)ctx;
    return sc_uniform_cdf(x, 0, 1);
}

static void test_uniform(void **state)
{
    (void)state;
    enum { N = 200000 };
    static double x[N];
    fc_pcg32 r, twin;
    fc_pcg32_seed(&r, 11, 1);
    twin = r;
    double sum = 0;
    for (int i = 0; i < N; i++) {
        x[i] = fc_rng_uniform(&r);
        assert_true(x[i] >= 0 && x[i] < 1);
        /* multiples of 2^-53 */
        assert_true(ldexp(x[i], 53) == floor(ldexp(x[i], 53)));
        sum += x[i];
    }
    /* uniform_pos is the same 53 bits shifted to the cell midpoints: never 0
     * or 1, so log(u) and 1/u are finite */
    for (int i = 0; i < 1000; i++) {
        double u = fc_rng_uniform_pos(&twin);
        assert_true(u > 0 && u < 1);
        assert_true(u == x[i] + 0x1.0p-54);
    }
    double z = (sum / N - 0.5) / sqrt(1.0 / 12 / N);
    assert_true(fabs(z) < Z_MAX);
    assert_p_above(sc_ks_test(x, N, cdf_uniform01, NULL, NULL), P_MIN,
                   "fc_rng_uniform KS");

    fc_pcg32_seed(&r, 12, 1);
    for (int i = 0; i < N; i++) {
        x[i] = fc_rng_uniform_pos(&r);
        assert_true(x[i] > 0 && x[i] < 1);
    }
    assert_p_above(sc_ks_test(x, N, cdf_uniform01, NULL, NULL), P_MIN,
                   "fc_rng_uniform_pos KS");
}

/* Draws n values of fc_rng_bounded(bound), puts value v in cell cell(v) of k,
 * and tests against the exact cell probabilities prob[]. */
static double bounded_chisq(fc_pcg32 *r, uint32_t bound, size_t n, size_t k,
                            size_t (*cell)(uint32_t v, uint32_t bound),
                            const double *prob)
{
    double obs[64] = {0}, expd[64];
    assert_true(k <= 64);
    for (size_t i = 0; i < n; i++) {
        uint32_t v = fc_rng_bounded(r, bound);
        assert_true(v < bound);
        obs[cell(v, bound)]++;
    }
    for (size_t c = 0; c < k; c++)
        expd[c] = prob[c] * (double)n;
    return sc_chisq_test(obs, expd, k, 0, NULL, NULL);
}

static size_t cell_value(uint32_t v, uint32_t bound)
{
    (void)bound;
    return v;
}

static size_t cell_mod3(uint32_t v, uint32_t bound)
{
    (void)bound;
    return v % 3;
}

static size_t cell_top12(uint32_t v, uint32_t bound)
{
    (void)bound;
    return v >> 28; /* bound 3 * 2^30 has 12 cells of 2^28 */
}

static size_t cell_64(uint32_t v, uint32_t bound)
{
    return (size_t)((uint64_t)v * 64 / bound);
}

static void test_bounded(void **state)
{
    (void)state;
    fc_pcg32 r;
    double prob[64];

    fc_pcg32_seed(&r, 13, 1);
    for (int c = 0; c < 7; c++)
        prob[c] = 1.0 / 7;
    assert_p_above(bounded_chisq(&r, 7, 350000, 7, cell_value, prob), P_MIN,
                   "bounded(7)");

    /* bound 3 * 2^30: a modulo reduction would make the first third twice as
     * likely (seen by the 12 top cells), and Lemire's multiply without the
     * rejection step would make v % 3 == 0 half of all draws instead of a
     * third (seen by the residues). */
    const uint32_t b3 = 3u << 30;
    for (int c = 0; c < 3; c++)
        prob[c] = 1.0 / 3;
    assert_p_above(bounded_chisq(&r, b3, 300000, 3, cell_mod3, prob), P_MIN,
                   "bounded(3 * 2^30) residues mod 3");
    for (int c = 0; c < 12; c++)
        prob[c] = 1.0 / 12;
    assert_p_above(bounded_chisq(&r, b3, 300000, 12, cell_top12, prob), P_MIN,
                   "bounded(3 * 2^30) top cells");

    /* bound 2^31 + 1 (rejection happens for almost half the words): 64 cells,
     * cell c holding the values v with floor(64 v / bound) = c; its exact
     * size is ceil((c+1) bound / 64) - ceil(c bound / 64). */
    const uint64_t b = (1ULL << 31) + 1;
    for (uint64_t c = 0; c < 64; c++) {
        uint64_t lo = (c * b + 63) / 64, hi = ((c + 1) * b + 63) / 64;
        prob[c] = (double)(hi - lo) / (double)b;
    }
    assert_p_above(bounded_chisq(&r, (uint32_t)b, 320000, 64, cell_64, prob),
                   P_MIN, "bounded(2^31 + 1) in 64 cells");

    for (int i = 0; i < 100; i++)
        assert_int_equal(fc_rng_bounded(&r, 1), 0);
    /* the largest bound still stays below it */
    for (int i = 0; i < 1000; i++)
        assert_true(fc_rng_bounded(&r, UINT32_MAX) < UINT32_MAX);
}

static void first_outputs(uint64_t seed, uint64_t trial, uint64_t key,
                          uint32_t out[4])
{
    fc_pcg32 r;
    fc_rng_stream(&r, seed, trial, key);
    for (int i = 0; i < 4; i++)
        out[i] = fc_pcg32_next(&r);
}

static void test_rng_key(void **state)
{
    (void)state;
    assert_true(fc_rng_key("a") != fc_rng_key("b"));
    assert_true(fc_rng_key("") != fc_rng_key("a"));
    assert_true(fc_rng_key("channels.search.cpc") !=
                fc_rng_key("channels.search.cpl"));
    assert_true(fc_rng_key("ab") != fc_rng_key("ba"));
    /* Pinned values: results must not change across versions (a scenario's
     * draws depend only on seed, trial and name). Computed with an independent
     * Python implementation of the recipe in rng.h. */
    assert_true(fc_rng_key("channels.search.cpc") == 0x0c14c53f7e02697eULL);
    assert_true(fc_rng_key("") == 0xf52a15e9a9b5e89bULL);
    assert_true(fc_rng_key("a") == 0x02c0bdbf481420f8ULL);
}

static void test_stream_identity(void **state)
{
    (void)state;
    const uint64_t key = fc_rng_key("channels.search.cpc");
    uint32_t a[4], b[4], c[4];
    static const uint32_t pinned[4] = {0xead71f37, 0x72e46195, 0x4f3717b9,
                                       0xddde35db};
    first_outputs(42, 917, key, a);
    for (int i = 0; i < 4; i++)
        assert_int_equal(a[i], pinned[i]);
    first_outputs(42, 917, key, b);
    assert_memory_equal(a, b, sizeof a);
    /* any of the three changed gives another stream */
    first_outputs(43, 917, key, c);
    assert_memory_not_equal(a, c, sizeof a);
    first_outputs(42, 918, key, c);
    assert_memory_not_equal(a, c, sizeof a);
    first_outputs(42, 917, fc_rng_key("channels.search.cpd"), c);
    assert_memory_not_equal(a, c, sizeof a);
    /* seed and trial do not commute */
    first_outputs(917, 42, key, c);
    assert_memory_not_equal(a, c, sizeof a);
}

/* Trial i's stream does not depend on what was drawn before it: draw other
 * streams (and this one) in between, then recreate it. */
static void test_stream_no_history(void **state)
{
    (void)state;
    const uint64_t key = fc_rng_key("funnel.lead.rate");
    uint32_t fresh[4], later[4];
    first_outputs(7, 5, key, fresh);
    fc_pcg32 other;
    for (uint64_t t = 0; t < 100; t++) {
        fc_rng_stream(&other, 7, t, fc_rng_key("channels.events.cpc"));
        for (int i = 0; i < 37; i++)
            (void)fc_pcg32_next(&other);
    }
    first_outputs(7, 5, key, later);
    assert_memory_equal(fresh, later, sizeof fresh);
}

/* Neighbouring trials (and two keys of one trial) give uncorrelated first
 * draws: Pearson's r of N pairs is about N(0, 1/N) under independence. */
static void test_stream_neighbours_uncorrelated(void **state)
{
    (void)state;
    enum { N = 100000 };
    static double x[N + 1], y[N + 1];
    const uint64_t k1 = fc_rng_key("channels.search.cpc");
    const uint64_t k2 = fc_rng_key("channels.social.cpc");
    for (uint64_t t = 0; t <= N; t++) {
        fc_pcg32 r;
        fc_rng_stream(&r, 42, t, k1);
        x[t] = fc_rng_uniform(&r);
        fc_rng_stream(&r, 42, t, k2);
        y[t] = fc_rng_uniform(&r);
    }
    double sxx = 0, sxy = 0, sxk = 0;
    for (int t = 0; t < N; t++) {
        double a = x[t] - 0.5, b = x[t + 1] - 0.5, c = y[t] - 0.5;
        sxx += a * a;
        sxy += a * b;
        sxk += a * c;
    }
    /* var of a uniform is 1/12 exactly; the products have mean 0 and
     * variance 1/144, so z = sum / sqrt(N / 144) */
    double z_trial = sxy / sqrt(N / 144.0), z_key = sxk / sqrt(N / 144.0);
    assert_true(fabs(z_trial) < Z_MAX);
    assert_true(fabs(z_key) < Z_MAX);
    assert_close(sxx / N, 1.0 / 12, 0.002, 0); /* 8 standard errors */
    /* and the first draws of consecutive trials are uniform */
    assert_p_above(sc_ks_test(x, N, cdf_uniform01, NULL, NULL), P_MIN,
                   "first draws across trials KS");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pcg32_reference),
        cmocka_unit_test(test_advance_equals_stepping),
        cmocka_unit_test(test_advance_backwards),
        cmocka_unit_test(test_uniform),
        cmocka_unit_test(test_bounded),
        cmocka_unit_test(test_rng_key),
        cmocka_unit_test(test_stream_identity),
        cmocka_unit_test(test_stream_no_history),
        cmocka_unit_test(test_stream_neighbours_uncorrelated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
