/* model: allocation, release and final checks of the compiled scenario. */
#include "model.h"
#include "elem.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "rng.h"
#include "special.h"

fc_model *fc_model_new(int periods, int nchannels, int nstages, int ngoals)
{
    fc_model *m = calloc(1, sizeof *m);
    if (m == NULL)
        return NULL;
    m->periods = periods;
    m->nchannels = nchannels;
    m->nstages = nstages;
    m->ngoals = ngoals;
    m->channels = calloc((size_t)nchannels + 1, sizeof *m->channels);
    m->stages = calloc((size_t)nstages + 1, sizeof *m->stages);
    m->goals = calloc((size_t)ngoals + 1, sizeof *m->goals);
    if (m->channels == NULL || m->stages == NULL || m->goals == NULL) {
        fc_model_free(m);
        return NULL;
    }
    for (int c = 0; c < nchannels; c++) {
        m->channels[c].spend = calloc((size_t)periods, sizeof(double));
        m->channels[c].season = calloc((size_t)periods, sizeof(double));
        if (m->channels[c].spend == NULL || m->channels[c].season == NULL) {
            fc_model_free(m);
            return NULL;
        }
    }
    return m;
}

int fc_observed_alloc(fc_model *m, int periods)
{
    const size_t P = (size_t)periods, K = (size_t)m->nstages, C = (size_t)m->nchannels;
    const size_t n = K * P + K * C * P + 4 * P;
    int64_t *block = malloc(n * sizeof *block);
    double *revenue = malloc(P * sizeof *revenue);
    if (block == NULL || revenue == NULL) {
        free(block);
        free(revenue);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        block[i] = -1;
    for (size_t i = 0; i < P; i++)
        revenue[i] = -1;
    free(m->obs.stage);
    free(m->obs.revenue);
    m->obs.periods = periods;
    m->obs.stage = block;
    m->obs.chan = block + K * P;
    m->obs.churned = m->obs.chan + K * C * P;
    m->obs.won_back = m->obs.churned + P;
    m->obs.active = m->obs.won_back + P;
    m->obs.lost = m->obs.active + P;
    m->obs.revenue = revenue;
    return 0;
}

void fc_model_free(fc_model *m)
{
    if (m == NULL)
        return;
    if (m->channels)
        for (int c = 0; c < m->nchannels; c++) {
            free(m->channels[c].spend);
            free(m->channels[c].season);
        }
    if (m->stages)
        for (int k = 0; k < m->nstages; k++) {
            free(m->stages[k].rate_by_channel);
            free(m->stages[k].lag_prob);
            free(m->stages[k].before);
        }
    free(m->params);
    free(m->corr);
    free(m->cop_param);
    free(m->cop_chol);
    free(m->drivers);
    free(m->driver_cut);
    free(m->obs.stage);
    free(m->obs.revenue);
    free(m->channels);
    free(m->stages);
    free(m->goals);
    free(m);
}

int fc_domain_contains(fc_domain d, double x)
{
    switch (d) {
    case FC_DOMAIN_REAL: return isfinite(x);
    case FC_DOMAIN_NONNEG: return x >= 0 && x < INFINITY;
    case FC_DOMAIN_POSITIVE: return x > 0 && x < INFINITY;
    case FC_DOMAIN_PROBABILITY: return x >= 0 && x <= 1;
    case FC_DOMAIN_FRACTION: return x >= 0 && x < 1;
    }
    return 0;
}

double fc_domain_clip(fc_domain d, double x)
{
    switch (d) {
    case FC_DOMAIN_REAL: return x;
    case FC_DOMAIN_NONNEG: return x < 0 ? 0 : x;
    case FC_DOMAIN_POSITIVE: return x < 0x1p-1022 ? 0x1p-1022 : x;
    case FC_DOMAIN_PROBABILITY: return x < 0 ? 0 : x > 1 ? 1 : x;
    case FC_DOMAIN_FRACTION: return x < 0 ? 0 : x >= 1 ? 0x1.fffffffffffffp-1 : x;
    }
    return x;
}

const char *fc_domain_text(fc_domain d)
{
    switch (d) {
    case FC_DOMAIN_REAL: return "a finite number";
    case FC_DOMAIN_NONNEG: return "a number >= 0";
    case FC_DOMAIN_POSITIVE: return "a number > 0";
    case FC_DOMAIN_PROBABILITY: return "a probability in [0, 1]";
    case FC_DOMAIN_FRACTION: return "a number in [0, 1)";
    }
    return "";
}

int fc_domain_holds(fc_domain dm, const fc_dist *d)
{
    /* the support [lo, hi], and whether each end is out of reach */
    double lo = -INFINITY, hi = INFINITY;
    int lo_open = 1, hi_open = 1;
    const double *p = d->p;
    switch (d->kind) {
    case FC_DIST_FIXED: lo = hi = p[0]; lo_open = hi_open = 0; break;
    case FC_DIST_UNIFORM: lo = p[0]; hi = p[1]; lo_open = 0; break;
    case FC_DIST_NORMAL:
        if (p[1] == 0) {
            lo = hi = p[0];
            lo_open = hi_open = 0;
        }
        break;
    case FC_DIST_LOGNORMAL:
    case FC_DIST_GAMMA: lo = 0; break;
    case FC_DIST_BETA: lo = 0; hi = 1; break;
    case FC_DIST_TRIANGULAR:
    case FC_DIST_PERT: lo = p[0]; hi = p[2]; lo_open = hi_open = 0; break;
    case FC_DIST_POISSON: lo = 0; lo_open = 0; break;
    case FC_DIST_BINOMIAL: lo = 0; hi = (double)d->n; lo_open = hi_open = 0; break;
    default: return 0;
    }
    switch (dm) {
    case FC_DOMAIN_REAL: return 1;
    case FC_DOMAIN_NONNEG: return lo >= 0;
    case FC_DOMAIN_POSITIVE: return lo > 0 || (lo == 0 && lo_open);
    case FC_DOMAIN_PROBABILITY: return lo >= 0 && hi <= 1;
    case FC_DOMAIN_FRACTION: return lo >= 0 && (hi < 1 || (hi == 1 && hi_open));
    }
    return 0;
}

/* Decodes the code point at *u (before e) into *cp and moves *u past it.
 * Returns 0, or -1 for a NUL byte or anything that is not UTF-8 (overlong
 * forms, surrogates, code points past U+10FFFF, a cut sequence). */
static int next_code_point(const unsigned char **u, const unsigned char *e, unsigned *cp)
{
    unsigned c = *(*u)++;
    int more;
    unsigned min;
    if (c == 0)
        return -1;
    if (c < 0x80) {
        *cp = c;
        return 0;
    }
    if (c >= 0xc2 && c <= 0xdf) {
        more = 1;
        min = 0x80;
        c &= 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        more = 2;
        min = 0x800;
        c &= 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        more = 3;
        min = 0x10000;
        c &= 0x07;
    } else {
        return -1;
    }
    if (e - *u < more)
        return -1;
    for (int i = 0; i < more; i++) {
        if (((*u)[i] & 0xc0) != 0x80)
            return -1;
        c = (c << 6) | ((*u)[i] & 0x3f);
    }
    *u += more;
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return -1;
    *cp = c;
    return 0;
}

int fc_utf8_valid(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s, *e = u + len;
    unsigned c;
    while (u < e)
        if (next_code_point(&u, e, &c) != 0)
            return 0;
    return 1;
}

/* C0, DEL and C1 controls, and the marks that reorder or hide text. */
static int is_control(unsigned c)
{
    return c < 32 || (c >= 127 && c <= 159) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) ||
           c == 0x200e || c == 0x200f || c == 0x061c;
}

