/* engine: the trial loop (DESIGN.md "Model semantics", in its order of
 * operations) and the threads that share the trials out. */
#include "engine.h"
#include "elem.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dist.h"
#include "figures.h"
#include "ltv.h"
#include "rng.h"
#include "special.h"


/* One thread's scratch space, allocated once before its first trial. */
typedef struct work {
    const fc_model *m;
    int T, K, C, CE;        /* periods, stages, channels, channel groups counted */
    double *pv;             /* [nparams][T] parameter values of the trial */
    uint64_t *n;            /* [K][CE][T] arrivals at stage k from channel group c in period t */
    double *lambda;         /* [C][T] expected channel arrivals (the Poisson means) */
    uint64_t *visitors;     /* [C] channel arrivals over the horizon */
    /* The Poisson-flow plan (see funnel_flows): */
    int flows;              /* the plan applies to this model */
    int *lag;               /* [K] each stage's one lag (lag[0] = 0) */
    double *entry_mean;     /* [K][T] expected arrivals entering at stage e in period t */
    uint64_t *entry_n;      /* [K][T] arrivals entering at stage e in period t */
    fc_pcg32 *flow_rng;     /* [K] stage k's stream */
    fc_pois_prep *flow_pp;  /* [K] stage k's Poisson, prepared for flow_mu[k] */
    double *flow_mu;        /* [K] */
    double *split;          /* [2][C] channel shares of two periods */
    double *spend_t;        /* [T] spend of all channels in period t */
    double *chan_spend;     /* [C] a channel's spend over the horizon */
    int any_cost;           /* some stage has a cost per unit */
    double *raw;            /* [nparams] a drawn-once parameter's draw before clipping */
    uint64_t *cohort;       /* [T + 1] active customers by arrival period (by tenure) */
    uint64_t *cohort_new;   /* [T + 1] of those, the customers acquired in the horizon */
    double *xpow;           /* [T + 1] (1 + expansion)^j */
    double *gm, *fcost, *wcost; /* [T] gross margin, funnel cost, win-back cost */
    double *rev_new, *gm_new; /* [T] revenue and gross margin of the customers acquired in the horizon */
    double *unit;           /* [K][T] each stage's cost per unit in period t (0 without a cost) */
    double *pipe;           /* [K] units bound for stage k after the last period */
    fc_pcg32 *pipe_rng;     /* [K] stage k's pipeline stream (flows), started on first use */
    unsigned char *pipe_on; /* [K] whether pipe_rng[k] is started in this trial */
    fc_trial_view view;     /* the figures' view of the arrays above */
    double *rec;            /* [nslots] the current trial's record */
    double *cols;           /* [nslots][FC_CHUNK] the chunk's records, slot by slot */
    fc_moments *mom;        /* [2][nslots] the block's moments so far, the chunk's */
    double *cop_z, *cop_y;  /* [ncop] the copula's independent and correlated normals */
    fc_accum acc;           /* this thread's counts */
    fc_layout lay;
    /* In a paired run, a model after the first takes the draws of the
     * assumptions it shares with the first (the same path and law: the same
     * stream, so the same draws) from the first's work instead of drawing
     * them again: same[i] is the first model's parameter, or -1. */
    const struct work *base;
    int *same;              /* [nparams], owned; NULL for the first model */
    /* What a trial computes: all of it, unless the summary is lean
     * (fc_shape_lean), whose figures need less (work_needs). Each part left
     * out draws on streams of its own, so the rest keeps its draws. */
    int from;               /* the first stage whose arrivals are needed (flows: the paths' counts of
                               earlier stages are not drawn); 0 for all */
    int money;              /* retention, win-back, revenue and LTV (customers()) */
    int by_channel;         /* the channels' own figures (visitors, customers) */
    unsigned char *skip;    /* [nparams], owned: parameters not drawn (only money uses them) */
    /* An objective-only trial (fc_engine_marginal): the one figure, arrivals
     * at stage mg_stage through period mg_by (or the CAC they give, spend
     * being fixed), drawn as one Poisson on its own stream. */
    int marginal;
    int mg_stage, mg_from, mg_by, mg_cac, mg_slot; /* mg_slot: the figure's record slot */
    uint64_t mg_key;        /* the figure's stream */
} work;

static void work_free(work *w)
{
    free(w->pv);
    free(w->n);
    free(w->lambda);
    free(w->visitors);
    free(w->lag);
    free(w->entry_mean);
    free(w->entry_n);
    free(w->flow_rng);
    free(w->flow_pp);
    free(w->flow_mu);
    free(w->split);
    free(w->spend_t);
    free(w->chan_spend);
    free(w->raw);
    free(w->cohort);
    free(w->cohort_new);
    free(w->xpow);
    free(w->gm);
    free(w->unit);
    free(w->pipe);
    free(w->pipe_rng);
    free(w->pipe_on);
    free(w->rec);
    free(w->cols);
    free(w->mom);
    free(w->cop_z);
    free(w->same);
    free(w->skip);
    fc_accum_free(&w->acc);
    memset(w, 0, sizeof *w);
}

/* Whether parameters p and q are drawn alike in every trial: the same
 * stream and law, outside any copula. */
static int drawn_alike(const fc_param *p, const fc_param *q)
{
    return p->key == q->key && strcmp(p->path, q->path) == 0 && p->dist.kind == q->dist.kind &&
           memcmp(p->dist.p, q->dist.p, sizeof p->dist.p) == 0 && p->dist.n == q->dist.n &&
           p->per_period == q->per_period && p->clip == q->clip && p->domain == q->domain &&
           p->cop < 0 && q->cop < 0;
}

/* Makes w (a later model of a paired run) take from base the draws of the
 * parameters the two draw alike. Returns 0 or -1 (memory). */
static int work_share(work *w, const work *base)
{
    const fc_model *m = w->m, *b = base->m;
    w->same = malloc((size_t)m->nparams * sizeof *w->same + 1);
    if (w->same == NULL)
        return -1;
    w->base = base;
    for (int i = 0; i < m->nparams; i++) {
        w->same[i] = -1;
        /* a parameter drawn every period only over the same horizon */
        if (m->params[i]->per_period && m->periods != b->periods)
            continue;
        for (int k = 0; k < b->nparams && w->same[i] < 0; k++)
            if (!base->skip[k] && drawn_alike(m->params[i], b->params[k]))
                w->same[i] = k;
    }
    return 0;
}

/* The first stage whose arrivals figure f is made of (K: none), and
 * whether it needs money (customers()). Returns that, or -1 when it needs
 * the whole trial (a channel's figures). */
static int figure_needs(const work *w, const fc_figure *f, int *from)
{
    int cost_from = w->K;
    for (int k = w->K - 1; k >= 0; k--)
        if (w->m->stages[k].has_cost)
            cost_from = k;
    *from = 0;
    switch ((fc_figure_kind)f->kind) {
    case FC_F_STAGE: *from = f->index; return 0;
    case FC_F_STAGE_COST: *from = cost_from < f->index ? cost_from : f->index; return 0;
    case FC_F_CONVERSION:
    case FC_F_PIPELINE: *from = f->index - 1; return 0;
    case FC_F_CHANNEL: return -1;
    case FC_F_TOTAL: break;
    }
    switch ((fc_metric)f->index) {
    case FC_M_NEW_CUSTOMERS: *from = w->K - 1; return 0;
    case FC_M_SPEND: *from = w->K; return 0;
    case FC_M_FUNNEL_COST: *from = cost_from; return 0;
    case FC_M_CAC: *from = cost_from < w->K - 1 ? cost_from : w->K - 1; return 0;
    default: return 1;
    }
}

static int flows_apply(const fc_model *m);

/* Whether some stage of m has a cost per unit. */
static int any_stage_cost(const fc_model *m)
{
    int any = 0;
    for (int k = 0; k < m->nstages; k++)
        any |= m->stages[k].has_cost;
    return any;
}

/* The figure at record slot `slot` when it is a total or a goal, as a goal
 * of the whole horizon for a total. Returns 0, or -1 for another figure. */
static int slot_figure(const fc_model *m, const fc_layout *lay, int slot, fc_goal *out)
{
    memset(out, 0, sizeof *out);
    out->from = 1;
    out->by = m->periods;
    if (slot >= lay->metrics && slot < lay->metrics + FC_M_COUNT) {
        out->fig.kind = FC_F_TOTAL;
        out->fig.index = slot - lay->metrics;
    } else if (slot >= lay->goal && slot < lay->goal + m->ngoals) {
        *out = m->goals[slot - lay->goal];
    } else {
        return -1;
    }
    return 0;
}

/* The one figure of a lean shape as an objective-only run draws it: its
 * record slot, the stage whose arrivals it is made of, over which periods
 * (from..by, 1-based), and whether it is the CAC those arrivals give.
 * Returns 0, or -1 when the shape cannot be drawn from its figure's
 * marginal law. */
