/* Tests of core/elem: the core's own log, log1p, exp, expm1 and pow against
 * references, within the bounds elem.h states.
 *  - 50-digit values (mpmath, in the table below) at chosen points: near 1,
 *    at the table's interval edges, near the overflow and underflow limits,
 *    subnormals; these also check the long double reference itself.
 *  - x87 long double (64-bit significand: its own error is about 2^-11 of a
 *    double's ulp) on 4,000,000 arguments per function, from a fixed
 *    generator: random bit patterns over all positive doubles for log, and
 *    uniform ranges where the functions are used; the largest error seen is
 *    printed, in ulp of the correctly rounded result.
 *  - special values as C's, and monotonicity across the table's joints. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>

#include "elem.h"
#include "special.h"

/* bounds stated in elem.h (ulp) */
#define LOG_ULP 0.6
#define LOG1P_ULP 1.0
#define EXP_ULP 0.6
#define EXPM1_ULP 1.5
#define NRAND 4000000

/* |got - want| in units of the last place of want rounded to double (of the
 * least subnormal's spacing below DBL_MIN) */
static double ulps(double got, long double want)
{
    double w = (double)want;
    if (isinf(w) || isnan(w))
        return got == w || (isnan(got) && isnan(w)) ? 0 : INFINITY;
    int e;
    frexp(w, &e);
    double ulp = ldexp(1.0, e - 53);
    if (ulp < 0x1p-1074)
        ulp = 0x1p-1074;
    return (double)(fabsl((long double)got - want) / ulp);
}

static uint64_t rs = UINT64_C(0x9e3779b97f4a7c15);
static uint64_t next(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return rs;
}
static double uniform(double a, double b)
{
    return a + (b - a) * ((double)(next() >> 11) * 0x1p-53);
}

typedef struct worst {
    double err, at;
} worst;
static void see(worst *w, double err, double x)
{
    if (err > w->err) {
        w->err = err;
        w->at = x;
    }
}
static void check(const char *name, const worst *w, double bound)
{
    printf("# %s: largest error %.3f ulp (at %a), bound %.1f\n", name, w->err, w->at, bound);
    if (!(w->err <= bound)) {
        print_error("%s: %.3f ulp at %a, above the bound of %.1f\n", name, w->err, w->at, bound);
        fail();
    }
}

/* 50-digit references (mpmath, mp.dps = 50), given as the nearest double
 * and the remainder: want = hi + lo */
typedef struct ref {
    const char *fn;
    double x, hi, lo;
} ref;
static const ref refs[] = {
#include "elem/refs.h"
};

static long double ref_value(const ref *r)
{
    return (long double)r->hi + (long double)r->lo;
}

static double call(const char *fn, double x)
{
    if (!strcmp(fn, "log"))
        return fc_log(x);
    if (!strcmp(fn, "log1p"))
        return fc_log1p(x);
    if (!strcmp(fn, "exp"))
        return fc_exp(x);
    return fc_expm1(x);
}

static double bound_of(const char *fn)
{
    return !strcmp(fn, "log") ? LOG_ULP : !strcmp(fn, "log1p") ? LOG1P_ULP : !strcmp(fn, "exp") ? EXP_ULP : EXPM1_ULP;
}

static void test_against_mpmath(void **state)
{
    (void)state;
    worst w[4] = {{0, 0}, {0, 0}, {0, 0}, {0, 0}};
    const char *names[4] = {"log", "log1p", "exp", "expm1"};
    for (size_t i = 0; i < sizeof refs / sizeof *refs; i++) {
        const ref *r = &refs[i];
        int f = !strcmp(r->fn, "log") ? 0 : !strcmp(r->fn, "log1p") ? 1 : !strcmp(r->fn, "exp") ? 2 : 3;
        double got = call(r->fn, r->x);
        double e = ulps(got, ref_value(r));
        see(&w[f], e, r->x);
        if (!(e <= bound_of(r->fn))) {
            print_error("%s(%a) = %a, want %a (+%a): %.3f ulp\n", r->fn, r->x, got, r->hi, r->lo, e);
            fail();
        }
    }
    for (int f = 0; f < 4; f++) {
        char name[32];
        snprintf(name, sizeof name, "%s, mpmath points", names[f]);
        check(name, &w[f], bound_of(names[f]));
    }
}

