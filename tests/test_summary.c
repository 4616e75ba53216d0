/* Tests of core/summary on records written directly (no engine), fed block by
 * block as the engine feeds them. Every check is exact or against a stated
 * bound, whatever the data; nothing here is statistical:
 *  - whole numbers: every quantile is the exact order statistic of rank
 *    ceil(level n) among the finite values (rank computed in integers);
 *  - other values: every quantile is within FC_HIST_ALPHA (0.03125%, under
 *    DESIGN.md's 0.05%) relative of that order statistic: the logarithmic
 *    histograms' level 0, which the default caps hold for every slot here;
 *  - min and max exact; mean and sd within a stated rounding bound of a
 *    long-double two-pass reference; non-finite values counted in `infinite`
 *    and left out of everything else; goal probabilities exact counts, NaN
 *    never meeting a goal;
 *  - the same records give the same bytes whatever the order in which blocks
 *    arrive (within the window) and however the records are split between
 *    accumulators that are then merged, including histograms that turn
 *    logarithmic in one part, in the merge, or not at all until the merge,
 *    and accumulators that give their counts to the summary at a thread's
 *    yield (fc_summary_add_counts) under small caps.
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
#include "support/hist_check.h"
#include "support/model_build.h"
#include "support/stat_check.h"

static const int levels_pct[FC_NQUANTILES] = {5, 10, 25, 50, 75, 90, 95};

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* A small model: 2 periods, a channel, two stages and two goals (at_least on
 * new_customers, at_most on cac): 42 slots. Only its layout and goals matter. */
static fc_model *goal_model(double least, double most)
{
    fc_model *m = mb_new(2, 1, 2, 2);
    mb_cpc(m, 0, "search", 10, 1);
    mb_goal(m, 0, "new_customers", FC_GOAL_AT_LEAST, least, 2);
    mb_goal(m, 1, "cac", FC_GOAL_AT_MOST, most, 1);
    mb_finish(m);
    return m;
}

/* The kinds of data a slot gets. Kinds below NWHOLE are whole numbers within
 * the exact histogram's limits: their quantiles must be exact. The others
 * must be within FC_HIST_ALPHA: fractions, values past 2^62, whole numbers spread
 * further than the exact kind's directory may reach (MERGE_REACH pages), and
 * whole numbers with one fraction in the middle of the run. */
enum {
    K_TIES, K_SORTED, K_REVERSED, K_CONST, K_NEGATIVE, K_LARGE, K_NONFINITE, K_ZEROS,
    NWHOLE,
    K_UNIFORM = NWHOLE, K_DECADES, K_NEG_REAL, K_TINY, K_MIXED_SIGN, K_CONST_REAL,
    K_REAL_NONFINITE, K_HUGE_TAIL, K_WIDE_WHOLE, K_ONE_FRACTION,
    NKINDS
};

