/* dist: exact samplers for funnelcast's distributions (see dist.h). Every
 * method is exact (rejection or inversion against the exact density or pmf,
 * never an approximation of one distribution by another) and costs O(1)
 * expected time whatever the parameters. Nothing is cached between calls: the
 * set-up of each method is kept to a few flops, a square root and a division.
 * Only static const tables (core/dist_tables.h, written by
 * scripts/gen_dist_tables.py) are shared, so any number of threads may draw.
 */
#include "dist.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>

#include "dist_tables.h"

#define TWO_PI 6.283185307179586476925
/* inv_tab[] holds 1/k for k <= INV_MAX; the inversion samplers stop there. */
#define INV_MAX ((int)(sizeof inv_tab / sizeof inv_tab[0]) - 1)
#define CORR_N ((int)(sizeof corr_tab / sizeof corr_tab[0]))

/* ---- normal ------------------------------------------------------------- */

/* Tail beyond ZIG_R by Marsaglia's 1964 method (the one the ziggurat paper
 * uses): x = -log(U1)/r, y = -log(U2), accept when 2y >= x^2; then r + x has
 * the density of the normal conditioned on exceeding r. */
static double norm_tail(fc_pcg32 *rng)
{
    for (;;) {
        double x = -log(fc_rng_uniform_pos(rng)) * ZIG_INV_R;
        double y = -log(fc_rng_uniform_pos(rng));
        if (y + y >= x * x)
            return ZIG_R + x;
    }
}

/* Ziggurat of Marsaglia & Tsang (2000), 256 layers in Doornik's (2005) layout
 * (layer 0 is the base strip standing for the tail). One 64-bit draw gives
 * three independent parts from disjoint bits: the layer from bits 0-7, the sign
 * from bit 8, and a 53-bit uniform integer from bits 11-63, so the common case
 * (about 99% of calls) costs one draw, one table compare and one multiply. */
static inline double norm(fc_pcg32 *rng)
{
    for (;;) {
        uint64_t bits = fc_pcg32_next64(rng);
        unsigned i = (unsigned)(bits & 0xff);
        uint64_t u = bits >> 11;
        double x = (double)u * zig_w[i];
        if (u < zig_k[i]) /* inside the layer's rectangle: under the density */
            return (bits & 0x100) ? -x : x;
        if (i == 0) {
            x = norm_tail(rng);
            return (bits & 0x100) ? -x : x;
        }
        /* Wedge: a uniform point of the strip [f(x[i]), f(x[i+1])] against
         * the exact density. */
        if (zig_f[i] + fc_rng_uniform(rng) * (zig_f[i + 1] - zig_f[i])
            < exp(-0.5 * x * x))
            return (bits & 0x100) ? -x : x;
    }
}

double fc_rnorm(fc_pcg32 *rng)
{
    return norm(rng);
}

double fc_rlognormal(fc_pcg32 *rng, double mu, double sigma)
{
    return exp(mu + sigma * norm(rng));
}

/* ---- gamma and beta ----------------------------------------------------- */

/* Marsaglia & Tsang (2000), "A simple method for generating gamma variables",
 * for shape a >= 1: d (1 + c Z)^3 with d = a - 1/3, c = 1/sqrt(9 d), accepted
 * by the squeeze 1 - 0.0331 Z^4 or else by the exact log test. The exact test
 * is written with t = c Z as d (1 - v + log v) = d (3 log1p(t) - t (3 + t (3 +
 * t))): the form 1 - v + log v would cancel to noise when d is large. */
static double gamma_ge1(fc_pcg32 *rng, double a)
{
    double d = a - 1.0 / 3.0;
    double c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double z, t;
        do {
            z = norm(rng);
            t = c * z;
        } while (t <= -1.0);
        double v = (1.0 + t) * (1.0 + t) * (1.0 + t);
        double u = fc_rng_uniform(rng);
        double z2 = z * z;
        if (u < 1.0 - 0.0331 * z2 * z2)
            return d * v;
        if (log(u) < 0.5 * z2 + d * (3.0 * log1p(t) - t * (3.0 + t * (3.0 + t))))
            return d * v;
    }
}

