/* Tests of paired runs (core/engine.h fc_engine_run_set, core/paired.h):
 * scenarios run trial by trial together on common random numbers.
 *  - an exact copy gives a zero difference in every trial, every metric tied;
 *  - a copy that only tracks channels gives zero differences in every total;
 *  - each scenario's own summary is the one it gives alone, byte for byte;
 *  - the variance of a paired difference is far below that of two
 *    independent runs (the reason to pair);
 *  - changing one channel's spend leaves every draw of every assumption
 *    identical, and the other channel's arrivals too when channels are
 *    counted apart (binomial funnel);
 *  - better, ties and the goal differences are the counts of the kept
 *    records, and an analytic case gives its exact value;
 *  - threads 1, 2 and 3 give the same bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "metrics.h"
#include "paired.h"
#include "summary.h"
#include "support/model_build.h"

/* A two-channel scenario with uncertain cpc, rates and churn, one goal on
 * new customers: `lags` > 1 spreads the last stage over two periods (the
 * stage-by-stage binomial funnel), else one lag (Poisson flows). */
static fc_model *scenario(double spend0, double spend1, int track, int lags)
{
    fc_model *m = mb_new(12, 2, 3, 1);
    mb_cpc(m, 0, "search", spend0, 1);
    mb_dist(&m->channels[0].cost, "channels.search.cpc", FC_DOMAIN_POSITIVE, FC_DIST_LOGNORMAL, log(2.0), 0.3, 0);
    mb_cpc(m, 1, "events", spend1, 1);
    mb_dist(&m->channels[1].cost, "channels.events.cpc", FC_DOMAIN_POSITIVE, FC_DIST_GAMMA, 4, 1, 0);
    mb_stage(m, 0, "visitor", 1);
    mb_stage(m, 1, "lead", 1);
    mb_dist(&m->stages[1].rate, "funnel.lead.rate", FC_DOMAIN_PROBABILITY, FC_DIST_BETA, 30, 970, 0);
    mb_stage(m, 2, "customer", 1);
    mb_dist(&m->stages[2].rate, "funnel.customer.rate", FC_DOMAIN_PROBABILITY, FC_DIST_BETA, 20, 80, 0);
    if (lags > 1) {
        const double q[2] = {0.6, 0.4};
        mb_lags(m, 2, 2, q);
    }
    mb_customers(m, 100, 0);
    mb_churn(m, 0.02);
    mb_dist(&m->customers.churn, "customers.churn", FC_DOMAIN_PROBABILITY, FC_DIST_BETA, 2, 98, 0);
    mb_money(m, 100, 0, 0.7);
    mb_goal(m, 0, "new_customers", FC_GOAL_AT_LEAST, 200, 12);
    snprintf(m->goals[0].name, sizeof m->goals[0].name, "200 customers");
    m->track_channels = track;
    mb_finish(m);
    return m;
}

/* A paired run of n models over `trials` trials on `threads` threads, every
 * record kept; owns its summaries and pairings. */
typedef struct paired {
    fc_run_set set;
    fc_pairing pair[FC_MAX_COMPARED];
} paired;

static void paired_run(paired *p, fc_model *const *m, int n, uint64_t trials, int threads)
{
    memset(p, 0, sizeof *p);
    p->set.n = n;
    for (int j = 0; j < n; j++) {
        p->set.models[j] = m[j];
        p->set.sums[j] = fc_summary_new(m[j], 16);
        assert_non_null(p->set.sums[j]);
        assert_int_equal(fc_summary_keep_values(p->set.sums[j], trials), 0);
        if (j == 0)
            continue;
        assert_int_equal(fc_pairing_make(&p->pair[j], m[0], m[j]), 0);
        p->set.pairs[j] = &p->pair[j];
        p->set.diffs[j] = fc_summary_new_shape(&p->pair[j].shape, 16);
        assert_non_null(p->set.diffs[j]);
    }
    fc_run_opts opts = {threads, NULL, NULL, NULL};
    char err[512] = "";
    int st = fc_engine_run_set(&p->set, trials, &opts, err, sizeof err);
    if (st != 0)
        print_error("fc_engine_run_set: %s\n", err);
    assert_int_equal(st, 0);
    for (int j = 0; j < n; j++) {
        assert_int_equal(fc_summary_finish(p->set.sums[j]), 0);
        if (j > 0)
            assert_int_equal(fc_summary_finish(p->set.diffs[j]), 0);
    }
}