static double datum(fc_pcg32 *r, int kind, uint64_t i, uint64_t n)
{
    switch (kind) {
    case K_TIES: return (double)fc_rng_bounded(r, 7);
    case K_SORTED: return (double)i;
    case K_REVERSED: return (double)(n - i);
    case K_CONST: return 42;
    case K_NEGATIVE: return -(double)fc_rng_bounded(r, 5000) - 1e6;
    case K_LARGE: return 1e12 + (double)fc_rng_bounded(r, 100000) * 7;
    case K_NONFINITE: {
        uint32_t u = fc_rng_bounded(r, 10);
        return u == 0 ? INFINITY : u == 1 ? -INFINITY : u == 2 ? NAN : (double)fc_rng_bounded(r, 50) - 20;
    }
    /* both zeros: min must not depend on which one arrives first */
    case K_ZEROS: return i % 3 == 0 ? -0.0 : i % 3 == 1 ? 0.0 : (double)fc_rng_bounded(r, 5);
    case K_UNIFORM: return (fc_rng_uniform(r) - 0.3) * 1e3;
    /* 300 decades, and tiny values down to 1e-150 but no further: the sd
     * squares deviations in double, which overflow past about 1e154 (sd inf)
     * and underflow below about 1e-154 (sd 0) -- a limit of the summary, far
     * from any metric's values, that the quantiles do not share */
    case K_DECADES: return pow(10, fc_rng_uniform(r) * 300 - 150);
    case K_NEG_REAL: return -fc_rng_uniform(r) * 1e6 - 1e-3;
    case K_TINY: return fc_rng_uniform_pos(r) * 1e-130;
    case K_MIXED_SIGN: {
        uint32_t u = fc_rng_bounded(r, 9);
        double v = pow(10, fc_rng_uniform(r) * 40 - 20);
        return u == 0 ? 0 : u < 5 ? -v : v;
    }
    case K_CONST_REAL: return 42.5;
    case K_REAL_NONFINITE: {
        uint32_t u = fc_rng_bounded(r, 8);
        return u == 0 ? NAN : u == 1 ? INFINITY : (fc_rng_uniform(r) - 0.5) * 1e4;
    }
    case K_HUGE_TAIL: return fc_rng_uniform(r) < 0.5 ? 1e150 : -1e-300;
    case K_WIDE_WHOLE: return (double)fc_rng_bounded(r, UINT32_MAX) - 2147483648.0;
    default: return i == n / 2 ? 0.5 : (double)fc_rng_bounded(r, 300);
    }
}

/* n records of every slot, record-major (record i at recs[i * nslots]), slot
 * s getting kind kind_of(s). */
static int kind_of(int slot) { return slot % NKINDS; }

static double *make_records(int nslots, uint64_t n, uint64_t seed)
{
    double *recs = malloc((size_t)n * (size_t)nslots * sizeof *recs + 1);
    assert_non_null(recs);
    fc_pcg32 r;
    fc_rng_stream(&r, 7, seed, fc_rng_key("summary data"));
    for (int slot = 0; slot < nslots; slot++)
        for (uint64_t i = 0; i < n; i++)
            recs[i * (size_t)nslots + (size_t)slot] = datum(&r, kind_of(slot), i, n);
    return recs;
}

static size_t block_len(uint64_t n, uint64_t b)
{
    uint64_t left = n - b * FC_BLOCK;
    return (size_t)(left < FC_BLOCK ? left : FC_BLOCK);
}

/* Arrival orders of the blocks, each within the window the summary accepts. */
enum { IN_ORDER, REVERSED_IN_WINDOW, RANDOM_IN_WINDOW };

/* Feeds records [0, n) to s block by block, in arrival order `order`. */
static void feed(fc_summary *s, const double *recs, uint64_t n, int order, uint64_t seed)
{
    const size_t nslots = (size_t)s->layout.nslots;
    const uint64_t nb = (n + FC_BLOCK - 1) / FC_BLOCK, w = (uint64_t)s->window;
    char *fed = calloc((size_t)nb + 1, 1);
    assert_non_null(fed);
    fc_pcg32 r;
    fc_rng_stream(&r, 7, seed, fc_rng_key("arrival order"));
    for (uint64_t k = 0; k < nb; k++) {
        uint64_t b = k;
        if (order == REVERSED_IN_WINDOW) {
            /* groups of `window` blocks, each group last block first */
            uint64_t g = k / w * w, len = nb - g < w ? nb - g : w;
            b = g + len - 1 - k % w;
        } else if (order == RANDOM_IN_WINDOW) {
            /* any block not yet fed in [next_block, next_block + window) */
            uint64_t lo = s->next_block, hi = lo + w < nb ? lo + w : nb, free_ = 0;
            for (uint64_t j = lo; j < hi; j++)
                free_ += !fed[j];
            assert_true(free_ > 0);
            uint64_t pick = fc_rng_bounded(&r, (uint32_t)free_);
            for (b = lo; fed[b] || pick-- > 0; b++)
                ;
        }
        assert_true(b < nb && !fed[b]);
        assert_true(b >= s->next_block && b < s->next_block + w);
        fed[b] = 1;
        assert_int_equal(fc_summary_add_block(s, b, recs + b * FC_BLOCK * nslots, block_len(n, b)), 0);
    }
    free(fed);
    assert_int_equal(s->next_block, nb);
    assert_int_equal(s->ntrials, n);
}

