/* Tests of core/ltv: fc_ltv_sbg against a brute-force sum in long double
 * (Kahan-compensated) over a grid of alpha, beta, discount and horizon, to a
 * relative 1e-13 (the stated bound is 1e-14; the reference's own error is
 * up to ~5e-15); unlimited sums with a small discount against closed forms
 * (alpha = 1 and 2 with beta = 1, Kummer's connection formula for 2F1 with a
 * non-integer alpha) and against 50-digit mpmath values where nothing is
 * affordable in the test; divergence, invalid input, monotonicity in the
 * horizon and the discount where no brute force can go (discount 1e-15,
 * horizons to 1e18), continuity through alpha = 1 and 2 and across the 256
 * directly summed terms; fc_ltv_geometric against its closed form; and that
 * calls cost microseconds whatever the discount (CPU time, with a margin of
 * ~20x). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <time.h>

#include "ltv.h"

/* fails with the case named when |got - want| > tol |want| */
static void near(double got, long double want, double tol, const char *what, double a, double b, double d,
                 int64_t h)
{
    double err = want == 0 ? fabs(got) : (double)fabsl(((long double)got - want) / want);
    if (!(err <= tol)) {
        print_error("%s: a=%.17g b=%.17g discount=%.17g horizon=%lld: got %.17g, want %.17Lg (rel %.3g > %.3g)\n",
                    what, a, b, d, (long long)h, got, want, err, tol);
        fail();
    }
}

static long long terms_used; /* brute-force terms, over the whole test */

/* sum_{k<H} S(k) x^k term by term in long double, Kahan-compensated; H = 0:
 * until the rest (at most term / (1 - x), S falls) is below 1e-22 of the sum. */
static long double brute(double a, double b, double d, int64_t H)
{
    long double x = 1.0L / (1.0L + d), after = d > 0 ? (1.0L + d) / d : INFINITY;
    long double s = 1, xk = 1, sum = 0, c = 0;
    for (int64_t k = 0; H == 0 || k < H; k++) {
        long double term = s * xk, y = term - c, t = sum + y;
        c = (t - sum) - y;
        sum = t;
        terms_used++;
        if (H == 0 && term * after < 1e-22L * sum)
            break;
        s *= ((long double)b + (long double)k) / ((long double)a + (long double)b + (long double)k);
        xk *= x;
    }
    return sum;
}

/* A grid where brute force is affordable: a horizon up to 1e5, or no horizon
 * with a discount of at least 1e-3 (5e4 terms at most). */
static void test_against_brute_force(void **state)
{
    (void)state;
    const double as[] = { 1, 0.5, 2, 1e-2, 1e-3, 3.7, 40 };
    const double bs[] = { 1, 1e4, 1e-3, 37.5, 1e8 };
    const double ds[] = { 0, 1e-6, 1e-3, 0.01, 0.5, 10 };
    const int64_t hs[] = { 0, 1, 10, 255, 256, 257, 300, 1000, 100000 };
    int n = 0;
    for (size_t i = 0; i < sizeof as / sizeof *as; i++)
        for (size_t j = 0; j < sizeof bs / sizeof *bs; j++)
            for (size_t l = 0; l < sizeof ds / sizeof *ds; l++)
                for (size_t m = 0; m < sizeof hs / sizeof *hs; m++) {
                    double a = as[i], b = bs[j], d = ds[l];
                    int64_t h = hs[m];
                    if (h == 0 && d < 1e-3)
                        continue; /* divergent, or too many terms: below */
                    if (h == 100000 && (i > 3 || j > 1))
                        continue; /* keep the brute force to a few million terms */
                    near(fc_ltv_sbg(a, b, d, h), brute(a, b, d, h), 1e-13, "brute force", a, b, d, h);
                    n++;
                }
    assert_true(n > 1000);
    assert_true(terms_used < 20000000);
}

/* 2F1(1, b; 2 - a; z) = sum_n (b)_n / (2 - a)_n z^n, for b z small */
static long double f21(long double b, long double c, long double z)
{
    long double t = 1, s = 1;
    for (int n = 0; n < 10000 && t > 1e-25L * s; n++) {
        t *= (b + n) / (c + n) * z;
        s += t;
    }
    return s;
}

/* No horizon, discount 1e-6 (4e7 terms to brute force): sum_k S(k) x^k =
 * 2F1(1, b; a + b; x), for 0 < a < 1 by the connection formula to 1 - x = z
 * (used where b z is small): (a + b - 1)/(a - 1) 2F1(1, b; 2 - a; z)
 *            + Gamma(a + b) Gamma(1 - a) / Gamma(b) z^(a-1) x^(1-a-b);
 * for b = 1, a = 1: -ln(1 - x) / x; a = 2: 2 (1 - (1 - x) L) / x with L that.
 * The rest: 50-digit mpmath values of the 2F1. */
