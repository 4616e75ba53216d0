/* metrics: names of the figures of a trial and the layout of its record. */
#include "metrics.h"

#include <string.h>

/* The totals: name, whole numbers or not, and which way is better (a
 * comparison's "better": higher for what is gained, lower for what it costs
 * and what is lost). */
static const struct {
    const char *name;
    int is_count, higher_is_better;
} metric_info[FC_M_COUNT] = {
    [FC_M_NEW_CUSTOMERS] = {"new_customers", 1, 1},
    [FC_M_CHURNED] = {"churned", 1, 0},
    [FC_M_WON_BACK] = {"won_back", 1, 1},
    [FC_M_ACTIVE_END] = {"active_end", 1, 1},
    [FC_M_REVENUE] = {"revenue", 0, 1},
    [FC_M_GROSS_MARGIN] = {"gross_margin", 0, 1},
    [FC_M_SPEND] = {"spend", 0, 0},
    [FC_M_FUNNEL_COST] = {"funnel_cost", 0, 0},
    [FC_M_WINBACK_COST] = {"winback_cost", 0, 0},
    [FC_M_CAC] = {"cac", 0, 0},
    [FC_M_LTV] = {"ltv", 0, 1},
    [FC_M_LTV_CAC] = {"ltv_cac", 0, 1},
    [FC_M_ROI] = {"roi", 0, 1},
    [FC_M_PAYBACK] = {"payback", 0, 0},
};
static const char *const series_names[FC_S_COUNT] = {
    "new_customers", "churned", "won_back", "active", "lost", "revenue", "spend",
};
static const char *const chan_fig_names[FC_C_COUNT] = {
    "visitors", "customers", "spend", "cac",
};

const char *fc_metric_name(int metric) { return metric_info[metric].name; }
const char *fc_series_name(int series) { return series_names[series]; }
const char *fc_chan_fig_name(int fig) { return chan_fig_names[fig]; }

int fc_metric_is_count(int metric) { return metric_info[metric].is_count; }
int fc_metric_higher_is_better(int metric) { return metric_info[metric].higher_is_better; }

int fc_metric_id(const fc_model *m, const char *name)
{
    for (int i = 0; i < FC_M_COUNT; i++)
        if (strcmp(name, metric_info[i].name) == 0)
            return i;
    for (int k = 0; k < m->nstages; k++)
        if (strcmp(name, m->stages[k].name) == 0)
            return FC_M_COUNT + k;
    return -1;
}

void fc_layout_of(const fc_model *m, fc_layout *out)
{
    int at = 0;
    out->metrics = at;
    at += FC_M_COUNT;
    out->stage_total = at;
    at += m->nstages;
    out->stage_cost = at;
    at += m->nstages;
    out->channel = at;
    at += m->nchannels * FC_C_COUNT;
    out->stage_series = at;
    at += m->nstages * m->periods;
    out->series = at;
    at += FC_S_COUNT * m->periods;
    out->goal = at;
    at += m->ngoals;
    out->nslots = at;
}
