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

size_t fc_partial_size(const fc_summary *s, size_t scenario_len)
{
    const uint64_t S = (uint64_t)s->layout.nslots, G = (uint64_t)s->model->ngoals;
    const uint64_t D = (uint64_t)s->model->ndrivers;
    uint64_t n = sizeof MAGIC + 9 * 4 + 4 + strlen(fc_version()) + 4 + scenario_len + 6 * 8 +
                 s->nkept * (8 + 24 * S) + 8 * G + 8 * 3 * D * (1 + G) + 8;
    for (uint64_t i = 0; i < S; i++)
        n += SLOT_MIN + 16 * entries_of(&s->acc.hist[i]);
    return (size_t)n;
}

unsigned char *fc_partial_encode(const fc_summary *s, const char *scenario, size_t scenario_len,
                                 uint64_t seed, size_t *len)
{
    const uint32_t nslots = (uint32_t)s->layout.nslots, ngoals = (uint32_t)s->model->ngoals;
    const uint32_t ndrivers = (uint32_t)s->model->ndrivers;
    const fc_accum_caps *caps = &s->acc.caps;
    wbuf b = {NULL, 0, fc_partial_size(s, scenario_len)};
    b.p = malloc(b.cap);
    if (b.p == NULL)
        return NULL;
    put(&b, MAGIC, sizeof MAGIC);
    put_u32(&b, FC_PARTIAL_VERSION);
    put_u32(&b, FC_BLOCK);
    put_u32(&b, nslots);
    put_u32(&b, ngoals);
    put_u32(&b, ndrivers);
    put_str(&b, fc_version(), strlen(fc_version()));
    put_str(&b, scenario, scenario_len);
    put_u32(&b, caps->total.pages);
    put_u32(&b, caps->series.pages);
    put_u32(&b, (uint32_t)caps->series_lo);
    put_u32(&b, (uint32_t)caps->series_hi);
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
        unsigned char kind[2] = {(unsigned char)h->exact, (unsigned char)h->level};
        put(&b, kind, 2);
        put_f64(&b, s->acc.min[i]);
        put_f64(&b, s->acc.max[i]);
        put_u64(&b, s->acc.infinite[i]);
        put_u64(&b, entries_of(h));
        fc_hist_each(h, put_entry, &b);
    }
    for (uint32_t g = 0; g < ngoals; g++)
        put_u64(&b, s->acc.goal_met[g]);
    for (uint32_t i = 0; i < 3 * ndrivers; i++)
        put_u64(&b, s->acc.driver_n[i]);
    for (uint32_t i = 0; i < 3 * ndrivers * ngoals; i++)
        put_u64(&b, s->acc.driver_met[i]);
    put_u64(&b, fc_checksum(b.p, b.len));
    *len = b.len;
    return b.p;
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

/* The head after the version: sizes, caps, strings, shard. Checks that what
 * the sizes promise fits in the bytes left. NULL or the reason. */
static const char *read_head(rd *r, fc_partial *p)
{
    uint32_t block = get_u32(r);
    p->nslots = get_u32(r);
    p->ngoals = get_u32(r);
    p->ndrivers = get_u32(r);
    if (r->short_read)
        return TRUNCATED;
    if (block != FC_BLOCK || p->nslots == 0 || p->nslots > 10000000 || p->ngoals > FC_MAX_GOALS ||
        p->ndrivers > 100000)
        return INCONSISTENT;
    p->version = get_str(r, NULL);
    p->scenario = get_str(r, &p->scenario_len);
    if (r->oom)
        return OOM;
    p->cap_total = get_u32(r);
    p->cap_series = get_u32(r);
    p->series_lo = get_u32(r);
    p->series_hi = get_u32(r);
    if (!r->short_read &&
        (p->cap_total < FC_HIST_MIN_PAGES || p->cap_total > FC_HIST_MAX_PAGES ||
         p->cap_series < FC_HIST_MIN_PAGES || p->cap_series > FC_HIST_MAX_PAGES ||
         p->series_lo > p->series_hi || p->series_hi > p->nslots))
        return INCONSISTENT;
    p->seed = get_u64(r);
    p->run_trials = get_u64(r);
    p->shard_k = get_u64(r);
    p->shard_n = get_u64(r);
    p->ntrials = get_u64(r);
    p->nkept = get_u64(r);
    if (r->short_read || !p->version || !p->scenario)
        return TRUNCATED;
    if (p->shard_n == 0 || p->shard_k >= p->shard_n)
        return INCONSISTENT;
    /* each kept block takes 8 + 24 nslots bytes, each slot at least
     * SLOT_MIN, the goals' and drivers' counts 8 each: all within the bytes
     * left (so that nothing is allocated for sizes the file cannot hold) */
    const uint64_t S = p->nslots, G = p->ngoals, D = p->ndrivers;
    const uint64_t rest = SLOT_MIN * S + 8 * G + 8 * 3 * D * (1 + G);
    if (rest > r->left || p->nkept > (r->left - rest) / (8 + 24 * S))
        return INCONSISTENT;
    return NULL;
}

