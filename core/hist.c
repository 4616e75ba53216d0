/* hist: paged exact and logarithmic histograms under a cap (see hist.h).
 * Pages of 32 consecutive keys hang from a directory indexed by page number,
 * so a lookup is one subtraction and one load, and walking the directory
 * visits keys in order.
 *
 * A histogram "fits" its cap at a level when the pages its set of keys
 * takes at that level, and the page numbers its directories must reach, cost
 * at most caps.bytes. Both grow with the set, for any fixed level. So
 * the first level (from the exact kind up) that fits a set is never below
 * the first level that fits any of its subsets: adding a key that does not
 * fit searches upward from the current level only, and the result is the
 * first fitting level of everything added, in whatever order or grouping. */
#include "hist.h"
#include "elem.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_BITS 5
#define PAGE_KEYS (1 << PAGE_BITS)
/* Logarithmic keys: 0 for zero, LOG_BASE + i for a positive value in bucket
 * i, -(LOG_BASE + i) for a negative one, so that keys sort as values do. Every
 * double has |i| < LOG_LIMIT at level 0 (see FC_HIST_KEY_BASE). */
#define LOG_BASE FC_HIST_KEY_BASE
#define LOG_LIMIT (FC_HIST_KEY_BASE - 1)
/* At the top level every bucket of a double is 0 or 1 (on one page). */
_Static_assert((INT64_C(1) << FC_HIST_MAX_LEVEL) >= LOG_LIMIT, "top level");
/* What the allocator adds to a block (glibc: an 8-byte header, blocks in
 * steps of 16 bytes), counted with every page and directory. */
#define ALLOC_OVERHEAD 16
/* What a page is charged: at least its bytes and its high counts' whether
 * these are allocated or not (fc_hist_page), the same for every page */
#define PAGE_COST ((uint64_t)FC_HIST_PAGE_COST)
#define DIR_COST(len) ((uint64_t)(len) * sizeof(fc_hist_page *) + ALLOC_OVERHEAD)
_Static_assert(FC_HIST_PAGE_COST >= sizeof(fc_hist_page) + ALLOC_OVERHEAD + 32 * sizeof(uint32_t) + ALLOC_OVERHEAD,
               "page cost");
/* A directory grown by doubling holds fewer than twice the entries it must
 * reach (8 at least): 8 bytes each, FC_HIST_SPAN_COST counts 16. */
_Static_assert(FC_HIST_SPAN_COST == 2 * sizeof(fc_hist_page *), "span cost");
_Static_assert(FC_HIST_SIDE_COST >= 8 * sizeof(fc_hist_page *) + ALLOC_OVERHEAD + 16, "side cost");
/* side_add's answer when a new page would pass the caps */
#define NEED 3

_Static_assert(sizeof(((fc_hist_page *)0)->lo) / sizeof(uint16_t) == PAGE_KEYS, "page layout");

/* Count of key j of page p. */
static inline uint64_t page_count(const fc_hist_page *p, int j)
{
    return p->lo[j] | (p->hi ? (uint64_t)p->hi[j] << 16 : 0);
}

/* Adds c to key j of page p. Returns 0, or -1 (p unchanged) when out of
 * memory or past FC_HIST_MAX_COUNT. */
static int page_add(fc_hist_page *p, int j, uint64_t c)
{
    uint64_t total = page_count(p, j) + c;
    if (total > FC_HIST_MAX_COUNT || total < c)
        return -1;
    if ((total >> 16) && p->hi == NULL && (p->hi = calloc(PAGE_KEYS, sizeof *p->hi)) == NULL)
        return -1;
    p->lo[j] = (uint16_t)total;
    if (p->hi)
        p->hi[j] = (uint32_t)(total >> 16);
    return 0;
}

static void page_free(fc_hist_page *p)
{
    if (p) {
        free(p->hi);
        free(p);
    }
}

