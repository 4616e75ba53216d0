/* lua_model: normalized scenario table -> fc_model. The table is read raw
 * (no metamethod runs, whatever table it is given) and every value is checked
 * again here: the domain of each field is the compiler's own (a rate is a
 * probability whatever the table says), names are valid UTF-8 of bounded
 * length, integers are in range; fc_model_finish checks the rest. */
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
    int64_t before_total; /* the units of the before lists read so far */
} ctx;

static int failf(ctx *c, const char *path, const char *what)
{
    snprintf(c->err, c->errlen, "%s: %s", path, what);
    return -1;
}

/* Pushes field k of the table at (absolute) idx, raw; returns its type. */
static int field(lua_State *L, int idx, const char *k)
{
    lua_pushstring(L, k);
    return lua_rawget(L, idx);
}

static int get_int(ctx *c, int idx, const char *k, const char *path, long long lo, long long hi,
                   long long dflt, long long *out)
{
    lua_State *L = c->L;
    int t = field(L, idx, k);
    int ok = 1;
    if (t == LUA_TNIL) {
        *out = dflt;
    } else {
        lua_Integer v = lua_isinteger(L, -1) ? lua_tointeger(L, -1) : 0;
        ok = lua_isinteger(L, -1) && v >= lo && v <= hi;
        *out = v;
    }
    lua_pop(L, 1);
    if (!ok) {
        char what[128];
        snprintf(what, sizeof what, "expected an integer in [%lld, %lld]", lo, hi);
        return failf(c, path, what);
    }
    return 0;
}

static int get_num(ctx *c, int idx, const char *k, const char *path, double dflt, double *out)
{
    lua_State *L = c->L;
    int t = field(L, idx, k);
    int ok = t == LUA_TNIL || t == LUA_TNUMBER;
    *out = t == LUA_TNUMBER ? lua_tonumber(L, -1) : dflt;
    lua_pop(L, 1);
    if (!ok || !isfinite(*out))
        return failf(c, path, "expected a finite number");
    return 0;
}

/* A string field of at most maxlen bytes, without NUL; a name (is_name)
 * must also be valid UTF-8 and not empty. */
static int get_str(ctx *c, int idx, const char *k, const char *path, char *out, size_t maxlen, int is_name)
{
    lua_State *L = c->L;
    size_t len = 0;
    char buf[64], what[128];
    const char *s = field(L, idx, k) == LUA_TSTRING ? lua_tolstring(L, -1, &len) : NULL;
    const char *why = s == NULL ? "a string"
                      : is_name ? fc_name_problem(s, len, 0, buf, sizeof buf)
                      : len > maxlen || memchr(s, 0, len) ? "a short string without NUL bytes"
                      : NULL;
    if (why == NULL)
        memcpy(out, s, len + 1);
    lua_pop(L, 1);
    if (why == NULL)
        return 0;
    snprintf(what, sizeof what, "expected %s", why);
    return failf(c, path, what);
}

/* Reads the parameter table at stack index t, of a field whose values lie in
 * dom (path names it in messages). */
static int read_param(ctx *c, int t, const char *path, fc_domain dom, fc_param *p)
{
    lua_State *L = c->L;
    char derr[256];
    if (lua_type(L, t) != LUA_TTABLE)
        return failf(c, path, "expected an assumption");
    if (fc_lua_todist(L, t, &p->dist, derr, sizeof derr) != 0)
        return failf(c, path, derr);
    size_t len = 0;
    const char *ppath = field(L, t, "path") == LUA_TSTRING ? lua_tolstring(L, -1, &len) : NULL;
    int bad = ppath == NULL || len == 0 || memchr(ppath, 0, len) != NULL || fc_param_init(p, ppath, dom) != 0;
    lua_pop(L, 1);
    if (bad) {
        char what[96];
        snprintf(what, sizeof what, "expected the assumption's field path, of at most %d bytes", FC_PATH_MAX);
        return failf(c, path, what);
    }
    int each = field(L, t, "each");
    p->per_period = each == LUA_TSTRING && strcmp(lua_tostring(L, -1), "period") == 0;
    lua_pop(L, 1);
    field(L, t, "clip");
    p->clip = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return 0;
}

