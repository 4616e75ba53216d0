/* rng: the PCG32 generator (O'Neill's XSH-RR output on a 64-bit LCG) and the
 * keyed streams every random process of a trial draws from. Generator state is
 * explicit: nothing here keeps hidden or global state, so any number of threads
 * may each own generators.
 *
 * Keyed streams. A stream is named by (seed, trial index, key), where key is
 * fc_rng_key(name) of the assumption or process ("channels.search.cpc"). The
 * triple becomes a generator as follows, with mix() the 64-bit finalizer of
 * SplitMix64 (a bijection on 64-bit words with full avalanche):
 *     a = mix(seed ^ K1); b = mix(a ^ key); c = mix(b ^ mix(trial + K2));
 *     initstate = c; initseq = mix(c ^ K3);  then srandom(initstate, initseq).
 * Because every step is a bijection, two trials of the same (seed, key) never
 * share a starting state, and the result depends on nothing but the triple:
 * not on the thread, on what ran before, or on other keys.
 *
 * Why streams do not overlap in practice: the increment 2*initseq+1 selects one
 * of 2^63 distinct sequences, so two of S streams share a sequence with chance
 * about S^2 / 2^64; two that share one start at effectively independent points
 * of a cycle of 2^64, so they overlap within L draws with chance 2L / 2^64.
 * For S = 1e9 streams (1e7 trials x 100 processes) of L = 1e6 draws the
 * expected number of overlapping pairs is about 1e18/2^64 * 2e6/2^64, i.e.
 * 1e-13. A plain sum such as seed + trial would instead make neighbouring
 * trials start one step apart on the same sequence: shifted copies.
 */
#ifndef FC_RNG_H
#define FC_RNG_H

#include <stdint.h>

typedef struct fc_pcg32 {
    uint64_t state; /* LCG state; all 2^64 values are valid */
    uint64_t inc;   /* odd increment: selects the stream */
} fc_pcg32;

/* Seeds as the reference pcg32_srandom_r does: initseq picks the stream. */
void fc_pcg32_seed(fc_pcg32 *rng, uint64_t initstate, uint64_t initseq);

/* Moves the generator delta steps ahead (delta may be any 64-bit count, and
 * 2^64 - k moves k steps back) in O(log delta) (Brown, "Random number
 * generation with arbitrary strides", 1994). */
void fc_pcg32_advance(fc_pcg32 *rng, uint64_t delta);

static inline uint32_t fc_pcg32_next(fc_pcg32 *rng)
{
    uint64_t old = rng->state;
    rng->state = old * 6364136223846793005ULL + rng->inc;
    uint32_t xorshifted = (uint32_t)(((old >> 18u) ^ old) >> 27u);
    uint32_t rot = (uint32_t)(old >> 59u);
    return (xorshifted >> rot) | (xorshifted << ((32u - rot) & 31u));
}

static inline uint64_t fc_pcg32_next64(fc_pcg32 *rng)
{
    uint64_t hi = fc_pcg32_next(rng);
    return (hi << 32) | fc_pcg32_next(rng);
}

/* Uniform double in [0, 1) with 53 random bits (multiples of 2^-53). */
static inline double fc_rng_uniform(fc_pcg32 *rng)
{
    return (double)(fc_pcg32_next64(rng) >> 11) * 0x1.0p-53;
}

/* Uniform double in (0, 1): the 2^53 midpoints (2k+1) * 2^-54, never 0 or 1,
 * so log(u) and 1/u are always finite. */
static inline double fc_rng_uniform_pos(fc_pcg32 *rng)
{
    return (double)(fc_pcg32_next64(rng) >> 11) * 0x1.0p-53 + 0x1.0p-54;
}

/* Unbiased integer in [0, bound), bound >= 1 (Lemire's multiply-and-reject:
 * one draw in almost every call, a division only when the low word is small). */
static inline uint32_t fc_rng_bounded(fc_pcg32 *rng, uint32_t bound)
{
    uint64_t m = (uint64_t)fc_pcg32_next(rng) * bound;
    uint32_t low = (uint32_t)m;
    if (low < bound) {
        uint32_t threshold = (uint32_t)(-bound) % bound;
        while (low < threshold) {
            m = (uint64_t)fc_pcg32_next(rng) * bound;
            low = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}

/* The SplitMix64 finalizer: a bijection on 64-bit words. */
static inline uint64_t fc_mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* 64-bit key of a stream name (FNV-1a over the bytes, then mixed). Compute it
 * once per name, outside any hot loop. */
uint64_t fc_rng_key(const char *name);

/* The generator of stream (seed, trial, key); see the header comment. */
void fc_rng_stream(fc_pcg32 *rng, uint64_t seed, uint64_t trial, uint64_t key);

#endif
