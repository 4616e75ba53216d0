/* metrics: names of the figures of a trial and the layout of its record. */
#include "metrics.h"

#include <string.h>

static const char *const metric_names[FC_M_COUNT] = {
    "new_customers", "churned", "won_back", "active_end", "revenue",
    "gross_margin", "spend", "funnel_cost", "winback_cost", "cac", "ltv",
    "ltv_cac", "roi", "payback",
};
static const char *const series_names[FC_S_COUNT] = {
    "new_customers", "churned", "won_back", "active", "lost", "revenue", "spend",
};
static const char *const chan_fig_names[FC_C_COUNT] = {
    "visitors", "customers", "spend", "cac",
};

const char *fc_metric_name(int metric) { return metric_names[metric]; }
const char *fc_series_name(int series) { return series_names[series]; }
const char *fc_chan_fig_name(int fig) { return chan_fig_names[fig]; }

int fc_metric_is_count(int metric)
{
    return metric == FC_M_NEW_CUSTOMERS || metric == FC_M_CHURNED ||
           metric == FC_M_WON_BACK || metric == FC_M_ACTIVE_END;
}

int fc_metric_id(const fc_model *m, const char *name)
{
    for (int i = 0; i < FC_M_COUNT; i++)
        if (strcmp(name, metric_names[i]) == 0)
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
