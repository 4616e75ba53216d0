/* ltv: the lifetime-value factor of one customer (the expected number of
 * periods it pays for, discounted), under shifted-beta-geometric (sbg) or
 * plain geometric churn, for the engine's ltv metric. Every loop is bounded
 * by a constant, whatever the parameter values: at most 256 terms summed one
 * by one, then at most 256 quadrature panels of 17 evaluations each.
 * Pure functions: no state, no allocation, thread-safe.
 *
 * Method (fc_ltv_sbg), g(k) = S(k) x^k, x = 1 / (1 + discount):
 *  1. discount 0 and no horizon: (a + b - 1) / (a - 1) for a > 1, else +INFINITY.
 *  2. The first K0 = min(H, 256) terms directly, S(k + 1) = S(k) (1 - a / (a + b + k)),
 *     compensated (each recurrence carries its rounding error, the sum is
 *     Neumaier's). Done when H <= 256, or when the rest, at most
 *     g(K0) min(H - K0, 1 / (1 - x)) since S falls, is below 1e-18 of the sum.
 *  3. The tail sum_{k=K0}^{H-1} g(k) by Euler-Maclaurin:
 *     int_{K0}^{H} g + (g(K0) - g(H))/2 + (g'(H) - g'(K0))/12 - (g'''(H) - g'''(K0))/720
 *     (the H terms dropped when H is unlimited). ln g(k) - ln g(K0) comes from
 *     Stirling's series for lnGamma(y + a) - lnGamma(y), y = b + k >= 256,
 *     arranged as differences that cancel nothing large (no lgamma call, so
 *     a = 1, integer a and huge b or k are nothing special); the derivatives
 *     from the asymptotic series of the digamma and polygamma differences.
 *     The integral: 16-point Gauss-Legendre on panels in t = ln(b + k),
 *     each as wide as lets ln of the integrand change by at most 12 (its
 *     slope in t is 1 - y (psi(y + a) - psi(y)) + y ln x), at most 4 wide,
 *     up to t = ln(b + H), or, unlimited, until the slope is below -1 and
 *     what is left (below integrand / |slope| there) is below 1e-18 of the
 *     sum. x = 1 with a finite H is the same with ln x = 0.
 *
 * Error bound (relative to the result), verified:
 *  - Euler-Maclaurin remainder after the g''' term: the g^(5) term plus
 *    2 zeta(6)/(2 pi)^6 int |g^(6)|, at most ~7e-5 c^6 times the tail with
 *    c = ln(1 + discount) + (a + 5) / (b + 256); the tail only matters when
 *    c is small (its share of the sum falls like e^(-256 c)), and the product
 *    stays below 3e-17 of the sum.
 *  - Gauss-Legendre: on a panel over which the log of an exponential changes
 *    by 12 the 16-point rule's relative error is 4e-22; on this integrand the
 *    rule agreed with a 20-point one on panels 20 times narrower to 4e-15 (the
 *    rounding) over 300,000 random (a, b, discount, horizon) with a in
 *    [1e-3, 1e4], b in [1e-3, 1e8], discount in [0, 10], horizons to 1e9.
 *  - the cut-offs: each below 1e-18 of the sum.
 *  - rounding: about 1e-16 times |ln g| per term, and 1e-15 in the sum.
 *  Against 50-digit mpmath values (2F1(1, b; a + b; x), less x^H S(H) times
 *  the same from b + H; the telescoping closed form for x = 1) on a grid of
 *  a in {1e-3, 1e-2, 0.5, 1, 1.5, 2, 3, 10, 100, 1e4}, b in {1e-3 .. 1e8},
 *  discount in {0, 1e-15 .. 10}, horizons 257 .. 1e9 and unlimited (2,948
 *  cases), the largest relative error is 1.5e-15; the bound stated is 1e-14.
 *
 * Cost: about 2-6 microseconds when the tail is needed (a = 0.5, b = 1,
 * discount 0.01), 6-13 with a discount of 1e-15, 0.2 milliseconds at worst
 * (a discount below 1e-300); about 0.2 microseconds for a horizon of 36. */
#ifndef FC_LTV_H
#define FC_LTV_H

#include <stdint.h>

/* sum_{k=0}^{H-1} S(k) x^k, S(k) = B(a, b + k) / B(a, b), x = 1 / (1 + discount);
 * H = horizon, 0: unlimited. a, b > 0 and finite, discount >= 0 (+INFINITY
 * gives 1), horizon >= 0; otherwise NaN. Returns +INFINITY when the sum
 * diverges (discount 0, horizon 0, a <= 1) or exceeds the range of a double. */
double fc_ltv_sbg(double a, double b, double discount, int64_t horizon);

/* The plain-churn case: sum_{k<H} (keep x)^k, keep = 1 - churn (closed form,
 * without the cancellation of 1 - keep x); H = 0: unlimited, +INFINITY when
 * keep x >= 1 then. keep >= 0, discount >= 0, horizon >= 0; otherwise NaN. */
double fc_ltv_geometric(double keep, double discount, int64_t horizon);

/* The same two with a revenue that grows by `expansion` (>= 0) per period of
 * tenure: the terms are S(k) (x (1 + expansion))^k. With expansion <= discount
 * that is a discount of (discount - expansion) / (1 + expansion) >= 0; above
 * it, the geometric sum keeps its closed form (r = keep (1 + expansion) x may
 * pass 1) and the sbg sum is +INFINITY unlimited (S falls like k^-a, the
 * growth is exponential), else summed term by term (at most FC_MAX_TENURE
 * terms: the longest horizon). NaN for an expansion < 0 or not a number. */
double fc_ltv_geometric_x(double keep, double discount, double expansion, int64_t horizon);
double fc_ltv_sbg_x(double a, double b, double discount, double expansion, int64_t horizon);

#endif