/* Every figure of one slot against a reference computed from scratch;
 * `exact` says whether the quantiles must be exact order statistics. */
static void check_slot(const double *recs, size_t nslots, int slot, uint64_t n,
                       const fc_stat *st, int exact)
{
    double *f = malloc((size_t)n * sizeof *f + 1);
    assert_non_null(f);
    uint64_t m = 0, inf = 0;
    for (uint64_t i = 0; i < n; i++) {
        double x = recs[i * nslots + (size_t)slot];
        if (isfinite(x))
            f[m++] = x;
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
        double want = f[rank - 1];
        /* FC_HIST_ALPHA relative (level 0), and no absolute slack: zero is a
         * bucket of its own, represented by 0 exactly, and every nonzero value
         * here is a normal double (a subnormal has too few bits to be
         * represented within FC_HIST_ALPHA) */
        int ok = exact ? st->q[q] == want : fabs(st->q[q] - want) <= FC_HIST_ALPHA * fabs(want);
        if (!ok) {
            print_error("slot %d: p%d of %llu values: got %.17g, order statistic %llu is %.17g (%s)\n",
                        slot, levels_pct[q], (unsigned long long)m, st->q[q],
                        (unsigned long long)rank, want, exact ? "exact" : "within FC_HIST_ALPHA");
            fail();
        }
    }
    long double sum = 0, ss = 0;
    double amax = 0;
    for (uint64_t i = 0; i < m; i++) {
        sum += f[i];
        amax = fabs(f[i]) > amax ? fabs(f[i]) : amax;
    }
    long double mean = sum / (long double)m;
    for (uint64_t i = 0; i < m; i++)
        ss += ((long double)f[i] - mean) * ((long double)f[i] - mean);
    double sd = m > 1 ? (double)sqrtl(ss / (long double)(m - 1)) : 0;
    /* Rounding bound. The summary sums each block of at most FC_BLOCK values
     * in double (two passes) and folds the blocks in order with Chan's update.
     * With u = 2^-53 and A = max |x|, a block's mean is off by at most about
     * k u A (k terms below A, sums below k A, divided by k), each fold adds a
     * few u A, and the sd inherits that error plus k u relative from its sums
     * of squares. Allowed: 4 u A (min(n, FC_BLOCK) + blocks + 1) + 4 n u
     * |reference|: above those bounds, and far below a real mistake (one
     * value lost or counted twice moves the mean by about A / n). */
    const double u = 0x1p-53;
    double kmax = (double)(m < FC_BLOCK ? m : FC_BLOCK), blocks = (double)(n / FC_BLOCK + 1);
    double tol = 4 * u * amax * (kmax + blocks + 1);
    assert_close(st->mean, (double)mean, tol + 4 * (double)m * u * fabs((double)mean), 0);
    assert_close(st->sd, sd, tol + 4 * (double)m * u * sd, 0);
    free(f);
}

static void check_all(const fc_summary *s, const double *recs, uint64_t n)
{
    const int nslots = s->layout.nslots;
    for (int slot = 0; slot < nslots; slot++)
        check_slot(recs, (size_t)nslots, slot, n, &s->stats[slot], kind_of(slot) < NWHOLE);
}

static void run_sizes(const uint64_t *sizes, size_t nsizes, int window, int order)
{
    fc_model *m = goal_model(3, 0);
    for (size_t si = 0; si < nsizes; si++) {
        uint64_t n = sizes[si];
        fc_summary *s = fc_summary_new(m, window);
        assert_non_null(s);
        double *recs = make_records(s->layout.nslots, n, n);
        feed(s, recs, n, order, n);
        assert_int_equal(fc_summary_finish(s), 0);
        check_all(s, recs, n);
        free(recs);
        fc_summary_free(s);
    }
    fc_model_free(m);
}

