/* stat_check: statistics for the tests (see stat_check.h). Algorithms from the
 * literature: Stirling's series for log-gamma, the series and Lentz continued
 * fraction for the incomplete gamma and beta functions (as presented in
 * Numerical Recipes, ch. 6), Loader's saddle-point pmfs ("Fast and accurate
 * computation of binomial probabilities", 2000), Kolmogorov's limit law with
 * Stephens' finite-n correction (1970). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "support/stat_check.h"

#define LOG_SQRT_2PI 0.91893853320467274178 /* log(sqrt(2 pi)) */
#define PI 3.14159265358979323846
#define EPS 1e-16
#define TINY 1e-300

void sc_assert_close(double actual, double expected, double abs_tol,
                     double rel_tol, const char *expr, const char *file,
                     int line)
{
    if (isnan(actual) && isnan(expected))
        return;
    if (isinf(expected) && actual == expected)
        return;
    double tol = fmax(abs_tol, rel_tol * fabs(expected));
    double diff = fabs(actual - expected);
    if (diff <= tol) /* false for NaN, so a NaN actual fails */
        return;
    print_error("%s: got %.17g, expected %.17g (difference %.3g, tolerance "
                "%.3g = max(abs %.3g, rel %.3g))\n",
                expr, actual, expected, diff, tol, abs_tol, rel_tol);
    _fail(file, line);
}

void sc_assert_p_above(double p, double p_min, const char *label,
                       const char *file, int line)
{
    /* SC_VERBOSE=1 lists every p-value, to see how close a run came */
    if (getenv("SC_VERBOSE"))
        print_message("  p = %-12.4g %s\n", p, label);
    if (p > p_min)
        return;
    print_error("%s: p-value %.6g is not above %.3g\n", label, p, p_min);
    _fail(file, line);
}

/* Stirling's series for log Gamma(x) - ((x - 1/2) log x - x + log sqrt(2pi)),
 * valid (to a few ulps) for x >= 15: the first omitted term is below 1e-17. */
static double stirling_tail(double x)
{
    double r = 1.0 / x, r2 = r * r;
    return r * (1.0 / 12 - r2 * (1.0 / 360 - r2 * (1.0 / 1260 - r2 *
               (1.0 / 1680 - r2 * (1.0 / 1188 - r2 * (691.0 / 360360))))));
}

double sc_lgamma(double x)
{
    if (!(x > 0))
        return NAN;
    /* Shift x up to 15 with Gamma(x) = Gamma(x + k) / (x (x+1) ... (x+k-1)):
     * the product of at most 15 terms is exact to a few ulps, and the series
     * is then accurate. */
    double prod = 1.0;
    while (x < 15) {
        prod *= x;
        x += 1;
    }
    return (x - 0.5) * log(x) - x + LOG_SQRT_2PI + stirling_tail(x) - log(prod);
}

double sc_lbeta(double a, double b)
{
    return sc_lgamma(a) + sc_lgamma(b) - sc_lgamma(a + b);
}

double sc_stirlerr(double n)
{
    if (n >= 15)
        return stirling_tail(n);
    /* lgamma(n+1) - (n+1/2) log n + n - log sqrt(2 pi) = stirling_tail(n) holds
     * for all n > 0; below 15 compute it from log-gamma (values are O(1), so
     * little cancels). */
    return sc_lgamma(n + 1) - (n + 0.5) * log(n) + n - LOG_SQRT_2PI;
}

/* exp(-x + a log x - lgamma(a)): the common factor of P and Q. */
static double gamma_front(double a, double x)
{
    return exp(-x + a * log(x) - sc_lgamma(a));
}

/* P(a, x) by its power series; converges fast for x < a + 1. */
static double gamma_series(double a, double x)
{
    double term = 1.0 / a, sum = term;
    for (int n = 1; n < 100000; n++) {
        term *= x / (a + n);
        sum += term;
        if (fabs(term) < fabs(sum) * EPS)
            break;
    }
    return sum * gamma_front(a, x);
}

/* Q(a, x) by its continued fraction (modified Lentz); converges fast for
 * x > a + 1. */
static double gamma_cf(double a, double x)
{
    double b = x + 1 - a, c = 1.0 / TINY, d = 1.0 / b, h = d;
    for (int i = 1; i < 100000; i++) {
        double an = -i * (i - a);
        b += 2;
        d = an * d + b;
        if (fabs(d) < TINY)
            d = TINY;
        c = b + an / c;
        if (fabs(c) < TINY)
            c = TINY;
        d = 1.0 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1) < EPS)
            break;
    }
    return gamma_front(a, x) * h;
}

double sc_gamma_p(double a, double x)
{
    if (!(a > 0) || isnan(x))
        return NAN;
    if (x <= 0)
        return 0;
    if (isinf(x))
        return 1;
    return x < a + 1 ? gamma_series(a, x) : 1 - gamma_cf(a, x);
}

