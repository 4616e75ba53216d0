/* Tests of core/dist: every sampler against its exact distribution in each of
 * its regimes (KS against the exact CDF for continuous laws, chi-square
 * against the exact pmf for discrete ones), the sample mean and variance
 * against fc_dist_mean / fc_dist_var (which are themselves checked against
 * the textbook formulas), exact edge cases, and fc_dist_check's messages.
 *
 * Thresholds. Every statistical check asserts p > P_MIN = 1e-10, or |z| <
 * Z_MAX = 6.5 (two-sided normal p = 8e-11). There are about 200 checks, so a
 * correct sampler fails the file with probability about 200 x 1e-10 = 2e-8:
 * 50 times below the one-in-a-million target, a margin for the normal and
 * chi-square approximations being less exact that far in their tails. The
 * sample variance of a very heavy-tailed law (gamma shape 0.01: excess
 * kurtosis 600) is itself skewed, so its z-test is allowed Z_VAR_HEAVY = 8.
 * Seeds are fixed (each regime its own keyed stream), so a run is
 * reproducible and independent of test order.
 *
 * Power: 200k draws per regime; KS then detects a CDF error of about 0.006
 * anywhere, the binned chi-square a 2-3% error in the mass of a cell, and the
 * mean test a bias of 0.015 standard deviations.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "dist.h"
#include "rng.h"
#include "support/stat_check.h"

#define P_MIN 1e-10
#define Z_MAX 6.5
#define Z_VAR_HEAVY 8.0
#define SEED 20240601u
#define N_SAMPLES 200000
#define N_DIRECT 100000

static double xs[N_SAMPLES];
static uint64_t ks[N_SAMPLES];

static void stream_for(fc_pcg32 *r, const char *regime)
{
    fc_rng_stream(r, SEED, 0, fc_rng_key(regime));
}

/* ---- exact moments, written independently of core/dist ---------------- */

typedef struct moments {
    double mean, var, mu4; /* mu4: 4th central moment */
} moments;

static moments beta_moments(double a, double b, double lo, double w)
{
    double s = a + b;
    double var = a * b / (s * s * (s + 1));
    double ex = 6 * ((a - b) * (a - b) * (s + 1) - a * b * (s + 2)) /
                (a * b * (s + 2) * (s + 3));
    moments m = {lo + w * a / s, w * w * var, 0};
    m.mu4 = m.var * m.var * (3 + ex);
    return m;
}

static moments exact_moments(const fc_dist *d)
{
    const double *p = d->p;
    moments m = {0, 0, 0};
    switch (d->kind) {
    case FC_DIST_FIXED:
        m.mean = p[0];
        break;
    case FC_DIST_UNIFORM:
        m.mean = (p[0] + p[1]) / 2;
        m.var = (p[1] - p[0]) * (p[1] - p[0]) / 12;
        m.mu4 = m.var * m.var * 9 / 5;
        break;
    case FC_DIST_NORMAL:
        m.mean = p[0];
        m.var = p[1] * p[1];
        m.mu4 = 3 * m.var * m.var;
        break;
    case FC_DIST_LOGNORMAL: {
        double s2 = p[1] * p[1];
        m.mean = exp(p[0] + s2 / 2);
        m.var = expm1(s2) * exp(2 * p[0] + s2);
        m.mu4 = m.var * m.var *
                (exp(4 * s2) + 2 * exp(3 * s2) + 3 * exp(2 * s2) - 3);
        break;
    }
    case FC_DIST_GAMMA:
        m.mean = p[0] * p[1];
        m.var = p[0] * p[1] * p[1];
        m.mu4 = m.var * m.var * (3 + 6 / p[0]);
        break;
    case FC_DIST_BETA:
        m = beta_moments(p[0], p[1], 0, 1);
        break;
    case FC_DIST_TRIANGULAR: {
        double a = p[0], c = p[1], b = p[2];
        m.mean = (a + b + c) / 3;
        m.var = (a * a + b * b + c * c - a * b - a * c - b * c) / 18;
        m.mu4 = m.var * m.var * 12 / 5;
        break;
    }
    case FC_DIST_PERT: {
        double w = p[2] - p[0];
        m = beta_moments(1 + 4 * (p[1] - p[0]) / w, 1 + 4 * (p[2] - p[1]) / w,
                         p[0], w);
        break;
    }
    case FC_DIST_POISSON:
        m.mean = p[0];
        m.var = p[0];
        m.mu4 = p[0] + 3 * p[0] * p[0];
        break;
    case FC_DIST_BINOMIAL: {
        double n = (double)d->n, q = 1 - p[0];
        m.mean = n * p[0];
        m.var = n * p[0] * q;
        m.mu4 = m.var * (1 + 3 * p[0] * q * (n - 2));
        break;
    }
    default:
        fail_msg("unknown kind %d", (int)d->kind);
    }
    return m;
}

static double dist_cdf(double x, const void *ctx)
{
    const fc_dist *d = ctx;
    const double *p = d->p;
    switch (d->kind) {
    case FC_DIST_UNIFORM:
        return sc_uniform_cdf(x, p[0], p[1]);
    case FC_DIST_NORMAL:
        return sc_normal_cdf(x, p[0], p[1]);
    case FC_DIST_LOGNORMAL:
        return sc_lognormal_cdf(x, p[0], p[1]);
    case FC_DIST_GAMMA:
        return sc_gamma_cdf(x, p[0], p[1]);
    case FC_DIST_BETA:
        return sc_beta_cdf(x, p[0], p[1]);
    case FC_DIST_TRIANGULAR:
        return sc_triangular_cdf(x, p[0], p[1], p[2]);
    case FC_DIST_PERT:
        return sc_pert_cdf(x, p[0], p[1], p[2]);
    default:
        return NAN;
    }
}

