/* partial: encoding, streamed and checked decoding, and merging of shard
 * summaries (see partial.h). */
#include "partial.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "budget.h"
#include "funnelcast.h"
#include "rng.h"

static const unsigned char MAGIC[8] = {'F', 'C', 'P', 'A', 'R', 'T', '\r', '\n'};
/* The least bytes a slot takes: exact, level, min, max, infinite, entries. */
#define SLOT_MIN 34
#define FNV_INIT UINT64_C(0xcbf29ce484222325)

static uint64_t fnv(uint64_t h, const unsigned char *p, size_t n)
{
    for (const unsigned char *e = p + n; p < e; p++) {
        h ^= *p;
        h *= UINT64_C(0x100000001b3);
    }
    return h;
}

uint64_t fc_checksum(const void *buf, size_t len)
{
    return fc_mix64(fnv(FNV_INIT, buf, len));
}

void fc_format_bytes(uint64_t n, char *buf, size_t len)
{
    static const char *const unit[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)n;
    int u = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        u++;
    }
    if (u == 0)
        snprintf(buf, len, "%llu bytes", (unsigned long long)n);
    else
        snprintf(buf, len, v == floor(v) ? "%.0f %s" : "%.1f %s", v, unit[u]);
}

/* ---- writing: one buffer of the exact size ------------------------------ */

typedef struct wbuf {
    unsigned char *p;
    size_t len, cap;
} wbuf;

