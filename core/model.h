/* model: the compiled scenario. Plain C structs for everything in DESIGN.md's
 * "Model semantics", built once from a validated scenario (core/lua_model.c),
 * then immutable: the engine's threads read it concurrently. One owner frees
 * everything with fc_model_free().
 */
#ifndef FC_MODEL_H
#define FC_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "dist.h"

#define FC_MAX_PERIODS 600
#define FC_MAX_STAGES 32
#define FC_MAX_CHANNELS 64
#define FC_MAX_LAGS 600
#define FC_MAX_GOALS 1000
/* Longest name (of the scenario, a channel, a stage or a goal), in bytes:
 * names are refused past it, never cut. */
#define FC_NAME_MAX 255
/* Longest field path of an assumption ("funnel.<stage>.rate.<channel>") or
 * goal metric ("channels.<channel>.customers"), in bytes: room for the
 * longest that names of FC_NAME_MAX bytes make. */
#define FC_PATH_MAX 640
/* Most initial or lost customers (counts stay far from overflow), and the
 * longest tenure or LTV horizon, in periods. */
#define FC_MAX_CUSTOMERS (INT64_MAX / 4)
/* The most units all stages' `before` lists may hold together (like the
 * arrivals a horizon draws, far from overflowing the counts). */
#define FC_MAX_BEFORE INT64_C(1000000000000000)
#define FC_MAX_TENURE 1000000
/* Most trials of one run: memory no longer grows with trials, time does. */
#define FC_MAX_TRIALS INT64_C(1000000000000)

/* What range a drawn value must stay in. */
typedef enum fc_domain {
    FC_DOMAIN_REAL,         /* any finite number */
    FC_DOMAIN_NONNEG,       /* >= 0: counts, spends, prices, costs */
    FC_DOMAIN_POSITIVE,     /* > 0: a cost per click, a hill half point */
    FC_DOMAIN_PROBABILITY,  /* [0, 1]: rates, churn, margin */
    FC_DOMAIN_FRACTION,     /* [0, 1): adstock */
} fc_domain;

/* An assumption: a constant (FC_DIST_FIXED) or a distribution drawn once per
 * trial, or once per period when per_period is set. Its stream is keyed by
 * its field path, so its draws do not depend on any other assumption. */
typedef struct fc_param {
    fc_dist dist;
    int per_period;
    int clip;           /* clamp draws into the domain instead of failing */
    fc_domain domain;
    uint64_t key;       /* fc_rng_key(path): the whole path keys the stream */
    int index;          /* position in fc_model.params, set by fc_model_finish */
    int cop;            /* its variable in the model's copula, or -1 (set by fc_model_finish) */
    char path[FC_PATH_MAX + 1]; /* "channels.search.cpc", for streams and messages */
} fc_param;

typedef enum fc_response {
    FC_RESPONSE_NONE,   /* organic only */
    FC_RESPONSE_COST,   /* lambda = e / cost (cpc or cpl) */
    FC_RESPONSE_HILL,   /* lambda = max e^s / (e^s + half^s) */
} fc_response;

typedef struct fc_channel {
    char name[FC_NAME_MAX + 1];
    double *spend;      /* [periods], owned */
    double *season;     /* [periods] multipliers, owned */
    fc_response response;
    fc_param cost;      /* cpc or cpl (FC_RESPONSE_COST) */
    fc_param hill_max, hill_half, hill_shape;
    int has_adstock;
    fc_param adstock;
    int has_organic;
    fc_param organic;
    int enters;         /* stage index (0-based) where arrivals enter */
    uint64_t arrivals_key;
} fc_channel;

