/* Tests of core/hist: exact histograms count whole numbers exactly (keys are
 * the values, across page boundaries and below zero), ranks 1 and count are
 * the extremes, the logarithmic kind keeps every value within FC_HIST_ALPHA
 * (0.03125%) relative of its bucket's representative from 1e-300 to DBL_MAX
 * and below zero, zero is its own bucket, quantiles of real-valued data
 * (lognormal, across decades, negative, mixtures, near zero) are within
 * 0.05% of the order statistic at level 0 and within fc_hist_accuracy(level)
 * above it, so that a 0.1% change shows, memory depends on the distinct
 * values only,
 * fc_hist_each walks keys in increasing order, and the turn from exact to
 * logarithmic (a fraction, a value past 2^62, more pages than the cap's
 * bytes hold, pages further apart than its directories may reach) gives the
 * same buckets whether
 * it happens while adding, before a merge or in the middle of one. Under a
 * run's caps: the exact kind turns at the cap, strictly; the logarithmic kind
 * settles at the lowest level that fits, within that level's accuracy; the
 * two signs take small directories; any split of the values, merged in any
 * order or shape, or flushed at a meter's yield, gives the same histogram;
 * keys re-added with their level rebuild it; the meter holds what the
 * histograms hold. Every check is exact or against a stated bound; nothing
 * is statistical.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hist.h"
#include "rng.h"
#include "support/hist_check.h"
#include "support/stat_check.h"

static double at_rank(const fc_hist *h, uint64_t rank)
{
    double v;
    assert_int_equal(fc_hist_at_ranks(h, &rank, 1, &v), 0);
    return v;
}

/* The representative of the bucket a lone value lands in. */
static double rep_of(double x)
{
    fc_hist h;
    fc_hist_init(&h, 0);
    assert_int_equal(fc_hist_add(&h, x), 0);
    double v = at_rank(&h, 1);
    fc_hist_free(&h);
    return v;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Whole numbers, negative ones and repeats included, are counted exactly:
 * one key per distinct value, the key is the value, and every rank from 1 to
 * count is the order statistic. */
static void test_exact_counts(void **state)
{
    (void)state;
    enum { N = 5000 };
    static double x[N];
    fc_pcg32 r;
    fc_rng_stream(&r, 11, 0, fc_rng_key("hist exact"));
    fc_hist h;
    fc_hist_init(&h, 1);
    for (int i = 0; i < N; i++) {
        x[i] = (double)fc_rng_bounded(&r, 3001) - 1500; /* about 1.7 of each */
        assert_int_equal(fc_hist_add(&h, x[i]), 0);
    }
    assert_int_equal(h.exact, 1);
    assert_int_equal(h.count, N);
    qsort(x, N, sizeof *x, cmp_double);

    pairs p = pairs_of(&h);
    size_t at = 0;
    for (size_t i = 0; i < p.n; i++) {
        assert_true((double)p.key[i] == x[at]);
        uint64_t c = 0;
        while (at < N && x[at] == (double)p.key[i])
            at++, c++;
        assert_int_equal(p.count[i], c);
    }
    assert_int_equal(at, N);
    pairs_free(&p);

    static uint64_t rank[N];
    static double out[N];
    for (int i = 0; i < N; i++)
        rank[i] = (uint64_t)i + 1;
    assert_int_equal(fc_hist_at_ranks(&h, rank, N, out), 0);
    for (int i = 0; i < N; i++)
        assert_true(out[i] == x[i]);
    /* ranks 1 and count are the minimum and the maximum */
    assert_true(at_rank(&h, 1) == x[0]);
    assert_true(at_rank(&h, N) == x[N - 1]);
    fc_hist_free(&h);

    /* one value; large whole numbers (below 2^62) stay exact */
    const double big[] = {1e12, -1e12 - 7, 0x1p61, -0x1p61 + 1, 4503599627370497.0};
    for (size_t i = 0; i < sizeof big / sizeof *big; i++) {
        fc_hist_init(&h, 1);
        assert_int_equal(fc_hist_add(&h, big[i]), 0);
        assert_int_equal(fc_hist_add(&h, big[i] + 2), 0);
        assert_int_equal(h.exact, 1);
        assert_true(at_rank(&h, 1) == big[i]);
        assert_true(at_rank(&h, 2) == big[i] + 2);
        fc_hist_free(&h);
    }
}

/* Keys on both sides of every page boundary near zero (pages hold 32 keys:
 * [-64, -33], [-32, -1], [0, 31], [32, 63]) land in their own bucket with
 * their own count, in whatever order they are added. */
static void test_page_boundaries(void **state)
{
    (void)state;
    const double v[] = {-65, -64, -33, -32, -31, -1, 0, 1, 31, 32, 33, 63, 64};
    const int nv = (int)(sizeof v / sizeof *v);
    for (int order = 0; order < 3; order++) {
        fc_hist h;
        fc_hist_init(&h, 1);
        for (int k = 0; k < nv; k++) {
            /* forwards, backwards, and from the middle out */
            int i = order == 0 ? k : order == 1 ? nv - 1 - k : (k * 5 + 6) % nv;
            for (int c = 0; c <= i; c++) /* value i is added i + 1 times */
                assert_int_equal(fc_hist_add(&h, v[i]), 0);
        }
        pairs p = pairs_of(&h);
        assert_int_equal(p.n, nv);
        uint64_t rank = 0;
        for (int i = 0; i < nv; i++) {
            assert_true((double)p.key[i] == v[i]);
            assert_int_equal(p.count[i], i + 1);
            /* the first and last rank of value i both give v[i] */
            assert_true(at_rank(&h, rank + 1) == v[i]);
            rank += (uint64_t)i + 1;
            assert_true(at_rank(&h, rank) == v[i]);
        }
        assert_int_equal(h.count, rank);
        pairs_free(&p);
        fc_hist_free(&h);
    }
}

/* The relative error of value v's representative; fails past FC_HIST_ALPHA. */
static double rep_error(double v)
{
    double q = rep_of(v), e = fabs(q - v) / fabs(v);
    if (!(e <= FC_HIST_ALPHA)) {
        print_error("value %.17g: representative %.17g, relative error %.17g\n", v, q, e);
        fail();
    }
    return e;
}

/* The logarithmic kind: every value's representative is within FC_HIST_ALPHA
 * relative of it (the bound is strict: no rounding slack), from 1e-300 to
 * 1e300 and on to DBL_MAX, for negative values as well; zero (either sign) is
 * its own bucket, represented by 0 exactly. The values here are normal
 * doubles: a subnormal has too few significant bits for a representative to
 * be within FC_HIST_ALPHA of it, and no metric gets there. */
static void test_log_error(void **state)
{
    (void)state;
    assert_true(FC_HIST_ALPHA <= 0.0005); /* what DESIGN.md promises */
    double worst = 0;
    /* a geometric sweep, ratio 1 + 1e-3 (1.6 buckets: every place in a bucket
     * comes up over 600 decades), both signs */
    for (double x = 1e-300; x < 1e300; x *= 1 + 1e-3)
        for (int sgn = -1; sgn <= 1; sgn += 2) {
            double e = rep_error(sgn * x);
            worst = e > worst ? e : worst;
        }
    assert_true(worst > 0.8 * FC_HIST_ALPHA); /* the sweep did come near the edges */
    /* and ratio 1 + 1e-5 (a sixtieth of a bucket) across 30 buckets at both
     * ends of the range and in between */
    const double from[] = {1e-300, 1e-150, 1e-5, 0.999, 2879, 1e150, 1e300};
    for (size_t k = 0; k < sizeof from / sizeof *from; k++) {
        worst = 0;
        for (double x = from[k]; x < from[k] * 1.02; x *= 1 + 1e-5) {
            double e = rep_error(x), en = rep_error(-x);
            worst = e > worst ? e : en > worst ? en : worst;
        }
        assert_true(worst > 0.98 * FC_HIST_ALPHA);
    }

    /* Bucket edges, where rounding of log and exp is tightest: between two
     * sweep points whose representatives differ, bisect to the two adjacent
     * doubles on either side of the edge and check a few ulps around it. */
    int edges = 0;
    for (double x = 1e-300; x < 1e300; x *= 1.37) {
        double lo = x, hi = x * 1.011; /* wider than a bucket: an edge inside */
        double rlo = rep_of(lo);
        if (rep_of(hi) == rlo)
            continue;
        while (nextafter(lo, INFINITY) < hi) {
            double mid = lo + (hi - lo) / 2;
            if (mid <= lo || mid >= hi)
                mid = nextafter(lo, INFINITY);
            if (rep_of(mid) == rlo)
                lo = mid;
            else
                hi = mid;
        }
        edges++;
        double y = lo;
        for (int k = 0; k < 4; k++)
            y = nextafter(y, 0);
        for (int k = 0; k < 9; k++, y = nextafter(y, INFINITY)) {
            assert_close(rep_of(y), y, 0, FC_HIST_ALPHA);
            assert_close(rep_of(-y), -y, 0, FC_HIST_ALPHA);
        }
    }
    assert_true(edges > 1000);

    /* the top of the range: 2 gamma^i / (gamma + 1) must not overflow */
    const double top[] = {1e300, 9e307, 1e308, 1.7e308, DBL_MAX, DBL_MIN};
    for (size_t i = 0; i < sizeof top / sizeof *top; i++) {
        assert_true(isfinite(rep_of(top[i])));
        assert_close(rep_of(top[i]), top[i], 0, FC_HIST_ALPHA);
        assert_close(rep_of(-top[i]), -top[i], 0, FC_HIST_ALPHA);
    }

    /* zero, in both kinds and both signs */
    assert_true(rep_of(0.0) == 0 && rep_of(-0.0) == 0);
    fc_hist h;
    fc_hist_init(&h, 1);
    assert_int_equal(fc_hist_add(&h, -0.0), 0);
    assert_int_equal(fc_hist_add(&h, 0.0), 0);
    assert_int_equal(h.exact, 1);
    assert_true(at_rank(&h, 1) == 0 && at_rank(&h, 2) == 0);
    fc_hist_free(&h);
}

/* Many values in one logarithmic histogram: the value at rank k is within
 * FC_HIST_ALPHA of the k-th smallest value (buckets are ordered as values
 * are), across signs, zero and 600 decades. */
static void test_log_ranks(void **state)
{
    (void)state;
    enum { N = 20000 };
    static double x[N], out[N];
    static uint64_t rank[N];
    fc_pcg32 r;
    fc_rng_stream(&r, 11, 0, fc_rng_key("hist log ranks"));
    fc_hist h;
    fc_hist_init(&h, 0);
    for (int i = 0; i < N; i++) {
        uint32_t u = fc_rng_bounded(&r, 20);
        double mag = pow(10, fc_rng_uniform(&r) * 600 - 300);
        x[i] = u == 0 ? 0 : u < 10 ? -mag : mag;
        assert_int_equal(fc_hist_add(&h, x[i]), 0);
        rank[i] = (uint64_t)i + 1;
    }
    qsort(x, N, sizeof *x, cmp_double);
    assert_int_equal(fc_hist_at_ranks(&h, rank, N, out), 0);
    for (int i = 0; i < N; i++) {
        assert_close(out[i], x[i], 0, FC_HIST_ALPHA);
        if (i > 0)
            assert_true(out[i - 1] <= out[i]);
    }
    pairs p = pairs_of(&h); /* checks the increasing key order */
    pairs_free(&p);
    fc_hist_free(&h);
}

/* Memory depends on the set of values, not on how often they come: adding
 * the same values again changes the counts, not fc_hist_bytes. */
static void test_memory(void **state)
{
    (void)state;
    for (int exact = 0; exact <= 1; exact++) {
        fc_hist h;
        fc_hist_init(&h, exact);
        size_t bytes = 0;
        for (int round = 0; round < 5; round++) {
            fc_pcg32 r;
            fc_rng_stream(&r, 11, 0, fc_rng_key("hist memory"));
            for (int i = 0; i < 20000; i++) {
                double v = exact ? (double)fc_rng_bounded(&r, 100000) - 30000
                                 : (fc_rng_uniform(&r) - 0.5) * pow(10, fc_rng_bounded(&r, 40));
                assert_int_equal(fc_hist_add(&h, v), 0);
            }
            assert_int_equal(h.exact, exact);
            assert_int_equal(h.count, 20000 * (uint64_t)(round + 1));
            if (round == 0)
                bytes = fc_hist_bytes(&h);
            else
                assert_int_equal(fc_hist_bytes(&h), bytes);
        }
        assert_true(bytes > 0);
        /* pages only where values are: 100,000 consecutive keys fill 3,125 */
        if (exact)
            assert_true(fc_hist_pages(&h) <= 3126);
        fc_hist_free(&h);
    }
}

/* fc_hist_each stops when the callback returns nonzero: 0 for a positive
 * return (a stop), -1 for a negative one (an error). */
static int stop_after_two(void *ctx, int64_t key, uint64_t count)
{
    (void)key;
    (void)count;
    int *seen = ctx;
    return ++*seen == 2 ? 1 : 0;
}
static int fail_at_once(void *ctx, int64_t key, uint64_t count)
{
    (void)key;
    (void)count;
    ++*(int *)ctx;
    return -1;
}

static void test_each(void **state)
{
    (void)state;
    fc_hist h;
    fc_hist_init(&h, 1);
    const double v[] = {1000, -1000, 5, -5, 0, 31, 32, -33};
    for (size_t i = 0; i < sizeof v / sizeof *v; i++)
        assert_int_equal(fc_hist_add(&h, v[i]), 0);
    pairs p = pairs_of(&h);
    const int64_t want[] = {-1000, -33, -5, 0, 5, 31, 32, 1000};
    assert_int_equal(p.n, 8);
    assert_memory_equal(p.key, want, sizeof want);
    pairs_free(&p);
    int seen = 0;
    assert_int_equal(fc_hist_each(&h, stop_after_two, &seen), 0);
    assert_int_equal(seen, 2);
    seen = 0;
    assert_int_equal(fc_hist_each(&h, fail_at_once, &seen), -1);
    assert_int_equal(seen, 1);

    /* re-adding the pairs rebuilds the same histogram, of either kind */
    for (int exact = 1; exact >= 0; exact--) {
        if (!exact)
            assert_int_equal(fc_hist_add(&h, 0.25), 0); /* now logarithmic */
        fc_hist copy;
        fc_hist_init(&copy, exact);
        p = pairs_of(&h);
        for (size_t i = 0; i < p.n; i++)
            assert_int_equal(fc_hist_add_key(&copy, p.key[i], p.count[i]), 0);
        assert_same_hist(&copy, &h);
        pairs_free(&p);
        fc_hist_free(&copy);
    }
    fc_hist_free(&h);

    /* empty: no call, ranks give NaN */
    fc_hist_init(&h, 1);
    seen = 0;
    assert_int_equal(fc_hist_each(&h, fail_at_once, &seen), 0);
    assert_int_equal(seen, 0);
    assert_int_equal(fc_hist_bytes(&h), 0);
    fc_hist_free(&h);
}

/* The most pages in a row, and the most page numbers two pages may reach,
 * within caps c: what core/hist.c counts (FC_HIST_PAGE_COST a page,
 * FC_HIST_SPAN_COST a page number reached, FC_HIST_SIDE_COST a side). */
static uint64_t dense_pages(fc_hist_caps c)
{
    return (c.bytes - FC_HIST_SIDE_COST) / (FC_HIST_PAGE_COST + FC_HIST_SPAN_COST);
}

static uint64_t reach(fc_hist_caps c)
{
    return (c.bytes - 2 * FC_HIST_PAGE_COST - FC_HIST_SIDE_COST) / FC_HIST_SPAN_COST;
}

/* The values of the conversion tests: kind 0 a fraction among whole numbers,
 * 1 a whole number past 2^62, 2 more pages in a row than the default cap
 * holds (one value every 32, so one page each), 3 two clusters further apart
 * than its directories may reach. Value i of n; the first half alone stays
 * exact. */
static double conv_value(int kind, int i, int n)
{
    const double far = (double)reach(fc_hist_caps_for(FC_HIST_MAX_PAGES)) * 32;
    switch (kind) {
    case 0: return i == n - 1 ? 0.5 : (double)(i % 97) - 40;
    case 1: return i == n - 1 ? 0x1p63 : (double)(i % 97) - 40;
    case 2: return (double)i * 32 - 20000 * 32;
    default: return i < n / 2 ? (double)(i % 1000) : far + (double)(i % 1000);
    }
}

static int conv_n(int kind)
{
    return kind == 2 ? (int)(2 * (dense_pages(fc_hist_caps_for(FC_HIST_MAX_PAGES)) / 2 + 1000)) : 4000;
}

/* Turning logarithmic depends only on the set of values: adding them all to
 * one histogram, converting the parts before merging, or converting in the
 * middle of a merge (the union passes a limit neither part does) give the
 * same buckets, whichever part is merged into which. */
static void test_conversion(void **state)
{
    (void)state;
    for (int kind = 0; kind < 4; kind++) {
        const int n = conv_n(kind), half = n / 2;
        fc_hist all, direct;
        fc_hist_init(&all, 1);
        fc_hist_init(&direct, 0);
        for (int i = 0; i < n; i++) {
            assert_int_equal(fc_hist_add(&all, conv_value(kind, i, n)), 0);
            assert_int_equal(fc_hist_add(&direct, conv_value(kind, i, n)), 0);
        }
        assert_int_equal(all.exact, 0);
        assert_int_equal(all.count, n);
        /* the same buckets as a histogram that was logarithmic from the start */
        assert_same_hist(&all, &direct);

        /* parts: [0, half) stays exact, [half, n) is exact or not by kind */
        for (int into_first = 0; into_first <= 1; into_first++) {
            fc_hist a, b;
            fc_hist_init(&a, 1);
            fc_hist_init(&b, 1);
            for (int i = 0; i < n; i++)
                assert_int_equal(fc_hist_add(i < half ? &a : &b, conv_value(kind, i, n)), 0);
            assert_int_equal(a.exact, 1);
            if (kind <= 1)
                assert_int_equal(b.exact, 0);
            if (into_first) {
                assert_int_equal(fc_hist_merge(&a, &b), 0);
                assert_same_hist(&a, &all);
            } else {
                assert_int_equal(fc_hist_merge(&b, &a), 0);
                assert_same_hist(&b, &all);
            }
            fc_hist_free(&a);
            fc_hist_free(&b);
        }

        /* a part converted on its own (a fraction added), then merged with an
         * exact part, against all the values plus that fraction */
        fc_hist a, b, ref;
        fc_hist_init(&a, 1);
        fc_hist_init(&b, 1);
        fc_hist_init(&ref, 0);
        for (int i = 0; i < n; i++) {
            assert_int_equal(fc_hist_add(i < half ? &a : &b, conv_value(kind, i, n)), 0);
            assert_int_equal(fc_hist_add(&ref, conv_value(kind, i, n)), 0);
        }
        assert_int_equal(fc_hist_add(&a, 1.5), 0);
        assert_int_equal(fc_hist_add(&ref, 1.5), 0);
        assert_int_equal(fc_hist_merge(&b, &a), 0);
        assert_same_hist(&b, &ref);
        fc_hist_free(&a);
        fc_hist_free(&b);
        fc_hist_free(&ref);
        fc_hist_free(&all);
        fc_hist_free(&direct);
    }

    /* the cap is strict: as many pages in a row as it holds stay exact, one
     * more turns the histogram logarithmic */
    const uint64_t dp = dense_pages(fc_hist_caps_for(FC_HIST_MAX_PAGES));
    fc_hist h;
    fc_hist_init(&h, 1);
    for (uint64_t i = 0; i < dp; i++)
        assert_int_equal(fc_hist_add(&h, (double)i * 32), 0);
    assert_int_equal(h.exact, 1);
    assert_int_equal(fc_hist_pages(&h), dp);
    assert_true(fc_hist_bytes(&h) <= fc_hist_max_bytes(h.caps));
    assert_int_equal(fc_hist_add(&h, -1), 0);
    assert_int_equal(h.exact, 0);
    assert_int_equal(h.count, dp + 1);
    fc_hist_free(&h);
}

/* Merging exact histograms adds counts key by key, in any order. */
/* fc_hist_add_many is fc_hist_add value by value: whole numbers on pages
 * that exist and on new ones, strided reads, infinities and NaN counted apart,
 * min and max of the finite values, and a value that is not whole turning the
 * histogram logarithmic part-way through. */
static void test_add_many(void **state)
{
    (void)state;
    enum { N = 3000, STRIDE = 3 };
    static double x[N * STRIDE];
    fc_pcg32 rng;
    fc_pcg32_seed(&rng, 11, 12);
    for (int turn = 0; turn <= 1; turn++) {
        for (int i = 0; i < N * STRIDE; i++)
            x[i] = -1.0; /* between the strided values: must not be read */
        for (int i = 0; i < N; i++) {
            double v = (double)(int64_t)(fc_pcg32_next(&rng) % 5000) - 200.0;
            if (i % 97 == 0)
                v = i % 2 ? INFINITY : NAN;
            if (i % 131 == 0)
                v = -INFINITY;
            if (turn && i == N / 2)
                v = 12.5;
            x[i * STRIDE] = v;
        }
        fc_hist many, one;
        fc_hist_init(&many, 1);
        fc_hist_init(&one, 1);
        double mn = INFINITY, mx = -INFINITY, mn1 = INFINITY, mx1 = -INFINITY;
        uint64_t bad = 0, bad1 = 0;
        /* in two calls, so that the second starts on pages the first made */
        size_t done;
        assert_int_equal(fc_hist_add_many(&many, x, STRIDE, N / 3, &mn, &mx, &bad, &done), 0);
        assert_int_equal(done, N / 3);
        assert_int_equal(fc_hist_add_many(&many, x + (N / 3) * STRIDE, STRIDE, N - N / 3, &mn, &mx,
                                          &bad, &done), 0);
        assert_int_equal(done, N - N / 3);
        for (int i = 0; i < N; i++) {
            double v = x[i * STRIDE];
            if (!isfinite(v)) {
                bad1++;
                continue;
            }
            mn1 = fmin(mn1, v);
            mx1 = fmax(mx1, v);
            assert_int_equal(fc_hist_add(&one, v), 0);
        }
        assert_same_hist(&many, &one);
        assert_true(many.count == one.count && bad == bad1);
        assert_true(mn == mn1 && mx == mx1);
        assert_int_equal(many.exact, !turn);
        fc_hist_free(&many);
        fc_hist_free(&one);
    }
}

static void test_merge_exact(void **state)
{
    (void)state;
    fc_pcg32 r;
    fc_rng_stream(&r, 11, 0, fc_rng_key("hist merge"));
    fc_hist part[3], all;
    fc_hist_init(&all, 1);
    for (int k = 0; k < 3; k++)
        fc_hist_init(&part[k], 1);
    for (int i = 0; i < 30000; i++) {
        double v = (double)fc_rng_bounded(&r, 70000) - 35000;
        assert_int_equal(fc_hist_add(&part[fc_rng_bounded(&r, 3)], v), 0);
        assert_int_equal(fc_hist_add(&all, v), 0);
    }
    fc_hist m1, m2;
    fc_hist_init(&m1, 1);
    fc_hist_init(&m2, 1);
    for (int k = 0; k < 3; k++) {
        assert_int_equal(fc_hist_merge(&m1, &part[k]), 0);
        assert_int_equal(fc_hist_merge(&m2, &part[2 - k]), 0);
    }
    assert_same_hist(&m1, &all);
    assert_same_hist(&m2, &all);
    for (int k = 0; k < 3; k++)
        fc_hist_free(&part[k]);
    fc_hist_free(&m1);
    fc_hist_free(&m2);
    fc_hist_free(&all);
}

/* Counts past 2^16 - 1 carry into the page's high counts: one key counted
 * 70,000 times one by one (add_many's fast path, then the slow one at the
 * carry), another given counts of 2^40 and 2^46 at once (a merged partial's
 * keys); each comes back whole through fc_hist_each, ranks and merges;
 * a count past FC_HIST_MAX_COUNT is refused and leaves the histogram as it
 * was; a logarithmic histogram carries the same way. */
typedef struct pair_list {
    int n;
    int64_t key[8];
    uint64_t count[8];
} pair_list;
static int collect(void *ctx, int64_t key, uint64_t count)
{
    pair_list *l = ctx;
    if (l->n == 8)
        return -1;
    l->key[l->n] = key;
    l->count[l->n++] = count;
    return 0;
}

static void test_high_counts(void **state)
{
    (void)state;
    enum { N = 70000 };
    double *x = malloc(N * sizeof *x);
    assert_non_null(x);
    for (int i = 0; i < N; i++)
        x[i] = 7;
    fc_hist h;
    fc_hist_init(&h, 1);
    assert_int_equal(fc_hist_add(&h, 7), 0); /* the page exists: add_many's fast path first */
    double mn = INFINITY, mx = -INFINITY;
    uint64_t bad = 0;
    size_t done;
    assert_int_equal(fc_hist_add_many(&h, x, 1, N, &mn, &mx, &bad, &done), 0);
    assert_int_equal(done, N);
    assert_int_equal(fc_hist_add_key(&h, 9, UINT64_C(1) << 40), 0);
    assert_int_equal(fc_hist_add_key(&h, 9, UINT64_C(1) << 46), 0);
    assert_int_equal(fc_hist_add_key(&h, 40, 3), 0);
    pair_list l = {0};
    assert_int_equal(fc_hist_each(&h, collect, &l), 0);
    assert_int_equal(l.n, 3);
    assert_int_equal(l.key[0], 7);
    assert_int_equal(l.count[0], N + 1);
    assert_int_equal(l.key[1], 9);
    assert_int_equal(l.count[1], (UINT64_C(1) << 40) + (UINT64_C(1) << 46));
    assert_int_equal(l.key[2], 40);
    assert_int_equal(l.count[2], 3);
    assert_true(at_rank(&h, N + 1) == 7);
    assert_true(at_rank(&h, N + 2) == 9);
    assert_true(at_rank(&h, h.count) == 40);
    /* past the limit: refused, nothing changed */
    uint64_t before = h.count;
    assert_int_equal(fc_hist_add_key(&h, 9, FC_HIST_MAX_COUNT), -1);
    assert_int_equal(h.count, before);
    l.n = 0;
    assert_int_equal(fc_hist_each(&h, collect, &l), 0);
    assert_int_equal(l.count[1], (UINT64_C(1) << 40) + (UINT64_C(1) << 46));
    /* a merge adds the high counts too */
    fc_hist m;
    fc_hist_init(&m, 1);
    assert_int_equal(fc_hist_merge(&m, &h), 0);
    assert_int_equal(fc_hist_merge(&m, &h), 0);
    l.n = 0;
    assert_int_equal(fc_hist_each(&m, collect, &l), 0);
    assert_int_equal(l.count[0], 2 * (uint64_t)(N + 1));
    assert_int_equal(l.count[1], (UINT64_C(1) << 41) + (UINT64_C(1) << 47));
    fc_hist_free(&m);
    fc_hist_free(&h);
    /* the logarithmic kind */
    fc_hist g;
    fc_hist_init(&g, 0);
    for (int i = 0; i < N; i++)
        x[i] = 0.5;
    assert_int_equal(fc_hist_add_many(&g, x, 1, N, &mn, &mx, &bad, &done), 0);
    assert_int_equal(g.count, N);
    assert_true(fabs(at_rank(&g, N) / 0.5 - 1) <= FC_HIST_ALPHA);
    l.n = 0;
    assert_int_equal(fc_hist_each(&g, collect, &l), 0);
    assert_int_equal(l.n, 1);
    assert_int_equal(l.count[0], N);
    fc_hist_free(&g);
    free(x);
}

/* ---- caps, levels, sides (a run's histograms) --------------------------- */

/* log((1 + a) / (1 - a)) as core/hist.c takes it (a hair below alpha). */
static double lg(void)
{
    const double a = FC_HIST_ALPHA * (1 - 1e-7);
    return log((1 + a) / (1 - a));
}

/* The relative accuracy of level L: fc_hist_accuracy, which is (g - 1) /
 * (g + 1) for g = gamma^(2^L) of FC_HIST_ALPHA itself, at least that of the
 * buckets core/hist.c takes, and about 2^L FC_HIST_ALPHA (below it). */
static double alpha_at(int level)
{
    const double a = fc_hist_accuracy(level);
    const double g = exp(ldexp(lg(), level));
    assert_true(a >= (g - 1) / (g + 1));
    assert_true(a <= ldexp(FC_HIST_ALPHA, level));
    assert_true(level > 10 || a > ldexp(FC_HIST_ALPHA, level) * 0.9);
    return a;
}

/* An exact histogram under a run's cap turns logarithmic at the cap,
 * strictly: as many pages in a row as the cap's bytes hold stay exact and
 * one more does not; two pages as far apart as its directory may reach stay
 * exact, one page number further does not. The bytes held stay within the
 * cap. */
static void test_caps_exact(void **state)
{
    (void)state;
    const uint32_t caps_pages[] = {4, 10, 100};
    for (size_t c = 0; c < sizeof caps_pages / sizeof *caps_pages; c++) {
        fc_hist_caps caps = fc_hist_caps_for(caps_pages[c]);
        assert_int_equal(caps.pages, caps_pages[c]);
        assert_int_equal(caps.bytes, FC_HIST_CAP_BYTES(caps_pages[c]));
        const uint64_t dp = dense_pages(caps), far = reach(caps);
        assert_true(dp >= caps.pages && far >= 4 * (uint64_t)caps.pages);
        fc_hist h;
        fc_hist_init_with(&h, 1, caps, NULL, UINT64_MAX);
        for (uint64_t i = 0; i < dp; i++)
            assert_int_equal(fc_hist_add(&h, (double)i * 32 + 5), 0);
        assert_int_equal(h.exact, 1);
        assert_int_equal(fc_hist_pages(&h), dp);
        assert_true(fc_hist_bytes(&h) <= fc_hist_max_bytes(caps));
        assert_int_equal(fc_hist_add(&h, -1), 0);
        assert_int_equal(h.exact, 0);
        assert_true(fc_hist_bytes(&h) <= fc_hist_max_bytes(caps));
        assert_int_equal(h.count, dp + 1);
        fc_hist_free(&h);

        /* the reach: pages 0 and far - 1 span far page numbers */
        for (int over = 0; over <= 1; over++) {
            fc_hist_init_with(&h, 1, caps, NULL, UINT64_MAX);
            assert_int_equal(fc_hist_add(&h, 0), 0);
            assert_int_equal(fc_hist_add(&h, (double)(far - 1 + (uint64_t)over) * 32), 0);
            assert_int_equal(h.exact, !over);
            assert_true(fc_hist_bytes(&h) <= fc_hist_max_bytes(caps));
            fc_hist_free(&h);
        }
    }
    /* the bounds of fc_hist_caps_for */
    assert_int_equal(fc_hist_caps_for(0).pages, FC_HIST_MIN_PAGES);
    assert_int_equal(fc_hist_caps_for(1u << 30).pages, FC_HIST_MAX_PAGES);
}

/* What core/hist.c's caps count at `level` for the nonzero values x[0..n)
 * (the pages and their reach, per side). */
static uint64_t cost_at(const double *x, int n, int level)
{
    enum { MAXP = 1 << 14 };
    static int64_t ids[2][MAXP];
    int np[2] = {0, 0};
    for (int i = 0; i < n; i++) {
        if (x[i] == 0)
            continue;
        int side = x[i] < 0;
        int64_t b = (int64_t)ceil(log(fabs(x[i])) / lg());
        int64_t k = -((-b) >> level), id = k >> 5;
        int seen = 0;
        for (int j = 0; j < np[side] && !seen; j++)
            seen = ids[side][j] == id;
        if (!seen && np[side] < MAXP)
            ids[side][np[side]++] = id;
    }
    uint64_t cost = (uint64_t)(np[0] + np[1]) * FC_HIST_PAGE_COST;
    for (int side = 0; side < 2; side++) {
        if (np[side] == 0)
            continue;
        int64_t lo = ids[side][0], hi = ids[side][0];
        for (int j = 1; j < np[side]; j++) {
            lo = ids[side][j] < lo ? ids[side][j] : lo;
            hi = ids[side][j] > hi ? ids[side][j] : hi;
        }
        cost += ((uint64_t)(hi - lo) + 1) * FC_HIST_SPAN_COST + FC_HIST_SIDE_COST;
    }
    return cost;
}

/* A logarithmic histogram past its cap merges buckets in pairs: values over
 * 600 decades, both signs and zero, under caps of 4 to 400 pages end at the
 * lowest level whose pages fit the cap (the level below does not), and the
 * value at every rank is within that level's accuracy of the order
 * statistic, in order. */
static void test_coarsen(void **state)
{
    (void)state;
    enum { N = 6000 };
    static double x[N], sorted[N], out[N];
    static uint64_t rank[N];
    const uint32_t caps_pages[] = {4, 8, 16, 64, 400};
    for (size_t c = 0; c < sizeof caps_pages / sizeof *caps_pages; c++) {
        fc_hist_caps caps = fc_hist_caps_for(caps_pages[c]);
        fc_pcg32 r;
        fc_rng_stream(&r, 11, c, fc_rng_key("hist coarsen"));
        fc_hist h;
        fc_hist_init_with(&h, 0, caps, NULL, UINT64_MAX);
        for (int i = 0; i < N; i++) {
            uint32_t u = fc_rng_bounded(&r, 20);
            double mag = pow(10, fc_rng_uniform(&r) * 600 - 300);
            x[i] = sorted[i] = u == 0 ? 0 : u < 10 ? -mag : mag;
            assert_int_equal(fc_hist_add(&h, x[i]), 0);
            rank[i] = (uint64_t)i + 1;
        }
        assert_true(fc_hist_bytes(&h) <= fc_hist_max_bytes(caps));
        assert_true(cost_at(x, N, h.level) <= caps.bytes);
        if (h.level > 0)
            assert_true(cost_at(x, N, h.level - 1) > caps.bytes);
        if (caps.pages <= 16)
            assert_true(h.level > 0);
        qsort(sorted, N, sizeof *sorted, cmp_double);
        assert_int_equal(fc_hist_at_ranks(&h, rank, N, out), 0);
        const double a = alpha_at(h.level);
        for (int i = 0; i < N; i++) {
            assert_close(out[i], sorted[i], 0, a);
            if (i > 0)
                assert_true(out[i - 1] <= out[i]);
        }
        pairs p = pairs_of(&h); /* increasing keys */
        pairs_free(&p);
        fc_hist_free(&h);
    }
}

/* A standard normal deviate (Box-Muller). */
static double normal(fc_pcg32 *r)
{
    const double u = fc_rng_uniform_pos(r), v = fc_rng_uniform(r);
    return sqrt(-2 * log(u)) * cos(6.283185307179586 * v);
}

/* Real-valued figures of the quantile tests: 0 lognormal about 2,879 (a
 * CAC), 1 a lognormal across decades (sigma 3), 2 log-uniform over 12
 * decades, 3 negative lognormals, 4 a paired difference: normal about 0 of
 * both signs, rounding noise near zero (1e-12), exact zeros and a far tail,
 * 5 a mixture of two modes three decades apart and a ratio between -1 and 3
 * (a roi). Fractions (and a few zeros): the histogram turns logarithmic. */
static double real_value(int kind, fc_pcg32 *r)
{
    const double z = normal(r), u = fc_rng_uniform(r);
    switch (kind) {
    case 0: return 2879.3 * exp(0.3 * z) + 0.001;
    case 1: return exp(3 * z) + 1e-9;
    case 2: return pow(10, 12 * u - 6) * (1 + 1e-9);
    case 3: return -17.25 * exp(0.8 * z) - 0.001;
    case 4: {
        const uint32_t k = fc_rng_bounded(r, 20);
        return k == 0 ? 0 : k == 1 ? z * 1e-12 : k == 2 ? z * exp(4 * u) * 1e3 : z * 40.5 + 0.25;
    }
    default: {
        const uint32_t k = fc_rng_bounded(r, 3);
        return k == 0 ? 50.5 * exp(0.2 * z) : k == 1 ? 5e4 * exp(0.5 * z) + 0.5 : u * 4 - 1;
    }
    }
}

/* The values at ranks 1, 0.1%, 1%, 2%, ... 99%, 99.9% of n and n of h
 * against the order statistics of sorted[0..n): within `bound` relative
 * (zero exactly), and in order. */
static void check_ranks(const fc_hist *h, const double *sorted, int n, double bound, const char *what)
{
    enum { NR = 103 };
    uint64_t rank[NR];
    double out[NR];
    const uint64_t un = (uint64_t)n;
    rank[0] = 1;
    rank[1] = (un + 999) / 1000;
    for (uint64_t p = 1; p < 100; p++)
        rank[p + 1] = (p * un + 99) / 100;
    rank[101] = un - un / 1000;
    rank[102] = un;
    assert_int_equal(fc_hist_at_ranks(h, rank, NR, out), 0);
    for (int i = 0; i < NR; i++) {
        const double want = sorted[rank[i] - 1];
        if (!(fabs(out[i] - want) <= bound * fabs(want))) {
            print_error("%s: rank %llu of %d: %.17g, order statistic %.17g, bound %g\n", what,
                        (unsigned long long)rank[i], n, out[i], want, bound);
            fail();
        }
        if (i > 0)
            assert_true(out[i - 1] <= out[i]);
    }
}

/* Quantiles of real-valued data at level 0 are within FC_HIST_ALPHA (and so
 * 0.05%) relative of the exact order statistic, for each kind of figure;
 * under caps small enough to need higher levels they are within that level's
 * fc_hist_accuracy (about 2^level FC_HIST_ALPHA), and two parts merged give
 * the histogram of the whole. A change of 0.1% (a plan that costs a little
 * more) moves the median: the two are told apart. */
static void test_real_quantiles(void **state)
{
    (void)state;
    enum { N = 60000 };
    static double x[N], sorted[N];
    for (int kind = 0; kind < 6; kind++) {
        fc_pcg32 r;
        fc_rng_stream(&r, 11, (uint64_t)kind, fc_rng_key("hist real quantiles"));
        for (int i = 0; i < N; i++)
            x[i] = sorted[i] = real_value(kind, &r);
        qsort(sorted, N, sizeof *sorted, cmp_double);
        /* the default cap (and a run's at the default limit) holds level 0 */
        const uint32_t caps_pages[] = {FC_HIST_MAX_PAGES, 2000, 100, 24, 6};
        for (size_t c = 0; c < sizeof caps_pages / sizeof *caps_pages; c++) {
            const fc_hist_caps caps = fc_hist_caps_for(caps_pages[c]);
            fc_hist h, a, b;
            fc_hist_init_with(&h, 1, caps, NULL, UINT64_MAX);
            fc_hist_init_with(&a, 1, caps, NULL, UINT64_MAX);
            fc_hist_init_with(&b, 1, caps, NULL, UINT64_MAX);
            for (int i = 0; i < N; i++) {
                assert_int_equal(fc_hist_add(&h, x[i]), 0);
                assert_int_equal(fc_hist_add(i % 3 ? &a : &b, x[i]), 0);
            }
            assert_int_equal(h.exact, 0);
            assert_true(fc_hist_bytes(&h) <= fc_hist_max_bytes(caps));
            if (c == 0) {
                assert_int_equal(h.level, 0);
                assert_true(alpha_at(0) == FC_HIST_ALPHA && FC_HIST_ALPHA <= 0.0005);
                check_ranks(&h, sorted, N, FC_HIST_ALPHA, "level 0");
            }
            if (caps.pages <= 24)
                assert_true(h.level > 0);
            check_ranks(&h, sorted, N, alpha_at(h.level), "at the histogram's level");
            assert_int_equal(fc_hist_merge(&b, &a), 0);
            assert_same_hist(&b, &h);
            fc_hist_free(&h);
            fc_hist_free(&a);
            fc_hist_free(&b);
        }
    }

    /* three plans whose CAC differ by 0.1%: three medians */
    double med[3];
    for (int plan = 0; plan < 3; plan++) {
        fc_pcg32 r;
        fc_rng_stream(&r, 11, 0, fc_rng_key("hist real quantiles"));
        fc_hist h;
        fc_hist_init(&h, 0);
        for (int i = 0; i < N; i++)
            assert_int_equal(fc_hist_add(&h, real_value(0, &r) * (1 + 0.001 * plan)), 0);
        med[plan] = at_rank(&h, N / 2);
        fc_hist_free(&h);
    }
    assert_true(med[0] < med[1] && med[1] < med[2]);
    assert_close(med[1] / med[0], 1.001, 0, 2.1 * FC_HIST_ALPHA);
    assert_close(med[2] / med[1], 1.001, 0, 2.1 * FC_HIST_ALPHA);
}

/* Both signs (a ratio such as roi): each side has its own directory, so
 * 20,000 values between -1 and 3 hold about 570 pages and directories
 * reaching about 900 page numbers (some 170 KB), where one directory over
 * keys +-(FC_HIST_KEY_BASE + i) would reach about 75,000. */
static uint64_t side_span(const fc_hist_side *s)
{
    return s->npages ? (uint64_t)(s->hi - s->lo) + 1 : 0;
}

static void test_two_sides(void **state)
{
    (void)state;
    fc_hist h;
    fc_hist_init(&h, 1);
    fc_pcg32 r;
    fc_rng_stream(&r, 11, 0, fc_rng_key("hist sides"));
    for (int i = 0; i < 20000; i++) {
        double v = fc_rng_uniform(&r) * 4 - 1;
        assert_int_equal(fc_hist_add(&h, v), 0);
    }
    assert_int_equal(h.exact, 0);
    assert_int_equal(h.level, 0);
    assert_true(h.side[0].npages > 0 && h.side[1].npages > 0);
    assert_true(fc_hist_bytes(&h) < 256 * 1024);
    assert_true(side_span(&h.side[0]) + side_span(&h.side[1]) < 1500);
    pairs p = pairs_of(&h);
    assert_true(p.key[0] < 0 && p.key[p.n - 1] > 0);
    pairs_free(&p);
    fc_hist_free(&h);
}

/* Values of the determinism tests: 0 whole numbers over many magnitudes,
 * both signs (exact parts, a logarithmic whole); 1 fractions over 200
 * decades, both signs and zero; 2 small whole numbers and a few large ones
 * (parts stay exact, the whole may not); 3 whole numbers that fit. */
static double split_value(int kind, fc_pcg32 *r)
{
    double u = fc_rng_uniform(r);
    int neg = fc_rng_bounded(r, 2);
    switch (kind) {
    case 0: return (neg ? -1 : 1) * floor(exp(u * 25));
    case 1: return fc_rng_bounded(r, 50) == 0 ? 0 : (neg ? -1 : 1) * pow(10, u * 200 - 100);
    case 2: return fc_rng_bounded(r, 100) == 0 ? floor(u * 1e9) : (double)fc_rng_bounded(r, 50);
    default: return (double)fc_rng_bounded(r, 1000);
    }
}

/* Adds x[i] for every i with part[i] == k into h, a run's thread: past the
 * meter's yield it gives its counts to `into` and goes on empty. */
static void add_flushing(fc_hist *h, fc_hist *into, const double *x, int n)
{
    double mn = INFINITY, mx = -INFINITY;
    uint64_t bad = 0;
    for (int at = 0; at < n;) {
        size_t done;
        int st = fc_hist_add_many(h, x + at, 1, (size_t)(n - at), &mn, &mx, &bad, &done);
        at += (int)done;
        if (st == 0)
            break;
        assert_int_equal(st, FC_HIST_FULL);
        assert_int_equal(fc_hist_merge(into, h), 0);
        fc_hist_clear(h);
        st = fc_hist_add(h, x[at]);
        if (st == FC_HIST_FULL) { /* empty and still past: once regardless */
            uint64_t y = h->yield;
            h->yield = UINT64_MAX;
            st = fc_hist_add(h, x[at]);
            h->yield = y;
        }
        assert_int_equal(st, 0);
        at++;
    }
}

/* Whatever the split of the values between histograms, and the order and
 * shape of their merging, the result is the histogram of all of them: kind,
 * level and buckets. Also a thread's way: flushes into a summary whenever
 * the meter passes its yield, parts cleared after each, a value refused at
 * the yield added again. */
static void test_split_determinism(void **state)
{
    (void)state;
    enum { N = 6000, MAXK = 7 };
    static double x[N], px[MAXK][N];
    int pn[MAXK];
    for (int kind = 0; kind < 4; kind++)
        for (uint32_t cp = 8; cp <= 64; cp *= 8) {
            const fc_hist_caps caps = fc_hist_caps_for(cp);
            fc_pcg32 r;
            fc_rng_stream(&r, 11, (uint64_t)kind, fc_rng_key("hist split"));
            fc_hist ref;
            fc_hist_init_with(&ref, 1, caps, NULL, UINT64_MAX);
            for (int i = 0; i < N; i++) {
                x[i] = split_value(kind, &r);
                assert_int_equal(fc_hist_add(&ref, x[i]), 0);
            }
            assert_int_equal(ref.exact, kind == 3 && cp == 64);
            const int splits[] = {2, 3, 7};
            for (size_t sp = 0; sp < sizeof splits / sizeof *splits; sp++) {
                const int k = splits[sp];
                fc_hist part[MAXK];
                for (int j = 0; j < k; j++) {
                    fc_hist_init_with(&part[j], 1, caps, NULL, UINT64_MAX);
                    pn[j] = 0;
                }
                for (int i = 0; i < N; i++) {
                    int j = (int)fc_rng_bounded(&r, (uint32_t)k);
                    px[j][pn[j]++] = x[i];
                    assert_int_equal(fc_hist_add(&part[j], x[i]), 0);
                }
                /* in order, in reverse, and as a tree */
                for (int way = 0; way < 3; way++) {
                    fc_hist m;
                    fc_hist_init_with(&m, 1, caps, NULL, UINT64_MAX);
                    if (way < 2) {
                        for (int j = 0; j < k; j++)
                            assert_int_equal(fc_hist_merge(&m, &part[way ? k - 1 - j : j]), 0);
                    } else {
                        fc_hist t[MAXK];
                        for (int j = 0; j < k; j++) {
                            fc_hist_init_with(&t[j], 1, caps, NULL, UINT64_MAX);
                            assert_int_equal(fc_hist_merge(&t[j], &part[j]), 0);
                        }
                        for (int step = 1; step < k; step *= 2)
                            for (int j = 0; j + step < k; j += 2 * step)
                                assert_int_equal(fc_hist_merge(&t[j + step], &t[j]), 0), fc_hist_clear(&t[j]),
                                    assert_int_equal(fc_hist_merge(&t[j], &t[j + step]), 0);
                        assert_int_equal(fc_hist_merge(&m, &t[0]), 0);
                        for (int j = 0; j < k; j++)
                            fc_hist_free(&t[j]);
                    }
                    assert_same_hist(&m, &ref);
                    fc_hist_free(&m);
                }
                /* each part a thread flushing into one summary */
                for (int yield_kb = 1; yield_kb <= 16; yield_kb *= 4) {
                    fc_meter meter;
                    atomic_init(&meter.used, 0);
                    fc_hist sum;
                    fc_hist_init_with(&sum, 1, caps, &meter, UINT64_MAX);
                    for (int j = 0; j < k; j++) {
                        fc_hist th;
                        fc_hist_init_with(&th, 1, caps, &meter, (uint64_t)yield_kb * 1024);
                        add_flushing(&th, &sum, px[j], pn[j]);
                        assert_int_equal(fc_hist_merge(&sum, &th), 0);
                        fc_hist_free(&th);
                    }
                    assert_same_hist(&sum, &ref);
                    assert_int_equal(atomic_load(&meter.used), fc_hist_bytes(&sum));
                    fc_hist_free(&sum);
                    assert_int_equal(atomic_load(&meter.used), 0);
                }
                for (int j = 0; j < k; j++)
                    fc_hist_free(&part[j]);
            }
            fc_hist_free(&ref);
        }
}

/* Serialization keeps the level: the pairs of fc_hist_each re-added with
 * the histogram's kind and level (fc_hist_add_foreign, as a partial summary
 * is read) rebuild it, into the same caps or larger ones (a level is never
 * lowered); a key no double has is refused. */
static void test_levels_serialize(void **state)
{
    (void)state;
    fc_hist h;
    fc_hist_init_with(&h, 1, fc_hist_caps_for(6), NULL, UINT64_MAX);
    fc_pcg32 r;
    fc_rng_stream(&r, 11, 0, fc_rng_key("hist levels"));
    for (int i = 0; i < 5000; i++)
        assert_int_equal(fc_hist_add(&h, split_value(1, &r)), 0);
    assert_true(h.level > 0);
    pairs p = pairs_of(&h);
    for (int big = 0; big <= 1; big++) {
        fc_hist copy;
        fc_hist_init_with(&copy, 1, big ? fc_hist_caps_for(1000) : fc_hist_caps_for(6), NULL, UINT64_MAX);
        for (size_t i = 0; i < p.n; i++)
            assert_int_equal(fc_hist_add_foreign(&copy, h.exact, h.level, p.key[i], p.count[i]), 0);
        assert_same_hist(&copy, &h);
        fc_hist_free(&copy);
    }
    pairs_free(&p);
    fc_hist_free(&h);
    /* the keys of the extreme doubles are in range, and come back */
    fc_hist_init(&h, 0);
    const double ends[] = {-DBL_MAX, -DBL_MIN, -4.9e-324, 4.9e-324, DBL_MIN, DBL_MAX};
    for (size_t i = 0; i < sizeof ends / sizeof *ends; i++)
        assert_int_equal(fc_hist_add(&h, ends[i]), 0);
    p = pairs_of(&h);
    assert_int_equal(p.n, 6);
    for (size_t i = 0; i < p.n; i++) {
        const int64_t m = p.key[i] < 0 ? -p.key[i] : p.key[i];
        assert_true(m > 1 && m < 2 * FC_HIST_KEY_BASE - 1);
    }
    fc_hist copy;
    fc_hist_init(&copy, 1);
    for (size_t i = 0; i < p.n; i++)
        assert_int_equal(fc_hist_add_foreign(&copy, 0, 0, p.key[i], p.count[i]), 0);
    assert_same_hist(&copy, &h);
    fc_hist_free(&copy);
    pairs_free(&p);
    fc_hist_free(&h);
    /* out of range: a bucket past every double's, a level past the top */
    fc_hist_init(&h, 1);
    assert_int_equal(fc_hist_add_foreign(&h, 0, 0, FC_HIST_KEY_BASE + FC_HIST_KEY_BASE, 1), FC_HIST_RANGE);
    assert_int_equal(fc_hist_add_foreign(&h, 0, 0, -FC_HIST_KEY_BASE - FC_HIST_KEY_BASE, 1), FC_HIST_RANGE);
    assert_int_equal(fc_hist_add_foreign(&h, 0, 1, FC_HIST_KEY_BASE + FC_HIST_KEY_BASE / 2 + 1, 1),
                     FC_HIST_RANGE);
    assert_int_equal(fc_hist_add_foreign(&h, 0, 0, INT64_MIN, 1), FC_HIST_RANGE);
    assert_int_equal(fc_hist_add_foreign(&h, 0, FC_HIST_MAX_LEVEL + 1, FC_HIST_KEY_BASE, 1), FC_HIST_RANGE);
    assert_int_equal(h.count, 0);
    fc_hist_free(&h);
}

/* The meter holds every byte the histograms hold, and nothing once they are
 * freed; past the yield an add returns FC_HIST_FULL with the counts
 * unchanged; a change of kind is counted, never refused. */
static void test_meter(void **state)
{
    (void)state;
    fc_meter meter;
    atomic_init(&meter.used, 0);
    fc_hist a, b;
    fc_hist_init_with(&a, 1, fc_hist_caps_for(64), &meter, 8000);
    fc_hist_init_with(&b, 1, fc_hist_caps_for(64), &meter, UINT64_MAX);
    int full = 0;
    for (int i = 0; i < 64 && !full; i++) {
        uint64_t count = a.count;
        int st = fc_hist_add(&a, (double)i * 32);
        full = st == FC_HIST_FULL;
        assert_true(st == 0 || full);
        assert_int_equal(a.count, count + (full ? 0 : 1));
        assert_int_equal(atomic_load(&meter.used), fc_hist_bytes(&a));
    }
    assert_true(full);
    assert_true(atomic_load(&meter.used) <= 8000);
    /* b never yields: the meter passes a's yield */
    for (int i = 0; i < 64; i++)
        assert_int_equal(fc_hist_add(&b, (double)i * 32), 0);
    assert_int_equal(atomic_load(&meter.used), fc_hist_bytes(&a) + fc_hist_bytes(&b));
    assert_true(atomic_load(&meter.used) > 8000);
    /* a whole page of a already holds this value: no memory, no refusal */
    assert_int_equal(fc_hist_add(&a, 1), 0);
    /* b turns logarithmic: counted */
    assert_int_equal(fc_hist_add(&b, 0.5), 0);
    assert_int_equal(b.exact, 0);
    assert_int_equal(atomic_load(&meter.used), fc_hist_bytes(&a) + fc_hist_bytes(&b));
    fc_hist_clear(&a);
    assert_int_equal(atomic_load(&meter.used), fc_hist_bytes(&b));
    fc_hist_free(&a);
    fc_hist_free(&b);
    assert_int_equal(atomic_load(&meter.used), 0);
}

/* A floor level: the logarithmic kind starts there (and not below), whole
 * numbers stay exact, values are within that level's accuracy, and a merge
 * of parts with the floor equals the whole. */
static void test_floor_level(void **state)
{
    (void)state;
    fc_hist_caps caps = fc_hist_caps_for(FC_HIST_MAX_PAGES);
    caps.floor = 4;
    fc_hist whole, part[2], ints;
    fc_hist_init_with(&whole, 1, caps, NULL, UINT64_MAX);
    fc_hist_init_with(&ints, 1, caps, NULL, UINT64_MAX);
    for (int k = 0; k < 2; k++)
        fc_hist_init_with(&part[k], 1, caps, NULL, UINT64_MAX);
    fc_pcg32 rng;
    fc_pcg32_seed(&rng, 7, 1);
    enum { N = 5000 };
    double *x = malloc(N * sizeof *x);
    assert_non_null(x);
    for (int i = 0; i < N; i++) {
        x[i] = (fc_rng_uniform(&rng) - 0.4) * pow(10, 6 * fc_rng_uniform(&rng) - 3);
        assert_int_equal(fc_hist_add(&whole, x[i]), 0);
        assert_int_equal(fc_hist_add(&part[i % 2], x[i]), 0);
        assert_int_equal(fc_hist_add(&ints, (double)(i % 97) - 40), 0);
    }
    assert_false(whole.exact);
    assert_int_equal(whole.level, 4);
    assert_true(ints.exact);
    assert_int_equal(fc_hist_merge(&part[0], &part[1]), 0);
    assert_int_equal(part[0].level, 4);
    qsort(x, N, sizeof *x, cmp_double);
    for (uint64_t r = 1; r <= N; r += 97) {
        double got = at_rank(&whole, r), want = x[r - 1];
        assert_true(fabs(got - want) <= fc_hist_accuracy(4) * fabs(want) * (1 + 1e-9));
        assert_true(at_rank(&part[0], r) == got);
    }
    free(x);
    fc_hist_free(&whole);
    fc_hist_free(&ints);
    fc_hist_free(&part[0]);
    fc_hist_free(&part[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_counts),
        cmocka_unit_test(test_add_many),
        cmocka_unit_test(test_page_boundaries),
        cmocka_unit_test(test_log_error),
        cmocka_unit_test(test_log_ranks),
        cmocka_unit_test(test_real_quantiles),
        cmocka_unit_test(test_memory),
        cmocka_unit_test(test_each),
        cmocka_unit_test(test_conversion),
        cmocka_unit_test(test_merge_exact),
        cmocka_unit_test(test_high_counts),
        cmocka_unit_test(test_caps_exact),
        cmocka_unit_test(test_coarsen),
        cmocka_unit_test(test_two_sides),
        cmocka_unit_test(test_split_determinism),
        cmocka_unit_test(test_levels_serialize),
        cmocka_unit_test(test_meter),
        cmocka_unit_test(test_floor_level),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
