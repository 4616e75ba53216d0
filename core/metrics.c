/* metrics: names of the figures of a trial and the layout of its record. */
#include "metrics.h"

#include <stdio.h>
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
    [FC_M_WINBACK_RATE] = {"winback_rate", 0, 1},
    [FC_M_ACTIVE_END] = {"active_end", 1, 1},
    [FC_M_REVENUE] = {"revenue", 0, 1},
    [FC_M_REVENUE_NEW] = {"revenue_new", 0, 1},
    [FC_M_GROSS_MARGIN] = {"gross_margin", 0, 1},
    [FC_M_SPEND] = {"spend", 0, 0},
    [FC_M_FUNNEL_COST] = {"funnel_cost", 0, 0},
    [FC_M_WINBACK_COST] = {"winback_cost", 0, 0},
    [FC_M_CAC] = {"cac", 0, 0},
    [FC_M_LTV] = {"ltv", 0, 1},
    [FC_M_LTV_CAC] = {"ltv_cac", 0, 1},
    [FC_M_ROI] = {"roi", 0, 1},
    [FC_M_LIFETIME_ROI] = {"lifetime_roi", 0, 1},
    [FC_M_MARKETING_ROI] = {"marketing_roi", 0, 1},
    [FC_M_PAYBACK] = {"payback", 0, 0},
};
static const struct {
    const char *name;
    int is_count;
} series_info[FC_S_COUNT] = {
    [FC_S_NEW_CUSTOMERS] = {"new_customers", 1},
    [FC_S_CHURNED] = {"churned", 1},
    [FC_S_WON_BACK] = {"won_back", 1},
    [FC_S_ACTIVE] = {"active", 1},
    [FC_S_LOST] = {"lost", 1},
    [FC_S_REVENUE] = {"revenue", 0},
    [FC_S_SPEND] = {"spend", 0},
    [FC_S_WINBACK_RATE] = {"winback_rate", 0},
};
static const char *const chan_fig_names[FC_C_COUNT] = {
    "visitors", "customers", "spend", "cac",
};

const char *fc_metric_name(int metric) { return metric_info[metric].name; }
const char *fc_series_name(int series) { return series_info[series].name; }
int fc_series_is_count(int series) { return series_info[series].is_count; }
const char *fc_chan_fig_name(int fig) { return chan_fig_names[fig]; }

int fc_metric_is_count(int metric) { return metric_info[metric].is_count; }
int fc_metric_higher_is_better(int metric) { return metric_info[metric].higher_is_better; }

int fc_metric_id(const char *name)
{
    for (int i = 0; i < FC_M_COUNT; i++)
        if (strcmp(name, metric_info[i].name) == 0)
            return i;
    return -1;
}

static int stage_named(const fc_model *m, const char *name)
{
    for (int k = 0; k < m->nstages; k++)
        if (strcmp(name, m->stages[k].name) == 0)
            return k;
    return -1;
}

/* The forms of a metric name with a prefix: "PREFIX.STAGE" or, for
 * channels, "channels.CHANNEL.FIGURE". */
static const struct {
    const char *prefix;
    fc_figure_kind kind;
} prefixed[] = {
    {"stage_costs.", FC_F_STAGE_COST},
    {"conversion.", FC_F_CONVERSION},
    {"pipeline.", FC_F_PIPELINE},
    {"channels.", FC_F_CHANNEL},
};

int fc_figure_parse(const fc_model *m, const char *name, fc_figure *out, char *why, size_t whylen)
{
    memset(out, 0, sizeof *out);
    if ((out->index = fc_metric_id(name)) >= 0) {
        out->kind = FC_F_TOTAL;
        return 0;
    }
    if ((out->index = stage_named(m, name)) >= 0) {
        out->kind = FC_F_STAGE;
        return 0;
    }
    for (size_t i = 0; i < sizeof prefixed / sizeof prefixed[0]; i++) {
        size_t n = strlen(prefixed[i].prefix);
        if (strncmp(name, prefixed[i].prefix, n) != 0)
            continue;
        const char *rest = name + n;
        out->kind = prefixed[i].kind;
        if (out->kind != FC_F_CHANNEL) {
            out->index = stage_named(m, rest);
            if (out->index < 0) {
                snprintf(why, whylen, "unknown stage '%s' in %s", rest, name);
                return -1;
            }
            if (out->index == 0 && out->kind != FC_F_STAGE_COST) {
                snprintf(why, whylen, "%s: the first stage has no stage before it", name);
                return -1;
            }
            return 0;
        }
        const char *dot = strrchr(rest, '.');
        out->index = -1;
        for (int c = 0; dot && c < m->nchannels; c++)
            if (strlen(m->channels[c].name) == (size_t)(dot - rest) &&
                strncmp(m->channels[c].name, rest, (size_t)(dot - rest)) == 0)
                out->index = c;
        if (out->index < 0) {
            snprintf(why, whylen, "unknown channel in %s", name);
            return -1;
        }
        for (out->fig = 0; out->fig < FC_C_COUNT; out->fig++)
            if (strcmp(dot + 1, chan_fig_names[out->fig]) == 0)
                return 0;
        snprintf(why, whylen, "%s: expected a channel figure (visitors, customers, spend or cac)", name);
        return -1;
    }
    snprintf(why, whylen, "unknown metric '%s'", name);
    return -1;
}

int fc_figure_is_count(const fc_figure *f)
{
    switch (f->kind) {
    case FC_F_TOTAL: return fc_metric_is_count(f->index);
    case FC_F_STAGE:
    case FC_F_PIPELINE: return 1;
    case FC_F_CHANNEL: return f->fig == FC_C_VISITORS || f->fig == FC_C_CUSTOMERS;
    default: return 0;
    }
}

int fc_figure_is_stock(const fc_figure *f)
{
    return f->kind == FC_F_TOTAL && (f->index == FC_M_ACTIVE_END || f->index == FC_M_LTV);
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
    out->conversion = at;
    at += m->nstages - 1;
    out->pipeline = at;
    at += m->nstages - 1;
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
