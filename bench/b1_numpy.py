#!/usr/bin/python3
"""Benchmark B1 (DESIGN.md) written directly in vectorized numpy.

It is funnelcast's peer: the benchmark times it beside the C core, and
compare_b1.py checks that both give the same distributions. So it follows
DESIGN.md's "Model semantics" for the example scenario literally and writes
the "JSON results" contract, and nothing in it is tuned to funnelcast's code.

    /usr/bin/python3 bench/b1_numpy.py --trials 1000000 --seed 42 --json out.json
    /usr/bin/python3 bench/b1_numpy.py --trials 1000000 --seed 42 --time-only
"""

import os

# The benchmark compares one core against one core. numpy's random
# generators are single-threaded anyway, but a BLAS or OpenMP pool started
# by the import would still compete for the second core, so pin every pool
# to one thread; this only takes effect before numpy is imported.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
             "BLIS_NUM_THREADS", "NUMEXPR_NUM_THREADS",
             "VECLIB_MAXIMUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

# --- Scenario B1, as in DESIGN.md's example scenario ----------------------

NAME = "inbound-2027"
PERIODS = 12
UNIT = "month"

# name, spend per period, cpc lognormal median, cpc lognormal sigma
CHANNELS = (
    ("search", 20000.0, 2.5, 0.20),
    ("social", 10000.0, 1.2, 0.30),
    ("events", 15000.0, 5.0, 0.25),
)

# Stages after the first: name, beta(a, b) rate, delay in periods.
STAGES = ("visitor", "lead", "mql", "sql", "customer")
RATES = ((30.0, 970.0), (40.0, 60.0), (30.0, 70.0), (25.0, 75.0))
DELAYS = (0, 0, 0, 1)

INITIAL_CUSTOMERS = 500
CHURN = (3.0, 97.0)       # beta, drawn once per trial
WINBACK = (5.0, 95.0)     # beta, drawn once per trial
ARPU = 100.0
MARGIN = 1.0

GOALS = (
    {"name": "200 new customers in 2027", "metric": "new_customers",
     "op": ">=", "target": 200.0},
    {"name": "CAC under 3000", "metric": "cac", "op": "<=", "target": 3000.0},
)
CONFIDENCE = 0.8

SPEND_PER_PERIOD = sum(c[1] for c in CHANNELS)

# Large enough that numpy's per-call overhead vanishes, small enough that a
# chunk's temporaries stay in a few hundred MB. Results depend on it (each
# chunk has its own stream), so it is a constant, not an option: a result
# then depends only on the seed and the trial count, as in funnelcast.
CHUNK = 100_000

QUANTILES = (("p5", 0.05), ("p10", 0.10), ("p25", 0.25), ("p50", 0.50),
             ("p75", 0.75), ("p90", 0.90), ("p95", 0.95))

# Per-period series kept per trial (the stage series are named by stage).
SERIES = STAGES[:-1] + ("new_customers", "churned", "won_back",
                        "active", "lost")


class Results:
    """Per-trial outputs of a whole run, filled chunk by chunk.

    Counts are int32 (the largest, visitors per period, is about 2e4) so
    that a million trials' series fit in about 0.4 GB.
    """

    def __init__(self, trials):
        self.trials = trials
        self.series = {s: np.empty((trials, PERIODS), np.int32)
                       for s in SERIES}
        self.channel_visitors = np.empty((trials, len(CHANNELS)), np.int64)
        self.churn = np.empty(trials)


def simulate_chunk(rng, out, lo, m):
    """Simulates trials [lo, lo + m) into out, all periods at once."""
    hi = lo + m

    # Assumptions drawn once per trial.
    med = np.array([c[2] for c in CHANNELS])
    sig = np.array([c[3] for c in CHANNELS])
    spend = np.array([c[1] for c in CHANNELS])
    cpc = rng.lognormal(np.log(med), sig, size=(m, len(CHANNELS)))
    rates = [rng.beta(a, b, size=(m, 1)) for a, b in RATES]
    churn = rng.beta(*CHURN, size=m)
    winback = rng.beta(*WINBACK, size=m)

    # Constant spend, no hill, adstock or season: lambda = spend / cpc in
    # every period, one Poisson per channel and period.
    visits = rng.poisson((spend / cpc)[:, None, :],
                         size=(m, PERIODS, len(CHANNELS)))
    out.channel_visitors[lo:hi] = visits.sum(axis=1)

    # Funnel: of the units entering stage k-1 in period s, Binomial reach
    # stage k and land in period s + delay. Units landing after the last
    # period are not counted, so their binomial is not even drawn.
    entered = visits.sum(axis=2)
    out.series["visitor"][lo:hi] = entered
    for k in range(1, len(STAGES)):
        d = DELAYS[k - 1]
        landed = np.zeros((m, PERIODS), np.int64)
        landed[:, d:] = rng.binomial(entered[:, :PERIODS - d], rates[k - 1])
        name = "new_customers" if k == len(STAGES) - 1 else STAGES[k]
        out.series[name][lo:hi] = landed
        entered = landed
    new = entered

    # Customers: the recursion is sequential in t but vectorized over trials.
    active = np.full(m, INITIAL_CUSTOMERS, np.int64)
    lost = np.zeros(m, np.int64)
    s_churned = out.series["churned"]
    s_won = out.series["won_back"]
    s_active = out.series["active"]
    s_lost = out.series["lost"]
    for t in range(PERIODS):
        churned = rng.binomial(active, churn)
        won = rng.binomial(lost, winback)
        active += won - churned + new[:, t]
        lost += churned - won
        s_churned[lo:hi, t] = churned
        s_won[lo:hi, t] = won
        s_active[lo:hi, t] = active
        s_lost[lo:hi, t] = lost
    out.churn[lo:hi] = churn