static int marginal_figure(const fc_model *m, const fc_shape *sh, int *slot, int *stage, int *from, int *by,
                           int *cac)
{
    fc_layout lay;
    fc_goal g;
    if (sh->pick == NULL || sh->nslots != 1 || !flows_apply(m))
        return -1;
    fc_layout_of(m, &lay);
    *slot = sh->pick[0];
    if (slot_figure(m, &lay, *slot, &g) != 0 || g.every)
        return -1;
    *from = g.from;
    *by = g.by;
    const int any_cost = any_stage_cost(m), total = g.fig.kind == FC_F_TOTAL;
    *cac = total && g.fig.index == FC_M_CAC;
    if (g.fig.kind == FC_F_STAGE)
        *stage = g.fig.index;
    else if (total && (g.fig.index == FC_M_NEW_CUSTOMERS || (*cac && !any_cost)))
        *stage = m->nstages - 1;
    else
        return -1;
    return 0;
}

int fc_engine_marginal(const fc_model *m, const fc_shape *sh)
{
    int slot, stage, from, by, cac;
    return sh->marginal && marginal_figure(m, sh, &slot, &stage, &from, &by, &cac) == 0;
}

/* An objective-only trial draws only what its figure's mean is made of: the
 * channels' responses and the rates of the stages up to the figure's. */
static void marginal_needs(work *w)
{
    const fc_model *m = w->m;
    for (int i = 0; i < m->nparams; i++) {
        const fc_param *p = m->params[i];
        int need = 0;
        for (int c = 0; c < m->nchannels && !need; c++) {
            const fc_channel *ch = &m->channels[c];
            need = p == &ch->cost || p == &ch->hill_shape || p == &ch->hill_half || p == &ch->hill_max ||
                   p == &ch->adstock || p == &ch->organic;
        }
        for (int k = 1; k <= w->mg_stage && !need; k++)
            need = p == &m->stages[k].rate;
        w->skip[i] = !need;
    }
}

/* What the trials of a summary s's figures need (the whole trial unless s
 * is lean). Returns 0 or -1 (memory). */
static int work_needs(work *w, const fc_summary *s)
{
    const fc_model *m = w->m;
    w->from = 0;
    w->money = 1;
    w->by_channel = 1;
    w->skip = calloc((size_t)m->nparams + 1, 1);
    if (w->skip == NULL)
        return -1;
    if (s->shape.pick == NULL)
        return 0;
    if (s->shape.marginal &&
        marginal_figure(m, &s->shape, &w->mg_slot, &w->mg_stage, &w->mg_from, &w->mg_by, &w->mg_cac) == 0) {
        w->marginal = 1;
        w->mg_key = fc_rng_key("objective");
        w->money = w->by_channel = 0;
        marginal_needs(w);
        return 0;
    }
    const fc_layout *lay = &w->lay;
    int from = w->K, money = 0;
    for (int i = 0; i < s->shape.nslots; i++) {
        fc_goal g;
        int f, needs;
        if (slot_figure(m, lay, s->shape.pick[i], &g) != 0 || (needs = figure_needs(w, &g.fig, &f)) < 0)
            return 0; /* another figure: the whole trial */
        money |= needs;
        from = f < from ? f : from;
    }
    w->money = money;
    /* the funnel's costs add up per channel group: with several, the counts
     * stay split as a full run splits them, so that the sums are the same
     * floating-point sums; the split's stream then takes every path's count
     * in turn, so every path is drawn */
    w->by_channel = w->CE > 1 && w->any_cost;
    w->from = money || w->by_channel ? 0 : from;
    if (!money) {
        const fc_customers *cu = &m->customers;
        const fc_param *only[] = {&cu->churn,  &cu->sbg_alpha, &cu->sbg_beta,     &cu->arpu,     &cu->growth,
                                  &cu->margin, &cu->expansion, &m->winback.rate, &m->winback.cost};
        for (int i = 0; i < m->nparams; i++)
            for (size_t j = 0; j < sizeof only / sizeof only[0]; j++)
                w->skip[i] |= m->params[i] == only[j];
    }
    return 0;
}

/* Whether the funnel runs as Poisson flows (flow_paths): every stage has one
 * lag and one rate for all channels. */
static int flows_apply(const fc_model *m)
{
    if (m->obs.periods > 0) /* observed counts replace stages' arrivals: stage by stage */
        return 0;
    for (int k = 0; k < m->nstages; k++)
        if (m->stages[k].nbefore > 0) /* units from before the plan: stage by stage */
            return 0;
    for (int k = 1; k < m->nstages; k++) {
        const fc_stage *st = &m->stages[k];
        int positive = 0;
        for (int j = 0; j < st->nlags; j++)
            positive += st->lag_prob[j] > 0;
        if (positive != 1 || st->rate_by_channel != NULL)
            return 0;
    }
    return 1;
}

static int work_init(work *w, const fc_model *m, const fc_summary *s)
{
    memset(w, 0, sizeof *w);
    w->m = m;
    w->T = m->periods;
    w->K = m->nstages;
    w->C = m->nchannels;
    w->flows = flows_apply(m);
    /* the stage-by-stage binomials always count by channel, so that whether
     * a scenario reports by channel never changes its draws */
    w->CE = (w->flows && !m->track_channels) || m->nchannels == 0 ? 1 : m->nchannels;
    fc_layout_of(m, &w->lay);
    w->any_cost = any_stage_cost(m);
    size_t T = (size_t)w->T;
    w->pv = calloc((size_t)m->nparams * T + 1, sizeof *w->pv);
    w->n = calloc((size_t)w->K * (size_t)w->CE * T, sizeof *w->n);
    w->lambda = calloc((size_t)w->C * T + 1, sizeof *w->lambda);
    w->visitors = calloc((size_t)w->C + 1, sizeof *w->visitors);
    w->lag = calloc((size_t)w->K, sizeof *w->lag);
    w->entry_mean = calloc((size_t)w->K * T, sizeof *w->entry_mean);
    w->entry_n = calloc((size_t)w->K * T, sizeof *w->entry_n);
    w->flow_rng = calloc((size_t)w->K, sizeof *w->flow_rng);
    w->flow_pp = calloc((size_t)w->K, sizeof *w->flow_pp);
    w->flow_mu = calloc((size_t)w->K, sizeof *w->flow_mu);
    w->split = calloc(2 * (size_t)w->C + 1, sizeof *w->split);
    w->spend_t = calloc(T + 1, sizeof *w->spend_t);
    w->chan_spend = calloc((size_t)w->C + 1, sizeof *w->chan_spend);
    w->raw = calloc((size_t)m->nparams + 1, sizeof *w->raw);
    w->cohort = calloc(T + 1, sizeof *w->cohort);
    w->cohort_new = calloc(T + 1, sizeof *w->cohort_new);
    w->xpow = calloc(T + 1, sizeof *w->xpow);
    w->gm = calloc(5 * T, sizeof *w->gm);
    w->unit = calloc((size_t)w->K * T, sizeof *w->unit);
    w->pipe = calloc((size_t)w->K, sizeof *w->pipe);
    w->pipe_rng = calloc((size_t)w->K, sizeof *w->pipe_rng);
    w->pipe_on = calloc((size_t)w->K, sizeof *w->pipe_on);
    w->rec = calloc((size_t)w->lay.nslots, sizeof *w->rec);
    w->cols = calloc((size_t)FC_CHUNK * (size_t)w->lay.nslots, sizeof *w->cols);
    w->mom = calloc(2 * (size_t)w->lay.nslots, sizeof *w->mom);
    w->cop_z = calloc(2 * (size_t)m->ncop + 1, sizeof *w->cop_z);
    w->cop_y = w->cop_z ? w->cop_z + m->ncop : NULL;
    if (!w->lambda || !w->visitors || !w->lag || !w->entry_mean || !w->entry_n || !w->flow_rng ||
        !w->flow_pp || !w->flow_mu || !w->split || !w->spend_t || !w->chan_spend || !w->raw ||
        !w->cop_z || !w->pv || !w->n || !w->cohort || !w->cohort_new || !w->xpow || !w->gm || !w->unit ||
        !w->pipe || !w->pipe_rng || !w->pipe_on || !w->rec ||
        !w->cols || !w->mom || fc_summary_thread_accum(s, &w->acc) != 0 || work_needs(w, s) != 0) {
        work_free(w);
        return -1;
    }
    w->fcost = w->gm + T;
    w->wcost = w->gm + 2 * T;
    w->rev_new = w->gm + 3 * T;
    w->gm_new = w->gm + 4 * T;
    w->view = (fc_trial_view){
        .m = m, .T = w->T, .K = w->K, .CE = w->CE,
        .stage = w->rec + w->lay.stage_series, .series = w->rec + w->lay.series,
        .gm = w->gm, .fcost = w->fcost, .wcost = w->wcost, .rev_new = w->rev_new, .gm_new = w->gm_new,
        .unit = w->unit, .n = w->n, .pipeline = w->pipe,
    };
    for (int c = 0; c < w->C; c++)
        for (int t = 0; t < w->T; t++) {
            w->spend_t[t] += m->channels[c].spend[t];
            w->chan_spend[c] += m->channels[c].spend[t];
        }
    for (int k = 1; k < w->K && w->flows; k++) {
        const fc_stage *st = &m->stages[k];
        for (int j = 0; j < st->nlags; j++)
            if (st->lag_prob[j] > 0)
                w->lag[k] = j;
    }
    return 0;
}