static void test_unlimited_small_discount(void **state)
{
    (void)state;
    const double as[] = { 0.5, 1e-2, 0.3, 0.9, 1e-3 }, bs[] = { 1, 1e4, 3.25 };
    const double ds[] = { 1e-6, 1e-5, 1e-4 };
    for (size_t i = 0; i < sizeof as / sizeof *as; i++)
        for (size_t j = 0; j < sizeof bs / sizeof *bs; j++)
            for (size_t l = 0; l < sizeof ds / sizeof *ds; l++) {
                long double a = as[i], b = bs[j], d = ds[l];
                long double z = d / (1 + d), lnx = -log1pl(d);
                if (b * z > 0.02)
                    continue; /* the two parts cancel, the reference loses digits */
                long double want = (a + b - 1) / (a - 1) * f21(b, 2 - a, z) +
                                   expl(lgammal(a + b) - lgammal(b) + (a - 1) * logl(z) + (1 - a - b) * lnx) *
                                       tgammal(1 - a);
                near(fc_ltv_sbg(as[i], bs[j], ds[l], 0), want, 1e-13, "connection formula", as[i], bs[j],
                     ds[l], 0);
            }
    const double dd[] = { 1e-300, 1e-200, 1e-100, 1e-15, 1e-12, 1e-9, 1e-6, 1e-3, 0.1 };
    for (size_t l = 0; l < sizeof dd / sizeof *dd; l++) {
        long double d = dd[l], z = d / (1 + d), L = -logl(z) * (1 + d);
        near(fc_ltv_sbg(1, 1, dd[l], 0), L, 1e-13, "a = b = 1", 1, 1, dd[l], 0);
        near(fc_ltv_sbg(2, 1, dd[l], 0), 2 * (1 - z * L) * (1 + d), 1e-13, "a = 2, b = 1", 2, 1, dd[l], 0);
    }
    /* the smallest discounts: 50/ln(1 + d) past the range of a double */
    near(fc_ltv_sbg(1, 1, 4.9406564584124654e-324, 0), 744.44007192138126231L, 1e-13, "denormal", 1, 1,
         4.9406564584124654e-324, 0);
    static const struct {
        double a, b, d;
        int64_t h;
        long double want;
    } mp[] = {
        { 1, 1e4, 1e-6, 0, 40785.619239053393972L },
        { 2, 1e4, 1e-6, 0, 9593.1130229902270253L },
        { 0.5, 1, 1e-15, 0, 49672940.328980553915L },
        { 1e-3, 1, 1e-15, 0, 966052468081645.18836L },
        { 0.5, 1, 1e-15, 1000000000, 56048.893487687111375L },
        { 0.5, 1, 0, 1000000000, 56048.912170985526014L },
        { 1e-3, 1e4, 1e-12, 0, 982315545953.91640013L },
        { 2, 1e8, 1e-15, 0, 99999845.591182094463L },
        { 1e4, 1e8, 1e-6, 0, 9902.950977546547729L },
        { 1e-2, 1, 1e-9, 1000000, 874334.25870974506457L },
        { 1.5, 1e-3, 1e-12, 0, 1.0019999968564818609L },
        { 3, 10, 1e-4, 1000000000, 5.9940415057967792004L },
    };
    for (size_t i = 0; i < sizeof mp / sizeof *mp; i++)
        near(fc_ltv_sbg(mp[i].a, mp[i].b, mp[i].d, mp[i].h), mp[i].want, 1e-13, "mpmath", mp[i].a, mp[i].b,
             mp[i].d, mp[i].h);
}

/* No discount: without a horizon (a + b - 1)/(a - 1), or +INFINITY for
 * a <= 1; with one, the telescoping sum_{k<H} S(k) = ((a + b - 1) - (a + b +
 * H - 1) S(H)) / (a - 1). Invalid input gives NaN. */
