/* hist_check: histogram pairs and their comparison, for the tests. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>

#include "hist_check.h"

static int collect(void *ctx, int64_t key, uint64_t count)
{
    pairs *p = ctx;
    if (p->n == p->cap) {
        p->cap = p->cap ? 2 * p->cap : 64;
        p->key = realloc(p->key, p->cap * sizeof *p->key);
        p->count = realloc(p->count, p->cap * sizeof *p->count);
        assert_non_null(p->key);
        assert_non_null(p->count);
    }
    p->key[p->n] = key;
    p->count[p->n] = count;
    p->n++;
    return 0;
}

pairs pairs_of(const fc_hist *h)
{
    pairs p = {0};
    assert_int_equal(fc_hist_each(h, collect, &p), 0);
    /* fc_hist_each walks keys in strictly increasing order, counts nonzero */
    for (size_t i = 0; i < p.n; i++) {
        assert_true(p.count[i] > 0);
        if (i > 0)
            assert_true(p.key[i - 1] < p.key[i]);
    }
    return p;
}

void pairs_free(pairs *p)
{
    free(p->key);
    free(p->count);
}

void assert_same_hist(const fc_hist *a, const fc_hist *b)
{
    assert_int_equal(a->exact, b->exact);
    assert_int_equal(a->level, b->level);
    assert_int_equal(a->count, b->count);
    pairs pa = pairs_of(a), pb = pairs_of(b);
    assert_int_equal(pa.n, pb.n);
    if (pa.n > 0) {
        assert_memory_equal(pa.key, pb.key, pa.n * sizeof *pa.key);
        assert_memory_equal(pa.count, pb.count, pa.n * sizeof *pa.count);
    }
    pairs_free(&pa);
    pairs_free(&pb);
}
