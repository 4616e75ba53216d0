/* summary: order-free counts, the block-ordered fold of moments, and the
 * statistics (see summary.h). */
#include "summary.h"

/* a histogram's count of one key stays below its limit in any run */
_Static_assert(FC_MAX_TRIALS <= (int64_t)FC_HIST_MAX_COUNT, "histogram counts");

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const double fc_quantile_levels[FC_NQUANTILES] = {0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95};

fc_accum_caps fc_accum_default_caps(void)
{
    fc_accum_caps c;
    memset(&c, 0, sizeof c);
    c.total = c.series = fc_hist_caps_for(FC_HIST_MAX_PAGES);
    c.yield = UINT64_MAX;
    return c;
}

static void init_hists(fc_accum *a)
{
    const fc_accum_caps *c = &a->caps;
    for (int i = 0; i < a->nslots; i++)
        fc_hist_init_with(&a->hist[i], 1, i >= c->series_lo && i < c->series_hi ? c->series : c->total,
                          c->meter, c->yield);
}

void fc_shape_of_model(const fc_model *m, fc_shape *out)
{
    fc_layout lay;
    fc_layout_of(m, &lay);
    memset(out, 0, sizeof *out);
    out->nslots = lay.nslots;
    out->series_lo = lay.stage_series;
    out->series_hi = lay.goal;
    out->goal0 = lay.goal;
    out->ngoals = m->ngoals;
    out->goals = m->goals;
    out->ndrivers = m->ndrivers;
}

void fc_shape_lean(const fc_model *m, const int *metrics, int nmetrics, int goal, int *pick, fc_shape *out)
{
    fc_layout lay;
    fc_layout_of(m, &lay);
    memset(out, 0, sizeof *out);
    for (int i = 0; i < nmetrics; i++)
        pick[i] = lay.metrics + metrics[i];
    int g0 = goal >= 0 ? goal : 0, ng = goal >= 0 ? 1 : m->ngoals;
    for (int g = 0; g < ng; g++)
        pick[nmetrics + g] = lay.goal + g0 + g;
    out->nslots = nmetrics + ng;
    out->goal0 = nmetrics;
    out->ngoals = ng;
    out->goals = m->goals + g0;
    out->pick = pick;
}

int fc_accum_init(fc_accum *a, const fc_model *m, const fc_accum_caps *caps)
{
    fc_shape sh;
    fc_shape_of_model(m, &sh);
    return fc_accum_init_shape(a, &sh, caps);
}

int fc_accum_init_shape(fc_accum *a, const fc_shape *sh, const fc_accum_caps *caps)
{
    return fc_accum_alloc(a, sh->nslots, sh->ngoals, sh->ndrivers, sh->ntally, caps);
}

int fc_accum_alloc(fc_accum *a, int nslots, int ngoals, int ndrivers, int ntally, const fc_accum_caps *caps)
{
    memset(a, 0, sizeof *a);
    a->nslots = nslots;
    a->ngoals = ngoals;
    a->ndrivers = ndrivers;
    a->ntally = ntally;
    a->caps = caps ? *caps : fc_accum_default_caps();
    size_t n = (size_t)nslots;
    a->hist = calloc(n + 1, sizeof *a->hist);
    a->min = malloc((n + 1) * sizeof *a->min);
    a->max = malloc((n + 1) * sizeof *a->max);
    a->infinite = calloc(n + 1, sizeof *a->infinite);
    a->goal_met = calloc((size_t)ngoals + 1, sizeof *a->goal_met);
    a->driver_n = calloc(3 * (size_t)ndrivers + 1, sizeof *a->driver_n);
    a->driver_met = calloc(3 * (size_t)ndrivers * (size_t)ngoals + 1, sizeof *a->driver_met);
    a->tally = calloc((size_t)ntally + 1, sizeof *a->tally);
    if (!a->hist || !a->min || !a->max || !a->infinite || !a->goal_met || !a->driver_n ||
        !a->driver_met || !a->tally) {
        fc_accum_free(a);
        return -1;
    }
    init_hists(a);
    for (size_t i = 0; i < n; i++) {
        a->min[i] = INFINITY;
        a->max[i] = -INFINITY;
    }
    return 0;
}