/* Reads the parameter in field k of the table at idx. With present == NULL
 * the field is required; otherwise a missing field sets *present = 0. */
static int get_param(ctx *c, int idx, const char *k, const char *where, fc_domain dom, fc_param *p,
                     int *present)
{
    lua_State *L = c->L;
    char path[FC_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s.%s", where, k);
    int missing = field(L, idx, k) == LUA_TNIL;
    if (present)
        *present = !missing;
    int st = missing ? (present ? 0 : failf(c, path, "missing")) : read_param(c, lua_gettop(L), path, dom, p);
    lua_pop(L, 1);
    return st;
}

/* Reads a list of exactly n numbers >= 0 from field k. */
static int get_list(ctx *c, int idx, const char *k, const char *path, int n, double *out)
{
    lua_State *L = c->L;
    if (field(L, idx, k) != LUA_TTABLE || lua_rawlen(L, -1) != (lua_Unsigned)n) {
        lua_pop(L, 1);
        char what[96];
        snprintf(what, sizeof what, "expected a list of %d numbers", n);
        return failf(c, path, what);
    }
    for (int i = 0; i < n; i++) {
        int ok = lua_rawgeti(L, -1, i + 1) == LUA_TNUMBER;
        out[i] = ok ? lua_tonumber(L, -1) : -1;
        lua_pop(L, 1);
        if (!ok || !(out[i] >= 0) || !isfinite(out[i])) {
            lua_pop(L, 1);
            return failf(c, path, "expected numbers >= 0");
        }
    }
    lua_pop(L, 1);
    return 0;
}

/* The length of list field k (0 when it is not a table). */
static lua_Unsigned count_of(lua_State *L, int idx, const char *k)
{
    lua_Unsigned n = field(L, idx, k) == LUA_TTABLE ? lua_rawlen(L, -1) : 0;
    lua_pop(L, 1);
    return n;
}

static int compile_channel(ctx *c, fc_model *m, int i, int idx, fc_channel *ch)
{
    char where[FC_PATH_MAX], path[FC_PATH_MAX + 32];
    snprintf(path, sizeof path, "channels[%d].name", i + 1);
    if (get_str(c, idx, "name", path, ch->name, FC_NAME_MAX, 1))
        return -1;
    snprintf(where, sizeof where, "channels.%s", ch->name);
    snprintf(path, sizeof path, "%s.spend", where);
    if (get_list(c, idx, "spend", path, m->periods, ch->spend))
        return -1;
    snprintf(path, sizeof path, "%s.season", where);
    if (get_list(c, idx, "season", path, m->periods, ch->season))
        return -1;
    char response[16];
    snprintf(path, sizeof path, "%s.response", where);
    if (get_str(c, idx, "response", path, response, sizeof response - 1, 0))
        return -1;
    if (strcmp(response, "cost") == 0) {
        ch->response = FC_RESPONSE_COST;
        if (get_param(c, idx, "cost", where, FC_DOMAIN_POSITIVE, &ch->cost, NULL))
            return -1;
    } else if (strcmp(response, "hill") == 0) {
        ch->response = FC_RESPONSE_HILL;
        int h = (field(c->L, idx, "hill"), lua_gettop(c->L));
        int bad = !lua_istable(c->L, h) ||
                  get_param(c, h, "max", path, FC_DOMAIN_POSITIVE, &ch->hill_max, NULL) ||
                  get_param(c, h, "half", path, FC_DOMAIN_POSITIVE, &ch->hill_half, NULL) ||
                  get_param(c, h, "shape", path, FC_DOMAIN_POSITIVE, &ch->hill_shape, NULL);
        lua_settop(c->L, h - 1);
        if (bad)
            return c->err[0] ? -1 : failf(c, path, "expected hill{max=, half=, shape=}");
    } else if (strcmp(response, "none") == 0) {
        ch->response = FC_RESPONSE_NONE;
    } else {
        return failf(c, path, "expected \"cost\", \"hill\" or \"none\"");
    }
    if (get_param(c, idx, "adstock", where, FC_DOMAIN_FRACTION, &ch->adstock, &ch->has_adstock) ||
        get_param(c, idx, "organic", where, FC_DOMAIN_NONNEG, &ch->organic, &ch->has_organic))
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
    char where[64], path[96];
    snprintf(path, sizeof path, "funnel[%d].name", k + 1);
    if (get_str(c, idx, "name", path, st->name, FC_NAME_MAX, 1))
        return -1;
    snprintf(where, sizeof where, "funnel[%d]", k + 1);
    if (get_param(c, idx, "cost", where, FC_DOMAIN_NONNEG, &st->cost, &st->has_cost))
        return -1;
    lua_Unsigned nbefore = count_of(L, idx, "before");
    if (nbefore > FC_MAX_LAGS)
        return failf(c, where, "before: expected at most 600 periods");
    if (nbefore > 0) {
        st->before = calloc((size_t)nbefore, sizeof *st->before);
        if (st->before == NULL)
            return failf(c, where, "out of memory");
        st->nbefore = (int)nbefore;
        field(L, idx, "before");
        for (int j = 0; j < st->nbefore; j++) {
            int isnum = 0;
            lua_rawgeti(L, -1, j + 1);
            lua_Integer v = lua_tointegerx(L, -1, &isnum);
            lua_pop(L, 1);
            if (!isnum || v < 0 || v > FC_MAX_BEFORE - c->before_total) {
                lua_pop(L, 1);
                return failf(c, where, "before: expected whole numbers of arrivals >= 0, 1e15 in all at most");
            }
            st->before[j] = (int64_t)v;
            c->before_total += (int64_t)v;
        }
        lua_pop(L, 1);
    }
    if (k == 0) {
        st->nlags = 1;
        st->lag_prob = calloc(1, sizeof *st->lag_prob);
        if (st->lag_prob == NULL)
            return failf(c, where, "out of memory");
        st->lag_prob[0] = 1;
        return 0;
    }
    int by = (field(L, idx, "rate_by_channel"), lua_gettop(L));
    if (lua_istable(L, by)) {
        st->rate_by_channel = calloc((size_t)m->nchannels + 1, sizeof *st->rate_by_channel);
        if (st->rate_by_channel == NULL)
            return failf(c, where, "out of memory");
        snprintf(path, sizeof path, "%s.rate", where);
        for (int ci = 0; ci < m->nchannels; ci++) {
            lua_rawgeti(L, by, ci + 1);
            int bad = read_param(c, lua_gettop(L), path, FC_DOMAIN_PROBABILITY, &st->rate_by_channel[ci]);
            lua_pop(L, 1);
            if (bad)
                return -1;
        }
    } else if (get_param(c, idx, "rate", where, FC_DOMAIN_PROBABILITY, &st->rate, NULL)) {
        return -1;
    }
    lua_settop(L, by - 1);
    snprintf(path, sizeof path, "%s.delay", where);
    lua_Unsigned nlags = count_of(L, idx, "lags");
    if (nlags < 1 || nlags > FC_MAX_LAGS)
        return failf(c, path, "expected a list of 1 to 600 lag probabilities");
    st->nlags = (int)nlags;
    st->lag_prob = calloc((size_t)nlags, sizeof *st->lag_prob);
    if (st->lag_prob == NULL)
        return failf(c, path, "out of memory");
    field(L, idx, "lags");
    double sum = 0;
    for (int j = 0; j < st->nlags; j++) {
        int ok = lua_rawgeti(L, -1, j + 1) == LUA_TNUMBER;
        st->lag_prob[j] = ok ? lua_tonumber(L, -1) : -1;
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
    if (get_int(c, idx, "initial", "customers.initial", 0, FC_MAX_CUSTOMERS, 0, &v))
        return -1;
    cu->initial = v;
    if (get_int(c, idx, "lost", "customers.lost", 0, FC_MAX_CUSTOMERS, 0, &v))
        return -1;
    cu->lost = v;
    if (get_int(c, idx, "initial_tenure", "customers.initial_tenure", 0, FC_MAX_TENURE, 0, &v))
        return -1;
    cu->initial_tenure = v;
    if (get_int(c, idx, "ltv_horizon", "customers.ltv_horizon", 0, FC_MAX_TENURE, 0, &v))
        return -1;
    cu->ltv_horizon = (int)v;
    if (get_num(c, idx, "discount", "customers.discount", 0, &cu->discount))
        return -1;
    if (cu->discount < 0)
        return failf(c, "customers.discount", "expected a number >= 0");
    int has_churn;
    int has_expansion; /* absent: the constant 0 */
    if (get_param(c, idx, "churn", "customers", FC_DOMAIN_PROBABILITY, &cu->churn, &has_churn))
        return -1;
    cu->churn_kind = has_churn ? FC_CHURN_RATE : FC_CHURN_NONE;
    if (field(c->L, idx, "sbg") == LUA_TTABLE) {
        int s = lua_gettop(c->L);
        if (has_churn) {
            lua_pop(c->L, 1);
            return failf(c, "customers.churn", "expected a churn rate or sbg{...}, not both");
        }
        if (get_param(c, s, "alpha", "customers.churn", FC_DOMAIN_POSITIVE, &cu->sbg_alpha, NULL) ||
            get_param(c, s, "beta", "customers.churn", FC_DOMAIN_POSITIVE, &cu->sbg_beta, NULL)) {
            lua_pop(c->L, 1);
            return -1;
        }
        cu->churn_kind = FC_CHURN_SBG;
    }
    lua_pop(c->L, 1);
    if (get_param(c, idx, "arpu", "customers", FC_DOMAIN_NONNEG, &cu->arpu, NULL) ||
        get_param(c, idx, "growth", "customers", FC_DOMAIN_REAL, &cu->growth, NULL) ||
        get_param(c, idx, "margin", "customers", FC_DOMAIN_PROBABILITY, &cu->margin, NULL) ||
        get_param(c, idx, "expansion", "customers", FC_DOMAIN_NONNEG, &cu->expansion, &has_expansion))
        return -1;
    return 0;
}

static int compile_goal(ctx *c, fc_model *m, int g, int idx, fc_goal *goal)
{
    char path[64], fpath[80];
    snprintf(path, sizeof path, "goals[%d]", g + 1);
    snprintf(fpath, sizeof fpath, "%s.name", path);
    if (get_str(c, idx, "name", fpath, goal->name, FC_NAME_MAX, 1))
        return -1;
    snprintf(fpath, sizeof fpath, "%s.metric", path);
    if (get_str(c, idx, "metric", fpath, goal->metric, FC_PATH_MAX, 0))
        return -1;
    char op[4];
    if (get_str(c, idx, "op", path, op, sizeof op - 1, 0))
        return -1;
    if (strcmp(op, ">=") != 0 && strcmp(op, "<=") != 0)
        return failf(c, path, "expected the operator \">=\" or \"<=\"");
    goal->op = strcmp(op, "<=") == 0 ? FC_GOAL_AT_MOST : FC_GOAL_AT_LEAST;
    long long by, from;
    if (get_num(c, idx, "target", path, 0, &goal->target) ||
        get_int(c, idx, "by", path, 1, m->periods, m->periods, &by) ||
        get_int(c, idx, "from", path, 1, m->periods, 1, &from) ||
        get_num(c, idx, "confidence", path, 0.8, &goal->confidence))
        return -1;
    goal->by = (int)by;
    goal->from = (int)from;
    field(c->L, idx, "every");
    goal->every = lua_toboolean(c->L, -1);
    lua_pop(c->L, 1);
    return 0;
}

/* Runs f on every element of list field k; the element is on the stack top. */
static int each_elem(ctx *c, int idx, const char *k, int n,
                     int (*f)(ctx *, fc_model *, int, int, void *), fc_model *m, void *items,
                     size_t size)
{
    lua_State *L = c->L;
    field(L, idx, k);
    int list = lua_gettop(L);
    for (int i = 0; i < n; i++) {
        lua_rawgeti(L, list, i + 1);
        int st = lua_istable(L, -1) ? f(c, m, i, lua_gettop(L), (char *)items + (size_t)i * size)
                                    : failf(c, k, "expected a list of tables");
        lua_settop(L, list);
        if (st)
            return -1;
    }
    lua_settop(L, list - 1);
    return 0;
}

static int do_channel(ctx *c, fc_model *m, int i, int idx, void *item)
{
    return compile_channel(c, m, i, idx, item);
}

static int do_stage(ctx *c, fc_model *m, int i, int idx, void *item)
{
    return compile_stage(c, m, i, idx, item);
}

static int do_goal(ctx *c, fc_model *m, int i, int idx, void *item)
{
    return compile_goal(c, m, i, idx, item);
}

/* correlations = { { a = path, b = path, rho = x }, ... }: read here, resolved
 * against the model's assumptions by fc_model_finish. */
/* Largest observed count (a bound, as for the scenario's customers). */
#define OBS_MAX 1e15

/* Reads the list at the top of the stack (n numbers, -1 unknown) into out,
 * and pops it; nothing there leaves out unknown. */
static int obs_list(ctx *c, const char *path, int n, int64_t *i_out, double *d_out)
{
    lua_State *L = c->L;
    if (lua_type(L, -1) == LUA_TNIL) {
        lua_pop(L, 1);
        return 0;
    }
    if (lua_type(L, -1) != LUA_TTABLE || lua_rawlen(L, -1) != (lua_Unsigned)n) {
        lua_pop(L, 1);
        return failf(c, path, "expected a list of the observed periods' values");
    }
    for (int t = 0; t < n; t++) {
        int ok = lua_rawgeti(L, -1, t + 1) == LUA_TNUMBER;
        double x = ok ? lua_tonumber(L, -1) : 0;
        lua_pop(L, 1);
        ok = ok && (x == -1 || (x >= 0 && x <= OBS_MAX)) && (d_out || x == floor(x));
        if (!ok) {
            lua_pop(L, 1);
            return failf(c, path, d_out ? "expected amounts >= 0 (or -1: unknown)" : "expected counts >= 0 (or -1: unknown)");
        }
        if (d_out)
            d_out[t] = x;
        else
            i_out[t] = (int64_t)x;
    }
    lua_pop(L, 1);
    return 0;
}

/* observed = { periods = P, stage = { [k] = list }, channel = { [c] = { [k]
 * = list } }, churned = list, won_back =, active =, lost =, revenue = }:
 * the observed periods (fc_observed), lists of P values, -1 unknown. */
static int compile_observed(ctx *c, fc_model *m, int idx)
{
    lua_State *L = c->L;
    long long P;
    if (get_int(c, idx, "periods", "observed.periods", 1, m->periods, 1, &P))
        return -1;
    if (fc_observed_alloc(m, (int)P) != 0) {
        snprintf(c->err, c->errlen, "out of memory");
        return -1;
    }
    fc_observed *o = &m->obs;
    const int K = m->nstages, C = m->nchannels;
    const char *names[] = {"churned", "won_back", "active", "lost"};
    int64_t *lists[] = {o->churned, o->won_back, o->active, o->lost};
    for (int i = 0; i < 4; i++) {
        field(L, idx, names[i]);
        if (obs_list(c, names[i], (int)P, lists[i], NULL))
            return -1;
    }
    field(L, idx, "revenue");
    if (obs_list(c, "revenue", (int)P, NULL, o->revenue))
        return -1;
    if (field(L, idx, "stage") == LUA_TTABLE) {
        int s = lua_gettop(L);
        for (int k = 0; k < K; k++) {
            lua_rawgeti(L, s, k + 1);
            if (obs_list(c, m->stages[k].name, (int)P, o->stage + (size_t)k * (size_t)P, NULL))
                return -1;
        }
    }
    lua_pop(L, 1);
    if (field(L, idx, "channel") == LUA_TTABLE) {
        int s = lua_gettop(L);
        for (int ch = 0; ch < C; ch++) {
            if (lua_rawgeti(L, s, ch + 1) != LUA_TTABLE) {
                lua_pop(L, 1);
                continue;
            }
            int cs = lua_gettop(L);
            for (int k = 0; k < K; k++) {
                lua_rawgeti(L, cs, k + 1);
                if (obs_list(c, m->channels[ch].name, (int)P,
                             o->chan + ((size_t)k * (size_t)C + (size_t)ch) * (size_t)P, NULL))
                    return -1;
            }
            lua_pop(L, 1);
        }
    }
    lua_pop(L, 1);
    return 0;
}

static int compile_correlations(ctx *c, fc_model *m, int idx)
{
    lua_State *L = c->L;
    lua_Unsigned n = count_of(L, idx, "correlations");
    if (n == 0)
        return 0;
    if (n > FC_MAX_CORRELATED * FC_MAX_CORRELATED || fc_model_set_correlations(m, (int)n) != 0)
        return failf(c, "correlations", "too many pairs, or out of memory");
    field(L, idx, "correlations");
    int list = lua_gettop(L);
    for (int i = 0; i < (int)n; i++) {
        char path[48];
        snprintf(path, sizeof path, "correlations[%d]", i + 1);
        lua_rawgeti(L, list, i + 1);
        int t = lua_gettop(L);
        fc_corr *k = &m->corr[i];
        int bad = !lua_istable(L, t) || get_str(c, t, "a", path, k->a, FC_PATH_MAX, 0) ||
                  get_str(c, t, "b", path, k->b, FC_PATH_MAX, 0) || get_num(c, t, "rho", path, 0, &k->rho);
        lua_settop(L, list);
        if (bad || !(k->rho > -1 && k->rho < 1)) {
            lua_pop(L, 1);
            return c->err[0] ? -1 : failf(c, path, "expected { a = path, b = path, rho in (-1, 1) }");
        }
    }
    lua_pop(L, 1);
    return 0;
}

/* core.name_problem(s [, part]) -> what is wrong with name s, or nil (the
 * rule of fc_name_problem, for the Lua validation's messages). */
static int l_name_problem(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    char buf[64];
    const char *why = fc_name_problem(s, len, lua_toboolean(L, 2), buf, sizeof buf);
    if (why)
        lua_pushstring(L, why);
    else
        lua_pushnil(L);
    return 1;
}

void fc_lua_model_register(lua_State *L)
{
    /* the model's limits, for the Lua validation to check the same numbers */
    static const struct { const char *name; long long value; } limits[] = {
        {"periods", FC_MAX_PERIODS}, {"stages", FC_MAX_STAGES}, {"channels", FC_MAX_CHANNELS},
        {"goals", FC_MAX_GOALS}, {"lags", FC_MAX_LAGS}, {"trials", FC_MAX_TRIALS},
        {"name", FC_NAME_MAX}, {"customers", FC_MAX_CUSTOMERS}, {"tenure", FC_MAX_TENURE},
        {"correlated", FC_MAX_CORRELATED}, {"before", FC_MAX_BEFORE},
    };
    lua_createtable(L, 0, (int)(sizeof limits / sizeof limits[0]));
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
        lua_pushinteger(L, (lua_Integer)limits[i].value);
        lua_setfield(L, -2, limits[i].name);
    }
    lua_setfield(L, -2, "limits");
    lua_pushcfunction(L, l_name_problem);
    lua_setfield(L, -2, "name_problem");
}

int fc_lua_compile(lua_State *L, int idx, fc_model **out, char *err, size_t errlen)
{
    *out = NULL;
    ctx c = {L, err, errlen, 0};
    err[0] = 0;
    idx = lua_absindex(L, idx);
    if (!lua_istable(L, idx)) {
        snprintf(err, errlen, "expected a normalized scenario table");
        return -1;
    }
    long long periods;
    if (get_int(&c, idx, "periods", "periods", 1, FC_MAX_PERIODS, 12, &periods))
        return -1;
    lua_Unsigned nchannels = count_of(L, idx, "channels");
    lua_Unsigned nstages = count_of(L, idx, "stages");
    lua_Unsigned ngoals = count_of(L, idx, "goals");
    if (nstages < 1 || nstages > FC_MAX_STAGES)
        return failf(&c, "funnel", "expected 1 to 32 stages");
    if (nchannels > FC_MAX_CHANNELS)
        return failf(&c, "channels", "expected at most 64 channels");
    if (ngoals > FC_MAX_GOALS)
        return failf(&c, "goals", "expected at most 1000 goals");
    fc_model *m = fc_model_new((int)periods, (int)nchannels, (int)nstages, (int)ngoals);
    if (m == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    *out = m; /* the caller owns it from here: a Lua error below leaves it there */
    long long trials, seed;
    if (get_str(&c, idx, "name", "name", m->name, FC_NAME_MAX, 1) ||
        get_str(&c, idx, "unit", "unit", m->unit, sizeof m->unit - 1, 0) ||
        get_int(&c, idx, "trials", "trials", 1, FC_MAX_TRIALS, 10000, &trials) ||
        get_int(&c, idx, "seed", "seed", INT64_MIN, INT64_MAX, 1, &seed))
        goto fail;
    if (field(L, idx, "start") != LUA_TNIL) { /* the first period's calendar label, for reports */
        lua_pop(L, 1);
        if (get_str(&c, idx, "start", "start", m->start, sizeof m->start - 1, 0))
            goto fail;
    } else {
        lua_pop(L, 1);
    }
    /* a seed past 2^63 - 1 travels as the integer with the same 64 bits */
    m->trials = (uint64_t)trials;
    m->seed = (uint64_t)seed;
    field(L, idx, "track_channels");
    m->track_channels = lua_toboolean(L, -1);
    lua_pop(L, 1);
    /* stages first: channels refer to them */
    if (each_elem(&c, idx, "stages", m->nstages, do_stage, m, m->stages, sizeof *m->stages) ||
        each_elem(&c, idx, "channels", m->nchannels, do_channel, m, m->channels, sizeof *m->channels) ||
        each_elem(&c, idx, "goals", m->ngoals, do_goal, m, m->goals, sizeof *m->goals))
        goto fail;
    if (field(L, idx, "customers") != LUA_TTABLE || compile_customers(&c, m, lua_gettop(L))) {
        lua_pop(L, 1);
        if (!err[0])
            snprintf(err, errlen, "customers: expected a table");
        goto fail;
    }
    lua_pop(L, 1);
    int wt = field(L, idx, "winback");
    if (wt == LUA_TTABLE) {
        int w = lua_gettop(L);
        m->winback.enabled = 1;
        if (get_param(&c, w, "rate", "winback", FC_DOMAIN_PROBABILITY, &m->winback.rate, NULL) ||
            get_param(&c, w, "cost", "winback", FC_DOMAIN_NONNEG, &m->winback.cost, NULL)) {
            lua_pop(L, 1);
            goto fail;
        }
    } else if (wt != LUA_TNIL) {
        lua_pop(L, 1);
        failf(&c, "winback", "expected a table");
        goto fail;
    }
    lua_pop(L, 1);
    if (compile_correlations(&c, m, idx) != 0)
        goto fail;
    if (field(L, idx, "observed") == LUA_TTABLE) {
        if (compile_observed(&c, m, lua_gettop(L)) != 0) {
            lua_pop(L, 1);
            goto fail;
        }
    }
    lua_pop(L, 1);
    if (fc_model_finish(m, err, errlen) != 0)
        goto fail;
    return 0;
fail:
    fc_model_free(m);
    *out = NULL;
    return -1;
}