/* gamma = (1 + alpha) / (1 - alpha); bucket i holds (gamma^(i-1), gamma^i].
 * alpha is taken a hair (1e-7 relative, 3e-11 absolute) below FC_HIST_ALPHA:
 * the rounding of log and exp (found up to 2e-13 relative at bucket edges
 * near 1e285, where i * log(gamma) is near 660 and i near a million) would
 * otherwise carry values at a bucket's edge just past the promised bound. */
#define ALPHA_HAIR 1e-7
static double log_gamma(void)
{
    const double a = FC_HIST_ALPHA * (1 - ALPHA_HAIR);
    return fc_log((1 + a) / (1 - a));
}

/* The level-0 bucket of a nonzero finite value's magnitude. */
static int64_t log_index(double x)
{
    return (int64_t)ceil(fc_log(fabs(x)) / log_gamma());
}

/* ceil(i / 2^s) for s >= 0 (an arithmetic shift floors). */
static inline int64_t ceil_shift(int64_t i, int s)
{
    return -((-i) >> s);
}

/* The representative of bucket i at `level` on side `neg`: 2 g^i / (g + 1)
 * for g = gamma^(2^level), within (g - 1) / (g + 1) of every value of the
 * bucket. Multiplied in log space, since 2 g^i overflows above DBL_MAX / 2
 * (and g itself at the top levels: log(2 / (g + 1)) is taken as log 2 -
 * log g - log1p(1 / g)); past DBL_MAX (the top bucket) DBL_MAX itself is
 * nearer every value. */
static double log_value(int level, int neg, int64_t i)
{
    double g = ldexp(log_gamma(), level);
    double v = fc_exp((double)i * g + (fc_log(2) - g - fc_log1p(fc_exp(-g))));
    v = v > DBL_MAX ? DBL_MAX : v;
    return neg ? -v : v;
}

fc_hist_caps fc_hist_caps_for(uint32_t pages)
{
    pages = pages < FC_HIST_MIN_PAGES ? FC_HIST_MIN_PAGES : pages > FC_HIST_MAX_PAGES ? FC_HIST_MAX_PAGES : pages;
    return (fc_hist_caps){pages, FC_HIST_CAP_BYTES(pages), 0};
}

uint64_t fc_hist_max_bytes(fc_hist_caps caps)
{
    return caps.bytes;
}

uint64_t fc_hist_extra_bytes(fc_hist_caps caps)
{
    /* a rebuilt histogram beside the old one, or a directory beside its
     * replacement: each within the cap */
    return caps.bytes;
}

/* The least a cap may be: two sides at the top level (one page each). */
#define CAP_LEAST (2 * (FC_HIST_PAGE_COST + FC_HIST_SPAN_COST + FC_HIST_SIDE_COST))

void fc_hist_init_with(fc_hist *h, int exact, fc_hist_caps caps, fc_meter *meter, uint64_t yield)
{
    memset(h, 0, sizeof *h);
    h->exact = exact;
    h->caps = caps;
    if (h->caps.bytes < CAP_LEAST)
        h->caps.bytes = CAP_LEAST;
    h->meter = meter;
    h->yield = yield;
}

void fc_hist_init(fc_hist *h, int exact)
{
    fc_hist_init_with(h, exact, fc_hist_caps_for(FC_HIST_MAX_PAGES), NULL, UINT64_MAX);
}

/* Counts n more bytes held; with may_yield, refuses (FC_HIST_FULL) to take
 * the meter past h->yield. */
static int charge(fc_hist *h, uint64_t n, int may_yield)
{
    if (h->meter) {
        uint64_t before = (uint64_t)atomic_fetch_add(&h->meter->used, n);
        if (may_yield && (before + n > h->yield || before + n < before)) {
            atomic_fetch_sub(&h->meter->used, n);
            return FC_HIST_FULL;
        }
    }
    h->bytes += n;
    return 0;
}

static void refund(fc_hist *h, uint64_t n)
{
    if (h->meter)
        atomic_fetch_sub(&h->meter->used, n);
    h->bytes -= n;
}

static void free_sides(fc_hist *h)
{
    for (int k = 0; k < 2; k++) {
        fc_hist_side *s = &h->side[k];
        for (size_t i = 0; i < s->len; i++)
            page_free(s->dir[i]);
        free(s->dir);
        memset(s, 0, sizeof *s);
    }
    refund(h, h->bytes);
}

