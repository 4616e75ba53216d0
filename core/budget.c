/* budget: what a run allocates, and the caps and shares that keep it within
 * its limit (see budget.h). */
#include "budget.h"

#include "dist.h"
#include "engine.h"
#include "metrics.h"
#include "rng.h"
#include "summary.h"

/* The allocator's header of one block, and the headers of the blocks of a
 * thread's scratch and accumulator, with headroom (the thread's context is
 * fc_engine_thread_bytes). */
#define HEADER 16
#define THREAD_EXTRA 2048
/* A thread's room for counts between two flushes: one page per slot, at
 * least this. */
#define ROOM_MIN (UINT64_C(1) << 20)
#define PAGE_BYTES (32 * sizeof(uint64_t) + HEADER)

/* fc_accum_alloc of a shape (with the drivers' counts and the tallies): 8
 * blocks. */
static uint64_t accum_bytes(const fc_shape *sh)
{
    const uint64_t S = (uint64_t)sh->nslots, G = (uint64_t)sh->ngoals, D = (uint64_t)sh->ndrivers;
    return (S + 1) * (sizeof(fc_hist) + 3 * sizeof(double)) + (G + 1) * sizeof(uint64_t) +
           (3 * D * (G + 1) + 2) * sizeof(uint64_t) + ((uint64_t)sh->ntally + 1) * sizeof(uint64_t) +
           8 * HEADER;
}

/* fc_summary_new(_shape) with a window of `window` blocks (and, for a
 * shard, fc_summary_set_shard's nkept blocks). */
static uint64_t summary_bytes_of(const fc_shape *sh, uint64_t window, uint64_t nkept)
{
    const uint64_t S = (uint64_t)sh->nslots, G = (uint64_t)sh->ngoals;
    uint64_t b = sizeof(fc_summary) + accum_bytes(sh) + S * sizeof(fc_moments) +
                 window * S * sizeof(fc_moments) + 2 * window * sizeof(uint64_t) + S * sizeof(fc_stat) +
                 (G + 1) * sizeof(double) + 7 * HEADER;
    if (nkept > 0)
        b += (nkept * S + 1) * sizeof(fc_moments) + (nkept + 1) * sizeof(uint64_t) + 2 * HEADER;
    return b;
}

static uint64_t summary_bytes(const fc_model *m, uint64_t window, uint64_t nkept)
{
    fc_shape sh;
    fc_shape_of_model(m, &sh);
    return summary_bytes_of(&sh, window, nkept);
}

/* The arrays of a pair's differences: per thread, engine.c's pair_work
 * (record, a chunk of records, moments) and accumulator (with its tallies);
 * the summary. */
static uint64_t pair_bytes(const fc_pairing *p, int nthreads, uint64_t nkept)
{
    const uint64_t S = (uint64_t)p->shape.nslots, threads = nthreads < 1 ? 1 : (uint64_t)nthreads;
    uint64_t per_thread = (S + 1 + FC_CHUNK * S + 1) * sizeof(double) + (2 * S + 1) * sizeof(fc_moments) +
                          3 * HEADER + accum_bytes(&p->shape);
    return threads * per_thread + summary_bytes_of(&p->shape, 4 * threads, nkept);
}

uint64_t fc_run_bytes(const fc_model *m, int nthreads, uint64_t nkept)
{
    fc_layout lay;
    fc_layout_of(m, &lay);
    const uint64_t T = (uint64_t)m->periods, K = (uint64_t)m->nstages, C = (uint64_t)m->nchannels;
    /* the engine's channel groups: one, or (the most) one per channel */
    const uint64_t CE = C > 0 ? C : 1, S = (uint64_t)lay.nslots;
    const uint64_t P = (uint64_t)m->nparams;
    fc_shape sh;
    fc_shape_of_model(m, &sh);
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
                          accum_bytes(&sh) + THREAD_EXTRA;
    return threads * per_thread + summary_bytes(m, 4 * threads, nkept);
}

/* The arrays of a set's run: its models', its pairs', and the threads'
 * contexts. */