/* Gamma(a) for a < 1 by the boost of Marsaglia & Tsang (2000):
 * Gamma(a+1) * U^(1/a). Written G * exp(log(U)/a), with the logarithm of the
 * result in *lg when the factor exp(log(U)/a) would lose precision to
 * underflow (for a = 1e-3 that is half of all draws); then the returned value
 * is exp(*lg), possibly a subnormal or 0, which is the correctly rounded
 * result. Otherwise *lg is left alone. Returns whether *lg was set. */
static int gamma_lt1(fc_pcg32 *rng, double a, double *x, double *lg)
{
    double g = gamma_ge1(rng, a + 1.0);
    double t = log(fc_rng_uniform_pos(rng)) / a;
    if (t > -700.0) {
        *x = g * exp(t);
        return 0;
    }
    *lg = log(g) + t;
    *x = exp(*lg);
    return 1;
}

double fc_rgamma(fc_pcg32 *rng, double shape)
{
    if (shape >= 1.0)
        return gamma_ge1(rng, shape);
    double x, lg;
    gamma_lt1(rng, shape, &x, &lg);
    return x;
}

/* X / (X + Y) from lx = log X and ly = log Y: exact to rounding however small
 * X and Y are (both may underflow as doubles). Both infinite (shapes below
 * about 1e-300, where no double can tell the variates apart) leaves Beta's
 * limit: 1 with probability a / (a + b), else 0. */
static double ratio_from_logs(fc_pcg32 *rng, double lx, double ly, double a,
                              double b)
{
    double d = ly - lx;
    if (d > 0.0) {
        double e = exp(-d);
        return e / (1.0 + e);
    }
    if (d <= 0.0)
        return 1.0 / (1.0 + exp(d));
    return fc_rng_uniform(rng) * (a + b) < a ? 1.0 : 0.0;
}

/* Johnk (1964) for a, b <= 1: X = U^(1/a), Y = V^(1/b), accepted when
 * X + Y <= 1; then X / (X + Y) is Beta(a, b). Acceptance is
 * Gamma(a+1) Gamma(b+1) / Gamma(a+b+1) >= 1/2. X and Y are kept as logs so
 * that beta(0.01, 0.01), where both underflow in most draws, stays exact. */
static double beta_johnk(fc_pcg32 *rng, double a, double b)
{
    double ia = 1.0 / a, ib = 1.0 / b;
    for (;;) {
        double lx = log(fc_rng_uniform_pos(rng)) * ia;
        double ly = log(fc_rng_uniform_pos(rng)) * ib;
        double x = exp(lx), y = exp(ly);
        double s = x + y;
        if (s > 1.0)
            continue;
        if (x >= DBL_MIN && y >= DBL_MIN)
            return x / s;
        return ratio_from_logs(rng, lx, ly, a, b);
    }
}

/* One gamma variate for the beta ratio; *lg is its log when it is tiny. */
static int beta_gamma_part(fc_pcg32 *rng, double a, double *x, double *lg)
{
    if (a >= 1.0) {
        *x = gamma_ge1(rng, a);
        return 0;
    }
    return gamma_lt1(rng, a, x, lg);
}

double fc_rbeta(fc_pcg32 *rng, double a, double b)
{
    if (a <= 1.0 && b <= 1.0)
        return beta_johnk(rng, a, b);
    /* X / (X + Y) of Gamma(a), Gamma(b). A shape below 1 can make its gamma
     * underflow (beta(0.01, 5)); then the ratio is taken in logs. */
    double x, y, lx = 0.0, ly = 0.0;
    int tx = beta_gamma_part(rng, a, &x, &lx);
    int ty = beta_gamma_part(rng, b, &y, &ly);
    if (x >= DBL_MIN && y >= DBL_MIN)
        return x / (x + y);
    if (!tx)
        lx = log(x);
    if (!ty)
        ly = log(y);
    return ratio_from_logs(rng, lx, ly, a, b);
}

/* ---- log-factorial pieces ----------------------------------------------- */

/* corr(x) = log x! - (x log x - x + log(2 pi x) / 2), the Stirling correction,
 * for an integer-valued x >= 1 (and 0 for x = 0, see stir_arg): a table below
 * CORR_N, the asymptotic series 1/(12x) - 1/(360x^3) + 1/(1260x^5) -
 * 1/(1680x^7) + 1/(1188x^9) above (truncation error below 2e-16 there). */
static double corr(double x)
{
    if (x < CORR_N)
        return corr_tab[(int)x];
    double y = 1.0 / x, z = y * y;
    return y * (1.0 / 12 - z * (1.0 / 360 - z * (1.0 / 1260 - z * (1.0 / 1680
                - z * (1.0 / 1188)))));
}

