/* lua_results: summaries as Lua tables (see lua_results.h). */
#include "lua_results.h"

#include <math.h>
#include <stdlib.h>

#include <lauxlib.h>

static const char *const qnames[FC_NQUANTILES] = {"p5", "p10", "p25", "p50", "p75", "p90", "p95"};

static void setnum(lua_State *L, const char *k, double x)
{
    lua_pushnumber(L, x);
    lua_setfield(L, -2, k);
}

/* Goal g's probability in the low, middle and high third of one driver. */
typedef struct driver_row {
    int i;
    double p[3], swing;
} driver_row;

static int by_swing(const void *a, const void *b)
{
    const driver_row *x = a, *y = b;
    /* an unknown swing (a third without trials) last */
    double sx = isnan(x->swing) ? -1 : fabs(x->swing), sy = isnan(y->swing) ? -1 : fabs(y->swing);
    if (sx != sy)
        return sx > sy ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

/* Pushes goal g's drivers: for every assumption drawn once per trial, the
 * goal's probability when the draw falls in the low, middle or high third of
 * its law (NaN for a third without trials), the swing from low to high and
 * its standard error; the largest swings first (ties in the model's order). */
static void push_drivers(lua_State *L, const fc_summary *s, int g)
{
    const fc_model *m = s->model;
    const fc_accum *a = &s->acc;
    const int D = m->ndrivers, G = m->ngoals;
    /* a userdata, so that a memory error in what follows frees it */
    driver_row *row = lua_newuserdatauv(L, sizeof *row * (size_t)(D + 1), 0);
    for (int i = 0; i < D; i++) {
        row[i].i = i;
        for (int b = 0; b < 3; b++) {
            uint64_t n = a->driver_n[3 * i + b];
            uint64_t met = a->driver_met[(size_t)(3 * i + b) * (size_t)G + (size_t)g];
            row[i].p[b] = n ? (double)met / (double)n : NAN;
        }
        row[i].swing = row[i].p[2] - row[i].p[0];
    }
    qsort(row, (size_t)D, sizeof *row, by_swing);
    lua_createtable(L, D, 0);
    for (int r = 0; r < D; r++) {
        const int i = row[r].i;
        const uint64_t *n = a->driver_n + 3 * i;
        lua_createtable(L, 0, 8);
        lua_pushstring(L, m->drivers[i]->path);
        lua_setfield(L, -2, "assumption");
        setnum(L, "low", row[r].p[0]);
        setnum(L, "middle", row[r].p[1]);
        setnum(L, "high", row[r].p[2]);
        setnum(L, "swing", row[r].swing);
        double p0 = row[r].p[0], p2 = row[r].p[2];
        setnum(L, "se", sqrt(p0 * (1 - p0) / (double)n[0] + p2 * (1 - p2) / (double)n[2]));
        lua_createtable(L, 2, 0);
        for (int k = 0; k < 2; k++) {
            lua_pushnumber(L, m->driver_cut[2 * i + k]);
            lua_rawseti(L, -2, k + 1);
        }
        lua_setfield(L, -2, "cuts");
        lua_createtable(L, 3, 0);
        for (int b = 0; b < 3; b++) {
            lua_pushinteger(L, (lua_Integer)n[b]);
            lua_rawseti(L, -2, b + 1);
        }
        lua_setfield(L, -2, "trials");
        lua_rawseti(L, -2, r + 1);
    }
    lua_remove(L, -2); /* the rows */
}

static void push_stat(lua_State *L, const fc_stat *st, int is_count)
{
    lua_createtable(L, 0, 14);
    setnum(L, "mean", st->mean);
    setnum(L, "sd", st->sd);
    setnum(L, "min", st->min);
    setnum(L, "max", st->max);
    for (int i = 0; i < FC_NQUANTILES; i++)
        setnum(L, qnames[i], st->q[i]);
    lua_pushinteger(L, (lua_Integer)st->n);
    lua_setfield(L, -2, "n");
    lua_pushinteger(L, (lua_Integer)st->infinite);
    lua_setfield(L, -2, "infinite");
    lua_pushboolean(L, is_count);
    lua_setfield(L, -2, "count");
}

void fc_lua_push_results(lua_State *L, const fc_summary *s)
{
    const fc_model *m = s->model;
    const fc_layout *lay = &s->layout;
    const fc_stat *st = s->stats;
    lua_createtable(L, 0, 10);
    lua_pushstring(L, m->name);
    lua_setfield(L, -2, "scenario");
    lua_pushinteger(L, (lua_Integer)s->ntrials);
    lua_setfield(L, -2, "trials");
    lua_pushinteger(L, (lua_Integer)m->seed);
    lua_setfield(L, -2, "seed");
    lua_pushinteger(L, m->periods);
    lua_setfield(L, -2, "periods");
    lua_pushstring(L, m->unit);
    lua_setfield(L, -2, "unit");
    if (m->start[0]) {
        lua_pushstring(L, m->start);
        lua_setfield(L, -2, "start");
    }

    lua_createtable(L, FC_M_COUNT, 0);
    for (int i = 0; i < FC_M_COUNT; i++) {
        lua_createtable(L, 0, 2);
        lua_pushstring(L, fc_metric_name(i));
        lua_setfield(L, -2, "name");
        push_stat(L, &st[lay->metrics + i], fc_metric_is_count(i));
        lua_setfield(L, -2, "stat");
        lua_rawseti(L, -2, i + 1);
    }
    lua_setfield(L, -2, "metrics");

    lua_createtable(L, m->nstages, 0);
    for (int k = 0; k < m->nstages; k++) {
        lua_createtable(L, 0, 3);
        lua_pushstring(L, m->stages[k].name);
        lua_setfield(L, -2, "name");
        push_stat(L, &st[lay->stage_total + k], 1);
        lua_setfield(L, -2, "total");
        push_stat(L, &st[lay->stage_cost + k], 0);
        lua_setfield(L, -2, "cost");
        lua_rawseti(L, -2, k + 1);
    }
    lua_setfield(L, -2, "stages");

    /* per stage after the first: the achieved conversion from the stage
     * before, and the pipeline (units bound for it after the last period) */
    const int pblock[2] = {lay->conversion, lay->pipeline};
    const char *const pname[2] = {"conversion", "pipeline"};
    for (int b = 0; b < 2; b++) {
        lua_createtable(L, m->nstages - 1, 0);
        for (int k = 1; k < m->nstages; k++) {
            lua_createtable(L, 0, 2);
            lua_pushstring(L, m->stages[k].name);
            lua_setfield(L, -2, "name");
            push_stat(L, &st[pblock[b] + k - 1], b == 1);
            lua_setfield(L, -2, "stat");
            lua_rawseti(L, -2, k);
        }
        lua_setfield(L, -2, pname[b]);
    }

    lua_createtable(L, m->nchannels, 0);
    for (int c = 0; c < m->nchannels; c++) {
        lua_createtable(L, 0, 5);
        lua_pushstring(L, m->channels[c].name);
        lua_setfield(L, -2, "name");
        for (int f = 0; f < FC_C_COUNT; f++) {
            if (!m->track_channels && (f == FC_C_CUSTOMERS || f == FC_C_CAC))
                continue;
            push_stat(L, &st[lay->channel + c * FC_C_COUNT + f], f == FC_C_VISITORS || f == FC_C_CUSTOMERS);
            lua_setfield(L, -2, fc_chan_fig_name(f));
        }
        lua_rawseti(L, -2, c + 1);
    }
    lua_setfield(L, -2, "channels");

    const int T = m->periods;
    lua_createtable(L, m->nstages + FC_S_COUNT, 0);
    int at = 1;
    for (int i = 0; i < m->nstages + FC_S_COUNT; i++) {
        int stage = i < m->nstages;
        const char *name = stage ? m->stages[i].name : fc_series_name(i - m->nstages);
        int base = stage ? lay->stage_series + i * T : lay->series + (i - m->nstages) * T;
        int is_count = stage || fc_series_is_count(i - m->nstages);
        lua_createtable(L, 0, 2);
        lua_pushstring(L, name);
        lua_setfield(L, -2, "name");
        lua_createtable(L, T, 0);
        for (int t = 0; t < T; t++) {
            push_stat(L, &st[base + t], is_count);
            lua_rawseti(L, -2, t + 1);
        }
        lua_setfield(L, -2, "periods");
        lua_rawseti(L, -2, at++);
    }
    lua_setfield(L, -2, "series");

    lua_createtable(L, m->ngoals, 0);
    for (int g = 0; g < m->ngoals; g++) {
        const fc_goal *goal = &m->goals[g];
        lua_createtable(L, 0, 10);
        lua_pushstring(L, goal->name);
        lua_setfield(L, -2, "name");
        lua_pushstring(L, goal->metric);
        lua_setfield(L, -2, "metric");
        lua_pushstring(L, goal->op == FC_GOAL_AT_LEAST ? ">=" : "<=");
        lua_setfield(L, -2, "op");
        setnum(L, "target", goal->target);
        lua_pushinteger(L, goal->by);
        lua_setfield(L, -2, "by");
        lua_pushinteger(L, goal->from);
        lua_setfield(L, -2, "from");
        lua_pushboolean(L, goal->every);
        lua_setfield(L, -2, "every");
        setnum(L, "probability", s->goal_prob[g]);
        setnum(L, "confidence", goal->confidence);
        lua_pushboolean(L, s->goal_prob[g] >= goal->confidence);
        lua_setfield(L, -2, "on_track");
        push_stat(L, &st[lay->goal + g], fc_figure_is_count(&goal->fig));
        lua_setfield(L, -2, "value");
        push_drivers(L, s, g);
        lua_setfield(L, -2, "drivers");
        lua_rawseti(L, -2, g + 1);
    }
    lua_setfield(L, -2, "goals");
}

/* The change of a figure from the base's summary a to the alternative's b:
 * { mean = the difference of the means, p50 = the difference of the
 * medians, infinite = the more trials without a finite value of the two }. */
static void push_change(lua_State *L, const fc_stat *a, const fc_stat *b)
{
    lua_createtable(L, 0, 3);
    setnum(L, "mean", b->mean - a->mean);
    setnum(L, "p50", b->q[3] - a->q[3]);
    lua_pushinteger(L, (lua_Integer)(a->infinite > b->infinite ? a->infinite : b->infinite));
    lua_setfield(L, -2, "infinite");
}

void fc_lua_push_differences(lua_State *L, const fc_pairing *p, const fc_summary *diff, const fc_summary *base,
                             const fc_summary *alt)
{
    const fc_model *mb = p->base, *ma = p->alt;
    const fc_stat *st = diff->stats;
    const double n = (double)diff->ntrials;
    lua_createtable(L, 0, 8);
    lua_pushstring(L, ma->name);
    lua_setfield(L, -2, "scenario");
    lua_pushstring(L, mb->name);
    lua_setfield(L, -2, "against");
    lua_pushinteger(L, (lua_Integer)diff->ntrials);
    lua_setfield(L, -2, "trials");

    lua_createtable(L, FC_M_COUNT, 0);
    for (int i = 0; i < FC_M_COUNT; i++) {
        lua_createtable(L, 0, 5);
        lua_pushstring(L, fc_metric_name(i));
        lua_setfield(L, -2, "name");
        push_stat(L, &st[i], fc_metric_is_count(i));
        lua_setfield(L, -2, "stat");
        setnum(L, "better", n > 0 ? (double)diff->acc.tally[FC_TALLY_BETTER(i)] / n : NAN);
        setnum(L, "ties", n > 0 ? (double)diff->acc.tally[FC_TALLY_TIES(i)] / n : NAN);
        lua_pushstring(L, fc_metric_higher_is_better(i) ? "higher" : "lower");
        lua_setfield(L, -2, "direction");
        lua_rawseti(L, -2, i + 1);
    }
    lua_setfield(L, -2, "metrics");

    lua_createtable(L, p->ngoals, 0);
    for (int g = 0; g < p->ngoals; g++) {
        int gb = p->goal[2 * g], ga = p->goal[2 * g + 1];
        lua_createtable(L, 0, 5);
        lua_pushstring(L, ma->goals[ga].name);
        lua_setfield(L, -2, "name");
        setnum(L, "probability", alt->goal_prob[ga]);
        setnum(L, "against", base->goal_prob[gb]);
        setnum(L, "difference", alt->goal_prob[ga] - base->goal_prob[gb]);
        setnum(L, "se", fc_pairing_goal_se(&st[p->nvalues + g]));
        lua_rawseti(L, -2, g + 1);
    }
    lua_setfield(L, -2, "goals");

    const fc_layout *lb = &base->layout, *la = &alt->layout;
    const fc_stat *sb = base->stats, *sa = alt->stats;
    lua_createtable(L, p->nstages, 0);
    for (int j = 0; j < p->nstages; j++) {
        const int kb = p->stage[2 * j], ka = p->stage[2 * j + 1];
        lua_createtable(L, 0, 3);
        lua_pushstring(L, mb->stages[kb].name);
        lua_setfield(L, -2, "name");
        push_change(L, &sb[lb->stage_total + kb], &sa[la->stage_total + ka]);
        lua_setfield(L, -2, "total");
        push_change(L, &sb[lb->stage_cost + kb], &sa[la->stage_cost + ka]);
        lua_setfield(L, -2, "cost");
        lua_rawseti(L, -2, j + 1);
    }
    lua_setfield(L, -2, "stages");

    const int tracked = mb->track_channels && ma->track_channels;
    lua_createtable(L, p->nchannels, 0);
    for (int j = 0; j < p->nchannels; j++) {
        lua_createtable(L, 0, 5);
        lua_pushstring(L, mb->channels[p->channel[2 * j]].name);
        lua_setfield(L, -2, "name");
        for (int f = 0; f < FC_C_COUNT; f++) {
            if (!tracked && (f == FC_C_CUSTOMERS || f == FC_C_CAC))
                continue;
            push_change(L, &sb[lb->channel + p->channel[2 * j] * FC_C_COUNT + f],
                        &sa[la->channel + p->channel[2 * j + 1] * FC_C_COUNT + f]);
            lua_setfield(L, -2, fc_chan_fig_name(f));
        }
        lua_rawseti(L, -2, j + 1);
    }
    lua_setfield(L, -2, "channels");
}

void fc_lua_push_lean(lua_State *L, const fc_summary *s, const int *metrics, int nmetrics)
{
    lua_createtable(L, 0, 3);
    lua_pushinteger(L, (lua_Integer)s->ntrials);
    lua_setfield(L, -2, "trials");
    lua_createtable(L, 0, nmetrics);
    for (int i = 0; i < nmetrics; i++) {
        push_stat(L, &s->stats[i], fc_metric_is_count(metrics[i]));
        lua_setfield(L, -2, fc_metric_name(metrics[i]));
    }
    lua_setfield(L, -2, "metrics");
    lua_createtable(L, s->shape.ngoals, 0);
    for (int g = 0; g < s->shape.ngoals; g++) {
        lua_createtable(L, 0, 3);
        lua_pushstring(L, s->shape.goals[g].name);
        lua_setfield(L, -2, "name");
        setnum(L, "probability", s->goal_prob[g]);
        lua_pushinteger(L, (lua_Integer)s->acc.goal_met[g]);
        lua_setfield(L, -2, "met");
        push_stat(L, &s->stats[s->shape.goal0 + g], fc_figure_is_count(&s->shape.goals[g].fig));
        lua_setfield(L, -2, "value");
        lua_rawseti(L, -2, g + 1);
    }
    lua_setfield(L, -2, "goals");
}