/* Value of parameter p in period t (0-based). */
static inline double pval(const work *w, const fc_param *p, int t)
{
    return w->pv[(size_t)p->index * (size_t)w->T + (size_t)(p->per_period ? t : 0)];
}

/* A parameter's values read in a loop over periods: pvals(w, p)[t * pstep(p)]. */
static inline const double *pvals(const work *w, const fc_param *p)
{
    return w->pv + (size_t)p->index * (size_t)w->T;
}
static inline size_t pstep(const fc_param *p)
{
    return p->per_period ? 1 : 0;
}

/* Draws every parameter of trial `trial`. */
static int draw_params(work *w, uint64_t trial, char *err, size_t errlen)
{
    const fc_model *m = w->m;
    /* Correlated assumptions: each copula variable draws a standard normal
     * on its own stream; the Cholesky factor correlates them; each then
     * becomes its assumption's draw through the law's quantile. */
    const int nc = m->ncop;
    for (int v = 0; v < nc; v++) {
        fc_pcg32 rng;
        fc_rng_stream(&rng, m->seed, trial, m->cop_param[v]->key);
        w->cop_z[v] = fc_rnorm(&rng);
    }
    for (int v = 0; v < nc; v++) {
        double y = 0;
        for (int k = 0; k <= v; k++)
            y += m->cop_chol[v * nc + k] * w->cop_z[k];
        w->cop_y[v] = y;
    }
    for (int i = 0; i < m->nparams; i++) {
        const fc_param *p = m->params[i];
        double *dst = w->pv + (size_t)i * (size_t)w->T;
        int count = p->per_period ? w->T : 1;
        if (w->skip && w->skip[i])
            continue;
        if (p->dist.kind == FC_DIST_FIXED) {
            for (int t = 0; t < count; t++)
                dst[t] = p->dist.p[0];
            continue;
        }
        if (w->same && w->same[i] >= 0) { /* drawn by the first model of a paired run */
            memcpy(dst, w->base->pv + (size_t)w->same[i] * (size_t)w->base->T, (size_t)count * sizeof *dst);
            w->raw[i] = w->base->raw[w->same[i]];
            continue;
        }
        fc_pcg32 rng;
        if (p->cop < 0)
            fc_rng_stream(&rng, m->seed, trial, p->key);
        for (int t = 0; t < count; t++) {
            double x = p->cop >= 0 ? fc_dist_quantile_z(&p->dist, w->cop_y[p->cop])
                                   : fc_dist_draw(&p->dist, &rng);
            if (!p->per_period)
                w->raw[i] = x; /* the drivers' thirds are of the law as stated */
            if (!fc_domain_contains(p->domain, x)) {
                if (!p->clip) {
                    snprintf(err, errlen,
                             "%.380s: a draw fell outside its range in trial %llu: expected %s, got %g "
                             "(use a distribution that stays in range, or clip = true)",
                             p->path, (unsigned long long)trial, fc_domain_text(p->domain), x);
                    return -1;
                }
                x = fc_domain_clip(p->domain, x);
            }
            dst[t] = x;
        }
    }
    return 0;
}

/* Expected channel arrivals lambda(c, t): effective spend with carry-over,
 * response, organic and season. */
static int channel_means(work *w, uint64_t trial, char *err, size_t errlen)
{
    const fc_model *m = w->m;
    const int T = w->T;
    for (int c = 0; c < w->C; c++) {
        const fc_channel *ch = &m->channels[c];
        double *out = w->lambda + (size_t)c * (size_t)T;
        double e = 0;
        if (ch->response == FC_RESPONSE_COST && !ch->has_adstock && !ch->has_organic) {
            /* the common case, its loop free of branches: the same values */
            const double *cost = pvals(w, &ch->cost);
            const size_t cs = pstep(&ch->cost);
            int bad = 0;
            for (int t = 0; t < T; t++) {
                out[t] = ch->spend[t] / cost[(size_t)t * cs] * ch->season[t];
                bad |= !(out[t] <= FC_POIS_MAX_MEAN);
            }
            if (!bad)
                continue;
        }
        for (int t = 0; t < T; t++) {
            e = ch->spend[t] + (ch->has_adstock ? pval(w, &ch->adstock, t) * e : 0);
            double lambda = 0;
            if (ch->response == FC_RESPONSE_COST) {
                lambda = e / pval(w, &ch->cost, t);
            } else if (ch->response == FC_RESPONSE_HILL) {
                double s = pval(w, &ch->hill_shape, t), half = pval(w, &ch->hill_half, t);
                double es = fc_pow_pos(e, s), hs = fc_pow_pos(half, s);
                lambda = es + hs > 0 ? pval(w, &ch->hill_max, t) * es / (es + hs) : 0;
                /* a steep shape overflows the powers (inf / inf): the same
                 * curve as max / (1 + (half / e)^shape) */
                if (!(isfinite(es) && isfinite(hs)))
                    lambda = e > 0 ? pval(w, &ch->hill_max, t) / (1 + fc_pow_pos(half / e, s)) : 0;
            }
            if (ch->has_organic)
                lambda += pval(w, &ch->organic, t);
            double mean = lambda * ch->season[t];
            if (!(mean <= FC_POIS_MAX_MEAN)) {
                snprintf(err, errlen,
                         "channels.%s: expected arrivals in period %d of trial %llu are %g, "
                         "above the limit of %g (check spend and cpc)",
                         ch->name, t + 1, (unsigned long long)trial, mean, FC_POIS_MAX_MEAN);
                return -1;
            }
            out[t] = mean;
        }
    }
    return 0;
}

/* A Poisson draw from a sampler prepared again only when the mean changes:
 * its draws are the ones fc_rpois makes. */
static inline uint64_t pois_cached(fc_pcg32 *rng, fc_pois_prep *pp, double *pp_mean, double mean)
{
    if (mean != *pp_mean) {
        fc_pois_prep_init(pp, mean);
        *pp_mean = mean;
    }
    return fc_rpois_prep(rng, pp);
}

/* The arrivals of each channel, period by period, into the stage it enters. */
static void channel_arrivals(work *w, uint64_t trial)
{
    const fc_model *m = w->m;
    const int T = w->T;
    for (int c = 0; c < w->C; c++) {
        const fc_channel *ch = &m->channels[c];
        fc_pcg32 rng;
        fc_rng_stream(&rng, m->seed, trial, ch->arrivals_key);
        const double *mean = w->lambda + (size_t)c * (size_t)T;
        uint64_t *enter = w->n + ((size_t)ch->enters * (size_t)w->CE + (size_t)c) * (size_t)T;
        fc_pois_prep pp;
        double pp_mean = -1;
        uint64_t total = 0;
        for (int t = 0; t < T; t++) {
            uint64_t x = pois_cached(&rng, &pp, &pp_mean, mean[t]);
            enter[t] += x;
            total += x;
        }
        w->visitors[c] = total;
    }
}

/* Observed periods (m->obs): stage k's arrivals in each observed period are
 * the file's. A channel's known count is taken as it is; a known total
 * whose channels are not all known is split, what the known ones leave of
 * it, over the others by a multinomial with the shares their simulated
 * counts had (alike when they had none), on the observed-split stream. The
 * channels entering at k then have their arrivals recounted. */
static void observe_stage(work *w, uint64_t trial, int k)
{
    const fc_model *m = w->m;
    const fc_observed *o = &m->obs;
    const int T = w->T, CE = w->CE, P = o->periods, C = m->nchannels;
    for (int t = 0; t < P; t++) {
        uint64_t *n[FC_MAX_CHANNELS];
        int unknown[FC_MAX_CHANNELS], nu = 0;
        int64_t known = 0;
        for (int c = 0; c < CE; c++) {
            n[c] = w->n + ((size_t)k * (size_t)CE + (size_t)c) * (size_t)T + (size_t)t;
            int64_t x = CE == C && C > 0 ? o->chan[((size_t)k * (size_t)C + (size_t)c) * (size_t)P + (size_t)t] : -1;
            if (x >= 0) {
                *n[c] = (uint64_t)x;
                known += x;
            } else {
                unknown[nu++] = c;
            }
        }
        int64_t total = o->stage[(size_t)k * (size_t)P + (size_t)t];
        if (total < 0 || nu == 0)
            continue;
        uint64_t left = total > known ? (uint64_t)(total - known) : 0;
        if (nu == 1) {
            *n[unknown[0]] = left;
            continue;
        }
        double share[FC_MAX_CHANNELS], sum = 0;
        for (int i = 0; i < nu; i++)
            sum += (double)*n[unknown[i]];
        for (int i = 0; i < nu; i++)
            share[i] = sum > 0 ? (double)*n[unknown[i]] / sum : 1.0 / nu;
        fc_pcg32 rng;
        fc_rng_stream(&rng, m->seed, trial, o->split_key ^ (uint64_t)(k * 1000003 + t));
        uint64_t out[FC_MAX_CHANNELS];
        fc_rmultinom(&rng, left, (size_t)nu, share, out);
        for (int i = 0; i < nu; i++)
            *n[unknown[i]] = out[i];
    }
    for (int c = 0; c < C && CE == C; c++)
        if (m->channels[c].enters == k) {
            const uint64_t *x = w->n + ((size_t)k * (size_t)CE + (size_t)c) * (size_t)T;
            uint64_t v = 0;
            for (int t = 0; t < T; t++)
                v += x[t];
            w->visitors[c] = v;
        }
}