void fc_hist_free(fc_hist *h)
{
    free_sides(h);
    memset(h, 0, sizeof *h);
}

void fc_hist_clear(fc_hist *h)
{
    fc_hist_caps caps = h->caps;
    fc_meter *meter = h->meter;
    uint64_t yield = h->yield;
    free_sides(h);
    fc_hist_init_with(h, 1, caps, meter, yield);
}

static uint64_t side_span(const fc_hist_side *s)
{
    return s->npages ? (uint64_t)(s->hi - s->lo) + 1 : 0;
}

/* What the caps count for `pages` pages and sides reaching span0 and span1
 * page numbers (0: not in use). */
static uint64_t cost_of(uint64_t pages, uint64_t span0, uint64_t span1)
{
    return pages * FC_HIST_PAGE_COST + (span0 + span1) * FC_HIST_SPAN_COST +
           ((span0 > 0) + (span1 > 0)) * (uint64_t)FC_HIST_SIDE_COST;
}

/* Makes side s's directory reach page id (whose cost the caller has checked
 * against the cap: the directory holds fewer than twice the entries it must
 * reach, or 8). Returns 0, FC_HIST_FULL or -1. */
static int cover(fc_hist *h, fc_hist_side *s, int64_t id, int may_yield)
{
    if (s->len > 0 && (uint64_t)(id - s->base) < s->len)
        return 0;
    int64_t lo = s->npages ? (id < s->lo ? id : s->lo) : id;
    int64_t hi = s->npages ? (id > s->hi ? id : s->hi) : id;
    uint64_t want = (uint64_t)(hi - lo) + 1;
    /* grow geometrically, towards the side that was hit */
    uint64_t len = s->len ? 2 * (uint64_t)s->len : 8;
    while (len < want)
        len *= 2;
    if (len >= 2 * want && len > 8)
        len = want; /* a directory that holds more than it reaches (after a rebuild) */
    int64_t base = s->npages == 0 ? id - (int64_t)(len / 2) : id < s->lo ? hi - (int64_t)len + 1 : lo;
    int st = charge(h, DIR_COST(len), may_yield);
    if (st != 0)
        return st;
    fc_hist_page **dir = calloc((size_t)len, sizeof *dir);
    if (dir == NULL) {
        refund(h, DIR_COST(len));
        return -1;
    }
    if (s->npages)
        for (int64_t p = s->lo; p <= s->hi; p++)
            dir[p - base] = s->dir[p - s->base];
    if (s->dir) {
        free(s->dir);
        refund(h, DIR_COST(s->len));
    }
    s->dir = dir;
    s->base = base;
    s->len = (size_t)len;
    return 0;
}

/* Adds count at key of side k. Returns 0; NEED when a new page would pass the
 * caps (nothing changed); FC_HIST_FULL; -1 when out of memory. */
static int side_add(fc_hist *h, int k, int64_t key, uint64_t count, int may_yield)
{
    fc_hist_side *s = &h->side[k];
    int64_t id = key >> PAGE_BITS; /* arithmetic shift: floor for negative keys */
    uint64_t at = (uint64_t)(id - s->base);
    fc_hist_page *p = at < s->len ? s->dir[at] : NULL;
    if (p == NULL) {
        int64_t lo = s->npages && s->lo < id ? s->lo : id;
        int64_t hi = s->npages && s->hi > id ? s->hi : id;
        uint64_t span = (uint64_t)(hi - lo) + 1, other = side_span(&h->side[!k]);
        if (cost_of(h->side[0].npages + h->side[1].npages + 1, k ? other : span, k ? span : other) >
            h->caps.bytes)
            return NEED;
        int st = cover(h, s, id, may_yield);
        if (st == 0)
            st = charge(h, PAGE_COST, may_yield);
        if (st != 0)
            return st;
        p = calloc(1, sizeof *p);
        if (p == NULL || page_add(p, (int)(key & (PAGE_KEYS - 1)), count) != 0) {
            page_free(p);
            refund(h, PAGE_COST);
            return -1;
        }
        s->dir[id - s->base] = p;
        s->npages++;
        s->lo = lo;
        s->hi = hi;
    } else if (page_add(p, (int)(key & (PAGE_KEYS - 1)), count) != 0) {
        return -1;
    }
    h->count += count;
    return 0;
}

