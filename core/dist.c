/* dist: exact samplers for funnelcast's distributions (see dist.h). Every
 * method is exact (rejection or inversion against the exact density or pmf,
 * never an approximation of one distribution by another) and costs O(1)
 * expected time whatever the parameters. Nothing is cached between calls: the
 * set-up of each method is kept to a few flops, a square root and a division;
 * a caller that draws often with the same parameters keeps a prepared sampler
 * (fc_pois_prep, fc_binom_prep, or fc_binom_p when only p stays) instead. Only
 * static const tables (core/dist_tables.h, written by bench/gen_dist_tables.py)
 * are shared, so any number of threads may draw.
 */
#include "dist.h"
#include "elem.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "dist_tables.h"

#define TWO_PI 6.283185307179586476925
/* inv_tab[] holds 1/k for k <= INV_MAX; the inversion samplers stop there. */
#define INV_MAX ((int)(sizeof inv_tab / sizeof inv_tab[0]) - 1)
/* corr() takes corr_tab below CORR_N and the asymptotic series above;
 * corr_big() takes the whole table (CORRB_N entries). */
#define CORR_N 16
#define LF_N ((int)(sizeof lfact_tab / sizeof lfact_tab[0]))
#define CORRB_N (sizeof corr_tab / sizeof corr_tab[0])

/* ---- normal and exponential -------------------------------------------- */

/* The rare paths stay out of line so that the inlined common path is a few
 * instructions with no register spills. */
#if defined(__GNUC__)
#define NOINLINE __attribute__((noinline))
#define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define NOINLINE
#define ALWAYS_INLINE inline
#endif

/* x with its sign flipped when bit 8 of bits is set: a bit operation, since a
 * branch on a random bit is mispredicted half the time. */
static inline double with_sign(double x, uint64_t bits)
{
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    b ^= (bits & 0x100) << 55;
    memcpy(&x, &b, sizeof x);
    return x;
}

/* Tail beyond ZIG_R by Marsaglia's 1964 method (the one the ziggurat paper
 * uses): x = -log(U1)/r, y = -log(U2), accept when 2y >= x^2; then r + x has
 * the density of the normal conditioned on exceeding r. */
static double norm_tail(fc_pcg32 *rng)
{
    for (;;) {
        double x = -fc_log(fc_rng_uniform_pos(rng)) * ZIG_INV_R;
        double y = -fc_log(fc_rng_uniform_pos(rng));
        if (y + y >= x * x)
            return ZIG_R + x;
    }
}

/* The ziggurat's rare cases for the draw bits (tail, wedges), then new draws
 * until one is accepted. */
static NOINLINE double norm_slow(fc_pcg32 *rng, uint64_t bits)
{
    for (;;) {
        unsigned i = (unsigned)(bits & 0xff);
        uint64_t u = bits >> 11;
        double x = (double)u * zig_w[i];
        if (u < zig_k[i])
            return with_sign(x, bits);
        if (i == 0)
            return with_sign(norm_tail(rng), bits);
        /* Wedge: a uniform point of the strip [f(x[i]), f(x[i+1])] against
         * the exact density. */
        if (zig_f[i] + fc_rng_uniform(rng) * (zig_f[i + 1] - zig_f[i])
            < fc_exp(-0.5 * x * x))
            return with_sign(x, bits);
        bits = fc_pcg32_next64(rng);
    }
}

/* Ziggurat of Marsaglia & Tsang (2000), 256 layers in Doornik's (2005) layout
 * (layer 0 is the base strip standing for the tail). One 64-bit draw gives
 * three independent parts from disjoint bits: the layer from bits 0-7, the sign
 * from bit 8, and a 53-bit uniform integer from bits 11-63, so the common case
 * (98.5% of calls) costs one draw, one table compare and one multiply. */
static inline double norm(fc_pcg32 *rng)
{
    uint64_t bits = fc_pcg32_next64(rng);
    unsigned i = (unsigned)(bits & 0xff);
    uint64_t u = bits >> 11;
    if (u < zig_k[i]) /* inside the layer's rectangle: under the density */
        return with_sign((double)u * zig_w[i], bits);
    return norm_slow(rng, bits);
}

static inline double expo(fc_pcg32 *rng);

/* The exponential ziggurat's rare cases: the tail beyond r is r plus a fresh
 * exponential (memorylessness), the wedges are tested against exp(-x). */
static NOINLINE double expo_slow(fc_pcg32 *rng, uint64_t bits)
{
    for (;;) {
        unsigned i = (unsigned)(bits & 0xff);
        uint64_t u = bits >> 11;
        double x = (double)u * zexp_w[i];
        if (u < zexp_k[i])
            return x;
        if (i == 0)
            return ZEXP_R + expo(rng);
        if (zexp_f[i] + fc_rng_uniform(rng) * (zexp_f[i + 1] - zexp_f[i]) < fc_exp(-x))
            return x;
        bits = fc_pcg32_next64(rng);
    }
}