static void test_sizes_small(void **state)
{
    (void)state;
    static const uint64_t sizes[] = {0, 1, 2, 3, 10, 19, 20, 21, 100};
    run_sizes(sizes, sizeof sizes / sizeof *sizes, 1, IN_ORDER);
}

static void test_sizes_blocks(void **state)
{
    (void)state;
    /* around one block, then several (1000 and 1001: ranks land exactly on
     * level n, then just past) */
    static const uint64_t sizes[] = {1000, 1001, FC_BLOCK - 1, FC_BLOCK, FC_BLOCK + 1,
                                     2 * FC_BLOCK, 7 * FC_BLOCK + 13, 24 * FC_BLOCK + 3};
    run_sizes(sizes, sizeof sizes / sizeof *sizes, 4, RANDOM_IN_WINDOW);
}

/* Large sets of one or two values: exact counts of heavy ties. */
static void test_ties(void **state)
{
    (void)state;
    const uint64_t n = 30001;
    fc_model *m = goal_model(0, 0);
    fc_summary *s = fc_summary_new(m, 2);
    assert_non_null(s);
    const size_t nslots = (size_t)s->layout.nslots;
    double *recs = malloc(n * nslots * sizeof *recs);
    assert_non_null(recs);
    fc_pcg32 r;
    fc_rng_stream(&r, 7, 0, fc_rng_key("ties"));
    for (size_t slot = 0; slot < nslots; slot++)
        for (uint64_t i = 0; i < n; i++)
            recs[i * nslots + slot] = slot % 3 == 0 ? 1.0 : slot % 3 == 1 ? (double)(fc_rng_uniform(&r) < 0.93)
                                                                          : (double)(i % 2);
    feed(s, recs, n, REVERSED_IN_WINDOW, 0);
    assert_int_equal(fc_summary_finish(s), 0);
    for (size_t slot = 0; slot < nslots; slot++)
        check_slot(recs, nslots, (int)slot, n, &s->stats[slot], 1);
    free(recs);
    fc_summary_free(s);
    fc_model_free(m);
}

/* Non-finite values: counted, excluded from mean, sd, min, max and the
 * quantiles; a slot with nothing finite has NaN figures; no trials at all
 * gives NaN figures and NaN goal probabilities. */
