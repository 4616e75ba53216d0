#!/usr/bin/python3
"""make_history: a made-up but plausible history file for the B2B example
(scenarios/b2b_saas_inbound.lua), drawn from known rates with a fixed seed,
in the format of README.md ("History files").

The process is the model's own (DESIGN.md, "Channels", "Funnel",
"Customers"): each month a channel's visits are Poisson(spend / cpc * season),
its cost per click varying from month to month around the channel's median;
each stage keeps a binomial share of the stage before (customers a month
after their SQL, from a warm-up month before the first row); then churn,
win-back, active, lost and revenue = active * arpu.

    /usr/bin/python3 scenarios/history/make_history.py > b2b_history.csv
    /usr/bin/python3 scenarios/history/make_history.py --start 2027-01 --months 6 \\
        --initial 661 --lost 259 --lead 0.027 --seed 2027 > b2b_ytd_2027.csv

--truth FILE writes the rates drawn from as JSON (the tests compare
calibrate's posteriors with them). The files in this folder were made by
the two commands above (the second's --initial and --lost are the first
file's last row).
"""
import argparse
import json
import sys

import numpy as np

CHANNELS = {  # spend a month, median cost per click, month-to-month sigma of log cpc
    "search": (20000.0, 2.5, 0.10),
    "social": (10000.0, 1.2, 0.15),
    "events": (15000.0, 5.0, 0.12),
}
STAGES = ["visitor", "lead", "mql", "sql", "customer"]
# visits per unit of spend by calendar month (January first): a quiet
# August and December, a busy autumn
SEASON = [0.95, 1.0, 1.05, 1.0, 1.0, 0.95, 0.9, 0.8, 1.1, 1.15, 1.1, 1.0]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--months", type=int, default=24)
    ap.add_argument("--start", default="2025-01", help="first month, YYYY-MM")
    ap.add_argument("--lead", type=float, default=0.030)
    ap.add_argument("--mql", type=float, default=0.40)
    ap.add_argument("--sql", type=float, default=0.30)
    ap.add_argument("--customer", type=float, default=0.25)
    ap.add_argument("--churn", type=float, default=0.03)
    ap.add_argument("--winback", type=float, default=0.05)
    ap.add_argument("--arpu", type=float, default=100.0)
    ap.add_argument("--initial", type=int, default=500)
    ap.add_argument("--lost", type=int, default=0)
    ap.add_argument("--no-channels", action="store_true", help="total rows only")
    ap.add_argument("--no-season", action="store_true")
    ap.add_argument("--french", action="store_true", help="';' separators and decimal commas")
    ap.add_argument("--truth", help="write the rates drawn from to this JSON file")
    a = ap.parse_args()

    rng = np.random.default_rng(a.seed)
    year, month = (int(x) for x in a.start.split("-"))
    rates = [a.lead, a.mql, a.sql, a.customer]
    season = [1.0] * 12 if a.no_season else SEASON

    def label(i):
        m = month - 1 + i
        return "%04d-%02d" % (year + m // 12, m % 12 + 1)

    def funnel(visits):
        """visits -> [visitor, lead, mql, sql] of one month, binomial steps."""
        out = [int(visits)]
        for p in rates[:3]:
            out.append(int(rng.binomial(out[-1], p)))
        return out

    # the warm-up month: SQLs of the month before the first row, whose
    # deals close in the first row's month
    pending = {}
    for c, (spend, cpc, sig) in CHANNELS.items():
        m0 = (month - 2) % 12
        lam = spend / (cpc * np.exp(sig * rng.standard_normal())) * season[m0]
        pending[c] = funnel(rng.poisson(lam))[3]

    active, lost = a.initial, a.lost
    rows = []
    for i in range(a.months):
        cal = (month - 1 + i) % 12
        by_channel = {}
        for c, (spend, cpc, sig) in CHANNELS.items():
            lam = spend / (cpc * np.exp(sig * rng.standard_normal())) * season[cal]
            counts = funnel(rng.poisson(lam))
            customers = int(rng.binomial(pending[c], a.customer))
            pending[c] = counts[3]
            by_channel[c] = [spend] + counts + [customers]
        total = [sum(v[j] for v in by_channel.values()) for j in range(len(STAGES) + 1)]
        churned = int(rng.binomial(active, a.churn))
        won_back = int(rng.binomial(lost, a.winback))
        active = active - churned + won_back + total[-1]
        lost = lost + churned - won_back
        rows.append((label(i), "", total, [churned, won_back, active, lost, active * a.arpu]))
        if not a.no_channels:
            for c, v in by_channel.items():
                rows.append((label(i), c, v, None))

    sep = ";" if a.french else ","

    def num(x):
        if isinstance(x, float) and x == int(x):
            x = int(x)
        s = str(x)
        return s.replace(".", ",") if a.french else s

    w = sys.stdout
    w.write(sep.join(["period", "channel", "spend"] + STAGES + ["churned", "won_back", "active", "lost",
                                                                "revenue"]) + "\n")
    for lab, ch, v, cust in rows:
        cells = [lab, ch] + [num(x) for x in v] + ([num(x) for x in cust] if cust else [""] * 5)
        w.write(sep.join(cells) + "\n")

    if a.truth:
        with open(a.truth, "w") as f:
            json.dump({"lead": a.lead, "mql": a.mql, "sql": a.sql, "customer": a.customer, "churn": a.churn,
                       "winback": a.winback, "arpu": a.arpu, "season": season,
                       "cpc": {c: v[1] for c, v in CHANNELS.items()}}, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