/* Support of the law, for the hard bounds every draw must respect. */
static void support(const fc_dist *d, double *lo, double *hi)
{
    const double *p = d->p;
    *lo = -INFINITY;
    *hi = INFINITY;
    switch (d->kind) {
    case FC_DIST_UNIFORM:
        *lo = p[0];
        *hi = p[1];
        break;
    case FC_DIST_LOGNORMAL:
    case FC_DIST_GAMMA:
        *lo = 0;
        break;
    case FC_DIST_BETA:
        *lo = 0;
        *hi = 1;
        break;
    case FC_DIST_TRIANGULAR:
    case FC_DIST_PERT:
        *lo = p[0];
        *hi = p[2];
        break;
    default:
        break;
    }
}

/* fc_dist_mean / fc_dist_var agree with the formulas above. */
static moments checked_moments(const fc_dist *d)
{
    moments m = exact_moments(d);
    assert_close(fc_dist_mean(d), m.mean, 1e-300, 1e-12);
    assert_close(fc_dist_var(d), m.var, 1e-300, 1e-12);
    return m;
}

/* z-tests of the sample mean and variance of x[0..n-1] (shifted by the exact
 * mean first, so large offsets lose no digits). var's standard error is
 * sqrt((mu4 - var^2) / n), exact to O(1/n^2). */
static void check_mean_var(const char *label, const double *dev, size_t n,
                           const moments *m, double z_var_max)
{
    double s1 = 0, s2 = 0;
    for (size_t i = 0; i < n; i++) {
        s1 += dev[i];
        s2 += dev[i] * dev[i];
    }
    double dn = (double)n;
    double mean_dev = s1 / dn;
    double var = (s2 - s1 * s1 / dn) / (dn - 1);
    double z_mean = mean_dev / sqrt(m->var / dn);
    double z_var = (var - m->var) / sqrt((m->mu4 - m->var * m->var) / dn);
    if (!(fabs(z_mean) < Z_MAX) || !(fabs(z_var) < z_var_max)) {
        print_error("%s: mean %.10g (exact %.10g, z = %.2f), variance %.10g "
                    "(exact %.10g, z = %.2f)\n",
                    label, m->mean + mean_dev, m->mean, z_mean, var, m->var,
                    z_var);
        fail();
    }
}

/* ---- continuous laws via fc_dist_draw ---------------------------------- */

typedef struct cregime {
    const char *label;
    fc_dist d;
    int check_var; /* 0 when the 8th moment is too wild for a z-test */
    double z_var;
} cregime;

static void run_continuous(const cregime *g)
{
    fc_pcg32 r;
    stream_for(&r, g->label);
    double lo, hi;
    support(&g->d, &lo, &hi);
    char err[256];
    assert_int_equal(fc_dist_check(&g->d, err, sizeof err), 0);
    moments m = checked_moments(&g->d);
    for (size_t i = 0; i < N_SAMPLES; i++) {
        xs[i] = fc_dist_draw(&g->d, &r);
        if (!(xs[i] >= lo && xs[i] <= hi)) {
            print_error("%s: draw %zu = %.17g outside [%g, %g]\n", g->label, i,
                        xs[i], lo, hi);
            fail();
        }
    }
    /* KS first (it sorts in place, which the moment sums do not mind) */
    double d;
    double p = sc_ks_test(xs, N_SAMPLES, dist_cdf, &g->d, &d);
    if (!(p > P_MIN))
        print_error("%s: KS D = %.5g\n", g->label, d);
    assert_p_above(p, P_MIN, g->label);
    for (size_t i = 0; i < N_SAMPLES; i++)
        xs[i] -= m.mean;
    if (g->check_var)
        check_mean_var(g->label, xs, N_SAMPLES, &m, g->z_var);
    else {
        moments loose = m;
        loose.mu4 = INFINITY; /* mean only */
        check_mean_var(g->label, xs, N_SAMPLES, &loose, INFINITY);
    }
}

#define CONT(lbl, k, a, b, c) {lbl, {k, {a, b, c}, 0}, 1, 7.0}

static void test_normal(void **state)
{
    (void)state;
    const cregime g[] = {
        CONT("normal(0, 1)", FC_DIST_NORMAL, 0, 1, 0),
        CONT("normal(-3, 250)", FC_DIST_NORMAL, -3, 250, 0),
    };
    for (size_t i = 0; i < sizeof g / sizeof g[0]; i++)
        run_continuous(&g[i]);
}

static void test_lognormal(void **state)
{
    (void)state;
    cregime g[] = {
        CONT("lognormal(3, 0.25)", FC_DIST_LOGNORMAL, 3, 0.25, 0),
        CONT("lognormal(-1, 1)", FC_DIST_LOGNORMAL, -1, 1, 0),
    };
    /* sigma = 1: the sample variance's own variance needs the 8th moment
     * (e^32-ish): no z-test for it; KS and the mean still apply */
    g[1].check_var = 0;
    for (size_t i = 0; i < sizeof g / sizeof g[0]; i++)
        run_continuous(&g[i]);
}

static void test_gamma(void **state)
{
    (void)state;
    cregime g[] = {
        CONT("gamma(0.01, 3)", FC_DIST_GAMMA, 0.01, 3, 0),
        CONT("gamma(0.3, 0.5)", FC_DIST_GAMMA, 0.3, 0.5, 0),
        CONT("gamma(1, 2)", FC_DIST_GAMMA, 1, 2, 0),
        CONT("gamma(2.5, 1)", FC_DIST_GAMMA, 2.5, 1, 0),
        CONT("gamma(100, 0.01)", FC_DIST_GAMMA, 100, 0.01, 0),
    };
    g[0].z_var = Z_VAR_HEAVY;
    for (size_t i = 0; i < sizeof g / sizeof g[0]; i++)
        run_continuous(&g[i]);
}