static void head_free(fc_partial *p)
{
    free(p->version);
    free(p->scenario);
    p->version = p->scenario = NULL;
}

/* The kept blocks (into kept, kept_trials: nkept entries) and the counts,
 * added into `into` (whose histograms the meter may refuse: FULL). NULL or
 * the reason. */
static const char *read_body(rd *r, const fc_partial *p, fc_moments *kept, uint64_t *kept_trials,
                             fc_accum *into)
{
    const uint32_t S = p->nslots;
    for (uint64_t j = 0; j < p->nkept && !r->short_read; j++) {
        kept_trials[j] = get_u64(r);
        for (uint32_t i = 0; i < S; i++) {
            fc_moments *mo = &kept[j * S + i];
            mo->n = get_f64(r);
            mo->mean = get_f64(r);
            mo->m2 = get_f64(r);
        }
    }
    for (uint32_t i = 0; i < S && !r->short_read; i++) {
        unsigned exact = get_u8(r), level = get_u8(r);
        double mn = get_f64(r), mx = get_f64(r);
        uint64_t inf = get_u64(r), entries = get_u64(r);
        if (r->short_read)
            break;
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
    }
    for (uint32_t g = 0; g < p->ngoals; g++)
        into->goal_met[g] += get_u64(r);
    for (uint32_t i = 0; i < 3 * p->ndrivers; i++)
        into->driver_n[i] += get_u64(r);
    for (uint32_t i = 0; i < 3 * p->ndrivers * p->ngoals; i++)
        into->driver_met[i] += get_u64(r);
    if (r->short_read)
        return TRUNCATED;
    if (r->left != 0)
        return "partial summary with trailing bytes";
    return NULL;
}

void fc_partial_free(fc_partial *p)
{
    head_free(p);
    free(p->kept);
    free(p->kept_trials);
    fc_accum_free(&p->acc);
    memset(p, 0, sizeof *p);
}