/* ---- changing kind or level -------------------------------------------- */

/* A key about to be added: bucket i at `level` of side `side` (none for a
 * zero, which takes no page). */
typedef struct pend {
    int has, side, level;
    int64_t i;
} pend;

/* Where bucket `key` of side k of h goes at a logarithmic level: *side -1
 * for a zero. */
static void target_of(const fc_hist *h, int k, int64_t key, int level, int *side, int64_t *i)
{
    if (h->exact) {
        double x = (double)key;
        *side = x == 0 ? -1 : x < 0;
        *i = x == 0 ? 0 : ceil_shift(log_index(x), level);
    } else {
        *side = k;
        *i = ceil_shift(key, level - h->level);
    }
}

/* The pages and their reach, per side, of h's keys and the pending one at a
 * logarithmic level. */
typedef struct fit {
    uint64_t pages[2];
    int64_t lo[2], hi[2];
} fit;

static void widen(fit *f, int side, int64_t id)
{
    if (f->pages[side] == 0 || id < f->lo[side])
        f->lo[side] = id;
    if (f->pages[side] == 0 || id > f->hi[side])
        f->hi[side] = id;
}

/* Walks h's keys in key order on each side: their targets are monotone on
 * each target side (an exact histogram's negative values come with shrinking
 * magnitudes), so a page's keys arrive together and counting changes of page
 * counts pages. */
static void fit_at(const fc_hist *h, int level, const pend *pd, fit *f)
{
    memset(f, 0, sizeof *f);
    int64_t last[2] = {0, 0}, pid = pd->has ? ceil_shift(pd->i, level - pd->level) >> PAGE_BITS : 0;
    int found = 0;
    for (int k = 0; k < 2; k++) {
        const fc_hist_side *s = &h->side[k];
        for (int64_t id = s->lo; s->npages && id <= s->hi; id++) {
            const fc_hist_page *p = s->dir[id - s->base];
            for (int j = 0; p && j < PAGE_KEYS; j++) {
                if (page_count(p, j) == 0)
                    continue;
                int side;
                int64_t i;
                target_of(h, k, id * PAGE_KEYS + j, level, &side, &i);
                if (side < 0)
                    continue;
                int64_t t = i >> PAGE_BITS;
                if (f->pages[side] == 0 || t != last[side]) {
                    widen(f, side, t);
                    f->pages[side]++;
                    last[side] = t;
                }
                found |= pd->has && side == pd->side && t == pid;
            }
        }
    }
    if (pd->has && !found) {
        widen(f, pd->side, pid);
        f->pages[pd->side]++;
    }
}

static int fits(const fc_hist *h, const fit *f)
{
    uint64_t span[2];
    for (int k = 0; k < 2; k++)
        span[k] = f->pages[k] ? (uint64_t)(f->hi[k] - f->lo[k]) + 1 : 0;
    return cost_of(f->pages[0] + f->pages[1], span[0], span[1]) <= h->caps.bytes;
}

/* Rebuilds h as a logarithmic histogram at `level` (which fits, as f says),
 * counted in the meter but never refused; h is unchanged on failure. */
