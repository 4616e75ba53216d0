#!/usr/bin/python3
"""Checks that two B1 result files (DESIGN.md JSON contract) agree in distribution.

    /usr/bin/python3 bench/compare_b1.py funnelcast.json numpy.json [--series]

Typically one file comes from funnelcast and one from bench/b1_numpy.py, run
with different generators, so the two are independent samples of the same
model and only sampling noise may separate them. For every summary the two
files have in common (metrics, stages, stage_costs, channels, optionally the
per-period series) it checks:
  - mean: within Z standard errors, se = sqrt(sd1^2/n1 + sd2^2/n2) with n the
    number of finite trials; a summary with sd 0 in both (a constant, e.g.
    spend) must have equal means;
  - the share of infinite trials (the "infinite" count), within Z binomial
    standard errors;
  - p10, p50, p90: within the larger of 2% relative and Z standard errors of
    the difference of the two sample quantiles (that one plus 1 unit when
    both are integers; see quantile_tolerance);
and for each goal (matched by name) that the probabilities are within Z
binomial standard errors. It prints one row per check and exits 0 when all
pass, 1 when any fails, 2 on unusable input.
"""

import argparse
import json
import math
import sys

QUANTILES = ("p10", "p50", "p90")

# For the density at a quantile: its neighbours in the summary object, as
# (lower key, lower prob, upper key, upper prob).
NEIGHBOURS = {
    "p10": ("p5", 0.05, "p25", 0.25),
    "p50": ("p25", 0.25, "p75", 0.75),
    "p90": ("p75", 0.75, "p95", 0.95),
}
PROB = {"p10": 0.10, "p50": 0.50, "p90": 0.90}


class Checks:
    """Collects the rows of the table and whether any check failed."""

    def __init__(self):
        self.rows = []
        self.failed = 0

    def add(self, where, stat, a, b, detail, ok):
        self.rows.append((where, stat, a, b, detail, ok))
        if not ok:
            self.failed += 1

    def print(self, only_failures=False):
        head = ("where", "stat", "A", "B", "test", "")
        rows = [r for r in self.rows if not (only_failures and r[5])]
        cells = [head] + [(w, s, fmt(a), fmt(b), d, "ok" if ok else "FAIL")
                          for w, s, a, b, d, ok in rows]
        widths = [max(len(c[i]) for c in cells) for i in range(6)]
        for c in cells:
            print("  ".join(x.ljust(w) if i < 2 or i == 4 else x.rjust(w)
                            for i, (x, w) in enumerate(zip(c, widths))))


def fmt(x):
    if x is None:
        return "inf"
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, int) or (isinstance(x, float) and x.is_integer()
                              and abs(x) < 1e15):
        return str(int(x))
    return f"{x:.6g}"


def is_int(x):
    return isinstance(x, (int, float)) and float(x).is_integer()


def finite_n(summary, trials):
    return trials - summary.get("infinite", 0)


def quantile_se(summary, key, n):
    """Standard error of a sample quantile: sqrt(p(1-p)/n) / density.

    The density is estimated from the neighbouring quantiles in the same
    summary. 0 when they are missing or coincide (a discrete or constant
    metric, where the 1-unit rule is what matters).
    """
    lo_k, lo_p, hi_k, hi_p = NEIGHBOURS[key]
    lo, hi = summary.get(lo_k), summary.get(hi_k)
    if lo is None or hi is None or hi <= lo or n <= 0:
        return 0.0
    density = (hi_p - lo_p) / (hi - lo)
    p = PROB[key]
    return math.sqrt(p * (1 - p) / n) / density


def quantile_tolerance(sa, sb, key, na, nb, rel, z):
    """Allowed |qa - qb|, and a text saying which rule set it.

    2% relative is the tolerance asked for. The standard-error term keeps
    small runs (under about 20,000 trials) and quantiles near zero (roi)
    from failing on sampling noise alone; the extra unit for integers
    absorbs rounding and the choice of order statistic, which matter for
    small counts. At benchmark sizes the 2% term is usually the binding one.
    """
    qa, qb = sa[key], sb[key]
    rules = [(rel * max(abs(qa), abs(qb)), f"{rel:.0%}")]
    se = math.hypot(quantile_se(sa, key, na), quantile_se(sb, key, nb))
    if is_int(qa) and is_int(qb):
        # Rounding to an integer adds up to one unit on top of the noise.
        rules.append((z * se + 1.0, f"{z:g} se + 1 unit" if se else "1 unit"))
    else:
        rules.append((z * se, f"{z:g} se"))
    return max(rules, key=lambda r: r[0])


def check_summary(c, where, sa, sb, na, nb, args):
    """The mean, infinite-share and quantile checks of one summary pair."""
    z = args.z
    fa, fb = finite_n(sa, na), finite_n(sb, nb)

    ma, mb = sa.get("mean"), sb.get("mean")
    sda, sdb = sa.get("sd"), sb.get("sd")
    if ma is None or mb is None:
        if (ma is None) != (mb is None):
            c.add(where, "mean", ma, mb, "finite in one only", False)
    elif sda is None or sdb is None:
        pass  # no sd (e.g. contract series): the mean cannot be tested
    else:
        se = math.sqrt(sda ** 2 / max(fa, 1) + sdb ** 2 / max(fb, 1))
        d = abs(ma - mb)
        if se == 0:
            ok = d <= 1e-9 * max(1.0, abs(ma), abs(mb))
            c.add(where, "mean", ma, mb, "constant: equal", ok)
        else:
            c.add(where, "mean", ma, mb, f"{d / se:.2f} se <= {z:g}",
                  d <= z * se)

    if "infinite" in sa or "infinite" in sb:
        pa, pb = sa.get("infinite", 0) / na, sb.get("infinite", 0) / nb
        se = math.sqrt(pa * (1 - pa) / na + pb * (1 - pb) / nb)
        d = abs(pa - pb)
        ok = d <= z * se if se > 0 else d == 0
        c.add(where, "infinite share", pa, pb,
              f"{d / se:.2f} se <= {z:g}" if se > 0 else "equal", ok)

    for key in QUANTILES:
        if key not in sa or key not in sb:
            continue
        qa, qb = sa[key], sb[key]
        if qa is None or qb is None:
            # null means not finite: both must be so.
            c.add(where, key, qa, qb, "both infinite", qa is None and qb is None)
            continue
        tol, rule = quantile_tolerance(sa, sb, key, fa, fb, args.rel, z)
        d = abs(qa - qb)
        c.add(where, key, qa, qb, f"|d| {d:.4g} <= {tol:.4g} ({rule})",
              d <= tol)