def simulate(trials, seed):
    """Runs all trials; returns (Results, seconds spent simulating)."""
    out = Results(trials)
    # One independent child stream per chunk, so chunk i's draws do not
    # depend on how many draws the chunks before it consumed.
    nchunks = -(-trials // CHUNK)
    children = np.random.SeedSequence(seed).spawn(nchunks)
    start = time.perf_counter()
    for i, ss in enumerate(children):
        lo = i * CHUNK
        simulate_chunk(np.random.Generator(np.random.PCG64(ss)), out, lo,
                       min(CHUNK, trials - lo))
    return out, time.perf_counter() - start


# --- Per-trial metrics -----------------------------------------------------

def trial_metrics(r):
    """The DESIGN.md totals of every trial, as float64 arrays."""
    s = r.series
    new = s["new_customers"].sum(axis=1, dtype=np.int64).astype(float)
    revenue = s["active"].sum(axis=1, dtype=np.int64) * ARPU
    gross_margin = revenue * MARGIN
    spend = np.full(r.trials, SPEND_PER_PERIOD * PERIODS)
    funnel_cost = np.zeros(r.trials)    # no stage has a cost in B1
    winback_cost = np.zeros(r.trials)   # the winback block has no cost
    with np.errstate(divide="ignore", invalid="ignore"):
        cac = np.where(new > 0, (spend + funnel_cost) / new, np.inf)
        ltv = ARPU * MARGIN / r.churn
        ltv_cac = ltv / cac
    outlay = spend + funnel_cost + winback_cost
    return {
        "new_customers": new,
        "churned": s["churned"].sum(axis=1, dtype=np.int64).astype(float),
        "won_back": s["won_back"].sum(axis=1, dtype=np.int64).astype(float),
        "active_end": s["active"][:, -1].astype(float),
        "revenue": revenue,
        "gross_margin": gross_margin,
        "spend": spend,
        "funnel_cost": funnel_cost,
        "winback_cost": winback_cost,
        "cac": cac,
        "ltv": ltv,
        "ltv_cac": ltv_cac,
        "roi": (gross_margin - outlay) / outlay,
        "payback": cac / (ARPU * MARGIN),
    }


# --- Summaries ------------------------------------------------------------

def _num(x):
    """A JSON number, or None for what JSON cannot hold (inf, nan)."""
    x = float(x)
    if not math.isfinite(x):
        return None
    return int(x) if x.is_integer() and abs(x) < 2**53 else x


def summarize(x):
    """The contract's summary object of one metric over all trials.

    Quantiles are order statistics (numpy's inverted_cdf), so the quantile
    of an integer metric is an observed integer, exact as DESIGN.md asks.
    They are taken over all trials, infinite ones sorting last, while mean
    and sd are over the finite trials only, as the contract says.
    """
    x = np.asarray(x, dtype=float)
    finite = x[np.isfinite(x)]
    out = {
        "mean": _num(finite.mean()) if finite.size else None,
        "sd": _num(finite.std(ddof=1)) if finite.size > 1 else None,
        "min": _num(x.min()),
        "max": _num(x.max()),
    }
    qs = np.quantile(x, [q for _, q in QUANTILES], method="inverted_cdf")
    out.update((k, _num(v)) for (k, _), v in zip(QUANTILES, qs))
    if finite.size < x.size:
        out["infinite"] = int(x.size - finite.size)
    return out


def summarize_series(a, scale=1.0):
    """Per-period summaries of a (trials, periods) integer array."""
    a = np.asarray(a)
    qs = np.quantile(a, [q for _, q in QUANTILES], axis=0,
                     method="inverted_cdf")
    mean = a.mean(axis=0, dtype=np.float64)
    sd = a.std(axis=0, ddof=1, dtype=np.float64)
    rows = []
    for t in range(a.shape[1]):
        row = {"period": t + 1,
               "mean": _num(mean[t] * scale), "sd": _num(sd[t] * scale),
               "min": _num(a[:, t].min() * scale),
               "max": _num(a[:, t].max() * scale)}
        row.update((k, _num(qs[i, t] * scale))
                   for i, (k, _) in enumerate(QUANTILES))
        rows.append(row)
    return rows


def constant_series(value):
    row = {k: _num(value) for k in ("mean", "min", "max")}
    row["sd"] = 0
    row.update((k, _num(value)) for k, _ in QUANTILES)
    return [dict(period=t + 1, **row) for t in range(PERIODS)]


def goal_met(metric, op, target):
    # A non-finite value (the CAC of a trial without customers) meets an
    # at_least bound when it is +inf and never meets an at_most one; plain
    # comparison with inf does exactly that.
    return metric >= target if op == ">=" else metric <= target


def report(r, seed):
    """The JSON results object (DESIGN.md contract) of a run."""
    m = trial_metrics(r)
    s = r.series
    totals = {st: s[st].sum(axis=1, dtype=np.int64) for st in STAGES[:-1]}
    totals["customer"] = s["new_customers"].sum(axis=1, dtype=np.int64)

    # Cost per arrival at each stage: everything spent to reach it, i.e. the
    # spend plus the stage costs up to it (none in B1).
    with np.errstate(divide="ignore"):
        stage_costs = {st: summarize(np.where(totals[st] > 0,
                                              m["spend"] / totals[st],
                                              np.inf))
                       for st in STAGES}

    series = {st: summarize_series(s[st]) for st in STAGES[:-1]}
    series["customer"] = summarize_series(s["new_customers"])
    for name in ("new_customers", "churned", "won_back", "active", "lost"):
        series[name] = summarize_series(s[name])
    # arpu has no growth in B1, so revenue(t) = A(t) * arpu exactly.
    series["revenue"] = summarize_series(s["active"], ARPU)
    series["spend"] = constant_series(SPEND_PER_PERIOD)

    channels = {}
    for j, (name, spend, _, _) in enumerate(CHANNELS):
        # Per-channel customers and CAC need attribution, which B1 does not
        # model separately (every channel converts at the same rates).
        channels[name] = {
            "visitors": summarize(r.channel_visitors[:, j]),
            "spend": summarize(np.full(r.trials, spend * PERIODS)),
        }

    goals = []
    for g in GOALS:
        p = float(goal_met(m[g["metric"]], g["op"], g["target"]).mean())
        goals.append({"name": g["name"], "metric": g["metric"],
                      "op": g["op"], "target": _num(g["target"]),
                      "by": PERIODS, "probability": p,
                      "confidence": CONFIDENCE, "on_track": p >= CONFIDENCE})

    return {
        # The contract version this file follows; "engine" says who wrote it.
        "funnelcast": "0.1.0",
        "engine": "numpy (bench/b1_numpy.py)",
        "scenario": NAME, "trials": r.trials, "seed": seed,
        "periods": PERIODS, "unit": UNIT,
        "metrics": {k: summarize(v) for k, v in m.items()},
        "stages": {st: summarize(totals[st]) for st in STAGES},
        "stage_costs": stage_costs,
        "channels": channels,
        "series": series,
        "goals": goals,
    }


def print_summary(res):
    print(f"{res['scenario']}: {res['trials']} trials, seed {res['seed']}")
    print(f"{'metric':<14}{'mean':>14}{'p10':>14}{'p50':>14}{'p90':>14}")
    for k in ("new_customers", "cac", "revenue", "active_end", "roi"):
        v = res["metrics"][k]
        cells = "".join(f"{v[c]:>14.6g}" if v[c] is not None else f"{'inf':>14}"
                        for c in ("mean", "p10", "p50", "p90"))
        print(f"{k:<14}{cells}")
    for g in res["goals"]:
        print(f"goal {g['name']!r}: probability {g['probability']:.4f}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--json", metavar="OUT",
                    help="write the JSON results here ('-' for stdout)")
    ap.add_argument("--time-only", action="store_true",
                    help="skip summaries; last line is 'trials_per_second X'")
    args = ap.parse_args(argv)
    if args.trials < 2:
        ap.error("--trials must be at least 2")
    if args.seed < 0:
        ap.error("--seed must be >= 0")

    results, seconds = simulate(args.trials, args.seed)
    rate = args.trials / seconds
    if args.time_only:
        print(f"trials_per_second {rate:.0f}")
        return 0

    print(f"simulation: {args.trials} trials in {seconds:.3f} s, "
          f"{rate:.0f} trials/s (one core, summaries excluded)",
          file=sys.stderr)
    res = report(results, args.seed)
    text = json.dumps(res, indent=1, allow_nan=False) + "\n"
    if args.json == "-":
        sys.stdout.write(text)
    else:
        if args.json:
            # Written whole or not at all, like funnelcast's own outputs.
            tmp = args.json + ".tmp"
            with open(tmp, "w") as f:
                f.write(text)
            os.replace(tmp, args.json)
        print_summary(res)
        print(f"trials_per_second {rate:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