const char *fc_name_problem(const char *s, size_t len, int part, char *buf, size_t buflen)
{
    if (len == 0)
        return "a non-empty name";
    if (memchr(s, 0, len) != NULL)
        return "a name without NUL bytes";
    if (!fc_utf8_valid(s, len))
        return "a name in valid UTF-8";
    if (len > FC_NAME_MAX) {
        snprintf(buf, buflen, "a name of at most %d bytes (got %zu)", FC_NAME_MAX, len);
        return buf;
    }
    const unsigned char *u = (const unsigned char *)s, *e = u + len;
    unsigned c;
    while (u < e && next_code_point(&u, e, &c) == 0)
        if (is_control(c))
            return "a name without control characters";
    if (part && (memchr(s, '.', len) || memchr(s, '[', len) || memchr(s, ']', len)))
        return "a name without '.', '[' or ']' (they separate the parts of a field path)";
    return NULL;
}

int fc_param_init(fc_param *p, const char *path, fc_domain domain)
{
    p->domain = domain;
    if (strlen(path) > FC_PATH_MAX) {
        p->path[0] = 0;
        p->key = 0;
        return -1;
    }
    snprintf(p->path, sizeof p->path, "%s", path);
    p->key = fc_rng_key(p->path);
    return 0;
}

/* Orders parameters by path, for finding two with one path. */
static int by_path(const void *a, const void *b)
{
    return strcmp((*(const fc_param *const *)a)->path, (*(const fc_param *const *)b)->path);
}

