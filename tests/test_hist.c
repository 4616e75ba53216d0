/* Tests of core/hist: exact histograms count whole numbers exactly (keys are
 * the values, across page boundaries and below zero), ranks 1 and count are
 * the extremes, the logarithmic kind keeps every value within FC_HIST_ALPHA
 * relative of its bucket's representative from 1e-300 to DBL_MAX and below
 * zero, zero is its own bucket, memory depends on the distinct values only,
 * fc_hist_each walks keys in increasing order, and the turn from exact to
 * logarithmic (a fraction, a value past 2^62, more than FC_HIST_MAX_PAGES
 * pages, a span past FC_HIST_MAX_SPAN pages) gives the same buckets whether
 * it happens while adding, before a merge or in the middle of one. Every
 * check is exact or against a stated bound; nothing is statistical.
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

/* The logarithmic kind: every value's representative is within FC_HIST_ALPHA
 * relative of it (the bound is strict: no rounding slack), from 1e-300 to
 * 1e300 and on to DBL_MAX, for negative values as well; zero (either sign) is
 * its own bucket, represented by 0 exactly. The values here are normal
 * doubles: a subnormal has too few significant bits for a representative to
 * be within 0.5% of it, and no metric gets there. */
static void test_log_error(void **state)
{
    (void)state;
    double worst = 0;
    /* a geometric sweep, ratio 1 + 1e-3 (a tenth of a bucket), both signs */
    const double step = 1e-3;
    for (double x = 1e-300; x < 1e300; x *= 1 + step)
        for (int sgn = -1; sgn <= 1; sgn += 2) {
            double v = sgn * x, q = rep_of(v);
            double e = fabs(q - v) / fabs(v);
            worst = e > worst ? e : worst;
            if (!(e <= FC_HIST_ALPHA)) {
                print_error("value %.17g: representative %.17g, relative error %.17g\n", v, q, e);
                fail();
            }
        }
    assert_true(worst > 0.8 * FC_HIST_ALPHA); /* the sweep did come near the edges */

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

/* The values of the conversion tests: kind 0 a fraction among whole numbers,
 * 1 a whole number past 2^62, 2 more than FC_HIST_MAX_PAGES pages (one value
 * every 32, so one page each), 3 two clusters further apart than
 * FC_HIST_MAX_SPAN pages. Value i of n; the first half alone stays exact. */
static double conv_value(int kind, int i, int n)
{
    switch (kind) {
    case 0: return i == n - 1 ? 0.5 : (double)(i % 97) - 40;
    case 1: return i == n - 1 ? 0x1p63 : (double)(i % 97) - 40;
    case 2: return (double)i * 32 - 20000 * 32;
    default: return i < n / 2 ? (double)(i % 1000) : (double)(FC_HIST_MAX_SPAN * 32 + i % 1000);
    }
}

static int conv_n(int kind) { return kind == 2 ? 2 * (FC_HIST_MAX_PAGES / 2 + 1000) : 4000; }

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

    /* the page limit is strict: FC_HIST_MAX_PAGES pages stay exact, one more
     * turns the histogram logarithmic */
    fc_hist h;
    fc_hist_init(&h, 1);
    for (int i = 0; i < FC_HIST_MAX_PAGES; i++)
        assert_int_equal(fc_hist_add(&h, (double)i * 32), 0);
    assert_int_equal(h.exact, 1);
    assert_int_equal(fc_hist_pages(&h), FC_HIST_MAX_PAGES);
    assert_int_equal(fc_hist_add(&h, -1), 0);
    assert_int_equal(h.exact, 0);
    assert_int_equal(h.count, FC_HIST_MAX_PAGES + 1);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_counts),
        cmocka_unit_test(test_add_many),
        cmocka_unit_test(test_page_boundaries),
        cmocka_unit_test(test_log_error),
        cmocka_unit_test(test_log_ranks),
        cmocka_unit_test(test_memory),
        cmocka_unit_test(test_each),
        cmocka_unit_test(test_conversion),
        cmocka_unit_test(test_merge_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
