/* engine: runs trials of a compiled model. Trial i draws every random process
 * from its own PCG32 stream keyed by (seed, i, name), so its record depends on
 * nothing but the model, the seed and i: any thread count, any split of the
 * trials gives the same records. The trial loop allocates nothing. */
#ifndef FC_ENGINE_H
#define FC_ENGINE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "paired.h"
#include "summary.h"

typedef struct fc_run_opts {
    int threads;                        /* 0: all cores */
    const volatile sig_atomic_t *stop;  /* set asynchronously to stop early; may be NULL */
    void (*progress)(void *ctx, uint64_t done, uint64_t total); /* may be NULL; called from one thread */
    void *progress_ctx;
} fc_run_opts;

/* Most threads a run uses. */
#define FC_MAX_THREADS 256

/* Runs trials [s->ntrials, upto) into summary s, in blocks of FC_BLOCK
 * trials (s->ntrials must be a whole number of blocks: a run continues where
 * the last stopped, as --precision does). Returns 0; -1 with a message in err
 * when a draw leaves its domain (the first such trial in trial order is
 * reported) or when out of memory; -2 when stopped through opts->stop. After
 * a failure the summary is incomplete: free it. */
int fc_engine_run(const fc_model *m, fc_summary *s, uint64_t upto, const fc_run_opts *opts,
                  char *err, size_t errlen);

/* A paired run: models run trial by trial together, trial i of each on the
 * same thread one after the other, each into its own summary (the same
 * figures as alone), and the difference of each model after the first
 * against the first (pairs[j], core/paired.h) into diffs[j]. Every summary
 * is made for the same trials (the same shard, the same blocks run). */
typedef struct fc_run_set {
    int n;                                   /* models, 1 to FC_MAX_COMPARED */
    const fc_model *models[FC_MAX_COMPARED];
    fc_summary *sums[FC_MAX_COMPARED];
    const fc_pairing *pairs[FC_MAX_COMPARED]; /* [1, n): models[j] against models[0], or NULL: not paired */
    fc_summary *diffs[FC_MAX_COMPARED];       /* [1, n) where paired */
    /* The shape of sums[j] when it is lean (fc_shape_lean), else NULL: the
     * memory plan (core/budget.h) counts what it holds. */
    const fc_shape *lean[FC_MAX_COMPARED];
    int failed;                              /* out: the model whose trial failed (-1: none) */
} fc_run_set;

/* fc_engine_run for a set: the same contract, every summary advanced
 * together. */
int fc_engine_run_set(fc_run_set *set, uint64_t upto, const fc_run_opts *opts, char *err, size_t errlen);

/* The draws of the parameters of trial `trial` of m, as the trial loop
 * makes them: parameter i (m->params order) in period t at out[i * periods
 * + t] (out holds nparams * periods doubles; a parameter drawn once per
 * trial has it at t = 0 only). For tests that check what a
 * change leaves alone. Returns 0, or -1 with a message. */
int fc_engine_draws(const fc_model *m, uint64_t trial, double *out, char *err, size_t errlen);

/* Bytes of one thread's context in a run (its scratch space for every
 * model a set may hold; what each holds besides is counted by
 * core/budget.c). */
size_t fc_engine_thread_bytes(void);

/* Whether the trials of a lean shape sh of m draw its one figure from the
 * figure's marginal law (an objective-only run): sh->marginal is set, sh has
 * one slot (a goal or a total), the funnel runs as Poisson flows, and the
 * figure is a stage's arrivals, new_customers, or the CAC when no stage has a
 * cost (spend is then fixed). Its trials then give the figure of a full run
 * in law, exactly, but not trial by trial. Otherwise the run is the usual
 * lean run. */
int fc_engine_marginal(const fc_model *m, const fc_shape *sh);

/* The number of online processors (at least 1). */
int fc_cpu_count(void);

#endif