static int rebuild(fc_hist *h, int level, const fit *f)
{
    fc_hist nh;
    fc_hist_init_with(&nh, 0, h->caps, h->meter, UINT64_MAX);
    nh.level = level;
    /* directories that reach the pages already: no growth while filling */
    for (int k = 0; k < 2; k++) {
        if (f->pages[k] == 0)
            continue;
        uint64_t len = (uint64_t)(f->hi[k] - f->lo[k]) + 1;
        charge(&nh, DIR_COST(len), 0);
        nh.side[k].dir = calloc((size_t)len, sizeof *nh.side[k].dir);
        if (nh.side[k].dir == NULL) {
            refund(&nh, DIR_COST(len));
            fc_hist_free(&nh);
            return -1;
        }
        nh.side[k].base = f->lo[k];
        nh.side[k].len = (size_t)len;
    }
    nh.zeros = h->zeros;
    nh.count = h->zeros;
    for (int k = 0; k < 2; k++) {
        const fc_hist_side *s = &h->side[k];
        for (int64_t id = s->lo; s->npages && id <= s->hi; id++) {
            const fc_hist_page *p = s->dir[id - s->base];
            for (int j = 0; p && j < PAGE_KEYS; j++) {
                uint64_t c = page_count(p, j);
                if (c == 0)
                    continue;
                int side;
                int64_t i;
                target_of(h, k, id * PAGE_KEYS + j, level, &side, &i);
                if (side < 0) {
                    nh.zeros += c;
                    nh.count += c;
                } else if (side_add(&nh, side, i, c, 0) != 0) { /* memory (it fits) */
                    fc_hist_free(&nh);
                    return -1;
                }
            }
        }
    }
    uint64_t yield = h->yield;
    free_sides(h);
    *h = nh;
    h->yield = yield;
    return 0;
}

/* Makes h logarithmic at the first level from min_level up that fits its keys
 * and the pending one. */
static int restructure(fc_hist *h, int min_level, const pend *pd)
{
    fit f;
    int level = min_level < FC_HIST_MAX_LEVEL ? min_level : FC_HIST_MAX_LEVEL;
    for (;; level++) {
        fit_at(h, level, pd, &f);
        /* at the top level every key is on one page per side */
        if (fits(h, &f) || level == FC_HIST_MAX_LEVEL)
            break;
    }
    return rebuild(h, level, &f);
}

/* Makes h logarithmic at a level of at least `level`. */
static int lift(fc_hist *h, int level)
{
    if (!h->exact && h->level >= level)
        return 0;
    pend none = {0, 0, 0, 0};
    return restructure(h, level, &none);
}

/* ---- adding ------------------------------------------------------------ */

/* Adds count at bucket i (of `level` <= h->level) of side `side` of a
 * logarithmic h, which moves up a level when the bucket does not fit. */
static int log_add(fc_hist *h, int side, int64_t i, int level, uint64_t count)
{
    for (;;) {
        int st = side_add(h, side, ceil_shift(i, h->level - level), count, 1);
        if (st != NEED)
            return st;
        pend pd = {1, side, level, i};
        /* (the top level fits every key: caps of at least CAP_LEAST) */
        if (h->level >= FC_HIST_MAX_LEVEL || restructure(h, h->level + 1, &pd) != 0)
            return -1;
    }
}

static int log_add_value(fc_hist *h, double x, uint64_t count)
{
    if (x == 0) {
        h->zeros += count;
        h->count += count;
        return 0;
    }
    return log_add(h, x < 0, log_index(x), 0, count);
}

/* Adds count at whole number v. */
static int add_whole(fc_hist *h, int64_t v, uint64_t count)
{
    if (h->exact) {
        int st = side_add(h, 0, v, count, 1);
        if (st != NEED)
            return st;
        /* too wide to count exactly */
        double x = (double)v;
        pend pd = {x != 0, x < 0, 0, x != 0 ? log_index(x) : 0};
        if (restructure(h, h->caps.floor, &pd) != 0)
            return -1;
    }
    return log_add_value(h, (double)v, count);
}

int fc_hist_add(fc_hist *h, double x)
{
    if (h->exact) {
        if (x == floor(x) && fabs(x) < 0x1p62)
            return add_whole(h, (int64_t)x, 1);
        pend pd = {x != 0, x < 0, 0, log_index(x)};
        if (restructure(h, h->caps.floor, &pd) != 0)
            return -1;
    }
    return log_add_value(h, x, 1);
}