/* The argument s(x) of log(2 pi s(x)) / 2 in the Stirling form of log x!:
 * x itself, and 1 / (2 pi) for x = 0, so that with corr(0) = 0 the same form
 * also gives log 0! = 0. */
static double stir_arg(double x)
{
    return x >= 1.0 ? x : 1.0 / TWO_PI;
}

/* bd0(x, M) = x log(x / M) + M - x >= 0, given d = x - M exactly (Loader 2000,
 * "Fast and accurate computation of binomial probabilities"). For |d| small
 * against x + M it is summed as d v + 2 x sum v^(2j+1) / (2j+1),
 * v = d / (x + M), which keeps full relative accuracy where the direct form
 * cancels (x and M near 1e12 or 2^62, d near their square root). */
static double bd0(double x, double m, double d)
{
    if (fabs(d) < 0.1 * (x + m)) {
        double v = d / (x + m);
        double s = d * v;
        double ej = 2.0 * x * v;
        double v2 = v * v;
        for (int j = 1; 2 * j + 1 <= INV_MAX; j++) { /* |v| < 0.1: ~8 terms */
            ej *= v2;
            double s1 = s + ej * inv_tab[2 * j + 1];
            if (s1 == s)
                break;
            s = s1;
        }
        return s;
    }
    if (x == 0.0)
        return m;
    return x * log(x / m) - d;
}

/* ---- Poisson ------------------------------------------------------------ */

/* Inversion by sequential search from 0 (mu < 10: about mu + 1 steps).
 * Rounding can leave u above the sum of all computed terms; the search is then
 * cut at INV_MAX (P(X >= 64) < 1e-30 here) and restarted. */
static uint64_t pois_inv(fc_pcg32 *rng, double mu)
{
    double p0 = exp(-mu);
    for (;;) {
        double u = fc_rng_uniform(rng), f = p0;
        int k = 0;
        while (u >= f && k < INV_MAX) {
            u -= f;
            k++;
            f *= mu * inv_tab[k];
        }
        if (k < INV_MAX)
            return (uint64_t)k;
    }
}

/* PTRS, Hormann (1993), "The transformed rejection method for generating
 * Poisson random variables", for mu >= 10: a transformed-rejection hat with a
 * squeeze that accepts about 86% of draws at the cost of two uniforms and a
 * division. The exact test compares with log p(k) in the Stirling form
 * -bd0(k, mu) - log(2 pi k) / 2 - corr(k), which does not cancel even at
 * mu = 1e12 (the plain -mu + k log mu - log k! loses 1e-3 there). */
static uint64_t pois_ptrs(fc_pcg32 *rng, double mu)
{
    double smu = sqrt(mu);
    double b = 0.931 + 2.53 * smu;
    double a = -0.059 + 0.02483 * b;
    double vr = 0.9277 - 3.6224 / (b - 2.0);
    for (;;) {
        double u = fc_rng_uniform_pos(rng) - 0.5; /* exact, never +-0.5 */
        double v = fc_rng_uniform(rng);
        double us = 0.5 - fabs(u);
        double k = floor((2.0 * a / us + b) * u + mu + 0.43);
        if (us >= 0.07 && v <= vr)
            return (uint64_t)k;
        if (k < 0.0 || (us < 0.013 && v > us))
            continue;
        double inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
        double h = v * inv_alpha / (a / (us * us) + b);
        /* log h <= log p(k), with log(2 pi k)/2 moved left into one log. */
        if (0.5 * log(h * h * TWO_PI * stir_arg(k)) <= -bd0(k, mu, k - mu) - corr(k))
            return (uint64_t)k;
    }
}

uint64_t fc_rpois(fc_pcg32 *rng, double mu)
{
    if (mu >= 10.0)
        return pois_ptrs(rng, mu);
    if (mu > 0.0)
        return pois_inv(rng, mu);
    return 0;
}

/* ---- binomial ----------------------------------------------------------- */

/* Inversion for n p < 10, p <= 1/2: sequential search from 0 with
 * P(0) = q^n = exp(n log1p(-p)) (at least 1e-6 here, never underflowing) and
 * P(k+1) = P(k) (n-k)/(k+1) p/q; about n p + 1 steps whatever n is. Cut at
 * INV_MAX and restarted as in pois_inv (P(X >= 64) < 1e-25 here). */
