/* hist: a mergeable histogram of one figure over many trials, in memory that
 * does not grow with the number of trials. Whole numbers are counted exactly
 * (their quantiles are exact); other values go to logarithmic buckets of
 * relative width 1%, whose representative is within 0.5% of every value in
 * the bucket (the relative-error sketch of Masson, Rim and Lee, "DDSketch",
 * 2019), so their quantiles are within 0.5% relative error.
 *
 * Counts live in pages of 32 consecutive keys, found through a directory
 * indexed by page number; only pages that trials hit take memory. Adding counts is exact
 * and commutative, so merged histograms do not depend on the order of merging.
 */
#ifndef FC_HIST_H
#define FC_HIST_H

#include <stddef.h>
#include <stdint.h>

/* Relative accuracy of the logarithmic buckets. */
#define FC_HIST_ALPHA 0.005
/* An exact histogram whose values spread over more pages than this (about a
 * million distinct whole numbers) turns logarithmic, so that memory stays
 * bounded. The decision depends only on the set of values seen, not on how
 * they were split between threads: merged pages cover every part's pages. */
#define FC_HIST_MAX_PAGES 32768
/* Nor may its pages span more than this many page numbers (64 Mi values). */
#define FC_HIST_MAX_SPAN (INT64_C(1) << 21)

typedef struct fc_hist_page {
    uint64_t counts[32]; /* keys page * 32 .. page * 32 + 31 */
} fc_hist_page;

typedef struct fc_hist {
    int exact;              /* keys are the values themselves (whole numbers) */
    uint64_t count;         /* values added */
    size_t npages;          /* pages in use */
    int64_t base;           /* page number of dir[0] */
    size_t len;             /* directory entries */
    fc_hist_page **dir;     /* owned, with the pages; NULL entries are empty pages */
} fc_hist;

/* An empty histogram; exact = 1 counts whole numbers exactly (a value that is
 * not a whole number below 2^62 in magnitude turns the histogram into the
 * logarithmic kind, once, for good). */
void fc_hist_init(fc_hist *h, int exact);
void fc_hist_free(fc_hist *h);

/* Adds one finite value. Returns 0, or -1 when out of memory (h unchanged). */
int fc_hist_add(fc_hist *h, double x);

/* Adds the finite values among x[0], x[stride], ... x[(n-1) stride], and
 * widens [*min, *max] to them; counts the others (infinities, NaN) in
 * *nonfinite. What fc_hist_add does value by value, with the histogram's
 * state held in registers while values find their page. Returns 0, or -1
 * when out of memory (values before the failing one are added). */
int fc_hist_add_many(fc_hist *h, const double *x, size_t stride, size_t n, double *min,
                     double *max, uint64_t *nonfinite);

/* Applies the page limit now (after merging). Returns 0 or -1 (memory). */
int fc_hist_settle(fc_hist *h);

/* Adds every count of `from` to `into`. Returns 0, or -1 when out of memory. */
int fc_hist_merge(fc_hist *into, const fc_hist *from);

/* The values at ranks rank[0] <= rank[1] <= ... (1-based, each <= count),
 * written to out[]. Returns 0, or -1 when out of memory. For the logarithmic
 * kind each is its bucket's representative. */
int fc_hist_at_ranks(const fc_hist *h, const uint64_t *rank, int n, double *out);

/* Bytes held. */
size_t fc_hist_bytes(const fc_hist *h);

/* Calls f(key, count) for every nonzero bucket in increasing key order, for
 * serialization; and re-adds such pairs. Keys are opaque but stable. */
int fc_hist_each(const fc_hist *h, int (*f)(void *ctx, int64_t key, uint64_t count), void *ctx);
int fc_hist_add_key(fc_hist *h, int64_t key, uint64_t count);

#endif