static void test_no_discount_and_divergence(void **state)
{
    (void)state;
    const double as[] = { 2, 1.5, 3, 1e4, 1 + 1e-9 }, bs[] = { 1, 1e4, 1e-3 };
    for (size_t i = 0; i < sizeof as / sizeof *as; i++)
        for (size_t j = 0; j < sizeof bs / sizeof *bs; j++) {
            long double a = as[i], b = bs[j];
            near(fc_ltv_sbg(as[i], bs[j], 0, 0), (a + b - 1) / (a - 1), 1e-15, "closed form", as[i], bs[j], 0, 0);
        }
    const double div[] = { 1, 0.5, 1e-2, 1e-3, 1 - 1e-12 };
    for (size_t i = 0; i < sizeof div / sizeof *div; i++) {
        assert_true(isinf(fc_ltv_sbg(div[i], 1, 0, 0)) && fc_ltv_sbg(div[i], 1, 0, 0) > 0);
        assert_true(isfinite(fc_ltv_sbg(div[i], 1, 0, 1000000000)));
        assert_true(isfinite(fc_ltv_sbg(div[i], 1, 1e-15, 0)));
    }
    const int64_t hs[] = { 300, 1000, 54321, 1000000 };
    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < sizeof hs / sizeof *hs; j++) {
            long double a = as[i], b = bs[0], H = (long double)hs[j];
            long double sH = expl(lgammal(b + H) - lgammal(b) - lgammal(a + b + H) + lgammal(a + b));
            near(fc_ltv_sbg(as[i], bs[0], 0, hs[j]), ((a + b - 1) - (a + b + H - 1) * sH) / (a - 1), 1e-12,
                 "telescoping", as[i], bs[0], 0, hs[j]);
        }
    assert_true(isnan(fc_ltv_sbg(0, 1, 0.1, 0)));
    assert_true(isnan(fc_ltv_sbg(1, -1, 0.1, 0)));
    assert_true(isnan(fc_ltv_sbg(1, 1, -0.1, 0)));
    assert_true(isnan(fc_ltv_sbg(1, 1, 0.1, -1)));
    assert_true(isnan(fc_ltv_sbg(NAN, 1, 0.1, 0)));
    assert_true(isnan(fc_ltv_sbg(1, 1, NAN, 0)));
    assert_true(isnan(fc_ltv_sbg(INFINITY, 1, 0.1, 0)));
    assert_true(fc_ltv_sbg(0.5, 1, INFINITY, 0) == 1);
    assert_true(fc_ltv_sbg(0.5, 1, 0.1, 1) == 1);
}

/* Where no brute force goes: the sum grows with the horizon and falls with
 * the discount, stays below the unlimited one, and a = 1, 2 (where Gamma
 * function methods have removable singularities) are in line with their
 * neighbours; H = 257 adds exactly the term g(256) to H = 256. */
static void test_monotone(void **state)
{
    (void)state;
    const double as[] = { 0.5, 1, 2, 1e-3, 1e4, 1.6 }, bs[] = { 1, 1e8, 8, 1e-3 };
    const double ds[] = { 1e-300, 1e-15, 1e-12, 1e-9, 1e-6, 1e-3, 0.1, 1, 10 };
    const int64_t hs[] = { 1, 2, 10, 255, 256, 257, 258, 1000, 100000, 1000000, 10000000, 1000000000,
                           1000000000000, 1000000000000000000 };
    for (size_t i = 0; i < sizeof as / sizeof *as; i++)
        for (size_t j = 0; j < sizeof bs / sizeof *bs; j++) {
            double a = as[i], b = bs[j];
            for (size_t l = 0; l < sizeof ds / sizeof *ds; l++) {
                double d = ds[l], prev = 0, unl = fc_ltv_sbg(a, b, d, 0);
                assert_true(isfinite(unl) && unl >= 1);
                for (size_t m = 0; m < sizeof hs / sizeof *hs; m++) {
                    double v = fc_ltv_sbg(a, b, d, hs[m]);
                    if (!(v >= prev * (1 - 1e-15) && v <= unl * (1 + 1e-14))) {
                        print_error("a=%g b=%g d=%g: H=%lld gives %.17g after %.17g, unlimited %.17g\n", a, b, d,
                                    (long long)hs[m], v, prev, unl);
                        fail();
                    }
                    prev = v;
                }
                near(prev, unl, d >= 1e-15 ? 1e-14 : 1, "horizon 1e18 vs unlimited", a, b, d, 0);
            }
            for (size_t m = 0; m < sizeof hs / sizeof *hs; m++) {
                double prev = fc_ltv_sbg(a, b, 0, hs[m]);
                for (size_t l = 0; l < sizeof ds / sizeof *ds; l++) {
                    double v = fc_ltv_sbg(a, b, ds[l], hs[m]);
                    if (!(v <= prev * (1 + 1e-15))) {
                        print_error("a=%g b=%g H=%lld: discount %g gives %.17g, above %.17g\n", a, b,
                                    (long long)hs[m], ds[l], v, prev);
                        fail();
                    }
                    prev = v;
                }
            }
            for (size_t l = 0; l < sizeof ds / sizeof *ds; l++) {
                long double g = brute(a, b, ds[l], 257) - brute(a, b, ds[l], 256);
                double step = fc_ltv_sbg(a, b, ds[l], 257) - fc_ltv_sbg(a, b, ds[l], 256);
                near(step, g, 1e-13 * fc_ltv_sbg(a, b, ds[l], 257) / (double)g + 1e-9, "g(256)", a, b, ds[l], 257);
            }
        }
    const double at[] = { 1, 2, 3 }, dt[] = { 0, 1e-15, 1e-6, 0.01 };
    const int64_t ht[] = { 0, 1000000000 };
    for (size_t i = 0; i < 3; i++)
        for (size_t l = 0; l < sizeof dt / sizeof *dt; l++)
            for (size_t m = 0; m < 2; m++) {
                if (dt[l] == 0 && ht[m] == 0 && at[i] == 1)
                    continue;
                double lo = fc_ltv_sbg(at[i] - 1e-7, 5, dt[l], ht[m]), mid = fc_ltv_sbg(at[i], 5, dt[l], ht[m]),
                       hi = fc_ltv_sbg(at[i] + 1e-7, 5, dt[l], ht[m]);
                /* smooth in a: the midpoint of its neighbours, to second order */
                near(mid, ((long double)lo + hi) / 2, 1e-11, "continuity in a", at[i], 5, dt[l], ht[m]);
                assert_true(lo > mid && mid > hi);
            }
}

