/* summary: statistics over the trial records. Sums run in trial order, so the
 * figures are the same bytes whatever the thread count. Quantiles are exact
 * order statistics (selection on a copy of the finite values). */
#include "summary.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const double fc_quantile_levels[FC_NQUANTILES] = {0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95};

size_t fc_summary_bytes(const fc_model *m, uint64_t ntrials)
{
    fc_layout lay;
    fc_layout_of(m, &lay);
    uint64_t slots = (uint64_t)lay.nslots;
    if (ntrials > 0 && slots > (SIZE_MAX / 2) / sizeof(double) / ntrials)
        return 0;
    /* the records, plus one slot's copy for the selection */
    return (size_t)((slots + 1) * ntrials * sizeof(double)) + (size_t)slots * sizeof(fc_stat);
}

fc_summary *fc_summary_new(const fc_model *m, uint64_t from, uint64_t ntrials)
{
    if (fc_summary_bytes(m, ntrials) == 0)
        return NULL;
    fc_summary *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->model = m;
    fc_layout_of(m, &s->layout);
    s->from = from;
    s->ntrials = ntrials;
    s->values = malloc((size_t)s->layout.nslots * (size_t)ntrials * sizeof(double) + 1);
    s->stats = calloc((size_t)s->layout.nslots + 1, sizeof *s->stats);
    s->goal_prob = calloc((size_t)m->ngoals + 1, sizeof *s->goal_prob);
    if (s->values == NULL || s->stats == NULL || s->goal_prob == NULL) {
        fc_summary_free(s);
        return NULL;
    }
    return s;
}

void fc_summary_free(fc_summary *s)
{
    if (s == NULL)
        return;
    free(s->values);
    free(s->stats);
    free(s->goal_prob);
    free(s);
}

int fc_goal_met(const fc_goal *g, double x)
{
    if (isnan(x))
        return 0;
    return g->op == FC_GOAL_AT_LEAST ? x >= g->target : x <= g->target;
}

static void swap(double *a, double *b)
{
    double t = *a;
    *a = *b;
    *b = t;
}

/* Rearranges v[lo..hi] so that v[k] holds the value of rank k, smaller ones
 * before it and larger ones after (Hoare's selection, median-of-three). */
static void select_rank(double *v, size_t lo, size_t hi, size_t k)
{
    while (hi > lo) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] < v[lo]) swap(&v[mid], &v[lo]);
        if (v[hi] < v[lo]) swap(&v[hi], &v[lo]);
        if (v[hi] < v[mid]) swap(&v[hi], &v[mid]);
        double pivot = v[mid];
        size_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot) i++;
            while (v[j] > pivot) j--;
            if (i <= j) {
                swap(&v[i], &v[j]);
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return;
    }
}

/* Quantile ranks are selected from the middle out, each within the part the
 * previous selection left, so the whole costs a few passes over the data. */
static void quantiles(double *v, size_t n, double *q)
{
    size_t rank[FC_NQUANTILES];
    for (int i = 0; i < FC_NQUANTILES; i++) {
        double r = ceil(fc_quantile_levels[i] * (double)n);
        rank[i] = r < 1 ? 0 : (size_t)r - 1;
    }
    const int mid = 3;
    select_rank(v, 0, n - 1, rank[mid]);
    for (int i = mid - 1; i >= 0; i--)
        select_rank(v, 0, rank[i + 1], rank[i]);
    for (int i = mid + 1; i < FC_NQUANTILES; i++)
        select_rank(v, rank[i - 1], n - 1, rank[i]);
    for (int i = 0; i < FC_NQUANTILES; i++)
        q[i] = v[rank[i]];
}

static void stat_of(const double *x, uint64_t n, double *scratch, fc_stat *st)
{
    memset(st, 0, sizeof *st);
    double sum = 0, mn = INFINITY, mx = -INFINITY;
    size_t m = 0;
    for (uint64_t i = 0; i < n; i++) {
        if (!isfinite(x[i])) {
            st->infinite++;
            continue;
        }
        sum += x[i];
        mn = x[i] < mn ? x[i] : mn;
        mx = x[i] > mx ? x[i] : mx;
        scratch[m++] = x[i];
    }
    st->n = m;
    if (m == 0) {
        st->mean = st->sd = st->min = st->max = NAN;
        for (int i = 0; i < FC_NQUANTILES; i++)
            st->q[i] = NAN;
        return;
    }
    double mean = sum / (double)m, ss = 0;
    for (size_t i = 0; i < m; i++)
        ss += (scratch[i] - mean) * (scratch[i] - mean);
    st->mean = mean;
    st->sd = m > 1 ? sqrt(ss / (double)(m - 1)) : 0;
    st->min = mn;
    st->max = mx;
    quantiles(scratch, m, st->q);
}

int fc_summary_finish(fc_summary *s)
{
    double *scratch = malloc((size_t)s->ntrials * sizeof(double) + 1);
    if (scratch == NULL)
        return -1;
    for (int slot = 0; slot < s->layout.nslots; slot++)
        stat_of(s->values + (size_t)slot * s->ntrials, s->ntrials, scratch, &s->stats[slot]);
    free(scratch);
    for (int g = 0; g < s->model->ngoals; g++) {
        const double *x = s->values + (size_t)(s->layout.goal + g) * s->ntrials;
        uint64_t met = 0;
        for (uint64_t i = 0; i < s->ntrials; i++)
            met += (uint64_t)fc_goal_met(&s->model->goals[g], x[i]);
        s->goal_prob[g] = s->ntrials ? (double)met / (double)s->ntrials : NAN;
    }
    return 0;
}