/* Spreads the `left` units bound for stage st from period s over its lags by
 * sequential conditional binomials (a multinomial): those landing in 0..T-1
 * are added to `to`, those that landed before period 0 (s < 0: units from
 * before the plan) are past, those after the last period are added to
 * *pipe (still on their way). */
static inline void land(fc_pcg32 *rng, const fc_stage *st, uint64_t left, int s, int T, uint64_t *to, double *pipe)
{
    double mass = 1.0;
    int last = st->nlags < T - s ? st->nlags : T - s;
    for (int j = 0; j < last && left > 0; j++) {
        double pj = st->lag_prob[j];
        if (pj <= 0)
            continue;
        uint64_t x = pj >= mass ? left : fc_rbinom(rng, left, pj / mass);
        if (s + j >= 0)
            to[s + j] += x;
        left -= x;
        mass -= pj;
    }
    if (last < st->nlags)
        *pipe += (double)left;
}

/* Stage k - 1's arrivals in the periods before the plan (its `before`),
 * converted by stage k as its own: each period's count split over the
 * channels by their shares of the first-period arrivals of stage k - 1, or
 * of the nearest stage above it that had some (alike when none had; a
 * multinomial), then Binomial(n, rate at the first
 * period) reach stage k, spread over the lags; those that landed before the
 * first period are already past, those after the last are the pipeline. On
 * stage k - 1's before stream, apart from the stage-by-stage draws (a model
 * with `before` never runs as Poisson flows, so its draws are not a plain
 * model's). */
static void convert_before(work *w, uint64_t trial, int k)
{
    const fc_model *m = w->m;
    const fc_stage *prev = &m->stages[k - 1], *st = &m->stages[k];
    const int T = w->T, CE = w->CE, B = prev->nbefore;
    fc_pcg32 rng;
    fc_rng_stream(&rng, m->seed, trial, prev->before_key);
    double share[FC_MAX_CHANNELS], sum = 0;
    int from = k - 1;
    for (; from >= 0 && sum == 0; from--) {
        sum = 0;
        for (int c = 0; c < CE; c++)
            sum += (double)w->n[((size_t)from * (size_t)CE + (size_t)c) * (size_t)T];
    }
    from++;
    for (int c = 0; c < CE; c++)
        share[c] = sum > 0 ? (double)w->n[((size_t)from * (size_t)CE + (size_t)c) * (size_t)T] / sum : 1.0 / CE;
    for (int b = 0; b < B; b++) {
        const int s = b - B; /* the period of these arrivals: -1 just before the first */
        uint64_t by[FC_MAX_CHANNELS];
        if (CE == 1)
            by[0] = (uint64_t)prev->before[b];
        else
            fc_rmultinom(&rng, (uint64_t)prev->before[b], (size_t)CE, share, by);
        for (int c = 0; c < CE; c++) {
            if (by[c] == 0)
                continue;
            const fc_param *rate = st->rate_by_channel ? &st->rate_by_channel[c] : &st->rate;
            uint64_t *to = w->n + ((size_t)k * (size_t)CE + (size_t)c) * (size_t)T;
            land(&rng, st, fc_rbinom(&rng, by[c], pval(w, rate, 0)), s, T, to, &w->pipe[k]);
        }
    }
}

/* Conversions through the funnel, stage by stage: of the units that entered
 * stage k-1 in period s, Binomial(n, rate) reach stage k, spread over the lags
 * by sequential conditional binomials (a multinomial); those that would land
 * after the last period are not placed: they are stage k's pipeline. Stage
 * k - 1's units from before the plan are converted first (convert_before). */
static void funnel(work *w, uint64_t trial)
{
    const fc_model *m = w->m;
    const int T = w->T, CE = w->CE;
    if (m->obs.periods > 0)
        observe_stage(w, trial, 0);
    for (int k = 1; k < w->K; k++) {
        const fc_stage *st = &m->stages[k];
        if (m->stages[k - 1].nbefore > 0)
            convert_before(w, trial, k);
        fc_pcg32 rng;
        fc_rng_stream(&rng, m->seed, trial, st->key);
        for (int c = 0; c < CE; c++) {
            const fc_param *rate = st->rate_by_channel ? &st->rate_by_channel[c] : &st->rate;
            const uint64_t *from = w->n + ((size_t)(k - 1) * (size_t)CE + (size_t)c) * (size_t)T;
            uint64_t *to = w->n + ((size_t)k * (size_t)CE + (size_t)c) * (size_t)T;
            /* the rate prepared once while it stays the same (drawn once per
             * trial it does): fc_rbinom_p's draws are fc_rbinom's */
            fc_binom_p bp;
            double bp_rate = -1;
            for (int s = 0; s < T; s++) {
                if (from[s] == 0)
                    continue;
                double pr = pval(w, rate, s);
                if (pr != bp_rate) {
                    fc_binom_p_init(&bp, pr);
                    bp_rate = pr;
                }
                land(&rng, st, fc_rbinom_p(&rng, &bp, from[s]), s, T, to, &w->pipe[k]);
            }
        }
        if (m->obs.periods > 0)
            observe_stage(w, trial, k);
    }
}

static void entry_shares(const work *w, int e, int t, double *share);

/* Of the n units that stopped at stage k - 1 in period tau because stage k
 * would be reached after the last period, those that will reach it:
 * Binomial(n, rate), on stage k's pipeline stream (in the paths' order). */
static void pipeline_of(work *w, uint64_t trial, int k, uint64_t n, int tau)
{
    const fc_stage *st = &w->m->stages[k];
    if (!w->pipe_on[k]) {
        fc_rng_stream(&w->pipe_rng[k], w->m->seed, trial, st->pipe_key);
        w->pipe_on[k] = 1;
    }
    double p = pval(w, &st->rate, tau) * st->lag_prob[w->lag[k]];
    w->pipe[k] += (double)fc_rbinom(&w->pipe_rng[k], n, p);
}

/* The funnel as Poisson flows, for a model whose stages each have one lag
 * and whose rates are the same for every channel (w->flows). Arrivals
 * entering stage e in period t are Poisson(L), L the sum of the entering
 * channels' means; each unit then reaches stage e+1, e+2, ... independently
 * with the stages' rates. By the thinning theorem the units that stop at
 * stage k (the last stage where they are counted: the next rate failed, or
 * the next stage would be reached after the last period) are independent
 * Poisson counts, one per (e, t, k), with mean L times the chance of that
 * path. Of the units that stopped for want of time, those that will reach
 * the next stage after the horizon are its pipeline (pipeline_of). Drawing those counts, then summing them down the stages, gives the
 * counts the stage-by-stage binomials give, in law, exactly, with one
 * Poisson per path (its sampler prepared once while the mean stays) instead
 * of a binomial with a new n per period. The count stopping at stage k is
 * drawn on stage k's stream, in (e, t) order. Fills w->n and w->entry_n.
 *
 * A scenario that reports by channel (w->CE > 1) draws the same counts on
 * the same streams, then splits each path's count over the channels
 * entering stage e by their shares of L (multinomial, on stage e's
 * channel-split stream): the channels' Poisson counts given their sum. So
 * tracking channels changes no total, and fills w->visitors too. */