def is_summary(x):
    return isinstance(x, dict) and ("mean" in x or "p50" in x)


def walk(c, where, a, b, na, nb, args, missing):
    """Compares every summary found in both a and b (nested dicts)."""
    for k in sorted(set(a) | set(b)):
        path = f"{where}.{k}"
        if k not in a or k not in b:
            missing.append(path)
            continue
        if is_summary(a[k]) and is_summary(b[k]):
            check_summary(c, path, a[k], b[k], na, nb, args)
        elif isinstance(a[k], dict) and isinstance(b[k], dict):
            walk(c, path, a[k], b[k], na, nb, args, missing)


def check_series(c, a, b, na, nb, args, missing):
    """Per-period series, checked period by period, reported per series."""
    for name in sorted(set(a) | set(b)):
        if name not in a or name not in b:
            missing.append(f"series.{name}")
            continue
        pa = {r["period"]: r for r in a[name]}
        pb = {r["period"]: r for r in b[name]}
        sub = Checks()
        for t in sorted(set(pa) & set(pb)):
            check_summary(sub, f"series.{name}[{t}]", pa[t], pb[t], na, nb,
                          args)
        if set(pa) != set(pb):
            sub.add(f"series.{name}", "periods", len(pa), len(pb),
                    "same periods", False)
        bad = [r for r in sub.rows if not r[5]]
        if bad:
            for r in bad:
                c.add(*r)
        else:
            c.add(f"series.{name}", "all periods", len(pa), len(pb),
                  f"{len(sub.rows)} checks", True)


def check_goals(c, ga, gb, na, nb, z, missing):
    by_name = {g["name"]: g for g in gb}
    for g in ga:
        h = by_name.pop(g["name"], None)
        where = f"goals[{g['name']}]"
        if h is None:
            missing.append(where)
            continue
        same = all(g.get(k) == h.get(k) for k in ("metric", "op", "target", "by"))
        if not same:
            c.add(where, "definition", None, None,
                  "metric/op/target/by differ", False)
            continue
        pa, pb = g["probability"], h["probability"]
        se = math.sqrt(pa * (1 - pa) / na + pb * (1 - pb) / nb)
        d = abs(pa - pb)
        ok = d <= z * se if se > 0 else d == 0
        c.add(where, "probability", pa, pb,
              f"{d / se:.2f} se <= {z:g}" if se > 0 else "equal", ok)
    missing.extend(f"goals[{n}]" for n in by_name)


def load(path):
    with open(path) as f:
        res = json.load(f)
    if "scenarios" in res:  # a comparison file: its first scenario is the base
        res = res["scenarios"][0]
    for k in ("trials", "metrics"):
        if k not in res:
            raise ValueError(f"{path}: no '{k}': not a funnelcast results file")
    return res


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Check that two B1 JSON results agree in distribution.")
    ap.add_argument("a", help="first results file (e.g. funnelcast's)")
    ap.add_argument("b", help="second results file (e.g. b1_numpy.py's)")
    ap.add_argument("--z", type=float, default=4.0,
                    help="standard errors allowed (default 4)")
    ap.add_argument("--rel", type=float, default=0.02,
                    help="relative quantile tolerance (default 0.02)")
    ap.add_argument("--series", action="store_true",
                    help="also check every period of every common series")
    ap.add_argument("--failures", action="store_true",
                    help="print only the failed checks")
    args = ap.parse_args(argv)

    try:
        a, b = load(args.a), load(args.b)
    except (OSError, ValueError) as e:
        print(f"compare_b1: {e}", file=sys.stderr)
        return 2
    na, nb = a["trials"], b["trials"]
    if a.get("periods") != b.get("periods"):
        print(f"compare_b1: periods differ ({a.get('periods')} vs "
              f"{b.get('periods')})", file=sys.stderr)
        return 1

    c = Checks()
    missing = []
    for section in ("metrics", "stages", "stage_costs", "channels"):
        walk(c, section, a.get(section, {}), b.get(section, {}), na, nb,
             args, missing)
    if args.series:
        check_series(c, a.get("series", {}), b.get("series", {}), na, nb,
                     args, missing)
    check_goals(c, a.get("goals", []), b.get("goals", []), na, nb, args.z,
                missing)

    print(f"A: {args.a} ({na} trials, seed {a.get('seed')})")
    print(f"B: {args.b} ({nb} trials, seed {b.get('seed')})")
    c.print(only_failures=args.failures)
    if missing:
        print(f"in one file only (not checked): {', '.join(missing)}")
    if not c.rows:
        print("FAIL: nothing in common to compare")
        return 1
    print(f"{len(c.rows)} checks, {c.failed} failed: "
          f"{'FAIL' if c.failed else 'PASS'}")
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