static void paired_free(paired *p)
{
    for (int j = 0; j < p->set.n; j++) {
        fc_summary_free(p->set.sums[j]);
        fc_summary_free(p->set.diffs[j]);
        fc_pairing_free(&p->pair[j]);
    }
}

#define TRIALS 8000

static void test_exact_copy(void **state)
{
    (void)state;
    fc_model *m[2] = {scenario(10000, 5000, 0, 1), scenario(10000, 5000, 0, 1)};
    paired p;
    paired_run(&p, m, 2, TRIALS, 2);
    const fc_summary *a = p.set.sums[0], *b = p.set.sums[1], *d = p.set.diffs[1];
    assert_memory_equal(a->values, b->values, (size_t)a->layout.nslots * TRIALS * sizeof(double));
    for (int i = 0; i < d->shape.nslots; i++) {
        const fc_stat *st = &d->stats[i];
        /* a non-finite figure (no CAC without customers) is non-finite in both */
        if (st->n > 0) {
            assert_true(st->min == 0 && st->max == 0 && st->mean == 0 && st->sd == 0);
        }
        assert_int_equal(st->n + st->infinite, TRIALS);
    }
    for (int i = 0; i < FC_M_COUNT; i++) {
        assert_int_equal(d->acc.tally[FC_TALLY_TIES(i)], TRIALS);
        assert_int_equal(d->acc.tally[FC_TALLY_BETTER(i)], 0);
    }
    assert_int_equal(p.pair[1].ngoals, 1);
    assert_true(d->stats[p.pair[1].nvalues].max == 0 && d->stats[p.pair[1].nvalues].min == 0);
    paired_free(&p);
    fc_model_free(m[0]);
    fc_model_free(m[1]);
}

/* Tracking channels only changes what is reported: every total, every
 * stage and every goal the same in every trial, for both funnels. */
static void test_tracking_changes_no_total(void **state)
{
    (void)state;
    for (int lags = 1; lags <= 2; lags++) {
        fc_model *m[2] = {scenario(10000, 5000, 0, lags), scenario(10000, 5000, 1, lags)};
        paired p;
        paired_run(&p, m, 2, TRIALS, 2);
        const fc_summary *a = p.set.sums[0], *b = p.set.sums[1];
        const fc_layout *la = &a->layout;
        /* totals, stage totals and costs; then the series and goals */
        size_t head = (size_t)la->channel, tail = (size_t)(la->nslots - la->stage_series);
        for (size_t slot = 0; slot < head; slot++)
            assert_memory_equal(mb_slot(a, (int)slot), mb_slot(b, (int)slot), TRIALS * sizeof(double));
        for (size_t slot = 0; slot < tail; slot++)
            assert_memory_equal(mb_slot(a, la->stage_series + (int)slot), mb_slot(b, la->stage_series + (int)slot),
                                TRIALS * sizeof(double));
        /* the tracked one has customers by channel that add up */
        const double *c0 = mb_slot(b, mb_channel_slot(b, 0, FC_C_CUSTOMERS));
        const double *c1 = mb_slot(b, mb_channel_slot(b, 1, FC_C_CUSTOMERS));
        const double *all = mb_metric(b, FC_M_NEW_CUSTOMERS);
        for (int i = 0; i < TRIALS; i++)
            assert_true(c0[i] + c1[i] == all[i]);
        for (int i = 0; i < FC_M_COUNT; i++)
            assert_int_equal(p.set.diffs[1]->acc.tally[FC_TALLY_TIES(i)], TRIALS);
        paired_free(&p);
        fc_model_free(m[0]);
        fc_model_free(m[1]);
    }
}

