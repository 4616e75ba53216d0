/* hist: a mergeable histogram of one figure over many trials, in memory that
 * does not grow with the number of trials and stays under a cap set for the
 * run. Whole numbers are counted exactly (their quantiles are exact); other
 * values, and whole numbers too spread out for the cap, go to logarithmic
 * buckets of relative width 0.0625%, whose representative is within
 * FC_HIST_ALPHA = 0.03125% of every value in the bucket (the relative-error
 * sketch of Masson, Rim and Lee, "DDSketch", 2019). A logarithmic histogram
 * that would pass its cap merges pairs of buckets (level L + 1: bucket i
 * becomes ceil(i / 2)), so that its relative accuracy is fc_hist_accuracy(L),
 * about 2^L * 0.03125%: 0.0625% at level 1, 0.125%, 0.25%, and at level 4
 * 0.5% on buckets about 1% wide, those that level 0 had when FC_HIST_ALPHA
 * was 0.005 (a figure that fit its cap at level 0 then fits it at about
 * level 4 now).
 *
 * Counts live in pages of 32 consecutive keys, found through a directory
 * indexed by page number; only pages that trials hit take memory (a decade of
 * magnitudes is about 115 pages at level 0, half as many a level up).
 * The logarithmic kind keeps positive and negative magnitudes apart (two
 * directories) and zeros as one count. Whether a histogram is exact, and its
 * level, depend only on the set of values seen, never on how they were split
 * between threads, shards or flushes: a part's pages are a subset of the
 * whole's at any level, so a part never needs a higher level than the whole,
 * and merging takes the higher level of the two and settles on the lowest
 * that fits the union. Adding counts is exact and commutative.
 */
#ifndef FC_HIST_H
#define FC_HIST_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* Relative accuracy of the logarithmic buckets at level 0 (0.005 / 16:
 * level 4 has the 1% buckets of 0.005). */
#define FC_HIST_ALPHA 0.0003125
/* A cap is stated in pages (C): the bytes of C pages and of directories
 * reaching 4 page numbers per page (FC_HIST_CAP_BYTES). The most a cap may
 * state, and the cap of a histogram made with fc_hist_init, is 32,768 pages
 * (about a million distinct whole numbers); the fewest a run's cap gives is
 * FC_HIST_MIN_PAGES. */
#define FC_HIST_MAX_PAGES 32768
#define FC_HIST_MIN_PAGES 4
/* What the caps count: a page (32 counts and the allocator's headers: the
 * most a page takes, fc_hist_page), each
 * page number a side's directory must reach (its entry, and as much again for
 * the directory's geometric growth), and each side in use (its directory's
 * header and least size). */
#define FC_HIST_PAGE_COST 272
#define FC_HIST_SPAN_COST 16
#define FC_HIST_SIDE_COST 96
#define FC_HIST_CAP_BYTES(pages) ((uint64_t)(pages) * (FC_HIST_PAGE_COST + 4 * FC_HIST_SPAN_COST) + 1024)
/* The highest level: at level 21 every double is in one of two buckets. */
#define FC_HIST_MAX_LEVEL 21
/* Logarithmic keys (fc_hist_each): 0 for zero, +-(FC_HIST_KEY_BASE + i) for
 * bucket i of the positive or negative side at the histogram's level. Every
 * double is in a level-0 bucket of magnitude below FC_HIST_KEY_BASE - 1
 * (4.9e-324 is bucket -1,191,104; DBL_MAX is 1,135,653). */
#define FC_HIST_KEY_BASE INT64_C(1200001)

/* Returned by the adding functions when the run's meter would pass the
 * histogram's yield (nothing was added: free memory, then add again). */
#define FC_HIST_FULL 1
/* Returned by fc_hist_add_key and fc_hist_add_foreign for a logarithmic key
 * no double has (a partial summary out of range). */
#define FC_HIST_RANGE 2

/* The cap of one histogram. Its keys fit at a level (the exact kind first)
 * when their pages cost at most `bytes`: FC_HIST_PAGE_COST per page,
 * FC_HIST_SPAN_COST per page number from the lowest to the highest page of
 * each side, FC_HIST_SIDE_COST per side in use. The bytes held never pass
 * that. Both terms grow with the set of keys at any level: a part never
 * needs more than the whole. */
typedef struct fc_hist_caps {
    uint32_t pages;  /* the cap in pages (what a partial summary carries) */
    uint64_t bytes;  /* FC_HIST_CAP_BYTES(pages) */
    int floor;       /* the least level of the logarithmic kind (fc_hist_caps_for: 0): a
                        figure that needs no finer buckets starts coarser, and takes fewer
                        pages (a paired run's differences) */
} fc_hist_caps;

/* The caps for a cap of `pages` pages, clamped to [FC_HIST_MIN_PAGES,
 * FC_HIST_MAX_PAGES]. */
fc_hist_caps fc_hist_caps_for(uint32_t pages);
/* The most bytes a histogram under caps holds (caps.bytes). */
uint64_t fc_hist_max_bytes(fc_hist_caps caps);
/* The most bytes a histogram takes beyond that while it changes kind or level
 * (the new one is built before the old one is freed) or its directory grows. */
uint64_t fc_hist_extra_bytes(fc_hist_caps caps);

/* A run's count of the bytes its histograms hold, shared by threads. */
typedef struct fc_meter {
    atomic_uint_fast64_t used;
} fc_meter;

