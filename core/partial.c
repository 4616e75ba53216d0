/* partial: encoding, checked decoding and merging of shard summaries (see
 * partial.h). */
#include "partial.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "funnelcast.h"
#include "rng.h"

static const unsigned char MAGIC[8] = {'F', 'C', 'P', 'A', 'R', 'T', '\r', '\n'};

uint64_t fc_checksum(const void *buf, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const unsigned char *p = buf, *e = p + len; p < e; p++) {
        h ^= *p;
        h *= 0x100000001b3ULL;
    }
    return fc_mix64(h);
}

/* ---- writing: a growing buffer ---------------------------------------- */

typedef struct wbuf {
    unsigned char *p;
    size_t len, cap;
    int failed;
} wbuf;

static void put(wbuf *b, const void *src, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n)
            cap *= 2;
        unsigned char *p = realloc(b->p, cap);
        if (p == NULL) {
            b->failed = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, src, n);
    b->len += n;
}

static void put_u64(wbuf *b, uint64_t x)
{
    unsigned char v[8];
    for (int i = 0; i < 8; i++)
        v[i] = (unsigned char)(x >> (8 * i));
    put(b, v, 8);
}

static void put_u32(wbuf *b, uint32_t x)
{
    unsigned char v[4];
    for (int i = 0; i < 4; i++)
        v[i] = (unsigned char)(x >> (8 * i));
    put(b, v, 4);
}

static void put_f64(wbuf *b, double x)
{
    uint64_t u;
    memcpy(&u, &x, 8);
    put_u64(b, u);
}

static void put_str(wbuf *b, const char *s, size_t n)
{
    put_u32(b, (uint32_t)n);
    put(b, s, n);
}

typedef struct count_ctx {
    uint64_t n;
    wbuf *b;
} count_ctx;

static int count_entry(void *ctx, int64_t key, uint64_t count)
{
    (void)key;
    (void)count;
    ((count_ctx *)ctx)->n++;
    return 0;
}

static int put_entry(void *ctx, int64_t key, uint64_t count)
{
    wbuf *b = ((count_ctx *)ctx)->b;
    put_u64(b, (uint64_t)key);
    put_u64(b, count);
    return b->failed ? -1 : 0;
}

unsigned char *fc_partial_encode(const fc_summary *s, const char *scenario, size_t scenario_len,
                                 uint64_t seed, size_t *len)
{
    wbuf b = {0};
    const uint32_t nslots = (uint32_t)s->layout.nslots, ngoals = (uint32_t)s->model->ngoals;
    const uint32_t ndrivers = (uint32_t)s->model->ndrivers;
    put(&b, MAGIC, sizeof MAGIC);
    put_u32(&b, FC_PARTIAL_VERSION);
    put_u32(&b, FC_BLOCK);
    put_u32(&b, nslots);
    put_u32(&b, ngoals);
    put_u32(&b, ndrivers);
    put_str(&b, fc_version(), strlen(fc_version()));
    put_str(&b, scenario, scenario_len);
    put_u64(&b, seed);
    put_u64(&b, s->run_trials);
    put_u64(&b, s->shard_k);
    put_u64(&b, s->shard_n);
    put_u64(&b, s->ntrials);
    put_u64(&b, s->nkept);
    for (uint64_t j = 0; j < s->nkept; j++) {
        put_u64(&b, s->kept_trials[j]);
        for (uint32_t i = 0; i < nslots; i++) {
            const fc_moments *mo = &s->kept[j * nslots + i];
            put_f64(&b, mo->n);
            put_f64(&b, mo->mean);
            put_f64(&b, mo->m2);
        }
    }
    for (uint32_t i = 0; i < nslots; i++) {
        const fc_hist *h = &s->acc.hist[i];
        unsigned char exact = (unsigned char)h->exact;
        put(&b, &exact, 1);
        put_f64(&b, s->acc.min[i]);
        put_f64(&b, s->acc.max[i]);
        put_u64(&b, s->acc.infinite[i]);
        count_ctx c = {0, &b};
        if (fc_hist_each(h, count_entry, &c) != 0)
            b.failed = 1;
        put_u64(&b, c.n);
        if (fc_hist_each(h, put_entry, &c) != 0)
            b.failed = 1;
    }
    for (uint32_t g = 0; g < ngoals; g++)
        put_u64(&b, s->acc.goal_met[g]);
    for (uint32_t i = 0; i < 3 * ndrivers; i++)
        put_u64(&b, s->acc.driver_n[i]);
    for (uint32_t i = 0; i < 3 * ndrivers * ngoals; i++)
        put_u64(&b, s->acc.driver_met[i]);
    if (!b.failed)
        put_u64(&b, fc_checksum(b.p, b.len));
    if (b.failed) {
        free(b.p);
        return NULL;
    }
    *len = b.len;
    return b.p;
}

/* ---- reading: every length checked ------------------------------------ */

typedef struct rbuf {
    const unsigned char *p;
    size_t len, at;
    int short_read;
    int oom; /* a copy could not be allocated */
} rbuf;