/* Standard exponential by the 256-layer ziggurat of Marsaglia & Tsang (2000),
 * laid out and drawn as norm() (no sign): cheaper than -log(U). */
static inline double expo(fc_pcg32 *rng)
{
    uint64_t bits = fc_pcg32_next64(rng);
    unsigned i = (unsigned)(bits & 0xff);
    uint64_t u = bits >> 11;
    if (u < zexp_k[i])
        return (double)u * zexp_w[i];
    return expo_slow(rng, bits);
}

double fc_rnorm(fc_pcg32 *rng)
{
    return norm(rng);
}

double fc_rlognormal(fc_pcg32 *rng, double mu, double sigma)
{
    return fc_exp(mu + sigma * norm(rng));
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
        if (fc_log(u) < 0.5 * z2 + d * (3.0 * fc_log1p(t) - t * (3.0 + t * (3.0 + t))))
            return d * v;
    }
}

/* Gamma(a) for a < 1 by the boost of Marsaglia & Tsang (2000):
 * Gamma(a+1) * U^(1/a), written G * exp(-E/a) with E = -log U a standard
 * exponential (from its ziggurat, cheaper than a log). When exp(-E/a) would
 * lose precision to underflow (for a = 1e-3 that is half of all draws) the
 * result is taken as exp(log G - E/a) instead, the correctly rounded value
 * (possibly a subnormal or 0), and that logarithm is stored in *lg for callers
 * that need the variate beyond the double range. Returns whether *lg was set. */
static int gamma_lt1(fc_pcg32 *rng, double a, double *x, double *lg)
{
    double g = gamma_ge1(rng, a + 1.0);
    double t = -expo(rng) / a;
    if (t > -700.0) {
        *x = g * fc_exp(t);
        return 0;
    }
    *lg = fc_log(g) + t;
    *x = fc_exp(*lg);
    return 1;
}

/* Shape 1 is the exponential, drawn directly; above it Marsaglia-Tsang, below
 * it the boost. */
double fc_rgamma(fc_pcg32 *rng, double shape)
{
    if (shape > 1.0)
        return gamma_ge1(rng, shape);
    if (shape == 1.0)
        return expo(rng);
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
        double e = fc_exp(-d);
        return e / (1.0 + e);
    }
    if (d <= 0.0)
        return 1.0 / (1.0 + fc_exp(d));
    return fc_rng_uniform(rng) * (a + b) < a ? 1.0 : 0.0;
}

/* Johnk (1964) for a, b <= 1: X = U^(1/a), Y = V^(1/b), accepted when
 * X + Y <= 1; then X / (X + Y) is Beta(a, b). Acceptance is
 * Gamma(a+1) Gamma(b+1) / Gamma(a+b+1) >= 1/2. X and Y are kept as logs so
 * that beta(0.01, 0.01), where both underflow in most draws, stays exact. */