void fc_accum_clear(fc_accum *a)
{
    for (int i = 0; i < a->nslots; i++) {
        fc_hist_clear(&a->hist[i]);
        a->min[i] = INFINITY;
        a->max[i] = -INFINITY;
        a->infinite[i] = 0;
    }
    memset(a->goal_met, 0, (size_t)a->ngoals * sizeof *a->goal_met);
    memset(a->driver_n, 0, 3 * (size_t)a->ndrivers * sizeof *a->driver_n);
    memset(a->driver_met, 0, 3 * (size_t)a->ndrivers * (size_t)a->ngoals * sizeof *a->driver_met);
    memset(a->tally, 0, (size_t)a->ntally * sizeof *a->tally);
}

void fc_accum_free(fc_accum *a)
{
    if (a->hist)
        for (int i = 0; i < a->nslots; i++)
            fc_hist_free(&a->hist[i]);
    free(a->hist);
    free(a->min);
    free(a->max);
    free(a->infinite);
    free(a->goal_met);
    free(a->driver_n);
    free(a->driver_met);
    free(a->tally);
    memset(a, 0, sizeof *a);
}

int fc_goal_met(const fc_goal *g, double x)
{
    if (isnan(x))
        return 0;
    return g->op == FC_GOAL_AT_LEAST ? x >= g->target : x <= g->target;
}

static int flush(fc_summary *s, fc_accum *a);

/* Adds n records; value i of slot s at x[s * sstride + i * vstride]. With a
 * summary s (a thread's accumulator), a histogram that would take the run
 * past its share gives a's counts to s and goes on; without, returns
 * FC_HIST_FULL then. */
static int accum_strided(fc_summary *sum, fc_accum *a, const fc_shape *sh, const double *x0,
                         size_t sstride, size_t vstride, size_t n)
{
    const int nslots = a->nslots;
    for (int slot = 0; slot < nslots; slot++) {
        fc_hist *h = &a->hist[slot];
        const double *x = x0 + (size_t)slot * sstride;
        int flushed = 0;
        for (size_t at = 0; at < n;) {
            size_t done;
            int st = fc_hist_add_many(h, x + at * vstride, vstride, n - at, &a->min[slot], &a->max[slot],
                                      &a->infinite[slot], &done);
            at += done;
            if (st == 0)
                break;
            if (st < 0 || sum == NULL)
                return st;
            if (!flushed) {
                /* every thread gives its counts to the summary, this one now */
                a->flush_seen = atomic_fetch_add(&sum->flush_gen, 1) + 1;
                if (flush(sum, a) != 0)
                    return -1;
                flushed = 1;
                continue;
            }
            /* empty, and still past the share: the other threads have not
             * flushed yet. This slot's values of the chunk go in anyway. */
            uint64_t yield = h->yield;
            h->yield = UINT64_MAX;
            st = fc_hist_add_many(h, x + at * vstride, vstride, n - at, &a->min[slot], &a->max[slot],
                                  &a->infinite[slot], &done);
            h->yield = yield;
            if (st != 0)
                return -1;
            break;
        }
    }
    for (int g = 0; g < sh->ngoals; g++) {
        const double *x = x0 + (size_t)(sh->goal0 + g) * sstride;
        for (size_t i = 0; i < n; i++)
            a->goal_met[g] += (uint64_t)fc_goal_met(&sh->goals[g], x[i * vstride]);
    }
    return 0;
}

int fc_accum_add_cols(fc_accum *a, const fc_model *m, const double *cols, size_t ld, size_t n)
{
    fc_shape sh;
    fc_shape_of_model(m, &sh);
    return accum_strided(NULL, a, &sh, cols, ld, 1, n);
}

int fc_accum_add(fc_accum *a, const fc_model *m, const double *recs, size_t n)
{
    fc_shape sh;
    fc_shape_of_model(m, &sh);
    return accum_strided(NULL, a, &sh, recs, 1, (size_t)a->nslots, n);
}

