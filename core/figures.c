/* figures: a trial's figures over a window of periods (see figures.h). */
#include "figures.h"

#include <math.h>
#include <string.h>

void fc_sums_window(const fc_trial_view *v, int from, int by, fc_sums *o)
{
    const int T = v->T;
    const double *ser = v->series;
    memset(o, 0, sizeof *o);
    for (int t = from; t < by; t++) {
        o->newc += ser[FC_S_NEW_CUSTOMERS * T + t];
        o->churned += ser[FC_S_CHURNED * T + t];
        o->won += ser[FC_S_WON_BACK * T + t];
        /* the lost customers exposed to win-back in period t: L(t - 1) */
        o->exposed += t == 0 ? (double)v->m->customers.lost : ser[FC_S_LOST * T + t - 1];
        o->revenue += ser[FC_S_REVENUE * T + t];
        o->rev_new += v->rev_new[t];
        o->spend += ser[FC_S_SPEND * T + t];
        o->gm += v->gm[t];
        o->gm_new += v->gm_new[t];
        o->fcost += v->fcost[t];
        o->wcost += v->wcost[t];
    }
    o->active = ser[FC_S_ACTIVE * T + by - 1];
}

double fc_total_of(const fc_trial_view *v, int metric, const fc_sums *o)
{
    const double cac = o->newc > 0 ? (o->spend + o->fcost) / o->newc : INFINITY;
    const double cost = o->spend + o->fcost + o->wcost, acquisition = o->spend + o->fcost;
    switch ((fc_metric)metric) {
    case FC_M_NEW_CUSTOMERS: return o->newc;
    case FC_M_CHURNED: return o->churned;
    case FC_M_WON_BACK: return o->won;
    case FC_M_WINBACK_RATE: return o->exposed > 0 ? o->won / o->exposed : NAN;
    case FC_M_ACTIVE_END: return o->active;
    case FC_M_REVENUE: return o->revenue;
    case FC_M_REVENUE_NEW: return o->rev_new;
    case FC_M_GROSS_MARGIN: return o->gm;
    case FC_M_SPEND: return o->spend;
    case FC_M_FUNNEL_COST: return o->fcost;
    case FC_M_WINBACK_COST: return o->wcost;
    case FC_M_CAC: return cac;
    case FC_M_LTV: return v->ltv;
    /* no customer, no CAC: the ratio is not a number (counted as not finite),
     * not 0, and meets no goal */
    case FC_M_LTV_CAC: return isfinite(cac) ? v->ltv / cac : NAN;
    case FC_M_ROI: return (o->gm - cost) / cost;
    case FC_M_LIFETIME_ROI: return (o->newc * v->ltv - acquisition) / acquisition;
    case FC_M_MARKETING_ROI: return (o->gm_new - acquisition) / acquisition;
    case FC_M_PAYBACK: return cac / v->value0;
    case FC_M_COUNT: break;
    }
    return NAN;
}

static double stage_sum(const fc_trial_view *v, int k, int from, int by)
{
    const double *st = v->stage + (size_t)k * (size_t)v->T;
    double x = 0;
    for (int t = from; t < by; t++)
        x += st[t];
    return x;
}

void fc_stage_figures(const fc_trial_view *v, int from, int by, double spend, double *total, double *cost,
                      double *conv)
{
    const int T = v->T;
    double acc = spend, below = 0;
    for (int k = 0; k < v->K; k++) {
        const double arrivals = stage_sum(v, k, from, by);
        if (v->m->stages[k].has_cost) {
            const double *unit = v->unit + (size_t)k * (size_t)T, *st = v->stage + (size_t)k * (size_t)T;
            double unit_total = 0;
            for (int t = from; t < by; t++)
                unit_total += unit[t] * st[t];
            acc += unit_total;
        }
        total[k] = arrivals;
        cost[k] = arrivals > 0 ? acc / arrivals : INFINITY;
        if (k > 0)
            conv[k - 1] = below > 0 ? arrivals / below : NAN;
        below = arrivals;
    }
}

/* Channel c's figure `fig` over the window (the counts kept by channel). */
static double channel_figure(const fc_trial_view *v, int c, int fig, int from, int by)
{
    const fc_model *m = v->m;
    const size_t T = (size_t)v->T, CE = (size_t)v->CE;
    const uint64_t *n = v->n;
    if (fig == FC_C_SPEND || fig == FC_C_CAC) {
        double spend = 0;
        for (int t = from; t < by; t++)
            spend += m->channels[c].spend[t];
        if (fig == FC_C_SPEND)
            return spend;
        double customers = 0, fcost = 0;
        for (int t = from; t < by; t++) {
            customers += (double)n[((size_t)(v->K - 1) * CE + (size_t)c) * T + (size_t)t];
            for (int k = 0; k < v->K; k++)
                if (m->stages[k].has_cost)
                    fcost += v->unit[(size_t)k * T + (size_t)t] * (double)n[((size_t)k * CE + (size_t)c) * T + (size_t)t];
        }
        return customers > 0 ? (spend + fcost) / customers : INFINITY;
    }
    const int k = fig == FC_C_VISITORS ? m->channels[c].enters : v->K - 1;
    double x = 0;
    for (int t = from; t < by; t++)
        x += (double)n[((size_t)k * CE + (size_t)c) * T + (size_t)t];
    return x;
}

double fc_figure_window(const fc_trial_view *v, const fc_figure *f, int from, int by, const fc_sums *o)
{
    fc_sums own;
    switch ((fc_figure_kind)f->kind) {
    case FC_F_TOTAL:
        if (o == NULL) {
            fc_sums_window(v, from, by, &own);
            o = &own;
        }
        return fc_total_of(v, f->index, o);
    case FC_F_STAGE: return stage_sum(v, f->index, from, by);
    case FC_F_STAGE_COST:
    case FC_F_CONVERSION: {
        double spend = 0, total[FC_MAX_STAGES], cost[FC_MAX_STAGES], conv[FC_MAX_STAGES];
        for (int t = from; t < by; t++)
            spend += v->series[FC_S_SPEND * v->T + t];
        fc_stage_figures(v, from, by, o ? o->spend : spend, total, cost, conv);
        return f->kind == FC_F_STAGE_COST ? cost[f->index] : conv[f->index - 1];
    }
    case FC_F_PIPELINE: return v->pipeline[f->index];
    case FC_F_CHANNEL: return channel_figure(v, f->index, f->fig, from, by);
    }
    return NAN;
}

double fc_goal_figure(const fc_trial_view *v, const fc_goal *g, const fc_sums *whole)
{
    const int from = g->from - 1, by = g->by;
    if (!g->every)
        return fc_figure_window(v, &g->fig, from, by, from == 0 && by == v->T ? whole : NULL);
    /* every period must meet the bound: the worst period decides */
    double worst = g->op == FC_GOAL_AT_LEAST ? INFINITY : -INFINITY;
    for (int t = from; t < by; t++) {
        double x = fc_figure_window(v, &g->fig, t, t + 1, NULL);
        if (isnan(x))
            return NAN;
        worst = g->op == FC_GOAL_AT_LEAST ? fmin(worst, x) : fmax(worst, x);
    }
    return worst;
}