static const unsigned char *take(rbuf *r, size_t n)
{
    if (r->short_read || n > r->len - r->at) {
        r->short_read = 1;
        return NULL;
    }
    const unsigned char *p = r->p + r->at;
    r->at += n;
    return p;
}

static uint64_t get_u64(rbuf *r)
{
    const unsigned char *v = take(r, 8);
    uint64_t x = 0;
    for (int i = 0; v && i < 8; i++)
        x |= (uint64_t)v[i] << (8 * i);
    return x;
}

static uint32_t get_u32(rbuf *r)
{
    const unsigned char *v = take(r, 4);
    uint32_t x = 0;
    for (int i = 0; v && i < 4; i++)
        x |= (uint32_t)v[i] << (8 * i);
    return x;
}

static double get_f64(rbuf *r)
{
    uint64_t u = get_u64(r);
    double x;
    memcpy(&x, &u, 8);
    return x;
}

static char *get_str(rbuf *r, size_t *n)
{
    uint32_t len = get_u32(r);
    const unsigned char *p = take(r, len);
    if (p == NULL)
        return NULL;
    char *s = malloc((size_t)len + 1);
    if (s == NULL) {
        r->oom = 1;
        return NULL;
    }
    memcpy(s, p, len);
    s[len] = 0;
    if (n)
        *n = len;
    return s;
}

void fc_partial_free(fc_partial *p)
{
    free(p->version);
    free(p->scenario);
    free(p->kept);
    free(p->kept_trials);
    fc_accum_free(&p->acc);
    memset(p, 0, sizeof *p);
}

int fc_partial_decode(const unsigned char *buf, size_t len, const char *name, fc_partial *out,
                      char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (len < sizeof MAGIC + 8 || memcmp(buf, MAGIC, sizeof MAGIC) != 0) {
        snprintf(err, errlen, "%s: not a funnelcast partial summary", name);
        return -1;
    }
    uint64_t stored = 0;
    for (int i = 0; i < 8; i++)
        stored |= (uint64_t)buf[len - 8 + (size_t)i] << (8 * i);
    rbuf r = {buf, len - 8, sizeof MAGIC, 0, 0};
    uint32_t version = get_u32(&r);
    if (version != FC_PARTIAL_VERSION) {
        snprintf(err, errlen, "%s: partial summary format %u, this funnelcast reads format %d",
                 name, version, FC_PARTIAL_VERSION);
        return -1;
    }
    if (fc_checksum(buf, len - 8) != stored) {
        snprintf(err, errlen, "%s: damaged or truncated partial summary (checksum mismatch)", name);
        return -1;
    }
    uint32_t block = get_u32(&r);
    out->nslots = get_u32(&r);
    out->ngoals = get_u32(&r);
    out->ndrivers = get_u32(&r);
    if (block != FC_BLOCK || out->nslots == 0 || out->nslots > 10000000 ||
        out->ngoals > FC_MAX_GOALS || out->ndrivers > 100000) {
        snprintf(err, errlen, "%s: partial summary with inconsistent sizes", name);
        return -1;
    }
    out->version = get_str(&r, NULL);
    out->scenario = get_str(&r, &out->scenario_len);
    out->seed = get_u64(&r);
    out->run_trials = get_u64(&r);
    out->shard_k = get_u64(&r);
    out->shard_n = get_u64(&r);
    out->ntrials = get_u64(&r);
    out->nkept = get_u64(&r);
    const char *what = "truncated partial summary";
    /* each kept block takes 8 + 24 nslots bytes: bound the count by the bytes */
    if (r.short_read || !out->version || !out->scenario || out->shard_n == 0 ||
        out->shard_k >= out->shard_n || out->nkept > (r.len - r.at) / (8 + 24 * (uint64_t)out->nslots)) {
        what = r.oom ? "out of memory"
               : r.short_read || !out->version || !out->scenario ? what
               : "partial summary with inconsistent sizes";
        goto bad;
    }
    /* the drivers' counts, 8 bytes each, must fit in what is left */
    if ((3 * (uint64_t)out->ndrivers * (1 + (uint64_t)out->ngoals)) * 8 > r.len - r.at) {
        what = "partial summary with inconsistent sizes";
        goto bad;
    }
    out->kept = malloc((size_t)out->nkept * out->nslots * sizeof *out->kept + 1);
    out->kept_trials = malloc((size_t)out->nkept * sizeof *out->kept_trials + 1);
    if (!out->kept || !out->kept_trials || fc_accum_alloc(&out->acc, (int)out->nslots, (int)out->ngoals,
                                                                  (int)out->ndrivers) != 0) {
        what = "out of memory";
        goto bad;
    }
    for (uint64_t j = 0; j < out->nkept; j++) {
        out->kept_trials[j] = get_u64(&r);
        for (uint32_t i = 0; i < out->nslots; i++) {
            fc_moments *mo = &out->kept[j * out->nslots + i];
            mo->n = get_f64(&r);
            mo->mean = get_f64(&r);
            mo->m2 = get_f64(&r);
        }
    }
    for (uint32_t i = 0; i < out->nslots && !r.short_read; i++) {
        const unsigned char *exact = take(&r, 1);
        fc_hist_init(&out->acc.hist[i], exact ? *exact != 0 : 1);
        out->acc.min[i] = get_f64(&r);
        out->acc.max[i] = get_f64(&r);
        out->acc.infinite[i] = get_u64(&r);
        uint64_t entries = get_u64(&r);
        if (entries > (r.len - r.at) / 16) {
            what = "partial summary with inconsistent sizes";
            goto bad;
        }
        for (uint64_t e = 0; e < entries; e++) {
            int64_t key = (int64_t)get_u64(&r);
            uint64_t count = get_u64(&r);
            int hs = fc_hist_add_key(&out->acc.hist[i], key, count);
            if (hs != 0) {
                what = hs < 0 ? "out of memory" : "partial summary with a histogram out of range";
                goto bad;
            }
        }
    }
    for (uint32_t g = 0; g < out->ngoals; g++)
        out->acc.goal_met[g] = get_u64(&r);
    for (uint32_t i = 0; i < 3 * out->ndrivers; i++)
        out->acc.driver_n[i] = get_u64(&r);
    for (uint32_t i = 0; i < 3 * out->ndrivers * out->ngoals; i++)
        out->acc.driver_met[i] = get_u64(&r);
    if (r.short_read || r.at != r.len) {
        what = r.short_read ? "truncated partial summary" : "partial summary with trailing bytes";
        goto bad;
    }
    return 0;
bad:
    snprintf(err, errlen, "%s: %s", name, what);
    fc_partial_free(out);
    return -1;
}