void fc_accum_add_drivers(fc_accum *a, const fc_model *m, const double *draw, const double *goal_x)
{
    if (a->ndrivers == 0) /* a lean summary's, or a model without drivers */
        return;
    const int G = m->ngoals;
    int met[FC_MAX_GOALS];
    for (int g = 0; g < G; g++)
        met[g] = fc_goal_met(&m->goals[g], goal_x[g]);
    for (int i = 0; i < m->ndrivers; i++) {
        double x = draw[m->drivers[i]->index];
        int third = x < m->driver_cut[2 * i] ? 0 : x < m->driver_cut[2 * i + 1] ? 1 : 2;
        a->driver_n[3 * i + third]++;
        uint64_t *dm = a->driver_met + (size_t)(3 * i + third) * (size_t)G;
        for (int g = 0; g < G; g++)
            dm[g] += (uint64_t)met[g];
    }
}

int fc_accum_is_empty(const fc_accum *a)
{
    for (int i = 0; i < a->nslots; i++)
        if (a->hist[i].count > 0 || a->infinite[i] > 0)
            return 0;
    return 1;
}

/* Adds from's counts into into's, emptying from's histograms on the way
 * when `drain`. */
static int accum_merge(fc_accum *into, fc_accum *from, int drain)
{
    for (int i = 0; i < into->nslots; i++) {
        int st = fc_hist_merge(&into->hist[i], &from->hist[i]);
        if (st != 0)
            return st;
        if (drain)
            fc_hist_clear(&from->hist[i]);
        into->min[i] = from->min[i] < into->min[i] ? from->min[i] : into->min[i];
        into->max[i] = from->max[i] > into->max[i] ? from->max[i] : into->max[i];
        into->infinite[i] += from->infinite[i];
    }
    for (int g = 0; g < into->ngoals; g++)
        into->goal_met[g] += from->goal_met[g];
    for (int i = 0; i < 3 * into->ndrivers; i++)
        into->driver_n[i] += from->driver_n[i];
    for (int i = 0; i < 3 * into->ndrivers * into->ngoals; i++)
        into->driver_met[i] += from->driver_met[i];
    for (int i = 0; i < into->ntally; i++)
        into->tally[i] += from->tally[i];
    if (drain)
        fc_accum_clear(from);
    return 0;
}

int fc_accum_merge(fc_accum *into, const fc_accum *from)
{
    return accum_merge(into, (fc_accum *)from, 0);
}

int fc_accum_drain(fc_accum *into, fc_accum *from)
{
    return accum_merge(into, from, 1);
}

/* A thread's counts into the summary's, under the summary's lock. */
static int flush(fc_summary *s, fc_accum *a)
{
    pthread_mutex_lock(&s->acc_lock);
    int st = fc_accum_drain(&s->acc, a);
    pthread_mutex_unlock(&s->acc_lock);
    return st == 0 ? 0 : -1;
}

void fc_summary_set_caps(fc_summary *s, fc_hist_caps total, fc_hist_caps series, uint64_t own_yield,
                         uint64_t thread_yield)
{
    fc_accum_caps *c = &s->acc.caps;
    c->total = total;
    c->series = series;
    c->total.floor = c->series.floor = s->shape.floor;
    c->yield = own_yield;
    s->thread_yield = thread_yield;
    for (int i = 0; i < s->acc.nslots; i++)
        fc_hist_free(&s->acc.hist[i]);
    init_hists(&s->acc);
}

int fc_summary_thread_accum(const fc_summary *s, fc_accum *a)
{
    fc_accum_caps caps = s->acc.caps;
    caps.yield = s->thread_yield;
    if (fc_accum_init_shape(a, &s->shape, &caps) != 0)
        return -1;
    a->flush_seen = atomic_load(&s->flush_gen);
    return 0;
}

int fc_summary_add_counts(fc_summary *s, fc_accum *a, const double *cols, size_t ld, size_t n)
{
    unsigned gen = atomic_load(&s->flush_gen);
    if (gen != a->flush_seen) {
        a->flush_seen = gen;
        if (flush(s, a) != 0)
            return -1;
    }
    return accum_strided(s, a, &s->shape, cols, ld, 1, n) == 0 ? 0 : -1;
}

int fc_summary_absorb(fc_summary *s, fc_accum *a)
{
    if (!fc_accum_is_empty(&s->acc))
        return fc_accum_drain(&s->acc, a) == 0 ? 0 : -1;
    /* the first: moved, not copied, so that the counts are not held twice */
    fc_accum empty = s->acc;
    s->acc = *a;
    *a = empty;
    fc_accum_caps own = a->caps;
    a->caps = s->acc.caps;
    s->acc.caps = own;
    for (int i = 0; i < s->acc.nslots; i++)
        s->acc.hist[i].yield = own.yield;
    return 0;
}