static void flow_paths(work *w, uint64_t trial)
{
    const fc_model *m = w->m;
    const int T = w->T, K = w->K;
    const size_t CE = (size_t)w->CE;
    int chans[FC_MAX_CHANNELS]; /* the channels entering stage e */
    if (CE > 1)
        for (int c = 0; c < w->C; c++)
            w->visitors[c] = 0;
    memset(w->entry_mean, 0, (size_t)K * (size_t)T * sizeof *w->entry_mean);
    for (int c = 0; c < w->C; c++) {
        double *em = w->entry_mean + (size_t)m->channels[c].enters * (size_t)T;
        for (int t = 0; t < T; t++)
            em[t] += w->lambda[(size_t)c * (size_t)T + (size_t)t];
    }
    for (int k = 0; k < K; k++) {
        fc_rng_stream(&w->flow_rng[k], m->seed, trial, m->stages[k].key);
        w->flow_mu[k] = -1;
    }
    for (int e = 0; e < K; e++) {
        const double *em = w->entry_mean + (size_t)e * (size_t)T;
        uint64_t *en = w->entry_n + (size_t)e * (size_t)T;
        int nc = 0;
        fc_pcg32 split;
        if (CE > 1) {
            for (int c = 0; c < w->C; c++)
                if (m->channels[c].enters == e)
                    chans[nc++] = c;
            if (nc > 1 && w->by_channel)
                fc_rng_stream(&split, m->seed, trial, m->stages[e].split_key);
        }
        for (int t0 = 0; t0 < T; t0++) {
            en[t0] = 0;
            if (em[t0] == 0)
                continue;
            if (nc > 1 && w->by_channel)
                entry_shares(w, e, t0, w->split);
            /* arrivals above the Poisson limit come as equal slices, each
             * below it: a sum of independent Poissons is Poisson */
            int slices = em[t0] <= FC_POIS_MAX_MEAN ? 1 : (int)ceil(em[t0] / FC_POIS_MAX_MEAN);
            for (int sl = 0; sl < slices; sl++) {
                /* walk the path: `reach` units expected at stage k in period tau */
                uint64_t stop[FC_MAX_STAGES];
                int at[FC_MAX_STAGES];
                double reach = em[t0] / slices;
                int tau = t0, last = e;
                for (int k = e; k < K; k++) {
                    at[k] = tau;
                    last = k;
                    int next = k + 1 < K ? tau + w->lag[k + 1] : T;
                    /* the one lag's probability is 1 but for rounding, which
                     * funnel() also applies */
                    double p = next < T ? pval(w, &m->stages[k + 1].rate, tau) *
                                                  m->stages[k + 1].lag_prob[w->lag[k + 1]]
                                        : 0.0;
                    stop[k] = k < w->from ? 0
                                          : pois_cached(&w->flow_rng[k], &w->flow_pp[k], &w->flow_mu[k],
                                                        reach * (1.0 - p));
                    if (!(p > 0.0))
                        break;
                    reach *= p;
                    tau = next;
                }
                if (last + 1 < K && stop[last] > 0 && at[last] + w->lag[last + 1] >= T)
                    pipeline_of(w, trial, last + 1, stop[last], at[last]);
                /* a unit counted at stage k is counted at every stage above */
                uint64_t through = 0;
                if (CE == 1) {
                    for (int k = last; k >= e; k--) {
                        through += stop[k];
                        w->n[(size_t)k * (size_t)T + (size_t)at[k]] += through;
                    }
                } else if (nc > 0) {
                    uint64_t by[FC_MAX_CHANNELS] = {0}, part[FC_MAX_CHANNELS];
                    for (int k = last; k >= e; k--) {
                        through += stop[k];
                        if (nc > 1 && w->by_channel) {
                            fc_rmultinom(&split, stop[k], (size_t)nc, w->split, part);
                        } else { /* the total is what counts: all on the first channel */
                            memset(part, 0, (size_t)nc * sizeof *part);
                            part[0] = stop[k];
                        }
                        for (int j = 0; j < nc; j++) {
                            by[j] += part[j];
                            w->n[((size_t)k * CE + (size_t)chans[j]) * (size_t)T + (size_t)at[k]] += by[j];
                        }
                    }
                    for (int j = 0; j < nc; j++)
                        w->visitors[chans[j]] += by[j];
                }
                en[t0] += through;
            }
        }
    }
}

/* An objective-only trial (w->marginal): the arrivals at stage g in periods
 * `from` to `by`. In the Poisson flows (flow_paths) they are a sum of independent
 * Poisson counts, one per path from an entry (e <= g, t0) that reaches g by
 * then, so they are one Poisson whose mean is the sum of those paths' means:
 * the law of a full run's figure, drawn on the stream "objective" (common to
 * every candidate of a search: common random numbers) instead of path by
 * path. Writes the figure into the record. */
static void marginal_trial(work *w, uint64_t trial)
{
    const fc_model *m = w->m;
    const int T = w->T, g = w->mg_stage, from = w->mg_from - 1, by = w->mg_by;
    /* reach[t]: the chance that a unit at stage k in period t reaches stage
     * g within the window, from k = g down (entry_mean holds it, [T] per stage) */
    double *reach = w->entry_mean;
    double *below = reach + (size_t)g * (size_t)T;
    for (int t = 0; t < T; t++)
        below[t] = t >= from && t < by ? 1.0 : 0.0;
    for (int k = g - 1; k >= 0; k--) {
        double *here = reach + (size_t)k * (size_t)T;
        const fc_stage *st = &m->stages[k + 1];
        const int lag = w->lag[k + 1];
        const double pl = st->lag_prob[lag];
        const double *rate = pvals(w, &st->rate);
        const size_t rs = pstep(&st->rate);
        const int upto = by - lag > 0 ? by - lag : 0;
        for (int t = 0; t < upto; t++)
            here[t] = rate[(size_t)t * rs] * pl * below[t + lag];
        for (int t = upto; t < T; t++)
            here[t] = 0.0;
        below = here;
    }
    /* summed in four interleaved parts (period t into part t mod 4), added
     * at the end: four short dependency chains instead of one long one, in
     * a fixed order still */
    double p0 = 0, p1 = 0, p2 = 0, p3 = 0;
    for (int c = 0; c < w->C; c++) {
        int e = m->channels[c].enters;
        if (e > g)
            continue;
        const double *r = reach + (size_t)e * (size_t)T, *lambda = w->lambda + (size_t)c * (size_t)T;
        int t = 0;
        for (; t + 3 < by; t += 4) {
            p0 += lambda[t] * r[t];
            p1 += lambda[t + 1] * r[t + 1];
            p2 += lambda[t + 2] * r[t + 2];
            p3 += lambda[t + 3] * r[t + 3];
        }
        p0 += t < by ? lambda[t] * r[t] : 0.0;
        p1 += t + 1 < by ? lambda[t + 1] * r[t + 1] : 0.0;
        p2 += t + 2 < by ? lambda[t + 2] * r[t + 2] : 0.0;
    }
    double mu = (p0 + p1) + (p2 + p3);
    fc_pcg32 rng;
    fc_rng_stream(&rng, m->seed, trial, w->mg_key);
    /* a mean above the Poisson limit comes as equal slices below it */
    int slices = mu <= FC_POIS_MAX_MEAN ? 1 : (int)ceil(mu / FC_POIS_MAX_MEAN);
    uint64_t x = 0;
    for (int sl = 0; sl < slices; sl++)
        x += fc_rpois(&rng, mu / slices);
    double fig = (double)x;
    if (w->mg_cac) { /* spend over the new customers, as metric_value sums it */
        double spend = 0;
        for (int t = from; t < by; t++)
            spend += w->spend_t[t];
        fig = x > 0 ? spend / fig : INFINITY;
    }
    w->rec[w->mg_slot] = fig;
}

/* The shares of the channels entering stage e in period t, into share[]. */
static void entry_shares(const work *w, int e, int t, double *share)
{
    const double em = w->entry_mean[(size_t)e * (size_t)w->T + (size_t)t];
    int j = 0;
    for (int c = 0; c < w->C; c++)
        if (w->m->channels[c].enters == e)
            share[j++] = w->lambda[(size_t)c * (size_t)w->T + (size_t)t] / em;
}

/* Whether the channels entering stage e have in period u the shares they
 * have in period u - 1 (the same means: no division) or the given ones. */
static int same_shares(work *w, int e, int u, const double *share)
{
    const size_t T = (size_t)w->T;
    int same = 1;
    for (int c = 0; c < w->C && same; c++)
        same = w->m->channels[c].enters != e ||
               w->lambda[(size_t)c * T + (size_t)u] == w->lambda[(size_t)c * T + (size_t)u - 1];
    if (same)
        return 1;
    double *now = w->split + w->C;
    entry_shares(w, e, u, now);
    for (int c = 0, j = 0; c < w->C; c++)
        if (w->m->channels[c].enters == e) {
            if (now[j] != share[j])
                return 0;
            j++;
        }
    return 1;
}

/* The channels' arrivals over the horizon (w->visitors), from the flows'
 * arrivals per entry stage: given the arrivals of a run of periods in which
 * the entering channels' shares stay the same, their split over the channels
 * is multinomial with those shares (stage e's channel-split stream). Only
 * the totals per channel are reported, so a run of periods is split at once. */
static void split_by_channel(work *w, uint64_t trial)
{
    const fc_model *m = w->m;
    const int T = w->T;
    for (int c = 0; c < w->C; c++)
        w->visitors[c] = 0;
    for (int e = 0; e < w->K; e++) {
        int nc = 0, only = -1;
        for (int c = 0; c < w->C; c++)
            if (m->channels[c].enters == e) {
                nc++;
                only = c;
            }
        const double *em = w->entry_mean + (size_t)e * (size_t)T;
        const uint64_t *en = w->entry_n + (size_t)e * (size_t)T;
        if (nc == 1)
            for (int t = 0; t < T; t++)
                w->visitors[only] += en[t];
        if (nc < 2)
            continue;
        fc_pcg32 rng;
        fc_rng_stream(&rng, m->seed, trial, m->stages[e].split_key);
        double *share = w->split;
        for (int t = 0; t < T;) {
            if (em[t] == 0) { /* no arrivals: part of no run */
                t++;
                continue;
            }
            entry_shares(w, e, t, share);
            uint64_t total = en[t];
            int u = t + 1;
            for (; u < T && (em[u] == 0 || same_shares(w, e, u, share)); u++)
                total += en[u];
            uint64_t out[FC_MAX_CHANNELS];
            fc_rmultinom(&rng, total, (size_t)nc, share, out);
            int j = 0;
            for (int c = 0; c < w->C; c++)
                if (m->channels[c].enters == e)
                    w->visitors[c] += out[j++];
            t = u;
        }
    }
}

