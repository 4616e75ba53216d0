/* metrics: what one trial yields, and where each figure sits in a trial's
 * record. A record is a flat array of doubles ("slots"): the totals, the
 * per-stage and per-channel figures, the per-period series and, per goal, the
 * goal's metric cumulated through its period. The engine fills records, the
 * summary summarizes each slot over the trials, the reports name slots with
 * the helpers below. */
#ifndef FC_METRICS_H
#define FC_METRICS_H

#include "model.h"

/* Totals over the horizon, in report order. */
typedef enum fc_metric {
    FC_M_NEW_CUSTOMERS,
    FC_M_CHURNED,
    FC_M_WON_BACK,
    FC_M_WINBACK_RATE,   /* won_back over the lost customers exposed (the sum of L(t-1)) */
    FC_M_ACTIVE_END,
    FC_M_REVENUE,
    FC_M_REVENUE_NEW,    /* the revenue of the customers acquired within the horizon */
    FC_M_GROSS_MARGIN,
    FC_M_SPEND,
    FC_M_FUNNEL_COST,
    FC_M_WINBACK_COST,
    FC_M_CAC,
    FC_M_LTV,
    FC_M_LTV_CAC,
    FC_M_ROI,
    FC_M_LIFETIME_ROI,   /* (new_customers * ltv - spend - funnel_cost) / (spend + funnel_cost) */
    FC_M_MARKETING_ROI,  /* (the new customers' gross margin - spend - funnel_cost) / (spend + funnel_cost) */
    FC_M_PAYBACK,
    FC_M_COUNT
} fc_metric;

/* Per-period series besides the stages', in report order. */
typedef enum fc_series {
    FC_S_NEW_CUSTOMERS,
    FC_S_CHURNED,
    FC_S_WON_BACK,
    FC_S_ACTIVE,
    FC_S_LOST,
    FC_S_REVENUE,
    FC_S_SPEND,
    FC_S_WINBACK_RATE,   /* won_back(t) / L(t-1) */
    FC_S_COUNT
} fc_series;

/* Per-channel figures, in report order. */
typedef enum fc_chan_fig {
    FC_C_VISITORS,
    FC_C_CUSTOMERS,
    FC_C_SPEND,
    FC_C_CAC,
    FC_C_COUNT
} fc_chan_fig;

const char *fc_metric_name(int metric);
const char *fc_series_name(int series);
/* Whether a series' values are whole numbers. */
int fc_series_is_count(int series);
const char *fc_chan_fig_name(int fig);
/* Whether a metric's values are whole numbers (exact integer quantiles). */
int fc_metric_is_count(int metric);
/* Whether more of a metric is better (1: counts gained, revenue, margin, ltv,
 * ltv_cac, roi) or less (0: costs, cac, payback, churned). */
int fc_metric_higher_is_better(int metric);

/* The id of a total by name (an fc_metric), or -1. */
int fc_metric_id(const char *name);

/* What a goal's metric names (fc_figure, model.h): its kind, the total,
 * stage or channel it is about (index), and for a channel which of its
 * figures (fig). */
typedef enum fc_figure_kind {
    FC_F_TOTAL,       /* index: an fc_metric ("new_customers", "cac", ...) */
    FC_F_STAGE,       /* index: a stage; its arrivals ("lead") */
    FC_F_STAGE_COST,  /* index: a stage; spend and stage costs up to it per arrival ("stage_costs.lead") */
    FC_F_CONVERSION,  /* index: a stage k >= 1; arrivals at k over arrivals at k - 1 ("conversion.mql") */
    FC_F_PIPELINE,    /* index: a stage k >= 1; units bound for k after the last period ("pipeline.customer") */
    FC_F_CHANNEL,     /* index: a channel, fig: an fc_chan_fig ("channels.search.cac") */
} fc_figure_kind;

/* Parses a goal's metric name into out. Returns 0, or -1 with what is
 * wrong in why (a phrase: "unknown stage 'x' in stage_costs.x"). */
int fc_figure_parse(const fc_model *m, const char *name, fc_figure *out, char *why, size_t whylen);
/* Whether the figure's values are whole numbers (exact integer quantiles). */
int fc_figure_is_count(const fc_figure *f);
/* Whether the figure over a window is its value at the window's last period
 * (a stock: active_end, ltv) rather than made of the window's sums. */
int fc_figure_is_stock(const fc_figure *f);

/* Slot offsets of a model's trial record. */
typedef struct fc_layout {
    int metrics;       /* FC_M_COUNT totals */
    int stage_total;   /* [nstages] arrivals over the horizon */
    int stage_cost;    /* [nstages] cost per arrival */
    int conversion;    /* [nstages - 1] arrivals at stage k over stage k - 1's (k >= 1) */
    int pipeline;      /* [nstages - 1] units bound for stage k after the last period (k >= 1) */
    int channel;       /* [nchannels][FC_C_COUNT] */
    int stage_series;  /* [nstages][periods] */
    int series;        /* [FC_S_COUNT][periods] */
    int goal;          /* [ngoals] goal metric through its period */
    int nslots;
} fc_layout;

void fc_layout_of(const fc_model *m, fc_layout *out);

#endif