static uint64_t binom_inv(fc_pcg32 *rng, uint64_t n, double p)
{
    double r = p / (1.0 - p);
    double p0 = exp((double)n * log1p(-p));
    int kmax = n < (uint64_t)INV_MAX ? (int)n : INV_MAX;
    for (;;) {
        double u = fc_rng_uniform(rng), f = p0;
        int k = 0;
        while (u >= f && k < kmax) {
            u -= f;
            f *= r * (double)(n - (uint64_t)k) * inv_tab[k + 1];
            k++;
        }
        if (u < f)
            return (uint64_t)k;
    }
}

/* log f(k) / f(m) for the binomial pmf f, with k = m + j, 0 <= k <= n, m the
 * mode, written as sums of small well-conditioned terms (Stirling form with
 * bd0, as in Loader 2000) so that it keeps its accuracy for n up to 2^62:
 *   j lr - bd0(k, m) - bd0(n-k, n-m) - log(s(k) s(n-k) / (m (n-m))) / 2
 *   - corr(k) - corr(n-k) + corr(m) + corr(n-m),
 * where lr = log((n-m) p / (m q)) = log1p((n p - m) / (m q)) is tiny and
 * computed from the exact n p - m. The half-log is returned apart (in *hl) so
 * that the caller folds it into its own logarithm. */
static double binom_lratio(uint64_t n, uint64_t m, int64_t j, double nf,
                           double q, double *hl)
{
    uint64_t k = m + (uint64_t)j;
    double kd = (double)k, nkd = (double)(n - k);
    double md = (double)m, nmd = (double)(n - m), jd = (double)j;
    double lr = log1p(nf / (md * q));
    *hl = (stir_arg(kd) / md) * (stir_arg(nkd) / nmd);
    return jd * lr - bd0(kd, md, jd) - bd0(nkd, nmd, -jd)
           - corr(kd) - corr(nkd) + corr(md) + corr(nmd);
}

/* BTRS, Hormann (1993), "The generation of binomial random variates", for
 * n p >= 10, p <= 1/2. The draw is formed as an integer offset j from the
 * integer mode m = floor((n+1) p), never as a floating k, so that it is exact
 * above 2^53; for that, n p is split exactly into an integer and a fraction
 * (n cut into two halves that are exact doubles, each product made exact with
 * fma), and the hat's centre c = n p + 1/2 enters only as c - m. */
static uint64_t binom_btrs(fc_pcg32 *rng, uint64_t n, double p)
{
    double q = 1.0 - p;
    double spq = sqrt((double)n * p * q);
    double b = 1.15 + 2.53 * spq;
    double a = -0.0873 + 0.0248 * b + 0.01 * p;
    double vr = 0.92 - 4.2 / b;

    double nh = (double)(n & ~UINT64_C(0xffffffff)), nl = (double)(n & 0xffffffffu);
    double h1 = nh * p, l1 = fma(nh, p, -h1);
    double h2 = nl * p, l2 = fma(nl, p, -h2);
    double f1 = floor(h1), f2 = floor(h2);
    double frac = (h1 - f1) + (h2 - f2) + (l1 + l2); /* n p = f1 + f2 + frac */
    double fm = floor(frac + p);
    uint64_t m = (uint64_t)f1 + (uint64_t)f2 + (uint64_t)(int64_t)fm; /* mod 2^64 */
    double nf = frac - fm; /* n p - m */
    double cm = nf + 0.5;  /* c - m */

    for (;;) {
        double u = fc_rng_uniform_pos(rng) - 0.5;
        double v = fc_rng_uniform(rng);
        double us = 0.5 - fabs(u);
        double jd = floor((2.0 * a / us + b) * u + cm);
        /* The squeeze region lies well inside [-m, n-m] (|jd| < 0.9 b < m). */
        if (us >= 0.07 && v <= vr)
            return m + (uint64_t)(int64_t)jd;
        if (!(fabs(jd) <= 0x1p62))
            continue;
        int64_t j = (int64_t)jd;
        if (j < 0 ? (uint64_t)(-j) > m : (uint64_t)j > n - m)
            continue;
        double alpha = (2.83 + 5.1 / b) * spq;
        double h = v * alpha / (a / (us * us) + b);
        double hl;
        double lf = binom_lratio(n, m, j, nf, q, &hl);
        if (0.5 * log(h * h * hl) <= lf)
            return m + (uint64_t)j;
    }
}