/* The expected discounted gross margin of one new customer, with the
 * trial's draws: closed forms and bounded sums (core/ltv.h), whatever the
 * parameters. */
static double ltv_of(const work *w)
{
    const fc_customers *cu = &w->m->customers;
    double value = pval(w, &cu->arpu, 0) * pval(w, &cu->margin, 0);
    if (value == 0)
        return 0;
    const double x = cu->expands ? pval(w, &cu->expansion, 0) : 0.0;
    if (cu->churn_kind == FC_CHURN_NONE || cu->churn_kind == FC_CHURN_RATE) {
        double keep = cu->churn_kind == FC_CHURN_NONE ? 1.0 : 1.0 - pval(w, &cu->churn, 0);
        return value * fc_ltv_geometric_x(keep, cu->discount, x, cu->ltv_horizon);
    }
    return value * fc_ltv_sbg_x(pval(w, &cu->sbg_alpha, 0), pval(w, &cu->sbg_beta, 0), cu->discount, x,
                                cu->ltv_horizon);
}

/* The funnel's costs per unit in period t (w->unit, unit_costs). */
static double funnel_cost(const work *w, int t)
{
    const fc_model *m = w->m;
    const int T = w->T, CE = w->CE;
    double fcost = 0;
    for (int k = 0; k < w->K && w->any_cost; k++) {
        if (!m->stages[k].has_cost)
            continue;
        double unit = w->unit[(size_t)k * (size_t)T + (size_t)t];
        for (int c = 0; c < CE; c++)
            fcost += unit * (double)w->n[((size_t)k * (size_t)CE + (size_t)c) * (size_t)T + (size_t)t];
    }
    return fcost;
}

/* New customers and spend per period, and the funnel's costs, without
 * retention or money: what a lean summary that needs no money reads. */
static void new_customers_only(work *w)
{
    const int T = w->T, K = w->K, CE = w->CE;
    double *ser = w->rec + w->lay.series;
    memset(ser, 0, (size_t)FC_S_COUNT * (size_t)T * sizeof *ser);
    for (int t = 0; t < T; t++) {
        uint64_t newc = 0;
        for (int c = 0; c < CE; c++)
            newc += w->n[((size_t)(K - 1) * (size_t)CE + (size_t)c) * (size_t)T + (size_t)t];
        w->gm[t] = w->wcost[t] = w->rev_new[t] = w->gm_new[t] = 0;
        w->fcost[t] = funnel_cost(w, t);
        ser[FC_S_NEW_CUSTOMERS * T + t] = (double)newc;
        ser[FC_S_SPEND * T + t] = w->spend_t[t];
    }
}

/* The churned of one group of n customers with churn probability p (bp:
 * prepared for it, or NULL): of its older part (n - *fresh) first, then of
 * its part acquired in the horizon (*fresh, less its churned on return),
 * both on stream rc. */
static uint64_t churn_group(fc_pcg32 *rc, const fc_binom_p *bp, double p, uint64_t n, uint64_t *fresh)
{
    uint64_t old = bp ? fc_rbinom_p(rc, bp, n - *fresh) : fc_rbinom(rc, n - *fresh, p);
    uint64_t lost_new = bp ? fc_rbinom_p(rc, bp, *fresh) : fc_rbinom(rc, *fresh, p);
    *fresh -= lost_new;
    return old + lost_new;
}

/* Retention, win-back and money, period by period, then the record. The
 * customers acquired within the horizon form a stock of their own (An, and
 * cohort_new by tenure): they churn by the same law, drawn apart from the
 * others', so that revenue_new is theirs; once lost they join the others
 * (a won-back customer counts as existing). */
static void customers(work *w, uint64_t trial)
{
    const fc_model *m = w->m;
    const fc_customers *cu = &m->customers;
    const fc_winback *wb = &m->winback;
    const fc_layout *lay = &w->lay;
    const int T = w->T, K = w->K, CE = w->CE;
    double *rec = w->rec;
    double *ser = rec + lay->series;
    fc_pcg32 rc, rw;
    fc_rng_stream(&rc, m->seed, trial, cu->churned_key);
    fc_rng_stream(&rw, m->seed, trial, wb->won_back_key);

    uint64_t A = (uint64_t)cu->initial, L = (uint64_t)cu->lost, An = 0;
    w->cohort[0] = A; /* and cohort[t + 1] in period t, before it is read */
    w->cohort_new[0] = 0;
    double growth_factor = 1.0, grow0 = 1.0;
    if (cu->expands) { /* tenure j pays (1 + expansion)^j; the initial customers are at initial_tenure + t + 1 */
        const double x = pval(w, &cu->expansion, 0);
        for (int j = 0; j <= T; j++)
            w->xpow[j] = fc_pow_pos(1.0 + x, (double)j);
        grow0 = fc_pow_pos(1.0 + x, (double)cu->initial_tenure);
    }
    /* churn and win-back rates prepared while they stay the same */
    fc_binom_p bc, bw;
    double bc_rate = -1, bw_rate = -1;
    for (int t = 0; t < T; t++) {
        uint64_t newc = 0;
        for (int c = 0; c < CE; c++)
            newc += w->n[((size_t)(K - 1) * (size_t)CE + (size_t)c) * (size_t)T + (size_t)t];
        uint64_t churned = 0;
        if (cu->churn_kind == FC_CHURN_RATE) {
            double pr = pval(w, &cu->churn, t);
            if (pr != bc_rate) {
                fc_binom_p_init(&bc, pr);
                bc_rate = pr;
            }
        }
        const int seen = t < m->obs.periods; /* an observed period (by_tenure is refused then) */
        if (seen && m->obs.churned[t] >= 0) {
            /* the file's churned, of whom the customers acquired in the
             * horizon lose their share (a binomial: they churn alike) */
            churned = (uint64_t)m->obs.churned[t] < A ? (uint64_t)m->obs.churned[t] : A;
            uint64_t lost_new = A > 0 ? fc_rbinom(&rc, churned, (double)An / (double)A) : 0;
            An -= lost_new < An ? lost_new : An;
        } else if (cu->churn_kind == FC_CHURN_RATE && !cu->by_tenure) {
            churned = churn_group(&rc, &bc, bc_rate, A, &An);
        } else if (cu->churn_kind != FC_CHURN_NONE) {
            double a = 0, b = 0;
            if (cu->churn_kind == FC_CHURN_SBG) {
                a = pval(w, &cu->sbg_alpha, t);
                b = pval(w, &cu->sbg_beta, t);
            }
            /* cohort s (s = 0: the initial customers) is in period k of its
             * tenure, churning (sbg) with probability a / (a + b + k - 1) */
            An = 0;
            for (int s = 0; s <= t; s++) {
                if (w->cohort[s] == 0)
                    continue;
                const int sbg = cu->churn_kind == FC_CHURN_SBG;
                double k = s == 0 ? (double)cu->initial_tenure + t + 1 : (double)(t + 1 - s);
                uint64_t x = churn_group(&rc, sbg ? NULL : &bc, sbg ? a / (a + b + k - 1) : bc_rate,
                                         w->cohort[s], &w->cohort_new[s]);
                w->cohort[s] -= x;
                An += w->cohort_new[s];
                churned += x;
            }
        }
        uint64_t won = 0;
        if (wb->enabled) {
            double pr = pval(w, &wb->rate, t);
            if (pr != bw_rate) {
                fc_binom_p_init(&bw, pr);
                bw_rate = pr;
            }
            won = fc_rbinom_p(&rw, &bw, L);
        }
        if (seen && m->obs.won_back[t] >= 0)
            won = (uint64_t)m->obs.won_back[t] < L ? (uint64_t)m->obs.won_back[t] : L;
        w->wcost[t] = wb->enabled ? pval(w, &wb->cost, t) * (double)L : 0;
        ser[FC_S_WINBACK_RATE * T + t] = L > 0 ? (double)won / (double)L : NAN;
        A = A - churned + won + newc;
        L = L + churned - won;
        An += newc;
        if (seen && m->obs.active[t] >= 0) /* the file's stocks where it gives them */
            A = (uint64_t)m->obs.active[t];
        if (seen && m->obs.lost[t] >= 0)
            L = (uint64_t)m->obs.lost[t];
        if (An > A)
            An = A;
        w->cohort[t + 1] = won + newc;
        w->cohort_new[t + 1] = newc;

        if (t > 0)
            growth_factor *= 1.0 + pval(w, &cu->growth, t);
        const double arpu = pval(w, &cu->arpu, t), margin = pval(w, &cu->margin, t);
        double paying = (double)A, paying_new = (double)An;
        if (cu->expands) {
            paying = (double)w->cohort[0] * grow0 * w->xpow[t + 1];
            paying_new = 0;
            for (int s = 1; s <= t + 1; s++) {
                paying += (double)w->cohort[s] * w->xpow[t + 1 - s];
                paying_new += (double)w->cohort_new[s] * w->xpow[t + 1 - s];
            }
        }
        double revenue = paying * arpu * growth_factor;
        if (seen && m->obs.revenue[t] >= 0)
            revenue = m->obs.revenue[t];
        w->gm[t] = revenue * margin;
        w->rev_new[t] = paying_new * arpu * growth_factor;
        w->gm_new[t] = w->rev_new[t] * margin;
        w->fcost[t] = funnel_cost(w, t);
        ser[FC_S_NEW_CUSTOMERS * T + t] = (double)newc;
        ser[FC_S_CHURNED * T + t] = (double)churned;
        ser[FC_S_WON_BACK * T + t] = (double)won;
        ser[FC_S_ACTIVE * T + t] = (double)A;
        ser[FC_S_LOST * T + t] = (double)L;
        ser[FC_S_REVENUE * T + t] = revenue;
        ser[FC_S_SPEND * T + t] = w->spend_t[t];
    }
}