static void test_beta(void **state)
{
    (void)state;
    const cregime g[] = {
        CONT("beta(0.01, 0.01)", FC_DIST_BETA, 0.01, 0.01, 0),
        CONT("beta(0.5, 0.5)", FC_DIST_BETA, 0.5, 0.5, 0),
        CONT("beta(2, 3)", FC_DIST_BETA, 2, 3, 0),
        CONT("beta(30, 970)", FC_DIST_BETA, 30, 970, 0),
        CONT("beta(0.3, 5)", FC_DIST_BETA, 0.3, 5, 0),
        CONT("beta(5, 0.3)", FC_DIST_BETA, 5, 0.3, 0),
        CONT("beta(1000, 2000)", FC_DIST_BETA, 1000, 2000, 0),
    };
    for (size_t i = 0; i < sizeof g / sizeof g[0]; i++)
        run_continuous(&g[i]);
}

static void test_uniform_triangular_pert(void **state)
{
    (void)state;
    const cregime g[] = {
        CONT("uniform(-2, 5)", FC_DIST_UNIFORM, -2, 5, 0),
        CONT("triangular(0, 1, 4)", FC_DIST_TRIANGULAR, 0, 1, 4),
        CONT("triangular(0, 0, 2)", FC_DIST_TRIANGULAR, 0, 0, 2),
        CONT("triangular(1, 3, 3)", FC_DIST_TRIANGULAR, 1, 3, 3),
        CONT("pert(1, 2, 6)", FC_DIST_PERT, 1, 2, 6),
        CONT("pert(0, 0, 10)", FC_DIST_PERT, 0, 0, 10),
        CONT("pert(10, 50, 1000)", FC_DIST_PERT, 10, 50, 1000),
    };
    for (size_t i = 0; i < sizeof g / sizeof g[0]; i++)
        run_continuous(&g[i]);
}

/* The direct samplers (what fc_dist_draw is built on and what the engine may
 * call), KS only. */
static double cdf_gamma1(double x, const void *ctx)
{
    return sc_gamma_cdf(x, *(const double *)ctx, 1);
}

static void test_direct_continuous(void **state)
{
    (void)state;
    fc_pcg32 r;
    fc_dist d;

    stream_for(&r, "fc_rnorm");
    for (size_t i = 0; i < N_DIRECT; i++)
        xs[i] = fc_rnorm(&r);
    d = (fc_dist){FC_DIST_NORMAL, {0, 1, 0}, 0};
    assert_p_above(sc_ks_test(xs, N_DIRECT, dist_cdf, &d, NULL), P_MIN,
                   "fc_rnorm");

    stream_for(&r, "fc_rlognormal");
    for (size_t i = 0; i < N_DIRECT; i++)
        xs[i] = fc_rlognormal(&r, 0.5, 0.7);
    d = (fc_dist){FC_DIST_LOGNORMAL, {0.5, 0.7, 0}, 0};
    assert_p_above(sc_ks_test(xs, N_DIRECT, dist_cdf, &d, NULL), P_MIN,
                   "fc_rlognormal(0.5, 0.7)");

    static const double shapes[] = {0.05, 0.999, 1.001, 3};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        char label[64];
        snprintf(label, sizeof label, "fc_rgamma(%g)", shapes[s]);
        stream_for(&r, label);
        for (size_t i = 0; i < N_DIRECT; i++)
            xs[i] = fc_rgamma(&r, shapes[s]);
        assert_p_above(
            sc_ks_test(xs, N_DIRECT, cdf_gamma1, &shapes[s], NULL), P_MIN,
            label);
    }

    stream_for(&r, "fc_rbeta");
    for (size_t i = 0; i < N_DIRECT; i++)
        xs[i] = fc_rbeta(&r, 0.2, 0.7);
    d = (fc_dist){FC_DIST_BETA, {0.2, 0.7, 0}, 0};
    assert_p_above(sc_ks_test(xs, N_DIRECT, dist_cdf, &d, NULL), P_MIN,
                   "fc_rbeta(0.2, 0.7)");

    stream_for(&r, "fc_rtriangular");
    for (size_t i = 0; i < N_DIRECT; i++)
        xs[i] = fc_rtriangular(&r, -1, 2, 3);
    d = (fc_dist){FC_DIST_TRIANGULAR, {-1, 2, 3}, 0};
    assert_p_above(sc_ks_test(xs, N_DIRECT, dist_cdf, &d, NULL), P_MIN,
                   "fc_rtriangular(-1, 2, 3)");

    stream_for(&r, "fc_rpert");
    for (size_t i = 0; i < N_DIRECT; i++)
        xs[i] = fc_rpert(&r, 5, 9, 10);
    d = (fc_dist){FC_DIST_PERT, {5, 9, 10}, 0};
    assert_p_above(sc_ks_test(xs, N_DIRECT, dist_cdf, &d, NULL), P_MIN,
                   "fc_rpert(5, 9, 10)");
}

/* ---- discrete laws ------------------------------------------------------ */

static double law_mass(const fc_dist *d, double lo, double hi)
{
    if (d->kind == FC_DIST_POISSON)
        return sc_pois_mass(d->p[0], lo, hi);
    return sc_binom_mass((double)d->n, d->p[0], lo, hi);
}

/* Binned chi-square of counts x[0..n-1] against the exact pmf: a window of
 * mean +- 9 sd (+ 20, for small means' skewed tails) holds all but ~1e-18 of
 * the mass; one cell per value when the window is narrow, else 400 cells of
 * equal width, each cell's mass summed exactly; one more cell takes
 * everything outside the window. Cells are fixed before looking at the data,
 * so the test is valid. */
