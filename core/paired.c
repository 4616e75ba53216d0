/* paired: the figures two scenarios share and their per-trial differences
 * (see paired.h). */
#include "paired.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int stage_named(const fc_model *m, const char *name)
{
    for (int k = 0; k < m->nstages; k++)
        if (strcmp(m->stages[k].name, name) == 0)
            return k;
    return -1;
}

static int channel_named(const fc_model *m, const char *name)
{
    for (int c = 0; c < m->nchannels; c++)
        if (strcmp(m->channels[c].name, name) == 0)
            return c;
    return -1;
}

static int goal_named(const fc_model *m, const char *name)
{
    for (int g = 0; g < m->ngoals; g++)
        if (strcmp(m->goals[g].name, name) == 0)
            return g;
    return -1;
}

int fc_pairing_make(fc_pairing *p, const fc_model *base, const fc_model *alt)
{
    memset(p, 0, sizeof *p);
    p->base = base;
    p->alt = alt;
    /* one block: stages, channels, goals, value slots, at their most */
    size_t most = 2 * ((size_t)base->nstages + (size_t)base->nchannels + (size_t)alt->ngoals + FC_M_COUNT);
    int *all = malloc(most * sizeof *all + 1);
    if (all == NULL)
        return -1;
    p->stage = all;
    for (int k = 0; k < base->nstages; k++) {
        int a = stage_named(alt, base->stages[k].name);
        if (a >= 0) {
            p->stage[2 * p->nstages] = k;
            p->stage[2 * p->nstages + 1] = a;
            p->nstages++;
        }
    }
    p->channel = p->stage + 2 * p->nstages;
    for (int c = 0; c < base->nchannels; c++) {
        int a = channel_named(alt, base->channels[c].name);
        if (a >= 0) {
            p->channel[2 * p->nchannels] = c;
            p->channel[2 * p->nchannels + 1] = a;
            p->nchannels++;
        }
    }
    p->goal = p->channel + 2 * p->nchannels;
    for (int g = 0; g < alt->ngoals; g++) {
        int b = goal_named(base, alt->goals[g].name);
        if (b >= 0) {
            p->goal[2 * p->ngoals] = b;
            p->goal[2 * p->ngoals + 1] = g;
            p->ngoals++;
        }
    }
    p->slot = p->goal + 2 * p->ngoals;
    fc_layout lb, la;
    fc_layout_of(base, &lb);
    fc_layout_of(alt, &la);
    for (int i = 0; i < FC_M_COUNT; i++) {
        p->slot[2 * i] = lb.metrics + i;
        p->slot[2 * i + 1] = la.metrics + i;
    }
    p->nvalues = FC_M_COUNT;
    p->goal0[0] = lb.goal;
    p->goal0[1] = la.goal;
    p->shape.nslots = p->nvalues + p->ngoals;
    p->shape.ntally = 2 * FC_M_COUNT;
    p->shape.floor = FC_DIFF_LEVEL;
    return 0;
}

void fc_pairing_free(fc_pairing *p)
{
    free(p->stage);
    memset(p, 0, sizeof *p);
}

/* Whether two values of a figure are the same outcome: equal, or both not
 * a number (a ratio without a denominator in both). */
static int same(double a, double b)
{
    return a == b || (isnan(a) && isnan(b));
}

void fc_pairing_diff(const fc_pairing *p, const double *base_rec, const double *alt_rec, double *out,
                     uint64_t *tally)
{
    const int *slot = p->slot;
    for (int i = 0; i < p->nvalues; i++)
        out[i] = alt_rec[slot[2 * i + 1]] - base_rec[slot[2 * i]];
    for (int i = 0; i < FC_M_COUNT; i++) {
        double b = base_rec[slot[2 * i]], a = alt_rec[slot[2 * i + 1]];
        tally[FC_TALLY_BETTER(i)] += (uint64_t)(fc_metric_higher_is_better(i) ? a > b : a < b);
        tally[FC_TALLY_TIES(i)] += (uint64_t)same(a, b);
    }
    for (int g = 0; g < p->ngoals; g++) {
        int gb = p->goal[2 * g], ga = p->goal[2 * g + 1];
        int met_b = fc_goal_met(&p->base->goals[gb], base_rec[p->goal0[0] + gb]);
        int met_a = fc_goal_met(&p->alt->goals[ga], alt_rec[p->goal0[1] + ga]);
        out[p->nvalues + g] = (double)(met_a - met_b);
    }
}

static double sd_of(const fc_moments *mo)
{
    return mo->n > 1 ? sqrt(mo->m2 / (mo->n - 1)) : 0;
}

double fc_pairing_goal_se(const fc_stat *st)
{
    return st->n > 0 ? st->sd / sqrt((double)st->n) : NAN;
}

int fc_pairing_precise(const fc_pairing *p, const fc_summary *diff, const fc_summary *base,
                       double precision)
{
    const double z = 1.959963984540054;
    double n = (double)diff->ntrials;
    if (n < 2)
        return 0;
    for (int g = 0; g < p->ngoals; g++) {
        const fc_moments *mo = &diff->mom[p->nvalues + g];
        /* no change seen yet is no evidence of precision: as for a goal's
         * probability of 0 or 1, take the widest a difference of two
         * proportions allows */
        double sd = sd_of(mo) > 0 ? sd_of(mo) : 1.0 / sqrt(n);
        if (z * sd / sqrt(n) > precision)
            return 0;
    }
    /* the totals, against the base's means */
    for (int i = 0; i < FC_M_COUNT; i++) {
        const fc_moments *mo = &diff->mom[i];
        if (mo->n < 2)
            continue;
        double scale = fabs(base->mom[p->slot[2 * i]].mean);
        if (z * sd_of(mo) / sqrt(mo->n) > precision * scale)
            return 0;
    }
    return 1;
}
