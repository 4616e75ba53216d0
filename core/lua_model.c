/* lua_model: normalized scenario table -> fc_model. */
#include "lua_model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "lua_dist.h"

typedef struct ctx {
    lua_State *L;
    char *err;
    size_t errlen;
} ctx;

static int failf(ctx *c, const char *path, const char *what)
{
    snprintf(c->err, c->errlen, "%s: %s", path, what);
    return -1;
}

static int get_int(ctx *c, int idx, const char *field, const char *path, long long lo,
                   long long hi, long long dflt, long long *out)
{
    lua_State *L = c->L;
    lua_getfield(L, idx, field);
    if (lua_isnil(L, -1)) {
        *out = dflt;
    } else {
        int ok;
        lua_Integer v = lua_tointegerx(L, -1, &ok);
        if (!ok || v < lo || v > hi) {
            lua_pop(L, 1);
            char what[128];
            snprintf(what, sizeof what, "expected an integer in [%lld, %lld]", lo, hi);
            return failf(c, path, what);
        }
        *out = v;
    }
    lua_pop(L, 1);
    return 0;
}

static int get_num(ctx *c, int idx, const char *field, const char *path, double dflt, double *out)
{
    lua_State *L = c->L;
    lua_getfield(L, idx, field);
    int ok = 1;
    *out = lua_isnil(L, -1) ? dflt : lua_tonumberx(L, -1, &ok);
    lua_pop(L, 1);
    if (!ok || !isfinite(*out))
        return failf(c, path, "expected a finite number");
    return 0;
}

static int get_str(ctx *c, int idx, const char *field, const char *path, char *out, size_t outlen)
{
    lua_State *L = c->L;
    lua_getfield(L, idx, field);
    const char *s = lua_tostring(L, -1);
    if (s == NULL || strlen(s) >= outlen) {
        lua_pop(L, 1);
        return failf(c, path, "expected a short string");
    }
    snprintf(out, outlen, "%s", s);
    lua_pop(L, 1);
    return 0;
}

static fc_domain domain_of(const char *s)
{
    if (s == NULL) return FC_DOMAIN_REAL;
    if (strcmp(s, "nonneg") == 0) return FC_DOMAIN_NONNEG;
    if (strcmp(s, "positive") == 0) return FC_DOMAIN_POSITIVE;
    if (strcmp(s, "probability") == 0) return FC_DOMAIN_PROBABILITY;
    if (strcmp(s, "fraction") == 0) return FC_DOMAIN_FRACTION;
    return FC_DOMAIN_REAL;
}

/* Reads the parameter table at stack index t (path names it in messages). */
static int read_param(ctx *c, int t, const char *path, fc_param *p)
{
    lua_State *L = c->L;
    char derr[256];
    if (fc_lua_todist(L, t, &p->dist, derr, sizeof derr) != 0)
        return failf(c, path, derr);
    lua_getfield(L, t, "path");
    const char *ppath = lua_tostring(L, -1);
    lua_getfield(L, t, "domain");
    fc_domain dom = domain_of(lua_tostring(L, -1));
    fc_param_init(p, ppath ? ppath : path, dom);
    lua_getfield(L, t, "each");
    const char *each = lua_tostring(L, -1);
    p->per_period = each && strcmp(each, "period") == 0;
    lua_getfield(L, t, "clip");
    p->clip = lua_toboolean(L, -1);
    lua_pop(L, 4);
    return 0;
}

/* Reads the parameter in field `field` of the table at idx. With present ==
 * NULL the field is required; otherwise a missing field sets *present = 0. */
static int get_param(ctx *c, int idx, const char *field, const char *where, fc_param *p,
                     int *present)
{
    lua_State *L = c->L;
    char path[160];
    snprintf(path, sizeof path, "%s.%s", where, field);
    lua_getfield(L, idx, field);
    int missing = lua_isnil(L, -1);
    if (present)
        *present = !missing;
    int st = missing ? (present ? 0 : failf(c, path, "missing")) : read_param(c, lua_gettop(L), path, p);
    lua_pop(L, 1);
    return st;
}

/* Reads a list of exactly n numbers >= 0 from field `field`. */
static int get_list(ctx *c, int idx, const char *field, const char *path, int n, double *out)
{
    lua_State *L = c->L;
    lua_getfield(L, idx, field);
    if (!lua_istable(L, -1) || lua_rawlen(L, -1) != (lua_Unsigned)n) {
        lua_pop(L, 1);
        char what[96];
        snprintf(what, sizeof what, "expected a list of %d numbers", n);
        return failf(c, path, what);
    }
    for (int i = 0; i < n; i++) {
        lua_rawgeti(L, -1, i + 1);
        int ok;
        out[i] = lua_tonumberx(L, -1, &ok);
        lua_pop(L, 1);
        if (!ok || !(out[i] >= 0) || !isfinite(out[i])) {
            lua_pop(L, 1);
            return failf(c, path, "expected numbers >= 0");
        }
    }
    lua_pop(L, 1);
    return 0;
}