static uint64_t set_bytes(const fc_run_set *set, int nthreads, uint64_t nkept)
{
    const uint64_t threads = nthreads < 1 ? 1 : (uint64_t)nthreads;
    uint64_t b = threads * ((uint64_t)fc_engine_thread_bytes() + HEADER);
    for (int j = 0; j < set->n; j++) {
        /* the model's arrays (a lean summary's are fewer) and the map of
         * the parameters not drawn (engine.c work_needs) */
        b += fc_run_bytes(set->models[j], nthreads, nkept) +
             threads * ((uint64_t)set->models[j]->nparams + 1 + HEADER);
        if (j > 0 && set->pairs[j])
            b += pair_bytes(set->pairs[j], nthreads, nkept);
        if (j > 0) /* and the shared draws' map (engine.c work_share) */
            b += threads * ((uint64_t)set->models[j]->nparams * sizeof(int) + HEADER);
    }
    return b;
}

uint64_t fc_set_bytes(const fc_run_set *set, int nthreads, uint64_t nkept)
{
    return set_bytes(set, nthreads, nkept);
}

uint64_t fc_merge_bytes(const fc_model *m)
{
    return summary_bytes(m, 1, 0);
}

uint64_t fc_merge_bytes_set(const fc_model *const *models, const fc_shape *const *shapes, int nsum)
{
    uint64_t b = 0;
    for (int i = 0; i < nsum; i++) {
        const fc_shape *sh = shapes ? shapes[i] : NULL;
        if (models && models[i])
            b += summary_bytes(models[i], 1, 0);
        else if (sh)
            b += summary_bytes_of(sh, 1, 0);
    }
    return b;
}

uint64_t fc_hists_bytes(const fc_model *m, fc_hist_caps total, fc_hist_caps series)
{
    fc_layout lay;
    fc_layout_of(m, &lay);
    const uint64_t ns = (uint64_t)(lay.goal - lay.stage_series), nt = (uint64_t)lay.nslots - ns;
    return nt * fc_hist_max_bytes(total) + ns * fc_hist_max_bytes(series);
}

/* A pair's differences are all totals. */
static uint64_t pair_hists_bytes(const fc_pairing *p, fc_hist_caps total)
{
    return (uint64_t)p->shape.nslots * fc_hist_max_bytes(total);
}

/* The histograms of summary j at their caps: the set's shared caps, or a
 * lean summary's own (all its slots totals). */
static uint64_t sum_hists_bytes(const fc_run_set *set, int j, fc_hist_caps total, fc_hist_caps series,
                                const fc_hist_caps *lean)
{
    if (set->lean[j])
        return (uint64_t)set->lean[j]->nslots * fc_hist_max_bytes(lean[j]);
    return fc_hists_bytes(set->models[j], total, series);
}

static uint64_t set_hists_bytes(const fc_run_set *set, fc_hist_caps total, fc_hist_caps series,
                                const fc_hist_caps *lean)
{
    uint64_t b = 0;
    for (int j = 0; j < set->n; j++) {
        b += sum_hists_bytes(set, j, total, series, lean);
        if (j > 0 && set->pairs[j])
            b += pair_hists_bytes(set->pairs[j], total);
    }
    return b;
}

/* The caps of the set's lean summaries: each model's alone. */
static void lean_caps(const fc_run_set *set, uint64_t max_memory, fc_hist_caps *lean)
{
    for (int j = 0; j < set->n; j++)
        if (set->lean[j]) {
            fc_hist_caps series;
            fc_run_caps(set->models[j], max_memory, &lean[j], &series);
        }
}

/* The slots of a set's summaries, and the most of one summary. */
static uint64_t set_room(const fc_run_set *set)
{
    uint64_t room = 0;
    for (int j = 0; j < set->n; j++) {
        fc_layout lay;
        fc_layout_of(set->models[j], &lay);
        uint64_t r = (uint64_t)(set->lean[j] ? set->lean[j]->nslots : lay.nslots) * PAGE_BYTES;
        room += r < ROOM_MIN ? ROOM_MIN : r;
        if (j > 0 && set->pairs[j]) {
            r = (uint64_t)set->pairs[j]->shape.nslots * PAGE_BYTES;
            room += r < ROOM_MIN ? ROOM_MIN : r;
        }
    }
    return room;
}

static void caps_of(uint32_t series_pages, fc_hist_caps *total, fc_hist_caps *series)
{
    uint64_t t = (uint64_t)FC_TOTAL_WEIGHT * series_pages;
    *total = fc_hist_caps_for(t > FC_HIST_MAX_PAGES ? FC_HIST_MAX_PAGES : (uint32_t)t);
    *series = fc_hist_caps_for(series_pages);
}

