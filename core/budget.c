/* budget: what a run allocates, and the caps and shares that keep it within
 * its limit (see budget.h). */
#include "budget.h"

#include "dist.h"
#include "metrics.h"
#include "rng.h"
#include "summary.h"

/* The allocator's header of one block, and the blocks of a thread's scratch
 * and accumulator and its context in the engine, with headroom. */
#define HEADER 16
#define THREAD_EXTRA 2048
/* A thread's room for counts between two flushes: one page per slot, at
 * least this. */
#define ROOM_MIN (UINT64_C(1) << 20)
#define PAGE_BYTES (32 * sizeof(uint64_t) + HEADER)

/* fc_accum_alloc (with the drivers' counts): 7 blocks. */
static uint64_t accum_bytes(uint64_t nslots, uint64_t ngoals, uint64_t ndrivers)
{
    return (nslots + 1) * (sizeof(fc_hist) + 3 * sizeof(double)) + (ngoals + 1) * sizeof(uint64_t) +
           (3 * ndrivers * (ngoals + 1) + 2) * sizeof(uint64_t) + 7 * HEADER;
}

/* fc_summary_new with a window of `window` blocks (and, for a shard,
 * fc_summary_set_shard's nkept blocks). */
static uint64_t summary_bytes(const fc_model *m, uint64_t window, uint64_t nkept)
{
    fc_layout lay;
    fc_layout_of(m, &lay);
    const uint64_t S = (uint64_t)lay.nslots, G = (uint64_t)m->ngoals, D = (uint64_t)m->ndrivers;
    uint64_t b = sizeof(fc_summary) + accum_bytes(S, G, D) + S * sizeof(fc_moments) +
                 window * S * sizeof(fc_moments) + 2 * window * sizeof(uint64_t) + S * sizeof(fc_stat) +
                 (G + 1) * sizeof(double) + 7 * HEADER;
    if (nkept > 0)
        b += (nkept * S + 1) * sizeof(fc_moments) + (nkept + 1) * sizeof(uint64_t) + 2 * HEADER;
    return b;
}

uint64_t fc_run_bytes(const fc_model *m, int nthreads, uint64_t nkept)
{
    fc_layout lay;
    fc_layout_of(m, &lay);
    const uint64_t T = (uint64_t)m->periods, K = (uint64_t)m->nstages, C = (uint64_t)m->nchannels;
    const uint64_t CE = m->track_channels ? C : 1, S = (uint64_t)lay.nslots, G = (uint64_t)m->ngoals;
    const uint64_t P = (uint64_t)m->nparams, D = (uint64_t)m->ndrivers;
    const uint64_t threads = nthreads < 1 ? 1 : (uint64_t)nthreads;
    /* work_init: pv and raw, n, lambda and visitors, the flows' arrays (lag,
     * entry means and counts, streams, Poissons, means), channel shares,
     * spend per period and channel, cohort, gm/fcost/wcost, chan_fcost,
     * copula, the record, a chunk of records, moments, the accumulator */
    uint64_t per_thread = (P * T + P + 2) * sizeof(double) + K * CE * T * sizeof(uint64_t) +
                          (C * T + C + 2) * sizeof(double) +
                          K * (sizeof(int) + 2 * T * sizeof(double) + sizeof(fc_pcg32) +
                               sizeof(fc_pois_prep) + sizeof(double)) +
                          (2 * C + 1 + T + 1 + C + 1) * sizeof(double) +
                          (T + 1) * sizeof(uint64_t) + 3 * T * sizeof(double) + CE * sizeof(double) +
                          (2 * (uint64_t)m->ncop + 1) * sizeof(double) + S * sizeof(double) +
                          (uint64_t)FC_CHUNK * S * sizeof(double) + 2 * S * sizeof(fc_moments) +
                          accum_bytes(S, G, D) + THREAD_EXTRA;
    return threads * per_thread + summary_bytes(m, 4 * threads, nkept);
}

uint64_t fc_merge_bytes(const fc_model *m)
{
    return summary_bytes(m, 1, 0);
}

uint64_t fc_hists_bytes(const fc_model *m, fc_hist_caps total, fc_hist_caps series)
{
    fc_layout lay;
    fc_layout_of(m, &lay);
    const uint64_t ns = (uint64_t)(lay.goal - lay.stage_series), nt = (uint64_t)lay.nslots - ns;
    return nt * fc_hist_max_bytes(total) + ns * fc_hist_max_bytes(series);
}

static void caps_of(uint32_t series_pages, fc_hist_caps *total, fc_hist_caps *series)
{
    uint64_t t = (uint64_t)FC_TOTAL_WEIGHT * series_pages;
    *total = fc_hist_caps_for(t > FC_HIST_MAX_PAGES ? FC_HIST_MAX_PAGES : (uint32_t)t);
    *series = fc_hist_caps_for(series_pages);
}

void fc_run_caps(const fc_model *m, uint64_t max_memory, fc_hist_caps *total, fc_hist_caps *series)
{
    uint64_t arrays = fc_run_bytes(m, 1, 0);
    uint64_t share = max_memory > arrays ? (max_memory - arrays) / 2 : 0;
    /* the largest series cap whose histograms fit the share (their bytes
     * grow with the cap) */
    uint32_t lo = FC_HIST_MIN_PAGES, hi = FC_HIST_MAX_PAGES;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo + 1) / 2;
        caps_of(mid, total, series);
        if (fc_hists_bytes(m, *total, *series) <= share)
            lo = mid;
        else
            hi = mid - 1;
    }
    caps_of(lo, total, series);
}

int fc_run_plan_make(const fc_model *m, int nthreads, uint64_t max_memory, uint64_t lua_bytes,
                     uint64_t nkept, fc_run_plan *p)
{
    fc_layout lay;
    fc_layout_of(m, &lay);
    fc_run_caps(m, max_memory, &p->total, &p->series);
    p->hists = fc_hists_bytes(m, p->total, p->series);
    /* per thread: a histogram rebuilt beside the old one, or one slot's
     * values added past the share right after a flush; and room for counts */
    const uint64_t slack = 2 * fc_hist_extra_bytes(p->total);
    uint64_t room = (uint64_t)lay.nslots * PAGE_BYTES;
    room = room < ROOM_MIN ? ROOM_MIN : room;
    const uint64_t limit = max_memory > lua_bytes ? max_memory - lua_bytes : 0;
    p->need = lua_bytes + fc_run_bytes(m, 1, nkept) + p->hists + slack + room;
    for (int t = nthreads < 1 ? 1 : nthreads; t >= 1; t--) {
        uint64_t arrays = fc_run_bytes(m, t, nkept);
        if (arrays + p->hists + (uint64_t)t * (slack + room) <= limit) {
            p->threads = t;
            p->arrays = arrays;
            p->yield = limit - arrays - (uint64_t)t * slack;
            return 0;
        }
    }
    p->threads = 0;
    p->arrays = fc_run_bytes(m, 1, nkept);
    p->yield = 0;
    return -1;
}