static double discrete_chisq(const char *label, const uint64_t *x, size_t n,
                             const fc_dist *d, const moments *m)
{
    enum { MAX_CELLS = 4000, WIDE_CELLS = 400 };
    static double obs[MAX_CELLS + 1], expd[MAX_CELLS + 1];
    double sd = sqrt(m->var);
    double top = d->kind == FC_DIST_BINOMIAL ? (double)d->n : INFINITY;
    double lo = fmax(0, floor(m->mean - 9 * sd - 20));
    double hi = fmin(top, ceil(m->mean + 9 * sd + 20));
    double span = hi - lo + 1;
    double width = span <= MAX_CELLS ? 1 : ceil(span / WIDE_CELLS);
    size_t cells = (size_t)ceil(span / width);
    double inside = 0;
    for (size_t c = 0; c < cells; c++) {
        double a = lo + (double)c * width, b = fmin(hi, a + width - 1);
        expd[c] = law_mass(d, a, b);
        inside += expd[c];
        obs[c] = 0;
    }
    /* the outside cell; 1 - inside may round below 0 */
    expd[cells] = fmax(0, 1 - inside);
    obs[cells] = 0;
    uint64_t ilo = (uint64_t)lo, ihi = (uint64_t)hi, iw = (uint64_t)width;
    for (size_t i = 0; i < n; i++) {
        if (x[i] < ilo || x[i] > ihi)
            obs[cells]++;
        else
            obs[(x[i] - ilo) / iw]++;
    }
    for (size_t c = 0; c <= cells; c++)
        expd[c] *= (double)n;
    double stat, df;
    double p = sc_chisq_test(obs, expd, cells + 1, 0, &stat, &df);
    if (!(p > P_MIN))
        print_error("%s: chi-square %.1f on %.0f df (window [%.0f, %.0f], "
                    "cell width %.0f, %.0f draws outside)\n",
                    label, stat, df, lo, hi, width, obs[cells]);
    return p;
}

/* x mod 64 is uniform (to within exp(-2 pi^2 sd^2 / 64^2)) when sd >= 100:
 * catches outputs that are not exact integers of the law (a sampler that
 * rounds through a coarse grid, or only hits even numbers). */
static double low_bits_chisq(const uint64_t *x, size_t n)
{
    double obs[64] = {0}, expd[64];
    for (size_t i = 0; i < n; i++)
        obs[x[i] & 63]++;
    for (int c = 0; c < 64; c++)
        expd[c] = (double)n / 64;
    return sc_chisq_test(obs, expd, 64, 0, NULL, NULL);
}

static void check_discrete_sample(const char *label, const uint64_t *x,
                                  size_t n, const fc_dist *d)
{
    moments m = checked_moments(d);
    for (size_t i = 0; i < n; i++) {
        if (d->kind == FC_DIST_BINOMIAL && x[i] > d->n) {
            print_error("%s: draw %zu = %llu > n\n", label, i,
                        (unsigned long long)x[i]);
            fail();
        }
        xs[i] = (double)x[i] - m.mean;
    }
    assert_p_above(discrete_chisq(label, x, n, d, &m), P_MIN, label);
    check_mean_var(label, xs, n, &m, 7.0);
    if (m.var >= 100 * 100) {
        char l2[128];
        snprintf(l2, sizeof l2, "%s, values mod 64", label);
        assert_p_above(low_bits_chisq(x, n), P_MIN, l2);
    }
}

static void run_poisson(double mu)
{
    char label[64];
    snprintf(label, sizeof label, "poisson(%g)", mu);
    fc_pcg32 r;
    stream_for(&r, label);
    fc_dist d = {FC_DIST_POISSON, {mu, 0, 0}, 0};
    char err[256];
    assert_int_equal(fc_dist_check(&d, err, sizeof err), 0);
    for (size_t i = 0; i < N_SAMPLES; i++)
        ks[i] = fc_rpois(&r, mu);
    check_discrete_sample(label, ks, N_SAMPLES, &d);
}

static void run_binomial(uint64_t n, double p)
{
    char label[64];
    snprintf(label, sizeof label, "binomial(%llu, %g)", (unsigned long long)n,
             p);
    fc_pcg32 r;
    stream_for(&r, label);
    fc_dist d = {FC_DIST_BINOMIAL, {p, 0, 0}, n};
    char err[256];
    assert_int_equal(fc_dist_check(&d, err, sizeof err), 0);
    for (size_t i = 0; i < N_SAMPLES; i++)
        ks[i] = fc_rbinom(&r, n, p);
    check_discrete_sample(label, ks, N_SAMPLES, &d);
}

static void test_poisson(void **state)
{
    (void)state;
    /* small means (inversion), both sides of a usual switch-over at 10, a
     * middle and the huge means the header promises */
    static const double mus[] = {0.5, 3, 9.9, 10, 10.1, 50, 1e4, 1e9, 1e12};
    for (size_t i = 0; i < sizeof mus / sizeof mus[0]; i++)
        run_poisson(mus[i]);
}

static void test_binomial(void **state)
{
    (void)state;
    static const struct {
        uint64_t n;
        double p;
    } g[] = {
        {3, 0.5},      {20, 0.9},          {1000, 0.5},       {1000000000, 0.3},
        {20000000, 1e-6}, {1000000, 0.999999}, {100, 0.02},  {1000, 0.01},
        {30, 0.35},    {50, 0.7},          {10000, 0.0031},   {1000, 0.00999},
        {123456789012345, 0.4999999}, {FC_BINOM_MAX_N, 0x1p-59},
        {FC_BINOM_MAX_N, 0x1.5p-59}, /* n p = 10.5: the split's widest shift */
        /* mode-centred inversion (10 <= n p, n p q <= 25): B1's last funnel
         * stage and churn, both ends of the range, p near 1/2 and above it
         * (the flip), n at the corr table's end, beyond it and beyond 2^40
         * (the exact split) */
        {72, 0.25},    {530, 0.03},        {100, 0.5},        {110, 0.3},
        {20, 0.5},     {30, 0.65},         {1000000, 0.00002}, {FC_BINOM_MAX_N, 0x1p-58},
        {1100, 0.022}, {1023, 0.025},
        /* BTRS just above the switch, and B1's other stages */
        {104, 0.5},    {240, 0.3},         {600, 0.4},        {20000, 0.03},
    };
    for (size_t i = 0; i < sizeof g / sizeof g[0]; i++)
        run_binomial(g[i].n, g[i].p);
}