/* Two assumptions may share a path (and so a stream) only when they are one
 * assumption: a per-channel rate's default, copied to several channels. */
static int check_paths(const fc_model *m, char *err, size_t errlen)
{
    const fc_param **sorted = malloc(((size_t)m->nparams + 1) * sizeof *sorted);
    if (sorted == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    memcpy(sorted, m->params, (size_t)m->nparams * sizeof *sorted);
    qsort(sorted, (size_t)m->nparams, sizeof *sorted, by_path);
    int st = 0;
    for (int i = 1; i < m->nparams && st == 0; i++) {
        const fc_param *a = sorted[i - 1], *b = sorted[i];
        if (strcmp(a->path, b->path) == 0 &&
            (memcmp(&a->dist, &b->dist, sizeof a->dist) != 0 || a->domain != b->domain ||
             a->per_period != b->per_period || a->clip != b->clip)) {
            snprintf(err, errlen, "%s: two assumptions have this field path (and would share a random stream)",
                     a->path);
            st = -1;
        }
    }
    free(sorted);
    return st;
}

/* Checks a name of the model (a part of field paths when part is set); 0,
 * or -1 with "<what>: expected <a name ...>" in err. */
static int check_name(const char *name, int part, const char *what, char *err, size_t errlen)
{
    char buf[64];
    const char *why = fc_name_problem(name, strlen(name), part, buf, sizeof buf);
    if (why == NULL)
        return 0;
    snprintf(err, errlen, "%s: expected %s", what, why);
    return -1;
}

/* Calls f on every parameter the model uses, in a fixed order. */
static void each_param(fc_model *m, void (*f)(fc_model *, fc_param *))
{
    for (int c = 0; c < m->nchannels; c++) {
        fc_channel *ch = &m->channels[c];
        if (ch->response == FC_RESPONSE_COST)
            f(m, &ch->cost);
        if (ch->response == FC_RESPONSE_HILL) {
            f(m, &ch->hill_max);
            f(m, &ch->hill_half);
            f(m, &ch->hill_shape);
        }
        if (ch->has_adstock)
            f(m, &ch->adstock);
        if (ch->has_organic)
            f(m, &ch->organic);
    }
    for (int k = 0; k < m->nstages; k++) {
        fc_stage *st = &m->stages[k];
        if (k > 0 && st->rate_by_channel == NULL)
            f(m, &st->rate);
        if (k > 0 && st->rate_by_channel != NULL)
            for (int c = 0; c < m->nchannels; c++)
                f(m, &st->rate_by_channel[c]);
        if (st->has_cost)
            f(m, &st->cost);
    }
    fc_customers *cu = &m->customers;
    if (cu->churn_kind == FC_CHURN_RATE)
        f(m, &cu->churn);
    if (cu->churn_kind == FC_CHURN_SBG) {
        f(m, &cu->sbg_alpha);
        f(m, &cu->sbg_beta);
    }
    f(m, &cu->arpu);
    f(m, &cu->growth);
    f(m, &cu->margin);
    if (cu->expands)
        f(m, &cu->expansion);
    if (m->winback.enabled) {
        f(m, &m->winback.rate);
        f(m, &m->winback.cost);
    }
}

/* Resolves goal g's metric and checks its window; a goal on a channel's
 * figures has the counts kept per channel. */
static int finish_goal(fc_model *m, int g, char *err, size_t errlen)
{
    fc_goal *goal = &m->goals[g];
    char why[FC_PATH_MAX + 96];
    fc_figure *f = &goal->fig;
    if (fc_figure_parse(m, goal->metric, f, why, sizeof why) != 0) {
        snprintf(err, errlen, "goals[%d].metric: %s", g + 1, why);
        return -1;
    }
    if (goal->from == 0) /* a model built before windows: the whole horizon */
        goal->from = 1;
    if (goal->by < 1 || goal->by > m->periods) {
        snprintf(err, errlen, "goals[%d].by: expected a period in [1, %d], got %d", g + 1, m->periods, goal->by);
        return -1;
    }
    if (goal->from < 1 || goal->from > goal->by) {
        snprintf(err, errlen, "goals[%d].from: expected a period in [1, %d] (by), got %d", g + 1, goal->by,
                 goal->from);
        return -1;
    }
    if (f->kind == FC_F_PIPELINE && (goal->from != 1 || goal->by != m->periods || goal->every)) {
        snprintf(err, errlen,
                 "goals[%d]: %s counts the units still on their way after the last period: it takes no "
                 "from, by or every",
                 g + 1, goal->metric);
        return -1;
    }
    if (f->kind == FC_F_CHANNEL && m->nchannels > 0)
        m->track_channels = 1;
    return 0;
}

static void count_param(fc_model *m, fc_param *p)
{
    p->index = m->nparams++;
    p->cop = -1;
}

static void list_param(fc_model *m, fc_param *p)
{
    m->params[p->index] = p;
}

int fc_model_set_correlations(fc_model *m, int n)
{
    free(m->corr);
    m->ncorr = 0;
    m->corr = calloc((size_t)n + 1, sizeof *m->corr);
    if (m->corr == NULL)
        return -1;
    m->ncorr = n;
    return 0;
}

/* The copula variable of path, added when new; -1 when no drawn-once,
 * continuous assumption has that path (the message in err then). */
static int cop_var(fc_model *m, const char *path, int pair, char *err, size_t errlen)
{
    for (int v = 0; v < m->ncop; v++)
        if (strcmp(m->cop_param[v]->path, path) == 0)
            return v;
    int v = m->ncop, found = 0;
    for (int i = 0; i < m->nparams; i++) {
        fc_param *p = (fc_param *)m->params[i];
        if (strcmp(p->path, path) != 0)
            continue;
        fc_dist_kind k = p->dist.kind;
        const char *why = k == FC_DIST_FIXED ? "is a constant"
                          : k == FC_DIST_POISSON || k == FC_DIST_BINOMIAL ? "is a count (only continuous laws are correlated)"
                          : p->per_period ? "is drawn every period (only drawn-once assumptions are correlated)"
                          : NULL;
        if (why) {
            snprintf(err, errlen, "correlations[%d]: '%s' %s", pair, path, why);
            return -1;
        }
        p->cop = v;
        if (!found)
            m->cop_param[v] = p;
        found = 1;
    }
    if (!found) {
        snprintf(err, errlen, "correlations[%d]: no assumption of this scenario is at '%s'", pair, path);
        return -1;
    }
    m->ncop++;
    return v;
}

/* The copula: variables, normal correlations, Cholesky factor. */
static int build_copula(fc_model *m, char *err, size_t errlen)
{
    free(m->cop_param);
    free(m->cop_chol);
    m->ncop = 0;
    m->cop_param = calloc(2 * (size_t)m->ncorr + 1, sizeof *m->cop_param);
    if (m->cop_param == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int *va = calloc((size_t)m->ncorr + 1, sizeof *va), *vb = calloc((size_t)m->ncorr + 1, sizeof *vb);
    if (va == NULL || vb == NULL) {
        free(va);
        free(vb);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int st = 0;
    for (int i = 0; i < m->ncorr && st == 0; i++) {
        va[i] = cop_var(m, m->corr[i].a, i + 1, err, errlen);
        vb[i] = va[i] < 0 ? -1 : cop_var(m, m->corr[i].b, i + 1, err, errlen);
        st = va[i] < 0 || vb[i] < 0 ? -1 : 0;
        if (st == 0 && m->ncop > FC_MAX_CORRELATED) {
            snprintf(err, errlen, "correlations: at most %d assumptions can be correlated", FC_MAX_CORRELATED);
            st = -1;
        }
    }
    const int n = m->ncop;
    double *r = st == 0 ? calloc((size_t)n * (size_t)n + 1, sizeof *r) : NULL;
    m->cop_chol = st == 0 ? calloc((size_t)n * (size_t)n + 1, sizeof *m->cop_chol) : NULL;
    if (st == 0 && (r == NULL || m->cop_chol == NULL)) {
        snprintf(err, errlen, "out of memory");
        st = -1;
    }
    if (st == 0) {
        /* the normal correlation whose Spearman correlation is rho */
        for (int v = 0; v < n; v++)
            r[v * n + v] = 1;
        for (int i = 0; i < m->ncorr; i++)
            r[va[i] * n + vb[i]] = r[vb[i] * n + va[i]] = 2 * fc_sinpi(m->corr[i].rho / 6);
        double *l = m->cop_chol;
        for (int j = 0; j < n && st == 0; j++) {
            double d = r[j * n + j];
            for (int k = 0; k < j; k++)
                d -= l[j * n + k] * l[j * n + k];
            if (!(d > 1e-10)) {
                int used = snprintf(err, errlen, "correlations: no joint law has these rank correlations "
                                    "(the matrix is not positive definite); check the pairs of '%s':",
                                    m->cop_param[j]->path);
                for (int i = 0; i < m->ncorr && used > 0 && (size_t)used < errlen; i++)
                    if (va[i] == j || vb[i] == j)
                        used += snprintf(err + used, errlen - (size_t)used, " correlations[%d]", i + 1);
                st = -1;
                break;
            }
            l[j * n + j] = sqrt(d);
            for (int i = j + 1; i < n; i++) {
                double x = r[i * n + j];
                for (int k = 0; k < j; k++)
                    x -= l[i * n + k] * l[j * n + k];
                l[i * n + j] = x / l[j * n + j];
            }
        }
    }
    free(r);
    free(va);
    free(vb);
    return st;
}

/* The assumptions drawn once per trial, and the terciles of each one's law:
 * its quantiles at 1/3 and 2/3 (z = -+0.4307..., the normal's 2/3 quantile). */
static int list_drivers(fc_model *m, char *err, size_t errlen)
{
    static const double z23 = 0.43072729929545755;
    free(m->drivers);
    free(m->driver_cut);
    m->ndrivers = 0;
    m->drivers = calloc((size_t)m->nparams + 1, sizeof *m->drivers);
    m->driver_cut = calloc(2 * (size_t)m->nparams + 1, sizeof *m->driver_cut);
    if (m->drivers == NULL || m->driver_cut == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (int i = 0; i < m->nparams; i++) {
        const fc_param *p = m->params[i];
        /* a count law has no exact thirds (ties); a per-channel rate's
         * default is one assumption under one path, however many channels
         * share it */
        if (p->dist.kind == FC_DIST_FIXED || p->per_period || p->dist.kind == FC_DIST_POISSON ||
            p->dist.kind == FC_DIST_BINOMIAL)
            continue;
        int seen = 0;
        for (int j = 0; j < m->ndrivers && !seen; j++)
            seen = strcmp(m->drivers[j]->path, p->path) == 0;
        if (seen)
            continue;
        m->driver_cut[2 * m->ndrivers] = fc_dist_quantile_z(&p->dist, -z23);
        m->driver_cut[2 * m->ndrivers + 1] = fc_dist_quantile_z(&p->dist, z23);
        m->drivers[m->ndrivers++] = p;
    }
    return 0;
}

int fc_model_finish(fc_model *m, char *err, size_t errlen)
{
    fc_customers *cu = &m->customers;
    cu->expands = !(cu->expansion.dist.kind == FC_DIST_FIXED && cu->expansion.dist.p[0] == 0);
    cu->by_tenure = cu->churn_kind == FC_CHURN_SBG || cu->expands;
    if (cu->expands && cu->expansion.per_period) {
        snprintf(err, errlen, "customers.expansion: expected a number or a distribution drawn once per trial, "
                              "not every period");
        return -1;
    }
    if (m->obs.periods > 0 && cu->by_tenure) {
        snprintf(err, errlen, "customers.churn: observed periods (--actuals) need a churn rate, not sbg{} or "
                              "expansion: customers counted by tenure cannot be taken from a file yet");
        return -1;
    }
    m->nparams = 0;
    each_param(m, count_param);
    free(m->params);
    m->params = calloc((size_t)m->nparams + 1, sizeof *m->params);
    if (m->params == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    each_param(m, list_param);
    for (int i = 0; i < m->nparams; i++) {
        const fc_param *p = m->params[i];
        char derr[200];
        if (p->path[0] == 0) {
            snprintf(err, errlen, "an assumption without a field path (or one longer than %d bytes)",
                     FC_PATH_MAX);
            return -1;
        }
        if (fc_dist_check(&p->dist, derr, sizeof derr) != 0) {
            snprintf(err, errlen, "%s: %s", p->path, derr);
            return -1;
        }
        /* a constant outside its domain is a scenario error, not a runtime one */
        if (p->dist.kind == FC_DIST_FIXED && !p->clip && !fc_domain_contains(p->domain, p->dist.p[0])) {
            snprintf(err, errlen, "%s: expected %s, got %g", p->path, fc_domain_text(p->domain),
                     p->dist.p[0]);
            return -1;
        }
        /* and a law that can draw outside it, unless its draws are clipped */
        if (!p->clip && !fc_domain_holds(p->domain, &p->dist)) {
            snprintf(err, errlen, "%s: expected a law whose draws are %s (or clip = true), got %s",
                     p->path, fc_domain_text(p->domain), fc_dist_kind_name(p->dist.kind));
            return -1;
        }
    }
    if (check_paths(m, err, errlen) != 0 || build_copula(m, err, errlen) != 0 ||
        list_drivers(m, err, errlen) != 0)
        return -1;
    char what[64];
    if (check_name(m->name, 0, "name", err, errlen) != 0)
        return -1;
    for (int k = 0; k < m->nstages; k++) {
        snprintf(what, sizeof what, "funnel[%d].name", k + 1);
        if (check_name(m->stages[k].name, 1, what, err, errlen) != 0)
            return -1;
        for (int j = 0; j < k; j++)
            if (strcmp(m->stages[j].name, m->stages[k].name) == 0) {
                snprintf(err, errlen, "funnel[%d]: stage name '%s' is used twice", k + 1,
                         m->stages[k].name);
                return -1;
            }
        if (fc_metric_id(m->stages[k].name) >= 0) {
            snprintf(err, errlen, "funnel[%d].name: '%s' is the name of a metric", k + 1, m->stages[k].name);
            return -1;
        }
    }
    for (int c = 0; c < m->nchannels; c++) {
        snprintf(what, sizeof what, "channels[%d].name", c + 1);
        if (check_name(m->channels[c].name, 1, what, err, errlen) != 0)
            return -1;
        for (int j = 0; j < c; j++)
            if (strcmp(m->channels[j].name, m->channels[c].name) == 0) {
                snprintf(err, errlen, "channels: channel name '%s' is used twice", m->channels[c].name);
                return -1;
            }
    }
    for (int g = 0; g < m->ngoals; g++) {
        snprintf(what, sizeof what, "goals[%d].name", g + 1);
        if (check_name(m->goals[g].name, 0, what, err, errlen) != 0)
            return -1;
        for (int j = 0; j < g; j++)
            if (strcmp(m->goals[j].name, m->goals[g].name) == 0) {
                snprintf(err, errlen, "goals[%d].name: '%s' is used twice", g + 1, m->goals[g].name);
                return -1;
            }
        if (!(m->goals[g].confidence > 0 && m->goals[g].confidence < 1)) {
            snprintf(err, errlen, "goals[%d].confidence: expected a number in (0, 1), got %g", g + 1,
                     m->goals[g].confidence);
            return -1;
        }
        if (!isfinite(m->goals[g].target) || (m->goals[g].op != FC_GOAL_AT_LEAST && m->goals[g].op != FC_GOAL_AT_MOST)) {
            snprintf(err, errlen, "goals[%d]: expected a finite target and an operator >= or <=", g + 1);
            return -1;
        }
    }
    if (!(m->customers.discount >= 0 && isfinite(m->customers.discount))) {
        snprintf(err, errlen, "customers.discount: expected a number >= 0, got %g", m->customers.discount);
        return -1;
    }
    if (m->periods < 1 || m->periods > FC_MAX_PERIODS) {
        snprintf(err, errlen, "periods: expected an integer in [1, %d], got %d",
                 FC_MAX_PERIODS, m->periods);
        return -1;
    }
    if (m->nstages > FC_MAX_STAGES || m->nchannels > FC_MAX_CHANNELS) {
        snprintf(err, errlen, "scenario: expected at most %d stages and %d channels", FC_MAX_STAGES,
                 FC_MAX_CHANNELS);
        return -1;
    }
    if (m->ngoals > FC_MAX_GOALS) {
        snprintf(err, errlen, "goals: expected at most %d goals, got %d", FC_MAX_GOALS, m->ngoals);
        return -1;
    }
    if (m->nstages < 1) {
        snprintf(err, errlen, "funnel: expected at least one stage");
        return -1;
    }
    m->track_channels = m->track_channels && m->nchannels > 0;
    m->customers.churned_key = fc_rng_key("customers.churned");
    m->winback.won_back_key = fc_rng_key("winback.won_back");
    m->obs.split_key = fc_rng_key("observed.split");
    for (int k = 0; k < m->nstages; k++) {
        char path[FC_PATH_MAX + 1];
        snprintf(path, sizeof path, "funnel.%s", m->stages[k].name);
        m->stages[k].key = fc_rng_key(path);
        snprintf(path, sizeof path, "funnel.%s.channels", m->stages[k].name);
        m->stages[k].split_key = fc_rng_key(path);
        snprintf(path, sizeof path, "funnel.%s.pipeline", m->stages[k].name);
        m->stages[k].pipe_key = fc_rng_key(path);
        snprintf(path, sizeof path, "funnel.%s.before", m->stages[k].name);
        m->stages[k].before_key = fc_rng_key(path);
        if (m->stages[k].nbefore > 0 && k == m->nstages - 1) {
            snprintf(err, errlen, "funnel.%s.before: the last stage's units go no further", m->stages[k].name);
            return -1;
        }
        if (m->stages[k].rate_by_channel)
            m->track_channels = 1;
    }
    for (int c = 0; c < m->nchannels; c++) {
        char path[FC_PATH_MAX + 1];
        snprintf(path, sizeof path, "channels.%s.arrivals", m->channels[c].name);
        m->channels[c].arrivals_key = fc_rng_key(path);
        if (m->channels[c].enters < 0 || m->channels[c].enters >= m->nstages) {
            snprintf(err, errlen, "channels.%s.enters: no such stage", m->channels[c].name);
            return -1;
        }
    }
    for (int g = 0; g < m->ngoals; g++)
        if (finish_goal(m, g, err, errlen) != 0)
            return -1;
    return 0;
}
