#!/usr/bin/python3
"""numpy's side of the sampler benchmark (bench/bench_dist.sh).

The regimes of bench/bench_dist.c, one for one and under the same names,
drawn with numpy.random.default_rng (PCG64) in vectorized calls of SIZE draws;
prints "name ns_per_draw", the best of 3 calls. numpy has no PERT sampler: it
is drawn as min + (max - min) * beta(a, b), the affine step included.

Poisson and binomial regimes also come as NAME/prep (the same vectorized call
with fixed parameters, whose set-up numpy does once per array, as funnelcast's
prepared sampler does once) and NAME/vary: the n or mean given as an array
that changes at every draw, the 16 values x (0.9 + 0.2 i / 15) around the
nominal x in the order ((t * 2654435761) >> 7) & 15 of draw t, as
bench/bench_dist.c draws them (the array is built outside the timing).

    /usr/bin/python3 bench/numpy_dist.py [--size 2000000] [regime ...]
"""

import os

# One core against one core: keep any thread pool the import starts to one.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
             "BLIS_NUM_THREADS", "NUMEXPR_NUM_THREADS",
             "VECLIB_MAXIMUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

MULT_P = np.array([0.1, 0.2, 0.3, 0.25, 0.15])


VARY_LEN = 4096
_t = np.arange(VARY_LEN, dtype=np.uint64)
VARY_IDX = ((_t * np.uint64(2654435761)) >> np.uint64(7)) & np.uint64(15)
VARY_FACTOR = np.array([0.9 + 0.2 * i / 15.0 for i in range(16)])
_vary_cache = {}


def vary_values(x, size, count):
    """The per-draw parameter sequence around x for size draws (cached)."""
    key = (x, size, count)
    if key not in _vary_cache:
        tab = x * VARY_FACTOR
        if count:
            tab = np.floor(tab + 0.5).astype(np.int64)
        _vary_cache[key] = np.resize(tab[VARY_IDX], size)
    return _vary_cache[key]


def pois_vary(mu):
    return lambda r, n: r.poisson(vary_values(mu, n, False))


def binom_vary(nn, p):
    return lambda r, n: r.binomial(vary_values(nn, n, True), p)


def pert(rng, lo, mode, hi, size):
    w = hi - lo
    a = 1.0 + 4.0 * (mode - lo) / w
    b = 1.0 + 4.0 * (hi - mode) / w
    return lo + w * rng.beta(a, b, size)


