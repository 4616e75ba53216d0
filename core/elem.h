/* elem: the elementary functions the core computes draws and figures with
 * (log, log1p, exp, expm1, sin(pi x) and pow of a positive base), written here in plain
 * IEEE double arithmetic so that a result has the same bits on every machine
 * and build. libm's last bits differ between its versions, and glibc picks
 * its FMA or non-FMA variant by processor: a run split over machines must
 * still merge into the run made on one, and a vector path of the engine must
 * draw what the scalar one draws. Only + - * / (correctly rounded everywhere,
 * in round-to-nearest) and exact bit operations are used, and the Makefile
 * forbids contraction into fused multiply-adds (-ffp-contract=off).
 *
 * Methods (table-driven reductions after Tang, 1989 and 1990; the tables and
 * constants are core/elem_tables.h, made in 60-digit decimal arithmetic by
 * bench/gen_elem_tables.py; the polynomials are Taylor's, exact rationals
 * rounded once, truncated below 2^-60 relative):
 *  - exp: x = (128 k + j) ln2/128 + r, |r| <= ln2/256 (n ln2/128 in two
 *    parts, the first exact), e^x = 2^k (T_j + (T_j p(r) + t_j)) with 2^(j/128)
 *    = T_j + t_j and p(r) = e^r - 1 to r^5.
 *  - log: for |x - 1| < 1/16, 2 atanh(s) with s = f/(2 + f), f = x - 1
 *    exact: f - (f^2/2 - s (f^2/2 + R(s^2))), R to s^12. Else x = 2^k m, m in
 *    [1, 2) in the interval of centre F_j (width 1/128), r = (m - F_j) / F_j
 *    (m - F_j exact, times 1/F_j rounded), log x = (k ln2_hi + log_hi F_j) +
 *    (k ln2_lo + log_lo F_j + log1p(r)), the first sum exact (both on the grid
 *    of 2^-42), log1p(r) to r^8.
 *  - log1p: |x| < 1/16 as log's first case on f = x itself; else log of u =
 *    1 + x, the rounding of u corrected to first order: (x - (u - 1)) / u, or
 *    (1 - (u - x)) / u when u >= 2, both differences exact.
 *  - expm1: |x| <= ln2/2 directly as x + x^2 q(x) to x^13; else (2^k - 1) +
 *    2^k (e^r - 1) with x = k ln 2 + r, 2^k - 1 exact for -53 <= k <= 53
 *    (for k = 1, 2 ((1/2 + hi) + (q - lo)), r = hi - lo).
 *  - sin(pi x): x = n + y, |y| <= 1/2, by Taylor's sin or cos below pi/4.
 *  - pow(x, y), x > 0: exp(y log x); its relative error grows with |y log x|.
 * Bounds, measured against references of 64-bit precision on 4 million
 * arguments each (tests/test_elem.c, run by make test; the README's
 * "Reproducible on every machine"): exp and log within 0.6 ulp, log1p within
 * 1 ulp, expm1 within 1.5 ulp (normal results), sin(pi x) within 2 ulp (where
 * |sin| >= 2^-20), pow within (1 + 2 |y log x|)
 * ulp. Special values as C's: log(0) = -inf, log(x < 0) = NaN, exp overflow
 * = +inf, underflow to subnormals and 0 (a subnormal within 1 ulp of its own
 * spacing). They are inline: the samplers call them in their inner loops. */
#ifndef FC_ELEM_H
#define FC_ELEM_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "elem_tables.h"

static inline uint64_t fc_elem_bits(double x)
{
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    return b;
}

static inline double fc_elem_double(uint64_t b)
{
    double x;
    memcpy(&x, &b, sizeof x);
    return x;
}

/* 2^k for -1022 <= k <= 1023. */
static inline double fc_elem_pow2(int k)
{
    return fc_elem_double((uint64_t)(k + 1023) << 52);
}

/* log(1 + f) for |f| < 1/16 (f exact), plus a small correction c. */
static inline double fc_elem_log_near1(double f, double c)
{
    double s = f / (2.0 + f), z = s * s, z2 = z * z, z4 = z2 * z2;
    /* R = sum 2 z^j / (2j + 1), j = 1..6, in Estrin's scheme */
    double R = z * ((2.0 / 3 + z * (2.0 / 5)) + z2 * (2.0 / 7 + z * (2.0 / 9)) + z4 * (2.0 / 11 + z * (2.0 / 13)));
    double hfsq = 0.5 * f * f;
    return f - (hfsq - (s * (hfsq + R) + c));
}

