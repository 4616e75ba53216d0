"""Tests of the Python package (python/funnelcast) over the C API, with the
standard library's unittest; pandas checks run where pandas is installed.
Run from the repository root: PYTHONPATH=python /usr/bin/python3 -m unittest
discover -s python/tests"""
import math
import threading
import time
import unittest

import funnelcast as fc

B1 = "scenarios/b2b_saas_inbound.lua"
SMALL = """return scenario {
  name = "small", periods = 6, trials = 2000, seed = 5,
  channels = { search = { spend = 1000, cpc = 2 } },
  funnel = { { "visitor" }, { "lead", rate = 0.1 } },
  goals = { goal{ name = "leads", metric = "lead", at_least = 300 } },
}
"""

try:
    import pandas
except ImportError:
    pandas = None


def rows(x):
    return x.to_dict("records") if pandas is not None else x


class Runs(unittest.TestCase):
    def test_run_file(self):
        r = fc.run(B1, trials=4000, set={"channels.search.spend": 25000})
        self.assertEqual(r["trials"], 4000)
        goals = rows(r.goals)
        self.assertEqual(goals[0]["name"], "200 new customers in 2027")
        self.assertTrue(0 < goals[0]["probability"] < 1)
        s = rows(r.series("new_customers"))
        self.assertEqual([p["period"] for p in s], list(range(1, 13)))
        self.assertEqual(set(s[0]), {"period", "mean", "p10", "p50", "p90"})
        self.assertIn("inbound-2027: 4,000 trials", r.text)
        self.assertTrue(r._repr_html_().startswith("<pre"))
        # the other formats and languages of the same run
        self.assertIn("inbound-2027 : 4 000 tirages", r.report("text", lang="fr"))
        long = r.report("csv").splitlines()
        self.assertTrue(long[0].startswith("table,scenario,"))
        self.assertTrue(any(l.startswith("metrics,inbound-2027,new_customers,") for l in long))
        with self.assertRaises(fc.FunnelcastError):
            r.report("xml")
        # the override reached the run
        base = fc.run(B1, trials=4000)
        self.assertGreater(r["metrics"]["spend"]["mean"], base["metrics"]["spend"]["mean"])

    def test_run_text_exact(self):
        # 500 visitors a period, lead rate 0.1: 6 periods of Poisson(50) leads
        r = fc.run(("small.lua", SMALL), trials=20000, seed=3)
        lead = r["stages"]["lead"]
        self.assertLess(abs(lead["mean"] - 300), 4.5 * math.sqrt(300 / 20000))
        self.assertEqual(r.data, fc.run(("small.lua", SMALL), trials=20000, seed=3).data)

    def test_pandas(self):
        if pandas is None:
            self.skipTest("pandas is not installed")
        r = fc.run(B1, trials=2000)
        self.assertIsInstance(r.goals, pandas.DataFrame)
        self.assertEqual(list(r.series("revenue").columns), ["period", "mean", "p10", "p50", "p90"])

    def test_decisions(self):
        c = fc.compare([B1, "scenarios/b2b_events_sales_cycle.lua"], trials=2000)
        self.assertEqual(len(c["differences"]), len(c["scenarios"]) - 1)
        p = fc.plan(B1, goal="200 new customers in 2027", trials=2000)
        self.assertIn("plan", p.data)
        o = fc.optimize(B1, budget=45000, trials=2000)
        self.assertIn("optimize", o.data)
        self.assertIn("scenario", fc.check(B1).data)

    def test_history(self):
        r = fc.run(B1, trials=2000, actuals="scenarios/history/b2b_ytd_2027.csv")
        self.assertEqual(r["actuals"]["periods"], 6)
        self.assertIn("probability_at_plan", r["goals"][0])
        b = fc.backtest(B1, "scenarios/history/b2b_history.csv", train=12, test=6, trials=2000)
        self.assertEqual((b["backtest"]["train"], b["backtest"]["test"]), (12, 6))
        self.assertIn("p10_p90", b["backtest"]["coverage"])
        self.assertIn("Backtest of", b.text)
        with self.assertRaises(fc.FunnelcastError) as e:
            fc.run(B1, trials=100, actuals="no/such.csv")
        self.assertIn("no/such.csv: cannot read the history file", str(e.exception))


class Errors(unittest.TestCase):
    def test_messages(self):
        with self.assertRaises(fc.FunnelcastError) as e:
            fc.run(("q3.lua", "return scenario {\n  name = 'q3',\n  funnel = { { 'v' }, { 'l', rate = 1.4 } },\n}\n"))
        self.assertIn("q3.lua:3: funnel[2].rate: expected a probability in [0, 1], got 1.4", str(e.exception))
        self.assertEqual(e.exception.status, 2)
        with self.assertRaises(fc.FunnelcastError) as e:
            fc.run("no/such/file.lua")
        self.assertIn("no/such/file.lua: cannot open the scenario file", str(e.exception))
        with self.assertRaises(fc.FunnelcastError) as e:
            fc.run(B1, trials=0)
        self.assertIn("--trials 0: expected an integer in [1, 1e12]", str(e.exception))
        with self.assertRaises(fc.FunnelcastError):
            fc.run(B1, set={"channels.nothing.spend": 1})
        with self.assertRaises(KeyError):
            fc.run(B1, trials=1000).series("nothing")
        self.assertEqual(fc.version(), "0.1.0")


class Cancel(unittest.TestCase):
    def test_cancel_from_a_thread(self):
        ctx = fc.Context([B1], trials="1e12")
        threading.Timer(0.3, ctx.cancel).start()
        t0 = time.monotonic()
        with self.assertRaises(fc.Canceled) as e:
            ctx.exec("run")
        self.assertEqual(e.exception.status, 130)
        self.assertLess(time.monotonic() - t0, 30)
        ctx.close()

    def test_cancel_from_progress(self):
        seen = []

        def progress(done, total):
            seen.append(done)
            return done < 100000
        with self.assertRaises(fc.Canceled):
            fc.run(B1, trials=100000000, progress=progress)
        self.assertTrue(seen and seen[-1] >= 100000)
        # Ctrl-C (a notebook's interrupt) in the middle of a run cancels it
        def interrupt(done, total):
            if done >= 50000:
                raise KeyboardInterrupt
        with self.assertRaises(KeyboardInterrupt):
            fc.run(B1, trials=100000000, progress=interrupt)
        with self.assertRaises(TypeError):
            fc.Context(B1)
        r = fc.run(B1, trials=3000, progress=lambda d, t: seen.append((d, t)))
        self.assertEqual(seen[-1], (3000, 3000))
        self.assertEqual(r["trials"], 3000)


if __name__ == "__main__":
    unittest.main()