void fc_summary_drop_counts(fc_summary *s)
{
    for (int i = 0; i < s->acc.nslots; i++)
        fc_hist_clear(&s->acc.hist[i]);
}

fc_summary *fc_summary_new(const fc_model *m, int window)
{
    fc_shape sh;
    fc_shape_of_model(m, &sh);
    fc_summary *s = fc_summary_new_shape(&sh, window);
    if (s != NULL) {
        s->model = m;
        fc_layout_of(m, &s->layout);
    }
    return s;
}

fc_summary *fc_summary_new_shape(const fc_shape *sh, int window)
{
    fc_summary *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->shape = *sh;
    s->window = window < 1 ? 1 : window;
    size_t n = (size_t)sh->nslots;
    atomic_init(&s->meter.used, 0);
    atomic_init(&s->flush_gen, 0);
    s->thread_yield = UINT64_MAX;
    fc_accum_caps caps = fc_accum_default_caps();
    caps.series_lo = sh->series_lo;
    caps.series_hi = sh->series_hi;
    caps.total.floor = caps.series.floor = sh->floor;
    caps.meter = &s->meter;
    if (fc_accum_init_shape(&s->acc, sh, &caps) != 0)
        goto fail;
    if (sh->pick != NULL) {
        s->pick = malloc(n * sizeof *s->pick + 1);
        if (s->pick == NULL)
            goto fail;
        memcpy(s->pick, sh->pick, n * sizeof *s->pick);
        s->shape.pick = s->pick;
    }
    s->mom = calloc(n, sizeof *s->mom);
    s->pending = calloc((size_t)s->window * n, sizeof *s->pending);
    s->pending_block = malloc((size_t)s->window * sizeof *s->pending_block);
    s->pending_trials = calloc((size_t)s->window, sizeof *s->pending_trials);
    s->stats = calloc(n, sizeof *s->stats);
    s->goal_prob = calloc((size_t)sh->ngoals + 1, sizeof *s->goal_prob);
    if (!s->mom || !s->pending || !s->pending_block || !s->pending_trials || !s->stats || !s->goal_prob)
        goto fail;
    for (int i = 0; i < s->window; i++)
        s->pending_block[i] = UINT64_MAX;
    if (pthread_mutex_init(&s->lock, NULL) != 0)
        goto fail;
    if (pthread_cond_init(&s->turn, NULL) != 0) {
        pthread_mutex_destroy(&s->lock);
        goto fail;
    }
    if (pthread_mutex_init(&s->acc_lock, NULL) != 0) {
        pthread_cond_destroy(&s->turn);
        pthread_mutex_destroy(&s->lock);
        goto fail;
    }
    s->sync_ready = 1;
    return s;
fail:
    fc_summary_free(s);
    return NULL;
}

int fc_summary_keep_values(fc_summary *s, uint64_t capacity)
{
    free(s->values);
    s->values_capacity = capacity;
    s->values = calloc((size_t)s->shape.nslots * (size_t)capacity + 1, sizeof *s->values);
    return s->values ? 0 : -1;
}

int fc_summary_set_shard(fc_summary *s, uint64_t k, uint64_t n, uint64_t run_trials)
{
    uint64_t nblocks = (run_trials + FC_BLOCK - 1) / FC_BLOCK;
    s->shard_k = k;
    s->shard_n = n;
    s->run_trials = run_trials;
    s->nkept = nblocks > k ? (nblocks - k + n - 1) / n : 0;
    free(s->kept);
    free(s->kept_trials);
    s->kept = calloc((size_t)s->nkept * (size_t)s->shape.nslots + 1, sizeof *s->kept);
    s->kept_trials = calloc((size_t)s->nkept + 1, sizeof *s->kept_trials);
    return s->kept && s->kept_trials ? 0 : -1;
}

void fc_summary_free(fc_summary *s)
{
    if (s == NULL)
        return;
    free(s->kept);
    free(s->kept_trials);
    free(s->values);
    if (s->sync_ready) {
        pthread_mutex_destroy(&s->lock);
        pthread_cond_destroy(&s->turn);
        pthread_mutex_destroy(&s->acc_lock);
    }
    fc_accum_free(&s->acc);
    free(s->mom);
    free(s->pending);
    free(s->pending_block);
    free(s->pending_trials);
    free(s->stats);
    free(s->goal_prob);
    free(s->pick);
    free(s);
}