uint64_t fc_rbinom(fc_pcg32 *rng, uint64_t n, double p)
{
    if (n == 0 || !(p > 0.0))
        return 0;
    if (p >= 1.0)
        return n;
    /* By symmetry, sample the count of the rarer outcome: 1 - p is exact for
     * p > 1/2 (Sterbenz). */
    int flip = p > 0.5;
    double pp = flip ? 1.0 - p : p;
    uint64_t x = (double)n * pp < 10.0 ? binom_inv(rng, n, pp)
                                       : binom_btrs(rng, n, pp);
    return flip ? n - x : x;
}

/* Conditional binomials: cell i gets Binomial(left, prob[i] / mass), mass the
 * probability of cells i.. (renormalized, clamped to [0, 1]); the last cell of
 * positive probability takes the rest, so the counts always sum to n, and
 * cells of zero (or negative, or NaN) probability get 0. */
void fc_rmultinom(fc_pcg32 *rng, uint64_t n, size_t k, const double *prob,
                  uint64_t *out)
{
    if (k == 0)
        return;
    double mass = 0.0;
    size_t last = k - 1;
    for (size_t i = 0; i < k; i++) {
        out[i] = 0;
        if (prob[i] > 0.0) {
            mass += prob[i];
            last = i;
        }
    }
    uint64_t left = n;
    for (size_t i = 0; i < last && left > 0; i++) {
        if (!(prob[i] > 0.0))
            continue;
        double pi = mass > 0.0 ? prob[i] / mass : 1.0;
        if (pi > 1.0)
            pi = 1.0;
        uint64_t x = fc_rbinom(rng, left, pi);
        out[i] = x;
        left -= x;
        mass -= prob[i];
    }
    out[last] += left;
}

/* ---- triangular and PERT ------------------------------------------------ */

/* Inversion of the triangular CDF, (x-lo)^2 / ((hi-lo)(mode-lo)) left of the
 * mode and 1 - (hi-x)^2 / ((hi-lo)(hi-mode)) right of it. */
double fc_rtriangular(fc_pcg32 *rng, double lo, double mode, double hi)
{
    double u = fc_rng_uniform(rng);
    double w = hi - lo, left = mode - lo;
    if (u * w < left)
        return lo + sqrt(u * w * left);
    return hi - sqrt((1.0 - u) * w * (hi - mode));
}

double fc_rpert(fc_pcg32 *rng, double lo, double mode, double hi)
{
    double w = hi - lo;
    double a = 1.0 + 4.0 * (mode - lo) / w, b = 1.0 + 4.0 * (hi - mode) / w;
    return lo + w * fc_rbeta(rng, a, b);
}

/* ---- distribution values ------------------------------------------------ */

static const char *const kind_names[FC_DIST_KIND_COUNT] = {
    [FC_DIST_FIXED] = "fixed",           [FC_DIST_UNIFORM] = "uniform",
    [FC_DIST_NORMAL] = "normal",         [FC_DIST_LOGNORMAL] = "lognormal",
    [FC_DIST_GAMMA] = "gamma",           [FC_DIST_BETA] = "beta",
    [FC_DIST_TRIANGULAR] = "triangular", [FC_DIST_PERT] = "pert",
    [FC_DIST_POISSON] = "poisson",       [FC_DIST_BINOMIAL] = "binomial",
};

/* Parameter names in the order a user writes them (binomial: n, then p). */
static const char *const param_names[FC_DIST_KIND_COUNT][3] = {
    [FC_DIST_FIXED] = {"value"},
    [FC_DIST_UNIFORM] = {"min", "max"},
    [FC_DIST_NORMAL] = {"mean", "sd"},
    [FC_DIST_LOGNORMAL] = {"mu", "sigma"},
    [FC_DIST_GAMMA] = {"shape", "scale"},
    [FC_DIST_BETA] = {"a", "b"},
    [FC_DIST_TRIANGULAR] = {"min", "mode", "max"},
    [FC_DIST_PERT] = {"min", "mode", "max"},
    [FC_DIST_POISSON] = {"mean"},
    [FC_DIST_BINOMIAL] = {"n", "p"},
};

const char *fc_dist_kind_name(fc_dist_kind kind)
{
    if ((unsigned)kind >= FC_DIST_KIND_COUNT)
        return NULL;
    return kind_names[kind];
}

