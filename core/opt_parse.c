/* opt_parse: the numbers options are written in (see opt_parse.h). */
#include "opt_parse.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

/* Parses a whole decimal integer in [0, 2^64 - 1] exactly (digits only). */
int fc_parse_u64(const char *s, unsigned long long *out)
{
    if (*s < '0' || *s > '9')
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

/* Parses a whole number in [lo, hi]: decimal digits, or a number with a
 * fraction or an exponent whose value is whole (1e5, 2.5e6), as the
 * messages write 1e12 (exactly, below 2^53). */
int fc_parse_int(const char *s, long long lo, long long hi, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (!errno && end != s && *end == 0 && v >= lo && v <= hi) {
        *out = v;
        return 0;
    }
    errno = 0;
    double d = strtod(s, &end);
    if (errno || end == s || *end || !(d >= (double)lo && d <= (double)hi) || d != floor(d) || fabs(d) > 0x1p53)
        return -1;
    *out = (long long)d;
    return 0;
}

/* Parses a size: a number of bytes with an optional K, M, G or T (powers of
 * 1024, optionally followed by B or iB). */
int fc_parse_size(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || !(v > 0))
        return -1;
    double mult = 1;
    switch (*end) {
    case 'k': case 'K': mult = 0x1p10; end++; break;
    case 'm': case 'M': mult = 0x1p20; end++; break;
    case 'g': case 'G': mult = 0x1p30; end++; break;
    case 't': case 'T': mult = 0x1p40; end++; break;
    default: break;
    }
    if (mult > 1 && *end == 'i')
        end++;
    if (*end == 'B')
        end++;
    if (*end || v * mult > 0x1p50)
        return -1;
    *out = (uint64_t)(v * mult);
    return 0;
}

/* Parses a number of seconds in (0, 1e7]. */
int fc_parse_seconds(const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v > 0 && v <= 1e7))
        return -1;
    *out = v;
    return 0;
}