static void test_log(void **state)
{
    (void)state;
    worst w = {0, 0};
    for (long i = 0; i < NRAND; i++) {
        double x;
        if (i & 1) {
            x = uniform(0.5, 2.0);
        } else {
            do
                x = fc_elem_double(next() & UINT64_C(0x7fffffffffffffff));
            while (!(x <= DBL_MAX) || x == 0);
        }
        see(&w, ulps(fc_log(x), logl((long double)x)), x);
    }
    check("log", &w, LOG_ULP);
}

static void test_log1p(void **state)
{
    (void)state;
    worst w = {0, 0};
    for (long i = 0; i < NRAND; i++) {
        double x = i % 3 == 0 ? uniform(-0.9999, 4.0) : i % 3 == 1 ? ldexp(uniform(-1, 1), -(int)(next() % 70))
                                                              : fc_elem_double(next() & UINT64_C(0x7fefffffffffffff));
        see(&w, ulps(fc_log1p(x), log1pl((long double)x)), x);
    }
    check("log1p", &w, LOG1P_ULP);
}

static void test_exp(void **state)
{
    (void)state;
    worst w = {0, 0};
    for (long i = 0; i < NRAND; i++) {
        double x = i & 1 ? uniform(-708.3, 709.78) : uniform(-3, 3);
        see(&w, ulps(fc_exp(x), expl((long double)x)), x);
    }
    check("exp", &w, EXP_ULP);
    /* subnormal results: within 1 ulp of their spacing */
    worst s = {0, 0};
    for (long i = 0; i < 100000; i++) {
        double x = uniform(-745.13, -708.4);
        see(&s, ulps(fc_exp(x), expl((long double)x)), x);
    }
    check("exp, subnormal results", &s, 1.0);
}

static void test_expm1(void **state)
{
    (void)state;
    worst w = {0, 0};
    for (long i = 0; i < NRAND; i++) {
        double x = i % 3 == 0 ? uniform(-40, 709.78) : i % 3 == 1 ? uniform(-1, 1) : ldexp(uniform(-1, 1), -(int)(next() % 70));
        see(&w, ulps(fc_expm1(x), expm1l((long double)x)), x);
    }
    check("expm1", &w, EXPM1_ULP);
}

static void test_pow(void **state)
{
    (void)state;
    worst w = {0, 0};
    for (long i = 0; i < NRAND / 4; i++) {
        double x = uniform(1e-3, 1e4), y = uniform(-6, 6);
        double bound = 1 + 2 * fabs(y * log(x));
        see(&w, ulps(fc_pow_pos(x, y), powl((long double)x, (long double)y)) / bound, x);
    }
    check("pow, as a share of its bound", &w, 1.0);
}

static void test_sinpi(void **state)
{
    (void)state;
    worst w = {0, 0};
    const long double pi = 3.141592653589793238462643383279503L;
    for (long i = 0; i < NRAND / 4; i++) {
        double x = i & 1 ? uniform(-40, 40) : uniform(-1, 1) * ldexp(1.0, -(int)(next() % 20));
        long double y = (long double)x - roundl((long double)x), want = sinl(pi * y);
        if (fmodl(roundl((long double)x), 2.0L) != 0)
            want = -want;
        if (fabsl(want) >= 0x1p-20L)
            see(&w, ulps(fc_sinpi(x), want), x);
    }
    check("sin(pi x)", &w, 2.0);
    assert_true(fc_sinpi(0.0) == 0.0 && fc_sinpi(3.0) == 0.0 && fc_sinpi(0x1p60) == 0.0);
    assert_true(fc_sinpi(0.5) == 1.0 && fc_sinpi(-0.5) == -1.0 && fc_sinpi(1.5) == -1.0);
    assert_true(isnan(fc_sinpi(INFINITY)) && isnan(fc_sinpi(NAN)));
}