const char *fc_dist_param_name(fc_dist_kind kind, int i)
{
    if ((unsigned)kind >= FC_DIST_KIND_COUNT || i < 0 || i > 2)
        return NULL;
    return param_names[kind][i];
}

/* A number as a message shows it: %g, and NaN always as "nan" (glibc would
 * print a negative NaN as "-nan"). */
static const char *num(char *buf, size_t len, double x)
{
    if (isnan(x))
        snprintf(buf, len, "nan");
    else
        snprintf(buf, len, "%g", x);
    return buf;
}

/* Writes "<kind>: <param>: expected <what>, got <x>" and returns -1. */
static int bad(const fc_dist *d, int i, const char *what, double x, char *err,
               size_t errlen)
{
    char b[32];
    if (err && errlen > 0)
        snprintf(err, errlen, "%s: %s: expected %s, got %s",
                 kind_names[d->kind], param_names[d->kind][i], what,
                 num(b, sizeof b, x));
    return -1;
}

int fc_dist_check(const fc_dist *d, char *err, size_t errlen)
{
    if ((unsigned)d->kind >= FC_DIST_KIND_COUNT) {
        if (err && errlen > 0)
            snprintf(err, errlen, "unknown distribution kind %d", (int)d->kind);
        return -1;
    }
    const char *finite = "a finite number";
    char what[128], b1[32], b2[32];
    const double *p = d->p;
    switch (d->kind) {
    case FC_DIST_FIXED:
        if (!isfinite(p[0]))
            return bad(d, 0, finite, p[0], err, errlen);
        return 0;
    case FC_DIST_UNIFORM:
        if (!isfinite(p[0]))
            return bad(d, 0, finite, p[0], err, errlen);
        if (!isfinite(p[1]))
            return bad(d, 1, finite, p[1], err, errlen);
        if (!(p[1] > p[0])) {
            snprintf(what, sizeof what, "a number > min (%s)", num(b1, sizeof b1, p[0]));
            return bad(d, 1, what, p[1], err, errlen);
        }
        if (!isfinite(p[1] - p[0]))
            return bad(d, 1, "max - min to be a finite number", p[1], err, errlen);
        return 0;
    case FC_DIST_NORMAL:
    case FC_DIST_LOGNORMAL:
        if (!isfinite(p[0]))
            return bad(d, 0, finite, p[0], err, errlen);
        if (!isfinite(p[1]))
            return bad(d, 1, finite, p[1], err, errlen);
        if (!(p[1] >= 0.0))
            return bad(d, 1, "a number >= 0", p[1], err, errlen);
        return 0;
    case FC_DIST_GAMMA:
    case FC_DIST_BETA:
        for (int i = 0; i < 2; i++) {
            if (!isfinite(p[i]))
                return bad(d, i, finite, p[i], err, errlen);
            if (!(p[i] > 0.0))
                return bad(d, i, "a number > 0", p[i], err, errlen);
        }
        return 0;
    case FC_DIST_TRIANGULAR:
    case FC_DIST_PERT:
        for (int i = 0; i < 3; i++)
            if (!isfinite(p[i]))
                return bad(d, i, finite, p[i], err, errlen);
        if (!(p[2] > p[0])) {
            snprintf(what, sizeof what, "a number > min (%s)", num(b1, sizeof b1, p[0]));
            return bad(d, 2, what, p[2], err, errlen);
        }
        if (!isfinite(p[2] - p[0]))
            return bad(d, 2, "max - min to be a finite number", p[2], err, errlen);
        if (!(p[1] >= p[0] && p[1] <= p[2])) {
            snprintf(what, sizeof what, "a number between min and max (%s and %s)",
                     num(b1, sizeof b1, p[0]), num(b2, sizeof b2, p[2]));
            return bad(d, 1, what, p[1], err, errlen);
        }
        return 0;
    case FC_DIST_POISSON:
        if (!isfinite(p[0]))
            return bad(d, 0, finite, p[0], err, errlen);
        if (!(p[0] >= 0.0 && p[0] <= FC_POIS_MAX_MEAN))
            return bad(d, 0, "a number in [0, 1e12]", p[0], err, errlen);
        return 0;
    case FC_DIST_BINOMIAL:
        if (d->n > FC_BINOM_MAX_N) {
            if (err && errlen > 0)
                snprintf(err, errlen,
                         "binomial: n: expected an integer <= 2^62, got %" PRIu64,
                         d->n);
            return -1;
        }
        if (!isfinite(p[0]))
            return bad(d, 1, finite, p[0], err, errlen);
        if (!(p[0] >= 0.0 && p[0] <= 1.0))
            return bad(d, 1, "a number in [0, 1]", p[0], err, errlen);
        return 0;
    case FC_DIST_KIND_COUNT:
        break;
    }
    return -1;
}