static fc_run_set set_of(const fc_model *m)
{
    fc_run_set set = {.n = 1, .models = {m}};
    return set;
}

void fc_run_caps(const fc_model *m, uint64_t max_memory, fc_hist_caps *total, fc_hist_caps *series)
{
    fc_run_set set = set_of(m);
    fc_set_caps(&set, max_memory, total, series);
}

/* fc_set_caps, with the lean summaries' caps already in lean[]. */
static void set_caps(const fc_run_set *set, uint64_t max_memory, const fc_hist_caps *lean, fc_hist_caps *total,
                     fc_hist_caps *series)
{
    uint64_t arrays = set_bytes(set, 1, 0);
    uint64_t share = max_memory > arrays ? (max_memory - arrays) / 2 : 0;
    /* the largest series cap whose histograms fit the share (their bytes
     * grow with the cap) */
    uint32_t lo = FC_HIST_MIN_PAGES, hi = FC_HIST_MAX_PAGES;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo + 1) / 2;
        caps_of(mid, total, series);
        if (set_hists_bytes(set, *total, *series, lean) <= share)
            lo = mid;
        else
            hi = mid - 1;
    }
    caps_of(lo, total, series);
}

void fc_set_caps(const fc_run_set *set, uint64_t max_memory, fc_hist_caps *total, fc_hist_caps *series)
{
    fc_hist_caps lean[FC_MAX_COMPARED];
    lean_caps(set, max_memory, lean);
    set_caps(set, max_memory, lean, total, series);
}

int fc_run_plan_make(const fc_model *m, int nthreads, uint64_t max_memory, uint64_t lua_bytes,
                     uint64_t nkept, fc_run_plan *p)
{
    fc_run_set set = set_of(m);
    return fc_set_plan_make(&set, nthreads, max_memory, lua_bytes, nkept, p);
}

/* Summary j's share of the live bytes: in proportion to its histograms'. */
static uint64_t share_of(uint64_t yield, uint64_t part, uint64_t whole)
{
    return whole > 0 ? (uint64_t)((double)yield * ((double)part / (double)whole)) : yield;
}

int fc_set_plan_make(const fc_run_set *set, int nthreads, uint64_t max_memory, uint64_t lua_bytes,
                     uint64_t nkept, fc_run_plan *p)
{
    lean_caps(set, max_memory, p->lean);
    set_caps(set, max_memory, p->lean, &p->total, &p->series);
    p->hists = set_hists_bytes(set, p->total, p->series, p->lean);
    /* per thread: a histogram rebuilt beside the old one, or one slot's
     * values added past the share right after a flush (one summary at a
     * time); and room for counts in each summary */
    /* of the largest caps a summary of the set has: a lean one's own, or
     * the shared caps of the others and of the differences */
    uint64_t extra = 0;
    for (int j = 0; j < set->n; j++) {
        uint64_t x = fc_hist_extra_bytes(set->lean[j] ? p->lean[j] : p->total);
        extra = x > extra ? x : extra;
    }
    const uint64_t slack = 2 * extra;
    const uint64_t room = set_room(set);
    const uint64_t limit = max_memory > lua_bytes ? max_memory - lua_bytes : 0;
    p->need = lua_bytes + set_bytes(set, 1, nkept) + p->hists + slack + room;
    p->threads = 0;
    p->arrays = set_bytes(set, 1, nkept);
    p->yield = 0;
    for (int t = nthreads < 1 ? 1 : nthreads; t >= 1; t--) {
        uint64_t arrays = set_bytes(set, t, nkept);
        if (arrays + p->hists + (uint64_t)t * (slack + room) <= limit) {
            p->threads = t;
            p->arrays = arrays;
            p->yield = limit - arrays - (uint64_t)t * slack;
            break;
        }
    }
    for (int j = 0; j < set->n; j++) {
        p->sum_yield[j] = share_of(p->yield, sum_hists_bytes(set, j, p->total, p->series, p->lean), p->hists);
        p->diff_yield[j] = j > 0 && set->pairs[j] ? share_of(p->yield, pair_hists_bytes(set->pairs[j], p->total), p->hists) : 0;
    }
    if (set->n == 1)
        p->sum_yield[0] = p->yield; /* exactly as a run alone */
    return p->threads > 0 ? 0 : -1;
}
