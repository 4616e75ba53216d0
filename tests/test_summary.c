/* Tests of core/summary on records written directly (no engine): quantiles
 * are the exact order statistics DESIGN.md promises (the value of rank
 * ceil(level n) among the finite values, checked against qsort), mean and sd
 * match a two-pass long-double reference, non-finite values are counted in
 * `infinite` and left out of every other figure, goal probabilities count
 * at_least / at_most exactly with NaN never meeting a goal, and finishing does
 * not disturb the records. Nothing here is statistical: every check is exact
 * (or within rounding, 1e-12 relative), whatever the data.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "summary.h"
#include "support/model_build.h"
#include "support/stat_check.h"

static const int levels_pct[FC_NQUANTILES] = {5, 10, 25, 50, 75, 90, 95};

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* A small model: 2 periods, a channel, two stages and two goals (at_least on
 * new_customers, at_most on cac). Only its layout and goals matter here. */
static fc_model *goal_model(double least, double most)
{
    fc_model *m = mb_new(2, 1, 2, 2);
    mb_cpc(m, 0, "search", 10, 1);
    mb_goal(m, 0, "new_customers", FC_GOAL_AT_LEAST, least, 2);
    mb_goal(m, 1, "cac", FC_GOAL_AT_MOST, most, 1);
    mb_finish(m);
    return m;
}

/* The kinds of data a slot gets: many ties, continuous, non-finite values
 * mixed in, sorted, reversed, constant. */
static double datum(fc_pcg32 *r, int kind, uint64_t i, uint64_t n)
{
    switch (kind) {
    case 0: return (double)fc_rng_bounded(r, 7);
    case 1: return (fc_rng_uniform(r) - 0.3) * 1e3;
    case 2: {
        uint32_t u = fc_rng_bounded(r, 10);
        return u == 0 ? INFINITY : u == 1 ? -INFINITY : u == 2 ? NAN : (double)fc_rng_bounded(r, 50) - 20;
    }
    case 3: return (double)i;
    case 4: return (double)(n - i);
    case 5: return 42.5;
    default: return fc_rng_uniform(r) < 0.5 ? 1e150 : -1e-300;
    }
}
#define NKINDS 7

/* Every figure of one slot against a reference computed from scratch. */
static void check_slot(const double *x, uint64_t n, const fc_stat *st)
{
    double *f = malloc((size_t)n * sizeof *f + 1);
    assert_non_null(f);
    uint64_t m = 0, inf = 0;
    for (uint64_t i = 0; i < n; i++) {
        if (isfinite(x[i]))
            f[m++] = x[i];
        else
            inf++;
    }
    assert_int_equal(st->n, m);
    assert_int_equal(st->infinite, inf);
    if (m == 0) {
        assert_true(isnan(st->mean) && isnan(st->sd) && isnan(st->min) && isnan(st->max));
        for (int q = 0; q < FC_NQUANTILES; q++)
            assert_true(isnan(st->q[q]));
        free(f);
        return;
    }
    qsort(f, (size_t)m, sizeof *f, cmp_double);
    assert_true(st->min == f[0]);
    assert_true(st->max == f[m - 1]);
    for (int q = 0; q < FC_NQUANTILES; q++) {
        /* rank ceil(pct m / 100), in integers so no rounding can move it */
        uint64_t rank = ((uint64_t)levels_pct[q] * m + 99) / 100;
        if (rank < 1)
            rank = 1;
        if (st->q[q] != f[rank - 1]) {
            print_error("p%d of %llu values: got %.17g, order statistic %llu is %.17g\n",
                        levels_pct[q], (unsigned long long)m, st->q[q],
                        (unsigned long long)rank, f[rank - 1]);
            fail();
        }
    }
    long double sum = 0, ss = 0, amax = 0;
    for (uint64_t i = 0; i < m; i++) {
        sum += f[i];
        amax = fabsl(f[i]) > amax ? fabsl(f[i]) : amax;
    }
    long double mean = sum / (long double)m;
    for (uint64_t i = 0; i < m; i++)
        ss += ((long double)f[i] - mean) * ((long double)f[i] - mean);
    double sd = m > 1 ? (double)sqrtl(ss / (long double)(m - 1)) : 0;
    /* a plain double sum of m terms: error below m ulps of the largest term */
    assert_close(st->mean, (double)mean, 2.3e-16 * (double)m * (double)amax, 1e-12);
    assert_close(st->sd, sd, 2.3e-16 * (double)m * (double)amax, 1e-12);
    free(f);
}

