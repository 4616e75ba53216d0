/* bench_floor: the floor of benchmark B1 (DESIGN.md): what 250 PCG32
 * uniforms (one 32-bit output each) per trial cost on this machine, as trials per second on
 * one core. No simulator can draw B1's numbers faster than this. */
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "rng.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(void)
{
    const uint64_t trials = 2000000;
    double best = 0, sink = 0;
    for (int rep = 0; rep < 3; rep++) {
        double t0 = now();
        for (uint64_t i = 0; i < trials; i++) {
            fc_pcg32 rng;
            fc_rng_stream(&rng, 42, i, 1);
            for (int k = 0; k < 250; k++)
                sink += fc_pcg32_next(&rng) * 0x1p-32; /* one 32-bit output each */
        }
        double rate = (double)trials / (now() - t0);
        best = rate > best ? rate : best;
    }
    printf("floor_trials_per_second %.0f\n", best);
    return sink == 0.5; /* keeps the draws */
}