/* Moments of every slot of n records; value i of slot s at x[s * sstride +
 * i * vstride] (records by slot or one after another: the same sums). */
/* Moments of n values x[0], x[vstride], ...: one pass on values shifted by
 * the first finite one (a typical value, so the sums of squares do not
 * cancel). */
static void chunk_moments(const double *x, size_t vstride, size_t n, fc_moments *o)
{
    size_t i = 0;
    while (i < n && !(fabs(x[i * vstride]) <= DBL_MAX))
        i++;
    double shift = i < n ? x[i * vstride] : 0, s1 = 0, s2 = 0, cnt = 0;
    for (; i < n; i++) {
        double d = x[i * vstride] - shift;
        if (fabs(d) <= DBL_MAX) { /* isfinite, in two instructions */
            s1 += d;
            s2 += d * d;
            cnt += 1;
        }
    }
    double m2 = cnt > 0 ? s2 - s1 * (s1 / cnt) : 0;
    o->n = cnt;
    o->mean = cnt > 0 ? shift + s1 / cnt : 0;
    o->m2 = m2 > 0 ? m2 : 0;
}

static void moments_strided(int nslots, const double *x0, size_t sstride, size_t vstride, size_t n,
                            fc_moments *mom)
{
    for (size_t slot = 0; slot < (size_t)nslots; slot++) {
        const double *x = x0 + slot * sstride;
        fc_moments all = {0, 0, 0};
        for (size_t c0 = 0; c0 < n; c0 += FC_CHUNK) {
            fc_moments part;
            chunk_moments(x + c0 * vstride, vstride, n - c0 < FC_CHUNK ? n - c0 : FC_CHUNK, &part);
            fc_moments_merge(&all, &part);
        }
        mom[slot] = all;
    }
}

void fc_block_moments_cols(int nslots, const double *cols, size_t ld, size_t n, fc_moments *mom)
{
    moments_strided(nslots, cols, ld, 1, n, mom);
}

void fc_block_moments(const fc_model *m, const double *recs, size_t n, fc_moments *mom)
{
    fc_layout lay;
    fc_layout_of(m, &lay);
    moments_strided(lay.nslots, recs, 1, (size_t)lay.nslots, n, mom);
}

void fc_moments_merge(fc_moments *a, const fc_moments *b)
{
    if (b->n == 0)
        return;
    if (a->n == 0) {
        *a = *b;
        return;
    }
    double n = a->n + b->n, delta = b->mean - a->mean;
    a->mean += delta * (b->n / n);
    a->m2 += b->m2 + delta * delta * (a->n * b->n / n);
    a->n = n;
}

/* Folds every pending block that is next in order; called under the lock. */
static void fold_ready(fc_summary *s)
{
    const int nslots = s->shape.nslots;
    for (;;) {
        int at = (int)(s->next_block % (uint64_t)s->window);
        if (s->pending_block[at] != s->next_block)
            return;
        const fc_moments *mom = s->pending + (size_t)at * (size_t)nslots;
        for (int i = 0; i < nslots; i++)
            fc_moments_merge(&s->mom[i], &mom[i]);
        s->ntrials += s->pending_trials[at];
        s->pending_block[at] = UINT64_MAX;
        s->next_block++;
    }
}

void fc_summary_fold(fc_summary *s, uint64_t block, uint64_t ntrials, const fc_moments *mom)
{
    const size_t nslots = (size_t)s->shape.nslots;
    pthread_mutex_lock(&s->lock);
    if (s->kept != NULL) { /* kept for the merge, which folds in block order */
        uint64_t j = block / s->shard_n;
        memcpy(s->kept + (size_t)j * nslots, mom, nslots * sizeof *mom);
        s->kept_trials[j] = ntrials;
        s->ntrials += ntrials;
        pthread_mutex_unlock(&s->lock);
        return;
    }
    /* a block more than `window` ahead waits for the fold to reach it */
    while (block >= s->next_block + (uint64_t)s->window && !s->aborted)
        pthread_cond_wait(&s->turn, &s->lock);
    if (s->aborted) {
        pthread_mutex_unlock(&s->lock);
        return;
    }
    int at = (int)(block % (uint64_t)s->window);
    memcpy(s->pending + (size_t)at * nslots, mom, nslots * sizeof *mom);
    s->pending_block[at] = block;
    s->pending_trials[at] = ntrials;
    fold_ready(s);
    pthread_cond_broadcast(&s->turn);
    pthread_mutex_unlock(&s->lock);
}