/* Each stage's cost per unit in each period, for the figures. */
static void unit_costs(work *w)
{
    const int T = w->T;
    for (int k = 0; k < w->K; k++) {
        const fc_stage *st = &w->m->stages[k];
        double *u = w->unit + (size_t)k * (size_t)T;
        for (int t = 0; t < T; t++)
            u[t] = st->has_cost ? pval(w, &st->cost, t) : 0.0;
    }
}

static int run_trial(work *w, uint64_t trial, char *err, size_t errlen)
{
    const fc_model *m = w->m;
    const fc_layout *lay = &w->lay;
    const int T = w->T, K = w->K, CE = w->CE;
    if (draw_params(w, trial, err, errlen) != 0 || channel_means(w, trial, err, errlen) != 0)
        return -1;
    if (w->marginal) {
        marginal_trial(w, trial);
        return 0;
    }
    memset(w->n, 0, (size_t)K * (size_t)CE * (size_t)T * sizeof *w->n);
    memset(w->pipe, 0, (size_t)K * sizeof *w->pipe);
    memset(w->pipe_on, 0, (size_t)K);
    if (w->any_cost)
        unit_costs(w);
    if (w->flows) {
        flow_paths(w, trial);
        if (w->CE == 1 && w->by_channel)
            split_by_channel(w, trial);
    } else {
        channel_arrivals(w, trial);
        funnel(w, trial);
    }
    if (w->money)
        customers(w, trial);
    else
        new_customers_only(w);

    double *rec = w->rec;
    for (int k = 0; k < K; k++)
        for (int t = 0; t < T; t++) {
            uint64_t x = 0;
            for (int c = 0; c < CE; c++)
                x += w->n[((size_t)k * (size_t)CE + (size_t)c) * (size_t)T + (size_t)t];
            rec[lay->stage_series + k * T + t] = (double)x;
        }
    fc_trial_view *v = &w->view;
    v->ltv = w->money ? ltv_of(w) : NAN;
    v->value0 = pval(w, &m->customers.arpu, 0) * pval(w, &m->customers.margin, 0);
    fc_sums all;
    fc_sums_window(v, 0, T, &all);
    for (int i = 0; i < FC_M_COUNT; i++)
        rec[lay->metrics + i] = fc_total_of(v, i, &all);
    fc_stage_figures(v, 0, T, all.spend, rec + lay->stage_total, rec + lay->stage_cost, rec + lay->conversion);
    for (int k = 1; k < K; k++)
        rec[lay->pipeline + k - 1] = w->pipe[k];
    for (int c = 0; c < w->C; c++) {
        double *f = rec + lay->channel + c * FC_C_COUNT;
        f[FC_C_VISITORS] = (double)w->visitors[c];
        f[FC_C_SPEND] = w->chan_spend[c];
        if (m->track_channels) { /* counts by channel (w->CE = C): the window of the horizon */
            fc_figure fig = {FC_F_CHANNEL, c, FC_C_CUSTOMERS};
            f[FC_C_CUSTOMERS] = fc_figure_window(v, &fig, 0, T, &all);
            fig.fig = FC_C_CAC;
            f[FC_C_CAC] = fc_figure_window(v, &fig, 0, T, &all);
        } else {
            f[FC_C_CUSTOMERS] = NAN;
            f[FC_C_CAC] = NAN;
        }
    }
    for (int g = 0; g < m->ngoals; g++)
        rec[lay->goal + g] = fc_goal_figure(v, &m->goals[g], &all);
    fc_accum_add_drivers(&w->acc, m, w->raw, rec + lay->goal);
    return 0;
}

typedef struct shared {
    fc_run_set *set;
    const fc_run_opts *opts;
    /* job j runs block offset + j * stride, for j < njobs; trials < upto */
    uint64_t offset, stride, njobs, upto;
    atomic_uint_fast64_t next_job;
    atomic_uint_fast64_t done;
    atomic_int failed;       /* an error or a stop: other threads finish their block and leave */
    pthread_mutex_t lock;
    uint64_t err_trial;      /* lowest failing trial, under lock */
    int err_model;           /* its model */
    int status;
    char err[512];
} shared;

static void fail(shared *sh, uint64_t trial, int model, int status, const char *msg)
{
    pthread_mutex_lock(&sh->lock);
    if (sh->status == 0 || trial < sh->err_trial ||
        (trial == sh->err_trial && model < sh->err_model)) {
        sh->status = status;
        sh->err_trial = trial;
        sh->err_model = model;
        snprintf(sh->err, sizeof sh->err, "%s", msg);
    }
    pthread_mutex_unlock(&sh->lock);
    atomic_store(&sh->failed, 1);
    for (int j = 0; j < sh->set->n; j++) {
        fc_summary_abort(sh->set->sums[j]);
        if (j > 0 && sh->set->diffs[j])
            fc_summary_abort(sh->set->diffs[j]);
    }
}

/* One thread's scratch space for the differences of one pair. */
typedef struct pair_work {
    double *rec;     /* [nslots] the current trial's difference record */
    double *cols;    /* [nslots][FC_CHUNK] */
    fc_moments *mom; /* [2][nslots] */
    fc_accum acc;
} pair_work;

static void pair_work_free(pair_work *pw)
{
    free(pw->rec);
    free(pw->cols);
    free(pw->mom);
    fc_accum_free(&pw->acc);
    memset(pw, 0, sizeof *pw);
}

static int pair_work_init(pair_work *pw, const fc_pairing *p, const fc_summary *d)
{
    memset(pw, 0, sizeof *pw);
    size_t n = (size_t)p->shape.nslots;
    pw->rec = calloc(n + 1, sizeof *pw->rec);
    pw->cols = calloc((size_t)FC_CHUNK * n + 1, sizeof *pw->cols);
    pw->mom = calloc(2 * n + 1, sizeof *pw->mom);
    if (!pw->rec || !pw->cols || !pw->mom || fc_summary_thread_accum(d, &pw->acc) != 0) {
        pair_work_free(pw);
        return -1;
    }
    return 0;
}

/* A chunk's records (cols, nslots of them by slot) into summary s: their
 * moments into the block's, their counts into the thread's. */
static int chunk_done(fc_summary *s, fc_accum *acc, const double *cols, int nslots, size_t n,
                      fc_moments *block, fc_moments *chunk)
{
    fc_block_moments_cols(nslots, cols, FC_CHUNK, n, chunk);
    for (int slot = 0; slot < nslots; slot++)
        fc_moments_merge(&block[slot], &chunk[slot]);
    return fc_summary_add_counts(s, acc, cols, FC_CHUNK, n);
}

typedef struct thread_ctx {
    shared *sh;
    work w[FC_MAX_COMPARED];      /* one per model */
    pair_work pw[FC_MAX_COMPARED]; /* [1, n): one per pair */
    int ready;                    /* models whose w (and pw) were made */
} thread_ctx;

static void thread_free(thread_ctx *t)
{
    for (int j = 0; j < t->ready; j++) {
        work_free(&t->w[j]);
        pair_work_free(&t->pw[j]);
    }
    t->ready = 0;
}

/* Runs block b chunk by chunk: each chunk's trials (trial i of every model,
 * then the differences of trial i), then the chunk's records into this
 * thread's counts and their moments into the block's; at the end the
 * block's moments into each summary's ordered fold. The stop flag is read
 * before every trial: a stopped run ends within one trial (its summaries are
 * then incomplete, so the block need not be). */
