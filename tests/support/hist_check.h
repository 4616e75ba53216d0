/* hist_check: what the histogram and summary tests share: the (key, count)
 * pairs of a histogram, and the assertion that two histograms hold the same
 * buckets with the same counts. */
#ifndef FC_TEST_HIST_CHECK_H
#define FC_TEST_HIST_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "hist.h"

/* The (key, count) pairs of a histogram, in fc_hist_each order. */
typedef struct pairs {
    int64_t *key;
    uint64_t *count;
    size_t n, cap;
} pairs;

/* The pairs of h; asserts that keys strictly increase and counts are
 * nonzero. The caller frees them with pairs_free. */
pairs pairs_of(const fc_hist *h);
void pairs_free(pairs *p);

/* Asserts that a and b are of the same kind and level and hold the same
 * buckets with the same counts. */
void assert_same_hist(const fc_hist *a, const fc_hist *b);

#endif