static void test_nonfinite(void **state)
{
    (void)state;
    fc_model *m = goal_model(0, 0);
    fc_summary *s = fc_summary_new(m, 1);
    assert_non_null(s);
    const size_t nslots = (size_t)s->layout.nslots;
    const uint64_t n = 8;
    const double a[8] = {INFINITY, 1, NAN, 3, -INFINITY, 2, 1e150, INFINITY};
    double *recs = malloc(n * nslots * sizeof *recs);
    assert_non_null(recs);
    for (size_t slot = 0; slot < nslots; slot++)
        for (uint64_t i = 0; i < n; i++)
            recs[i * nslots + slot] = slot == 0 ? INFINITY : slot == 1 ? NAN : a[i];
    feed(s, recs, n, IN_ORDER, 0);
    assert_int_equal(fc_summary_finish(s), 0);
    for (size_t slot = 0; slot < nslots; slot++)
        check_slot(recs, nslots, (int)slot, n, &s->stats[slot], 0);
    const fc_stat *st = &s->stats[2];
    assert_int_equal(st->infinite, 4);
    assert_int_equal(st->n, 4);
    assert_true(st->min == 1 && st->max == 1e150);
    assert_close(st->mean, (1 + 3 + 2 + 1e150) / 4, 0, 1e-15);
    /* ranks ceil(level 4): 1, 1, 1, 2, 3, 4, 4 of {1, 2, 3, 1e150}; 1e150 is
     * past 2^62, so the slot is logarithmic and within FC_HIST_ALPHA */
    const double want[FC_NQUANTILES] = {1, 1, 1, 2, 3, 1e150, 1e150};
    for (int q = 0; q < FC_NQUANTILES; q++)
        assert_close(st->q[q], want[q], 0, FC_HIST_ALPHA);
    assert_int_equal(s->stats[0].infinite, n);
    assert_int_equal(s->stats[1].infinite, n);
    assert_true(isnan(s->stats[0].mean) && isnan(s->stats[1].sd));
    fc_summary_free(s);
    free(recs);

    /* no trials at all */
    s = fc_summary_new(m, 3);
    assert_non_null(s);
    assert_int_equal(fc_summary_finish(s), 0);
    for (size_t slot = 0; slot < nslots; slot++) {
        assert_int_equal(s->stats[slot].n, 0);
        assert_int_equal(s->stats[slot].infinite, 0);
        assert_true(isnan(s->stats[slot].mean) && isnan(s->stats[slot].q[3]));
    }
    assert_true(isnan(s->goal_prob[0]) && isnan(s->goal_prob[1]));
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
    static const uint64_t sizes[] = {1, 3, FC_BLOCK, 10007};
    for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++) {
        const uint64_t n = sizes[si];
        fc_summary *s = fc_summary_new(m, 3);
        assert_non_null(s);
        const size_t nslots = (size_t)s->layout.nslots, g0 = (size_t)s->layout.goal;
        assert_int_equal(g0 + 2, nslots); /* goals are the record's last slots */
        double *recs = calloc(n * nslots, sizeof *recs);
        assert_non_null(recs);
        fc_pcg32 r;
        fc_rng_stream(&r, 7, n, fc_rng_key("goals"));
        uint64_t met_least = 0, met_most = 0;
        for (uint64_t i = 0; i < n; i++) {
            uint32_t u = fc_rng_bounded(&r, 20);
            /* i = 0 is NaN, so that even n = 1 sees NaN not meeting */
            double x = u == 0 || i == 0 ? NAN : u == 1 ? INFINITY : u == 2 ? -INFINITY
                                                                 : (double)fc_rng_bounded(&r, 21);
            /* both goals see the same values, each through its own slot */
            recs[i * nslots + g0] = recs[i * nslots + g0 + 1] = x;
            if (!isnan(x)) {
                met_least += x >= target;
                met_most += x <= target;
            }
        }
        feed(s, recs, n, RANDOM_IN_WINDOW, n);
        assert_int_equal(fc_summary_finish(s), 0);
        /* over all trials, NaN ones included (as not met) */
        assert_true(s->goal_prob[0] == (double)met_least / (double)n);
        assert_true(s->goal_prob[1] == (double)met_most / (double)n);
        check_slot(recs, nslots, (int)g0, n, &s->stats[g0], 1);
        free(recs);
        fc_summary_free(s);
    }
    fc_model_free(m);
}

/* The same records give the same bytes whatever the arrival order of the
 * blocks and the window, and finishing twice changes nothing. */