static int run_block(shared *sh, thread_ctx *t, uint64_t b)
{
    fc_run_set *set = sh->set;
    const int n = set->n;
    uint64_t lo = b * FC_BLOCK, hi = lo + FC_BLOCK < sh->upto ? lo + FC_BLOCK : sh->upto;
    const volatile sig_atomic_t *stop = sh->opts ? sh->opts->stop : NULL;
    char err[512];
    for (int j = 0; j < n; j++) {
        memset(t->w[j].mom, 0, (size_t)t->w[j].lay.nslots * sizeof *t->w[j].mom);
        if (j > 0 && set->pairs[j])
            memset(t->pw[j].mom, 0, (size_t)set->pairs[j]->shape.nslots * sizeof *t->pw[j].mom);
    }
    for (uint64_t c0 = lo; c0 < hi; c0 += FC_CHUNK) {
        uint64_t c1 = c0 + FC_CHUNK < hi ? c0 + FC_CHUNK : hi;
        for (uint64_t i = c0; i < c1; i++) {
            if (stop && *stop) {
                fail(sh, UINT64_MAX, 0, -2, "interrupted");
                return -1;
            }
            for (int j = 0; j < n; j++) {
                work *w = &t->w[j];
                fc_summary *s = set->sums[j];
                const int nslots = s->shape.nslots;
                if (run_trial(w, i, err, sizeof err) != 0) {
                    fail(sh, i, j, -1, err);
                    return -1;
                }
                /* by slot, so that the summary reads each figure's values in a row */
                for (int slot = 0; slot < nslots; slot++)
                    w->cols[(size_t)slot * FC_CHUNK + (i - c0)] = w->rec[fc_shape_slot(&s->shape, slot)];
                if (s->values && i < s->values_capacity)
                    for (int slot = 0; slot < nslots; slot++)
                        s->values[(size_t)slot * s->values_capacity + i] = w->rec[fc_shape_slot(&s->shape, slot)];
            }
            for (int j = 1; j < n; j++) {
                if (set->pairs[j] == NULL)
                    continue;
                pair_work *pw = &t->pw[j];
                const size_t nslots = (size_t)set->pairs[j]->shape.nslots;
                fc_pairing_diff(set->pairs[j], t->w[0].rec, t->w[j].rec, pw->rec, pw->acc.tally);
                for (size_t slot = 0; slot < nslots; slot++)
                    pw->cols[slot * FC_CHUNK + (i - c0)] = pw->rec[slot];
            }
        }
        /* as fc_block_moments does it over the whole block */
        size_t len = (size_t)(c1 - c0);
        for (int j = 0; j < n; j++) {
            work *w = &t->w[j];
            int st = chunk_done(set->sums[j], &w->acc, w->cols, set->sums[j]->shape.nslots, len, w->mom,
                                w->mom + w->lay.nslots);
            if (st == 0 && j > 0 && set->pairs[j]) {
                pair_work *pw = &t->pw[j];
                int ns = set->pairs[j]->shape.nslots;
                st = chunk_done(set->diffs[j], &pw->acc, pw->cols, ns, len, pw->mom, pw->mom + ns);
            }
            if (st != 0) {
                fail(sh, lo, j, -1, "out of memory");
                return -1;
            }
        }
    }
    for (int j = 0; j < n; j++) {
        fc_summary_fold(set->sums[j], b, hi - lo, t->w[j].mom);
        if (j > 0 && set->pairs[j])
            fc_summary_fold(set->diffs[j], b, hi - lo, t->pw[j].mom);
    }
    uint64_t done = atomic_fetch_add(&sh->done, hi - lo) + (hi - lo);
    if (sh->opts && sh->opts->progress && b % 16 == 0)
        sh->opts->progress(sh->opts->progress_ctx, done, sh->njobs * FC_BLOCK);
    return 0;
}

static void *worker(void *arg)
{
    thread_ctx *t = arg;
    shared *sh = t->sh;
    fc_run_set *set = sh->set;
    for (int j = 0; j < set->n; j++) {
        if (work_init(&t->w[j], set->models[j], set->sums[j]) != 0) {
            fail(sh, 0, j, -1, "out of memory");
            return NULL;
        }
        if (j > 0 && (work_share(&t->w[j], &t->w[0]) != 0 ||
                      (set->pairs[j] && pair_work_init(&t->pw[j], set->pairs[j], set->diffs[j]) != 0))) {
            work_free(&t->w[j]);
            fail(sh, 0, j, -1, "out of memory");
            return NULL;
        }
        t->ready = j + 1;
    }
    for (;;) {
        /* Checked before taking a block, never after: a block once taken is
         * always run, so every trial below a failing one runs and the lowest
         * failing trial is the one reported, whatever the thread timing. */
        if (atomic_load(&sh->failed))
            break;
        if (sh->opts && sh->opts->stop && *sh->opts->stop) {
            fail(sh, UINT64_MAX, 0, -2, "interrupted");
            break;
        }
        uint64_t j = atomic_fetch_add(&sh->next_job, 1);
        if (j >= sh->njobs || run_block(sh, t, sh->offset + j * sh->stride) != 0)
            break;
    }
    return NULL;
}

int fc_engine_draws(const fc_model *m, uint64_t trial, double *out, char *err, size_t errlen)
{
    work w;
    memset(&w, 0, sizeof w);
    w.m = m;
    w.T = m->periods;
    w.pv = out;
    w.raw = calloc((size_t)m->nparams + 1, sizeof *w.raw);
    w.cop_z = calloc(2 * (size_t)m->ncop + 1, sizeof *w.cop_z);
    if (w.raw == NULL || w.cop_z == NULL) {
        free(w.raw);
        free(w.cop_z);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    w.cop_y = w.cop_z + m->ncop;
    int st = draw_params(&w, trial, err, errlen);
    free(w.raw);
    free(w.cop_z);
    return st;
}

size_t fc_engine_thread_bytes(void)
{
    return sizeof(thread_ctx);
}

int fc_cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > FC_MAX_THREADS ? FC_MAX_THREADS : (int)n;
}

int fc_engine_run(const fc_model *m, fc_summary *s, uint64_t upto, const fc_run_opts *opts,
                  char *err, size_t errlen)
{
    fc_run_set set;
    memset(&set, 0, sizeof set);
    set.n = 1;
    set.models[0] = m;
    set.sums[0] = s;
    return fc_engine_run_set(&set, upto, opts, err, errlen);
}

/* Moves a thread's counts into a summary; 0 or -1 (memory). */
static int absorb(shared *sh, fc_summary *s, fc_accum *a)
{
    if (sh->status == 0 && fc_summary_absorb(s, a) != 0) {
        sh->status = -1;
        snprintf(sh->err, sizeof sh->err, "out of memory");
    }
    return sh->status;
}

int fc_engine_run_set(fc_run_set *set, uint64_t upto, const fc_run_opts *opts, char *err, size_t errlen)
{
    fc_summary *s = set->sums[0];
    set->failed = -1;
    if (set->n < 1 || set->n > FC_MAX_COMPARED) {
        snprintf(err, errlen, "a paired run takes 1 to %d scenarios", FC_MAX_COMPARED);
        return -1;
    }
    shared sh;
    memset(&sh, 0, sizeof sh);
    sh.set = set;
    sh.opts = opts;
    sh.upto = upto;
    uint64_t nblocks = (upto + FC_BLOCK - 1) / FC_BLOCK;
    if (s->kept != NULL) {
        /* a shard runs the blocks k, k + n, k + 2n, ... of the whole run */
        sh.offset = s->shard_k;
        sh.stride = s->shard_n;
        sh.njobs = nblocks > s->shard_k ? (nblocks - s->shard_k + s->shard_n - 1) / s->shard_n : 0;
    } else {
        if (s->ntrials != s->next_block * FC_BLOCK && upto > s->ntrials) {
            snprintf(err, errlen, "a run can only continue after whole blocks of %d trials", FC_BLOCK);
            return -1;
        }
        sh.offset = s->next_block;
        sh.stride = 1;
        sh.njobs = nblocks > s->next_block ? nblocks - s->next_block : 0;
    }
    atomic_init(&sh.next_job, 0);
    atomic_init(&sh.done, 0);
    atomic_init(&sh.failed, 0);
    pthread_mutex_init(&sh.lock, NULL);
    int nthreads = opts && opts->threads > 0 ? opts->threads : fc_cpu_count();
    if ((uint64_t)nthreads > sh.njobs)
        nthreads = sh.njobs > 0 ? (int)sh.njobs : 1;
    if (nthreads > FC_MAX_THREADS)
        nthreads = FC_MAX_THREADS;
    thread_ctx *ctx = calloc((size_t)nthreads, sizeof *ctx);
    pthread_t *tids = calloc((size_t)nthreads, sizeof *tids);
    if (ctx == NULL || tids == NULL) {
        free(ctx);
        free(tids);
        pthread_mutex_destroy(&sh.lock);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int started = 1;
    ctx[0].sh = &sh;
    for (int i = 1; i < nthreads; i++) {
        ctx[i].sh = &sh;
        if (pthread_create(&tids[i], NULL, worker, &ctx[i]) != 0)
            break; /* fewer threads: the same result, later */
        started++;
    }
    worker(&ctx[0]);
    for (int i = 1; i < started; i++)
        pthread_join(tids[i], NULL);
    /* the counts of every thread, into the summaries (addition: any order),
     * each thread's emptied as they move, so that the histograms are not held
     * twice over at the peak */
    for (int i = 0; i < started; i++) {
        for (int j = 0; j < ctx[i].ready; j++) {
            absorb(&sh, set->sums[j], &ctx[i].w[j].acc);
            if (j > 0 && set->pairs[j])
                absorb(&sh, set->diffs[j], &ctx[i].pw[j].acc);
        }
        thread_free(&ctx[i]);
    }
    free(ctx);
    free(tids);
    pthread_mutex_destroy(&sh.lock);
    if (sh.status != 0) {
        snprintf(err, errlen, "%s", sh.err);
        set->failed = sh.err_model;
        return sh.status;
    }
    if (opts && opts->progress)
        opts->progress(opts->progress_ctx, upto, upto);
    return 0;
}
