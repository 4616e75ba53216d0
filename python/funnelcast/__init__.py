"""funnelcast for Python notebooks: the Monte Carlo simulator of marketing and
sales plans, through its public C API (include/funnelcast.h) with ctypes.
No compiled extension; pandas is used when it is installed.

    import funnelcast as fc
    r = fc.run("scenarios/b2b_saas_inbound.lua", trials=100_000,
               set={"channels.search.spend": 25000})
    r.goals                      # a DataFrame with pandas, else a list of dicts
    r.series("new_customers")    # period, mean, p10, p50, p90
    r                            # in Jupyter: the report inline

The library is found at $FUNNELCAST_LIB, else beside this package in a
source checkout (build/), else as the installed libfunnelcast.so.0.
Errors raise FunnelcastError with the file:line message.
"""
import ctypes
import ctypes.util
import html
import json
import os
import threading

__all__ = ["run", "compare", "plan", "optimize", "check", "Context", "Result", "FunnelcastError", "version"]

OK, EINPUT, EINTERNAL, ECANCELED = 0, 2, 3, 130


class FunnelcastError(Exception):
    """A failure of the library: .status is 2 (bad input), 3 (internal) or
    130 (canceled); str() is the message ("q3.lua:14: funnel[3].rate: ...")."""

    def __init__(self, message, status):
        super().__init__(message)
        self.status = status


class Canceled(FunnelcastError):
    """The run was canceled (Context.cancel, or a progress callback that returned False)."""


_PROGRESS = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_uint64, ctypes.c_uint64)


# make install writes the installed library's path here
_INSTALLED_LIB = None


def _library_path():
    if os.environ.get("FUNNELCAST_LIB"):
        return os.environ["FUNNELCAST_LIB"]
    here = os.path.dirname(os.path.abspath(__file__))
    checkout = os.path.join(here, "..", "..", "build", "libfunnelcast.so.0.1.0")
    if os.path.exists(checkout):
        return checkout
    if _INSTALLED_LIB and os.path.exists(_INSTALLED_LIB):
        return _INSTALLED_LIB
    return ctypes.util.find_library("funnelcast") or "libfunnelcast.so.0"


_lib = None
_lib_lock = threading.Lock()


def _load():
    global _lib
    with _lib_lock:
        if _lib is None:
            lib = ctypes.CDLL(_library_path())
            p, s, i = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int
            lib.fc_version.restype = s
            lib.fc_context_new.restype = p
            lib.fc_context_free.argtypes = [p]
            for name in ("fc_context_add_file",):
                getattr(lib, name).argtypes = [p, s]
            lib.fc_context_add_text.argtypes = [p, s, s]
            lib.fc_context_set.argtypes = [p, s, s]
            lib.fc_context_option.argtypes = [p, s, s]
            for name in ("fc_context_add_file", "fc_context_add_text", "fc_context_set", "fc_context_option"):
                getattr(lib, name).restype = i
            lib.fc_context_progress.argtypes = [p, _PROGRESS, p]
            lib.fc_context_exec.argtypes = [p, s, ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_size_t)]
            lib.fc_context_exec.restype = i
            lib.fc_context_cancel.argtypes = [p]
            lib.fc_context_error.argtypes = [p]
            lib.fc_context_error.restype = s
            lib.fc_free.argtypes = [p]
            _lib = lib
    return _lib


def version():
    """The library's version ("0.1.0")."""
    return _load().fc_version().decode()


def _text(x):
    if isinstance(x, bool):
        return "true" if x else "false"
    return str(x)


