/* budget: the bytes a run's scratch space and summary take (see budget.h). */
#include "budget.h"

#include "hist.h"
#include "metrics.h"
#include "summary.h"

/* One histogram page of 32 uint64_t counts and its directory entry. */
#define PAGE_BYTES (32 * sizeof(uint64_t) + sizeof(void *))

/* fc_accum_alloc (with the drivers' counts) and one page per slot. */
static uint64_t accum_bytes(uint64_t nslots, uint64_t ngoals, uint64_t ndrivers)
{
    return (nslots + 1) * (sizeof(fc_hist) + 3 * sizeof(double)) + (ngoals + 1) * sizeof(uint64_t) +
           (3 * ndrivers * (ngoals + 1) + 2) * sizeof(uint64_t) + nslots * PAGE_BYTES;
}

uint64_t fc_run_bytes(const fc_model *m, int nthreads)
{
    fc_layout lay;
    fc_layout_of(m, &lay);
    const uint64_t T = (uint64_t)m->periods, K = (uint64_t)m->nstages, C = (uint64_t)m->nchannels;
    const uint64_t CE = m->track_channels ? C : 1, S = (uint64_t)lay.nslots, G = (uint64_t)m->ngoals;
    const uint64_t P = (uint64_t)m->nparams, D = (uint64_t)m->ndrivers;
    const uint64_t threads = nthreads < 1 ? 1 : (uint64_t)nthreads;
    /* work_init: pv and raw, n, lambda and visitors, the flows' arrays (lag,
     * entry means and counts, streams, Poissons, means), channel shares,
     * spend per period and channel, cohort, gm/fcost/wcost,
     * chan_fcost, copula, recs, mom, acc */
    uint64_t per_thread = (P * T + P + 2) * sizeof(double) + K * CE * T * sizeof(uint64_t) +
                          (C * T + C + 2) * sizeof(double) +
                          K * (sizeof(int) + 2 * T * sizeof(double) + sizeof(fc_pcg32) +
                               sizeof(fc_pois_prep) + sizeof(double)) +
                          (2 * C + 1 + T + 1 + C + 1) * sizeof(double) +
                          (T + 1) * sizeof(uint64_t) + 3 * T * sizeof(double) + CE * sizeof(double) +
                          (2 * (uint64_t)m->ncop + 1) * sizeof(double) +
                          (uint64_t)FC_CHUNK * S * sizeof(double) + 2 * S * sizeof(fc_moments) +
                          accum_bytes(S, G, D);
    /* fc_summary_new with a window of 4 blocks per thread */
    const uint64_t window = 4 * threads;
    uint64_t shared = sizeof(fc_summary) + accum_bytes(S, G, D) + S * sizeof(fc_moments) +
                      window * S * sizeof(fc_moments) + 2 * window * sizeof(uint64_t) +
                      S * sizeof(fc_stat) + (G + 1) * sizeof(double);
    return threads * per_thread + shared;
}

int fc_run_threads_within(const fc_model *m, int nthreads, uint64_t max_bytes)
{
    for (int t = nthreads < 1 ? 1 : nthreads; t >= 1; t--)
        if (fc_run_bytes(m, t) <= max_bytes)
            return t;
    return 0;
}