int fc_hist_add_many(fc_hist *h, const double *x, size_t stride, size_t n, double *min,
                     double *max, uint64_t *nonfinite, size_t *done)
{
    double mn = *min, mx = *max;
    uint64_t bad = 0;
    int st = 0;
    size_t i = 0;
    while (i < n) {
        /* the exact kind's common case: a whole number whose page exists */
        if (h->exact) {
            const int64_t base = h->side[0].base;
            const size_t len = h->side[0].len;
            fc_hist_page **const dir = h->side[0].dir;
            uint64_t added = 0;
            for (; i < n; i++) {
                double v = x[i * stride];
                if (!(v > -0x1p62 && v < 0x1p62))
                    break;
                int64_t key = (int64_t)v;
                uint64_t at = (uint64_t)((key >> 5) - base);
                /* a count about to pass 2^16 - 1 takes the slow path */
                if ((double)key != v || at >= len || dir[at] == NULL || dir[at]->lo[key & 31] == UINT16_MAX)
                    break;
                mn = v < mn ? v : mn;
                mx = v > mx ? v : mx;
                dir[at]->lo[key & 31]++;
                added++;
            }
            h->count += added;
            if (i == n)
                break;
        } else {
            /* the logarithmic kind's: a finite value whose bucket's page exists */
            const int level = h->level;
            uint64_t added = 0, zeros = 0;
            for (; i < n; i++) {
                double v = x[i * stride];
                if (!(fabs(v) <= DBL_MAX))
                    break;
                if (v != 0) {
                    const fc_hist_side *s = &h->side[v < 0];
                    int64_t key = ceil_shift(log_index(v), level);
                    uint64_t at = (uint64_t)((key >> PAGE_BITS) - s->base);
                    fc_hist_page *p;
                    if (at >= s->len || (p = s->dir[at]) == NULL || p->lo[key & (PAGE_KEYS - 1)] == UINT16_MAX)
                        break;
                    p->lo[key & (PAGE_KEYS - 1)]++;
                } else {
                    zeros++;
                }
                mn = v < mn ? v : mn;
                mx = v > mx ? v : mx;
                added++;
            }
            h->count += added;
            h->zeros += zeros;
            if (i == n)
                break;
        }
        /* anything else, one value */
        double v = x[i * stride];
        if (!(fabs(v) <= DBL_MAX)) { /* isfinite, in two instructions */
            bad++;
            i++;
            continue;
        }
        mn = v < mn ? v : mn;
        mx = v > mx ? v : mx;
        st = fc_hist_add(h, v);
        if (st != 0)
            break;
        i++;
    }
    *min = mn;
    *max = mx;
    *nonfinite += bad;
    *done = i;
    return st;
}

int fc_hist_add_foreign(fc_hist *h, int exact, int level, int64_t key, uint64_t count)
{
    if (count == 0)
        return 0;
    if (exact)
        return add_whole(h, key, count);
    if (level < 0 || level > FC_HIST_MAX_LEVEL || key == INT64_MIN)
        return FC_HIST_RANGE;
    int64_t i = (key < 0 ? -key : key) - LOG_BASE;
    if (key != 0 && (i < ceil_shift(-LOG_LIMIT, level) || i > ceil_shift(LOG_LIMIT, level)))
        return FC_HIST_RANGE;
    /* a part that is logarithmic at this level: so is the whole */
    if (lift(h, level) != 0)
        return -1;
    if (key == 0) {
        h->zeros += count;
        h->count += count;
        return 0;
    }
    return log_add(h, key < 0, i, level, count);
}

int fc_hist_add_key(fc_hist *h, int64_t key, uint64_t count)
{
    return fc_hist_add_foreign(h, h->exact, h->level, key, count);
}

/* ---- walking ------------------------------------------------------------ */

/* Calls f(key, count) for every nonzero bucket in key order; stops at the
 * first nonzero return and returns it. */