fc_summary *fc_partial_merge(const fc_model *m, fc_partial *const *parts, int nparts,
                             char *err, size_t errlen)
{
    if (nparts < 1) {
        snprintf(err, errlen, "merge: no partial summaries given");
        return NULL;
    }
    const fc_partial *p0 = parts[0];
    uint64_t n = p0->shard_n;
    fc_layout lay;
    fc_layout_of(m, &lay);
    if (p0->nslots != (uint32_t)lay.nslots || p0->ngoals != (uint32_t)m->ngoals ||
        p0->ndrivers != (uint32_t)m->ndrivers) {
        snprintf(err, errlen, "merge: the partial summaries do not match their scenario");
        return NULL;
    }
    const fc_partial **by_shard = calloc((size_t)n, sizeof *by_shard);
    if (by_shard == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    fc_summary *s = NULL;
    for (int i = 0; i < nparts; i++) {
        const fc_partial *p = parts[i];
        const char *diff = strcmp(p->version, p0->version) ? "funnelcast version"
                           : p->seed != p0->seed ? "seed"
                           : p->run_trials != p0->run_trials ? "trial count"
                           : p->shard_n != n ? "shard count"
                           : p->scenario_len != p0->scenario_len ||
                                     memcmp(p->scenario, p0->scenario, p->scenario_len) ? "scenario"
                           : p->nslots != p0->nslots || p->ngoals != p0->ngoals ||
                                     p->ndrivers != p0->ndrivers ? "summary layout"
                           : NULL;
        if (diff) {
            snprintf(err, errlen, "merge: partial %d of %d comes from another run (its %s differs)",
                     i + 1, nparts, diff);
            goto fail;
        }
        if (by_shard[p->shard_k]) {
            snprintf(err, errlen, "merge: shard %llu/%llu is given twice",
                     (unsigned long long)p->shard_k + 1, (unsigned long long)n);
            goto fail;
        }
        by_shard[p->shard_k] = p;
    }
    for (uint64_t k = 0; k < n; k++)
        if (by_shard[k] == NULL) {
            snprintf(err, errlen, "merge: shard %llu/%llu is missing", (unsigned long long)k + 1,
                     (unsigned long long)n);
            goto fail;
        }
    s = fc_summary_new(m, 1);
    if (s == NULL) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    /* the moments, folded block after block as the unsharded run folds them */
    uint64_t nblocks = (p0->run_trials + FC_BLOCK - 1) / FC_BLOCK;
    for (uint64_t b = 0; b < nblocks; b++) {
        const fc_partial *p = by_shard[b % n];
        uint64_t j = b / n;
        if (j >= p->nkept || p->kept_trials[j] == 0) {
            snprintf(err, errlen, "merge: shard %llu/%llu did not run to the end (block %llu is missing)",
                     (unsigned long long)p->shard_k + 1, (unsigned long long)n, (unsigned long long)b);
            goto fail;
        }
        fc_summary_fold(s, b, p->kept_trials[j], p->kept + j * p->nslots);
    }
    for (uint64_t k = 0; k < n; k++)
        if (fc_accum_merge(&s->acc, &by_shard[k]->acc) != 0) {
            snprintf(err, errlen, "out of memory");
            goto fail;
        }
    if (fc_summary_finish(s) != 0) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    free(by_shard);
    return s;
fail:
    free(by_shard);
    fc_summary_free(s);
    return NULL;
}
