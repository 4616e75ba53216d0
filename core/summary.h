/* summary: the figures of a run, in memory that does not depend on the number
 * of trials. Trials are summarized in blocks of FC_BLOCK consecutive trials
 * (block b holds trials [b * FC_BLOCK, (b + 1) * FC_BLOCK) of the run):
 *  - per slot, an exact histogram of whole numbers or a relative-error sketch
 *    of other values (hist.h), under the caps the run's memory allows, the
 *    exact min and max and the count of non-finite values: sums of counts,
 *    so any merge order gives the same;
 *  - per slot, the mean and the sum of squared deviations of each block, folded
 *    block after block in block order (Chan's pairwise update): the same
 *    floating-point operations in the same order whatever the thread count;
 *  - per goal, the number of trials that met it.
 * After fc_summary_finish: per slot the mean, sd, min, max and the quantiles
 * of DESIGN.md, and each goal's probability.
 */
#ifndef FC_SUMMARY_H
#define FC_SUMMARY_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "hist.h"
#include "metrics.h"
#include "model.h"

#define FC_NQUANTILES 7
/* Trials per block: the unit of work and of the ordered fold of moments. */
#define FC_BLOCK 1024
/* Trials per chunk: a block is summarized chunk after chunk, so that the
 * records being summarized stay in the processor's nearest caches (a block
 * of B1's records is 1.5 MB, a chunk 93 KB; measured: a third faster).
 * A block's moments are the in-order merge of its chunks' moments. */
#define FC_CHUNK 64

/* The quantile levels reported: p5, p10, p25, p50, p75, p90, p95. */
extern const double fc_quantile_levels[FC_NQUANTILES];

typedef struct fc_stat {
    uint64_t n;          /* trials with a finite value */
    uint64_t infinite;   /* trials whose value was not finite (a CAC without customers) */
    double mean, sd, min, max;
    double q[FC_NQUANTILES]; /* the value at rank ceil(level * n) of the finite values:
                               exact for whole numbers, else within 0.03125% relative at level 0 */
} fc_stat;

/* Mean and sum of squared deviations of the finite values of some trials. */
typedef struct fc_moments {
    double n, mean, m2;
} fc_moments;

/* The caps and meter of an accumulator's histograms: a total (one value per
 * trial: metrics, stage totals and costs, channel figures, goals) may hold
 * more pages than a per-period series, of which there are many more. */
typedef struct fc_accum_caps {
    fc_hist_caps total, series;
    int series_lo, series_hi; /* slots [series_lo, series_hi) are series */
    fc_meter *meter;          /* NULL, or where the histograms count their bytes */
    uint64_t yield;           /* see fc_hist_init_with (UINT64_MAX: never refuse) */
} fc_accum_caps;

/* The caps of a summary made without a budget: FC_HIST_MAX_PAGES pages for
 * every slot, no meter. */
fc_accum_caps fc_accum_default_caps(void);

/* What a summary summarizes: its slots and the goals and drivers it counts.
 * A model's (fc_shape_of_model) has its record's slots; a paired run's
 * differences (core/paired.h) have their own, with tallies and no goals. */
typedef struct fc_shape {
    int nslots;
    int series_lo, series_hi; /* slots [series_lo, series_hi) are per-period series */
    int goal0, ngoals;        /* slots [goal0, goal0 + ngoals) are goals[i]'s metric */
    const fc_goal *goals;     /* [ngoals], not owned */
    int ndrivers;             /* drivers counted (fc_accum_add_drivers) */
    int ntally;               /* plain counts added by the caller (fc_accum.tally) */
    int floor;                /* the least level of its logarithmic histograms (hist.h) */
    /* A lean summary of a model's records (fc_shape_lean) summarizes only
     * some of the record's slots: slot i is record slot pick[i]. NULL: slot
     * i is record slot i. A summary keeps its own copy. */
    const int *pick;          /* [nslots] */
    /* A lean shape of one figure whose trials may draw that figure from its
     * marginal law (an objective-only run, fc_engine_marginal): the same law
     * as a full run's figure, not the same draws. */
    int marginal;
} fc_shape;

void fc_shape_of_model(const fc_model *m, fc_shape *out);

/* The shape of a lean summary of m's records, for runs that need only a few
 * figures (a search's candidates, core/engine.h): slots [0, nmetrics) the
 * totals metrics[i] (fc_metric ids), then one slot per goal of m (its metric
 * through its period), or for goal `goal` alone when goal >= 0, counting each
 * goal's trials met; no series, no drivers. pick (room for nmetrics +
 * m->ngoals ints, the caller's) is filled and pointed to by out. The engine
 * computes of such a run's trials only what these figures are made of: the
 * same values, from the same draws, as a full run's (unless the caller sets
 * out->marginal). */
void fc_shape_lean(const fc_model *m, const int *metrics, int nmetrics, int goal, int *pick, fc_shape *out);

/* The record slot that slot i of shape sh reads. */
static inline int fc_shape_slot(const fc_shape *sh, int i)
{
    return sh->pick ? sh->pick[i] : i;
}