static void run_sizes(const uint64_t *sizes, size_t nsizes)
{
    fc_model *m = goal_model(3, 0);
    for (size_t si = 0; si < nsizes; si++) {
        uint64_t n = sizes[si];
        fc_summary *s = fc_summary_new(m, 0, n);
        assert_non_null(s);
        fc_pcg32 r;
        fc_rng_stream(&r, 7, n, fc_rng_key("summary data"));
        int nslots = s->layout.nslots;
        for (int slot = 0; slot < nslots; slot++)
            for (uint64_t i = 0; i < n; i++)
                s->values[(size_t)slot * n + i] = datum(&r, slot % NKINDS, i, n);
        size_t bytes = (size_t)nslots * (size_t)n * sizeof(double);
        double *copy = malloc(bytes + 1);
        assert_non_null(copy);
        memcpy(copy, s->values, bytes);
        assert_int_equal(fc_summary_finish(s), 0);
        /* the records stay as they were: the selection works on a copy */
        assert_memory_equal(s->values, copy, bytes);
        for (int slot = 0; slot < nslots; slot++)
            check_slot(s->values + (size_t)slot * n, n, &s->stats[slot]);
        free(copy);
        fc_summary_free(s);
    }
    fc_model_free(m);
}

static void test_quantiles_small(void **state)
{
    (void)state;
    static const uint64_t sizes[] = {1, 2, 3, 10, 19, 20, 21};
    run_sizes(sizes, sizeof sizes / sizeof *sizes);
}

static void test_quantiles_large(void **state)
{
    (void)state;
    /* 100 and 1000: ranks land exactly on level * n; 1001: just past */
    static const uint64_t sizes[] = {100, 1000, 1001, 4099};
    run_sizes(sizes, sizeof sizes / sizeof *sizes);
}

/* Large sets of one value or two values: the selection must stay correct (and
 * fast) when almost everything ties with the pivot. */
static void test_quantiles_ties(void **state)
{
    (void)state;
    const uint64_t n = 100001;
    fc_model *m = goal_model(0, 0);
    fc_summary *s = fc_summary_new(m, 0, n);
    assert_non_null(s);
    fc_pcg32 r;
    fc_rng_stream(&r, 7, 0, fc_rng_key("ties"));
    for (int slot = 0; slot < s->layout.nslots; slot++)
        for (uint64_t i = 0; i < n; i++) {
            double *v = &s->values[(size_t)slot * n + i];
            *v = slot % 3 == 0 ? 1.0 : slot % 3 == 1 ? (double)(fc_rng_uniform(&r) < 0.93) : (double)(i % 2);
        }
    assert_int_equal(fc_summary_finish(s), 0);
    for (int slot = 0; slot < s->layout.nslots; slot++)
        check_slot(s->values + (size_t)slot * n, n, &s->stats[slot]);
    fc_summary_free(s);
    fc_model_free(m);
}

/* Non-finite values: counted, excluded from mean, sd, min, max and the
 * quantiles; a slot with nothing finite has NaN figures. */
static void test_nonfinite(void **state)
{
    (void)state;
    fc_model *m = goal_model(0, 0);
    const uint64_t n = 8;
    fc_summary *s = fc_summary_new(m, 0, n);
    assert_non_null(s);
    const double a[8] = {INFINITY, 1, NAN, 3, -INFINITY, 2, 1e150, INFINITY};
    for (int slot = 0; slot < s->layout.nslots; slot++)
        for (uint64_t i = 0; i < n; i++)
            s->values[(size_t)slot * n + i] = slot == 0 ? INFINITY : a[i];
    assert_int_equal(fc_summary_finish(s), 0);
    const fc_stat *st = &s->stats[1];
    assert_int_equal(st->infinite, 4);
    assert_int_equal(st->n, 4);
    assert_true(st->min == 1 && st->max == 1e150);
    assert_close(st->mean, (1 + 3 + 2 + 1e150) / 4, 0, 1e-15);
    /* ranks ceil(level 4): 1, 1, 1, 2, 3, 4, 4 of {1, 2, 3, 1e150} */
    const double want[FC_NQUANTILES] = {1, 1, 1, 2, 3, 1e150, 1e150};
    for (int q = 0; q < FC_NQUANTILES; q++)
        assert_true(st->q[q] == want[q]);
    for (int slot = 0; slot < s->layout.nslots; slot++)
        check_slot(s->values + (size_t)slot * n, n, &s->stats[slot]);
    assert_int_equal(s->stats[0].infinite, n);
    assert_true(isnan(s->stats[0].mean));
    fc_summary_free(s);

    /* no trials at all */
    s = fc_summary_new(m, 0, 0);
    assert_non_null(s);
    assert_int_equal(fc_summary_finish(s), 0);
    assert_int_equal(s->stats[0].n, 0);
    assert_true(isnan(s->stats[0].mean));
    assert_true(isnan(s->goal_prob[0]));
    fc_summary_free(s);
    fc_model_free(m);
}