/* The counts of keys page * 32 .. page * 32 + 31: key j's is lo[j] + 2^16
 * hi[j], hi allocated with the first count past 2^16 - 1 (most keys of a run
 * never get there: a page then takes 72 bytes rather than 256). A count stays
 * below 2^48 (FC_HIST_MAX_COUNT), more than a run's trials. A page is charged
 * FC_HIST_PAGE_COST whether hi exists or not, so that a histogram's bytes,
 * and so its level, depend on its keys alone. */
typedef struct fc_hist_page {
    uint16_t lo[32];
    uint32_t *hi;        /* [32], owned, or NULL */
} fc_hist_page;
#define FC_HIST_MAX_COUNT ((UINT64_C(1) << 48) - 1)

/* Pages of consecutive keys found by page number. */
typedef struct fc_hist_side {
    int64_t base;        /* page number of dir[0] */
    int64_t lo, hi;      /* lowest and highest page number in use (when npages > 0) */
    size_t len;          /* directory entries */
    size_t npages;       /* pages in use */
    fc_hist_page **dir;  /* owned, with the pages; NULL entries are empty pages */
} fc_hist_side;

typedef struct fc_hist {
    int exact;           /* keys are the values themselves (whole numbers) */
    int level;           /* logarithmic kind: buckets merged 2^level at a time */
    uint64_t count;      /* values added */
    uint64_t zeros;      /* logarithmic kind: values that were zero */
    fc_hist_side side[2]; /* exact: side[0] holds every key; logarithmic:
                             [0] positive, [1] negative values' buckets */
    fc_hist_caps caps;
    fc_meter *meter;     /* NULL, or where the bytes held are counted */
    uint64_t yield;      /* adding returns FC_HIST_FULL rather than take meter->used past this */
    uint64_t bytes;      /* bytes held (as counted in the meter) */
} fc_hist;

/* An empty histogram with the cap of FC_HIST_MAX_PAGES pages and no meter; exact = 1 counts whole numbers exactly (a value that is not a whole
 * number below 2^62 in magnitude turns the histogram into the logarithmic
 * kind, once, for good). */
void fc_hist_init(fc_hist *h, int exact);
/* The same with caps, counting its bytes into meter (may be NULL); adding
 * returns FC_HIST_FULL rather than take meter->used past yield (UINT64_MAX:
 * never). Changing kind or level is never refused: it is counted. */
void fc_hist_init_with(fc_hist *h, int exact, fc_hist_caps caps, fc_meter *meter, uint64_t yield);
void fc_hist_free(fc_hist *h);
/* Frees the counts: h is again empty and exact, with its caps and meter. */
void fc_hist_clear(fc_hist *h);

/* Adds one finite value. Returns 0; FC_HIST_FULL (h unchanged); -1 when out
 * of memory (h unchanged). */
int fc_hist_add(fc_hist *h, double x);

/* Adds the finite values among x[0], x[stride], ... x[(n-1) stride], and
 * widens [*min, *max] to them; counts the others (infinities, NaN) in
 * *nonfinite. What fc_hist_add does value by value, with the histogram's
 * state held in registers while values find their page. Returns 0 with *done
 * = n, or FC_HIST_FULL or -1 (memory) with *done the number of values taken
 * (value *done was not added: start again there; it may already be in
 * [*min, *max], which adding it again does not change). */
int fc_hist_add_many(fc_hist *h, const double *x, size_t stride, size_t n, double *min,
                     double *max, uint64_t *nonfinite, size_t *done);

/* Adds every count of `from` to `into`. Returns 0, FC_HIST_FULL or -1 (into
 * then holds part of from's counts: free it). */
int fc_hist_merge(fc_hist *into, const fc_hist *from);

/* The values at ranks rank[0] <= rank[1] <= ... (1-based, each <= count),
 * written to out[]. Returns 0, or -1 when out of memory. For the logarithmic
 * kind each is its bucket's representative. */
int fc_hist_at_ranks(const fc_hist *h, const uint64_t *rank, int n, double *out);

/* The relative accuracy of the logarithmic kind at `level`: every value is
 * within this of its bucket's representative (FC_HIST_ALPHA at level 0,
 * tanh(2^level atanh(FC_HIST_ALPHA)) in general). */
double fc_hist_accuracy(int level);

/* Bytes held; pages held. */
size_t fc_hist_bytes(const fc_hist *h);
size_t fc_hist_pages(const fc_hist *h);

/* Calls f(key, count) for every nonzero bucket in increasing key order, for
 * serialization (with h->exact and h->level); and re-adds such pairs, keys
 * of h's own kind and level. Keys are opaque but stable: an exact key is the
 * value, a logarithmic one 0 for zero and +-(FC_HIST_KEY_BASE + i) for
 * bucket i of the positive or negative side. fc_hist_add_foreign adds a key of a histogram
 * of the given kind and level. Both return 0, FC_HIST_FULL, FC_HIST_RANGE or
 * -1 (memory). */
int fc_hist_each(const fc_hist *h, int (*f)(void *ctx, int64_t key, uint64_t count), void *ctx);
int fc_hist_add_key(fc_hist *h, int64_t key, uint64_t count);
int fc_hist_add_foreign(fc_hist *h, int exact, int level, int64_t key, uint64_t count);

#endif
