/* stat_check: the statistics the tests judge samplers with: a tolerance
 * assertion, special functions (log-gamma, incomplete gamma and beta), exact
 * CDFs and pmfs, and goodness-of-fit tests that return p-values. Test code
 * only; it is checked against scipy in tests/test_stat_check.c, because a
 * wrong reference would make every sampler test meaningless.
 *
 * Include after <cmocka.h> (assert_close reports through cmocka).
 */
#ifndef FC_TEST_STAT_CHECK_H
#define FC_TEST_STAT_CHECK_H

#include <stddef.h>
#include <stdint.h>

/* Passes when |actual - expected| <= max(abs_tol, rel_tol * |expected|), or
 * when both are the same infinity or both NaN; otherwise prints both values
 * (17 digits), the difference and the tolerance, and fails the cmocka test at
 * the caller's line. cmocka 1.1.5 has no assert_double_equal. */
#define assert_close(actual, expected, abs_tol, rel_tol)                       \
    sc_assert_close((actual), (expected), (abs_tol), (rel_tol), #actual,       \
                    __FILE__, __LINE__)
void sc_assert_close(double actual, double expected, double abs_tol,
                     double rel_tol, const char *expr, const char *file,
                     int line);

/* Fails (at the caller's line, printing the label and p) unless p > p_min:
 * the one way the statistical tests assert. With SC_VERBOSE set in the
 * environment every p-value is printed. */
#define assert_p_above(p, p_min, label)                                        \
    sc_assert_p_above((p), (p_min), (label), __FILE__, __LINE__)
void sc_assert_p_above(double p, double p_min, const char *label,
                       const char *file, int line);

/* Special functions. */
double sc_lgamma(double x);            /* log Gamma(x), x > 0 */
double sc_lbeta(double a, double b);   /* log B(a, b) */
double sc_stirlerr(double n);          /* lgamma(n+1) - (n+1/2)log n + n - log sqrt(2 pi), n > 0 */
double sc_gamma_p(double a, double x); /* regularized lower incomplete gamma */
double sc_gamma_q(double a, double x); /* regularized upper incomplete gamma */
double sc_beta_inc(double a, double b, double x); /* I_x(a, b) */

/* Exact CDFs (continuous). */
double sc_norm_cdf(double z); /* standard normal */
double sc_normal_cdf(double x, double mean, double sd);
double sc_lognormal_cdf(double x, double mu, double sigma);
double sc_gamma_cdf(double x, double shape, double scale);
double sc_beta_cdf(double x, double a, double b);
double sc_uniform_cdf(double x, double lo, double hi);
double sc_triangular_cdf(double x, double lo, double mode, double hi);
double sc_pert_cdf(double x, double lo, double mode, double hi);

/* Exact pmfs in log space (Loader's saddle-point form: Stirling remainders
 * plus the deviance term, so no large log-gamma values cancel), accurate for
 * n up to 1e15 and means up to 1e15. k, n are integers held in doubles. */
double sc_pois_logpmf(double k, double mu);
double sc_binom_logpmf(double k, double n, double p);
/* Probability that the variable lies in the integer range [lo, hi]: the pmf
 * summed by its ratio recurrence, restarted from the exact log-pmf every 1024
 * steps so rounding cannot drift (and at every step while the pmf underflows,
 * so a range starting deep in a tail is still summed right). Cost is linear in hi - lo. */
double sc_pois_mass(double mu, double lo, double hi);
double sc_binom_mass(double n, double p, double lo, double hi);

/* A CDF as a callback for the KS test. */
typedef double (*sc_cdf_fn)(double x, const void *ctx);

/* One-sample Kolmogorov-Smirnov test of x[0..n-1] (sorted in place) against
 * cdf; returns the p-value (0 when a sample is NaN or infinite). Each sample is
 * given one ulp of slack both ways (the ECDF at x is compared with F at the
 * next double up and down) so a sampler exact up to rounding of its double
 * output is not rejected where a continuous law piles mass into one double
 * (beta(0.01, 0.01) puts a third of its mass within 1e-16 of 1). The slack
 * makes the test conservative, never anti-conservative. D is stored in *d_out
 * when it is not NULL. p from the Kolmogorov limit law with Stephens' n
 * correction (accurate to about 1% relative for n >= 35). */
double sc_ks_test(double *x, size_t n, sc_cdf_fn cdf, const void *ctx,
                  double *d_out);
/* Kolmogorov's limit law: P(sqrt(n) D > t). */
double sc_kolmogorov_q(double t);

/* Chi-square goodness of fit of observed counts against expected counts
 * (same total) over k ordered cells; neighbouring cells are merged, in order,
 * until each merged cell expects >= 5 (the rule of thumb that keeps the chi-
 * square approximation good); the merging depends on the expectations only, so
 * the test stays valid. ddof: parameters fitted from the data (usually 0).
 * Returns the p-value, NaN when fewer than two cells remain. The statistic and
 * degrees of freedom go to *stat_out, *df_out when not NULL. */
double sc_chisq_test(const double *observed, const double *expected, size_t k,
                     int ddof, double *stat_out, double *df_out);
/* P(chi2_df > x). */
double sc_chisq_sf(double x, double df);

#endif