int fc_summary_add_block(fc_summary *s, uint64_t block, const double *recs, size_t n)
{
    fc_moments *mom = malloc((size_t)s->layout.nslots * sizeof *mom + 1);
    if (mom == NULL)
        return -1;
    fc_block_moments(s->model, recs, n, mom);
    fc_summary_fold(s, block, n, mom);
    free(mom);
    return fc_accum_add(&s->acc, s->model, recs, n);
}

void fc_summary_abort(fc_summary *s)
{
    pthread_mutex_lock(&s->lock);
    s->aborted = 1;
    pthread_cond_broadcast(&s->turn);
    pthread_mutex_unlock(&s->lock);
}

int fc_summary_finish(fc_summary *s)
{
    fc_accum *a = &s->acc;
    for (int slot = 0; slot < s->shape.nslots; slot++) {
        fc_stat *st = &s->stats[slot];
        const fc_moments *mo = &s->mom[slot];
        memset(st, 0, sizeof *st);
        st->n = a->hist[slot].count;
        st->infinite = a->infinite[slot];
        if (st->n == 0) {
            st->mean = st->sd = st->min = st->max = NAN;
            for (int i = 0; i < FC_NQUANTILES; i++)
                st->q[i] = NAN;
            continue;
        }
        st->mean = mo->mean;
        st->sd = mo->n > 1 ? sqrt(mo->m2 / (mo->n - 1)) : 0;
        /* + 0.0 turns -0 into +0: min and max keep whichever zero came
         * first, and the order of arrival must not show in the result */
        st->min = a->min[slot] + 0.0;
        st->max = a->max[slot] + 0.0;
        uint64_t rank[FC_NQUANTILES];
        for (int i = 0; i < FC_NQUANTILES; i++) {
            double r = ceil(fc_quantile_levels[i] * (double)st->n);
            rank[i] = r < 1 ? 1 : (uint64_t)r;
        }
        if (fc_hist_at_ranks(&a->hist[slot], rank, FC_NQUANTILES, st->q) != 0)
            return -1;
        /* a bucket's representative may lie beyond the extreme values */
        for (int i = 0; i < FC_NQUANTILES; i++)
            st->q[i] = st->q[i] < st->min ? st->min : st->q[i] > st->max ? st->max : st->q[i];
    }
    for (int g = 0; g < s->shape.ngoals; g++)
        s->goal_prob[g] = s->ntrials ? (double)a->goal_met[g] / (double)s->ntrials : NAN;
    return 0;
}

int fc_summary_precise(const fc_summary *s, double precision)
{
    const double z = 1.959963984540054;
    double n = (double)s->ntrials;
    if (n < 2)
        return 0;
    for (int g = 0; g < s->model->ngoals; g++) {
        double p = (double)s->acc.goal_met[g] / n;
        /* never stop on p = 0 or 1 alone: that is no evidence of precision */
        double var = p * (1 - p) > 0 ? p * (1 - p) : 0.25 / n;
        if (z * sqrt(var / n) > precision)
            return 0;
    }
    /* the totals and the stage totals: the figures a report leads with */
    int last = s->layout.stage_total + s->model->nstages;
    for (int slot = s->layout.metrics; slot < last; slot++) {
        const fc_moments *mo = &s->mom[slot];
        if (mo->n < 2)
            continue;
        double sd = sqrt(mo->m2 / (mo->n - 1));
        if (z * sd / sqrt(mo->n) > precision * fabs(mo->mean))
            return 0;
    }
    return 1;
}

size_t fc_summary_bytes(const fc_summary *s)
{
    size_t bytes = 0;
    for (int i = 0; i < s->acc.nslots; i++)
        bytes += fc_hist_bytes(&s->acc.hist[i]);
    return bytes;
}
