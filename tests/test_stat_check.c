/* Tests of the test statistics themselves (tests/support/stat_check): every
 * sampler test trusts these CDFs, pmfs and p-values, so they are checked
 * against reference values (scipy 1.10 where it is accurate; for log-pmfs at
 * huge parameters, where scipy loses digits, a 50-digit Decimal evaluation of
 * the log-gamma formula), and the p-values are checked to be uniform under
 * the null and small under a wrong null.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>

#include "rng.h"
#include "support/stat_check.h"

/* Meta-tests assert p > P_MIN; there are 3 of them here, so a correct
 * stat_check fails less than once in 1e8 runs. */
#define P_MIN 1e-9

static void test_assert_close(void **state)
{
    (void)state;
    assert_close(1.0, 1.0, 0, 0);
    assert_close(1.0 + 1e-10, 1.0, 1e-9, 0);
    assert_close(1e6 + 1, 1e6, 0, 2e-6);
    assert_close(INFINITY, INFINITY, 0, 0);
    assert_close(NAN, NAN, 0, 0);
}

static void test_lgamma(void **state)
{
    (void)state;
    static const double cases[][2] = {
        {0.01, 4.5994798780420219},   {0.5, 0.57236494292469997},
        {1.0, 0},                     {2.5, 0.28468287047291918},
        {14.9, 24.924132002217277},   {15.0, 25.191221182738683},
        {100.5, 361.43554046777757},  {1e6, 12815504.569147611},
        {1e12, 26631021115915.652},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_close(sc_lgamma(cases[i][0]), cases[i][1], 1e-14, 1e-14);
    assert_true(isnan(sc_lgamma(0)));
}

static void test_incomplete_gamma(void **state)
{
    (void)state;
    /* a, x, P(a, x), Q(a, x) (scipy gammainc, gammaincc) */
    static const double cases[][4] = {
        {0.01, 1e-05, 0.89633679826719692, 0.10366320173280281},
        {0.01, 0.5, 0.99437324380603265, 0.0056267561939671827},
        {0.3, 0.2, 0.65750672426972168, 0.34249327573027832},
        {1, 1, 0.63212055882855767, 0.36787944117144245},
        {2.5, 3, 0.69378108158672125, 0.30621891841327875},
        {2.5, 0.5, 0.037434226752703609, 0.96256577324729642},
        {100, 90, 0.15822098918643007, 0.84177901081356998},
        {100, 115, 0.92838814147544613, 0.071611858524553929},
        {50, 40, 0.070335066659394943, 0.92966493334060507},
        {500, 560, 0.99530683400070519, 0.0046931659992947667},
        {0.5, 30, 0.99999999999999056, 9.4857375710738573e-15},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const double *c = cases[i];
        assert_close(sc_gamma_p(c[0], c[1]), c[2], 1e-14, 1e-12);
        assert_close(sc_gamma_q(c[0], c[1]), c[3], 1e-14, 1e-11);
    }
    assert_close(sc_gamma_p(2, 0), 0, 0, 0);
    assert_close(sc_gamma_q(2, INFINITY), 0, 0, 0);
    assert_close(sc_chisq_sf(3.0, 1), 0.08326451666355042, 0, 1e-12);
    assert_close(sc_chisq_sf(10.0, 5), 0.075235246146512169, 0, 1e-12);
    assert_close(sc_chisq_sf(150.0, 100), 0.00090393204235401838, 0, 1e-11);
    assert_close(sc_chisq_sf(250.0, 100), 7.7669364035394901e-15, 0, 1e-10);
    assert_close(sc_chisq_sf(40.0, 3), 1.065509033425585e-08, 0, 1e-11);
}

static void test_incomplete_beta(void **state)
{
    (void)state;
    /* a, b, x, I_x(a, b) (scipy betainc) */
    static const double cases[][4] = {
        {0.01, 0.01, 1e-10, 0.39722851343559046},
        {0.01, 0.01, 0.5, 0.5},
        {0.01, 0.01, 0.999999999999, 0.62064979863279024},
        {0.5, 0.5, 0.3, 0.36901011956554541},
        {2, 3, 0.4, 0.52479999999999993},
        {30, 970, 0.02, 0.020455055563422076},
        {30, 970, 0.04, 0.95927810128172719},
        {0.3, 5, 0.001, 0.22235229161850698},
        {1000, 2000, 0.32, 0.059911027855213836},
        {1000, 2000, 0.35, 0.97290450431697684},
        {5, 0.3, 0.999, 0.777647708381493},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const double *c = cases[i];
        assert_close(sc_beta_inc(c[0], c[1], c[2]), c[3], 1e-14, 1e-11);
    }
    assert_close(sc_beta_inc(2, 3, 0), 0, 0, 0);
    assert_close(sc_beta_inc(2, 3, 1), 1, 0, 0);
}

static void test_continuous_cdfs(void **state)
{
    (void)state;
    static const double phi[][2] = {
        {-38, 0}, /* underflows in scipy too; ours must not be negative */
        {-10, 7.6198530241604696e-24},   {-3, 0.0013498980316300933},
        {-1, 0.15865525393145707},       {0, 0.5},
        {0.5, 0.69146246127401312},      {2, 0.97724986805182079},
        {8, 0.99999999999999933},
    };
    for (size_t i = 0; i < sizeof phi / sizeof phi[0]; i++)
        assert_close(sc_norm_cdf(phi[i][0]), phi[i][1], 1e-300, 1e-13);
    assert_close(sc_normal_cdf(7, 5, 2), 0.84134474606854293, 0, 1e-13);
    assert_close(sc_lognormal_cdf(2.0, 0.5, 0.7), 0.60869698884844936, 0,
                 1e-13);
    assert_close(sc_lognormal_cdf(-1, 0.5, 0.7), 0, 0, 0);
    assert_close(sc_gamma_cdf(6, 2.5, 2), 0.69378108158672125, 0, 1e-12);
    assert_close(sc_beta_cdf(0.4, 2, 3), 0.5248, 0, 1e-13);
    assert_close(sc_uniform_cdf(2.5, 2, 4), 0.25, 0, 0);
    assert_close(sc_uniform_cdf(5, 2, 4), 1, 0, 0);
    assert_close(sc_triangular_cdf(1.5, 0, 1, 4), 0.47916666666666669, 0,
                 1e-14);
    assert_close(sc_triangular_cdf(0.5, 0, 1, 4), 0.0625, 0, 1e-14);
    /* mode at either end: no division by zero */
    assert_close(sc_triangular_cdf(1, 0, 0, 2), 0.75, 0, 1e-14);
    assert_close(sc_triangular_cdf(1, 0, 2, 2), 0.25, 0, 1e-14);
    assert_close(sc_pert_cdf(2.5, 1, 2, 6), 0.54823030426190467, 0, 1e-12);
}

static void test_log_pmfs(void **state)
{
    (void)state;
    /* k, mu, log pmf */
    static const double pois[][3] = {
        {0, 0.5, -0.5},
        {3, 3, -1.4959226032237258},
        {10, 9.9, -2.0790650016700738},
        {10000, 1e4, -5.524117052526095},
        {10100, 1e4, -6.0274337524420645},
        {1e9, 1e9, -11.280571451761212},
        {1e12, 1e12, -14.734449091169029},
        {1e12 + 3e6, 1e12, -19.234446091173531},
    };
    for (size_t i = 0; i < sizeof pois / sizeof pois[0]; i++)
        assert_close(sc_pois_logpmf(pois[i][0], pois[i][1]), pois[i][2],
                     1e-11, 0);
    /* k, n, p, log pmf */
    static const double binom[][4] = {
        {0, 3, 0.5, -2.0794415416798357},
        {18, 20, 0.9, -1.2546353956684786},
        {500, 1000, 0.5, -3.6799189920941293},
        {300000000, 1e9, 0.3, -10.500247577859037},
        {300040000, 1e9, 0.3, -14.30971273607417},
        {20, 2e7, 1e-6, -2.4209704896734192},
        {999999, 1e6, 0.999999, -0.99999949999983329},
        {1e6, 1e6, 0.999999, -1.000000500029089},
        {2, 100, 0.02, -1.2967684724104644},
        {0, 2e7, 1e-6, -20.000010000006668},
    };
    for (size_t i = 0; i < sizeof binom / sizeof binom[0]; i++)
        assert_close(sc_binom_logpmf(binom[i][0], binom[i][1], binom[i][2]),
                     binom[i][3], 1e-11, 0);
    assert_true(sc_binom_logpmf(4, 3, 0.5) == -INFINITY);
    assert_true(sc_binom_logpmf(1, 3, 0) == -INFINITY);
    assert_close(sc_binom_logpmf(3, 3, 1), 0, 0, 0);
    assert_close(sc_pois_logpmf(0, 0), 0, 0, 0);
}

static void test_masses(void **state)
{
    (void)state;
    /* scipy cdf differences, except the binomial one: scipy's binom.cdf
     * (0.50986872521584825) is off by 2e-8 there; the reference is the pmf
     * summed in 50-digit Decimal arithmetic */
    assert_close(sc_pois_mass(1e4, 9900, 10100), 0.68510520009642639, 0, 1e-11);
    assert_close(sc_binom_mass(1e9, 0.3, 299990000, 300010000),
                 0.50986873617160822, 0, 1e-12);
    assert_close(sc_pois_mass(1e12, 1e12 - 1e6, 1e12), 0.34134513301544556, 0,
                 1e-9);
    /* whole supports sum to one */
    assert_close(sc_pois_mass(3, 0, 200), 1, 0, 1e-14);
    assert_close(sc_binom_mass(20, 0.9, 0, 20), 1, 0, 1e-14);
    assert_close(sc_binom_mass(1e6, 0.999999, 0, 1e6), 1, 0, 1e-13);
    assert_close(sc_binom_mass(3, 1, 0, 3), 1, 0, 0);
}

static void test_kolmogorov(void **state)
{
    (void)state;
    static const double cases[][2] = {
        {0.3, 0.99999069419866549},   {0.5, 0.96394524366487511},
        {0.8, 0.54414241157419807},   {1.0, 0.26999967167735456},
        {1.17, 0.12939004218561884},  {1.19, 0.11774229287977166},
        {1.36, 0.049485876755377876}, {2.0, 0.00067092525577969533},
        {3.0, 3.0459959489425258e-08},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_close(sc_kolmogorov_q(cases[i][0]), cases[i][1], 1e-15, 1e-12);
}

static double cdf_uniform01(double x, const void *ctx)
{
    (void)ctx;
    return sc_uniform_cdf(x, 0, 1);
}

static double cdf_std_normal(double x, const void *ctx)
{
    return sc_normal_cdf(x, 0, *(const double *)ctx);
}

static double cdf_point_half(double x, const void *ctx)
{
    (void)ctx;
    return x < 0.5 ? 0 : 1;
}

/* The KS p-value for a given D matches the exact finite-n law (scipy kstwo)
 * within the Stephens approximation's few percent. */
static void test_ks_known_d(void **state)
{
    (void)state;
    double sn = sqrt(1000.0);
    assert_close(sc_kolmogorov_q(0.05 * (sn + 0.12 + 0.11 / sn)),
                 0.013012074781090332, 0, 0.03);
    sn = 10;
    assert_close(sc_kolmogorov_q(0.12 * (sn + 0.12 + 0.11 / sn)),
                 0.10330374901819871, 0, 0.03);
    /* ties: all mass in one double is consistent with a point mass there */
    double x[50];
    for (int i = 0; i < 50; i++)
        x[i] = 0.5;
    double d;
    assert_close(sc_ks_test(x, 50, cdf_point_half, NULL, &d), 1, 0, 0);
    assert_close(d, 0, 0, 0);
    /* a NaN sample is a failure, not a pass */
    x[7] = NAN;
    assert_close(sc_ks_test(x, 50, cdf_point_half, NULL, NULL), 0, 0, 0);
}

/* Under the null, KS p-values are uniform: 400 tests of 500 uniforms each,
 * then a KS test of the 400 p-values. */
static void test_ks_pvalues_uniform(void **state)
{
    (void)state;
    enum { TESTS = 400, N = 500 };
    static double ps[TESTS], x[N];
    fc_pcg32 r;
    fc_pcg32_seed(&r, 2024, 1);
    for (int t = 0; t < TESTS; t++) {
        for (int i = 0; i < N; i++)
            x[i] = fc_rng_uniform(&r);
        ps[t] = sc_ks_test(x, N, cdf_uniform01, NULL, NULL);
    }
    assert_p_above(sc_ks_test(ps, TESTS, cdf_uniform01, NULL, NULL), P_MIN,
                   "KS p-values under the null");
}

/* Under the null, chi-square p-values are uniform (up to the discreteness of
 * the statistic): 400 tests of 2000 draws over 10 cells. */
static void test_chisq_pvalues_uniform(void **state)
{
    (void)state;
    enum { TESTS = 400, N = 2000, K = 10 };
    static double ps[TESTS];
    fc_pcg32 r;
    fc_pcg32_seed(&r, 2024, 2);
    for (int t = 0; t < TESTS; t++) {
        double obs[K] = {0}, exp_[K];
        for (int i = 0; i < N; i++)
            obs[fc_rng_bounded(&r, K)]++;
        for (int k = 0; k < K; k++)
            exp_[k] = (double)N / K;
        ps[t] = sc_chisq_test(obs, exp_, K, 0, NULL, NULL);
    }
    assert_p_above(sc_ks_test(ps, TESTS, cdf_uniform01, NULL, NULL), P_MIN,
                   "chi-square p-values under the null");
}

/* The tests have power: a 2% error in a normal's sd and a die loaded by 1.5%
 * are rejected at 200k draws. */
static void test_power(void **state)
{
    (void)state;
    enum { N = 200000 };
    static double x[N];
    fc_pcg32 r;
    fc_pcg32_seed(&r, 7, 3);
    double sd = 1;
    for (int i = 0; i < N; i++) {
        /* Box-Muller, independent of core/dist */
        double u = fc_rng_uniform_pos(&r), v = fc_rng_uniform(&r);
        x[i] = sqrt(-2 * log(u)) * cos(6.283185307179586 * v);
    }
    double p_true = sc_ks_test(x, N, cdf_std_normal, &sd, NULL);
    assert_p_above(p_true, P_MIN, "Box-Muller against N(0, 1)");
    sd = 1.02;
    assert_true(sc_ks_test(x, N, cdf_std_normal, &sd, NULL) < 1e-6);

    double obs[6] = {0}, exp_[6];
    for (int i = 0; i < N; i++) {
        uint32_t face = fc_rng_bounded(&r, 6);
        /* load face 5: re-roll 1.5% of the other faces to 5 */
        if (face != 5 && fc_rng_uniform(&r) < 0.015)
            face = 5;
        obs[face]++;
    }
    for (int k = 0; k < 6; k++)
        exp_[k] = N / 6.0;
    assert_true(sc_chisq_test(obs, exp_, 6, 0, NULL, NULL) < 1e-9);
}

static void test_chisq_merging(void **state)
{
    (void)state;
    double obs[] = {2, 0, 1, 12, 9}, exp_[] = {1, 1, 1, 10, 11};
    double stat, df;
    double p = sc_chisq_test(obs, exp_, 5, 0, &stat, &df);
    /* cells {0..3} (expected 13, observed 15) and {4} (11, 9) */
    assert_close(df, 1, 0, 0);
    assert_close(stat, 4.0 / 13 + 4.0 / 11, 1e-14, 0);
    assert_close(p, sc_chisq_sf(4.0 / 13 + 4.0 / 11, 1), 0, 1e-14);
    /* trailing small cells join the last full one */
    double obs2[] = {10, 10, 0, 0}, exp2[] = {10, 9, 1, 1};
    sc_chisq_test(obs2, exp2, 4, 0, &stat, &df);
    assert_close(df, 1, 0, 0);
    assert_close(stat, 0 + 1.0 / 11, 1e-14, 0);
    /* fewer than two usable cells: NaN, which fails any p > threshold */
    double one[] = {3}, one_e[] = {3};
    assert_true(isnan(sc_chisq_test(one, one_e, 1, 0, NULL, NULL)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_assert_close),
        cmocka_unit_test(test_lgamma),
        cmocka_unit_test(test_incomplete_gamma),
        cmocka_unit_test(test_incomplete_beta),
        cmocka_unit_test(test_continuous_cdfs),
        cmocka_unit_test(test_log_pmfs),
        cmocka_unit_test(test_masses),
        cmocka_unit_test(test_kolmogorov),
        cmocka_unit_test(test_ks_known_d),
        cmocka_unit_test(test_ks_pvalues_uniform),
        cmocka_unit_test(test_chisq_pvalues_uniform),
        cmocka_unit_test(test_power),
        cmocka_unit_test(test_chisq_merging),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
