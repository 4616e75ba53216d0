/* figures: a trial's figures over a window of periods, from what the trial
 * counted period by period (DESIGN.md "Metrics" and "Goals"). The engine
 * fills a view of its per-period arrays once per trial; the record's totals,
 * stage and channel figures are the window of the whole horizon, a goal's
 * figure the window from..by it names. Flows are summed over the window,
 * stocks taken at its last period, ratios are the ratio of its sums.
 * Pure functions of the view: no allocation, no state.
 */
#ifndef FC_FIGURES_H
#define FC_FIGURES_H

#include <stdint.h>

#include "metrics.h"
#include "model.h"

/* One trial's per-period values (not owned: the engine's work arrays). */
typedef struct fc_trial_view {
    const fc_model *m;
    int T, K, CE;            /* periods, stages, channel groups of n */
    const double *stage;     /* [K][T] arrivals at each stage */
    const double *series;    /* [FC_S_COUNT][T] the record's series */
    const double *gm, *fcost, *wcost; /* [T] gross margin, funnel cost, win-back cost */
    const double *rev_new, *gm_new;   /* [T] revenue and gross margin of the customers acquired in the horizon */
    const double *unit;      /* [K][T] each stage's cost per unit reaching it (0 without a cost) */
    const uint64_t *n;       /* [K][CE][T] arrivals by channel group (CE = channels when tracked) */
    const double *pipeline;  /* [K] units bound for stage k after the last period (0 for k = 0) */
    double ltv;              /* the trial's LTV (NaN when not computed) */
    double value0;           /* arpu * margin in period 1 (payback's unit) */
} fc_trial_view;

/* The sums a total is made of over periods [from, by) (0-based). */
typedef struct fc_sums {
    double newc, churned, won, exposed, revenue, rev_new, gm, gm_new, spend, fcost, wcost;
    double active;           /* active customers at period by - 1 */
} fc_sums;

void fc_sums_window(const fc_trial_view *v, int from, int by, fc_sums *o);
/* Total `metric` (an fc_metric) from sums o. */
double fc_total_of(const fc_trial_view *v, int metric, const fc_sums *o);
/* Figure f over periods [from, by) (0-based); o: the window's sums when the
 * caller has them, else NULL. */
double fc_figure_window(const fc_trial_view *v, const fc_figure *f, int from, int by, const fc_sums *o);
/* Every stage's arrivals over [from, by) into total[K], its cost per arrival
 * (spend: the window's) into cost[K], and for k >= 1 its conversion from
 * stage k - 1 into conv[k - 1]: the values fc_figure_window gives, in one
 * pass. */
void fc_stage_figures(const fc_trial_view *v, int from, int by, double spend, double *total, double *cost,
                      double *conv);
/* Goal g's figure: its metric over its window, or with `every` the worst
 * period's (NaN when some period's is NaN: such a goal is not met). */
double fc_goal_figure(const fc_trial_view *v, const fc_goal *g, const fc_sums *whole);

#endif
