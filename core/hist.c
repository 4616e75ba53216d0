/* hist: paged exact and logarithmic histograms (see hist.h). Pages of 32
 * consecutive keys hang from a directory indexed by page number, so a lookup
 * is one subtraction and one load, and walking the directory visits keys in
 * order. */
#include "hist.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_BITS 5
#define PAGE_KEYS (1 << PAGE_BITS)
/* Logarithmic keys: 0 for zero, LOG_BASE + i for a positive value in bucket
 * i, -(LOG_BASE + i) for a negative one, so that keys sort as values do. Every
 * double has |i| < 75,000 (4.9e-324 is bucket -74,450; 1.8e308 is 70,978). */
#define LOG_BASE INT64_C(75001)

_Static_assert(sizeof(fc_hist_page) == PAGE_KEYS * sizeof(uint64_t), "page layout");

/* gamma = (1 + alpha) / (1 - alpha); bucket i holds (gamma^(i-1), gamma^i].
 * alpha is taken a hair (1e-9 relative) below FC_HIST_ALPHA: the rounding of
 * log and exp (up to about 2e-14 relative near 1e300) would otherwise carry
 * values at a bucket's edge just past the promised bound. */
static double log_gamma(void)
{
    const double a = FC_HIST_ALPHA * (1 - 1e-9);
    return log((1 + a) / (1 - a));
}

static int64_t log_key(double x)
{
    if (x == 0)
        return 0;
    double i = ceil(log(fabs(x)) / log_gamma());
    return x > 0 ? LOG_BASE + (int64_t)i : -(LOG_BASE + (int64_t)i);
}

static double log_value(int64_t key)
{
    if (key == 0)
        return 0;
    int64_t i = (key > 0 ? key : -key) - LOG_BASE;
    double g = log_gamma();
    /* 2 gamma^i / (gamma + 1): within alpha of every value of the bucket.
     * Multiplied in log space, since 2 gamma^i overflows above DBL_MAX / 2;
     * past DBL_MAX (the top bucket) DBL_MAX itself is nearer every value. */
    double v = exp((double)i * g + log(2 / (exp(g) + 1)));
    v = v > DBL_MAX ? DBL_MAX : v;
    return key > 0 ? v : -v;
}

void fc_hist_init(fc_hist *h, int exact)
{
    memset(h, 0, sizeof *h);
    h->exact = exact;
}

void fc_hist_free(fc_hist *h)
{
    for (size_t i = 0; i < h->len; i++)
        free(h->dir[i]);
    free(h->dir);
    memset(h, 0, sizeof *h);
}

/* Makes the directory cover page id. Returns 0; 1 when the span would pass
 * FC_HIST_MAX_SPAN (an exact histogram must then turn logarithmic); -1 when
 * out of memory. */
static int cover(fc_hist *h, int64_t id)
{
    if (h->len > 0 && id >= h->base && id < h->base + (int64_t)h->len)
        return 0;
    int64_t lo = h->len ? (id < h->base ? id : h->base) : id;
    int64_t hi = h->len ? (id >= h->base + (int64_t)h->len ? id : h->base + (int64_t)h->len - 1) : id;
    if (hi - lo + 1 > FC_HIST_MAX_SPAN)
        return 1;
    /* grow geometrically, towards the side that was hit, within the limit */
    int64_t want = hi - lo + 1, len = h->len ? 2 * (int64_t)h->len : 8;
    while (len < want)
        len *= 2;
    if (len > FC_HIST_MAX_SPAN)
        len = FC_HIST_MAX_SPAN;
    int64_t base = id < h->base || h->len == 0 ? hi - len + 1 : lo;
    if (h->len == 0)
        base = id - len / 2;
    fc_hist_page **dir = calloc((size_t)len, sizeof *dir);
    if (dir == NULL)
        return -1;
    for (size_t i = 0; i < h->len; i++)
        dir[h->base + (int64_t)i - base] = h->dir[i];
    free(h->dir);
    h->dir = dir;
    h->base = base;
    h->len = (size_t)len;
    return 0;
}

/* Adds count at key. Returns 0; 1 when the key lies beyond the span limit;
 * -1 when out of memory. */
static int add_key(fc_hist *h, int64_t key, uint64_t count)
{
    int64_t id = key >> PAGE_BITS; /* arithmetic shift: floor for negative keys */
    int st = cover(h, id);
    if (st != 0)
        return st;
    fc_hist_page **p = &h->dir[id - h->base];
    if (*p == NULL) {
        *p = calloc(1, sizeof **p);
        if (*p == NULL)
            return -1;
        h->npages++;
    }
    (*p)->counts[key & (PAGE_KEYS - 1)] += count;
    h->count += count;
    return 0;
}

/* Turns an exact histogram into a logarithmic one. */
static int to_log(fc_hist *h)
{
    fc_hist lg;
    fc_hist_init(&lg, 0);
    for (size_t i = 0; i < h->len; i++) {
        const fc_hist_page *p = h->dir[i];
        if (p == NULL)
            continue;
        for (int j = 0; j < PAGE_KEYS; j++) {
            int64_t key = (h->base + (int64_t)i) * PAGE_KEYS + j;
            if (p->counts[j] && add_key(&lg, log_key((double)key), p->counts[j]) != 0) {
                fc_hist_free(&lg);
                return -1;
            }
        }
    }
    fc_hist_free(h);
    *h = lg;
    return 0;
}