/* sum_{k<H} r^k, r = keep / (1 + discount), against the sum in long double */
static void test_geometric(void **state)
{
    (void)state;
    const double keeps[] = { 0.99, 0.5, 0.9999999, 1, 0.1 }, ds[] = { 0, 1e-12, 0.01, 1 };
    const int64_t hs[] = { 1, 2, 36, 1000, 1000000, 0 };
    for (size_t i = 0; i < sizeof keeps / sizeof *keeps; i++)
        for (size_t l = 0; l < sizeof ds / sizeof *ds; l++)
            for (size_t m = 0; m < sizeof hs / sizeof *hs; m++) {
                long double churn = 1 - (long double)keeps[i], d = ds[l];
                long double one_minus_r = (churn + d) / (1 + d), want;
                if (hs[m] == 0)
                    want = one_minus_r > 0 ? 1 / one_minus_r : INFINITY;
                else if (one_minus_r == 0)
                    want = (long double)hs[m];
                else
                    want = -expm1l((long double)hs[m] * (log1pl(-churn) - log1pl(d))) / one_minus_r;
                double got = fc_ltv_geometric(keeps[i], ds[l], hs[m]);
                if (isinf(want))
                    assert_true(isinf(got) && got > 0);
                else
                    near(got, want, 1e-14, "geometric", keeps[i], 0, ds[l], hs[m]);
            }
    /* a few by plain summation */
    for (int64_t h = 1; h <= 50; h += 7) {
        long double s = 0, r = 0.97L / 1.02L, t = 1;
        for (int64_t k = 0; k < h; k++, t *= r)
            s += t;
        near(fc_ltv_geometric(0.97, 0.02, h), s, 1e-15, "geometric sum", 0.97, 0, 0.02, h);
    }
    assert_true(fc_ltv_geometric(0, 0.1, 0) == 1);
    assert_true(fc_ltv_geometric(0.5, INFINITY, 7) == 1);
    assert_true(isnan(fc_ltv_geometric(-0.1, 0, 0)));
    assert_true(isnan(fc_ltv_geometric(0.5, -1, 0)));
    assert_true(isnan(fc_ltv_geometric(0.5, 0, -3)));
}

static double cpu_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* 10,000 calls with a discount of 1e-15 (the old loop's 1e15 terms each)
 * and 1,000 with the worst discounts take well under a second of CPU time
 * (about 0.06 s and 0.13 s here, 0.1 s and 0.19 s under ASan; 1 s allowed). */
static void test_bounded_time(void **state)
{
    (void)state;
    const double as[] = { 0.5, 1e-3, 1, 2, 1e4 }, bs[] = { 1, 8, 1e4, 1e8 };
    const int64_t hs[] = { 0, 1000000000 };
    double t0 = cpu_seconds(), sink = 0;
    for (int i = 0; i < 10000; i++)
        sink += fc_ltv_sbg(as[i % 5] * (1 + 1e-9 * i), bs[(i / 5) % 4], 1e-15, hs[(i / 20) % 2]);
    double t1 = cpu_seconds();
    for (int i = 0; i < 1000; i++)
        sink += fc_ltv_sbg(as[i % 5], bs[(i / 5) % 4], i % 2 ? 1e-300 : 5e-324, 0);
    double t2 = cpu_seconds();
    assert_true(isfinite(sink) || isinf(sink));
    if (!(t1 - t0 < 1.0 && t2 - t1 < 1.0)) {
        print_error("10,000 calls at discount 1e-15: %.3f s; 1,000 at 1e-300 and below: %.3f s\n", t1 - t0,
                    t2 - t1);
        fail();
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_against_brute_force),
        cmocka_unit_test(test_unlimited_small_discount),
        cmocka_unit_test(test_no_discount_and_divergence),
        cmocka_unit_test(test_monotone),
        cmocka_unit_test(test_geometric),
        cmocka_unit_test(test_bounded_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