# name -> (function of (rng, size), share of SIZE: the slow vector draws get
# fewer so that every regime takes well under a second).
REGIMES = [
    ("raw:u32", lambda r, n: r.integers(0, 2**32, n, dtype=np.uint32), 1),
    ("raw:double53", lambda r, n: r.random(n), 1),
    ("uniform(2,5)", lambda r, n: r.uniform(2.0, 5.0, n), 1),
    ("normal", lambda r, n: r.standard_normal(n), 1),
    ("lognormal(0,1)", lambda r, n: r.lognormal(0.0, 1.0, n), 1),
    ("gamma(0.3)", lambda r, n: r.standard_gamma(0.3, n), 1),
    ("gamma(1)", lambda r, n: r.standard_gamma(1.0, n), 1),
    ("gamma(2.5)", lambda r, n: r.standard_gamma(2.5, n), 1),
    ("gamma(100)", lambda r, n: r.standard_gamma(100.0, n), 1),
    ("beta(0.5,0.5)", lambda r, n: r.beta(0.5, 0.5, n), 1),
    ("beta(2,3)", lambda r, n: r.beta(2.0, 3.0, n), 1),
    ("beta(30,970)", lambda r, n: r.beta(30.0, 970.0, n), 1),
    ("poisson(0.5)", lambda r, n: r.poisson(0.5, n), 1),
    ("poisson(0.5)/prep", lambda r, n: r.poisson(0.5, n), 1),
    ("poisson(0.5)/vary", pois_vary(0.5), 1),
    ("poisson(3)", lambda r, n: r.poisson(3.0, n), 1),
    ("poisson(3)/prep", lambda r, n: r.poisson(3.0, n), 1),
    ("poisson(3)/vary", pois_vary(3.0), 1),
    ("poisson(30)", lambda r, n: r.poisson(30.0, n), 1),
    ("poisson(30)/prep", lambda r, n: r.poisson(30.0, n), 1),
    ("poisson(30)/vary", pois_vary(30.0), 1),
    ("poisson(1e4)", lambda r, n: r.poisson(1e4, n), 1),
    ("poisson(1e4)/prep", lambda r, n: r.poisson(1e4, n), 1),
    ("poisson(1e4)/vary", pois_vary(1e4), 1),
    ("poisson(1e9)", lambda r, n: r.poisson(1e9, n), 1),
    ("poisson(1e9)/prep", lambda r, n: r.poisson(1e9, n), 1),
    ("poisson(1e9)/vary", pois_vary(1e9), 1),
    ("poisson(1e12)", lambda r, n: r.poisson(1e12, n), 1),
    ("poisson(1e12)/prep", lambda r, n: r.poisson(1e12, n), 1),
    ("poisson(1e12)/vary", pois_vary(1e12), 1),
    ("binomial(20,0.5)", lambda r, n: r.binomial(20, 0.5, n), 1),
    ("binomial(20,0.5)/prep", lambda r, n: r.binomial(20, 0.5, n), 1),
    ("binomial(20,0.5)/vary", binom_vary(20, 0.5), 1),
    ("binomial(1000,0.5)", lambda r, n: r.binomial(1000, 0.5, n), 1),
    ("binomial(1000,0.5)/prep", lambda r, n: r.binomial(1000, 0.5, n), 1),
    ("binomial(1000,0.5)/vary", binom_vary(1000, 0.5), 1),
    ("binomial(1000,0.005)", lambda r, n: r.binomial(1000, 0.005, n), 1),
    ("binomial(1000,0.005)/prep", lambda r, n: r.binomial(1000, 0.005, n), 1),
    ("binomial(1000,0.005)/vary", binom_vary(1000, 0.005), 1),
    ("binomial(1e9,0.3)", lambda r, n: r.binomial(10**9, 0.3, n), 1),
    ("binomial(1e9,0.3)/prep", lambda r, n: r.binomial(10**9, 0.3, n), 1),
    ("binomial(1e9,0.3)/vary", binom_vary(10**9, 0.3), 1),
    ("binomial(2e7,1e-6)", lambda r, n: r.binomial(2 * 10**7, 1e-6, n), 1),
    ("binomial(2e7,1e-6)/prep", lambda r, n: r.binomial(2 * 10**7, 1e-6, n), 1),
    ("binomial(2e7,1e-6)/vary", binom_vary(2 * 10**7, 1e-6), 1),
    ("binomial(1e9,0.999)", lambda r, n: r.binomial(10**9, 0.999, n), 1),
    ("binomial(1e9,0.999)/prep", lambda r, n: r.binomial(10**9, 0.999, n), 1),
    ("binomial(1e9,0.999)/vary", binom_vary(10**9, 0.999), 1),
    ("multinomial(1000,5)", lambda r, n: r.multinomial(1000, MULT_P, n), 0.25),
    ("triangular(0,0.3,1)", lambda r, n: r.triangular(0.0, 0.3, 1.0, n), 1),
    ("pert(0,0.3,1)", lambda r, n: pert(r, 0.0, 0.3, 1.0, n), 1),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=2_000_000,
                    help="draws per vectorized call (default 2e6)")
    ap.add_argument("regimes", nargs="*", help="only these regimes")
    args = ap.parse_args()
    known = {name for name, _, _ in REGIMES}
    for name in args.regimes:
        if name not in known:
            sys.exit("numpy_dist.py: unknown regime %r" % name)
    rng = np.random.default_rng(42)
    for name, fn, share in REGIMES:
        if args.regimes and name not in args.regimes:
            continue
        size = max(1000, int(args.size * share))
        fn(rng, 1000)  # first-call set-up outside the timing
        if name.endswith("/vary"):
            fn(rng, size)  # builds the parameter array outside the timing
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            fn(rng, size)
            best = min(best, time.perf_counter() - t0)
        print("%s %.3f" % (name, best * 1e9 / size), flush=True)


if __name__ == "__main__":
    main()