static void test_arrival_order(void **state)
{
    (void)state;
    fc_model *m = goal_model(3, 400);
    const uint64_t n = 13 * FC_BLOCK + 5;
    fc_summary *ref = fc_summary_new(m, 1);
    assert_non_null(ref);
    const size_t nslots = (size_t)ref->layout.nslots;
    double *recs = make_records((int)nslots, n, 99);
    feed(ref, recs, n, IN_ORDER, 0);
    assert_int_equal(fc_summary_finish(ref), 0);
    check_all(ref, recs, n);
    const struct { int window, order; uint64_t seed; } runs[] = {
        {1, IN_ORDER, 0}, {4, REVERSED_IN_WINDOW, 0}, {5, REVERSED_IN_WINDOW, 0},
        {16, REVERSED_IN_WINDOW, 0}, {3, RANDOM_IN_WINDOW, 1}, {7, RANDOM_IN_WINDOW, 2},
        {64, RANDOM_IN_WINDOW, 3},
    };
    for (size_t k = 0; k < sizeof runs / sizeof *runs; k++) {
        fc_summary *s = fc_summary_new(m, runs[k].window);
        assert_non_null(s);
        feed(s, recs, n, runs[k].order, runs[k].seed);
        assert_int_equal(fc_summary_finish(s), 0);
        assert_int_equal(fc_summary_finish(s), 0);
        assert_memory_equal(s->stats, ref->stats, nslots * sizeof(fc_stat));
        assert_memory_equal(s->goal_prob, ref->goal_prob, 2 * sizeof(double));
        fc_summary_free(s);
    }
    free(recs);
    fc_summary_free(ref);
    fc_model_free(m);
}

/* Memory does not grow with the trials: the same values again take no more. */
static void test_bytes(void **state)
{
    (void)state;
    fc_model *m = goal_model(0, 0);
    fc_summary *s = fc_summary_new(m, 1);
    assert_non_null(s);
    double *recs = make_records(s->layout.nslots, FC_BLOCK, 5);
    assert_int_equal(fc_summary_add_block(s, 0, recs, FC_BLOCK), 0);
    size_t bytes = fc_summary_bytes(s);
    assert_true(bytes > 0);
    for (uint64_t b = 1; b < 20; b++)
        assert_int_equal(fc_summary_add_block(s, b, recs, FC_BLOCK), 0);
    assert_int_equal(fc_summary_bytes(s), bytes);
    assert_int_equal(s->ntrials, 20 * FC_BLOCK);
    free(recs);
    fc_summary_free(s);
    fc_model_free(m);
}

/* ---- merging accumulators ---- */

static void assert_same_accum(const fc_accum *a, const fc_accum *b)
{
    assert_int_equal(a->nslots, b->nslots);
    assert_int_equal(a->ngoals, b->ngoals);
    for (int i = 0; i < a->nslots; i++) {
        assert_same_hist(&a->hist[i], &b->hist[i]);
        assert_true(a->min[i] == b->min[i] && a->max[i] == b->max[i]);
        assert_int_equal(a->infinite[i], b->infinite[i]);
    }
    for (int g = 0; g < a->ngoals; g++)
        assert_int_equal(a->goal_met[g], b->goal_met[g]);
}

/* The most pages in a row, and the most page numbers two pages may reach,
 * within the default cap (core/hist.h's costs). */
#define MERGE_DENSE ((FC_HIST_CAP_BYTES(FC_HIST_MAX_PAGES) - FC_HIST_SIDE_COST) / \
                     (FC_HIST_PAGE_COST + FC_HIST_SPAN_COST))
#define MERGE_REACH ((FC_HIST_CAP_BYTES(FC_HIST_MAX_PAGES) - 2 * FC_HIST_PAGE_COST - FC_HIST_SIDE_COST) / \
                     FC_HIST_SPAN_COST)
/* The merge test's data: slot 0 one whole number every 32 (a page each), so
 * that each half of the records fits under the default cap and the whole
 * does not; slot 1 two clusters further apart than MERGE_REACH pages, one
 * per half (MERGE_HALF); slot 2 whole numbers with one fraction in the second half; the
 * other slots the usual kinds. */
#define MERGE_N ((uint64_t)2 * (MERGE_DENSE / 2 + 600))
/* where the first half ends: whole blocks, as the split below cuts */
#define MERGE_HALF ((MERGE_N + FC_BLOCK - 1) / FC_BLOCK / 2 * FC_BLOCK)