typedef struct fc_stage {
    char name[FC_NAME_MAX + 1];
    fc_param rate;            /* stage > 0: chance a unit of the previous stage arrives */
    fc_param *rate_by_channel; /* [channels] when the rate differs by channel, owned; else NULL */
    int nlags;                /* lag distribution over 0..nlags-1 periods */
    double *lag_prob;         /* [nlags], owned; sums to 1 */
    int has_cost;
    fc_param cost;            /* cost per unit that reaches the stage */
    uint64_t key;             /* stream of the stage's conversions */
    uint64_t split_key;       /* stream splitting its entering arrivals over channels */
    uint64_t pipe_key;        /* stream of its pipeline (units bound for it after the last period) */
    int nbefore;              /* periods of arrivals before the plan (0: none; then no flows) */
    int64_t *before;          /* [nbefore], owned: the stage's arrivals in the periods before the first,
                                 the oldest first; the next stage converts them as its own */
    uint64_t before_key;      /* stream of the next stage's conversions of them (and their channels) */
} fc_stage;

typedef enum fc_churn_kind { FC_CHURN_NONE, FC_CHURN_RATE, FC_CHURN_SBG } fc_churn_kind;

typedef struct fc_customers {
    int64_t initial, lost;    /* A(0), L(0) */
    int64_t initial_tenure;
    fc_churn_kind churn_kind;
    fc_param churn;           /* FC_CHURN_RATE */
    fc_param sbg_alpha, sbg_beta;
    fc_param arpu, growth, margin;
    fc_param expansion;       /* ARPU growth per period of tenure (upsell), drawn once per trial */
    int expands;              /* expansion is not the constant 0 (set by fc_model_finish) */
    int by_tenure;            /* customers counted by tenure: sbg churn or expands (set by fc_model_finish) */
    int ltv_horizon;          /* periods; 0 = unlimited */
    double discount;          /* per period */
    uint64_t churned_key;     /* stream of the churn draws, set by fc_model_finish */
} fc_customers;

typedef struct fc_winback {
    int enabled;
    fc_param rate, cost;
    uint64_t won_back_key;    /* stream of the win-back draws, set by fc_model_finish */
} fc_winback;

typedef enum fc_goal_op { FC_GOAL_AT_LEAST, FC_GOAL_AT_MOST } fc_goal_op;

/* What a goal's metric names (see core/metrics.h), resolved by fc_model_finish. */
typedef struct fc_figure {
    int kind;             /* an fc_figure_kind */
    int index, fig;
} fc_figure;

/* A goal: met in a trial when its metric over the window of periods
 * from..by (1-based; flows summed, stocks taken at `by`, ratios the ratio of
 * the window's sums) satisfies the bound; with `every`, when the bound holds
 * in each period of the window (the goal's figure is then the worst
 * period's value: the least for at_least, the most for at_most). */
typedef struct fc_goal {
    char name[FC_NAME_MAX + 1];
    char metric[FC_PATH_MAX + 1]; /* a total, a stage, or a prefixed form (core/metrics.h) */
    fc_figure fig;        /* resolved by fc_model_finish */
    fc_goal_op op;
    double target;
    int from, by;         /* the window, 1 <= from <= by <= periods */
    int every;
    double confidence;
} fc_goal;

/* A rank correlation between two drawn-once assumptions, named by path. */
typedef struct fc_corr {
    char a[FC_PATH_MAX + 1], b[FC_PATH_MAX + 1];
    double rho;           /* Spearman's rank correlation, in (-1, 1) */
} fc_corr;

/* Periods already observed (run --actuals, backtest): in the first
 * `periods` periods of every trial the counts below replace the draws, and
 * the later periods are simulated from the state they leave (the units
 * still in the sales cycle, active and lost customers). -1 marks a count
 * the file leaves unknown: that one is drawn. */
typedef struct fc_observed {
    int periods;          /* 0: none */
    int64_t *stage;       /* [nstages][periods] arrivals at stage k, all channels; owned (one block) */
    int64_t *chan;        /* [nstages][nchannels][periods] of those, from channel c */
    int64_t *churned, *won_back, *active, *lost; /* [periods] */
    double *revenue;      /* [periods], owned; -1 unknown */
    uint64_t split_key;   /* stream of the split of a known total over channels of unknown counts */
} fc_observed;

/* Most assumptions a scenario may correlate. */
#define FC_MAX_CORRELATED 64

