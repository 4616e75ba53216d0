/* Sampler benchmark: nanoseconds per draw of each core/dist sampler in the
 * parameter regimes a scenario meets. bench/bench_dist.sh prints these beside
 * numpy's cost for the same draws (bench/numpy_dist.py), measured in the same
 * run, as ratios (DESIGN.md rule B1): a lone absolute time says nothing.
 *
 *   build/bench/bench_dist                 every regime, one "name ns" line each
 *   build/bench/bench_dist poisson(1e12)   only the regimes named (for perf)
 *   build/bench/bench_dist --list          the regime names, one a line
 *   build/bench/bench_dist --b1            B1's draws as the engine makes them
 *
 * Poisson and binomial regimes come in three variants (NAME, NAME/prep,
 * NAME/vary: one-shot, prepared, parameters changing every draw; see POIS3).
 *   FC_BENCH_SECONDS=0.5 build/bench/bench_dist
 *
 * Each regime is timed in batches of N draws, N chosen so that one batch takes
 * about FC_BENCH_SECONDS (default 0.2 s); the best of 3 batches is printed.
 * Every result is summed into a volatile sink so the draws cannot be removed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dist.h"
#include "rng.h"

static volatile double sink;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* One batch: n draws summed into the sink. A function per regime keeps the
 * sampler call direct in the loop; only the batch is called indirectly. */
typedef void batch_fn(fc_pcg32 *rng, long n);

#define BATCH(fn, type, expr)                      \
    static void fn(fc_pcg32 *rng, long n)          \
    {                                              \
        type acc = 0;                              \
        for (long i = 0; i < n; i++)               \
            acc += (expr);                         \
        sink += (double)acc;                       \
    }

/* Raw generator, for context: the floor under every sampler. */
BATCH(raw_u32, uint32_t, fc_pcg32_next(rng))
BATCH(raw_double, double, fc_rng_uniform(rng))

/* uniform(2, 5) as a scenario draws it (through fc_dist_draw). */
static const fc_dist uniform_d = {FC_DIST_UNIFORM, {2.0, 5.0, 0.0}, 0};
BATCH(b_uniform, double, fc_dist_draw(&uniform_d, rng))
BATCH(b_normal, double, fc_rnorm(rng))
BATCH(b_lognormal, double, fc_rlognormal(rng, 0.0, 1.0))

BATCH(b_gamma_03, double, fc_rgamma(rng, 0.3))
BATCH(b_gamma_1, double, fc_rgamma(rng, 1.0))
BATCH(b_gamma_25, double, fc_rgamma(rng, 2.5))
BATCH(b_gamma_100, double, fc_rgamma(rng, 100.0))

BATCH(b_beta_05, double, fc_rbeta(rng, 0.5, 0.5))
BATCH(b_beta_23, double, fc_rbeta(rng, 2.0, 3.0))
BATCH(b_beta_30, double, fc_rbeta(rng, 30.0, 970.0))

/* Poisson and binomial in three variants per regime:
 *   NAME       one-shot calls (fc_rpois / fc_rbinom) with fixed parameters;
 *   NAME/prep  a prepared sampler (set up once per batch, as numpy's
 *              vectorized call sets up once per array);
 *   NAME/vary  one-shot calls whose n (binomial) or mean (Poisson) changes at
 *              every draw, taken from a table of 16 values around the nominal
 *              one (VARY_N, VARY_MU) in the order VARY_IDX: what a simulation
 *              does when each period has another count. numpy_dist.py draws the
 *              same sequence of parameters as an array argument. */
#define VARY_LEN 4096
/* index t of the draw -> table entry: ((t * 2654435761) >> 7) & 15 (the same
 * formula in numpy_dist.py) */
static unsigned char vary_idx[VARY_LEN];

static void vary_init(void)
{
    for (uint64_t t = 0; t < VARY_LEN; t++)
        vary_idx[t] = (unsigned char)(((t * 2654435761u) >> 7) & 15);
}

/* entry i of the table around x: x (0.9 + 0.2 i / 15), rounded for counts */
static double vary_factor(int i)
{
    return 0.9 + 0.2 * (double)i / 15.0;
}

#define POIS3(fn, mu)                                                         \
    BATCH(fn, uint64_t, fc_rpois(rng, mu))                                    \
    static void fn##_prep(fc_pcg32 *rng, long n)                              \
    {                                                                         \
        fc_pois_prep s;                                                       \
        fc_pois_prep_init(&s, mu);                                            \
        uint64_t acc = 0;                                                     \
        for (long i = 0; i < n; i++)                                          \
            acc += fc_rpois_prep(rng, &s);                                    \
        sink += (double)acc;                                                  \
    }                                                                         \
    static void fn##_vary(fc_pcg32 *rng, long n)                              \
    {                                                                         \
        double tab[16];                                                       \
        for (int i = 0; i < 16; i++)                                          \
            tab[i] = (mu) * vary_factor(i);                                   \
        uint64_t acc = 0;                                                     \
        for (long i = 0; i < n; i++)                                          \
            acc += fc_rpois(rng, tab[vary_idx[i & (VARY_LEN - 1)]]);          \
        sink += (double)acc;                                                  \
    }