static int walk(const fc_hist *h, int (*f)(void *ctx, int64_t key, uint64_t count), void *ctx)
{
    if (h->exact || h->side[1].npages) {
        /* exact: every key on side 0; logarithmic: the negative side, largest
         * magnitude first */
        const int k = h->exact ? 0 : 1;
        const fc_hist_side *s = &h->side[k];
        for (int64_t n = 0; s->npages && n <= s->hi - s->lo; n++) {
            int64_t id = k ? s->hi - n : s->lo + n;
            const fc_hist_page *p = s->dir[id - s->base];
            for (int jj = 0; p && jj < PAGE_KEYS; jj++) {
                int j = k ? PAGE_KEYS - 1 - jj : jj;
                uint64_t c = page_count(p, j);
                if (c == 0)
                    continue;
                int64_t key = id * PAGE_KEYS + j;
                int st = f(ctx, k ? -(LOG_BASE + key) : key, c);
                if (st != 0)
                    return st;
            }
        }
        if (h->exact)
            return 0;
    }
    if (h->zeros) {
        int st = f(ctx, 0, h->zeros);
        if (st != 0)
            return st;
    }
    const fc_hist_side *s = &h->side[0];
    for (int64_t id = s->lo; s->npages && id <= s->hi; id++) {
        const fc_hist_page *p = s->dir[id - s->base];
        for (int j = 0; p && j < PAGE_KEYS; j++)
            if (page_count(p, j)) {
                int st = f(ctx, LOG_BASE + id * PAGE_KEYS + j, page_count(p, j));
                if (st != 0)
                    return st;
            }
    }
    return 0;
}

int fc_hist_each(const fc_hist *h, int (*f)(void *ctx, int64_t key, uint64_t count), void *ctx)
{
    int st = walk(h, f, ctx);
    return st < 0 ? -1 : 0;
}

typedef struct merge_ctx {
    fc_hist *into;
    int exact, level;
} merge_ctx;

static int merge_one(void *ctx, int64_t key, uint64_t count)
{
    merge_ctx *c = ctx;
    return fc_hist_add_foreign(c->into, c->exact, c->level, key, count);
}

int fc_hist_merge(fc_hist *into, const fc_hist *from)
{
    if (from->count == 0)
        return 0;
    /* the higher level first, so that no key is placed twice */
    if (!from->exact && lift(into, from->level) != 0)
        return -1;
    merge_ctx c = {into, from->exact, from->level};
    int st = walk(from, merge_one, &c);
    return st == FC_HIST_RANGE ? -1 : st;
}

typedef struct rank_ctx {
    const fc_hist *h;
    const uint64_t *rank;
    int n, at;
    uint64_t seen;
    double *out;
} rank_ctx;

static double value_of(const fc_hist *h, int64_t key)
{
    if (h->exact)
        return (double)key;
    if (key == 0)
        return 0;
    return log_value(h->level, key < 0, (key < 0 ? -key : key) - LOG_BASE);
}

static int rank_one(void *ctx, int64_t key, uint64_t count)
{
    rank_ctx *r = ctx;
    r->seen += count;
    while (r->at < r->n && r->rank[r->at] <= r->seen)
        r->out[r->at++] = value_of(r->h, key);
    return r->at == r->n ? 1 : 0; /* 1 stops the walk */
}

int fc_hist_at_ranks(const fc_hist *h, const uint64_t *rank, int n, double *out)
{
    rank_ctx r = {h, rank, n, 0, 0, out};
    for (int i = 0; i < n; i++)
        out[i] = NAN;
    return fc_hist_each(h, rank_one, &r);
}

double fc_hist_accuracy(int level)
{
    /* (g - 1) / (g + 1) = tanh(log(g) / 2) for g = gamma^(2^level), taken of
     * FC_HIST_ALPHA itself: above what the hair-narrower buckets give;
     * atanh a = log1p(2a / (1 - a)) / 2 and tanh y = e / (e + 2) with e =
     * expm1(2y), in core/elem's functions (the same bits on every machine) */
    if (level <= 0)
        return FC_HIST_ALPHA;
    const double a = FC_HIST_ALPHA;
    double e = fc_expm1(ldexp(fc_log1p(2 * a / (1 - a)), level));
    return e / (e + 2);
}

size_t fc_hist_bytes(const fc_hist *h)
{
    return (size_t)h->bytes;
}

size_t fc_hist_pages(const fc_hist *h)
{
    return h->side[0].npages + h->side[1].npages;
}
