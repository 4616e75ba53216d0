/* budget: how much memory a run will take, computed from the compiled model
 * before anything is allocated, so that a run too large for the machine (or
 * for --max-memory) is refused, or given fewer threads, with a message instead
 * of failing halfway. */
#ifndef FC_BUDGET_H
#define FC_BUDGET_H

#include <stdint.h>

#include "model.h"

/* The working memory of the most threads a run may use when --max-memory is
 * not given (and of the Lua state of the command): 512 MiB. */
#define FC_DEFAULT_MAX_MEMORY (UINT64_C(512) << 20)

/* Bytes of a run of model m (after fc_model_finish) on nthreads threads: each
 * thread's scratch space (the trial's parameter values, the funnel's counts
 * per stage, channel group and period, a chunk of FC_CHUNK trial records, the
 * block's moments, its own counts), and the summary shared by the threads
 * (its counts, the fold window of 4 blocks per thread, the statistics). It
 * mirrors the allocations of work_init in core/engine.c and fc_summary_new in
 * core/summary.c. Histograms also grow with the distinct values seen (bounded
 * per slot, see hist.h); one page per slot and counter is counted here, the
 * least they take. */
uint64_t fc_run_bytes(const fc_model *m, int nthreads);

/* The most threads (<= nthreads, >= 1) whose run fits in max_bytes, or 0
 * when not even one thread fits. */
int fc_run_threads_within(const fc_model *m, int nthreads, uint64_t max_bytes);

#endif