int fc_hist_settle(fc_hist *h)
{
    return h->exact && h->npages > FC_HIST_MAX_PAGES ? to_log(h) : 0;
}

int fc_hist_add_key(fc_hist *h, int64_t key, uint64_t count)
{
    int st = add_key(h, key, count);
    if (st == 1 && h->exact) { /* too wide to count exactly */
        if (to_log(h) != 0)
            return -1;
        return fc_hist_add_key(h, log_key((double)key), count);
    }
    if (st != 0)
        return -1;
    return fc_hist_settle(h);
}

int fc_hist_add(fc_hist *h, double x)
{
    if (h->exact) {
        if (x == floor(x) && fabs(x) < 0x1p62)
            return fc_hist_add_key(h, (int64_t)x, 1);
        if (to_log(h) != 0)
            return -1;
    }
    return add_key(h, log_key(x), 1) == 0 ? 0 : -1;
}

int fc_hist_add_many(fc_hist *h, const double *x, size_t stride, size_t n, double *min,
                     double *max, uint64_t *nonfinite)
{
    double mn = *min, mx = *max;
    uint64_t bad = 0;
    int st = 0;
    size_t i = 0;
    while (i < n) {
        /* the exact kind's common case: a whole number whose page exists */
        if (h->exact) {
            const int64_t base = h->base;
            const size_t len = h->len;
            fc_hist_page **const dir = h->dir;
            uint64_t added = 0;
            for (; i < n; i++) {
                double v = x[i * stride];
                if (!(v > -0x1p62 && v < 0x1p62))
                    break;
                int64_t key = (int64_t)v;
                uint64_t at = (uint64_t)((key >> 5) - base);
                if ((double)key != v || at >= len || dir[at] == NULL)
                    break;
                mn = v < mn ? v : mn;
                mx = v > mx ? v : mx;
                dir[at]->counts[key & 31]++;
                added++;
            }
            h->count += added;
            if (i == n)
                break;
        }
        /* anything else, one value */
        double v = x[i * stride];
        i++;
        if (!(fabs(v) <= DBL_MAX)) { /* isfinite, in two instructions */
            bad++;
            continue;
        }
        mn = v < mn ? v : mn;
        mx = v > mx ? v : mx;
        if (fc_hist_add(h, v) != 0) {
            st = -1;
            break;
        }
    }
    *min = mn;
    *max = mx;
    *nonfinite += bad;
    return st;
}

int fc_hist_each(const fc_hist *h, int (*f)(void *ctx, int64_t key, uint64_t count), void *ctx)
{
    for (size_t i = 0; i < h->len; i++) {
        const fc_hist_page *p = h->dir[i];
        if (p == NULL)
            continue;
        for (int j = 0; j < PAGE_KEYS; j++)
            if (p->counts[j]) {
                int st = f(ctx, (h->base + (int64_t)i) * PAGE_KEYS + j, p->counts[j]);
                if (st != 0)
                    return st < 0 ? -1 : 0;
            }
    }
    return 0;
}

static int merge_one(void *ctx, int64_t key, uint64_t count)
{
    return fc_hist_add_key(ctx, key, count);
}

/* A key of an exact histogram is a value: `into` may be logarithmic from the
 * start, or turn so part-way through the merge (the union passes the page or
 * span limit), and then takes the value's logarithmic key. */
static int merge_value(void *ctx, int64_t key, uint64_t count)
{
    fc_hist *h = ctx;
    return fc_hist_add_key(h, h->exact ? key : log_key((double)key), count);
}

int fc_hist_merge(fc_hist *into, const fc_hist *from)
{
    if (into->exact && !from->exact && to_log(into) != 0)
        return -1;
    return fc_hist_each(from, from->exact ? merge_value : merge_one, into);
}

typedef struct rank_ctx {
    const fc_hist *h;
    const uint64_t *rank;
    int n, at;
    uint64_t seen;
    double *out;
} rank_ctx;

static int rank_one(void *ctx, int64_t key, uint64_t count)
{
    rank_ctx *r = ctx;
    r->seen += count;
    while (r->at < r->n && r->rank[r->at] <= r->seen)
        r->out[r->at++] = r->h->exact ? (double)key : log_value(key);
    return r->at == r->n ? 1 : 0; /* 1 stops the walk */
}

int fc_hist_at_ranks(const fc_hist *h, const uint64_t *rank, int n, double *out)
{
    rank_ctx r = {h, rank, n, 0, 0, out};
    for (int i = 0; i < n; i++)
        out[i] = NAN;
    return fc_hist_each(h, rank_one, &r);
}

size_t fc_hist_bytes(const fc_hist *h)
{
    return h->len * sizeof *h->dir + h->npages * sizeof(fc_hist_page);
}