/* Goal probabilities: the share of trials whose goal value meets the bound
 * (>= for at_least, <= for at_most, the bound itself included); NaN meets
 * neither; +inf meets at_least, -inf at_most. */
static void test_goals(void **state)
{
    (void)state;
    fc_goal least = {.op = FC_GOAL_AT_LEAST, .target = 5};
    fc_goal most = {.op = FC_GOAL_AT_MOST, .target = 5};
    assert_true(fc_goal_met(&least, 5) && fc_goal_met(&most, 5));
    assert_true(fc_goal_met(&least, 6) && !fc_goal_met(&most, 6));
    assert_true(!fc_goal_met(&least, 4) && fc_goal_met(&most, 4));
    assert_true(!fc_goal_met(&least, NAN) && !fc_goal_met(&most, NAN));
    assert_true(fc_goal_met(&least, INFINITY) && !fc_goal_met(&most, INFINITY));
    assert_true(!fc_goal_met(&least, -INFINITY) && fc_goal_met(&most, -INFINITY));

    const double target = 10;
    fc_model *m = goal_model(target, target);
    const uint64_t n = 10007;
    fc_summary *s = fc_summary_new(m, 0, n);
    assert_non_null(s);
    memset(s->values, 0, (size_t)s->layout.nslots * n * sizeof(double));
    fc_pcg32 r;
    fc_rng_stream(&r, 7, 0, fc_rng_key("goals"));
    uint64_t met_least = 0, met_most = 0;
    for (uint64_t i = 0; i < n; i++) {
        double x;
        uint32_t u = fc_rng_bounded(&r, 20);
        x = u == 0 ? NAN : u == 1 ? INFINITY : u == 2 ? -INFINITY : (double)fc_rng_bounded(&r, 21);
        /* both goals see the same values, each through its own slot */
        s->values[(size_t)(s->layout.goal + 0) * n + i] = x;
        s->values[(size_t)(s->layout.goal + 1) * n + i] = x;
        if (!isnan(x)) {
            met_least += x >= target;
            met_most += x <= target;
        }
    }
    assert_int_equal(fc_summary_finish(s), 0);
    /* the probability is over all trials, NaN ones included (as not met) */
    assert_true(s->goal_prob[0] == (double)met_least / (double)n);
    assert_true(s->goal_prob[1] == (double)met_most / (double)n);
    fc_summary_free(s);
    fc_model_free(m);
}

/* Summaries of the same records are the same bytes (no dependence on memory
 * left over from an earlier run). */
static void test_repeatable(void **state)
{
    (void)state;
    fc_model *m = goal_model(1, 1);
    const uint64_t n = 777;
    fc_summary *a = fc_summary_new(m, 0, n), *b = fc_summary_new(m, 0, n);
    assert_non_null(a);
    assert_non_null(b);
    fc_pcg32 r;
    fc_rng_stream(&r, 7, 0, fc_rng_key("repeat"));
    for (size_t i = 0; i < (size_t)a->layout.nslots * n; i++)
        a->values[i] = b->values[i] = datum(&r, (int)(i % NKINDS), i % n, n);
    assert_int_equal(fc_summary_finish(a), 0);
    assert_int_equal(fc_summary_finish(a), 0); /* finishing twice changes nothing */
    assert_int_equal(fc_summary_finish(b), 0);
    assert_memory_equal(a->stats, b->stats, (size_t)a->layout.nslots * sizeof(fc_stat));
    assert_memory_equal(a->goal_prob, b->goal_prob, 2 * sizeof(double));
    fc_summary_free(a);
    fc_summary_free(b);
    fc_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quantiles_small),
        cmocka_unit_test(test_quantiles_large),
        cmocka_unit_test(test_quantiles_ties),
        cmocka_unit_test(test_nonfinite),
        cmocka_unit_test(test_goals),
        cmocka_unit_test(test_repeatable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