#define BINOM3(fn, nn, p)                                                     \
    BATCH(fn, uint64_t, fc_rbinom(rng, nn, p))                                \
    static void fn##_prep(fc_pcg32 *rng, long n)                              \
    {                                                                         \
        fc_binom_prep s;                                                      \
        fc_binom_prep_init(&s, nn, p);                                        \
        uint64_t acc = 0;                                                     \
        for (long i = 0; i < n; i++)                                          \
            acc += fc_rbinom_prep(rng, &s);                                   \
        sink += (double)acc;                                                  \
    }                                                                         \
    static void fn##_vary(fc_pcg32 *rng, long n)                              \
    {                                                                         \
        uint64_t tab[16];                                                     \
        for (int i = 0; i < 16; i++)                                          \
            tab[i] = (uint64_t)((double)(nn) * vary_factor(i) + 0.5);         \
        uint64_t acc = 0;                                                     \
        for (long i = 0; i < n; i++)                                          \
            acc += fc_rbinom(rng, tab[vary_idx[i & (VARY_LEN - 1)]], p);      \
        sink += (double)acc;                                                  \
    }

POIS3(b_pois_05, 0.5)
POIS3(b_pois_3, 3.0)
POIS3(b_pois_30, 30.0)
POIS3(b_pois_1e4, 1e4)
POIS3(b_pois_1e9, 1e9)
POIS3(b_pois_1e12, 1e12)

BINOM3(b_binom_20, 20, 0.5)
BINOM3(b_binom_1000, 1000, 0.5)
BINOM3(b_binom_1000s, 1000, 0.005)
BINOM3(b_binom_1e9, 1000000000, 0.3)
BINOM3(b_binom_2e7, 20000000, 1e-6)
BINOM3(b_binom_1e9h, 1000000000, 0.999)

/* B1's binomials as the engine draws them: p prepared once (fc_binom_p), n
 * changing at every draw (VARY_IDX over +-10% of the nominal n). Not in the
 * default list (numpy_dist.py has no counterpart): `bench_dist --b1`. */
#define BINOM_P(fn, nn, p)                                                    \
    static void fn(fc_pcg32 *rng, long n)                                     \
    {                                                                         \
        uint64_t tab[16];                                                     \
        for (int i = 0; i < 16; i++)                                          \
            tab[i] = (uint64_t)((double)(nn) * vary_factor(i) + 0.5);         \
        fc_binom_p s;                                                         \
        fc_binom_p_init(&s, p);                                               \
        uint64_t acc = 0;                                                     \
        for (long i = 0; i < n; i++)                                          \
            acc += fc_rbinom_p(rng, &s, tab[vary_idx[i & (VARY_LEN - 1)]]);   \
        sink += (double)acc;                                                  \
    }

BINOM_P(b1_visit_lead, 20000, 0.03)
BINOM_P(b1_lead_mql, 600, 0.4)
BINOM_P(b1_mql_sql, 240, 0.3)
BINOM_P(b1_sql_cust, 72, 0.25)
BINOM_P(b1_churn, 530, 0.03)
BINOM_P(b1_winback, 100, 0.05)
POIS3(b1_arrivals, 850.0)

static const struct regime {
    const char *name;
    batch_fn *fn;
} b1_regimes[] = {
    {"b1:binomial(20000,0.03)/p", b1_visit_lead},
    {"b1:binomial(600,0.4)/p", b1_lead_mql},
    {"b1:binomial(240,0.3)/p", b1_mql_sql},
    {"b1:binomial(72,0.25)/p", b1_sql_cust},
    {"b1:binomial(530,0.03)/p", b1_churn},
    {"b1:binomial(100,0.05)/p", b1_winback},
    {"b1:poisson(850)", b1_arrivals},
    {"b1:poisson(850)/prep", b1_arrivals_prep},
    {"b1:poisson(850)/vary", b1_arrivals_vary},
};

/* 1000 units over 5 cells; the cost is per vector. */
static void b_multinom(fc_pcg32 *rng, long n)
{
    static const double prob[5] = {0.1, 0.2, 0.3, 0.25, 0.15};
    uint64_t out[5], acc = 0;
    for (long i = 0; i < n; i++) {
        fc_rmultinom(rng, 1000, 5, prob, out);
        acc += out[0] ^ out[4];
    }
    sink += (double)acc;
}

BATCH(b_triangular, double, fc_rtriangular(rng, 0.0, 0.3, 1.0))
BATCH(b_pert, double, fc_rpert(rng, 0.0, 0.3, 1.0))

