/* model_build: C-built models for the tests (see model_build.h). Defaults
 * follow core/lua_model.c, so a model built here means what the same
 * scenario written in Lua would mean. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/model_build.h"

void mb_dist(fc_param *p, const char *path, fc_domain d, fc_dist_kind kind,
             double a, double b, double c)
{
    memset(p, 0, sizeof *p);
    fc_param_init(p, path, d);
    p->dist.kind = kind;
    p->dist.p[0] = a;
    p->dist.p[1] = b;
    p->dist.p[2] = c;
}

void mb_fixed(fc_param *p, const char *path, fc_domain d, double x)
{
    mb_dist(p, path, d, FC_DIST_FIXED, x, 0, 0);
}

static double *lag_one(int nlags)
{
    double *q = calloc((size_t)nlags, sizeof *q);
    assert_non_null(q);
    return q;
}

void mb_stage(fc_model *m, int k, const char *name, double rate)
{
    fc_stage *st = &m->stages[k];
    char path[FC_PATH_MAX + 1];
    snprintf(st->name, sizeof st->name, "%s", name);
    snprintf(path, sizeof path, "funnel.%s.rate", name);
    mb_fixed(&st->rate, path, FC_DOMAIN_PROBABILITY, rate);
    if (st->has_cost) {
        snprintf(path, sizeof path, "funnel.%s.cost", name);
        double cost = st->cost.dist.p[0];
        mb_fixed(&st->cost, path, FC_DOMAIN_NONNEG, cost);
    }
}

fc_model *mb_new(int periods, int nchannels, int nstages, int ngoals)
{
    fc_model *m = fc_model_new(periods, nchannels, nstages, ngoals);
    assert_non_null(m);
    snprintf(m->name, sizeof m->name, "test");
    snprintf(m->unit, sizeof m->unit, "month");
    m->seed = 1;
    m->trials = 1000;
    for (int k = 0; k < nstages; k++) {
        char name[16];
        snprintf(name, sizeof name, "s%d", k);
        mb_stage(m, k, name, 1.0);
        m->stages[k].nlags = 1;
        m->stages[k].lag_prob = lag_one(1);
        m->stages[k].lag_prob[0] = 1;
    }
    for (int c = 0; c < nchannels; c++) {
        fc_channel *ch = &m->channels[c];
        snprintf(ch->name, sizeof ch->name, "c%d", c);
        for (int t = 0; t < periods; t++)
            ch->season[t] = 1;
        ch->response = FC_RESPONSE_NONE;
    }
    mb_money(m, 1, 0, 1);
    m->customers.churn_kind = FC_CHURN_NONE;
    for (int g = 0; g < ngoals; g++) {
        snprintf(m->goals[g].name, sizeof m->goals[g].name, "goal %d", g + 1);
        m->goals[g].by = periods;
        m->goals[g].confidence = 0.8;
    }
    return m;
}

void mb_lags(fc_model *m, int k, int nlags, const double *q)
{
    fc_stage *st = &m->stages[k];
    free(st->lag_prob);
    st->lag_prob = lag_one(nlags);
    memcpy(st->lag_prob, q, (size_t)nlags * sizeof *q);
    st->nlags = nlags;
}

void mb_delay(fc_model *m, int k, int d)
{
    fc_stage *st = &m->stages[k];
    free(st->lag_prob);
    st->lag_prob = lag_one(d + 1);
    st->lag_prob[d] = 1;
    st->nlags = d + 1;
}

void mb_rate_by_channel(fc_model *m, int k, const double *rates)
{
    fc_stage *st = &m->stages[k];
    free(st->rate_by_channel);
    st->rate_by_channel = calloc((size_t)m->nchannels + 1, sizeof *st->rate_by_channel);
    assert_non_null(st->rate_by_channel);
    for (int c = 0; c < m->nchannels; c++) {
        char path[FC_PATH_MAX + 1];
        snprintf(path, sizeof path, "funnel.%s.rate.%s", st->name, m->channels[c].name);
        mb_fixed(&st->rate_by_channel[c], path, FC_DOMAIN_PROBABILITY, rates[c]);
    }
}

void mb_stage_cost(fc_model *m, int k, double cost)
{
    fc_stage *st = &m->stages[k];
    char path[FC_PATH_MAX + 1];
    snprintf(path, sizeof path, "funnel.%s.cost", st->name);
    st->has_cost = 1;
    mb_fixed(&st->cost, path, FC_DOMAIN_NONNEG, cost);
}

static void set_channel(fc_model *m, int c, const char *name, double spend)
{
    fc_channel *ch = &m->channels[c];
    snprintf(ch->name, sizeof ch->name, "%s", name);
    for (int t = 0; t < m->periods; t++)
        ch->spend[t] = spend;
}

void mb_cpc(fc_model *m, int c, const char *name, double spend, double cpc)
{
    char path[FC_PATH_MAX + 1];
    set_channel(m, c, name, spend);
    m->channels[c].response = FC_RESPONSE_COST;
    snprintf(path, sizeof path, "channels.%s.cpc", name);
    mb_fixed(&m->channels[c].cost, path, FC_DOMAIN_POSITIVE, cpc);
}

void mb_hill(fc_model *m, int c, const char *name, double spend, double max,
             double half, double shape)
{
    char path[FC_PATH_MAX + 1];
    fc_channel *ch = &m->channels[c];
    set_channel(m, c, name, spend);
    ch->response = FC_RESPONSE_HILL;
    snprintf(path, sizeof path, "channels.%s.response.max", name);
    mb_fixed(&ch->hill_max, path, FC_DOMAIN_NONNEG, max);
    snprintf(path, sizeof path, "channels.%s.response.half", name);
    mb_fixed(&ch->hill_half, path, FC_DOMAIN_POSITIVE, half);
    snprintf(path, sizeof path, "channels.%s.response.shape", name);
    mb_fixed(&ch->hill_shape, path, FC_DOMAIN_POSITIVE, shape);
}

void mb_adstock(fc_model *m, int c, double theta)
{
    char path[FC_PATH_MAX + 1];
    snprintf(path, sizeof path, "channels.%s.adstock", m->channels[c].name);
    m->channels[c].has_adstock = 1;
    mb_fixed(&m->channels[c].adstock, path, FC_DOMAIN_FRACTION, theta);
}

void mb_organic(fc_model *m, int c, double organic)
{
    char path[FC_PATH_MAX + 1];
    snprintf(path, sizeof path, "channels.%s.organic", m->channels[c].name);
    m->channels[c].has_organic = 1;
    mb_fixed(&m->channels[c].organic, path, FC_DOMAIN_NONNEG, organic);
}

void mb_customers(fc_model *m, int64_t initial, int64_t lost)
{
    m->customers.initial = initial;
    m->customers.lost = lost;
}

void mb_churn(fc_model *m, double churn)
{
    m->customers.churn_kind = FC_CHURN_RATE;
    mb_fixed(&m->customers.churn, "customers.churn", FC_DOMAIN_PROBABILITY, churn);
}

void mb_sbg(fc_model *m, double alpha, double beta)
{
    m->customers.churn_kind = FC_CHURN_SBG;
    mb_fixed(&m->customers.sbg_alpha, "customers.churn.alpha", FC_DOMAIN_POSITIVE, alpha);
    mb_fixed(&m->customers.sbg_beta, "customers.churn.beta", FC_DOMAIN_POSITIVE, beta);
}

void mb_money(fc_model *m, double arpu, double growth, double margin)
{
    mb_fixed(&m->customers.arpu, "customers.arpu", FC_DOMAIN_NONNEG, arpu);
    mb_fixed(&m->customers.growth, "customers.growth", FC_DOMAIN_REAL, growth);
    mb_fixed(&m->customers.margin, "customers.margin", FC_DOMAIN_PROBABILITY, margin);
}

void mb_winback(fc_model *m, double rate, double cost)
{
    m->winback.enabled = 1;
    mb_fixed(&m->winback.rate, "winback.rate", FC_DOMAIN_PROBABILITY, rate);
    mb_fixed(&m->winback.cost, "winback.cost", FC_DOMAIN_NONNEG, cost);
}

void mb_goal(fc_model *m, int g, const char *metric, fc_goal_op op,
             double target, int by)
{
    fc_goal *goal = &m->goals[g];
    snprintf(goal->metric, sizeof goal->metric, "%s", metric);
    goal->op = op;
    goal->target = target;
    goal->from = 1;
    goal->by = by;
    goal->every = 0;
}

void mb_finish(fc_model *m)
{
    char err[256] = "";
    if (fc_model_finish(m, err, sizeof err) != 0) {
        print_error("fc_model_finish: %s\n", err);
        fail();
    }
}

fc_summary *mb_run_upto(const fc_model *m, fc_summary *s, uint64_t upto, int threads)
{
    fc_run_opts opts = {threads, NULL, NULL, NULL};
    char err[512] = "";
    if (fc_engine_run(m, s, upto, &opts, err, sizeof err) != 0) {
        fc_summary_free(s);
        print_error("fc_engine_run: %s\n", err);
        fail();
    }
    return s;
}

fc_summary *mb_run_range(const fc_model *m, uint64_t from, uint64_t n, int threads)
{
    /* trials are numbered from 0 in every run: the records of [from, from + n)
     * are those of a run of from + n trials (kept whole, for the tests) */
    fc_summary *s = fc_summary_new(m, 16);
    assert_non_null(s);
    assert_int_equal(fc_summary_keep_values(s, from + n), 0);
    fc_run_opts opts = {threads, NULL, NULL, NULL};
    char err[512] = "";
    if (fc_engine_run(m, s, from + n, &opts, err, sizeof err) != 0) {
        fc_summary_free(s);
        print_error("fc_engine_run: %s\n", err);
        fail();
    }
    assert_int_equal(fc_summary_finish(s), 0);
    return s;
}

fc_summary *mb_run(const fc_model *m, uint64_t n)
{
    return mb_run_range(m, 0, n, 0);
}

const double *mb_slot(const fc_summary *s, int slot)
{
    return s->values + (size_t)slot * s->values_capacity;
}

int mb_metric_slot(const fc_summary *s, int metric)
{
    return s->layout.metrics + metric;
}

int mb_series_slot(const fc_summary *s, int series, int t)
{
    return s->layout.series + series * s->model->periods + t;
}

int mb_stage_series_slot(const fc_summary *s, int k, int t)
{
    return s->layout.stage_series + k * s->model->periods + t;
}

int mb_channel_slot(const fc_summary *s, int c, int fig)
{
    return s->layout.channel + c * FC_C_COUNT + fig;
}

const double *mb_metric(const fc_summary *s, int metric)
{
    return mb_slot(s, mb_metric_slot(s, metric));
}

const double *mb_series(const fc_summary *s, int series, int t)
{
    return mb_slot(s, mb_series_slot(s, series, t));
}

const double *mb_stage_series(const fc_summary *s, int k, int t)
{
    return mb_slot(s, mb_stage_series_slot(s, k, t));
}