double sc_gamma_q(double a, double x)
{
    if (!(a > 0) || isnan(x))
        return NAN;
    if (x <= 0)
        return 1;
    if (isinf(x))
        return 0;
    return x < a + 1 ? 1 - gamma_series(a, x) : gamma_cf(a, x);
}

/* Continued fraction of I_x(a, b) (modified Lentz); converges fast for
 * x < (a + 1) / (a + b + 2). */
static double beta_cf(double a, double b, double x)
{
    double qab = a + b, qap = a + 1, qam = a - 1;
    double d = 1 - qab * x / qap;
    if (fabs(d) < TINY)
        d = TINY;
    d = 1 / d;
    /* c carries over between iterations (Lentz), so its scope is the loop's
     * enclosing block */
    /* cppcheck-suppress variableScope */
    double c = 1, h = d;
    for (int m = 1; m < 1000000; m++) {
        int m2 = 2 * m;
        double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1 + aa * d;
        if (fabs(d) < TINY)
            d = TINY;
        c = 1 + aa / c;
        if (fabs(c) < TINY)
            c = TINY;
        d = 1 / d;
        h *= d * c;
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1 + aa * d;
        if (fabs(d) < TINY)
            d = TINY;
        c = 1 + aa / c;
        if (fabs(c) < TINY)
            c = TINY;
        d = 1 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1) < EPS)
            break;
    }
    return h;
}

double sc_beta_inc(double a, double b, double x)
{
    if (!(a > 0) || !(b > 0) || isnan(x))
        return NAN;
    if (x <= 0)
        return 0;
    if (x >= 1)
        return 1;
    /* Evaluate the fraction on the side where it converges; 1 - x is exact
     * for x >= 1/2 (Sterbenz), which is where the switch happens for small
     * shapes, so values near 1 keep their precision. */
    double y = 1 - x;
    if (x < (a + 1) / (a + b + 2)) {
        double front = exp(a * log(x) + b * log1p(-x) - sc_lbeta(a, b));
        return front * beta_cf(a, b, x) / a;
    }
    double front = exp(b * log(y) + a * log1p(-y) - sc_lbeta(a, b));
    return 1 - front * beta_cf(b, a, y) / b;
}

double sc_norm_cdf(double z)
{
    /* erfc keeps the lower tail's relative precision, where 1 + erf does not */
    return 0.5 * erfc(-z / sqrt(2.0));
}

double sc_normal_cdf(double x, double mean, double sd)
{
    return sc_norm_cdf((x - mean) / sd);
}

double sc_lognormal_cdf(double x, double mu, double sigma)
{
    if (x <= 0)
        return 0;
    return sc_norm_cdf((log(x) - mu) / sigma);
}

double sc_gamma_cdf(double x, double shape, double scale)
{
    return sc_gamma_p(shape, x / scale);
}

double sc_beta_cdf(double x, double a, double b)
{
    return sc_beta_inc(a, b, x);
}

double sc_uniform_cdf(double x, double lo, double hi)
{
    if (x <= lo)
        return 0;
    if (x >= hi)
        return 1;
    return (x - lo) / (hi - lo);
}

double sc_triangular_cdf(double x, double lo, double mode, double hi)
{
    if (x <= lo)
        return 0;
    if (x >= hi)
        return 1;
    /* the branch tests keep a mode at either end from dividing by zero */
    if (x < mode)
        return (x - lo) * (x - lo) / ((hi - lo) * (mode - lo));
    return 1 - (hi - x) * (hi - x) / ((hi - lo) * (hi - mode));
}

double sc_pert_cdf(double x, double lo, double mode, double hi)
{
    double w = hi - lo;
    return sc_beta_inc(1 + 4 * (mode - lo) / w, 1 + 4 * (hi - mode) / w,
                       (x - lo) / w);
}

/* Loader's deviance term x log(x / np) + np - x, by a series when x is near
 * np (where the direct form cancels). */
static double bd0(double x, double np)
{
    if (fabs(x - np) < 0.1 * (x + np)) {
        double v = (x - np) / (x + np);
        double s = (x - np) * v, ej = 2 * x * v, v2 = v * v;
        for (int j = 1; j < 1000; j++) {
            ej *= v2;
            double s1 = s + ej / (2 * j + 1);
            if (s1 == s)
                return s;
            s = s1;
        }
        return s;
    }
    return x * log(x / np) + np - x;
}

double sc_pois_logpmf(double k, double mu)
{
    if (k < 0 || k != floor(k))
        return -INFINITY;
    if (mu == 0)
        return k == 0 ? 0 : -INFINITY;
    if (k == 0)
        return -mu;
    return -sc_stirlerr(k) - bd0(k, mu) - 0.5 * log(2 * PI * k);
}

