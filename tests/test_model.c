/* Tests of core/model (and the metric names of core/metrics it resolves goals
 * with): fc_model_finish rejects what the engine could not run (a goal on an
 * unknown metric, a goal period out of range, invalid distributions, periods
 * or entry stages out of range) with a message naming the field; it indexes
 * exactly the parameters the model uses, each once; and every random stream
 * of a model gets its own key, so no two processes share draws.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "model.h"
#include "rng.h"
#include "support/model_build.h"
#include "support/stat_check.h"

/* fc_model_finish must fail with a message containing `want`. */
static void expect_reject(fc_model *m, const char *want)
{
    char err[256] = "";
    assert_int_equal(fc_model_finish(m, err, sizeof err), -1);
    if (strstr(err, want) == NULL) {
        print_error("message \"%s\" does not contain \"%s\"\n", err, want);
        fail();
    }
}

static void test_goal_checks(void **state)
{
    (void)state;
    fc_model *m = mb_new(6, 1, 3, 1);
    mb_cpc(m, 0, "search", 100, 1);
    mb_stage(m, 0, "visitor", 1);
    mb_stage(m, 1, "lead", 0.1);
    mb_stage(m, 2, "customer", 0.2);

    mb_goal(m, 0, "new_customer", FC_GOAL_AT_LEAST, 10, 6);
    expect_reject(m, "goals[1].metric");
    expect_reject(m, "new_customer");
    mb_goal(m, 0, "", FC_GOAL_AT_LEAST, 10, 6);
    expect_reject(m, "unknown metric");

    mb_goal(m, 0, "new_customers", FC_GOAL_AT_LEAST, 10, 0);
    expect_reject(m, "goals[1].by");
    mb_goal(m, 0, "new_customers", FC_GOAL_AT_LEAST, 10, 7);
    expect_reject(m, "goals[1].by");
    mb_goal(m, 0, "new_customers", FC_GOAL_AT_LEAST, 10, -1);
    expect_reject(m, "goals[1].by");

    /* the ends of the range, every total metric and every stage name resolve */
    for (int by = 1; by <= 6; by += 5) {
        for (int i = 0; i < FC_M_COUNT; i++) {
            mb_goal(m, 0, fc_metric_name(i), FC_GOAL_AT_MOST, 1, by);
            mb_finish(m);
            assert_int_equal(m->goals[0].fig.kind, FC_F_TOTAL);
            assert_int_equal(m->goals[0].fig.index, i);
        }
        for (int k = 0; k < 3; k++) {
            mb_goal(m, 0, m->stages[k].name, FC_GOAL_AT_LEAST, 1, by);
            mb_finish(m);
            assert_int_equal(m->goals[0].fig.kind, FC_F_STAGE);
            assert_int_equal(m->goals[0].fig.index, k);
        }
    }

    /* the prefixed forms resolve to their stage or channel and figure */
    static const struct {
        const char *metric;
        int kind, index, fig;
    } forms[] = {
        {"stage_costs.visitor", FC_F_STAGE_COST, 0, 0}, {"stage_costs.customer", FC_F_STAGE_COST, 2, 0},
        {"conversion.lead", FC_F_CONVERSION, 1, 0},     {"pipeline.customer", FC_F_PIPELINE, 2, 0},
        {"channels.search.cac", FC_F_CHANNEL, 0, FC_C_CAC}, {"channels.search.visitors", FC_F_CHANNEL, 0, FC_C_VISITORS},
    };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        mb_goal(m, 0, forms[i].metric, FC_GOAL_AT_LEAST, 1, 6);
        mb_finish(m);
        assert_int_equal(m->goals[0].fig.kind, forms[i].kind);
        assert_int_equal(m->goals[0].fig.index, forms[i].index);
        assert_int_equal(m->goals[0].fig.fig, forms[i].fig);
    }
    /* a goal on a channel's customers keeps the counts by channel */
    assert_true(m->track_channels);
    mb_goal(m, 0, "conversion.visitor", FC_GOAL_AT_LEAST, 1, 6);
    expect_reject(m, "the first stage has no stage before it");
    mb_goal(m, 0, "stage_costs.nothing", FC_GOAL_AT_LEAST, 1, 6);
    expect_reject(m, "unknown stage 'nothing'");
    mb_goal(m, 0, "channels.events.cac", FC_GOAL_AT_LEAST, 1, 6);
    expect_reject(m, "unknown channel");
    mb_goal(m, 0, "channels.search.leads", FC_GOAL_AT_LEAST, 1, 6);
    expect_reject(m, "expected a channel figure");
    /* windows: from in [1, by]; a pipeline takes none */
    mb_goal(m, 0, "lead", FC_GOAL_AT_LEAST, 1, 4);
    m->goals[0].from = 5;
    expect_reject(m, "goals[1].from");
    m->goals[0].from = 4;
    mb_finish(m);
    mb_goal(m, 0, "pipeline.lead", FC_GOAL_AT_LEAST, 1, 5);
    expect_reject(m, "it takes no from, by or every");
    mb_goal(m, 0, "pipeline.lead", FC_GOAL_AT_LEAST, 1, 6);
    m->goals[0].every = 1;
    expect_reject(m, "it takes no from, by or every");
    fc_model_free(m);
}