static void put(wbuf *b, const void *src, size_t n)
{
    if (n > b->cap - b->len) /* cannot happen: the size is computed first */
        n = b->cap - b->len;
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

static int count_entry(void *ctx, int64_t key, uint64_t count)
{
    (void)key;
    (void)count;
    ++*(uint64_t *)ctx;
    return 0;
}

static uint64_t entries_of(const fc_hist *h)
{
    uint64_t n = 0;
    fc_hist_each(h, count_entry, &n);
    return n;
}

static int put_entry(void *ctx, int64_t key, uint64_t count)
{
    put_u64(ctx, (uint64_t)key);
    put_u64(ctx, count);
    return 0;
}

/* The bytes of a section's sizes: 8 x u32, then trials and blocks kept. */
#define SECTION_HEAD (8 * 4 + 2 * 8)

/* Bytes of summary s's section. */
static uint64_t section_size(const fc_summary *s)
{
    const uint64_t S = (uint64_t)s->shape.nslots, G = (uint64_t)s->shape.ngoals;
    const uint64_t D = (uint64_t)s->shape.ndrivers, T = (uint64_t)s->acc.ntally;
    uint64_t n = SECTION_HEAD + s->nkept * (8 + 24 * S) + 8 * G + 8 * 3 * D * (1 + G) + 8 * T;
    for (uint64_t i = 0; i < S; i++)
        n += SLOT_MIN + 16 * entries_of(&s->acc.hist[i]);
    return n;
}

static size_t size_of(const fc_summary *const *s, int nsum, size_t scenario_len)
{
    uint64_t n = sizeof MAGIC + 3 * 4 + 4 + strlen(fc_version()) + 4 + scenario_len + 4 * 8 + 8;
    for (int j = 0; j < nsum; j++)
        n += section_size(s[j]);
    return (size_t)n;
}

size_t fc_partial_size_set(fc_summary *const *s, int nsum, size_t scenario_len)
{
    return size_of((const fc_summary *const *)s, nsum, scenario_len);
}

size_t fc_partial_size(const fc_summary *s, size_t scenario_len)
{
    return size_of(&s, 1, scenario_len);
}

/* Summary s's section: sizes, kept moments, histograms, counts, tallies. */
static void put_section(wbuf *b, const fc_summary *s)
{
    const uint32_t nslots = (uint32_t)s->shape.nslots, ngoals = (uint32_t)s->shape.ngoals;
    const uint32_t ndrivers = (uint32_t)s->shape.ndrivers, ntally = (uint32_t)s->acc.ntally;
    const fc_accum_caps *caps = &s->acc.caps;
    put_u32(b, nslots);
    put_u32(b, ngoals);
    put_u32(b, ndrivers);
    put_u32(b, ntally);
    put_u32(b, caps->total.pages);
    put_u32(b, caps->series.pages);
    put_u32(b, (uint32_t)caps->series_lo);
    put_u32(b, (uint32_t)caps->series_hi);
    put_u64(b, s->ntrials);
    put_u64(b, s->nkept);
    for (uint64_t j = 0; j < s->nkept; j++) {
        put_u64(b, s->kept_trials[j]);
        for (uint32_t i = 0; i < nslots; i++) {
            const fc_moments *mo = &s->kept[j * nslots + i];
            put_f64(b, mo->n);
            put_f64(b, mo->mean);
            put_f64(b, mo->m2);
        }
    }
    for (uint32_t i = 0; i < nslots; i++) {
        const fc_hist *h = &s->acc.hist[i];
        unsigned char kind[2] = {(unsigned char)h->exact, (unsigned char)h->level};
        put(b, kind, 2);
        put_f64(b, s->acc.min[i]);
        put_f64(b, s->acc.max[i]);
        put_u64(b, s->acc.infinite[i]);
        put_u64(b, entries_of(h));
        fc_hist_each(h, put_entry, b);
    }
    for (uint32_t g = 0; g < ngoals; g++)
        put_u64(b, s->acc.goal_met[g]);
    for (uint32_t i = 0; i < 3 * ndrivers; i++)
        put_u64(b, s->acc.driver_n[i]);
    for (uint32_t i = 0; i < 3 * ndrivers * ngoals; i++)
        put_u64(b, s->acc.driver_met[i]);
    for (uint32_t t = 0; t < ntally; t++)
        put_u64(b, s->acc.tally[t]);
}

/* The shared head (s[0] gives the run and the shard), every section, the
 * checksum. */
static unsigned char *encode(const fc_summary *const *s, int nsum, const char *scenario, size_t len,
                             uint64_t seed, size_t *out_len)
{
    wbuf b = {NULL, 0, size_of(s, nsum, len)};
    b.p = malloc(b.cap);
    if (b.p == NULL)
        return NULL;
    put(&b, MAGIC, sizeof MAGIC);
    put_u32(&b, FC_PARTIAL_VERSION);
    put_u32(&b, FC_BLOCK);
    put_u32(&b, (uint32_t)nsum);
    put_str(&b, fc_version(), strlen(fc_version()));
    put_str(&b, scenario, len);
    put_u64(&b, seed);
    put_u64(&b, s[0]->run_trials);
    put_u64(&b, s[0]->shard_k);
    put_u64(&b, s[0]->shard_n);
    for (int j = 0; j < nsum; j++)
        put_section(&b, s[j]);
    put_u64(&b, fc_checksum(b.p, b.len));
    *out_len = b.len;
    return b.p;
}

unsigned char *fc_partial_encode_set(fc_summary *const *s, int nsum, const char *scenario, size_t len,
                                     uint64_t seed, size_t *out_len)
{
    return encode((const fc_summary *const *)s, nsum, scenario, len, seed, out_len);
}

unsigned char *fc_partial_encode(const fc_summary *s, const char *scenario, size_t scenario_len,
                                 uint64_t seed, size_t *len)
{
    return encode(&s, 1, scenario, scenario_len, seed, len);
}

/* ---- reading: a stream with every length checked ----------------------- */

#define RD_BUF 65536

/* The bytes of a partial, from memory or from a file, and the checksum of
 * what was taken. `left` counts the bytes before the stored checksum. */
typedef struct rd {
    FILE *f;                  /* NULL: from mem */
    const unsigned char *mem;
    const unsigned char *whole; /* from memory: the whole partial, whole_len bytes */
    size_t whole_len;
    unsigned char *owned;     /* a copy of a file that is not a regular one */
    uint64_t left;
    uint64_t h;               /* FNV-1a state of the bytes taken */
    unsigned char *buf;       /* a file's bytes read and not yet taken: [at, end) */
    size_t at, end;
    int short_read, io, oom;
} rd;

static void rd_close(rd *r)
{
    if (r->f)
        fclose(r->f);
    free(r->owned);
    free(r->buf);
    memset(r, 0, sizeof *r);
}

/* n (at most RD_BUF) bytes, or NULL when they are not there. With `hash`
 * they count in the checksum. */
static const unsigned char *take_raw(rd *r, size_t n, int hash)
{
    if (r->short_read || n > r->left) {
        r->short_read = 1;
        return NULL;
    }
    const unsigned char *p;
    if (r->f == NULL) {
        p = r->mem;
        r->mem += n;
    } else {
        if (r->end - r->at < n) {
            memmove(r->buf, r->buf + r->at, r->end - r->at);
            r->end -= r->at;
            r->at = 0;
            while (r->end < n) {
                size_t got = fread(r->buf + r->end, 1, RD_BUF - r->end, r->f);
                if (got == 0) {
                    r->io = ferror(r->f) ? errno : 0;
                    r->short_read = 1;
                    return NULL;
                }
                r->end += got;
            }
        }
        p = r->buf + r->at;
        r->at += n;
    }
    r->left -= n;
    if (hash)
        r->h = fnv(r->h, p, n);
    return p;
}

static const unsigned char *take(rd *r, size_t n)
{
    return take_raw(r, n, 1);
}

static uint64_t get_u64(rd *r)
{
    const unsigned char *v = take(r, 8);
    uint64_t x = 0;
    for (int i = 0; v && i < 8; i++)
        x |= (uint64_t)v[i] << (8 * i);
    return x;
}

static uint32_t get_u32(rd *r)
{
    const unsigned char *v = take(r, 4);
    uint32_t x = 0;
    for (int i = 0; v && i < 4; i++)
        x |= (uint32_t)v[i] << (8 * i);
    return x;
}

static unsigned get_u8(rd *r)
{
    const unsigned char *v = take(r, 1);
    return v ? *v : 0;
}

static double get_f64(rd *r)
{
    uint64_t u = get_u64(r);
    double x;
    memcpy(&x, &u, 8);
    return x;
}

/* A string of at most the bytes left, copied (NULL when short or out of
 * memory). */
static char *get_str(rd *r, size_t *n)
{
    uint32_t len = get_u32(r);
    if (r->short_read || len > r->left) {
        r->short_read = 1;
        return NULL;
    }
    char *s = malloc((size_t)len + 1);
    if (s == NULL) {
        r->oom = 1;
        return NULL;
    }
    for (uint32_t at = 0; at < len;) {
        size_t k = len - at < RD_BUF ? len - at : RD_BUF;
        const unsigned char *p = take(r, k);
        if (p == NULL) {
            free(s);
            return NULL;
        }
        memcpy(s + at, p, k);
        at += (uint32_t)k;
    }
    s[len] = 0;
    if (n)
        *n = len;
    return s;
}

/* Takes what is left before the checksum, then compares the checksum.
 * Returns 1 when it matches. */
static int checksum_ok(rd *r)
{
    while (r->left > 0 && !r->short_read)
        take(r, r->left < RD_BUF ? (size_t)r->left : RD_BUF);
    if (r->short_read)
        return 0;
    r->left = 8;
    const unsigned char *v = take_raw(r, 8, 0);
    if (v == NULL)
        return 0;
    uint64_t stored = 0;
    for (int i = 0; i < 8; i++)
        stored |= (uint64_t)v[i] << (8 * i);
    return stored == fc_mix64(r->h);
}

static const char *const TRUNCATED = "truncated partial summary";
static const char *const INCONSISTENT = "partial summary with inconsistent sizes";
static const char *const OUT_OF_RANGE = "partial summary with a histogram out of range";
static const char *const DAMAGED = "damaged or truncated partial summary (checksum mismatch)";
static const char *const OOM = "out of memory";
/* the message of a histogram that would pass the limit (made by the caller) */
static const char *const FULL = "full";

/* Starts reading buf as a partial: magic, format version and, since the
 * whole buffer is there, the checksum first. NULL or the reason. */
static const char *open_mem(rd *r, const unsigned char *buf, size_t len)
{
    memset(r, 0, sizeof *r);
    r->mem = r->whole = buf;
    r->whole_len = len;
    r->h = FNV_INIT;
    if (len < sizeof MAGIC + 12 || memcmp(buf, MAGIC, sizeof MAGIC) != 0)
        return "not a funnelcast partial summary";
    r->left = len - 8;
    take(r, sizeof MAGIC);
    return NULL;
}

/* Opens the file at path as a partial: magic and format version from its
 * first bytes, then its size against max_bytes (a message with limit_text);
 * the rest is read as the decoding goes. Returns 0, or -1 with the message. */
static int open_file(rd *r, const char *path, uint64_t max_bytes, const char *limit_text, char *err,
                     size_t errlen)
{
    memset(r, 0, sizeof *r);
    r->h = FNV_INIT;
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (f == NULL || fstat(fileno(f), &st) != 0 || S_ISDIR(st.st_mode)) {
        int e = f == NULL || !S_ISDIR(st.st_mode) ? errno : EISDIR;
        if (f)
            fclose(f);
        snprintf(err, errlen, "%s: cannot open the partial summary (%s)", path, strerror(e));
        return -1;
    }
    unsigned char head[sizeof MAGIC];
    size_t got = fread(head, 1, sizeof head, f);
    if (got < sizeof head || memcmp(head, MAGIC, sizeof MAGIC) != 0 ||
        (S_ISREG(st.st_mode) && st.st_size < (off_t)sizeof MAGIC + 12)) {
        int e = ferror(f) ? errno : 0;
        fclose(f);
        if (e)
            snprintf(err, errlen, "%s: cannot read the partial summary (%s)", path, strerror(e));
        else
            snprintf(err, errlen, "%s: not a funnelcast partial summary", path);
        return -1;
    }
    uint64_t size = S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
    if (!S_ISREG(st.st_mode)) {
        /* a pipe or a device: read whole, up to the limit */
        size_t cap = 1 << 16;
        unsigned char *p = malloc(cap);
        int oom = p == NULL, over = 0;
        if (p)
            memcpy(p, head, sizeof head);
        size = sizeof head;
        while (!oom && !over) {
            if (size == cap) {
                unsigned char *q = realloc(p, 2 * cap);
                if (q == NULL) {
                    oom = 1;
                    break;
                }
                p = q;
                cap *= 2;
            }
            size_t k = fread(p + size, 1, cap - size, f);
            if (k == 0)
                break;
            size += k;
            over = size > max_bytes;
        }
        int e = ferror(f) ? errno : 0;
        fclose(f);
        if (oom || over || e) {
            char sz[32];
            free(p);
            fc_format_bytes(size, sz, sizeof sz);
            if (over)
                snprintf(err, errlen,
                         "%s: a partial summary of more than %s cannot fit the memory limit of %s; "
                         "raise the limit with --max-memory", path, sz, limit_text);
            else if (e)
                snprintf(err, errlen, "%s: cannot read the partial summary (%s)", path, strerror(e));
            else
                snprintf(err, errlen, "%s", OOM);
            return -1;
        }
        const char *why = open_mem(r, p, (size_t)size);
        r->owned = p;
        if (why) {
            snprintf(err, errlen, "%s: %s", path, why);
            rd_close(r);
            return -1;
        }
        return 0;
    }
    if (size > max_bytes) {
        char sz[32];
        fclose(f);
        fc_format_bytes(size, sz, sizeof sz);
        snprintf(err, errlen,
                 "%s: a partial summary of %s cannot fit the memory limit of %s; raise the limit with --max-memory",
                 path, sz, limit_text);
        return -1;
    }
    r->buf = malloc(RD_BUF);
    if (r->buf == NULL) {
        fclose(f);
        snprintf(err, errlen, "%s", OOM);
        return -1;
    }
    memcpy(r->buf, head, sizeof head);
    r->end = sizeof head;
    r->f = f;
    r->left = size - 8;
    take(r, sizeof MAGIC);
    return 0;
}

/* After the magic: the format version, and for a partial held whole its
 * checksum (a stream's is checked at its end). NULL or the message (in msg
 * for another version). */
static const char *begin(rd *r, char *msg, size_t len)
{
    uint32_t version = get_u32(r);
    if (version != FC_PARTIAL_VERSION) {
        snprintf(msg, len, "partial summary format %u, this funnelcast reads format %d", version,
                 FC_PARTIAL_VERSION);
        return msg;
    }
    if (r->f == NULL) {
        const unsigned char *end = r->whole + r->whole_len;
        uint64_t stored = 0;
        for (int i = 0; i < 8; i++)
            stored |= (uint64_t)end[i - 8] << (8 * i);
        if (fc_checksum(r->whole, r->whole_len - 8) != stored)
            return DAMAGED;
    }
    return NULL;
}

/* The head after the version: block size, number of summaries, strings,
 * run and shard. Checks that the sections announced fit in the bytes left.
 * NULL or the reason. */
static const char *read_head(rd *r, fc_partial *p)
{
    uint32_t block = get_u32(r);
    p->nsummaries = get_u32(r);
    if (r->short_read)
        return TRUNCATED;
    if (block != FC_BLOCK || p->nsummaries == 0 || p->nsummaries > FC_PARTIAL_MAX_SUMMARIES)
        return INCONSISTENT;
    p->version = get_str(r, NULL);
    p->scenario = get_str(r, &p->scenario_len);
    if (r->oom)
        return OOM;
    p->seed = get_u64(r);
    p->run_trials = get_u64(r);
    p->shard_k = get_u64(r);
    p->shard_n = get_u64(r);
    if (r->short_read || !p->version || !p->scenario)
        return TRUNCATED;
    if (p->shard_n == 0 || p->shard_k >= p->shard_n ||
        (uint64_t)p->nsummaries * (SECTION_HEAD + SLOT_MIN) > r->left)
        return INCONSISTENT;
    return NULL;
}

/* A section's sizes and caps. Checks that what they promise fits in the
 * bytes left (so that nothing is allocated for sizes the file cannot hold).
 * NULL or the reason. */
static const char *read_section_head(rd *r, fc_partial_section *q)
{
    q->nslots = get_u32(r);
    q->ngoals = get_u32(r);
    q->ndrivers = get_u32(r);
    q->ntally = get_u32(r);
    q->cap_total = get_u32(r);
    q->cap_series = get_u32(r);
    q->series_lo = get_u32(r);
    q->series_hi = get_u32(r);
    q->ntrials = get_u64(r);
    q->nkept = get_u64(r);
    if (r->short_read)
        return TRUNCATED;
    if (q->nslots == 0 || q->nslots > 10000000 || q->ngoals > FC_MAX_GOALS || q->ndrivers > 100000 ||
        q->ntally > 1000000 || q->cap_total < FC_HIST_MIN_PAGES || q->cap_total > FC_HIST_MAX_PAGES ||
        q->cap_series < FC_HIST_MIN_PAGES || q->cap_series > FC_HIST_MAX_PAGES ||
        q->series_lo > q->series_hi || q->series_hi > q->nslots)
        return INCONSISTENT;
    /* each kept block takes 8 + 24 nslots bytes, each slot at least
     * SLOT_MIN, the goals', drivers' and tallies' counts 8 each */
    const uint64_t S = q->nslots, G = q->ngoals, D = q->ndrivers, T = q->ntally;
    const uint64_t rest = SLOT_MIN * S + 8 * G + 8 * 3 * D * (1 + G) + 8 * T;
    if (rest > r->left || q->nkept > (r->left - rest) / (8 + 24 * S))
        return INCONSISTENT;
    return NULL;
}

static void head_free(fc_partial *p)
{
    free(p->version);
    free(p->scenario);
    p->version = p->scenario = NULL;
}

/* One slot's histogram, min, max and infinite count, added into slot i of
 * `into`. NULL or the reason. */
static const char *read_slot(rd *r, fc_accum *into, uint32_t i)
{
    unsigned exact = get_u8(r), level = get_u8(r);
    double mn = get_f64(r), mx = get_f64(r);
    uint64_t inf = get_u64(r), entries = get_u64(r);
    if (r->short_read)
        return TRUNCATED;
    if (level > FC_HIST_MAX_LEVEL || (exact && level))
        return OUT_OF_RANGE;
    if (entries > r->left / 16)
        return INCONSISTENT;
    for (uint64_t e = 0; e < entries; e++) {
        int64_t key = (int64_t)get_u64(r);
        uint64_t count = get_u64(r);
        int st = fc_hist_add_foreign(&into->hist[i], exact != 0, (int)level, key, count);
        if (st != 0)
            return st == FC_HIST_FULL ? FULL : st == FC_HIST_RANGE ? OUT_OF_RANGE : OOM;
    }
    into->min[i] = mn < into->min[i] ? mn : into->min[i];
    into->max[i] = mx > into->max[i] ? mx : into->max[i];
    into->infinite[i] += inf;
    return NULL;
}

/* A section's kept blocks (into kept, kept_trials: q->nkept entries) and
 * counts, added into `into` (whose histograms the meter may refuse: FULL).
 * NULL or the reason. */
static const char *read_body(rd *r, const fc_partial_section *q, fc_moments *kept, uint64_t *kept_trials,
                             fc_accum *into)
{
    const uint32_t S = q->nslots;
    for (uint64_t j = 0; j < q->nkept && !r->short_read; j++) {
        kept_trials[j] = get_u64(r);
        for (uint32_t i = 0; i < S; i++) {
            fc_moments *mo = &kept[j * S + i];
            mo->n = get_f64(r);
            mo->mean = get_f64(r);
            mo->m2 = get_f64(r);
        }
    }
    for (uint32_t i = 0; i < S && !r->short_read; i++) {
        const char *why = read_slot(r, into, i);
        if (why != NULL)
            return why;
    }
    for (uint32_t g = 0; g < q->ngoals; g++)
        into->goal_met[g] += get_u64(r);
    for (uint32_t i = 0; i < 3 * q->ndrivers; i++)
        into->driver_n[i] += get_u64(r);
    for (uint32_t i = 0; i < 3 * q->ndrivers * q->ngoals; i++)
        into->driver_met[i] += get_u64(r);
    for (uint32_t t = 0; t < q->ntally; t++)
        into->tally[t] += get_u64(r);
    return r->short_read ? TRUNCATED : NULL;
}

/* After the last section: nothing but the checksum may be left. */
static const char *read_end(const rd *r)
{
    return r->left != 0 ? "partial summary with trailing bytes" : NULL;
}

static void section_free(fc_partial_section *q)
{
    free(q->kept);
    free(q->kept_trials);
    fc_accum_free(&q->acc);
    memset(q, 0, sizeof *q);
}

void fc_partial_free(fc_partial *p)
{
    head_free(p);
    for (uint32_t j = 0; p->sec && j < p->nsummaries; j++)
        section_free(&p->sec[j]);
    free(p->sec);
    memset(p, 0, sizeof *p);
}

static fc_accum_caps caps_of(const fc_partial_section *q)
{
    fc_accum_caps c = fc_accum_default_caps();
    c.total = fc_hist_caps_for(q->cap_total);
    c.series = fc_hist_caps_for(q->cap_series);
    c.series_lo = (int)q->series_lo;
    c.series_hi = (int)q->series_hi;
    return c;
}

/* A whole section into q, its arrays allocated. NULL or the reason. */
static const char *decode_section(rd *r, fc_partial_section *q)
{
    const char *why = read_section_head(r, q);
    if (why != NULL)
        return why;
    fc_accum_caps caps = caps_of(q);
    q->kept = malloc((size_t)q->nkept * q->nslots * sizeof *q->kept + 1);
    q->kept_trials = malloc((size_t)q->nkept * sizeof *q->kept_trials + 1);
    if (!q->kept || !q->kept_trials ||
        fc_accum_alloc(&q->acc, (int)q->nslots, (int)q->ngoals, (int)q->ndrivers, (int)q->ntally, &caps) != 0)
        return OOM;
    return read_body(r, q, q->kept, q->kept_trials, &q->acc);
}

int fc_partial_decode(const unsigned char *buf, size_t len, const char *name, fc_partial *out,
                      char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    rd r;
    char msg[128];
    const char *why = open_mem(&r, buf, len);
    if (why == NULL)
        why = begin(&r, msg, sizeof msg);
    if (why == NULL)
        why = read_head(&r, out);
    if (why == NULL && (out->sec = calloc(out->nsummaries, sizeof *out->sec)) == NULL)
        why = OOM;
    for (uint32_t j = 0; why == NULL && j < out->nsummaries; j++)
        why = decode_section(&r, &out->sec[j]);
    if (why == NULL)
        why = read_end(&r);
    if (why == NULL)
        return 0;
    snprintf(err, errlen, "%s: %s", name, why);
    fc_partial_free(out);
    return -1;
}

/* After a failure while reading a file, the reason given: a file whose
 * checksum does not match is damaged, whatever went wrong first. */
static const char *reason(rd *r, const char *why)
{
    if (why == OOM)
        return why;
    if (r->f && !checksum_ok(r))
        return r->io ? strerror(r->io) : DAMAGED;
    return why;
}

int fc_partial_read_head(const char *path, uint64_t max_bytes, const char *limit_text, fc_partial *out,
                         char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    rd r;
    if (open_file(&r, path, max_bytes, limit_text, err, errlen) != 0)
        return -1;
    char msg[128];
    const char *why = begin(&r, msg, sizeof msg);
    if (why == NULL)
        why = read_head(&r, out);
    if (why == NULL && r.f && !checksum_ok(&r))
        why = r.io ? strerror(r.io) : DAMAGED;
    else if (why != NULL && why != msg && why != DAMAGED)
        why = reason(&r, why);
    rd_close(&r);
    if (why == NULL)
        return 0;
    snprintf(err, errlen, "%s: %s", path, why);
    head_free(out);
    return -1;
}

/* ---- merging ------------------------------------------------------------ */

/* One section of one partial: its kept moments, for the fold. */
typedef struct part_sec {
    uint64_t nkept;
    fc_moments *kept;      /* [nkept][nslots] */
    uint64_t *kept_trials; /* [nkept] */
} part_sec;

typedef struct part_entry {
    uint64_t shard_k, bytes; /* bytes: its sections' kept moments */
} part_entry;

struct fc_merge {
    int nsum;
    fc_summary *s[FC_PARTIAL_MAX_SUMMARIES]; /* owned until fc_merge_finish_set */
    /* every byte the merge holds, its summaries' histograms included (they
     * count here, not in their own summary's meter, until the finish) */
    fc_meter meter;
    uint64_t limit, fixed;
    char limit_text[32];
    fc_partial p0;      /* the first partial's head */
    fc_partial_section sec0[FC_PARTIAL_MAX_SUMMARIES]; /* its sections' sizes and caps (no arrays) */
    int nfiles, nparts;
    part_entry *parts;  /* [nfiles] */
    part_sec *secs;     /* [nfiles][nsum] */
};

/* Counts n bytes against the limit; 0, or -1 when they do not fit. */
static int take_bytes(fc_merge *g, uint64_t n)
{
    uint64_t before = (uint64_t)atomic_fetch_add(&g->meter.used, n);
    if (before + n > g->limit || before + n < before) {
        atomic_fetch_sub(&g->meter.used, n);
        return -1;
    }
    return 0;
}

static void too_big(const fc_merge *g, char *err, size_t errlen)
{
    snprintf(err, errlen,
             "merge: the partial summaries need more than the memory limit of %s; raise the limit with --max-memory",
             g->limit_text);
}

/* The merge's summaries, their histograms counting in the merge's meter. */
static int make_summaries(fc_merge *g, const fc_model *const *models, const fc_shape *const *shapes,
                          int nsum)
{
    for (int i = 0; i < nsum; i++) {
        const fc_model *m = models ? models[i] : NULL;
        if (m == NULL && (shapes == NULL || shapes[i] == NULL))
            return -1;
        g->s[i] = m ? fc_summary_new(m, 1) : fc_summary_new_shape(shapes[i], 1);
        if (g->s[i] == NULL)
            return -1;
        g->s[i]->acc.caps.meter = &g->meter; /* in effect from fc_summary_set_caps on */
        g->nsum = i + 1;
    }
    return 0;
}

fc_merge *fc_merge_new_set(const fc_model *const *models, const fc_shape *const *shapes, int nsum,
                           int nfiles, uint64_t limit, const char *limit_text, char *err, size_t errlen)
{
    if (nsum < 1 || nsum > FC_PARTIAL_MAX_SUMMARIES || nfiles < 0) {
        snprintf(err, errlen, "merge: expected 1 to %d summaries and at least 0 partials, got %d and %d",
                 FC_PARTIAL_MAX_SUMMARIES, nsum, nfiles);
        return NULL;
    }
    fc_merge *g = calloc(1, sizeof *g);
    if (g != NULL)
        atomic_init(&g->meter.used, 0);
    if (g == NULL || (g->parts = calloc((size_t)nfiles + 1, sizeof *g->parts)) == NULL ||
        (g->secs = calloc(((size_t)nfiles + 1) * (size_t)nsum, sizeof *g->secs)) == NULL ||
        make_summaries(g, models, shapes, nsum) != 0) {
        fc_merge_free(g);
        snprintf(err, errlen, "%s", OOM);
        return NULL;
    }
    g->limit = limit;
    g->nfiles = nfiles;
    snprintf(g->limit_text, sizeof g->limit_text, "%s", limit_text);
    g->fixed = fc_merge_bytes_set(models, shapes, nsum) + ((uint64_t)nfiles + 1) * sizeof *g->parts +
               ((uint64_t)nfiles + 1) * (uint64_t)nsum * sizeof *g->secs + sizeof *g;
    if (take_bytes(g, g->fixed) != 0) {
        too_big(g, err, errlen);
        fc_merge_free(g);
        return NULL;
    }
    return g;
}

fc_merge *fc_merge_new(const fc_model *m, int nfiles, uint64_t limit, const char *limit_text, char *err,
                       size_t errlen)
{
    const fc_model *models[1] = {m};
    return fc_merge_new_set(models, NULL, 1, nfiles, limit, limit_text, err, errlen);
}

static void free_kept(fc_merge *g)
{
    for (size_t i = 0; i < (size_t)g->nparts * (size_t)g->nsum; i++) {
        free(g->secs[i].kept);
        free(g->secs[i].kept_trials);
        g->secs[i].kept = NULL;
        g->secs[i].kept_trials = NULL;
    }
}

void fc_merge_free(fc_merge *g)
{
    if (g == NULL)
        return;
    if (g->secs)
        free_kept(g);
    free(g->secs);
    free(g->parts);
    for (int i = 0; i < g->nsum; i++)
        fc_summary_free(g->s[i]); /* before the meter their histograms count in */
    head_free(&g->p0);
    free(g);
}

/* Whether partial p's head (the nparts-th) belongs with the first and with
 * the merge: 0, or -1 with a message. */
static int check_head(fc_merge *g, const fc_partial *p, const char *name, char *err, size_t errlen)
{
    const fc_partial *p0 = &g->p0;
    const int i = g->nparts;
    const char *diff = i == 0 ? NULL
                       : strcmp(p->version, p0->version) ? "funnelcast version"
                       : p->seed != p0->seed ? "seed"
                       : p->run_trials != p0->run_trials ? "trial count"
                       : p->shard_n != p0->shard_n ? "shard count"
                       : p->scenario_len != p0->scenario_len ||
                                 memcmp(p->scenario, p0->scenario, p->scenario_len) ? "scenario"
                       : p->nsummaries != p0->nsummaries ? "number of summaries"
                       : NULL;
    if (diff) {
        snprintf(err, errlen, "merge: %s (partial %d of %d) comes from another run (its %s differs)", name,
                 i + 1, g->nfiles, diff);
        return -1;
    }
    if (p->nsummaries != (uint32_t)g->nsum) {
        snprintf(err, errlen,
                 "%s: a partial summary of %u summaries, expected %d (%s): it does not match its scenario", name,
                 p->nsummaries, g->nsum, g->nsum == 1 ? "one scenario" : "a comparison's scenarios and differences");
        return -1;
    }
    for (int k = 0; k < i; k++)
        if (g->parts[k].shard_k == p->shard_k) {
            snprintf(err, errlen, "merge: %s: shard %llu/%llu is given twice", name, (unsigned long long)p->shard_k + 1,
                     (unsigned long long)p->shard_n);
            return -1;
        }
    return 0;
}

/* Whether section j of partial `name` (the nparts-th) is the summary it must
 * make and was run with the first partial's caps: 0, or -1 with a message. */
static int check_section(fc_merge *g, int j, const fc_partial_section *q, const char *name, char *err,
                         size_t errlen)
{
    const fc_shape *sh = &g->s[j]->shape;
    if (q->nslots != (uint32_t)sh->nslots || q->ngoals != (uint32_t)sh->ngoals ||
        q->ndrivers != (uint32_t)sh->ndrivers || q->ntally != (uint32_t)sh->ntally ||
        q->series_lo != (uint32_t)sh->series_lo || q->series_hi != (uint32_t)sh->series_hi) {
        snprintf(err, errlen,
                 "%s: summary %d of %d does not match its scenario: expected %d slots, %d goals, %d drivers, "
                 "%d tallies and series slots [%d, %d), got %u, %u, %u, %u and [%u, %u)",
                 name, j + 1, g->nsum, sh->nslots, sh->ngoals, sh->ndrivers, sh->ntally, sh->series_lo,
                 sh->series_hi, q->nslots, q->ngoals, q->ndrivers, q->ntally, q->series_lo, q->series_hi);
        return -1;
    }
    const fc_partial_section *q0 = &g->sec0[j];
    if (g->nparts > 0 && (q->cap_total != q0->cap_total || q->cap_series != q0->cap_series)) {
        snprintf(err, errlen,
                 "merge: %s (partial %d of %d) was run with another --max-memory (histogram caps of %u and %u "
                 "pages, partial 1's %u and %u): run every shard with the same --max-memory",
                 name, g->nparts + 1, g->nfiles, q->cap_total, q->cap_series, q0->cap_total, q0->cap_series);
        return -1;
    }
    return 0;
}

/* A failure after a check: a damaged file says so, whatever else differs. */
static void damaged_instead(rd *r, const char *name, char *err, size_t errlen)
{
    if (r->f && !checksum_ok(r))
        snprintf(err, errlen, "%s: %s", name, r->io ? strerror(r->io) : DAMAGED);
}

/* A failure while reading: the message for `why` (or the damage, or the
 * limit). Returns -1. */
static int read_failed(fc_merge *g, rd *r, const char *name, const char *why, char *err, size_t errlen)
{
    why = reason(r, why);
    if (why == FULL)
        too_big(g, err, errlen);
    else
        snprintf(err, errlen, "%s: %s", name, why);
    return -1;
}

/* Reads section j of the partial being added (part e, the nparts-th, whose
 * kept moments go to `ps`) into summary j. */
static int merge_section(fc_merge *g, rd *r, part_entry *e, part_sec *ps, int j, const char *name,
                         char *err, size_t errlen)
{
    fc_partial_section q;
    memset(&q, 0, sizeof q);
    const char *why = read_section_head(r, &q);
    if (why != NULL)
        return read_failed(g, r, name, why, err, errlen);
    if (check_section(g, j, &q, name, err, errlen) != 0) {
        damaged_instead(r, name, err, errlen);
        return -1;
    }
    fc_summary *s = g->s[j];
    if (g->nparts == 0) {
        g->sec0[j] = q;
        fc_summary_set_caps(s, fc_hist_caps_for(q.cap_total), fc_hist_caps_for(q.cap_series), g->limit,
                            UINT64_MAX);
    }
    uint64_t bytes = (q.nkept * q.nslots + 1) * sizeof *ps->kept + (q.nkept + 1) * sizeof *ps->kept_trials;
    if (take_bytes(g, bytes) != 0) {
        too_big(g, err, errlen);
        return -1;
    }
    e->bytes += bytes;
    ps->nkept = q.nkept;
    ps->kept = malloc((size_t)q.nkept * q.nslots * sizeof *ps->kept + 1);
    ps->kept_trials = malloc((size_t)q.nkept * sizeof *ps->kept_trials + 1);
    if (ps->kept == NULL || ps->kept_trials == NULL) {
        snprintf(err, errlen, "%s", OOM);
        return -1;
    }
    why = read_body(r, &q, ps->kept, ps->kept_trials, &s->acc);
    return why == NULL ? 0 : read_failed(g, r, name, why, err, errlen);
}

/* Reads the partial that r is open on (after its magic) into the merge. */
static int merge_read(fc_merge *g, rd *r, const char *name, char *err, size_t errlen)
{
    char msg[128];
    fc_partial p;
    memset(&p, 0, sizeof p);
    if (g->nparts >= g->nfiles) {
        snprintf(err, errlen, "merge: more partial summaries than announced");
        return -1;
    }
    const char *why = begin(r, msg, sizeof msg);
    if (why == NULL)
        why = read_head(r, &p);
    if (why != NULL) {
        if (why != msg && why != DAMAGED)
            why = reason(r, why);
        snprintf(err, errlen, "%s: %s", name, why);
        head_free(&p);
        return -1;
    }
    if (check_head(g, &p, name, err, errlen) != 0) {
        damaged_instead(r, name, err, errlen);
        head_free(&p);
        return -1;
    }
    part_entry *e = &g->parts[g->nparts];
    part_sec *ps = &g->secs[(size_t)g->nparts * (size_t)g->nsum];
    e->shard_k = p.shard_k;
    for (int j = 0; j < g->nsum; j++)
        if (merge_section(g, r, e, &ps[j], j, name, err, errlen) != 0) {
            g->nparts++; /* its kept moments are freed with the merge */
            head_free(&p);
            return -1;
        }
    if (g->nparts == 0) {
        g->p0 = p; /* keeps the strings */
        p.version = p.scenario = NULL;
    }
    head_free(&p);
    g->nparts++;
    why = read_end(r);
    if (why == NULL && r->f && !checksum_ok(r))
        why = r->io ? strerror(r->io) : DAMAGED;
    else if (why != NULL)
        why = reason(r, why);
    if (why != NULL) {
        snprintf(err, errlen, "%s: %s", name, why);
        return -1;
    }
    return 0;
}

int fc_merge_file(fc_merge *g, const char *path, char *err, size_t errlen)
{
    rd r;
    uint64_t used = (uint64_t)atomic_load(&g->meter.used);
    if (open_file(&r, path, g->limit > used ? g->limit - used : 0, g->limit_text, err, errlen) != 0)
        return -1;
    int st = merge_read(g, &r, path, err, errlen);
    rd_close(&r);
    return st;
}

int fc_merge_buffer(fc_merge *g, const unsigned char *buf, size_t len, const char *name, char *err,
                    size_t errlen)
{
    rd r;
    const char *why = open_mem(&r, buf, len);
    if (why != NULL) {
        snprintf(err, errlen, "%s: %s", name, why);
        return -1;
    }
    return merge_read(g, &r, name, err, errlen);
}

uint64_t fc_merge_seed(const fc_merge *g)
{
    return g->p0.seed;
}

uint64_t fc_merge_trials(const fc_merge *g)
{
    return g->p0.run_trials;
}

/* Folds summary j's moments block after block, as the unsharded run folds
 * them (by_shard[k]: the index of shard k's part). 0, or -1 with a message. */
static int fold_summary(fc_merge *g, int j, const int *by_shard, char *err, size_t errlen)
{
    const uint64_t n = g->p0.shard_n;
    const uint64_t nblocks = (g->p0.run_trials + FC_BLOCK - 1) / FC_BLOCK;
    const int nslots = g->s[j]->shape.nslots;
    for (uint64_t b = 0; b < nblocks; b++) {
        const int i = by_shard[b % n];
        const part_sec *ps = &g->secs[(size_t)i * (size_t)g->nsum + (size_t)j];
        uint64_t k = b / n;
        if (k >= ps->nkept || ps->kept_trials[k] == 0) {
            snprintf(err, errlen, "merge: shard %llu/%llu did not run to the end (block %llu is missing)",
                     (unsigned long long)g->parts[i].shard_k + 1, (unsigned long long)n, (unsigned long long)b);
            return -1;
        }
        fc_summary_fold(g->s[j], b, ps->kept_trials[k], ps->kept + k * (uint64_t)nslots);
    }
    return 0;
}

/* Moves summary s's histograms from the merge's meter to s's own, so that
 * s no longer depends on the merge. */
static void rehome(fc_merge *g, fc_summary *s)
{
    for (int i = 0; i < s->acc.nslots; i++) {
        fc_hist *h = &s->acc.hist[i];
        if (h->meter != &g->meter)
            continue;
        atomic_fetch_sub(&g->meter.used, h->bytes);
        atomic_fetch_add(&s->meter.used, h->bytes);
        h->meter = &s->meter;
    }
    s->acc.caps.meter = &s->meter;
}

/* Every shard once (as many as announced, none twice: checked as they
 * came), indexed: by_shard[k] is shard k's part. NULL with a message. */
static int *index_shards(fc_merge *g, char *err, size_t errlen)
{
    const uint64_t n = g->p0.shard_n;
    for (uint64_t k = 0; k < n; k++) {
        int found = 0;
        for (int i = 0; i < g->nparts && !found; i++)
            found = g->parts[i].shard_k == k;
        if (!found) {
            snprintf(err, errlen, "merge: shard %llu/%llu is missing", (unsigned long long)k + 1,
                     (unsigned long long)n);
            return NULL;
        }
    }
    /* n <= nparts here */
    int *by_shard = calloc((size_t)n, sizeof *by_shard);
    if (by_shard == NULL) {
        snprintf(err, errlen, "%s", OOM);
        return NULL;
    }
    for (int i = 0; i < g->nparts; i++)
        by_shard[g->parts[i].shard_k] = i;
    return by_shard;
}

int fc_merge_finish_set(fc_merge *g, fc_summary **out, char *err, size_t errlen)
{
    if (g->nparts == 0) {
        snprintf(err, errlen, "merge: no partial summaries given");
        return -1;
    }
    int *by_shard = index_shards(g, err, errlen);
    if (by_shard == NULL)
        return -1;
    for (int j = 0; j < g->nsum; j++)
        if (fold_summary(g, j, by_shard, err, errlen) != 0) {
            free(by_shard);
            return -1;
        }
    free(by_shard);
    free_kept(g);
    for (int i = 0; i < g->nparts; i++) {
        atomic_fetch_sub(&g->meter.used, g->parts[i].bytes);
        g->parts[i].bytes = 0;
    }
    for (int j = 0; j < g->nsum; j++) {
        rehome(g, g->s[j]);
        if (fc_summary_finish(g->s[j]) != 0) {
            snprintf(err, errlen, "%s", OOM);
            return -1;
        }
    }
    for (int j = 0; j < g->nsum; j++) {
        out[j] = g->s[j];
        g->s[j] = NULL;
    }
    return 0;
}

fc_summary *fc_merge_finish(fc_merge *g, char *err, size_t errlen)
{
    fc_summary *s = NULL;
    if (g->nsum != 1) {
        snprintf(err, errlen, "merge: fc_merge_finish takes a merge of one summary, this one has %d", g->nsum);
        return NULL;
    }
    return fc_merge_finish_set(g, &s, err, errlen) == 0 ? s : NULL;
}