static int count_of(lua_State *L, int idx, const char *field)
{
    lua_getfield(L, idx, field);
    int n = lua_istable(L, -1) ? (int)lua_rawlen(L, -1) : 0;
    lua_pop(L, 1);
    return n;
}

static int compile_channel(ctx *c, fc_model *m, int idx, fc_channel *ch)
{
    char where[96];
    if (get_str(c, idx, "name", "channels[?].name", ch->name, sizeof ch->name))
        return -1;
    snprintf(where, sizeof where, "channels.%s", ch->name);
    char path[128];
    snprintf(path, sizeof path, "%s.spend", where);
    if (get_list(c, idx, "spend", path, m->periods, ch->spend))
        return -1;
    snprintf(path, sizeof path, "%s.season", where);
    if (get_list(c, idx, "season", path, m->periods, ch->season))
        return -1;
    char response[16];
    snprintf(path, sizeof path, "%s.response", where);
    if (get_str(c, idx, "response", path, response, sizeof response))
        return -1;
    if (strcmp(response, "cost") == 0) {
        ch->response = FC_RESPONSE_COST;
        if (get_param(c, idx, "cost", where, &ch->cost, NULL))
            return -1;
    } else if (strcmp(response, "hill") == 0) {
        ch->response = FC_RESPONSE_HILL;
        lua_getfield(c->L, idx, "hill");
        int h = lua_gettop(c->L);
        char hw[112];
        snprintf(hw, sizeof hw, "%s.response", where);
        int bad = !lua_istable(c->L, h) || get_param(c, h, "max", hw, &ch->hill_max, NULL) ||
                  get_param(c, h, "half", hw, &ch->hill_half, NULL) ||
                  get_param(c, h, "shape", hw, &ch->hill_shape, NULL);
        lua_settop(c->L, h - 1);
        if (bad)
            return c->err[0] ? -1 : failf(c, hw, "expected hill{max=, half=, shape=}");
    } else {
        ch->response = FC_RESPONSE_NONE;
    }
    if (get_param(c, idx, "adstock", where, &ch->adstock, &ch->has_adstock) ||
        get_param(c, idx, "organic", where, &ch->organic, &ch->has_organic))
        return -1;
    long long enters;
    snprintf(path, sizeof path, "%s.enters", where);
    if (get_int(c, idx, "enters", path, 1, m->nstages, 1, &enters))
        return -1;
    ch->enters = (int)enters - 1;
    return 0;
}

static int compile_stage(ctx *c, fc_model *m, int k, int idx, fc_stage *st)
{
    lua_State *L = c->L;
    char where[96], path[128];
    snprintf(path, sizeof path, "funnel[%d].name", k + 1);
    if (get_str(c, idx, "name", path, st->name, sizeof st->name))
        return -1;
    snprintf(where, sizeof where, "funnel[%d]", k + 1);
    if (get_param(c, idx, "cost", where, &st->cost, &st->has_cost))
        return -1;
    if (k == 0) {
        st->nlags = 1;
        st->lag_prob = calloc(1, sizeof *st->lag_prob);
        if (st->lag_prob == NULL)
            return failf(c, where, "out of memory");
        st->lag_prob[0] = 1;
        return 0;
    }
    lua_getfield(L, idx, "rate_by_channel");
    int by = lua_gettop(L);
    if (lua_istable(L, by)) {
        st->rate_by_channel = calloc((size_t)m->nchannels + 1, sizeof *st->rate_by_channel);
        if (st->rate_by_channel == NULL)
            return failf(c, where, "out of memory");
        snprintf(path, sizeof path, "%s.rate", where);
        for (int ci = 0; ci < m->nchannels; ci++) {
            lua_rawgeti(L, by, ci + 1);
            int bad = read_param(c, lua_gettop(L), path, &st->rate_by_channel[ci]);
            lua_pop(L, 1);
            if (bad)
                return -1;
        }
    } else if (get_param(c, idx, "rate", where, &st->rate, NULL)) {
        return -1;
    }
    lua_settop(L, by - 1);
    snprintf(path, sizeof path, "%s.delay", where);
    int nlags = count_of(L, idx, "lags");
    if (nlags < 1 || nlags > FC_MAX_LAGS)
        return failf(c, path, "expected a list of 1 to 600 lag probabilities");
    st->nlags = nlags;
    st->lag_prob = calloc((size_t)nlags, sizeof *st->lag_prob);
    if (st->lag_prob == NULL)
        return failf(c, path, "out of memory");
    lua_getfield(L, idx, "lags");
    double sum = 0;
    for (int j = 0; j < nlags; j++) {
        lua_rawgeti(L, -1, j + 1);
        st->lag_prob[j] = lua_tonumber(L, -1);
        lua_pop(L, 1);
        if (!(st->lag_prob[j] >= 0 && st->lag_prob[j] <= 1)) {
            lua_pop(L, 1);
            return failf(c, path, "expected lag probabilities in [0, 1]");
        }
        sum += st->lag_prob[j];
    }
    lua_pop(L, 1);
    if (fabs(sum - 1) > 1e-9)
        return failf(c, path, "expected lag probabilities summing to 1");
    return 0;
}

