/* dist: exact samplers for the distributions of a scenario's assumptions and of
 * the simulated counts. Every draw takes its generator as an argument and keeps
 * no state of its own; each costs O(1) expected time whatever its parameters
 * (no method whose cost grows with n or the mean). Parameters are assumed valid
 * here (checked once by fc_dist_check or by the model compiler), so the hot loop
 * pays for no checks.
 */
#ifndef FC_DIST_H
#define FC_DIST_H

#include <stddef.h>
#include <stdint.h>

#include "rng.h"

/* Largest binomial n accepted (2^62). */
#define FC_BINOM_MAX_N (UINT64_C(1) << 62)
/* Largest Poisson mean accepted. */
#define FC_POIS_MAX_MEAN 1e12

/* Standard normal (ziggurat, exact tails). */
double fc_rnorm(fc_pcg32 *rng);
/* exp(mu + sigma * Z). */
double fc_rlognormal(fc_pcg32 *rng, double mu, double sigma);
/* Gamma with the given shape > 0 and scale 1 (Marsaglia-Tsang; shape < 1 by
 * the boost U^(1/shape)). */
double fc_rgamma(fc_pcg32 *rng, double shape);
/* Beta(a, b), a, b > 0; exact also when both are far below 1. */
double fc_rbeta(fc_pcg32 *rng, double a, double b);
/* Poisson with mean 0 <= mu <= FC_POIS_MAX_MEAN. */
uint64_t fc_rpois(fc_pcg32 *rng, double mu);
/* Binomial(n, p), n <= FC_BINOM_MAX_N, 0 <= p <= 1; exact for every n (the
 * result is an exact integer also above 2^53). */
uint64_t fc_rbinom(fc_pcg32 *rng, uint64_t n, double p);
/* Prepared samplers: everything a Poisson or binomial draw needs that
 * depends only on its parameters, computed once by the _init function, for a
 * process that draws many times with the same parameters. A draw from a
 * prepared sampler is the one fc_rpois / fc_rbinom makes with those parameters
 * (same method, same use of the generator, the same value); fc_rpois and
 * fc_rbinom are themselves init + draw, with the constants only the rare
 * exact test needs left to that test. A prepared sampler is a plain value
 * with no pointers (copy it freely; a const one may be shared by threads);
 * its fields are private to core/dist. Parameters as for fc_rpois and
 * fc_rbinom. */
typedef struct fc_pois_prep {
    double mu;
    double p0;                /* inversion: exp(-mu) */
    double b, a, bm2, c;      /* PTRS hat and squeeze */
    double lmu, inv_alpha;    /* PTRS exact test */
    int method, ready;
} fc_pois_prep;

void fc_pois_prep_init(fc_pois_prep *s, double mu);
uint64_t fc_rpois_prep(fc_pcg32 *rng, const fc_pois_prep *s);

typedef struct fc_binom_prep {
    uint64_t n;
    uint64_t m;               /* BTRS: the mode; Bernoulli: floor(p 2^64) */
    double p, q;              /* the rarer outcome's probability, and 1 - p */
    double p0, r;             /* inversion: q^n (mode search: 1 / P(m)) and p / q */
    double b, a, cm, spq;     /* BTRS hat and squeeze (mode search: a = q / p) */
    double md, nmd;           /* BTRS: m and n - m as doubles */
    double alpha, lr, corr_m, corr_nm, imn; /* BTRS exact test */
    int method, flip, kmax, ready;
} fc_binom_prep;

void fc_binom_prep_init(fc_binom_prep *s, uint64_t n, double p);
uint64_t fc_rbinom_prep(fc_pcg32 *rng, const fc_binom_prep *s);

/* A binomial prepared for its p alone, for a process that keeps p while n
 * changes at every draw (a funnel stage's rate over the periods of a trial):
 * what depends only on p (symmetry, q, p / q, log q) is computed once by
 * fc_binom_p_init. fc_rbinom_p(rng, s, n) is the draw fc_rbinom(rng, n, p)
 * makes (same method, same use of the generator, the same value). A plain
 * value like fc_binom_prep; fields private to core/dist. */
typedef struct fc_binom_p {
    double p, q, r, ir, lq;   /* rarer outcome's p, 1 - p, p / q, q / p, log q */
    uint64_t bern;            /* floor(p 2^64) */
    int flip, kind, has_lq;
} fc_binom_p;

void fc_binom_p_init(fc_binom_p *s, double p);
uint64_t fc_rbinom_p(fc_pcg32 *rng, const fc_binom_p *s, uint64_t n);

/* Multinomial: splits n over k cells with probabilities prob[0..k-1] (summing
 * to 1 within rounding; the last cell takes the rest), into out[0..k-1]. */
void fc_rmultinom(fc_pcg32 *rng, uint64_t n, size_t k, const double *prob,
                  uint64_t *out);
/* Triangular on [lo, hi] with the given mode, lo <= mode <= hi, lo < hi. */
double fc_rtriangular(fc_pcg32 *rng, double lo, double mode, double hi);
/* PERT on [lo, hi]: lo + (hi - lo) * Beta(1 + 4 (mode-lo)/(hi-lo),
 * 1 + 4 (hi-mode)/(hi-lo)). */
double fc_rpert(fc_pcg32 *rng, double lo, double mode, double hi);

/* A distribution as a value: what a scenario's assumption compiles to. */
typedef enum fc_dist_kind {
    FC_DIST_FIXED,      /* p[0] */
    FC_DIST_UNIFORM,    /* [p[0], p[1]) */
    FC_DIST_NORMAL,     /* mean p[0], sd p[1] */
    FC_DIST_LOGNORMAL,  /* mu p[0], sigma p[1] (of the log) */
    FC_DIST_GAMMA,      /* shape p[0], scale p[1] */
    FC_DIST_BETA,       /* a p[0], b p[1] */
    FC_DIST_TRIANGULAR, /* min p[0], mode p[1], max p[2] */
    FC_DIST_PERT,       /* min p[0], mode p[1], max p[2] */
    FC_DIST_POISSON,    /* mean p[0] */
    FC_DIST_BINOMIAL,   /* n, p p[0] */
    FC_DIST_KIND_COUNT
} fc_dist_kind;

typedef struct fc_dist {
    fc_dist_kind kind;
    double p[3];
    uint64_t n;
} fc_dist;

/* Name of a kind ("beta"), and the names of its parameters as a user writes
 * them (for error messages): fc_dist_param_name(FC_DIST_BETA, 0) is "a". */
const char *fc_dist_kind_name(fc_dist_kind kind);
const char *fc_dist_param_name(fc_dist_kind kind, int i);

/* Checks the parameters. Returns 0 when valid; otherwise -1 and writes to err
 * (size errlen) a message naming the parameter and what was expected, e.g.
 * "beta: a: expected a number > 0, got -1". */
int fc_dist_check(const fc_dist *d, char *err, size_t errlen);

/* One draw (binomial and Poisson as doubles: exact below 2^53). */
double fc_dist_draw(const fc_dist *d, fc_pcg32 *rng);

/* Exact mean and variance of the distribution (for tests and reports). */
double fc_dist_mean(const fc_dist *d);
double fc_dist_var(const fc_dist *d);

#endif
