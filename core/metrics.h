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
    FC_M_ACTIVE_END,
    FC_M_REVENUE,
    FC_M_GROSS_MARGIN,
    FC_M_SPEND,
    FC_M_FUNNEL_COST,
    FC_M_WINBACK_COST,
    FC_M_CAC,
    FC_M_LTV,
    FC_M_LTV_CAC,
    FC_M_ROI,
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
const char *fc_chan_fig_name(int fig);
/* Whether a metric's values are whole numbers (exact integer quantiles). */
int fc_metric_is_count(int metric);
/* Whether more of a metric is better (1: counts gained, revenue, margin, ltv,
 * ltv_cac, roi) or less (0: costs, cac, payback, churned). */
int fc_metric_higher_is_better(int metric);

/* Goal metric ids: 0 .. FC_M_COUNT-1 are the totals, FC_M_COUNT + k is the
 * arrivals of stage k. Returns -1 for an unknown name. */
int fc_metric_id(const fc_model *m, const char *name);

/* Slot offsets of a model's trial record. */
typedef struct fc_layout {
    int metrics;       /* FC_M_COUNT totals */
    int stage_total;   /* [nstages] arrivals over the horizon */
    int stage_cost;    /* [nstages] cost per arrival */
    int channel;       /* [nchannels][FC_C_COUNT] */
    int stage_series;  /* [nstages][periods] */
    int series;        /* [FC_S_COUNT][periods] */
    int goal;          /* [ngoals] goal metric through its period */
    int nslots;
} fc_layout;

void fc_layout_of(const fc_model *m, fc_layout *out);

#endif