/* A scenario's own summary in a comparison is the one it gives alone. */
static void test_own_summary_as_alone(void **state)
{
    (void)state;
    fc_model *m[3] = {scenario(10000, 5000, 0, 1), scenario(11000, 5000, 0, 1), scenario(10000, 4000, 1, 2)};
    paired p;
    paired_run(&p, m, 3, TRIALS, 2);
    for (int j = 0; j < 3; j++) {
        fc_summary *alone = mb_run_range(m[j], 0, TRIALS, 2);
        const fc_summary *s = p.set.sums[j];
        assert_memory_equal(alone->stats, s->stats, (size_t)s->layout.nslots * sizeof(fc_stat));
        assert_memory_equal(alone->goal_prob, s->goal_prob, (size_t)m[j]->ngoals * sizeof(double));
        assert_memory_equal(alone->acc.driver_n, s->acc.driver_n, 3 * (size_t)m[j]->ndrivers * sizeof(uint64_t));
        fc_summary_free(alone);
    }
    paired_free(&p);
    for (int j = 0; j < 3; j++)
        fc_model_free(m[j]);
}

/* 10% more search: the paired difference of new customers varies far less
 * than the difference of two independent runs (var A + var B). */
static void test_paired_variance(void **state)
{
    (void)state;
    fc_model *m[2] = {scenario(10000, 5000, 0, 1), scenario(11000, 5000, 0, 1)};
    paired p;
    paired_run(&p, m, 2, TRIALS, 2);
    const int slot = FC_M_NEW_CUSTOMERS;
    double va = pow(p.set.sums[0]->stats[slot].sd, 2), vb = pow(p.set.sums[1]->stats[slot].sd, 2);
    double vd = pow(p.set.diffs[1]->stats[slot].sd, 2);
    double ratio = vd / (va + vb);
    print_message("paired variance / independent variance (new_customers): %.4f\n", ratio);
    assert_true(ratio < 0.05);
    /* and the goal's difference: its se against an independent pair's */
    const fc_stat *g = &p.set.diffs[1]->stats[p.pair[1].nvalues];
    double pa = p.set.sums[0]->goal_prob[0], pb = p.set.sums[1]->goal_prob[0];
    double se_ind = sqrt((pa * (1 - pa) + pb * (1 - pb)) / TRIALS);
    print_message("goal se paired %.5f, independent %.5f\n", fc_pairing_goal_se(g), se_ind);
    assert_true(fc_pairing_goal_se(g) < 0.6 * se_ind);
    paired_free(&p);
    fc_model_free(m[0]);
    fc_model_free(m[1]);
}

/* Changing search's spend: every draw of every assumption identical (the
 * engine's own draws, trial by trial), and with channels counted apart
 * (the binomial funnel) events' arrivals identical in every trial. */
static void test_spend_change_leaves_the_rest(void **state)
{
    (void)state;
    fc_model *m[2] = {scenario(10000, 5000, 0, 2), scenario(14000, 5000, 0, 2)};
    const size_t n = (size_t)m[0]->nparams * (size_t)m[0]->periods;
    assert_int_equal(m[0]->nparams, m[1]->nparams);
    double *d0 = calloc(n, sizeof *d0), *d1 = calloc(n, sizeof *d1);
    assert_non_null(d0);
    assert_non_null(d1);
    char err[256];
    for (uint64_t trial = 0; trial < 2000; trial++) {
        assert_int_equal(fc_engine_draws(m[0], trial, d0, err, sizeof err), 0);
        assert_int_equal(fc_engine_draws(m[1], trial, d1, err, sizeof err), 0);
        for (int i = 0; i < m[0]->nparams; i++) {
            assert_string_equal(m[0]->params[i]->path, m[1]->params[i]->path);
            assert_true(d0[(size_t)i * (size_t)m[0]->periods] == d1[(size_t)i * (size_t)m[0]->periods]);
        }
    }
    free(d0);
    free(d1);
    paired p;
    paired_run(&p, m, 2, TRIALS, 2);
    const fc_summary *a = p.set.sums[0], *b = p.set.sums[1];
    int slot = mb_channel_slot(a, 1, FC_C_VISITORS);
    assert_memory_equal(mb_slot(a, slot), mb_slot(b, slot), TRIALS * sizeof(double));
    /* search's arrivals moved */
    slot = mb_channel_slot(a, 0, FC_C_VISITORS);
    assert_true(b->stats[slot].mean > a->stats[slot].mean);
    paired_free(&p);
    fc_model_free(m[0]);
    fc_model_free(m[1]);
}