/* Prepared samplers: the same law, and in fact the same draws, as the
 * one-shot calls on the same stream (a prepared sampler only computes ahead
 * what the one-shot call computes on the way), in every method's regime,
 * edges included; plus the full statistical check on prepared draws at large
 * n and mean, where the exact test's constants differ in when they are made. */
static void test_prepared(void **state)
{
    (void)state;
    static const struct {
        uint64_t n;
        double p;
    } g[] = {
        {0, 0.5},    {7, 0},        {7, 1},          {3, 0.5},        {4, 0.9},
        {20, 0.5},   {100, 0.02},   {1000, 0.00999}, {1000, 0.01},    {50, 0.7},
        {1000, 0.5}, {30, 0.35},    {1000000000, 0.3}, {20000000, 1e-6},
        {1000000000, 0.999},        {FC_BINOM_MAX_N, 0.5},
        {FC_BINOM_MAX_N, 0x1p-59},  {FC_BINOM_MAX_N - 1, 1.0 / 3},
        {123456789012345, 0.4999999}, {72, 0.25},  {530, 0.97},
        {100, 0.5},  {1000000, 0.00002}, {FC_BINOM_MAX_N, 0x1p-58},
    };
    for (size_t i = 0; i < sizeof g / sizeof g[0]; i++) {
        fc_binom_prep s;
        fc_binom_prep_init(&s, g[i].n, g[i].p);
        fc_pcg32 r1, r2;
        fc_rng_stream(&r1, SEED, i, 77);
        r2 = r1;
        for (int t = 0; t < 20000; t++) {
            uint64_t a = fc_rbinom(&r1, g[i].n, g[i].p);
            uint64_t b = fc_rbinom_prep(&r2, &s);
            if (a != b || a > g[i].n) {
                print_error("binomial(%llu, %g) draw %d: one-shot %llu, "
                            "prepared %llu\n", (unsigned long long)g[i].n,
                            g[i].p, t, (unsigned long long)a,
                            (unsigned long long)b);
                fail();
            }
        }
        assert_memory_equal(&r1, &r2, sizeof r1);
    }
    /* prepared for p alone, with n changing at every draw across every
     * method's range: the draws of fc_rbinom */
    static const double ps[] = {0, 1, 0.5, 0.25, 0.97, 0.03, 0.4, 1e-6, 0.999999};
    static const uint64_t ns[] = {0, 1, 4, 5, 30, 72, 100, 240, 530, 600, 1023, 1024,
                                  20000, 1000000, 1000000000, FC_BINOM_MAX_N};
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) {
        fc_binom_p s;
        fc_binom_p_init(&s, ps[i]);
        fc_pcg32 r1, r2;
        fc_rng_stream(&r1, SEED, i, 79);
        r2 = r1;
        for (int t = 0; t < 20000; t++) {
            uint64_t n = ns[(size_t)t % (sizeof ns / sizeof ns[0])];
            n -= n > 7 ? (uint64_t)(t % 7) : 0;
            uint64_t a = fc_rbinom(&r1, n, ps[i]);
            uint64_t b = fc_rbinom_p(&r2, &s, n);
            if (a != b || a > n) {
                print_error("binomial(%llu, %g) draw %d: one-shot %llu, "
                            "p-prepared %llu\n", (unsigned long long)n, ps[i], t,
                            (unsigned long long)a, (unsigned long long)b);
                fail();
            }
        }
        assert_memory_equal(&r1, &r2, sizeof r1);
    }
    static const double mus[] = {0, 0.5, 3, 9.9, 10, 10.1, 50, 1e4, 1e9, 1e12};
    for (size_t i = 0; i < sizeof mus / sizeof mus[0]; i++) {
        fc_pois_prep s;
        fc_pois_prep_init(&s, mus[i]);
        fc_pcg32 r1, r2;
        fc_rng_stream(&r1, SEED, i, 78);
        r2 = r1;
        for (int t = 0; t < 20000; t++) {
            uint64_t a = fc_rpois(&r1, mus[i]);
            uint64_t b = fc_rpois_prep(&r2, &s);
            if (a != b) {
                print_error("poisson(%g) draw %d: one-shot %llu, prepared "
                            "%llu\n", mus[i], t, (unsigned long long)a,
                            (unsigned long long)b);
                fail();
            }
        }
        assert_memory_equal(&r1, &r2, sizeof r1);
    }
    {
        fc_binom_prep s;
        fc_binom_prep_init(&s, 1000000000, 0.3);
        fc_pcg32 r;
        stream_for(&r, "prepared binomial(1e9, 0.3)");
        for (size_t i = 0; i < N_SAMPLES; i++)
            ks[i] = fc_rbinom_prep(&r, &s);
        fc_dist d = {FC_DIST_BINOMIAL, {0.3, 0, 0}, 1000000000};
        check_discrete_sample("prepared binomial(1e9, 0.3)", ks, N_SAMPLES, &d);
    }
    {
        /* p-prepared draws, n fixed: the law of Binomial(110, 0.3) */
        fc_binom_p s;
        fc_binom_p_init(&s, 0.3);
        fc_pcg32 r;
        stream_for(&r, "p-prepared binomial(110, 0.3)");
        for (size_t i = 0; i < N_SAMPLES; i++)
            ks[i] = fc_rbinom_p(&r, &s, 110);
        fc_dist d = {FC_DIST_BINOMIAL, {0.3, 0, 0}, 110};
        check_discrete_sample("p-prepared binomial(110, 0.3)", ks, N_SAMPLES, &d);
    }
    {
        fc_pois_prep s;
        fc_pois_prep_init(&s, 1e12);
        fc_pcg32 r;
        stream_for(&r, "prepared poisson(1e12)");
        for (size_t i = 0; i < N_SAMPLES; i++)
            ks[i] = fc_rpois_prep(&r, &s);
        fc_dist d = {FC_DIST_POISSON, {1e12, 0, 0}, 0};
        check_discrete_sample("prepared poisson(1e12)", ks, N_SAMPLES, &d);
    }
}

