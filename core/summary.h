/* summary: the figures of a run. Holds every trial's record (slot-major, in
 * trial order, so that statistics do not depend on which thread ran which
 * trial) and, after fc_summary_finish, per slot the mean, sd, min, max and
 * the quantiles of DESIGN.md, and each goal's probability.
 * Memory: 8 bytes per slot per trial (fc_layout.nslots slots).
 */
#ifndef FC_SUMMARY_H
#define FC_SUMMARY_H

#include <stddef.h>
#include <stdint.h>

#include "metrics.h"
#include "model.h"

#define FC_NQUANTILES 7
/* The quantile levels reported: p5, p10, p25, p50, p75, p90, p95. */
extern const double fc_quantile_levels[FC_NQUANTILES];

typedef struct fc_stat {
    uint64_t n;          /* trials with a finite value */
    uint64_t infinite;   /* trials whose value was not finite (a CAC without customers) */
    double mean, sd, min, max;
    double q[FC_NQUANTILES]; /* lower empirical quantiles: the value at rank ceil(level * n) */
} fc_stat;

typedef struct fc_summary {
    const fc_model *model; /* not owned: must outlive the summary */
    fc_layout layout;
    uint64_t from, ntrials;  /* trials [from, from + ntrials) */
    double *values;          /* [nslots][ntrials], owned */
    fc_stat *stats;          /* [nslots], owned; valid after fc_summary_finish */
    double *goal_prob;       /* [ngoals], owned; valid after fc_summary_finish */
} fc_summary;

/* A summary with room for ntrials trial records, or NULL when out of memory
 * (or when the size would overflow). The caller owns it: fc_summary_free. */
fc_summary *fc_summary_new(const fc_model *m, uint64_t from, uint64_t ntrials);
void fc_summary_free(fc_summary *s);

/* Bytes fc_summary_new would allocate, or 0 on overflow. */
size_t fc_summary_bytes(const fc_model *m, uint64_t ntrials);

/* Computes the statistics of every slot and the goal probabilities. Returns
 * 0, or -1 when out of memory. */
int fc_summary_finish(fc_summary *s);

/* Whether goal g is met by value x. */
int fc_goal_met(const fc_goal *g, double x);

#endif
