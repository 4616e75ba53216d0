"""Tests the module's draws (tests/module_samples.lua) against scipy's
distributions: Kolmogorov-Smirnov for continuous laws, chi-square over bins
with expected count >= 5 for discrete ones. Each test must give p > 1e-8, so
a correct sampler fails the ~27 tests together less than once in a million
runs."""
import sys

import numpy as np
from scipy import stats

P_MIN = 1e-8


def chi2_discrete(x, dist):
    lo, hi = int(x.min()), int(x.max())
    # bins over the support where the mass lives, tails merged into the ends
    a, b = int(dist.ppf(1e-9)), int(dist.ppf(1 - 1e-9)) + 1
    a, b = min(a, lo), max(b, hi + 1)
    if b - a > 200000:  # huge counts: bin by equal-probability cells instead
        edges = np.unique(dist.ppf(np.linspace(0, 1, 101)[1:-1]))
        idx = np.searchsorted(edges, x, side="left")
        counts = np.bincount(idx, minlength=len(edges) + 1)
        cdf = np.concatenate([[0.0], dist.cdf(edges - 1), [1.0]])
        probs = np.diff(cdf)
    else:
        ks = np.arange(a, b)
        probs = dist.pmf(ks)
        counts = np.bincount(x.astype(np.int64) - a, minlength=b - a)
    exp = probs * len(x)
    # merge neighbouring bins until each expects at least 5
    mc, me, cc, ce = [], [], 0.0, 0.0
    for c, e in zip(counts, exp):
        cc += c
        ce += e
        if ce >= 5:
            mc.append(cc)
            me.append(ce)
            cc = ce = 0.0
    if ce > 0 and me:
        mc[-1] += cc
        me[-1] += ce
    mc, me = np.array(mc), np.array(me)
    me *= mc.sum() / me.sum()
    if len(mc) < 2:
        return 1.0
    return stats.chisquare(mc, me).pvalue


def ks_pvalue(x, cdf):
    """One-sample KS with one ulp of slack on each side of every draw: a
    double cannot hold a value closer to 1 than 2^-53, so a law with mass
    crowded there (beta(0.05, 0.05)) shows an atom at 1 - 2^-53 that the
    exact CDF does not have; the slack forgives rounding, nothing more."""
    x = np.sort(x)
    n = len(x)
    hi = cdf(np.nextafter(x, np.inf))
    lo = cdf(np.nextafter(x, -np.inf))
    i = np.arange(1, n + 1)
    d = max(np.max(i / n - hi), np.max(lo - (i - 1) / n), 0.0)
    return stats.kstwo.sf(d, n)


def main():
    failed = 0
    n = 0
    for line in sys.stdin:
        name, spec, values = line.rstrip("\n").split("\t")
        x = np.array([float(v) for v in values.split(",")])
        kind, *params = spec.split()
        params = [float(p) for p in params]
        if kind == "fixed":
            p = 1.0 if np.all(x == params[0]) else 0.0
        elif kind in ("binom", "poisson"):
            dist = stats.binom(int(params[0]), params[1]) if kind == "binom" else stats.poisson(params[0])
            assert np.all(x == np.floor(x)), name
            p = chi2_discrete(x, dist)
        else:
            if kind == "beta_scaled":
                dist = stats.beta(params[0], params[1], loc=params[2], scale=params[3])
            elif kind == "lognorm":
                dist = stats.lognorm(params[0], loc=params[1], scale=params[2])
            elif kind == "gamma":
                dist = stats.gamma(params[0], loc=params[1], scale=params[2])
            elif kind == "triang":
                dist = stats.triang(params[0], loc=params[1], scale=params[2])
            else:
                dist = getattr(stats, kind)(*params)
            p = ks_pvalue(x, dist.cdf)
        n += 1
        verdict = "ok" if p > P_MIN else "FAIL"
        failed += verdict == "FAIL"
        print(f"{name:24s} {spec:40s} p = {p:.3g}  {verdict}")
    print(f"module vs scipy: {n} regimes, {failed} failed")
    return 1 if failed or n == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