/* Names are matched one for one by bench/numpy_dist.py. */
static const struct regime regimes[] = {
    {"raw:u32", raw_u32},
    {"raw:double53", raw_double},
    {"uniform(2,5)", b_uniform},
    {"normal", b_normal},
    {"lognormal(0,1)", b_lognormal},
    {"gamma(0.3)", b_gamma_03},
    {"gamma(1)", b_gamma_1},
    {"gamma(2.5)", b_gamma_25},
    {"gamma(100)", b_gamma_100},
    {"beta(0.5,0.5)", b_beta_05},
    {"beta(2,3)", b_beta_23},
    {"beta(30,970)", b_beta_30},
    {"poisson(0.5)", b_pois_05},
    {"poisson(0.5)/prep", b_pois_05_prep},
    {"poisson(0.5)/vary", b_pois_05_vary},
    {"poisson(3)", b_pois_3},
    {"poisson(3)/prep", b_pois_3_prep},
    {"poisson(3)/vary", b_pois_3_vary},
    {"poisson(30)", b_pois_30},
    {"poisson(30)/prep", b_pois_30_prep},
    {"poisson(30)/vary", b_pois_30_vary},
    {"poisson(1e4)", b_pois_1e4},
    {"poisson(1e4)/prep", b_pois_1e4_prep},
    {"poisson(1e4)/vary", b_pois_1e4_vary},
    {"poisson(1e9)", b_pois_1e9},
    {"poisson(1e9)/prep", b_pois_1e9_prep},
    {"poisson(1e9)/vary", b_pois_1e9_vary},
    {"poisson(1e12)", b_pois_1e12},
    {"poisson(1e12)/prep", b_pois_1e12_prep},
    {"poisson(1e12)/vary", b_pois_1e12_vary},
    {"binomial(20,0.5)", b_binom_20},
    {"binomial(20,0.5)/prep", b_binom_20_prep},
    {"binomial(20,0.5)/vary", b_binom_20_vary},
    {"binomial(1000,0.5)", b_binom_1000},
    {"binomial(1000,0.5)/prep", b_binom_1000_prep},
    {"binomial(1000,0.5)/vary", b_binom_1000_vary},
    {"binomial(1000,0.005)", b_binom_1000s},
    {"binomial(1000,0.005)/prep", b_binom_1000s_prep},
    {"binomial(1000,0.005)/vary", b_binom_1000s_vary},
    {"binomial(1e9,0.3)", b_binom_1e9},
    {"binomial(1e9,0.3)/prep", b_binom_1e9_prep},
    {"binomial(1e9,0.3)/vary", b_binom_1e9_vary},
    {"binomial(2e7,1e-6)", b_binom_2e7},
    {"binomial(2e7,1e-6)/prep", b_binom_2e7_prep},
    {"binomial(2e7,1e-6)/vary", b_binom_2e7_vary},
    {"binomial(1e9,0.999)", b_binom_1e9h},
    {"binomial(1e9,0.999)/prep", b_binom_1e9h_prep},
    {"binomial(1e9,0.999)/vary", b_binom_1e9h_vary},
    {"multinomial(1000,5)", b_multinom},
    {"triangular(0,0.3,1)", b_triangular},
    {"pert(0,0.3,1)", b_pert},
};

static double run_regime(const struct regime *r, double target)
{
    fc_pcg32 rng;
    fc_pcg32_seed(&rng, 42u, 54u);
    /* Calibrate: grow n until one batch takes a tenth of the target. */
    long n = 1024;
    double t;
    for (;;) {
        double t0 = now();
        r->fn(&rng, n);
        t = now() - t0;
        if (t >= 0.1 * target || n > (1L << 40))
            break;
        n *= 4;
    }
    if (t > 0.0)
        n = (long)((double)n * target / t) + 1;
    double best = 1e300;
    for (int rep = 0; rep < 3; rep++) {
        double t0 = now();
        r->fn(&rng, n);
        t = now() - t0;
        if (t < best)
            best = t;
    }
    return best * 1e9 / (double)n;
}

int main(int argc, char **argv)
{
    const char *env = getenv("FC_BENCH_SECONDS");
    double target = env ? atof(env) : 0.2;
    if (!(target > 0.0))
        target = 0.2;
    size_t nreg = sizeof regimes / sizeof regimes[0];
    vary_init();
    if (argc == 2 && strcmp(argv[1], "--b1") == 0) {
        for (size_t i = 0; i < sizeof b1_regimes / sizeof b1_regimes[0]; i++) {
            printf("%s %.3f\n", b1_regimes[i].name, run_regime(&b1_regimes[i], target));
            fflush(stdout);
        }
        return 0;
    }
    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (size_t i = 0; i < nreg; i++)
            printf("%s\n", regimes[i].name);
        return 0;
    }
    for (int a = 1; a < argc; a++) {
        int found = 0;
        for (size_t i = 0; i < nreg; i++)
            found |= strcmp(argv[a], regimes[i].name) == 0;
        if (!found) {
            fprintf(stderr, "bench_dist: unknown regime '%s'; regimes:", argv[a]);
            for (size_t i = 0; i < nreg; i++)
                fprintf(stderr, " %s", regimes[i].name);
            fprintf(stderr, "\n");
            return 2;
        }
    }
    for (size_t i = 0; i < nreg; i++) {
        int wanted = argc == 1;
        for (int a = 1; a < argc; a++)
            wanted |= strcmp(argv[a], regimes[i].name) == 0;
        if (!wanted)
            continue;
        printf("%s %.3f\n", regimes[i].name, run_regime(&regimes[i], target));
        fflush(stdout);
    }
    return 0;
}