/* log of a positive normal double (bits b) outside (15/16, 17/16), plus a
 * small correction c, and k0 added to its exponent. */
static inline double fc_elem_log_table(uint64_t b, int k0, double c)
{
    const int k = (int)(b >> 52) - 1023 + k0;
    const int j = (int)((b >> 45) & 127); /* the top 7 bits of the mantissa */
    double m = fc_elem_double((b & UINT64_C(0x000fffffffffffff)) | UINT64_C(0x3ff0000000000000));
    double r = (m - fc_elem_log_f[j]) * fc_elem_log_inv[j];
    double r2 = r * r, r4 = r2 * r2;
    /* log1p(r) = r - r^2/2 + r^3 (1/3 - r/4 + r^2/5 - r^3/6 + r^4/7 - r^5/8) */
    double p = r2 * r * ((1.0 / 3 - r * (1.0 / 4)) + r2 * (1.0 / 5 - r * (1.0 / 6)) + r4 * (1.0 / 7 - r * (1.0 / 8)));
    double dk = (double)k;
    double hi = dk * FC_LN2_HI + fc_elem_log_hi[j]; /* exact */
    return hi + ((dk * FC_LN2_LO + fc_elem_log_lo[j] + c) + (r - (0.5 * r2 - p)));
}

static inline double fc_log(double x)
{
    uint64_t b = fc_elem_bits(x);
    if (b - UINT64_C(0x0010000000000000) >= UINT64_C(0x7fe0000000000000)) {
        /* zero, subnormal, negative, infinite or NaN */
        if (x != x || x == INFINITY)
            return x + x;
        if (x < 0)
            return NAN;
        if (x == 0)
            return -INFINITY;
        return fc_elem_log_table(fc_elem_bits(x * 0x1p54), -54, 0.0);
    }
    if (fabs(x - 1.0) < 1.0 / 16)
        return fc_elem_log_near1(x - 1.0, 0.0);
    return fc_elem_log_table(b, 0, 0.0);
}

static inline double fc_log1p(double x)
{
    if (fabs(x) < 1.0 / 16)
        return fc_elem_log_near1(x, 0.0);
    double u = 1.0 + x;
    if (!(u > 0) || u == INFINITY || x != x)
        return x != x ? x + x : u == 0 ? -INFINITY : u > 0 ? u : NAN;
    /* u is 1 + x rounded: log(1 + x) = log u + (1 + x - u) / u to first
     * order; u - 1 is exact below 2, u - x above it (Sterbenz) */
    double c = u < 0x1p53 ? (u < 2.0 ? x - (u - 1.0) : 1.0 - (u - x)) / u : 0.0;
    return fc_elem_log_table(fc_elem_bits(u), 0, c);
}

static inline double fc_exp(double x)
{
    if (!(x <= 709.782712893384)) /* above log(DBL_MAX), +inf or NaN */
        return x + INFINITY;
    if (x < -745.1332191019412) /* below half the least subnormal's log */
        return 0.0;
    /* n = round(x N / ln 2) through the 2^52 + 2^51 shifter (|n| < 2^18) */
    double nd = (x * FC_EXP_INV + 0x1.8p52) - 0x1.8p52;
    int n = (int)nd;
    double r = (x - nd * FC_EXP_L1) - nd * FC_EXP_L2;
    double r2 = r * r;
    double p = r + r2 * ((1.0 / 2 + r * (1.0 / 6)) + r2 * (1.0 / 24 + r * (1.0 / 120)));
    const int j = n & (FC_ELEM_N - 1), k = (n - j) / FC_ELEM_N;
    double y = fc_elem_exp_hi[j] + (fc_elem_exp_hi[j] * p + fc_elem_exp_lo[j]);
    if (k < -1022) /* a subnormal result: rounded once more, to its spacing */
        return y * fc_elem_pow2(k + 54) * 0x1p-54;
    return y * fc_elem_pow2(k);
}