double fc_dist_draw(const fc_dist *d, fc_pcg32 *rng)
{
    const double *p = d->p;
    switch (d->kind) {
    case FC_DIST_FIXED:
        return p[0];
    case FC_DIST_UNIFORM: {
        double x = p[0] + (p[1] - p[0]) * fc_rng_uniform(rng);
        /* Rounding can reach max for u just below 1; keep [min, max). */
        return x < p[1] ? x : nextafter(p[1], p[0]);
    }
    case FC_DIST_NORMAL:
        return p[0] + p[1] * norm(rng);
    case FC_DIST_LOGNORMAL:
        return exp(p[0] + p[1] * norm(rng));
    case FC_DIST_GAMMA:
        return p[1] * fc_rgamma(rng, p[0]);
    case FC_DIST_BETA:
        return fc_rbeta(rng, p[0], p[1]);
    case FC_DIST_TRIANGULAR:
        return fc_rtriangular(rng, p[0], p[1], p[2]);
    case FC_DIST_PERT:
        return fc_rpert(rng, p[0], p[1], p[2]);
    case FC_DIST_POISSON:
        return (double)fc_rpois(rng, p[0]);
    case FC_DIST_BINOMIAL:
        return (double)fc_rbinom(rng, d->n, p[0]);
    case FC_DIST_KIND_COUNT:
        break;
    }
    return NAN;
}

double fc_dist_mean(const fc_dist *d)
{
    const double *p = d->p;
    switch (d->kind) {
    case FC_DIST_FIXED:
        return p[0];
    case FC_DIST_UNIFORM:
        return 0.5 * (p[0] + p[1]);
    case FC_DIST_NORMAL:
        return p[0];
    case FC_DIST_LOGNORMAL:
        return exp(p[0] + 0.5 * p[1] * p[1]);
    case FC_DIST_GAMMA:
        return p[0] * p[1];
    case FC_DIST_BETA:
        return p[0] / (p[0] + p[1]);
    case FC_DIST_TRIANGULAR:
        return (p[0] + p[1] + p[2]) / 3.0;
    case FC_DIST_PERT:
        return (p[0] + 4.0 * p[1] + p[2]) / 6.0;
    case FC_DIST_POISSON:
        return p[0];
    case FC_DIST_BINOMIAL:
        return (double)d->n * p[0];
    case FC_DIST_KIND_COUNT:
        break;
    }
    return NAN;
}

double fc_dist_var(const fc_dist *d)
{
    const double *p = d->p;
    switch (d->kind) {
    case FC_DIST_FIXED:
        return 0.0;
    case FC_DIST_UNIFORM: {
        double w = p[1] - p[0];
        return w * w / 12.0;
    }
    case FC_DIST_NORMAL:
        return p[1] * p[1];
    case FC_DIST_LOGNORMAL: {
        double s2 = p[1] * p[1];
        return expm1(s2) * exp(2.0 * p[0] + s2);
    }
    case FC_DIST_GAMMA:
        return p[0] * p[1] * p[1];
    case FC_DIST_BETA: {
        double s = p[0] + p[1];
        return p[0] / s * (p[1] / s) / (s + 1.0);
    }
    case FC_DIST_TRIANGULAR: {
        double a = p[0], c = p[1], b = p[2];
        return (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0;
    }
    case FC_DIST_PERT: {
        /* Beta(al, be) scaled by w: al + be = 6, so var = w^2 al be / 252. */
        double w = p[2] - p[0];
        double al = 1.0 + 4.0 * (p[1] - p[0]) / w, be = 1.0 + 4.0 * (p[2] - p[1]) / w;
        return w * w * al * be / 252.0;
    }
    case FC_DIST_POISSON:
        return p[0];
    case FC_DIST_BINOMIAL:
        return (double)d->n * p[0] * (1.0 - p[0]);
    case FC_DIST_KIND_COUNT:
        break;
    }
    return NAN;
}