/* better, ties and the goal's difference and se are what the kept records
 * give, trial by trial. */
static void test_counts_match_records(void **state)
{
    (void)state;
    fc_model *m[2] = {scenario(10000, 5000, 0, 1), scenario(10500, 4500, 0, 1)};
    paired p;
    paired_run(&p, m, 2, TRIALS, 1);
    const fc_summary *a = p.set.sums[0], *b = p.set.sums[1], *d = p.set.diffs[1];
    for (int i = 0; i < FC_M_COUNT; i++) {
        const double *x = mb_metric(a, i), *y = mb_metric(b, i);
        uint64_t better = 0, ties = 0;
        for (int t = 0; t < TRIALS; t++) {
            better += fc_metric_higher_is_better(i) ? y[t] > x[t] : y[t] < x[t];
            ties += y[t] == x[t] || (isnan(x[t]) && isnan(y[t]));
        }
        assert_int_equal(d->acc.tally[FC_TALLY_BETTER(i)], better);
        assert_int_equal(d->acc.tally[FC_TALLY_TIES(i)], ties);
    }
    /* a real difference is summarized from its floor level up; counts exactly */
    assert_false(d->acc.hist[FC_M_ROI].exact);
    assert_true(d->acc.hist[FC_M_ROI].level >= FC_DIFF_LEVEL);
    assert_true(d->acc.hist[FC_M_NEW_CUSTOMERS].exact);
    const double *ga = mb_slot(a, a->layout.goal), *gb = mb_slot(b, b->layout.goal);
    double sum = 0, sum2 = 0;
    for (int t = 0; t < TRIALS; t++) {
        double x = (double)(fc_goal_met(&m[1]->goals[0], gb[t]) - fc_goal_met(&m[0]->goals[0], ga[t]));
        sum += x;
        sum2 += x * x;
    }
    double mean = sum / TRIALS, var = (sum2 - TRIALS * mean * mean) / (TRIALS - 1);
    const fc_stat *g = &d->stats[p.pair[1].nvalues];
    assert_true(fabs(b->goal_prob[0] - a->goal_prob[0] - mean) < 1e-12);
    assert_true(fabs(g->mean - mean) < 1e-12);
    assert_true(fabs(fc_pairing_goal_se(g) - sqrt(var / TRIALS)) < 1e-12);
    paired_free(&p);
    fc_model_free(m[0]);
    fc_model_free(m[1]);
}

/* An exact case: the alternative starts with 10 more customers and nobody
 * churns, so its active customers at the end are 10 more in every trial
 * (better in all, tied in none), and a goal of at least T active customers
 * is met by the alternative and not the base exactly when the base ends
 * with T - 10 to T - 1: P = P(T - 10 <= 100 + N < T), N Poisson(12 * 30)
 * (fixed cpc 1, spend 30 a period, fixed rates 1). */