static int compile_customers(ctx *c, fc_model *m, int idx)
{
    fc_customers *cu = &m->customers;
    long long v;
    if (get_int(c, idx, "initial", "customers.initial", 0, INT64_MAX / 4, 0, &v))
        return -1;
    cu->initial = v;
    if (get_int(c, idx, "lost", "customers.lost", 0, INT64_MAX / 4, 0, &v))
        return -1;
    cu->lost = v;
    if (get_int(c, idx, "initial_tenure", "customers.initial_tenure", 0, 1000000, 0, &v))
        return -1;
    cu->initial_tenure = v;
    if (get_int(c, idx, "ltv_horizon", "customers.ltv_horizon", 0, 1000000, 0, &v))
        return -1;
    cu->ltv_horizon = (int)v;
    if (get_num(c, idx, "discount", "customers.discount", 0, &cu->discount))
        return -1;
    if (cu->discount < 0)
        return failf(c, "customers.discount", "expected a number >= 0");
    int has_churn;
    if (get_param(c, idx, "churn", "customers", &cu->churn, &has_churn))
        return -1;
    cu->churn_kind = has_churn ? FC_CHURN_RATE : FC_CHURN_NONE;
    lua_getfield(c->L, idx, "sbg");
    if (lua_istable(c->L, -1)) {
        int s = lua_gettop(c->L);
        if (get_param(c, s, "alpha", "customers.churn", &cu->sbg_alpha, NULL) ||
            get_param(c, s, "beta", "customers.churn", &cu->sbg_beta, NULL))
            return -1;
        cu->churn_kind = FC_CHURN_SBG;
    }
    lua_pop(c->L, 1);
    if (get_param(c, idx, "arpu", "customers", &cu->arpu, NULL) ||
        get_param(c, idx, "growth", "customers", &cu->growth, NULL) ||
        get_param(c, idx, "margin", "customers", &cu->margin, NULL))
        return -1;
    return 0;
}

static int compile_goal(ctx *c, int idx, int g, fc_goal *goal)
{
    char path[64];
    snprintf(path, sizeof path, "goals[%d]", g + 1);
    if (get_str(c, idx, "name", path, goal->name, sizeof goal->name) ||
        get_str(c, idx, "metric", path, goal->metric, sizeof goal->metric))
        return -1;
    char op[4];
    if (get_str(c, idx, "op", path, op, sizeof op))
        return -1;
    goal->op = strcmp(op, "<=") == 0 ? FC_GOAL_AT_MOST : FC_GOAL_AT_LEAST;
    long long by;
    if (get_num(c, idx, "target", path, 0, &goal->target) ||
        get_int(c, idx, "by", path, 1, FC_MAX_PERIODS, 1, &by) ||
        get_num(c, idx, "confidence", path, 0.8, &goal->confidence))
        return -1;
    goal->by = (int)by;
    return 0;
}

/* Runs f on every element of list field `field`; the element is on the stack top. */
static int each_elem(ctx *c, int idx, const char *field, int n,
                     int (*f)(ctx *, fc_model *, int, int, void *), fc_model *m, void *items,
                     size_t size)
{
    lua_State *L = c->L;
    lua_getfield(L, idx, field);
    int list = lua_gettop(L);
    for (int i = 0; i < n; i++) {
        lua_rawgeti(L, list, i + 1);
        int st = f(c, m, i, lua_gettop(L), (char *)items + (size_t)i * size);
        lua_settop(L, list);
        if (st)
            return -1;
    }
    lua_settop(L, list - 1);
    return 0;
}

static int do_channel(ctx *c, fc_model *m, int i, int idx, void *item)
{
    (void)i;
    return compile_channel(c, m, idx, item);
}

static int do_stage(ctx *c, fc_model *m, int i, int idx, void *item)
{
    return compile_stage(c, m, i, idx, item);
}

static int do_goal(ctx *c, fc_model *m, int i, int idx, void *item)
{
    (void)m;
    return compile_goal(c, idx, i, item);
}

/* correlations = { { a = path, b = path, rho = x }, ... }: read here, resolved
 * against the model's assumptions by fc_model_finish. */
