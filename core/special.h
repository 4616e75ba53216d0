/* special: special functions the model compiler needs (not the samplers):
 * log-gamma, the regularized incomplete beta function, and the beta
 * distribution with given 5th and 95th percentiles (range() in a field that
 * holds a probability). Pure functions, thread-safe. */
#ifndef FC_SPECIAL_H
#define FC_SPECIAL_H

/* log Gamma(x), x > 0 (Lanczos, relative error ~1e-15). */
double fc_lgamma(double x);

/* I_x(a, b), the regularized incomplete beta function; a, b > 0, x in [0, 1]. */
double fc_beta_inc(double a, double b, double x);

/* Finds a, b > 0 with I_lo(a, b) = 0.05 and I_hi(a, b) = 0.95, for
 * 0 < lo < hi < 1. Returns 0, or -1 when no beta fits (the interval is too
 * wide or lopsided for a beta with both percentiles). */
int fc_beta_from_quantiles(double lo, double hi, double *a, double *b);

#endif