static void test_exact_values(void **state)
{
    (void)state;
    fc_model *m[2];
    for (int j = 0; j < 2; j++) {
        m[j] = mb_new(12, 1, 2, 1);
        mb_cpc(m[j], 0, "search", 30, 1);
        mb_stage(m[j], 0, "visitor", 1);
        mb_stage(m[j], 1, "customer", 1);
        mb_customers(m[j], 100 + 10 * j, 0);
        mb_goal(m[j], 0, "active_end", FC_GOAL_AT_LEAST, 460, 12);
        mb_finish(m[j]);
    }
    paired p;
    const uint64_t n = 20000;
    paired_run(&p, m, 2, n, 2);
    const fc_summary *d = p.set.diffs[1];
    const fc_stat *act = &d->stats[FC_M_ACTIVE_END];
    assert_true(act->min == 10 && act->max == 10 && act->sd == 0);
    assert_int_equal(d->acc.tally[FC_TALLY_BETTER(FC_M_ACTIVE_END)], n);
    assert_int_equal(d->acc.tally[FC_TALLY_TIES(FC_M_ACTIVE_END)], 0);
    assert_int_equal(d->acc.tally[FC_TALLY_TIES(FC_M_NEW_CUSTOMERS)], n);
    /* P(350 <= N < 360), N ~ Poisson(360) */
    double mu = 360, pk = exp(-mu), exact = 0;
    for (int k = 1; k < 360; k++) {
        pk *= mu / k;
        if (k >= 350)
            exact += pk;
    }
    const fc_stat *g = &d->stats[p.pair[1].nvalues];
    double se = sqrt(exact * (1 - exact) / (double)n);
    print_message("goal difference %.5f, exact %.5f (se %.5f)\n", g->mean, exact, se);
    assert_true(fabs(g->mean - exact) < 6 * se);
    assert_true(g->min == 0 && g->max == 1); /* never the base alone */
    paired_free(&p);
    fc_model_free(m[0]);
    fc_model_free(m[1]);
}

static void test_threads_same_bytes(void **state)
{
    (void)state;
    fc_model *m[3] = {scenario(10000, 5000, 0, 1), scenario(11000, 5000, 1, 1), scenario(10000, 4000, 0, 2)};
    paired ref;
    paired_run(&ref, m, 3, 9000, 1);
    for (int threads = 2; threads <= 3; threads++) {
        paired p;
        paired_run(&p, m, 3, 9000, threads);
        for (int j = 0; j < 3; j++) {
            const fc_summary *x = ref.set.sums[j], *y = p.set.sums[j];
            assert_memory_equal(x->stats, y->stats, (size_t)x->shape.nslots * sizeof(fc_stat));
            if (j == 0)
                continue;
            x = ref.set.diffs[j];
            y = p.set.diffs[j];
            assert_memory_equal(x->stats, y->stats, (size_t)x->shape.nslots * sizeof(fc_stat));
            assert_memory_equal(x->acc.tally, y->acc.tally, (size_t)x->shape.ntally * sizeof(uint64_t));
        }
        paired_free(&p);
    }
    paired_free(&ref);
    for (int j = 0; j < 3; j++)
        fc_model_free(m[j]);
}

/* Figures one scenario lacks are left out of the pairing, by name. */
static void test_pairing_by_name(void **state)
{
    (void)state;
    fc_model *a = scenario(10000, 5000, 0, 1);
    fc_model *b = mb_new(12, 1, 2, 0);
    mb_cpc(b, 0, "events", 100, 1);
    mb_stage(b, 0, "visitor", 1);
    mb_stage(b, 1, "customer", 0.5);
    mb_finish(b);
    fc_pairing p;
    assert_int_equal(fc_pairing_make(&p, a, b), 0);
    assert_int_equal(p.nstages, 2); /* visitor, customer */
    assert_int_equal(p.stage[2], 2);
    assert_int_equal(p.stage[3], 1);
    assert_int_equal(p.nchannels, 1);
    assert_int_equal(p.channel[0], 1);
    assert_int_equal(p.channel[1], 0);
    assert_int_equal(p.ngoals, 0);
    assert_int_equal(p.shape.nslots, FC_M_COUNT); /* the totals; no goal both have */
    fc_pairing_free(&p);
    fc_model_free(a);
    fc_model_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_copy),
        cmocka_unit_test(test_tracking_changes_no_total),
        cmocka_unit_test(test_own_summary_as_alone),
        cmocka_unit_test(test_paired_variance),
        cmocka_unit_test(test_spend_change_leaves_the_rest),
        cmocka_unit_test(test_counts_match_records),
        cmocka_unit_test(test_exact_values),
        cmocka_unit_test(test_threads_same_bytes),
        cmocka_unit_test(test_pairing_by_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