static int compile_correlations(ctx *c, fc_model *m, int idx)
{
    lua_State *L = c->L;
    int n = count_of(L, idx, "correlations");
    if (n == 0)
        return 0;
    if (n > FC_MAX_CORRELATED * FC_MAX_CORRELATED || fc_model_set_correlations(m, n) != 0)
        return failf(c, "correlations", "too many pairs, or out of memory");
    lua_getfield(L, idx, "correlations");
    int list = lua_gettop(L);
    for (int i = 0; i < n; i++) {
        char path[48];
        snprintf(path, sizeof path, "correlations[%d]", i + 1);
        lua_rawgeti(L, list, i + 1);
        int t = lua_gettop(L);
        fc_corr *k = &m->corr[i];
        int bad = !lua_istable(L, t) || get_str(c, t, "a", path, k->a, sizeof k->a) ||
                  get_str(c, t, "b", path, k->b, sizeof k->b) || get_num(c, t, "rho", path, 0, &k->rho);
        lua_settop(L, list);
        if (bad || !(k->rho > -1 && k->rho < 1)) {
            lua_pop(L, 1);
            return c->err[0] ? -1 : failf(c, path, "expected { a = path, b = path, rho in (-1, 1) }");
        }
    }
    lua_pop(L, 1);
    return 0;
}

int fc_lua_compile(lua_State *L, int idx, fc_model **out, char *err, size_t errlen)
{
    *out = NULL;
    ctx c = {L, err, errlen};
    err[0] = 0;
    idx = lua_absindex(L, idx);
    if (!lua_istable(L, idx)) {
        snprintf(err, errlen, "expected a normalized scenario table");
        return -1;
    }
    long long periods;
    if (get_int(&c, idx, "periods", "periods", 1, FC_MAX_PERIODS, 12, &periods))
        return -1;
    int nchannels = count_of(L, idx, "channels");
    int nstages = count_of(L, idx, "stages");
    int ngoals = count_of(L, idx, "goals");
    if (nchannels > FC_MAX_CHANNELS || nstages > FC_MAX_STAGES || nstages < 1 || ngoals > FC_MAX_GOALS) {
        snprintf(err, errlen, "scenario: expected 1 to %d stages, at most %d channels and %d goals",
                 FC_MAX_STAGES, FC_MAX_CHANNELS, FC_MAX_GOALS);
        return -1;
    }
    fc_model *m = fc_model_new((int)periods, nchannels, nstages, ngoals);
    if (m == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    *out = m; /* the caller owns it from here: a Lua error below leaves it there */
    long long trials, seed;
    double dtrials;
    if (get_str(&c, idx, "name", "name", m->name, sizeof m->name) ||
        get_str(&c, idx, "unit", "unit", m->unit, sizeof m->unit) ||
        get_num(&c, idx, "trials", "trials", 10000, &dtrials) ||
        get_int(&c, idx, "seed", "seed", INT64_MIN, INT64_MAX, 1, &seed))
        goto fail;
    if (get_int(&c, idx, "trials", "trials", 1, FC_MAX_TRIALS, 10000, &trials))
        goto fail;
    m->trials = (uint64_t)trials;
    m->seed = (uint64_t)seed;
    lua_getfield(L, idx, "track_channels");
    m->track_channels = lua_toboolean(L, -1);
    lua_pop(L, 1);
    /* stages first: channels refer to them */
    if (each_elem(&c, idx, "stages", nstages, do_stage, m, m->stages, sizeof *m->stages) ||
        each_elem(&c, idx, "channels", nchannels, do_channel, m, m->channels, sizeof *m->channels) ||
        each_elem(&c, idx, "goals", ngoals, do_goal, m, m->goals, sizeof *m->goals))
        goto fail;
    lua_getfield(L, idx, "customers");
    if (!lua_istable(L, -1) || compile_customers(&c, m, lua_gettop(L))) {
        lua_pop(L, 1);
        if (!err[0])
            snprintf(err, errlen, "customers: expected a table");
        goto fail;
    }
    lua_pop(L, 1);
    lua_getfield(L, idx, "winback");
    if (lua_istable(L, -1)) {
        int w = lua_gettop(L);
        m->winback.enabled = 1;
        if (get_param(&c, w, "rate", "winback", &m->winback.rate, NULL) ||
            get_param(&c, w, "cost", "winback", &m->winback.cost, NULL)) {
            lua_pop(L, 1);
            goto fail;
        }
    }
    lua_pop(L, 1);
    if (compile_correlations(&c, m, idx) != 0)
        goto fail;
    if (fc_model_finish(m, err, errlen) != 0)
        goto fail;
    return 0;
fail:
    fc_model_free(m);
    *out = NULL;
    return -1;
}