/* fc_norm_cdf (core/special.c): relative below the median, absolute above */
static void test_norm_cdf(void **state)
{
    (void)state;
    double lower = 0, lower_at = 0, upper = 0, upper_at = 0;
    for (long i = 0; i < NRAND / 2; i++) {
        double z = i & 1 ? uniform(-37.5, 8.3) : uniform(-3, 3);
        long double want = 0.5L * erfcl(-(long double)z / sqrtl(2.0L));
        double got = fc_norm_cdf(z);
        double e = (double)(z < 0 ? fabsl(got - want) / want : fabsl(got - want));
        if (z < 0 && e > lower) {
            lower = e;
            lower_at = z;
        } else if (z >= 0 && e > upper) {
            upper = e;
            upper_at = z;
        }
    }
    printf("# norm_cdf: largest relative error below the median %.3g (at %.17g), absolute above %.3g (at %.17g)\n",
           lower, lower_at, upper, upper_at);
    assert_true(lower <= 3e-14);
    assert_true(upper <= 8e-16);
    assert_true(fc_norm_cdf(0.0) == 0.5 && fc_norm_cdf(9.0) == 1.0 && fc_norm_cdf(-40.0) == 0.0);
    assert_true(isnan(fc_norm_cdf(NAN)));
}

static void test_special(void **state)
{
    (void)state;
    assert_true(isinf(fc_log(0.0)) && fc_log(0.0) < 0);
    assert_true(isinf(fc_log(-0.0)) && fc_log(-0.0) < 0);
    assert_true(isnan(fc_log(-1.0)));
    assert_true(isnan(fc_log(NAN)));
    assert_true(isinf(fc_log(INFINITY)) && fc_log(INFINITY) > 0);
    assert_true(fc_log(1.0) == 0.0);
    assert_true(fc_log1p(0.0) == 0.0 && fc_log1p(1e-300) == 1e-300);
    assert_true(isinf(fc_log1p(-1.0)) && fc_log1p(-1.0) < 0);
    assert_true(isnan(fc_log1p(-2.0)));
    assert_true(fc_exp(0.0) == 1.0);
    assert_true(isinf(fc_exp(710.0)) && isinf(fc_exp(INFINITY)));
    assert_true(fc_exp(-INFINITY) == 0.0 && fc_exp(-746.0) == 0.0);
    assert_true(fc_exp(-745.0) > 0.0);
    assert_true(isnan(fc_exp(NAN)));
    assert_true(fc_expm1(0.0) == 0.0 && fc_expm1(-1000.0) == -1.0);
    assert_true(fc_expm1(1e-300) == 1e-300);
    assert_true(isinf(fc_expm1(710.0)));
    /* the largest and least arguments: DBL_MAX's log, the subnormals' */
    assert_true(ulps(fc_log(DBL_MAX), logl((long double)DBL_MAX)) <= LOG_ULP);
    assert_true(ulps(fc_log(0x1p-1074), logl(0x1p-1074L)) <= LOG_ULP);
    assert_true(ulps(fc_exp(709.78), expl((long double)709.78)) <= EXP_ULP);
}

/* Non-decreasing across the joints of the reduction: each table interval's
 * ends and the near-1 range's, the exponent steps, and exp's N-ths of ln 2. */
static void test_monotone(void **state)
{
    (void)state;
    for (int j = 0; j <= 128; j++) {
        double edge = 1.0 + j / 128.0;
        for (int scale = -3; scale <= 3; scale++) {
            double x = ldexp(edge, scale);
            double a = nextafter(x, 0), b = nextafter(x, INFINITY);
            assert_true(fc_log(a) <= fc_log(x) && fc_log(x) <= fc_log(b));
        }
    }
    const double near_edges[] = {15.0 / 16, 17.0 / 16, 1.0};
    for (int i = 0; i < 3; i++) {
        double x = near_edges[i];
        for (int s = 0; s < 64; s++) {
            double a = x, b = nextafter(x, INFINITY);
            assert_true(fc_log(a) <= fc_log(b));
            assert_true(fc_log1p(a - 1) <= fc_log1p(b - 1));
            x = a == x ? nextafter(x, 0) : x;
        }
    }
    for (int n = -2000; n <= 2000; n++) {
        double x = n * (0.6931471805599453 / 128) + 0.5 * (0.6931471805599453 / 128);
        double a = nextafter(x, -INFINITY), b = nextafter(x, INFINITY);
        assert_true(fc_exp(a) <= fc_exp(x) && fc_exp(x) <= fc_exp(b));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_against_mpmath), cmocka_unit_test(test_log),     cmocka_unit_test(test_log1p),
        cmocka_unit_test(test_exp),            cmocka_unit_test(test_expm1),   cmocka_unit_test(test_pow),
        cmocka_unit_test(test_sinpi),          cmocka_unit_test(test_norm_cdf),
        cmocka_unit_test(test_special),        cmocka_unit_test(test_monotone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