/* The order-free part of a summary: what one thread accumulates and what
 * merges by addition. */
typedef struct fc_accum {
    int nslots, ngoals, ndrivers;
    fc_accum_caps caps;
    unsigned flush_seen;  /* the summary's flush generation this thread last gave its counts at */
    fc_hist *hist;        /* [nslots], owned */
    double *min, *max;    /* [nslots], owned */
    uint64_t *infinite;   /* [nslots], owned */
    uint64_t *goal_met;   /* [ngoals], owned */
    uint64_t *driver_n;   /* [ndrivers][3] trials with driver i in its low, middle, high third */
    uint64_t *driver_met; /* [ndrivers][3][ngoals] of those, the trials that met goal g */
    int ntally;
    uint64_t *tally;      /* [ntally], owned: counts the caller adds (a paired run's better and ties) */
} fc_accum;

/* Allocates an empty accumulator for model m's records, its histograms
 * under caps (NULL: fc_accum_default_caps). The caller owns it:
 * fc_accum_free. Returns 0, or -1 when out of memory. */
int fc_accum_init(fc_accum *a, const fc_model *m, const fc_accum_caps *caps);
/* The same for nslots slots, ngoals goals, ndrivers drivers and ntally tallies. */
int fc_accum_alloc(fc_accum *a, int nslots, int ngoals, int ndrivers, int ntally, const fc_accum_caps *caps);
/* The same for a shape. */
int fc_accum_init_shape(fc_accum *a, const fc_shape *sh, const fc_accum_caps *caps);
void fc_accum_free(fc_accum *a);
/* Empties a (its histograms' pages freed; the arrays kept). */
void fc_accum_clear(fc_accum *a);
/* Adds n trial records (record i at recs[i * nslots]). Returns 0, -1
 * (memory) or FC_HIST_FULL (the meter reached a's yield: a holds part of the
 * records). */
int fc_accum_add(fc_accum *a, const fc_model *m, const double *recs, size_t n);
/* The same for records stored by slot: slot s of record i at cols[s * ld + i]
 * (what the engine writes). */
int fc_accum_add_cols(fc_accum *a, const fc_model *m, const double *cols, size_t ld, size_t n);
/* Counts one trial for the drivers (what moves each goal's probability):
 * draw[p->index] is the trial's draw of parameter p (before any clipping) for
 * every driver p in m->drivers, goal_x[g] the value of goal g's metric (the
 * record's goal slots). The draw falls in the low third of its
 * stated law (below m->driver_cut[2i]), the middle or the high third (from
 * m->driver_cut[2i + 1]); the counts give P(goal | third) without keeping
 * any trial. The engine calls it once per trial; records alone do not carry
 * the draws, so fc_accum_add and fc_summary_add_block leave these counts. */
void fc_accum_add_drivers(fc_accum *a, const fc_model *m, const double *draw, const double *goal_x);
/* Whether nothing was added yet. */
int fc_accum_is_empty(const fc_accum *a);
/* Adds every count of `from` into `into`. Returns 0, -1 (memory) or
 * FC_HIST_FULL (into's meter reached its yield); into is then incomplete. */
int fc_accum_merge(fc_accum *into, const fc_accum *from);
/* The same, emptying `from` slot by slot as its counts move, so that the two
 * never hold the same counts at once for more than one slot. */
int fc_accum_drain(fc_accum *into, fc_accum *from);

typedef struct fc_summary {
    const fc_model *model; /* not owned: must outlive the summary; NULL for a paired run's differences */
    fc_layout layout;      /* the model's record (zero without a model) */
    fc_shape shape;
    uint64_t ntrials;      /* trials summarized so far: blocks [0, next_block) */
    fc_accum acc;          /* merged counts */
    /* The run's histograms, the summary's and the threads', count their
     * bytes in meter. A thread's accumulator past thread_yield gives its
     * counts to acc (under acc_lock) and starts again empty: additions of
     * counts, so when it does so cannot change the result. */
    fc_meter meter;
    uint64_t thread_yield; /* UINT64_MAX: threads never flush */
    atomic_uint flush_gen; /* raised by a thread that flushed: the others follow at their next chunk */
    pthread_mutex_t acc_lock;
    fc_moments *mom;       /* [nslots] fold of blocks [0, next_block) */
    uint64_t next_block;
    /* Blocks that finished early wait here, by block number, for their turn. */
    int window;
    fc_moments *pending;   /* [window][nslots] */
    uint64_t *pending_block; /* [window], UINT64_MAX when free */
    uint64_t *pending_trials; /* [window] */
    pthread_mutex_t lock;
    pthread_cond_t turn;
    int sync_ready;        /* lock and turn are initialized */
    int aborted;           /* a run failed: folds return without waiting */
    /* A shard (kept != NULL) runs blocks shard_k, shard_k + shard_n, ... of a
     * run of run_trials trials and keeps each block's moments, by position
     * j (block shard_k + j * shard_n), for the merge to fold in block order. */
    uint64_t shard_k, shard_n, run_trials, nkept;
    fc_moments *kept;      /* [nkept][nslots], owned */
    uint64_t *kept_trials; /* [nkept], owned; 0 for a block not run */
    double *values;        /* NULL, or [nslots][values_capacity]: every record, slot-major
                              by trial (tests compare against exact order statistics) */
    uint64_t values_capacity;
    fc_stat *stats;        /* [nslots]; valid after fc_summary_finish */
    double *goal_prob;     /* [ngoals]; valid after fc_summary_finish */
    int *pick;             /* [nslots], owned: the shape's pick, copied (NULL when it has none) */
} fc_summary;