/* q(r) = e^r - 1 - r for |r| <= ln 2 / 2 + 2^-40 (terms to r^13 / 13!, the
 * first omitted below 2^-62 relative), in Estrin's scheme. */
static inline double fc_elem_expm1_q(double r)
{
    double r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
    double a = 1.0 / 2 + r * (1.0 / 6), b = 1.0 / 24 + r * (1.0 / 120), c = 1.0 / 720 + r * (1.0 / 5040);
    double d = 1.0 / 40320 + r * (1.0 / 362880), e = 1.0 / 3628800 + r * (1.0 / 39916800);
    double g = 1.0 / 479001600 + r * (1.0 / 6227020800.0);
    return r2 * (((a + r2 * b) + r4 * (c + r2 * d)) + r8 * (e + r2 * g));
}

static inline double fc_expm1(double x)
{
    if (!(x <= 709.782712893384))
        return x + INFINITY;
    if (x < -38.0) /* e^x below 2^-54: -1 + e^x rounds to -1 */
        return -1.0;
    if (fabs(x) <= 0.34657359027997264) /* ln 2 / 2 */
        return x + fc_elem_expm1_q(x);
    /* x = k ln 2 + (hi - lo), hi exact (k ln2_hi exact, and Sterbenz) */
    double kd = (x * (FC_EXP_INV / FC_ELEM_N) + 0x1.8p52) - 0x1.8p52;
    int k = (int)kd;
    double hi = x - kd * FC_LN2_HI, lo = kd * FC_LN2_LO;
    double q = fc_elem_expm1_q(hi - lo);
    if (k == 1) /* 2 (e^r - 1/2), where 1/2 + hi is exact (Sterbenz) as it nears cancelling */
        return 2.0 * ((0.5 + hi) + (q - lo));
    double em = hi + (q - lo); /* e^r - 1 */
    if (k > 53)
        return fc_exp(x) - 1.0;
    double t = fc_elem_pow2(k);
    return (t - 1.0) + t * em;
}

/* sin(pi x): x = n + y with n whole and |y| <= 1/2 (y exact), sin(pi x) =
 * (-1)^n sin(pi y); sin(pi |y|) by Taylor's series of sin in t = pi |y| for
 * |y| <= 1/4, else of cos in u = pi (1/2 - |y|) (1/2 - |y| exact), both
 * arguments below pi/4 and the series to t^19 and u^18 (the first omitted
 * term below 2^-60 relative). */
static inline double fc_sinpi(double x)
{
    if (x != x || fabs(x) == INFINITY)
        return NAN;
    if (!(fabs(x) < 0x1p52)) /* a whole number */
        return 0.0;
    double n = (x + 0x1.8p52) - 0x1.8p52; /* the nearest whole number (ties to even) */
    double y = x - n, ay = fabs(y);
    double s;
    if (ay <= 0.25) {
        double t = 3.141592653589793 * ay, t2 = t * t;
        s = t + t * t2 * (-1.0 / 6 + t2 * (1.0 / 120 + t2 * (-1.0 / 5040 + t2 * (1.0 / 362880 +
            t2 * (-1.0 / 39916800 + t2 * (1.0 / 6227020800.0 + t2 * (-1.0 / 1307674368000.0 +
            t2 * (1.0 / 355687428096000.0 + t2 * (-1.0 / 121645100408832000.0)))))))));
    } else {
        double u = 3.141592653589793 * (0.5 - ay), u2 = u * u;
        s = 1.0 - u2 * (1.0 / 2 + u2 * (-1.0 / 24 + u2 * (1.0 / 720 + u2 * (-1.0 / 40320 +
            u2 * (1.0 / 3628800 + u2 * (-1.0 / 479001600 + u2 * (1.0 / 87178291200.0 +
            u2 * (-1.0 / 20922789888000.0 + u2 * (1.0 / 6402373705728000.0)))))))));
    }
    int odd = (int)((int64_t)n & 1);
    return (y < 0) != odd ? -s : s;
}

/* x^y for x > 0 (the engine's curves): exp(y log x). */
static inline double fc_pow_pos(double x, double y)
{
    return fc_exp(y * fc_log(x));
}

#endif