/* fc_dist_draw's Poisson and binomial (doubles) follow the same laws. */
static void test_discrete_via_dist_draw(void **state)
{
    (void)state;
    const fc_dist d[] = {
        {FC_DIST_POISSON, {7.5, 0, 0}, 0},
        {FC_DIST_BINOMIAL, {0.25, 0, 0}, 40},
    };
    for (size_t k = 0; k < 2; k++) {
        fc_pcg32 r;
        const char *label = k ? "dist_draw binomial(40, 0.25)"
                              : "dist_draw poisson(7.5)";
        stream_for(&r, label);
        for (size_t i = 0; i < N_SAMPLES; i++) {
            double v = fc_dist_draw(&d[k], &r);
            assert_true(v >= 0 && v == floor(v));
            ks[i] = (uint64_t)v;
        }
        check_discrete_sample(label, ks, N_SAMPLES, &d[k]);
    }
}

/* Binomial(2^62, 1/2): sd = 2^30. Draws are standardized exactly (in integer
 * arithmetic, then scaled) and binned by the exact CDF, which for p = 1/2 is
 * the continuity-corrected normal CDF to O(1/n) = 2e-19 (the skewness term of
 * the Edgeworth expansion vanishes when p = 1/2). Plus the mean, variance and
 * the low bits (above 2^53 a sampler working in doubles would return
 * multiples of 2^9). */
static void test_binomial_2_62(void **state)
{
    (void)state;
    enum { CELLS = 200 };
    const uint64_t n = FC_BINOM_MAX_N, half = n / 2;
    const double sd = 1073741824.0; /* sqrt(2^62 / 4) */
    fc_pcg32 r;
    stream_for(&r, "binomial(2^62, 0.5)");
    fc_dist d = {FC_DIST_BINOMIAL, {0.5, 0, 0}, n};
    char err[256];
    assert_int_equal(fc_dist_check(&d, err, sizeof err), 0);
    moments m = checked_moments(&d);
    /* cell edges: integers e_c with Phi((e_c - 1/2 - np)/sd) ~ c / CELLS */
    static double edge_z[CELLS + 1];
    for (int c = 0; c <= CELLS; c++)
        edge_z[c] = NAN;
    double obs[CELLS] = {0}, expd[CELLS];
    for (size_t i = 0; i < N_SAMPLES; i++) {
        ks[i] = fc_rbinom(&r, n, 0.5);
        assert_true(ks[i] <= n);
        int64_t dev = (int64_t)(ks[i] - half); /* exact, |dev| << 2^63 */
        xs[i] = (double)dev;
    }
    check_mean_var("binomial(2^62, 0.5)", xs, N_SAMPLES, &m, 7.0);
    /* standardized value of the upper edge of integer k: (k + 1/2 - np)/sd;
     * cells are [-inf, z1), [z1, z2), ... with z_c = Phi^-1(c / CELLS)
     * rounded to such edges. Phi^-1 by bisection on sc_norm_cdf. */
    for (int c = 1; c < CELLS; c++) {
        double a = -10, b = 10, target = (double)c / CELLS;
        for (int it = 0; it < 100; it++) {
            double mid = (a + b) / 2;
            if (sc_norm_cdf(mid) < target)
                a = mid;
            else
                b = mid;
        }
        /* the integer deviation whose upper edge is nearest */
        double k = floor(a * sd);
        edge_z[c] = (k + 0.5) / sd; /* a value v <= k falls below this edge */
    }
    for (int c = 0; c < CELLS; c++) {
        double lo = c == 0 ? 0 : sc_norm_cdf(edge_z[c]);
        double hi = c == CELLS - 1 ? 1 : sc_norm_cdf(edge_z[c + 1]);
        expd[c] = (hi - lo) * N_SAMPLES;
    }
    for (size_t i = 0; i < N_SAMPLES; i++) {
        /* first cell whose upper edge lies above the value: binary search */
        double v = xs[i] / sd;
        int a = 0, b = CELLS - 1;
        while (a < b) {
            int mid = (a + b) / 2;
            if (v < edge_z[mid + 1])
                b = mid;
            else
                a = mid + 1;
        }
        obs[a]++;
    }
    assert_p_above(sc_chisq_test(obs, expd, CELLS, 0, NULL, NULL), P_MIN,
                   "binomial(2^62, 0.5) standardized cells");
    assert_p_above(low_bits_chisq(ks, N_SAMPLES), P_MIN,
                   "binomial(2^62, 0.5) mod 64");
}

/* ---- multinomial -------------------------------------------------------- */

/* n = 6 over 3 cells: the exact joint law over all 28 outcomes. */
static void test_multinomial_joint(void **state)
{
    (void)state;
    const double prob[3] = {0.2, 0.5, 0.3};
    double obs[49] = {0}, expd[49] = {0};
    fc_pcg32 r;
    stream_for(&r, "multinomial(6; 0.2, 0.5, 0.3)");
    for (size_t i = 0; i < N_SAMPLES; i++) {
        uint64_t out[3];
        fc_rmultinom(&r, 6, 3, prob, out);
        assert_true(out[0] + out[1] + out[2] == 6);
        obs[out[0] * 7 + out[1]]++;
    }
    for (int a = 0; a <= 6; a++)
        for (int b = 0; a + b <= 6; b++) {
            int c = 6 - a - b;
            double lp = sc_lgamma(7) - sc_lgamma(a + 1) - sc_lgamma(b + 1) -
                        sc_lgamma(c + 1) + a * log(0.2) + b * log(0.5) +
                        c * log(0.3);
            expd[a * 7 + b] = exp(lp) * N_SAMPLES;
        }
    /* the 21 impossible cells expect 0 and see 0; they merge harmlessly */
    assert_p_above(sc_chisq_test(obs, expd, 49, 0, NULL, NULL), P_MIN,
                   "multinomial n = 6 joint");
}