/* An empty summary of model m, whose fold accepts up to `window` blocks ahead
 * of the next in order (4 per thread is plenty). The caller owns it:
 * fc_summary_free. NULL when out of memory. */
fc_summary *fc_summary_new(const fc_model *m, int window);
/* The same for a shape without a model (its goals must outlive it; its
 * pick, if any, is copied). */
fc_summary *fc_summary_new_shape(const fc_shape *sh, int window);
void fc_summary_free(fc_summary *s);

/* Sets the caps of s's histograms (s must be empty): totals under `total`,
 * series under `series`, the summary's own histograms refusing past
 * own_yield (UINT64_MAX for a run, whose flushes must succeed: its caps bound
 * it) and the threads' past thread_yield. */
void fc_summary_set_caps(fc_summary *s, fc_hist_caps total, fc_hist_caps series, uint64_t own_yield,
                         uint64_t thread_yield);
/* An accumulator for one of the run's threads: s's caps, counting into s's
 * meter, refusing past s->thread_yield. Returns 0 or -1 (memory). */
int fc_summary_thread_accum(const fc_summary *s, fc_accum *a);
/* A thread's fc_accum_add_cols: when the run's histograms reach
 * s->thread_yield, a gives its counts to s->acc and goes on empty (and every
 * other thread does at its next call). Returns 0 or -1 (memory). */
int fc_summary_add_counts(fc_summary *s, fc_accum *a, const double *cols, size_t ld, size_t n);
/* Moves a thread's counts into s at the end of a run (a is left empty).
 * Returns 0 or -1 (memory). */
int fc_summary_absorb(fc_summary *s, fc_accum *a);
/* Frees the histograms of a finished summary (its statistics stay): the
 * memory goes back before the results are built from the statistics. */
void fc_summary_drop_counts(fc_summary *s);

/* Makes s the summary of shard k (0-based) of n of a run of run_trials
 * trials. Returns 0, or -1 when out of memory. */
int fc_summary_set_shard(fc_summary *s, uint64_t k, uint64_t n, uint64_t run_trials);

/* Makes the engine also keep every record of trials [0, capacity) in
 * s->values (memory grows with trials: for tests). Returns 0 or -1. */
int fc_summary_keep_values(fc_summary *s, uint64_t capacity);

/* Block moments of n records (n <= FC_BLOCK), written to mom[nslots]: per
 * chunk of FC_CHUNK records, one pass over the values shifted by the chunk's
 * first finite value, then the chunks merged in order (fc_moments_merge). */
void fc_block_moments(const fc_model *m, const double *recs, size_t n, fc_moments *mom);
/* The same for nslots slots of records stored by slot (cols[s * ld + i]). */
void fc_block_moments_cols(int nslots, const double *cols, size_t ld, size_t n, fc_moments *mom);

/* Folds block `block` (with its ntrials trials and moments) into s in block
 * order: waits while the block is too far ahead of the fold. Thread-safe.
 * Blocks must be folded each exactly once, from 0 up. */
void fc_summary_fold(fc_summary *s, uint64_t block, uint64_t ntrials, const fc_moments *mom);

/* Adds block `block` of n records (record i at recs[i * nslots]) to s from a
 * single thread: its moments into the fold, its counts into s->acc. Returns 0
 * or -1 (memory). The engine does the same with a private fc_accum per thread. */
int fc_summary_add_block(fc_summary *s, uint64_t block, const double *recs, size_t n);

/* Wakes and releases every thread waiting in fc_summary_fold (a run failed
 * or was stopped; the summary is then incomplete). */
void fc_summary_abort(fc_summary *s);

/* Moments of two parts, a before b (Chan et al.): the fold's one operation. */
void fc_moments_merge(fc_moments *a, const fc_moments *b);

/* Computes the statistics of every slot and the goal probabilities. Returns
 * 0, or -1 when out of memory. */
int fc_summary_finish(fc_summary *s);

/* Whether the figures so far are precise enough to stop: every goal's
 * probability within +-precision and every total's mean within a relative
 * +-precision, both as 95% intervals. */
int fc_summary_precise(const fc_summary *s, double precision);

/* Whether goal g is met by value x. */
int fc_goal_met(const fc_goal *g, double x);

/* Bytes held by a summary's counts (grows with the distinct values seen,
 * not with the trials). */
size_t fc_summary_bytes(const fc_summary *s);

#endif
