/* rng: seeding, jump-ahead and keyed streams for PCG32 (see rng.h). */
#include "rng.h"

#define PCG_MULT 6364136223846793005ULL

void fc_pcg32_seed(fc_pcg32 *rng, uint64_t initstate, uint64_t initseq)
{
    rng->state = 0;
    rng->inc = (initseq << 1u) | 1u;
    (void)fc_pcg32_next(rng);
    rng->state += initstate;
    (void)fc_pcg32_next(rng);
}

void fc_pcg32_advance(fc_pcg32 *rng, uint64_t delta)
{
    uint64_t cur_mult = PCG_MULT, cur_plus = rng->inc;
    uint64_t acc_mult = 1, acc_plus = 0;
    while (delta > 0) {
        if (delta & 1u) {
            acc_mult *= cur_mult;
            acc_plus = acc_plus * cur_mult + cur_plus;
        }
        cur_plus = (cur_mult + 1) * cur_plus;
        cur_mult *= cur_mult;
        delta >>= 1u;
    }
    rng->state = acc_mult * rng->state + acc_plus;
}

uint64_t fc_rng_key(const char *name)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ULL;
    }
    return fc_mix64(h);
}

void fc_rng_stream(fc_pcg32 *rng, uint64_t seed, uint64_t trial, uint64_t key)
{
    uint64_t a = fc_mix64(seed ^ 0x9e3779b97f4a7c15ULL);
    uint64_t b = fc_mix64(a ^ key);
    uint64_t c = fc_mix64(b ^ fc_mix64(trial + 0x632be59bd9b4e019ULL));
    fc_pcg32_seed(rng, c, fc_mix64(c ^ 0xd1b54a32d192ed03ULL));
}