/* Larger n: sums, zero cells, and each marginal Binomial(n, p_i). */
static void test_multinomial_marginals(void **state)
{
    (void)state;
    enum { K = 5, N = 100000 };
    const double prob[K] = {0.45, 0.0, 0.3, 1e-5, 0.25 - 1e-5};
    const uint64_t n = 1000000;
    static uint64_t cell[K][N];
    fc_pcg32 r;
    stream_for(&r, "multinomial(1e6; 5 cells)");
    for (size_t i = 0; i < N; i++) {
        uint64_t out[K];
        fc_rmultinom(&r, n, K, prob, out);
        uint64_t sum = 0;
        for (int k = 0; k < K; k++) {
            sum += out[k];
            cell[k][i] = out[k];
        }
        assert_true(sum == n);
        assert_true(out[1] == 0);
    }
    for (int k = 0; k < K; k++) {
        if (prob[k] == 0)
            continue;
        char label[64];
        snprintf(label, sizeof label, "multinomial marginal %d (p = %g)", k,
                 prob[k]);
        fc_dist d = {FC_DIST_BINOMIAL, {prob[k], 0, 0}, n};
        check_discrete_sample(label, cell[k], N, &d);
    }
    /* cells are negatively correlated: cov(X0, X2) = -n p0 p2 */
    double s = 0;
    for (size_t i = 0; i < N; i++)
        s += ((double)cell[0][i] - n * 0.45) * ((double)cell[2][i] - n * 0.3);
    double cov = s / N, want = -(double)n * 0.45 * 0.3;
    /* sd of the product of two correlated normals: sqrt(v0 v2 + cov^2) */
    double v0 = n * 0.45 * 0.55, v2 = n * 0.3 * 0.7;
    double z = (cov - want) / sqrt((v0 * v2 + want * want) / N);
    assert_true(fabs(z) < Z_MAX);
}

static void test_multinomial_edges(void **state)
{
    (void)state;
    fc_pcg32 r;
    stream_for(&r, "multinomial edges");
    uint64_t out[4];
    const double one[1] = {1};
    fc_rmultinom(&r, 12345, 1, one, out);
    assert_true(out[0] == 12345);
    const double p4[4] = {0.1, 0.2, 0.3, 0.4};
    fc_rmultinom(&r, 0, 4, p4, out);
    for (int k = 0; k < 4; k++)
        assert_true(out[k] == 0);
    /* probabilities that sum to 1 only within rounding: the last cell takes
     * the rest, the total is exact */
    const double thirds[3] = {1.0 / 3, 1.0 / 3, 1.0 / 3};
    const double point[4] = {0, 0, 1, 0};
    for (int t = 0; t < 1000; t++) {
        fc_rmultinom(&r, FC_BINOM_MAX_N, 3, thirds, out);
        assert_true(out[0] + out[1] + out[2] == FC_BINOM_MAX_N);
        fc_rmultinom(&r, 1000000007, 4, point, out);
        assert_true(out[0] == 0 && out[1] == 0 && out[3] == 0);
        assert_true(out[2] == 1000000007);
    }
}

/* ---- exact edge cases ---------------------------------------------------- */

static void test_discrete_edges(void **state)
{
    (void)state;
    fc_pcg32 r;
    stream_for(&r, "discrete edges");
    for (int t = 0; t < 1000; t++) {
        assert_true(fc_rbinom(&r, 0, 0.5) == 0);
        assert_true(fc_rbinom(&r, 0, 0) == 0);
        assert_true(fc_rbinom(&r, 12345, 0) == 0);
        assert_true(fc_rbinom(&r, 12345, 1) == 12345);
        assert_true(fc_rbinom(&r, FC_BINOM_MAX_N, 1) == FC_BINOM_MAX_N);
        assert_true(fc_rbinom(&r, FC_BINOM_MAX_N, 0) == 0);
        assert_true(fc_rpois(&r, 0) == 0);
    }
    /* result <= n for all regimes, p near 1 and near 0 included */
    static const double ps[] = {1e-12, 0.001, 0.3, 0.5, 0.7, 0.999, 1 - 1e-12};
    for (uint64_t n = 1; n <= 200; n += 7)
        for (size_t j = 0; j < sizeof ps / sizeof ps[0]; j++)
            for (int t = 0; t < 200; t++)
                assert_true(fc_rbinom(&r, n, ps[j]) <= n);
    const fc_dist fixed = {FC_DIST_FIXED, {2.75, 0, 0}, 0};
    for (int t = 0; t < 10; t++)
        assert_close(fc_dist_draw(&fixed, &r), 2.75, 0, 0);
    assert_close(fc_dist_mean(&fixed), 2.75, 0, 0);
    assert_close(fc_dist_var(&fixed), 0, 0, 0);
}

/* Same stream, same draws: samplers keep no hidden state. */
static void test_determinism(void **state)
{
    (void)state;
    const fc_dist ds[] = {
        {FC_DIST_GAMMA, {0.3, 2, 0}, 0},   {FC_DIST_BETA, {0.5, 0.5, 0}, 0},
        {FC_DIST_NORMAL, {1, 2, 0}, 0},    {FC_DIST_POISSON, {1e6, 0, 0}, 0},
        {FC_DIST_BINOMIAL, {0.4, 0, 0}, 1000000},
    };
    for (size_t k = 0; k < sizeof ds / sizeof ds[0]; k++) {
        double a[16], b[16];
        fc_pcg32 r;
        fc_rng_stream(&r, 1, k, 2);
        for (int i = 0; i < 16; i++)
            a[i] = fc_dist_draw(&ds[k], &r);
        fc_pcg32 other;
        fc_rng_stream(&other, 9, 9, 9);
        for (int i = 0; i < 100; i++)
            (void)fc_dist_draw(&ds[(k + 1) % 5], &other);
        fc_rng_stream(&r, 1, k, 2);
        for (int i = 0; i < 16; i++)
            b[i] = fc_dist_draw(&ds[k], &r);
        assert_memory_equal(a, b, sizeof a);
    }
}

