/* opt_parse: the numbers a command's options are written in (--trials 1e5,
 * --seed, --max-memory 2G, --time-limit 30), read the same way by the
 * command (core/cli.c) and the C API (core/api.c). Pure functions. */
#ifndef FC_OPT_PARSE_H
#define FC_OPT_PARSE_H

#include <stdint.h>

/* A whole decimal integer in [0, 2^64 - 1], digits only. Returns 0 or -1. */
int fc_parse_u64(const char *s, unsigned long long *out);
/* A whole number in [lo, hi]: digits, or a number whose value is whole
 * (1e5, 2.5e6), exactly below 2^53. Returns 0 or -1. */
int fc_parse_int(const char *s, long long lo, long long hi, long long *out);
/* A size: bytes with an optional K, M, G or T (powers of 1024, optionally
 * followed by B or iB). Returns 0 or -1. */
int fc_parse_size(const char *s, uint64_t *out);
/* A number of seconds in (0, 1e7]. Returns 0 or -1. */
int fc_parse_seconds(const char *s, double *out);

#endif