static double *merge_records(int nslots)
{
    double *recs = make_records(nslots, MERGE_N, 17);
    for (uint64_t i = 0; i < MERGE_N; i++) {
        double *rec = recs + i * (size_t)nslots;
        rec[0] = (double)i * 32 - 1e6;
        rec[1] = i < MERGE_HALF ? (double)(i % 1000) : (double)MERGE_REACH * 32 + (double)(i % 1000);
        rec[2] = i == MERGE_N * 3 / 4 ? 0.25 : (double)(i % 500);
    }
    return recs;
}

/* Splitting the records between two accumulators and merging them, in either
 * order, gives the counts of one accumulator fed everything; a summary whose
 * moments are folded block by block and whose counts are the merged ones (the
 * engine's way) gives the same bytes as one fed block by block. */
static void test_accum_merge(void **state)
{
    (void)state;
    fc_model *m = goal_model(100, 200);
    fc_summary *ref = fc_summary_new(m, 1);
    assert_non_null(ref);
    const int nslots = ref->layout.nslots;
    const uint64_t n = MERGE_N, nb = (n + FC_BLOCK - 1) / FC_BLOCK;
    double *recs = merge_records(nslots);
    feed(ref, recs, n, IN_ORDER, 0);
    /* the limits are passed only by the whole, as intended */
    for (int slot = 0; slot < 3; slot++)
        assert_int_equal(ref->acc.hist[slot].exact, 0);
    assert_int_equal(fc_summary_finish(ref), 0);
    for (int slot = 0; slot < nslots; slot++)
        check_slot(recs, (size_t)nslots, slot, n, &ref->stats[slot], slot >= 3 && kind_of(slot) < NWHOLE);

    /* split 0: blocks [0, nb / 2) and the rest; split 1: blocks at random */
    for (int split = 0; split < 2; split++)
        for (int into_first = 0; into_first <= 1; into_first++) {
            fc_pcg32 r;
            fc_rng_stream(&r, 7, (uint64_t)split, fc_rng_key("split"));
            fc_accum part[2];
            assert_int_equal(fc_accum_init(&part[0], m, NULL), 0);
            assert_int_equal(fc_accum_init(&part[1], m, NULL), 0);
            fc_summary *s = fc_summary_new(m, 1);
            assert_non_null(s);
            fc_moments *mom = malloc((size_t)nslots * sizeof *mom);
            assert_non_null(mom);
            for (uint64_t b = 0; b < nb; b++) {
                const double *block = recs + b * FC_BLOCK * (size_t)nslots;
                size_t len = block_len(n, b);
                int to = split == 0 ? b >= nb / 2 : (int)fc_rng_bounded(&r, 2);
                fc_block_moments(m, block, len, mom);
                fc_summary_fold(s, b, len, mom);
                assert_int_equal(fc_accum_add(&part[to], m, block, len), 0);
            }
            free(mom);
            if (split == 0) /* each half alone stays exact (slot 2's second half has the fraction) */
                for (int slot = 0; slot < 2; slot++)
                    assert_true(part[0].hist[slot].exact && part[1].hist[slot].exact);
            fc_accum *into = &part[into_first ? 0 : 1], *from = &part[into_first ? 1 : 0];
            assert_int_equal(fc_accum_merge(into, from), 0);
            assert_same_accum(into, &ref->acc);
            assert_int_equal(fc_accum_merge(&s->acc, into), 0);
            assert_int_equal(fc_summary_finish(s), 0);
            assert_memory_equal(s->stats, ref->stats, (size_t)nslots * sizeof(fc_stat));
            assert_memory_equal(s->goal_prob, ref->goal_prob, 2 * sizeof(double));
            fc_accum_free(&part[0]);
            fc_accum_free(&part[1]);
            fc_summary_free(s);
        }
    free(recs);
    fc_summary_free(ref);
    fc_model_free(m);
}


/* A thread's way (fc_summary_add_counts): two accumulators that give their
 * counts to the summary whenever the run's histograms pass the threads'
 * yield (one byte: at every page they would add; the other accumulator
 * follows at its next chunk), then fc_summary_absorb, give the statistics of
 * a summary fed everything, under caps that turn slots logarithmic and
 * coarsen them and under the default caps. */