static fc_accum_caps caps_of(const fc_partial *p)
{
    fc_accum_caps c = fc_accum_default_caps();
    c.total = fc_hist_caps_for(p->cap_total);
    c.series = fc_hist_caps_for(p->cap_series);
    c.series_lo = (int)p->series_lo;
    c.series_hi = (int)p->series_hi;
    return c;
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
    if (why == NULL) {
        fc_accum_caps caps = caps_of(out);
        out->kept = malloc((size_t)out->nkept * out->nslots * sizeof *out->kept + 1);
        out->kept_trials = malloc((size_t)out->nkept * sizeof *out->kept_trials + 1);
        if (!out->kept || !out->kept_trials ||
            fc_accum_alloc(&out->acc, (int)out->nslots, (int)out->ngoals, (int)out->ndrivers, 0, &caps) != 0)
            why = OOM;
    }
    if (why == NULL)
        why = read_body(&r, out, out->kept, out->kept_trials, &out->acc);
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

typedef struct part_entry {
    uint64_t shard_k, nkept, bytes;
    fc_moments *kept;      /* [nkept][nslots] */
    uint64_t *kept_trials; /* [nkept] */
} part_entry;

struct fc_merge {
    const fc_model *m;
    fc_layout lay;
    uint64_t limit, fixed;
    char limit_text[32];
    fc_summary *s;      /* its meter counts every byte of the merge */
    fc_partial p0;      /* the first partial's head */
    int nfiles, nparts;
    part_entry *parts;  /* [nfiles] */
};

/* Counts n bytes against the limit; 0, or -1 when they do not fit. */
static int take_bytes(fc_merge *g, uint64_t n)
{
    uint64_t before = (uint64_t)atomic_fetch_add(&g->s->meter.used, n);
    if (before + n > g->limit || before + n < before) {
        atomic_fetch_sub(&g->s->meter.used, n);
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

fc_merge *fc_merge_new(const fc_model *m, int nfiles, uint64_t limit, const char *limit_text, char *err,
                       size_t errlen)
{
    fc_merge *g = calloc(1, sizeof *g);
    if (g == NULL || (g->parts = calloc((size_t)nfiles + 1, sizeof *g->parts)) == NULL ||
        (g->s = fc_summary_new(m, 1)) == NULL) {
        fc_merge_free(g);
        snprintf(err, errlen, "%s", OOM);
        return NULL;
    }
    g->m = m;
    fc_layout_of(m, &g->lay);
    g->limit = limit;
    g->nfiles = nfiles;
    snprintf(g->limit_text, sizeof g->limit_text, "%s", limit_text);
    g->fixed = fc_merge_bytes(m) + ((uint64_t)nfiles + 1) * sizeof *g->parts + sizeof *g;
    if (take_bytes(g, g->fixed) != 0) {
        too_big(g, err, errlen);
        fc_merge_free(g);
        return NULL;
    }
    return g;
}

void fc_merge_free(fc_merge *g)
{
    if (g == NULL)
        return;
    for (int i = 0; i < g->nparts; i++) {
        free(g->parts[i].kept);
        free(g->parts[i].kept_trials);
    }
    free(g->parts);
    fc_summary_free(g->s);
    head_free(&g->p0);
    free(g);
}

/* Whether partial p (the nparts-th) belongs with the first: a message, or NULL. */
static int check_part(fc_merge *g, const fc_partial *p, char *err, size_t errlen)
{
    const fc_partial *p0 = &g->p0;
    const int i = g->nparts;
    if (i == 0) {
        if (p->nslots != (uint32_t)g->lay.nslots || p->ngoals != (uint32_t)g->m->ngoals ||
            p->ndrivers != (uint32_t)g->m->ndrivers || p->series_lo != (uint32_t)g->lay.stage_series ||
            p->series_hi != (uint32_t)g->lay.goal) {
            snprintf(err, errlen, "merge: the partial summaries do not match their scenario");
            return -1;
        }
        return 0;
    }
    const char *diff = strcmp(p->version, p0->version) ? "funnelcast version"
                       : p->seed != p0->seed ? "seed"
                       : p->run_trials != p0->run_trials ? "trial count"
                       : p->shard_n != p0->shard_n ? "shard count"
                       : p->scenario_len != p0->scenario_len ||
                                 memcmp(p->scenario, p0->scenario, p->scenario_len) ? "scenario"
                       : p->nslots != p0->nslots || p->ngoals != p0->ngoals || p->ndrivers != p0->ndrivers ||
                                 p->series_lo != p0->series_lo || p->series_hi != p0->series_hi ? "summary layout"
                       : NULL;
    if (diff) {
        snprintf(err, errlen, "merge: partial %d of %d comes from another run (its %s differs)", i + 1,
                 g->nfiles, diff);
        return -1;
    }
    if (p->cap_total != p0->cap_total || p->cap_series != p0->cap_series) {
        snprintf(err, errlen,
                 "merge: partial %d of %d was run with another --max-memory (histogram caps of %u and %u "
                 "pages, partial 1's %u and %u): run every shard with the same --max-memory",
                 i + 1, g->nfiles, p->cap_total, p->cap_series, p0->cap_total, p0->cap_series);
        return -1;
    }
    for (int k = 0; k < i; k++)
        if (g->parts[k].shard_k == p->shard_k) {
            snprintf(err, errlen, "merge: shard %llu/%llu is given twice", (unsigned long long)p->shard_k + 1,
                     (unsigned long long)p->shard_n);
            return -1;
        }
    return 0;
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
    if (check_part(g, &p, err, errlen) != 0) {
        /* a damaged file says so, whatever else differs */
        if (r->f && !checksum_ok(r))
            snprintf(err, errlen, "%s: %s", name, r->io ? strerror(r->io) : DAMAGED);
        head_free(&p);
        return -1;
    }
    if (g->nparts == 0) {
        fc_summary_set_caps(g->s, fc_hist_caps_for(p.cap_total), fc_hist_caps_for(p.cap_series), g->limit,
                            UINT64_MAX);
        g->p0 = p; /* keeps the strings */
        p.version = p.scenario = NULL;
    }
    head_free(&p);
    const fc_partial *h = &g->p0; /* the sizes are the first's (checked) */
    part_entry *e = &g->parts[g->nparts];
    e->shard_k = p.shard_k;
    e->nkept = p.nkept;
    uint64_t bytes = (p.nkept * h->nslots + 1) * sizeof *e->kept + (p.nkept + 1) * sizeof *e->kept_trials;
    if (take_bytes(g, bytes) != 0) {
        too_big(g, err, errlen);
        return -1;
    }
    e->bytes = bytes;
    g->nparts++; /* freed with the merge from here on */
    e->kept = malloc((size_t)p.nkept * h->nslots * sizeof *e->kept + 1);
    e->kept_trials = malloc((size_t)p.nkept * sizeof *e->kept_trials + 1);
    if (e->kept == NULL || e->kept_trials == NULL) {
        snprintf(err, errlen, "%s", OOM);
        return -1;
    }
    why = read_body(r, &p, e->kept, e->kept_trials, &g->s->acc);
    if (why == NULL && r->f && !checksum_ok(r))
        why = r->io ? strerror(r->io) : DAMAGED;
    else if (why != NULL)
        why = reason(r, why);
    if (why == FULL) {
        too_big(g, err, errlen);
        return -1;
    }
    if (why != NULL) {
        snprintf(err, errlen, "%s: %s", name, why);
        return -1;
    }
    return 0;
}

int fc_merge_file(fc_merge *g, const char *path, char *err, size_t errlen)
{
    rd r;
    uint64_t used = (uint64_t)atomic_load(&g->s->meter.used);
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

fc_summary *fc_merge_finish(fc_merge *g, char *err, size_t errlen)
{
    if (g->nparts == 0) {
        snprintf(err, errlen, "merge: no partial summaries given");
        return NULL;
    }
    const uint64_t n = g->p0.shard_n;
    /* every shard once: as many as announced, none twice (checked as they came) */
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
    /* n <= nparts here: an index of the parts by shard */
    const part_entry **by_shard = calloc((size_t)n, sizeof *by_shard);
    if (by_shard == NULL) {
        snprintf(err, errlen, "%s", OOM);
        return NULL;
    }
    for (int i = 0; i < g->nparts; i++)
        by_shard[g->parts[i].shard_k] = &g->parts[i];
    fc_summary *s = g->s;
    /* the moments, folded block after block as the unsharded run folds them */
    const uint64_t nblocks = (g->p0.run_trials + FC_BLOCK - 1) / FC_BLOCK;
    for (uint64_t b = 0; b < nblocks; b++) {
        const part_entry *e = by_shard[b % n];
        uint64_t j = b / n;
        if (j >= e->nkept || e->kept_trials[j] == 0) {
            snprintf(err, errlen, "merge: shard %llu/%llu did not run to the end (block %llu is missing)",
                     (unsigned long long)e->shard_k + 1, (unsigned long long)n, (unsigned long long)b);
            free(by_shard);
            return NULL;
        }
        fc_summary_fold(s, b, e->kept_trials[j], e->kept + j * g->lay.nslots);
    }
    free(by_shard);
    for (int i = 0; i < g->nparts; i++) {
        free(g->parts[i].kept);
        free(g->parts[i].kept_trials);
        g->parts[i].kept = NULL;
        g->parts[i].kept_trials = NULL;
        atomic_fetch_sub(&s->meter.used, g->parts[i].bytes);
    }
    if (fc_summary_finish(s) != 0) {
        snprintf(err, errlen, "%s", OOM);
        return NULL;
    }
    g->s = NULL;
    return s;
}
