/* special: special functions the model compiler needs (not the samplers):
 * log-gamma, the regularized incomplete beta and gamma functions, the
 * beta distribution with given 5th and 95th percentiles (range() in a field
 * that holds a probability), and the quantile functions of correlated
 * assumptions. Pure functions, thread-safe. */
#ifndef FC_SPECIAL_H
#define FC_SPECIAL_H

struct fc_dist;

/* log Gamma(x), x > 0 (Lanczos, relative error ~1e-15). */
double fc_lgamma(double x);

/* I_x(a, b), the regularized incomplete beta function; a, b > 0, x in [0, 1]. */
double fc_beta_inc(double a, double b, double x);

/* P(a, x), the regularized lower incomplete gamma function; a > 0, x >= 0. */
double fc_gamma_inc(double a, double x);

/* The standard normal CDF. */
double fc_norm_cdf(double z);

/* The distribution's quantile (inverse CDF) at the standard normal quantile
 * z, i.e. F^-1(Phi(z)): how a Gaussian copula turns a correlated normal into
 * a draw of any continuous law. Exact in closed form for normal, lognormal,
 * uniform and triangular; by safeguarded Newton steps on the CDF for beta,
 * PERT and gamma (to a relative 1e-12). */
double fc_dist_quantile_z(const struct fc_dist *d, double z);

/* Finds a, b > 0 with I_lo(a, b) = 0.05 and I_hi(a, b) = 0.95, for
 * 0 < lo < hi < 1. Returns 0, or -1 when no beta fits (the interval is too
 * wide or lopsided for a beta with both percentiles). */
int fc_beta_from_quantiles(double lo, double hi, double *a, double *b);

#endif
