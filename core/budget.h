/* budget: the memory of a run, planned from the compiled model and the limit
 * (--max-memory) before anything is allocated, so that a run fits or is
 * refused with a message, never fails halfway or grows past the limit. The
 * single place that knows what a run allocates:
 *  - arrays whose size the model fixes (fc_run_bytes): each thread's scratch
 *    space (work_init in core/engine.c) and accumulator (fc_accum_alloc), the
 *    summary (fc_summary_new: its fold window, a shard's kept moments, the
 *    statistics), the threads' contexts;
 *  - histograms, which grow with the distinct values seen: each slot's is
 *    capped (fc_run_caps: a deterministic function of the model and the
 *    limit, so that results never depend on the thread count), and every page
 *    and directory is counted as it is allocated, in the summary's meter; a
 *    thread whose counts would take the run past its share gives them to the
 *    summary and goes on empty (core/summary.c).
 * The Lua state counts its own bytes (core/lua_sandbox.c); a run gets the
 * limit less what the state holds when it starts.
 */
#ifndef FC_BUDGET_H
#define FC_BUDGET_H

#include <stdint.h>

#include "hist.h"
#include "model.h"

#include "paired.h"

struct fc_run_set;

/* The default of --max-memory: the most a command's Lua state and its runs
 * may hold together. */
#define FC_DEFAULT_MAX_MEMORY (UINT64_C(512) << 20)

/* A total's histogram may hold this many times the pages of a per-period
 * series' (totals are few and lead the report; series are many). */
#define FC_TOTAL_WEIGHT 8

/* Bytes of the arrays of a run of model m (after fc_model_finish) on nthreads
 * threads, with nkept blocks kept for a shard (0 for a whole run): every
 * allocation of work_init, fc_summary_new and fc_summary_set_shard, and the
 * allocator's headers. Histogram pages and directories are not included. */
uint64_t fc_run_bytes(const fc_model *m, int nthreads, uint64_t nkept);

/* The caps of the histograms of a run of m under a limit of max_memory
 * bytes: half of what the arrays of one thread leave goes to the summary's
 * histograms, each slot's cap as large as that allows, a total's
 * FC_TOTAL_WEIGHT times a series' (clamped to [FC_HIST_MIN_PAGES,
 * FC_HIST_MAX_PAGES]). Depends on nothing else. */
void fc_run_caps(const fc_model *m, uint64_t max_memory, fc_hist_caps *total, fc_hist_caps *series);

/* The most bytes the summary's histograms take, every slot at its cap. */
uint64_t fc_hists_bytes(const fc_model *m, fc_hist_caps total, fc_hist_caps series);

/* How a run is laid out in its memory. */
typedef struct fc_run_plan {
    int threads;                /* the most threads that fit (<= those asked for) */
    fc_hist_caps total, series; /* fc_run_caps */
    uint64_t arrays;            /* fc_run_bytes on `threads` threads */
    uint64_t hists;             /* fc_hists_bytes */
    uint64_t yield;             /* live histogram bytes past which a thread flushes */
    uint64_t need;              /* the least the run needs, on one thread, Lua state included */
    /* a set's (fc_set_plan_make): the yield of each summary, a share of
     * `yield` in proportion to its histograms' bytes at their caps */
    uint64_t sum_yield[FC_MAX_COMPARED], diff_yield[FC_MAX_COMPARED];
    /* the caps of a lean summary j (set->lean[j]): its model's in a run
     * alone (fc_run_caps), whatever else the set holds, so that its figures
     * are the ones a full run gives and the same in any set */
    fc_hist_caps lean[FC_MAX_COMPARED];
} fc_run_plan;

/* Plans a run of m on at most nthreads threads within max_memory bytes, of
 * which the Lua state holds lua_bytes; nkept as for fc_run_bytes. A thread
 * needs, besides its arrays, room for a histogram being rebuilt and for
 * counts between flushes; the summary's histograms may reach their caps.
 * Returns 0, or -1 when not even one thread fits (p->need says how much it
 * would take). */
int fc_run_plan_make(const fc_model *m, int nthreads, uint64_t max_memory, uint64_t lua_bytes,
                     uint64_t nkept, fc_run_plan *p);

/* The same for a paired run (core/engine.h): the caps of every summary of
 * the set (the models' and the differences') chosen together, so that all
 * their histograms at their caps take half of what the arrays leave;
 * for a set of one model, exactly fc_run_caps and fc_run_plan_make. A lean
 * summary (set->lean[j]) keeps its model's caps alone (p->lean[j]); the
 * others share what those leave. */
void fc_set_caps(const struct fc_run_set *set, uint64_t max_memory, fc_hist_caps *total, fc_hist_caps *series);
int fc_set_plan_make(const struct fc_run_set *set, int nthreads, uint64_t max_memory, uint64_t lua_bytes,
                     uint64_t nkept, fc_run_plan *p);

/* Bytes of the arrays of a set's run (fc_run_bytes for every model of the
 * set, its pairs' differences and the threads' contexts). */
uint64_t fc_set_bytes(const struct fc_run_set *set, int nthreads, uint64_t nkept);

/* Bytes of the arrays of the summary a merge builds (fc_summary_new with a
 * window of one block). */
uint64_t fc_merge_bytes(const fc_model *m);
/* The same for the nsum summaries of a merge of a set (core/partial.h's
 * fc_merge_new_set): models[i]'s when given, else shapes[i]'s. */
uint64_t fc_merge_bytes_set(const fc_model *const *models, const fc_shape *const *shapes, int nsum);

#endif