class Context:
    """One command's inputs and a handle to cancel it from another thread.

    Context(scenarios=[PATH, ...], texts=[(NAME, TEXT), ...], trials=, seed=,
    threads=, precision=, set={key: value}, options={name: value},
    progress=f) where progress(done, total) may return False to cancel."""

    _ctx = None

    def __init__(self, scenarios=(), texts=(), trials=None, seed=None, threads=None, precision=None,
                 set=None, options=None, progress=None):
        if isinstance(scenarios, (str, bytes, os.PathLike)):
            raise TypeError("Context: scenarios is a list of paths, got one path (write [path])")
        self._lib = _load()
        self._ctx = self._lib.fc_context_new()
        if not self._ctx:
            raise MemoryError("funnelcast: out of memory")
        self._callback = None
        for path in scenarios:
            self._check(self._lib.fc_context_add_file(self._ctx, os.fspath(path).encode()))
        for name, text in texts:
            self._check(self._lib.fc_context_add_text(self._ctx, name.encode(), text.encode()))
        for name, value in (("trials", trials), ("seed", seed), ("threads", threads), ("precision", precision)):
            if value is not None:
                self.option(name, value)
        for key, value in (set or {}).items():
            self._check(self._lib.fc_context_set(self._ctx, key.encode(), _text(value).encode()))
        for name, value in (options or {}).items():
            for v in (value if isinstance(value, (list, tuple)) else [value]):
                self.option(name, v)
        if progress is not None:
            def relay(_user, done, total):
                try:
                    if progress(done, total) is False:
                        self.cancel()
                except BaseException as e:  # an error (or Ctrl-C) in the callback cancels the run
                    self._raised = e
                    self.cancel()
            self._callback = _PROGRESS(relay)
            self._lib.fc_context_progress(self._ctx, self._callback, None)

    def option(self, name, value):
        self._check(self._lib.fc_context_option(self._ctx, name.encode(), _text(value).encode()))

    def _check(self, status):
        if status != OK:
            message = self._lib.fc_context_error(self._ctx).decode("utf-8", "replace")
            raise (Canceled if status == ECANCELED else FunnelcastError)(message, status)

    def exec(self, command, format="json"):
        """Runs command ("run", "check", "compare", "plan", "optimize"); returns its report text.
        The C call runs on a helper thread, so that Ctrl-C (a notebook's
        interrupt) cancels it and is raised here."""
        self.option("format", format)
        out, n = ctypes.c_void_p(), ctypes.c_size_t()
        result, self._raised = [], None

        def call():
            result.append(self._lib.fc_context_exec(self._ctx, command.encode(), ctypes.byref(out), ctypes.byref(n)))
        worker = threading.Thread(target=call, daemon=True)
        worker.start()
        try:
            while worker.is_alive():
                worker.join(0.1)
        except BaseException:
            self.cancel()
            worker.join()
            if out:
                self._lib.fc_free(out)
            raise
        if self._raised is not None:
            if out:
                self._lib.fc_free(out)
            raise self._raised
        self._check(result[0])
        try:
            return ctypes.string_at(out, n.value).decode("utf-8")
        finally:
            self._lib.fc_free(out)

    def cancel(self):
        """Stops the exec running on this context (from any thread)."""
        if self._ctx:
            self._lib.fc_context_cancel(self._ctx)

    def close(self):
        if self._ctx:
            self._lib.fc_context_free(self._ctx)
            self._ctx = None

    def __del__(self):
        self.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _frame(rows):
    try:
        import pandas
    except ImportError:
        return rows
    return pandas.DataFrame(rows)


class Result:
    """A report: .data (the JSON contract as a dict), .goals, .metrics,
    .series(name), .text (the terminal report); shows inline in Jupyter."""

    def __init__(self, data, text_of):
        self.data = data
        self._text_of, self._text = text_of, None

    @property
    def text(self):
        """The terminal report: the same run again, as text (the same
        scenarios, seed and trials give the same figures)."""
        if self._text is None:
            self._text = self._text_of("text", None)
        return self._text

    def report(self, format="text", lang=None):
        """The report in a format ("text", "json", "csv": one long table,
        "html": a self-contained page) and language ("en", "fr"; text and
        html): the same run again (the same scenarios, seed and trials give
        the same figures)."""
        return self._text_of(format, lang)

    def _one(self):
        return self.data["scenarios"][0] if "scenarios" in self.data else self.data

    @property
    def goals(self):
        rows = []
        for g in self._one().get("goals", []):
            rows.append({k: g[k] for k in ("name", "metric", "op", "target", "from", "by", "every",
                                           "probability", "confidence", "on_track") if k in g})
        return _frame(rows)

    @property
    def metrics(self):
        return _frame([dict(metric=name, **stat) for name, stat in self._one()["metrics"].items()])

    def series(self, name):
        """period, mean, p10, p50, p90 of a per-period series (a stage's name,
        new_customers, active, revenue, ...)."""
        s = self._one()["series"]
        if name not in s:
            raise KeyError("no series %r (one of: %s)" % (name, ", ".join(s)))
        return _frame([{k: p[k] for k in ("period", "mean", "p10", "p50", "p90")} for p in s[name]])

    @property
    def differences(self):
        return self.data.get("differences")

    def __getitem__(self, key):
        return self.data[key]

    def __repr__(self):
        return self.text

    def _repr_html_(self):
        return "<pre style=\"font-family: ui-monospace, monospace\">%s</pre>" % html.escape(self.text)