typedef struct fc_model {
    char name[FC_NAME_MAX + 1];
    char unit[16];
    char start[16];       /* the first period's calendar label ("2027-01"), or "" */
    int periods;
    uint64_t trials, seed;
    int nchannels, nstages, ngoals;
    fc_channel *channels; /* owned */
    fc_stage *stages;     /* owned */
    fc_goal *goals;       /* owned */
    fc_customers customers;
    fc_winback winback;
    int track_channels;   /* keep counts per channel (some rate differs by channel) */
    int nparams;          /* every assumption, set by fc_model_finish */
    const fc_param **params; /* [nparams], owned (the parameters are not) */
    int ncorr;
    fc_corr *corr;        /* [ncorr], owned; see fc_model_set_correlations */
    /* The Gaussian copula of the correlated assumptions, set by
     * fc_model_finish: ncop variables (one per correlated path), the first
     * parameter of each (whose stream draws its normal), and the lower
     * Cholesky factor of their normal correlations 2 sin(pi rho / 6). */
    int ncop;
    const fc_param **cop_param; /* [ncop], owned (the parameters are not) */
    double *cop_chol;     /* [ncop][ncop], owned */
    /* The candidate drivers of the outcome, set by fc_model_finish: every
     * assumption drawn once per trial, with the 1/3 and 2/3 quantiles of its
     * stated law, which cut its draws into a low, a middle and a high third
     * (see fc_accum_add_drivers). */
    int ndrivers;
    const fc_param **drivers; /* [ndrivers], owned (the parameters are not) */
    double *driver_cut;   /* [ndrivers][2], owned */
    fc_observed obs;
} fc_model;

/* Allocates an empty model with room for the given counts, or NULL when out
 * of memory. The caller owns it and frees it with fc_model_free(). */
fc_model *fc_model_new(int periods, int nchannels, int nstages, int ngoals);
void fc_model_free(fc_model *m);
/* Makes room for `periods` observed periods in m->obs, every count unknown
 * (-1). Returns 0, or -1 when out of memory. */
int fc_observed_alloc(fc_model *m, int periods);

/* Whether x lies in domain d; the domain in words ("a probability in [0, 1]"). */
int fc_domain_contains(fc_domain d, double x);
/* x moved into domain d (a clipped draw: clip = true). */
double fc_domain_clip(fc_domain d, double x);
const char *fc_domain_text(fc_domain d);
/* Whether every draw of law d lies in domain dm (its support, with the ends
 * the law can or cannot reach: a lognormal never draws 0). */
int fc_domain_holds(fc_domain dm, const fc_dist *d);

/* What is wrong with name s of len bytes ("a name in valid UTF-8", what a
 * message says is expected), or NULL when it is a valid name: not empty, at
 * most FC_NAME_MAX bytes, valid UTF-8 without NUL bytes or control
 * characters (C0, DEL, C1, the marks that reorder text), and, for a part of
 * field paths (a channel's or a stage's name: part nonzero), without '.',
 * '[' or ']'. The one rule for names: the Lua validation asks it too
 * (core.name_problem). The text may be written to buf (a few dozen bytes). */
const char *fc_name_problem(const char *s, size_t len, int part, char *buf, size_t buflen);
/* Whether s (len bytes) is valid UTF-8 (no overlong forms, surrogates or code
 * points past U+10FFFF) without NUL bytes. */
int fc_utf8_valid(const char *s, size_t len);

/* Makes room for n correlations (m->corr[0..n-1], zeroed). Returns 0 or -1. */
int fc_model_set_correlations(fc_model *m, int n);

/* Sets the path, domain and key of a parameter. Returns 0, or -1 when the
 * path is longer than FC_PATH_MAX (nothing is cut). */
int fc_param_init(fc_param *p, const char *path, fc_domain domain);

/* Final checks and derived fields (stream keys, goal metric ids, whether
 * channels are tracked). Checks every domain the engine relies on, whoever
 * built the model: each assumption's law inside its field's domain (unless
 * clipped), goal confidences in (0, 1), names valid and unique. Returns 0,
 * or -1 with a message in err. */
int fc_model_finish(fc_model *m, char *err, size_t errlen);

#endif
