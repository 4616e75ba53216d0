/* paired: what a paired run (a comparison) summarizes besides each
 * scenario's own figures. Scenarios compared run trial by trial together on
 * the same streams (core/engine.h), so trial i of an alternative and trial i
 * of the base share every assumption they have in common; a pairing says
 * which figures of the two records are the same figure, and turns the two
 * records of one trial into a difference record (alternative minus base)
 * that a summary (fc_summary_new_shape) summarizes like any other, in the
 * same constant memory, merged the same way:
 *  - slots [0, FC_M_COUNT): the totals (metrics.h order), with two tallies
 *    each: trials where the alternative is strictly better (in the metric's
 *    direction, fc_metric_higher_is_better) and trials where the two are
 *    equal (both not finite in the same way counts as equal);
 *  - then per goal both have (by name, the alternative's order): whether the
 *    alternative met it minus whether the base did (-1, 0 or 1), so that the
 *    slot's mean is the difference of the probabilities and its variance
 *    gives the paired standard error.
 * The stages and channels both have (by name, in the base's order) are
 * listed too: their report is the change of their means and medians, which
 * the two scenarios' own summaries give.
 */
#ifndef FC_PAIRED_H
#define FC_PAIRED_H

#include <stdint.h>

#include "metrics.h"
#include "model.h"
#include "summary.h"

/* The least level of a difference's logarithmic histogram: buckets within
 * 2^4 x FC_HIST_ALPHA = 0.5% relative (hist.h). A difference of two real
 * figures takes both signs and spreads over many decades near zero, where
 * finer buckets take many pages (and a paired run's time goes to cache
 * misses on them) for no use: what the report reads of a difference is its
 * mean, spread and quantiles at 0.5%. */
#define FC_DIFF_LEVEL 4

/* The most scenarios one comparison runs together. */
#define FC_MAX_COMPARED 16

typedef struct fc_pairing {
    const fc_model *base, *alt; /* not owned: must outlive the pairing */
    int nstages, nchannels, ngoals; /* figures both have */
    int *stage;      /* [nstages][2] stage index in base, in alt; owned (one block with the rest) */
    int *channel;    /* [nchannels][2] */
    int *goal;       /* [ngoals][2] */
    int goal0[2];    /* the first goal slot of the base's record, of the alt's */
    int nvalues;     /* slots [0, nvalues) (the totals) are differences of record slots ... */
    int *slot;       /* [nvalues][2] ... of base slot slot[2i] and alt slot slot[2i + 1] */
    fc_shape shape;  /* nslots = nvalues + ngoals, 2 * FC_M_COUNT tallies */
} fc_pairing;

/* Tally t of a difference summary: metric i's better (2i) and ties (2i + 1). */
#define FC_TALLY_BETTER(i) (2 * (i))
#define FC_TALLY_TIES(i) (2 * (i) + 1)

/* The pairing of alt against base. Returns 0, or -1 when out of memory. The
 * caller owns it: fc_pairing_free. */
int fc_pairing_make(fc_pairing *p, const fc_model *base, const fc_model *alt);
void fc_pairing_free(fc_pairing *p);

/* The difference record of one trial (out[p->shape.nslots]) from the two
 * records, and its better/ties counts into tally[2 * FC_M_COUNT]. */
void fc_pairing_diff(const fc_pairing *p, const double *base_rec, const double *alt_rec, double *out,
                     uint64_t *tally);

/* Whether a difference summary is as precise as --precision asks of the
 * base's own figures: each goal's difference within +-precision, and each
 * total's mean difference within +-precision times the base's mean, both as
 * 95% intervals. */
int fc_pairing_precise(const fc_pairing *p, const fc_summary *diff, const fc_summary *base,
                       double precision);

/* The paired standard error of a goal's difference from its slot's
 * statistics: sd / sqrt(n), sd the sample standard deviation of the
 * per-trial differences d_i in {-1, 0, 1}. */
double fc_pairing_goal_se(const fc_stat *st);

#endif