static void test_thread_flush(void **state)
{
    (void)state;
    fc_model *m = goal_model(100, 200);
    const uint64_t n = 5000, nb = (n + FC_BLOCK - 1) / FC_BLOCK;
    const uint32_t caps[][2] = {{8, 4}, {FC_HIST_MAX_PAGES, FC_HIST_MAX_PAGES}};
    for (size_t c = 0; c < 2; c++) {
        fc_hist_caps total = fc_hist_caps_for(caps[c][0]), series = fc_hist_caps_for(caps[c][1]);
        fc_summary *ref = fc_summary_new(m, 1);
        assert_non_null(ref);
        fc_summary_set_caps(ref, total, series, UINT64_MAX, UINT64_MAX);
        const int nslots = ref->layout.nslots;
        double *recs = make_records(nslots, n, 23);
        feed(ref, recs, n, IN_ORDER, 0);
        assert_int_equal(fc_summary_finish(ref), 0);
        for (uint64_t yield = 1; yield <= 1 << 20; yield <<= 20) {
            fc_summary *s = fc_summary_new(m, 1);
            assert_non_null(s);
            fc_summary_set_caps(s, total, series, UINT64_MAX, yield);
            fc_accum a[2];
            assert_int_equal(fc_summary_thread_accum(s, &a[0]), 0);
            assert_int_equal(fc_summary_thread_accum(s, &a[1]), 0);
            double *cols = malloc((size_t)nslots * FC_CHUNK * sizeof *cols);
            fc_moments *mom = malloc((size_t)nslots * sizeof *mom);
            assert_non_null(cols);
            assert_non_null(mom);
            for (uint64_t b = 0; b < nb; b++) {
                const double *block = recs + b * FC_BLOCK * (size_t)nslots;
                size_t len = block_len(n, b);
                fc_block_moments(m, block, len, mom);
                fc_summary_fold(s, b, len, mom);
                for (size_t c0 = 0; c0 < len; c0 += FC_CHUNK) {
                    size_t k = len - c0 < FC_CHUNK ? len - c0 : FC_CHUNK;
                    for (size_t i = 0; i < k; i++)
                        for (int slot = 0; slot < nslots; slot++)
                            cols[(size_t)slot * FC_CHUNK + i] = block[(c0 + i) * (size_t)nslots + (size_t)slot];
                    assert_int_equal(fc_summary_add_counts(s, &a[(b + c0 / FC_CHUNK) % 2], cols, FC_CHUNK, k), 0);
                }
            }
            if (yield == 1)
                assert_true(atomic_load(&s->flush_gen) > 0);
            assert_int_equal(fc_summary_absorb(s, &a[0]), 0);
            assert_int_equal(fc_summary_absorb(s, &a[1]), 0);
            assert_true(fc_accum_is_empty(&a[0]) && fc_accum_is_empty(&a[1]));
            fc_accum_free(&a[0]);
            fc_accum_free(&a[1]);
            assert_int_equal(atomic_load(&s->meter.used), fc_summary_bytes(s));
            assert_same_accum(&s->acc, &ref->acc);
            assert_int_equal(fc_summary_finish(s), 0);
            assert_memory_equal(s->stats, ref->stats, (size_t)nslots * sizeof(fc_stat));
            assert_memory_equal(s->goal_prob, ref->goal_prob, 2 * sizeof(double));
            free(cols);
            free(mom);
            fc_summary_free(s);
        }
        free(recs);
        fc_summary_free(ref);
    }
    fc_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes_small),
        cmocka_unit_test(test_sizes_blocks),
        cmocka_unit_test(test_ties),
        cmocka_unit_test(test_nonfinite),
        cmocka_unit_test(test_goals),
        cmocka_unit_test(test_arrival_order),
        cmocka_unit_test(test_bytes),
        cmocka_unit_test(test_accum_merge),
        cmocka_unit_test(test_thread_flush),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