def _exec(command, scenarios, texts=(), **kw):
    with Context(scenarios, texts, **kw) as ctx:
        data = json.loads(ctx.exec(command, "json"))

    def text_of(format, lang):
        kw.pop("progress", None)
        with Context(scenarios, texts, **kw) as again:
            if lang is not None:
                again.option("lang", lang)
            return again.exec(command, format)
    return Result(data, text_of)


def _sources(scenario):
    """A path, or a (name, text) pair of a scenario given as Lua text."""
    if isinstance(scenario, tuple):
        return [], [scenario]
    return [scenario], []


def run(scenario, trials=None, seed=None, threads=None, precision=None, set=None, progress=None, actuals=None):
    """Runs a scenario file (or a (name, text) pair) and returns its Result; with
    actuals (a history file of the periods done so far), the re-forecast from them."""
    paths, texts = _sources(scenario)
    opts = {"actuals": os.fspath(actuals)} if actuals is not None else None
    return _exec("run", paths, texts, trials=trials, seed=seed, threads=threads, precision=precision,
                 set=set, progress=progress, options=opts)


def backtest(scenario, history, train, test, trials=None, seed=None, threads=None, set=None):
    """How well the plan's method would have forecast known periods: calibrated on the
    first `train` periods of the history file, forecasting the next `test`."""
    paths, texts = _sources(scenario)
    opts = {"history": os.fspath(history), "train": train, "test": test}
    return _exec("backtest", paths, texts, trials=trials, seed=seed, threads=threads, set=set, options=opts)


def compare(scenarios, trials=None, seed=None, threads=None, set=None, progress=None):
    """Runs scenario files paired (common random numbers), the first the base."""
    paths, texts = [], []
    for s in scenarios:
        p, t = _sources(s)
        paths += p
        texts += t
    if texts and paths:
        raise FunnelcastError("compare: give files or texts, not both", EINPUT)
    return _exec("compare", paths, texts, trials=trials, seed=seed, threads=threads, set=set, progress=progress)


def plan(scenario, goal, confidence=None, vary=None, channels=None, between=None, trials=None, seed=None,
         threads=None, set=None):
    """The smallest budget (or value of vary) that meets goal with confidence."""
    opts = {"goal": goal}
    for k, v in (("confidence", confidence), ("vary", vary), ("channels", channels), ("between", between)):
        if v is not None:
            opts[k] = ",".join(map(str, v)) if isinstance(v, (list, tuple)) else v
    paths, texts = _sources(scenario)
    return _exec("plan", paths, texts, trials=trials, seed=seed, threads=threads, set=set, options=opts)


def optimize(scenario, budget, objective=None, channels=None, min=None, max=None, trials=None, seed=None,
             threads=None, set=None):
    """The split of budget per period over the channels that serves the objective best."""
    opts = {"budget": budget}
    if objective is not None:
        opts["objective"] = objective
    if channels is not None:
        opts["channels"] = ",".join(channels)
    if min:
        opts["min"] = ["%s=%s" % kv for kv in min.items()]
    if max:
        opts["max"] = ["%s=%s" % kv for kv in max.items()]
    paths, texts = _sources(scenario)
    return _exec("optimize", paths, texts, trials=trials, seed=seed, threads=threads, set=set, options=opts)


def check(scenario, set=None):
    """Validates a scenario; its Result holds the compiled model."""
    paths, texts = _sources(scenario)
    return _exec("check", paths, texts, set=set)