static void test_other_checks(void **state)
{
    (void)state;
    fc_model *m = mb_new(4, 1, 2, 0);
    mb_cpc(m, 0, "search", 100, 1);
    mb_stage(m, 1, "lead", 0.1);
    mb_finish(m);

    mb_dist(&m->stages[1].rate, "funnel.lead.rate", FC_DOMAIN_PROBABILITY, FC_DIST_BETA, -1, 2, 0);
    expect_reject(m, "funnel.lead.rate");
    mb_stage(m, 1, "lead", 0.1);

    m->channels[0].enters = 2;
    expect_reject(m, "channels.search.enters");
    m->channels[0].enters = -1;
    expect_reject(m, "channels.search.enters");
    m->channels[0].enters = 1;
    mb_finish(m);

    m->periods = 0;
    expect_reject(m, "periods");
    m->periods = FC_MAX_PERIODS + 1;
    expect_reject(m, "periods");
    m->periods = 4;
    mb_finish(m);
    fc_model_free(m);
}

/* Is p one of the model's indexed parameters? */
static int listed(const fc_model *m, const fc_param *p)
{
    for (int i = 0; i < m->nparams; i++)
        if (m->params[i] == p)
            return 1;
    return 0;
}

/* The index lists each used parameter exactly once (params[p->index] == p),
 * and nothing else: not the first stage's rate, not a stage's shared rate
 * when it has per-channel rates, not the parameters of a response, churn or
 * win-back the model does not have. */