static double beta_johnk(fc_pcg32 *rng, double a, double b)
{
    double ia = -1.0 / a, ib = -1.0 / b;
    for (;;) {
        double lx = expo(rng) * ia; /* log U / a, with -log U exponential */
        double ly = expo(rng) * ib;
        double x = fc_exp(lx), y = fc_exp(ly);
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
    if (a < 1.0)
        return gamma_lt1(rng, a, x, lg);
    *x = a > 1.0 ? gamma_ge1(rng, a) : expo(rng);
    return 0;
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
        lx = fc_log(x);
    if (!ty)
        ly = fc_log(y);
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
    if (fabs(d) < 0.07 * (x + m)) {
        /* |v| < 0.07: the first omitted term, 2 x v^19 / 19, is below
         * 1e-20 d v (a fixed polynomial, no loop) */
        double v = d / (x + m), v2 = v * v;
        return d * v + 2.0 * x * v * v2 * (1.0 / 3 + v2 * (1.0 / 5 + v2 * (1.0 / 7
               + v2 * (1.0 / 9 + v2 * (1.0 / 11 + v2 * (1.0 / 13 + v2 * (1.0 / 15
               + v2 * (1.0 / 17))))))));
    }
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
    return x * fc_log(x / m) - d;
}


/* corr(x) for an integer-valued x >= 0, from corr_tab below 1024. */
static inline double corr_big(double x)
{
    if (x < 1024.0)
        return corr_tab[(int)x];
    return corr(x);
}

/* The transformed-rejection samplers below draw U (53 bits) and the top 11
 * bits of V from one 64-bit word: V = (v11 + W) / 2^11, the rest W drawn only
 * when the 11 bits cannot decide the squeeze V <= vr, or when V is needed in
 * full (1 call in 7). V stays uniform on [0, 1), so the methods are exactly
 * the published ones, at one draw per iteration instead of two. */
#define TR_U(bits) ((double)((bits) >> 11) * 0x1p-53 + (0x1p-54 - 0.5)) /* (-1/2, 1/2), exact */
#define TR_VC(bits) ((double)((bits) & 0x7ff) * 0x1p-11)
#define TR_VW(rng) (fc_rng_uniform(rng) * 0x1p-11)

/* ---- Poisson ------------------------------------------------------------ */

enum { PM_ZERO, PM_INV, PM_PTRS };

/* Inversion by sequential search from 0 (mu < 10: about mu + 1 steps), from
 * P(0) = exp(-mu) prepared. Rounding can leave u above the sum of all computed
 * terms; the search is then cut at INV_MAX (P(X >= 64) < 1e-30 here) and
 * restarted. */
static uint64_t pois_inv(fc_pcg32 *rng, double mu, double p0)
{
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

/* The constants of PTRS's exact test (a log and a division), which a one-shot
 * draw computes only when a draw reaches that test. */
static void pois_exact_init(fc_pois_prep *s)
{
    s->lmu = fc_log(s->mu);
    s->inv_alpha = 1.1239 + 1.1328 / (s->b - 3.4);
    s->ready = 1;
}

/* Everything but the exact test's constants (full: those too). */
static ALWAYS_INLINE void pois_init(fc_pois_prep *s, double mu, int full)
{
    s->mu = mu;
    s->ready = 0;
    if (mu >= 10.0) {
        s->method = PM_PTRS;
        double smu = sqrt(mu);
        s->b = 0.931 + 2.53 * smu;
        s->a = -0.059 + 0.02483 * s->b;
        s->bm2 = s->b - 2.0;
        s->c = mu + 0.43;
        if (full)
            pois_exact_init(s);
    } else if (mu > 0.0) {
        s->method = PM_INV;
        s->p0 = fc_exp(-mu);
    } else {
        s->method = PM_ZERO;
    }
}

/* PTRS, Hormann (1993), "The transformed rejection method for generating
 * Poisson random variables", for mu >= 10: a transformed-rejection hat with a
 * squeeze that accepts most draws (86% for large mu, 38% at mu = 10) for one
 * 64-bit draw and a division. The squeeze V <= vr = 0.9277 - 3.6224/(b-2) is
 * tested as (0.9277 - V)(b - 2) >= 3.6224, with no division. The exact test
 * log(V alpha'/(a/us^2 + b)) <= log p(k) takes log k! from a table below LF_N,
 * and above it the Stirling form log p(k) = -bd0(k, mu) - log(2 pi k)/2 -
 * corr(k), which does not cancel even at mu = 1e12 (the plain
 * -mu + k log mu - log k! loses 1e-3 there). s's exact-test constants are
 * used when set (a prepared sampler), else computed on first need. */
static ALWAYS_INLINE uint64_t pois_ptrs(fc_pcg32 *rng, const fc_pois_prep *s)
{
    const double b = s->b, a = s->a, bm2 = s->bm2, c = s->c, mu = s->mu;
    double lmu = s->lmu, inv_alpha = s->inv_alpha;
    int ready = s->ready;
    for (;;) {
        uint64_t bits = fc_pcg32_next64(rng);
        double u = TR_U(bits), vc = TR_VC(bits), v = -1.0;
        double us = 0.5 - fabs(u);
        double ius = 1.0 / us;
        double y = (2.0 * a * ius + b) * u + c; /* k = floor(y) */
        if (us >= 0.07) { /* here y > 1.86 sqrt(mu) > 0, so floor is truncation */
            if ((0.9277 - 0x1p-11 - vc) * bm2 >= 3.6224)
                return (uint64_t)(int64_t)y;
            if ((0.9277 - vc) * bm2 > 3.6224) {
                v = vc + TR_VW(rng);
                if ((0.9277 - v) * bm2 >= 3.6224)
                    return (uint64_t)(int64_t)y;
            }
        }
        /* k < 0, or k beyond 2^62 where p(k) is 0 to any precision: reject. */
        if (!(y >= 0.0 && y < 0x1p62))
            continue;
        double k = (double)(int64_t)y;
        if (v < 0.0)
            v = vc + TR_VW(rng);
        if (us < 0.013 && v > us)
            continue;
        if (!ready) { /* as pois_exact_init */
            lmu = fc_log(mu);
            inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
            ready = 1;
        }
        double h = v * inv_alpha * us * us / (a + b * us * us);
        if (k < LF_N) {
            if (fc_log(h) <= k * lmu - mu - lfact_tab[(int)k])
                return (uint64_t)k;
        } else if (0.5 * fc_log(h * h * TWO_PI * k) <= -bd0(k, mu, k - mu) - corr_big(k)) {
            return (uint64_t)k; /* log(2 pi k)/2 moved left, into one log */
        }
    }
}

static ALWAYS_INLINE uint64_t pois_draw(fc_pcg32 *rng, const fc_pois_prep *s)
{
    if (s->method == PM_PTRS)
        return pois_ptrs(rng, s);
    if (s->method == PM_INV)
        return pois_inv(rng, s->mu, s->p0);
    return 0;
}

void fc_pois_prep_init(fc_pois_prep *s, double mu)
{
    pois_init(s, mu, 1);
}

uint64_t fc_rpois_prep(fc_pcg32 *rng, const fc_pois_prep *s)
{
    return pois_draw(rng, s);
}

uint64_t fc_rpois(fc_pcg32 *rng, double mu)
{
    fc_pois_prep s;
    pois_init(&s, mu, 0);
    return pois_draw(rng, &s);
}

/* ---- binomial ----------------------------------------------------------- */

enum { BM_ZERO, BM_ALL, BM_BERN, BM_INV, BM_MODE, BM_BTRS };
enum { BK_ZERO, BK_ALL, BK_SOME };

/* Largest n p q drawn by mode-centred inversion (binom_mode), above it BTRS:
 * where the search's expected 1.6 sd + 1 steps cost about what BTRS's
 * set-up, rejections and exact tests do in time (measured; in instructions
 * the search stays ahead up to about 100; divisions and the
 * dependent chain of its sums make it slower in time than that suggests). */
#ifndef MODE_MAX_VAR
#define MODE_MAX_VAR 25.0
#endif

/* Number of successes in n <= 4 Bernoulli(p) trials, each one 64-bit draw
 * against t = floor(p 2^64) (exact to 2^-64): cheaper than any set-up. */
static uint64_t binom_bern(fc_pcg32 *rng, uint64_t n, uint64_t t)
{
    uint64_t x = 0;
    for (uint64_t i = 0; i < n; i++)
        x += fc_pcg32_next64(rng) < t;
    return x;
}

/* x^n by repeated squaring (n small): no transcendental call. */
static double powi(double x, uint64_t n)
{
    double r = 1.0;
    for (; n; n >>= 1, x *= x)
        if (n & 1)
            r *= x;
    return r;
}

/* log q = log(1 - p) as P(0) = q^n needs it. A function of p alone, so a
 * p-prepared sampler (fc_binom_p) keeps it. */
static double binom_lq(double p)
{
    return fc_log1p(-p);
}

/* P(0) = q^n for the inversion (n p < 10, so at least 1e-6 here, never
 * underflowing), the cheapest accurate way: by squaring for n <= 64 (relative
 * error below 1e-14), else exp(n log q) with lq = log q from binom_lq. */
static double binom_p0(uint64_t n, double q, double lq)
{
    if (n <= 64)
        return powi(q, n);
    return fc_exp((double)(int64_t)n * lq);
}

/* Inversion for n p < 10, p <= 1/2: sequential search from 0 with
 * P(k+1) = P(k) (n-k)/(k+1) p/q; about n p + 1 steps whatever n is. Cut at
 * kmax = min(n, INV_MAX) and restarted as in pois_inv (P(X >= 64) < 1e-25
 * here). */
static uint64_t binom_inv(fc_pcg32 *rng, const fc_binom_prep *s)
{
    const uint64_t n = s->n;
    const double r = s->r, p0 = s->p0;
    const int kmax = s->kmax;
    for (;;) {
        double u = fc_rng_uniform(rng), f = p0;
        int k = 0;
        while (u >= f && k < kmax) {
            u -= f;
            f *= r * (double)(int64_t)(n - (uint64_t)k) * inv_tab[k + 1];
            k++;
        }
        if (u < f)
            return (uint64_t)k;
    }
}

/* floor(y) for |y| < 2^63, without a libm call. */
static inline int64_t ifloor(double y)
{
    int64_t j = (int64_t)y;
    return j - (y < (double)j);
}

__extension__ typedef unsigned __int128 u128; /* GCC and Clang on 64-bit */

/* n p = N + f exactly split: N = floor(n p) and f in [0, 1) to 2^-53, from the
 * 115-bit product of n and p's 53-bit mantissa (p normal, 2^-60 < p <= 1/2,
 * so p = M 2^-s with 54 <= s <= 113 and the product fits 128 bits). No fma
 * (a libm call on a build without -mfma) and no rounding of n p itself. */
static inline uint64_t mul_split(uint64_t n, double p, double *f)
{
    uint64_t bits;
    memcpy(&bits, &p, sizeof bits);
    unsigned s = 1075u - (unsigned)(bits >> 52);
    uint64_t mant = (bits & ((UINT64_C(1) << 52) - 1)) | (UINT64_C(1) << 52);
    u128 prod = (u128)n * mant;
    /* the fraction's top 53 bits, truncated: f < 1 always */
    uint64_t top = (uint64_t)((prod << (128u - s)) >> 64);
    *f = (double)(top >> 11) * 0x1p-53;
    return (uint64_t)(prod >> s);
}

/* The constants of BTRS's exact test; a one-shot draw computes them only when
 * a draw reaches that test (a fifth of the draws at large n). lr is
 * log((n-m) p / (m q)) = log1p((n p - m) / (m q)), with n p - m = f - (m - N)
 * exact to 2^-53 from mul_split (it is -1 < n p - m <= 1). imn = 1 / (m (n-m)):
 * the half-logs of the Stirling forms of the test share it. */
static void btrs_exact_init(fc_binom_prep *s)
{
    double f;
    uint64_t ip = mul_split(s->n, s->p, &f);
    double nf = f - (double)(int64_t)(s->m - ip);
    s->lr = fc_log1p(nf / (s->md * s->q));
    s->alpha = (2.83 + 5.1 / s->b) * s->spq;
    s->corr_m = corr_big(s->md);
    s->corr_nm = corr_big(s->nmd);
    s->imn = 1.0 / (s->md * s->nmd);
    s->ready = 1;
}

/* The part of the set-up that depends on p alone: symmetry, q, p / q and q / p,
 * the Bernoulli threshold, and (with_lq, for a sampler kept for many n) log q.
 * fc_rbinom makes it on every call; fc_binom_p keeps it. */
static ALWAYS_INLINE void binom_setp(fc_binom_p *bp, double p, int with_lq)
{
    bp->has_lq = 0;
    bp->flip = 0;
    if (!(p > 0.0)) {
        bp->kind = BK_ZERO;
        return;
    }
    if (p >= 1.0) {
        bp->kind = BK_ALL;
        return;
    }
    bp->kind = BK_SOME;
    /* By symmetry, sample the count of the rarer outcome: 1 - p is exact for
     * p > 1/2 (Sterbenz). */
    bp->flip = p > 0.5;
    if (bp->flip)
        p = 1.0 - p;
    double q = 1.0 - p;
    bp->p = p;
    bp->q = q;
    bp->r = p / q;
    bp->ir = q / p;
    bp->bern = (uint64_t)(p * 0x1p64); /* p <= 1/2: no overflow */
    if (with_lq) {
        bp->lq = binom_lq(p);
        bp->has_lq = 1;
    }
}

/* bd0(x, M) as bd0() sums it, for |d| <= 1 and x + M >= 19 (so
 * |v| = |d| / (x + M) <= 0.053): a fixed polynomial, the first omitted term
 * below d v^14 / 15 < 1e-19. */
static inline double bd0_near(double x, double m, double d)
{
    double v = d / (x + m), v2 = v * v, v4 = v2 * v2;
    /* Estrin's scheme: a shorter dependency chain than Horner's */
    double s = (1.0 / 3 + v2 * (1.0 / 5)) + v4 * ((1.0 / 7 + v2 * (1.0 / 9))
               + v4 * (1.0 / 11 + v2 * (1.0 / 13)));
    return d * v + 2.0 * x * v * v2 * s;
}

/* Mode-centred inversion (n p >= 10, n p q <= MODE_MAX_VAR): the search starts
 * at m = floor((n+1) p), the mode (any start would be exact; the mode makes
 * it short), with P(m) from Loader's (2000) saddle-point form
 *   log P(m) = corr(n) - corr(m) - corr(n-m) - bd0(m, n p) - bd0(n-m, n q)
 *              + log(n / (2 pi m (n-m))) / 2,
 * which has no cancelling terms at any n; then the search steps outward,
 * alternately up and down, with the exact ratios P(k+1)/P(k) = (n-k)/(k+1) p/q
 * and P(k-1)/P(k) = k/(n-k+1) q/p. d = m - n p lies in (-1, 1/2] and enters
 * log P(m) only as d^2 / (n p q), so a rounded n p (relative 2^-53) costs
 * nothing; above 2^40 it comes from the exact split (mul_split), where m and
 * n p as doubles would cancel. The exponent lc (all but the half-log) lies in
 * [-0.12, 0] (the corr terms are >= -corr(10), the bd0 terms sum to about
 * d^2 / (2 n p q) <= 0.1), where exp is its Taylor series to lc^10 / 10!
 * (error below 2e-18). The search stops kcap = 12 sd + 40 steps either side
 * of the mode (the mass beyond is below 1e-25 by Chernoff's bound
 * exp(-t^2 / (2 (n p q + t/3)))) and restarts, as binom_inv does. */
typedef struct mode_par {
    uint64_t m;
    double ifm, md, nmd; /* 1 / P(m), m and n - m */
    int kcap;
} mode_par;

static ALWAYS_INLINE void mode_init(mode_par *o, uint64_t n, double p, double q)
{
    uint64_t m;
    double d, npd, nqd, nd = (double)(int64_t)n;
    if (n < (UINT64_C(1) << 40)) {
        npd = nd * p;
        m = (uint64_t)(int64_t)(npd + p);
        d = (double)(int64_t)m - npd;
        nqd = nd - npd;
    } else {
        double f;
        uint64_t ip = mul_split(n, p, &f);
        uint64_t up = f + p >= 1.0;
        m = ip + up;
        d = (double)up - f;
        npd = (double)(int64_t)ip + f;
        nqd = (double)(int64_t)(n - ip) - f;
    }
    double md = (double)(int64_t)m, nmd = (double)(int64_t)(n - m);
    double cn = n < CORRB_N ? corr_tab[n] - corr_tab[m] - corr_tab[n - m]
                            : corr(nd) - corr(md) - corr(nmd);
    double lc = cn - bd0_near(md, npd, d) - bd0_near(nmd, nqd, -d);
    /* exp(-lc) to lc^10 / 10!, by Estrin's scheme (a short dependency chain) */
    double x = -lc, x2 = x * x, x4 = x2 * x2, x8 = x4 * x4;
    double e = ((1.0 + x) + x2 * (1.0 / 2 + x * (1.0 / 6)))
               + x4 * ((1.0 / 24 + x * (1.0 / 120)) + x2 * (1.0 / 720 + x * (1.0 / 5040)))
               + x8 * ((1.0 / 40320 + x * (1.0 / 362880)) + x2 * (1.0 / 3628800));
    if (!(x <= 0.125)) /* outside the bound above: not reached */
        e = fc_exp(x);
    o->m = m;
    o->md = md;
    o->nmd = nmd;
    o->ifm = e * sqrt(TWO_PI * md * nmd / nd);
    o->kcap = (int)(12.0 * sqrt(npd * q)) + 40;
}

/* The search itself; r = p / q, ir = q / p. */
static uint64_t mode_walk(fc_pcg32 *rng, uint64_t n, uint64_t m, double ifm, double md,
                          double nmd, int kcap, double r, double ir)
{
    const int nup = (uint64_t)kcap < n - m ? kcap : (int)(n - m);
    const int ndown = (uint64_t)kcap < m ? kcap : (int)m;
    const int both = nup < ndown ? nup : ndown;
    for (;;) {
        /* in units of P(m): U / P(m) against the sums of P(k) / P(m), so
         * that the search need not wait for P(m) to be known */
        double u = fc_rng_uniform(rng) * ifm - 1.0;
        if (u < 0.0)
            return m;
        /* P(m+i) = P(m+i-1) r (n-m-i+1) / (m+i) and
         * P(m-i) = P(m-i+1) ir (m-i+1) / (n-m+i), the counts as doubles
         * (exact: n < 2^53 wherever the search can reach an end) */
        double fh = 1.0, fl = 1.0;
        double hn = nmd + 1.0, hd = md, ln = md + 1.0, ld = nmd;
        int i = 1;
        for (; i <= both; i++) {
            /* both ratios from one division (its latency is off the chain
             * of u, and divisions are what bounds this loop) */
            hn -= 1.0;
            hd += 1.0;
            ln -= 1.0;
            ld += 1.0;
            double inv = 1.0 / (hd * ld);
            fh *= r * hn * ld * inv;
            fl *= ir * ln * hd * inv;
            /* one subtraction on u's chain per two terms; the order of the
             * terms (m+i before m-i) is kept */
            double u2 = u - (fh + fl);
            if (u2 < 0.0)
                return u - fh < 0.0 ? m + (uint64_t)i : m - (uint64_t)i;
            u = u2;
        }
        /* one side has ended (at 0 or n, or both at kcap) */
        for (; i <= nup; i++) {
            hn -= 1.0;
            hd += 1.0;
            fh *= r * hn / hd;
            u -= fh;
            if (u < 0.0)
                return m + (uint64_t)i;
        }
        for (; i <= ndown; i++) {
            ln -= 1.0;
            ld += 1.0;
            fl *= ir * ln / ld;
            u -= fl;
            if (u < 0.0)
                return m - (uint64_t)i;
        }
    }
}

static ALWAYS_INLINE uint64_t mode_draw(fc_pcg32 *rng, uint64_t n, double p, double q,
                                        double r, double ir)
{
    mode_par o;
    mode_init(&o, n, p, q);
    return mode_walk(rng, n, o.m, o.ifm, o.md, o.nmd, o.kcap, r, ir);
}

static uint64_t binom_mode(fc_pcg32 *rng, const fc_binom_prep *s)
{
    return mode_walk(rng, s->n, s->m, s->p0, s->md, s->nmd, s->kmax, s->r, s->a);
}

/* Everything but the BTRS exact test's constants (full: those too), for n
 * and the p-part bp. */
static ALWAYS_INLINE void binom_setn(fc_binom_prep *s, const fc_binom_p *bp, uint64_t n,
                                     int full)
{
    s->n = n;
    s->ready = 0;
    s->flip = 0;
    if (n == 0 || bp->kind == BK_ZERO) {
        s->method = BM_ZERO;
        return;
    }
    if (bp->kind == BK_ALL) {
        s->method = BM_ALL;
        return;
    }
    s->flip = bp->flip;
    double p = bp->p, q = bp->q, nd = (double)(int64_t)n; /* n <= 2^62 */
    s->p = p;
    s->q = q;
    double np = nd * p;
    if (n <= 4) {
        s->method = BM_BERN;
        s->m = bp->bern;
    } else if (np < 10.0) {
        s->method = BM_INV;
        s->r = bp->r;
        s->p0 = binom_p0(n, q, n <= 64 ? 0.0 : bp->has_lq ? bp->lq : binom_lq(p));
        s->kmax = n < (uint64_t)INV_MAX ? (int)n : INV_MAX;
    } else if (np * q <= MODE_MAX_VAR) {
        s->method = BM_MODE;
        s->r = bp->r;
        s->a = bp->ir; /* the downward ratio's factor */
        mode_par o;
        mode_init(&o, n, p, q);
        s->m = o.m;
        s->p0 = o.ifm;
        s->md = o.md;
        s->nmd = o.nmd;
        s->kmax = o.kcap;
    } else {
        s->method = BM_BTRS;
        double spq = sqrt(np * q);
        double b = 1.15 + 2.53 * spq;
        s->spq = spq;
        s->b = b;
        s->a = -0.0873 + 0.0248 * b + 0.01 * p;
        /* m = floor((n+1) p) = N + [f + p >= 1], and c - m = n p + 1/2 - m,
         * from the exact split n p = N + f */
        double f;
        uint64_t ip = mul_split(n, p, &f);
        uint64_t up = f + p >= 1.0;
        s->m = ip + up;
        s->cm = (f + 0.5) - (double)up;
        s->md = (double)(int64_t)s->m;
        s->nmd = (double)(int64_t)(n - s->m);
        if (full)
            btrs_exact_init(s);
    }
}

static ALWAYS_INLINE void binom_init(fc_binom_prep *s, uint64_t n, double p, int full)
{
    fc_binom_p bp;
    binom_setp(&bp, p, 0);
    binom_setn(s, &bp, n, full);
}

/* BTRS's exact test for the offset j (k = m + j within [0, n]) and the
 * draw's V and us: whether V <= f(k) / hat(k). Out of line: a fifth of the
 * draws at large n come here. The constants are s's when set (a prepared
 * sampler), else lazy's, computed on the first call of the draw. */
static NOINLINE int btrs_accept(const fc_binom_prep *s, fc_binom_prep *lazy,
                                int64_t j, double v, double us)
{
    const fc_binom_prep *ex = s;
    if (!s->ready) {
        if (!lazy->ready) {
            *lazy = *s;
            btrs_exact_init(lazy);
        }
        ex = lazy;
    }
    const uint64_t n = s->n, m = s->m;
    const double a = s->a, b = s->b, md = s->md, nmd = s->nmd;
    uint64_t k = m + (uint64_t)j;
    double jd = (double)j, kd = (double)(int64_t)k, nkd = (double)(int64_t)(n - k);
    double h = v * ex->alpha * us * us / (a + b * us * us);
    double hl = h * h, rhs;
    int ta = k < LF_N && m < LF_N, tb = n - k < LF_N && n - m < LF_N;
    if (!ta && !tb) {
        /* the common case at large n: both brackets in Stirling form, their
         * half-logs log(s(k) s(n-k) / (m (n-m)))/2 joined */
        rhs = jd * ex->lr - bd0(kd, md, jd) - bd0(nkd, nmd, -jd)
              - (corr_big(kd) - ex->corr_m) - (corr_big(nkd) - ex->corr_nm);
        hl *= stir_arg(kd) * stir_arg(nkd) * ex->imn;
    } else {
        rhs = 0.0;
        if (ta) {
            rhs -= lfact_tab[k] - lfact_tab[m];
        } else {
            rhs -= bd0(kd, md, jd) + corr(kd) - ex->corr_m;
            hl *= stir_arg(kd) / md;
        }
        if (tb) {
            rhs -= lfact_tab[n - k] - lfact_tab[n - m];
        } else {
            rhs -= bd0(nkd, nmd, -jd) + corr(nkd) - ex->corr_nm;
            hl *= stir_arg(nkd) / nmd;
        }
        /* small counts: |j| < LF_N, so a plain log is accurate */
        rhs += jd * fc_log(s->p * (tb ? 1.0 : nmd) / (s->q * (ta ? 1.0 : md)));
    }
    return 0.5 * fc_log(hl) <= rhs;
}

/* BTRS, Hormann (1993), "The generation of binomial random variates", for
 * n p >= 10, p <= 1/2.
 *
 * The draw is formed as an integer offset j from an integer mode m, never as
 * a floating k, so that it is exact above 2^53. m = floor((n+1) p) and the
 * hat's centre c - m = n p + 1/2 - m come from the exact split of n p into
 * its integer part and fraction (mul_split), so the hat is Hormann's to
 * 2^-53 (the fraction's truncation) whatever n is: within the slack of his
 * constants, and m is the true mode up to a tie decided by that last bit,
 * which moves nothing (f(m)/f(mode) > 1 - 1e-15 then). So the squeeze and
 * the hat stay valid and the method exact. The squeeze V <= vr = 0.92 - 4.2/b
 * is tested as (0.92 - V) b >= 4.2.
 *
 * The exact test compares with log f(k)/f(m) = j log(p/q) - [log k! - log m!]
 * - [log (n-k)! - log (n-m)!]. Each bracket comes from the table of log k!
 * when both its counts are below LF_N, and otherwise in the Stirling form
 *   log x! - log M! = d log M + bd0(x, M) + log(s(x)/M)/2 + corr(x) - corr(M)
 * (x = M + d). When both brackets are in Stirling form their d log M terms
 * join j log(p/q) into j lr with lr = log((n-m) p / (m q)) =
 * log1p((n p - m) / (m q)), n p - m exact to 2^-53 (btrs_exact_init); so no
 * term cancels even at n = 2^62 (where the textbook form of the test, with
 * (n+1) log((n-m+1)/(n-k+1)), loses everything). The half-logs are folded into
 * the logarithm of the left side (btrs_accept). */
static ALWAYS_INLINE uint64_t binom_btrs(fc_pcg32 *rng, const fc_binom_prep *s)
{
    const uint64_t n = s->n, m = s->m;
    const double b = s->b, a = s->a, cm = s->cm;
    fc_binom_prep lazy;
    lazy.ready = 0;
    for (;;) {
        uint64_t bits = fc_pcg32_next64(rng);
        double u = TR_U(bits), vc = TR_VC(bits), v = -1.0;
        double us = 0.5 - fabs(u);
        double ius = 1.0 / us;
        double y = (2.0 * a * ius + b) * u + cm; /* j = floor(y) */
        /* The squeeze region lies well inside [-m, n-m] (|y| < 0.9 b < m). */
        if (us >= 0.07) {
            if ((0.92 - 0x1p-11 - vc) * b >= 4.2)
                return m + (uint64_t)ifloor(y);
            if ((0.92 - vc) * b > 4.2) {
                v = vc + TR_VW(rng);
                if ((0.92 - v) * b >= 4.2)
                    return m + (uint64_t)ifloor(y);
            }
        }
        if (!(fabs(y) < 0x1p62))
            continue;
        int64_t j = ifloor(y);
        if (j < 0 ? (uint64_t)(-j) > m : (uint64_t)j > n - m)
            continue;
        if (v < 0.0)
            v = vc + TR_VW(rng);
        if (btrs_accept(s, &lazy, j, v, us))
            return m + (uint64_t)j;
    }
}

static ALWAYS_INLINE uint64_t binom_draw(fc_pcg32 *rng, const fc_binom_prep *s)
{
    uint64_t x;
    switch (s->method) {
    case BM_BTRS:
        x = binom_btrs(rng, s);
        break;
    case BM_INV:
        x = binom_inv(rng, s);
        break;
    case BM_MODE:
        x = binom_mode(rng, s);
        break;
    case BM_BERN:
        x = binom_bern(rng, s->n, s->m);
        break;
    case BM_ALL:
        return s->n;
    default:
        return 0;
    }
    return s->flip ? s->n - x : x;
}

void fc_binom_prep_init(fc_binom_prep *s, uint64_t n, double p)
{
    binom_init(s, n, p, 1);
}

uint64_t fc_rbinom_prep(fc_pcg32 *rng, const fc_binom_prep *s)
{
    return binom_draw(rng, s);
}

void fc_binom_p_init(fc_binom_p *s, double p)
{
    binom_setp(s, p, 1);
}

/* The mode search's draw without the prepared-sampler record: its set-up
 * stays in registers. NaN n p cannot come here (p is a valid probability). */
static ALWAYS_INLINE int mode_fast(fc_pcg32 *rng, const fc_binom_p *bp, uint64_t n,
                                   uint64_t *x)
{
    if (bp->kind != BK_SOME || n <= 4)
        return 0;
    double np = (double)(int64_t)n * bp->p;
    if (!(np >= 10.0 && np * bp->q <= MODE_MAX_VAR))
        return 0;
    uint64_t k = mode_draw(rng, n, bp->p, bp->q, bp->r, bp->ir);
    *x = bp->flip ? n - k : k;
    return 1;
}

uint64_t fc_rbinom_p(fc_pcg32 *rng, const fc_binom_p *s, uint64_t n)
{
    uint64_t x;
    if (mode_fast(rng, s, n, &x))
        return x;
    fc_binom_prep t;
    binom_setn(&t, s, n, 0);
    return binom_draw(rng, &t);
}

uint64_t fc_rbinom(fc_pcg32 *rng, uint64_t n, double p)
{
    fc_binom_p bp;
    binom_setp(&bp, p, 0);
    uint64_t x;
    if (mode_fast(rng, &bp, n, &x))
        return x;
    fc_binom_prep s;
    binom_setn(&s, &bp, n, 0);
    return binom_draw(rng, &s);
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
        return fc_exp(p[0] + p[1] * norm(rng));
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
        return fc_exp(p[0] + 0.5 * p[1] * p[1]);
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
        return fc_expm1(s2) * fc_exp(2.0 * p[0] + s2);
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