/* ---- fc_dist_check ------------------------------------------------------- */

static void expect_error(fc_dist d, const char *want)
{
    char err[256];
    memset(err, 'x', sizeof err);
    int rc = fc_dist_check(&d, err, sizeof err);
    if (rc != -1 || strcmp(err, want) != 0) {
        print_error("fc_dist_check: rc %d, message \"%.200s\", expected \"%s\"\n",
                    rc, rc ? err : "", want);
        fail();
    }
}

static void test_dist_check(void **state)
{
    (void)state;
    expect_error((fc_dist){FC_DIST_BETA, {-1, 2, 0}, 0},
                 "beta: a: expected a number > 0, got -1");
    expect_error((fc_dist){FC_DIST_BETA, {2, NAN, 0}, 0},
                 "beta: b: expected a finite number, got nan");
    expect_error((fc_dist){FC_DIST_BETA, {2, -NAN, 0}, 0},
                 "beta: b: expected a finite number, got nan");
    expect_error((fc_dist){FC_DIST_GAMMA, {INFINITY, 1, 0}, 0},
                 "gamma: shape: expected a finite number, got inf");
    expect_error((fc_dist){FC_DIST_GAMMA, {2, 0, 0}, 0},
                 "gamma: scale: expected a number > 0, got 0");
    expect_error((fc_dist){FC_DIST_BINOMIAL, {1.5, 0, 0}, 10},
                 "binomial: p: expected a number in [0, 1], got 1.5");
    expect_error((fc_dist){FC_DIST_BINOMIAL, {-0.25, 0, 0}, 10},
                 "binomial: p: expected a number in [0, 1], got -0.25");
    expect_error((fc_dist){FC_DIST_BINOMIAL, {0.5, 0, 0}, FC_BINOM_MAX_N + 1},
                 "binomial: n: expected an integer <= 2^62, got "
                 "4611686018427387905");
    expect_error((fc_dist){FC_DIST_NORMAL, {0, -2, 0}, 0},
                 "normal: sd: expected a number >= 0, got -2");
    expect_error((fc_dist){FC_DIST_LOGNORMAL, {NAN, 1, 0}, 0},
                 "lognormal: mu: expected a finite number, got nan");
    expect_error((fc_dist){FC_DIST_UNIFORM, {3, 3, 0}, 0},
                 "uniform: max: expected a number > min (3), got 3");
    expect_error((fc_dist){FC_DIST_TRIANGULAR, {0, 5, 4}, 0},
                 "triangular: mode: expected a number between min and max "
                 "(0 and 4), got 5");
    expect_error((fc_dist){FC_DIST_PERT, {2, 2, 1}, 0},
                 "pert: max: expected a number > min (2), got 1");
    expect_error((fc_dist){FC_DIST_POISSON, {-1, 0, 0}, 0},
                 "poisson: mean: expected a number in [0, 1e12], got -1");
    expect_error((fc_dist){FC_DIST_POISSON, {2e12, 0, 0}, 0},
                 "poisson: mean: expected a number in [0, 1e12], got 2e+12");
    expect_error((fc_dist){FC_DIST_FIXED, {-INFINITY, 0, 0}, 0},
                 "fixed: value: expected a finite number, got -inf");

    /* valid edge values pass */
    const fc_dist ok[] = {
        {FC_DIST_NORMAL, {1, 0, 0}, 0},         /* sd 0: a constant */
        {FC_DIST_BINOMIAL, {0, 0, 0}, 0},       {FC_DIST_BINOMIAL, {1, 0, 0}, 7},
        {FC_DIST_BINOMIAL, {0.5, 0, 0}, FC_BINOM_MAX_N},
        {FC_DIST_POISSON, {0, 0, 0}, 0},        {FC_DIST_POISSON, {1e12, 0, 0}, 0},
        {FC_DIST_TRIANGULAR, {0, 0, 1}, 0},     {FC_DIST_TRIANGULAR, {0, 1, 1}, 0},
        {FC_DIST_PERT, {-5, 5, 5}, 0},
    };
    char err[64];
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        assert_int_equal(fc_dist_check(&ok[i], err, sizeof err), 0);

    /* no buffer, or a short one: still -1, and no overflow */
    fc_dist badd = {FC_DIST_BETA, {-1, 2, 0}, 0};
    assert_int_equal(fc_dist_check(&badd, NULL, 0), -1);
    char small[8];
    assert_int_equal(fc_dist_check(&badd, small, sizeof small), -1);
    assert_string_equal(small, "beta: a");
    assert_string_equal(fc_dist_kind_name(FC_DIST_BETA), "beta");
    assert_string_equal(fc_dist_param_name(FC_DIST_BETA, 0), "a");
    assert_string_equal(fc_dist_param_name(FC_DIST_BINOMIAL, 1), "p");
    assert_null(fc_dist_kind_name(FC_DIST_KIND_COUNT));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normal),
        cmocka_unit_test(test_lognormal),
        cmocka_unit_test(test_gamma),
        cmocka_unit_test(test_beta),
        cmocka_unit_test(test_uniform_triangular_pert),
        cmocka_unit_test(test_direct_continuous),
        cmocka_unit_test(test_poisson),
        cmocka_unit_test(test_binomial),
        cmocka_unit_test(test_discrete_via_dist_draw),
        cmocka_unit_test(test_prepared),
        cmocka_unit_test(test_binomial_2_62),
        cmocka_unit_test(test_multinomial_joint),
        cmocka_unit_test(test_multinomial_marginals),
        cmocka_unit_test(test_multinomial_edges),
        cmocka_unit_test(test_discrete_edges),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_dist_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