static void test_param_indices(void **state)
{
    (void)state;
    fc_model *m = mb_new(5, 2, 3, 0);
    mb_cpc(m, 0, "search", 100, 2);
    mb_adstock(m, 0, 0.3);
    mb_hill(m, 1, "tv", 100, 50, 80, 1.2);
    mb_organic(m, 1, 4);
    /* fields of other responses set but unused: must not be listed */
    mb_fixed(&m->channels[0].hill_max, "channels.search.response.max", FC_DOMAIN_NONNEG, 1);
    mb_fixed(&m->channels[1].cost, "channels.tv.cpc", FC_DOMAIN_POSITIVE, 1);
    mb_stage(m, 0, "visitor", 1);
    mb_stage_cost(m, 0, 0.1);
    mb_stage(m, 1, "lead", 0.1);
    mb_stage(m, 2, "customer", 0.2);
    const double by[2] = {0.2, 0.3};
    mb_rate_by_channel(m, 2, by);
    mb_sbg(m, 2, 5);
    mb_fixed(&m->customers.churn, "customers.churn", FC_DOMAIN_PROBABILITY, 0.1);
    mb_fixed(&m->winback.rate, "winback.rate", FC_DOMAIN_PROBABILITY, 0.1);
    mb_finish(m);

    fc_channel *c0 = &m->channels[0], *c1 = &m->channels[1];
    fc_customers *cu = &m->customers;
    const fc_param *used[] = {
        &c0->cost, &c0->adstock, &c1->hill_max, &c1->hill_half, &c1->hill_shape, &c1->organic,
        &m->stages[0].cost, &m->stages[1].rate, &m->stages[2].rate_by_channel[0],
        &m->stages[2].rate_by_channel[1], &cu->sbg_alpha, &cu->sbg_beta, &cu->arpu,
        &cu->growth, &cu->margin,
    };
    const fc_param *unused[] = {
        &c0->hill_max, &c1->cost, &c0->organic, &c1->adstock, &m->stages[0].rate,
        &m->stages[2].rate, &m->stages[1].cost, &cu->churn, &m->winback.rate, &m->winback.cost,
    };
    const int nused = (int)(sizeof used / sizeof *used);
    assert_int_equal(m->nparams, nused);
    for (int i = 0; i < m->nparams; i++) {
        assert_non_null(m->params[i]);
        assert_int_equal(m->params[i]->index, i);
    }
    for (int i = 0; i < nused; i++) {
        assert_in_range(used[i]->index, 0, m->nparams - 1);
        assert_ptr_equal(m->params[used[i]->index], used[i]);
    }
    for (size_t i = 0; i < sizeof unused / sizeof *unused; i++)
        assert_false(listed(m, unused[i]));
    assert_true(m->track_channels);

    /* enabling win-back adds its two parameters; finishing again re-indexes */
    mb_winback(m, 0.1, 2);
    mb_finish(m);
    assert_int_equal(m->nparams, nused + 2);
    assert_ptr_equal(m->params[m->winback.rate.index], &m->winback.rate);
    assert_ptr_equal(m->params[m->winback.cost.index], &m->winback.cost);
    for (int i = 0; i < m->nparams; i++)
        assert_int_equal(m->params[i]->index, i);
    fc_model_free(m);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Every stream of a model has its own key: the parameters', the stages'
 * conversions, the channels' arrivals and the two customer processes the
 * engine names ("customers.churned", "winback.won_back"). A key is the key
 * of its path, the same for the same path. */
static void test_keys(void **state)
{
    (void)state;
    fc_model *m = mb_new(5, 3, 4, 0);
    mb_cpc(m, 0, "search", 100, 2);
    mb_cpc(m, 1, "social", 100, 2);
    mb_hill(m, 2, "events", 100, 50, 80, 1.2);
    mb_adstock(m, 2, 0.5);
    mb_stage(m, 0, "visitor", 1);
    mb_stage(m, 1, "lead", 0.1);
    mb_stage(m, 2, "mql", 0.2);
    mb_stage(m, 3, "customer", 0.2);
    const double by[3] = {0.1, 0.2, 0.3};
    mb_rate_by_channel(m, 1, by);
    for (int k = 0; k < 4; k++)
        mb_stage_cost(m, k, 1);
    mb_churn(m, 0.05);
    mb_winback(m, 0.1, 1);
    mb_finish(m);

    uint64_t keys[64];
    int n = 0;
    for (int i = 0; i < m->nparams; i++) {
        assert_true(m->params[i]->key == fc_rng_key(m->params[i]->path));
        keys[n++] = m->params[i]->key;
    }
    for (int k = 0; k < m->nstages; k++)
        keys[n++] = m->stages[k].key;
    for (int c = 0; c < m->nchannels; c++)
        keys[n++] = m->channels[c].arrivals_key;
    keys[n++] = fc_rng_key("customers.churned");
    keys[n++] = fc_rng_key("winback.won_back");
    qsort(keys, (size_t)n, sizeof *keys, cmp_u64);
    for (int i = 1; i < n; i++)
        assert_true(keys[i] != keys[i - 1]);

    /* a stage's key follows its name, a channel's its name */
    uint64_t lead = m->stages[1].key, search = m->channels[0].arrivals_key;
    mb_finish(m);
    assert_true(m->stages[1].key == lead && m->channels[0].arrivals_key == search);
    snprintf(m->stages[1].name, sizeof m->stages[1].name, "lead2");
    snprintf(m->channels[0].name, sizeof m->channels[0].name, "search2");
    mb_finish(m);
    assert_true(m->stages[1].key != lead && m->channels[0].arrivals_key != search);

    fc_param a, b, c;
    fc_param_init(&a, "funnel.lead.rate", FC_DOMAIN_PROBABILITY);
    fc_param_init(&b, "funnel.mql.rate", FC_DOMAIN_PROBABILITY);
    fc_param_init(&c, "funnel.lead.rate", FC_DOMAIN_REAL);
    assert_true(a.key != b.key);
    assert_true(a.key == c.key);
    assert_string_equal(a.path, "funnel.lead.rate");
    assert_int_equal(a.domain, FC_DOMAIN_PROBABILITY);
    fc_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_goal_checks),
        cmocka_unit_test(test_other_checks),
        cmocka_unit_test(test_param_indices),
        cmocka_unit_test(test_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