double sc_binom_logpmf(double k, double n, double p)
{
    if (k < 0 || k > n || k != floor(k))
        return -INFINITY;
    double q = 1 - p;
    if (p == 0)
        return k == 0 ? 0 : -INFINITY;
    if (p == 1)
        return k == n ? 0 : -INFINITY;
    /* log q as log1p(-p) keeps precision when p is tiny; when p > 1/2, q is
     * exact and log(q) is better */
    double logq = p < 0.5 ? log1p(-p) : log(q);
    double logp = p > 0.5 ? log1p(-q) : log(p);
    if (k == 0)
        return n * logq;
    if (k == n)
        return n * logp;
    return sc_stirlerr(n) - sc_stirlerr(k) - sc_stirlerr(n - k) -
           bd0(k, n * p) - bd0(n - k, n * q) +
           0.5 * log(n / (2 * PI * k * (n - k)));
}

double sc_pois_mass(double mu, double lo, double hi)
{
    if (lo < 0)
        lo = 0;
    double sum = 0, f = 0;
    unsigned step = 0;
    for (double k = lo; k <= hi; k++, step++) {
        if (step % 1024 == 0 || f < 1e-280)
            f = exp(sc_pois_logpmf(k, mu));
        else
            f *= mu / k; /* f(k) = f(k-1) mu / k */
        sum += f;
    }
    return sum;
}

double sc_binom_mass(double n, double p, double lo, double hi)
{
    if (lo < 0)
        lo = 0;
    if (hi > n)
        hi = n;
    double sum = 0, f = 0, ratio = p / (1 - p);
    unsigned step = 0;
    for (double k = lo; k <= hi; k++, step++) {
        if (step % 1024 == 0 || f < 1e-280 || p == 1)
            f = exp(sc_binom_logpmf(k, n, p));
        else
            f *= (n - k + 1) / k * ratio; /* f(k)/f(k-1) */
        sum += f;
    }
    return sum;
}

double sc_kolmogorov_q(double t)
{
    if (!(t > 0))
        return isnan(t) ? NAN : 1;
    if (t < 1.18) {
        /* Jacobi theta form: converges fast where the alternating series is
         * slow. P(K <= t) = sqrt(2 pi)/t sum exp(-(2k-1)^2 pi^2 / (8 t^2)). */
        double s = 0, w = PI * PI / (8 * t * t);
        for (int k = 1; k < 20; k++) {
            double e = (2 * k - 1) * (2 * k - 1);
            s += exp(-e * w);
        }
        return 1 - sqrt(2 * PI) / t * s;
    }
    double s = 0;
    for (int k = 1; k < 100; k++) {
        double term = exp(-2.0 * k * k * t * t);
        s += (k % 2 ? term : -term);
        if (term < 1e-300)
            break;
    }
    return fmin(1, 2 * s);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double sc_ks_test(double *x, size_t n, sc_cdf_fn cdf, const void *ctx,
                  double *d_out)
{
    if (d_out)
        *d_out = NAN;
    if (n == 0)
        return NAN;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i])) {
            print_error("sc_ks_test: sample %zu is %g\n", i, x[i]);
            return 0;
        }
    qsort(x, n, sizeof *x, cmp_double);
    double d = 0, dn = (double)n;
    for (size_t i = 0; i < n;) {
        size_t j = i; /* the tie block x[i..j-1] */
        while (j < n && x[j] == x[i])
            j++;
        double below = cdf(nextafter(x[i], -INFINITY), ctx);
        double above = cdf(nextafter(x[i], INFINITY), ctx);
        d = fmax(d, fmax((double)j / dn - above, below - (double)i / dn));
        i = j;
    }
    if (d_out)
        *d_out = d;
    double sn = sqrt(dn);
    return sc_kolmogorov_q(d * (sn + 0.12 + 0.11 / sn));
}

double sc_chisq_sf(double x, double df)
{
    return sc_gamma_q(df / 2, x / 2);
}

double sc_chisq_test(const double *observed, const double *expected, size_t k,
                     int ddof, double *stat_out, double *df_out)
{
    double stat = 0, o = 0, e = 0, last_o = 0, last_e = 0;
    int cells = 0;
    for (size_t i = 0; i < k; i++) {
        o += observed[i];
        e += expected[i];
        if (e >= 5) {
            if (cells > 0)
                stat += (last_o - last_e) * (last_o - last_e) / last_e;
            last_o = o;
            last_e = e;
            cells++;
            o = e = 0;
        }
    }
    /* cells still short of 5 at the end join the last full cell */
    if (cells > 0) {
        last_o += o;
        last_e += e;
        stat += (last_o - last_e) * (last_o - last_e) / last_e;
    }
    double df = cells - 1 - ddof;
    if (stat_out)
        *stat_out = stat;
    if (df_out)
        *df_out = df;
    if (df < 1) {
        print_error("sc_chisq_test: %d cells with expectation >= 5: no test\n",
                    cells);
        return NAN;
    }
    return sc_chisq_sf(stat, df);
}
