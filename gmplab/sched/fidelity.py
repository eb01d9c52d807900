"""Fidelity: the GMP simulator side by side with recordings of the real Go runtime.

The question
------------
Does the simulated scheduler behave like the real one on the same workload? The real
side is ``data/go-runtime/``: every standard workload (``fanout``, ``syscall_mix``,
``pingpong``, ``pipeline``, ``cpu_hogs``) run with ``GODEBUG=schedtrace=1`` at
GOMAXPROCS 1, 2, 4 and 8, three runs each, by ``data/go/record.py``. The simulated
side is ``gmplab.simulate`` on the same workload builders with the same parameters,
printed through ``SchedTrace.schedtrace(1 ms)``. Both go through the *same* parser
(:mod:`gmplab.sched.schedtrace`) and the *same* metric code (:func:`trace_metrics`),
so a difference in the table is a difference in behaviour, not in bookkeeping.

Metrics (what real traces record; they do not record queue membership or steals):

``makespan_ms``         wall time of the workload (the program's own clock; the simulator's
                        ``summary()['makespan_ns']``)
``threads_high_water``  the largest ``threads=`` (Ms are never freed, so also the last)
``idle_fraction``       time-weighted mean of ``idleprocs / gomaxprocs`` over the workload
``runqueue_mean``       time-weighted mean of the global ``runqueue=``
``local_runq_mean``     time-weighted mean of the sum of the local ``[...]`` lengths

A schedtrace line is a sample of a step function: its values hold until the next line.
Real sysmon prints every 1 ms only while it runs at its 20 µs tick and every ~10 ms
once it has backed off, so plain means over lines would overweight busy periods;
:func:`trace_metrics` weights each line by how long it held.

Calibration
-----------
:func:`calibrate` derives every cost once, from GOMAXPROCS=1 recordings (one P: no
parallelism, stealing or thread hand-off mixed in) and the pthread measurements of
``data/threads-vs-goroutines/results.json``; nothing is tuned per workload or per row.
The same costs then run every workload at every GOMAXPROCS. See its docstring for the
formulas.

Tolerances
----------
:data:`TOLERANCES` states, per metric, how close the simulator must be to the median of
the real runs, and :func:`limit_reason` names the cells where the model cannot match and
why (more Ps than cores; the real length of sysmon's and a thief's short sleeps). A
limited cell is reported with its reason
instead of being judged against a loosened number. Other known differences (GC and the
runtime's own goroutines and Ms, Go 1.19 versus the Go 1.25 rules the engine models) are
small for these workloads (``numgc=0`` in every run) and are inside the tolerances.

Go 1.19 (recorded) versus Go 1.25 (modelled)
--------------------------------------------
The recordings come from Debian 12's Go 1.19.8; the engine follows Go 1.25. What differs,
and which metric it can touch:

=============================================  ==========================================
difference                                     metric affected
=============================================  ==========================================
no ``needspinning=``/``schedticks=``, old       none (the parser reads both formats)
bracket list
no ``needspinning`` hand-shake (a spinning M    ``idle_fraction``, ``threads_high_water``
that finds work but no idle P cannot make a     in bursts of wake-ups; small
releasing M spin; golang/go#43997)
queue, steal, sysmon, preemption and            none: the same rules in both
``_Psyscall`` retake rules
GOMAXPROCS default (cgroup-aware in 1.25)       none: every run sets GOMAXPROCS
GC pacer, ``adaptivestackstart``                none here: ``numgc=0`` in every run
=============================================  ==========================================

Example
-------
>>> recs = load_recordings()
>>> sorted({r.workload for r in recs})
['cpu_hogs', 'fanout', 'pingpong', 'pipeline', 'syscall_mix']
>>> r = [r for r in recs if r.workload == "cpu_hogs" and r.gomaxprocs == 1][0]
>>> r.params["n"], r.table.style, r.metrics()["threads_high_water"]
(6, 'go1.19', 3)
"""
from __future__ import annotations

import json
import math
import re
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import numpy as np

from gmplab.sched.schedtrace import SchedTraceTable, parse

__all__ = [
    "DATA_DIR", "Recording", "load_recording", "load_recordings", "load_machine", "trace_metrics", "series",
    "Calibration", "calibrate", "Tolerance", "TOLERANCES", "TIME_METRICS", "limit_reason", "sleep_overrun_ms", "METRICS",
    "Row", "real_summary", "compare", "format_table", "simulate_recording",
    "engine_available", "engine_costs_from", "CHAN_OP_NS",
]

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "go-runtime"
MEASUREMENTS = Path(__file__).resolve().parents[2] / "data" / "threads-vs-goroutines" / "results.json"
METRICS = ("makespan_ms", "threads_high_water", "idle_fraction", "runqueue_mean", "local_runq_mean")

_RESULT = re.compile(r"^GMPLAB (?P<body>.*)$", re.M)


# --------------------------------------------------------------------------- real side

@dataclass(frozen=True)
class Recording:
    """One real run: its parameters, the program's own timing and the parsed trace.

    ``start_ms`` is when the workload began, measured from package initialisation,
    which is within a millisecond of schedtrace's ``SCHED 0ms`` (sysmon prints its first
    line on its first round, started by ``runtime.main`` just before package init).
    """

    path: Path
    workload: str
    gomaxprocs: int
    run: int
    params: dict
    start_ms: float
    makespan_ms: float
    go_version: str
    table: SchedTraceTable
    cpu_ms: float = float("nan")

    @property
    def cores_used(self) -> float:
        """CPU time of all the run's threads / makespan: the cores it really got."""
        return self.cpu_ms / self.makespan_ms

    def metrics(self) -> dict:
        """:func:`trace_metrics` over this run's workload window, plus its makespan."""
        out = trace_metrics(self.table, self.start_ms, self.start_ms + self.makespan_ms)
        out["makespan_ms"] = self.makespan_ms
        return out


def _parse_result(text: str, path: Path) -> dict:
    m = _RESULT.search(text)
    if m is None:
        raise ValueError(f"{path}: no 'GMPLAB ...' result line (the run did not finish?)")
    fields = {}
    for token in m.group("body").split():
        key, sep, value = token.partition("=")
        if not sep:
            raise ValueError(f"{path}: malformed result token {token!r}")
        fields[key] = value
    return fields


def load_recording(path: str | Path) -> Recording:
    """Read one file written by ``data/go/record.py``.

    >>> r = load_recording(DATA_DIR / "pingpong" / "gomaxprocs1-run1.txt")
    >>> r.workload, r.gomaxprocs, r.params
    ('pingpong', 1, {'pairs': 8, 'rounds': 10000})
    """
    path = Path(path)
    text = path.read_text()
    res = _parse_result(text, path)
    params_line = next((l for l in text.splitlines() if l.startswith("# params: ")), None)
    if params_line is None:
        raise ValueError(f"{path}: no '# params:' header line")
    params = {k: int(v) for k, v in (t.split("=", 1) for t in params_line[len("# params: "):].split())}
    run = re.search(r"\brun=(\d+)", text.splitlines()[0])
    try:
        return Recording(path=path, workload=res["workload"], gomaxprocs=int(res["gomaxprocs"]),
                         run=int(run.group(1)) if run else 1, params=params,
                         start_ms=int(res["start_ns"]) / 1e6,
                         makespan_ms=int(res["makespan_ns"]) / 1e6, go_version=res["go"],
                         table=parse(text),
                         cpu_ms=int(res["cpu_ns"]) / 1e6 if "cpu_ns" in res else float("nan"))
    except KeyError as exc:
        raise ValueError(f"{path}: result line lacks {exc.args[0]!r}") from None


def load_machine(root: str | Path | None = None) -> dict:
    """``machine.json`` of a recording directory (Go version, machine, workload params)."""
    root = DATA_DIR if root is None else Path(root)
    return json.loads((root / "machine.json").read_text())


def load_recordings(root: str | Path | None = None) -> list[Recording]:
    """Every summary-mode recording listed in ``machine.json`` (scheddetail excluded)."""
    root = DATA_DIR if root is None else Path(root)
    meta = load_machine(root)
    detail = meta.get("scheddetail", {}).get("file")
    return [load_recording(root / f) for f in meta["files"] if f != detail]


def _window(table: SchedTraceTable, start_ms: float, end_ms: float) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the lines that describe [start, end] and how long each one held."""
    if not end_ms > start_ms:
        raise ValueError(f"end_ms: must be > start_ms ({start_ms}), got {end_ms}")
    t = table.time_ms.astype(np.float64)
    # the last line at or before the start describes the state at the start
    first = max(int(np.searchsorted(t, start_ms, side="right")) - 1, 0)
    last = int(np.searchsorted(t, end_ms, side="left"))
    idx = np.arange(first, max(last, first + 1))
    begins = np.maximum(t[idx], start_ms)
    # the first line used describes the window from its start: it was printed at or
    # before the start, or it is the earliest sample there is
    begins[0] = start_ms
    ends = np.append(t[idx[1:]], end_ms)
    ends = np.minimum(np.maximum(ends, begins), end_ms)
    return idx, ends - begins


def trace_metrics(table: SchedTraceTable, start_ms: float, end_ms: float) -> dict:
    """Time-weighted metrics of a parsed trace over the window [start_ms, end_ms].

    Each line's values are taken to hold until the next line (the runtime prints a
    sample, not an average); a window that starts before the first line takes the first
    line as its state from the start. ``threads_high_water`` is the maximum over the whole
    trace: Ms are never freed, so threads created during the workload stay counted.

    >>> t = parse("SCHED 0ms: gomaxprocs=2 idleprocs=2 threads=3 spinningthreads=0 idlethreads=0 runqueue=0 [0 0]\\n"
    ...           "SCHED 1ms: gomaxprocs=2 idleprocs=0 threads=4 spinningthreads=0 idlethreads=0 runqueue=6 [2 0]\\n"
    ...           "SCHED 4ms: gomaxprocs=2 idleprocs=1 threads=5 spinningthreads=0 idlethreads=0 runqueue=0 [0 0]")
    >>> m = trace_metrics(t, 0, 5)   # holds: 1 ms, 3 ms, 1 ms
    >>> m["idle_fraction"], m["runqueue_mean"], m["local_runq_mean"], m["threads_high_water"]
    (0.3, 3.6, 1.2, 5)
    """
    idx, w = _window(table, start_ms, end_ms)
    total = float(w.sum())
    if total <= 0:
        raise ValueError("end_ms: the window holds no time")

    def mean(values: np.ndarray) -> float:
        return float((values[idx].astype(np.float64) * w).sum() / total)

    procs = table.gomaxprocs.astype(np.float64)
    return {
        "threads_high_water": int(table.threads.max()),
        "idle_fraction": round(mean(table.idleprocs / procs), 12),
        "runqueue_mean": round(mean(table.runqueue), 12),
        "local_runq_mean": round(mean(table.local_runq_total()), 12),
        "spinning_mean": round(mean(table.spinningthreads), 12),
        "lines_in_window": int(idx.size),
    }


def series(table: SchedTraceTable, name: str, start_ms: float, end_ms: float,
           step_ms: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """A column of the table as a step function sampled every ``step_ms`` over a window.

    Returns ``(t, values)`` with ``t`` measured from ``start_ms``; ``name`` is a summary
    column (``idleprocs``, ``runqueue``, ``threads``, ...) or ``local_runq_total``.
    Useful to plot a real and a simulated run on one time axis.

    >>> t = parse("SCHED 0ms: gomaxprocs=1 idleprocs=0 threads=3 spinningthreads=0 idlethreads=0 runqueue=4 [0]\\n"
    ...           "SCHED 2ms: gomaxprocs=1 idleprocs=0 threads=3 spinningthreads=0 idlethreads=0 runqueue=1 [0]")
    >>> series(t, "runqueue", 0, 4)[1].tolist()
    [4, 4, 1, 1]
    """
    if step_ms <= 0:
        raise ValueError(f"step_ms: must be > 0, got {step_ms}")
    if name == "local_runq_total":
        values = table.local_runq_total()
    elif name in ("time_ms", "gomaxprocs", "idleprocs", "threads", "spinningthreads",
                  "needspinning", "idlethreads", "runqueue"):
        values = getattr(table, name)
    else:
        raise ValueError(f"name: expected a summary column or 'local_runq_total', got {name!r}")
    grid = np.arange(start_ms, end_ms, step_ms)
    pos = np.searchsorted(table.time_ms.astype(np.float64), grid, side="right") - 1
    return grid - start_ms, values[np.maximum(pos, 0)]


def real_summary(recordings: Iterable[Recording]) -> dict:
    """``{(workload, gomaxprocs): {metric: [value per run]}}`` for the real runs."""
    out: dict = {}
    for r in recordings:
        cell = out.setdefault((r.workload, r.gomaxprocs), {m: [] for m in METRICS})
        values = r.metrics()
        for m in METRICS:
            cell[m].append(values[m])
    return out


# --------------------------------------------------------------------------- calibration

#: proc.go runqgrab: "A sync chan send/recv takes ~50ns as of time of writing".
CHAN_OP_NS = 50


@dataclass(frozen=True)
class Calibration:
    """Costs for the simulator and how each was derived (name -> formula with numbers).

    The ``*_ns`` names are ``gmplab.simulate``'s cost keywords; ``cpu_scale`` multiplies
    every CPU burst of a workload; ``ncpu`` is the recording machine's core count
    (``simulate(ncpu=...)`` shares cores between CPU bursts only, see :func:`limit_reason`).
    """

    cpu_scale: float
    switch_ns: float
    chan_ns: float
    spawn_ns: float
    wake_ns: float
    newm_ns: float
    ncpu: int
    derivation: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"cpu_scale": self.cpu_scale, "switch_ns": self.switch_ns, "chan_ns": self.chan_ns,
                "spawn_ns": self.spawn_ns, "wake_ns": self.wake_ns, "newm_ns": self.newm_ns,
                "ncpu": self.ncpu}


def _median_makespan_ns(recordings: list[Recording], workload: str) -> tuple[float, dict]:
    runs = [r for r in recordings if r.workload == workload and r.gomaxprocs == 1]
    if not runs:
        raise ValueError(f"recordings: calibration needs {workload} at GOMAXPROCS=1")
    return statistics.median(r.makespan_ms for r in runs) * 1e6, runs[0].params


def calibrate(recordings: list[Recording] | None = None, measurements: dict | None = None,
              machine: dict | None = None) -> Calibration:
    """Derive the simulator's costs once, from single-P recordings and thread measurements.

    In the engine a one-way channel hand-off on one P costs ``chan_ns + switch_ns`` (the
    channel op, then the blocked sender's switch to the readied receiver) and a goroutine
    that is spawned and exits costs ``spawn_ns + switch_ns``. So:

    - ``cpu_scale`` = median makespan of ``cpu_hogs`` at GOMAXPROCS=1 / (n x duration):
      how much longer a nominal CPU burst really took (burn-loop drift, other load on the
      machine, preemption overhead), applied to every CPU burst;
    - ``chan_ns`` = 50 ns, the figure proc.go's ``runqgrab`` comment gives for a sync
      channel send/recv (one hand-off cannot separate the two terms, so one is fixed
      from the source);
    - ``switch_ns`` = median makespan of ``pingpong`` at GOMAXPROCS=1 / (2 x pairs x
      rounds) - ``chan_ns``;
    - ``spawn_ns`` = measured ``go f()`` + run + exit of a trivial goroutine
      (``data/threads-vs-goroutines``) - ``switch_ns``. It is not taken from ``fanout``'s
      makespan: there it is ~2 % of the time, inside the run-to-run noise of the bursts;
    - ``wake_ns`` = pthread futex ping-pong across CPUs: waking a parked M (``startm``);
    - ``newm_ns`` = ``pthread_create`` of a thread that blocks: ``newm``'s clone;
    - ``ncpu`` = logical CPUs of the recording machine.

    ``steal_ns`` and the syscall entry/exit costs keep the engine defaults: no recording
    isolates them.

    >>> c = calibrate()
    >>> c.switch_ns > 0 and c.chan_ns == 50 and c.ncpu == load_machine()["machine"]["logical_cpus"]
    True
    """
    recordings = load_recordings() if recordings is None else list(recordings)
    if measurements is None:
        from gmplab.measurements import load_thread_measurements
        measurements = load_thread_measurements(MEASUREMENTS)
    machine = load_machine() if machine is None else machine
    hog_ns, hog = _median_makespan_ns(recordings, "cpu_hogs")
    cpu_scale = hog_ns / (hog["n"] * hog["duration_ns"])
    pp_ns, pp = _median_makespan_ns(recordings, "pingpong")
    handoff = pp_ns / (2 * pp["pairs"] * pp["rounds"])
    switch = handoff - CHAN_OP_NS
    if switch <= 0:
        raise ValueError(f"recordings: a one-P channel hand-off of {handoff:.0f} ns leaves no "
                         f"time for the switch after the {CHAN_OP_NS} ns channel op")
    summary = measurements["summary"]
    spawn_exit = summary["goroutine_create_run_exit_ns"]
    spawn = max(spawn_exit - switch, 0.0)
    wake = summary["thread_switch_any_cpu_ns"]
    create = summary["thread_create_ns"]
    ncpu = int(machine["machine"]["logical_cpus"])
    derivation = {
        "cpu_scale": f"{hog_ns / 1e6:.1f} ms / ({hog['n']} x {hog['duration_ns'] / 1e6:g} ms) = {cpu_scale:.3f}",
        "switch_ns": (f"{pp_ns / 1e6:.2f} ms / (2 x {pp['pairs']} x {pp['rounds']}) - {CHAN_OP_NS} ns"
                      f" = {handoff:.0f} - {CHAN_OP_NS} = {switch:.0f} ns"),
        "chan_ns": f"proc.go runqgrab comment: a sync chan send/recv takes ~{CHAN_OP_NS} ns",
        "spawn_ns": f"measured go f() + run + exit {spawn_exit:.0f} ns - switch {switch:.0f} ns = {spawn:.0f} ns",
        "wake_ns": f"pthread futex ping-pong across CPUs = {wake:.0f} ns",
        "newm_ns": f"pthread_create of a thread that blocks = {create:.0f} ns",
        "ncpu": f"logical CPUs of the recording machine = {ncpu} (simulate's ncpu: CPU bursts only)",
    }
    return Calibration(cpu_scale=cpu_scale, switch_ns=switch, chan_ns=float(CHAN_OP_NS),
                       spawn_ns=spawn, wake_ns=wake, newm_ns=create, ncpu=ncpu,
                       derivation=derivation)


# --------------------------------------------------------------------------- tolerances

@dataclass(frozen=True)
class Tolerance:
    """``|sim - real median| <= max(abs, rel x |real median|)``; ``why`` says why this size."""

    abs: float
    rel: float
    why: str

    def bound(self, real: float) -> float:
        return max(self.abs, self.rel * abs(real))


TOLERANCES = {
    "makespan_ms": Tolerance(abs=2.0, rel=0.25, why=(
        "costs are calibrated on one P; the real runs share the machine with other "
        "processes and their spread at GOMAXPROCS=2 reaches 10-20 %")),
    "threads_high_water": Tolerance(abs=2.0, rel=0.25, why=(
        "the runtime starts an M of its own the model leaves out (threads=3 at SCHED 0ms "
        "with GOMAXPROCS=1, where the model has M0 and sysmon); the rest must come from "
        "the same spinning and syscall hand-offs")),
    "idle_fraction": Tolerance(abs=0.1, rel=0.0, why=(
        "a sampled step function: a real line can stand for up to 10 ms of a 20-250 ms run")),
    "runqueue_mean": Tolerance(abs=1.0, rel=0.3, why=(
        "within one goroutine, or 30 % of a long queue: the level depends on exactly when "
        "Ps steal and spill, which sampling every 1-10 ms blurs")),
    "local_runq_mean": Tolerance(abs=1.0, rel=0.3, why=(
        "as runqueue_mean; the split between the rings and the global queue depends on the "
        "1-in-61 check and steal timing")),
}

#: Metrics that measure time or how long Ps stay busy (everything but the thread count).
TIME_METRICS = ("makespan_ms", "idle_fraction", "runqueue_mean", "local_runq_mean")


def sleep_overrun_ms(retakes: int, runnext_steals: int, machine: dict) -> float:
    """Upper bound on the makespan the engine misses because its short sleeps are exact.

    sysmon sleeps with ``usleep(20)`` between ticks, and a syscall's P is retaken only
    after two ticks; a thief backs off with ``usleep(3)`` before stealing a runnext
    (proc.go: sysmon, retake, runqgrab). On Linux usleep is nanosleep, which wakes late
    by the timer slack (50 µs by default) plus the machine's wake-up latency; the
    recordings measured both sleeps (``probes`` in ``machine.json``). The engine sleeps
    exactly 20 and 3 µs (``SYSMON_MIN_NS``, ``RUNNEXT_BACKOFF_NS``: constants, no
    parameter). Each retake and each runnext steal in the simulation therefore happens
    too early by the overrun; if every one of them lay on the critical path, the makespan
    would grow by ``retakes x (usleep20 - 20 µs) + runnext_steals x (usleep3 - 3 µs)``.

    >>> sleep_overrun_ms(100, 10, {"probes": {"usleep20_ns": 90_000, "usleep3_ns": 73_000}})
    7.7
    """
    probes = machine.get("probes", {})
    late20 = max(probes.get("usleep20_ns", 20_000) - 20_000, 0)
    late3 = max(probes.get("usleep3_ns", 3_000) - 3_000, 0)
    return round((retakes * late20 + runnext_steals * late3) / 1e6, 6)


def limit_reason(workload: str, gomaxprocs: int, metric: str, machine: dict,
                 overrun_ms: float = 0.0, bound: float = math.inf) -> str | None:
    """Why the model cannot match this cell, or None if it is judged by its tolerance.

    Two mechanisms the engine leaves out, both measured on the recording machine:

    1. **More Ps than cores.** With GOMAXPROCS above the machine's core count the OS
       time-slices the Ms that hold Ps, so every burst and every busy period of a P
       stretches by up to GOMAXPROCS/cores — scheduler work, hand-offs and spinning as
       well as CPU bursts. The engine's ``ncpu`` shares cores between CPU bursts only, so
       all time-based metrics (:data:`TIME_METRICS`) are outside the model there; the
       thread count is still judged. ``compare(model_cores=True)`` judges them anyway,
       with ``ncpu`` set, for readers who want to see how far CPU sharing alone goes.
    2. **Late short sleeps.** When the simulation's own retakes and runnext steals,
       each early by the measured usleep overrun (:func:`sleep_overrun_ms`), could add
       more than the makespan tolerance ``bound``, the makespan is outside the model;
       the reason gives the estimate so the reader can add it to the simulated value.

    >>> m = {"machine": {"logical_cpus": 2}, "probes": {}}
    >>> limit_reason("fanout", 8, "makespan_ms", m)[:29]
    'GOMAXPROCS=8 on 2 cores: the '
    >>> limit_reason("fanout", 8, "threads_high_water", m) is None
    True
    >>> m["probes"] = {"usleep20_ns": 96_000}
    >>> limit_reason("syscall_mix", 1, "makespan_ms", m, overrun_ms=24.2, bound=18.0)
    "sysmon's usleep(20) really takes 96 µs here (exactly 20 and 3 µs in the engine): up to +24.2 ms"
    """
    ncpu = int(machine["machine"]["logical_cpus"])
    if gomaxprocs > ncpu and metric in TIME_METRICS:
        return (f"GOMAXPROCS={gomaxprocs} on {ncpu} cores: the OS time-slices the Ms' "
                "scheduler work as well as their CPU bursts; the engine's ncpu shares only bursts")
    if metric == "makespan_ms" and overrun_ms > bound:
        probes = machine.get("probes", {})
        measured = [f"{what} really takes {probes[key] / 1000:.0f} µs"
                    for key, what in (("usleep20_ns", "sysmon's usleep(20)"),
                                      ("usleep3_ns", "a thief's usleep(3)")) if key in probes]
        return (f"{' and '.join(measured)} here (exactly 20 and 3 µs in the engine): "
                f"up to +{overrun_ms:.1f} ms")
    return None


# --------------------------------------------------------------------------- simulation

def _engine():
    try:
        import gmplab
        simulate = gmplab.simulate
        from gmplab.sched import workloads
    except (ImportError, AttributeError) as exc:
        raise RuntimeError(f"the GMP engine is not available: {exc}") from exc
    return simulate, workloads


def engine_available() -> bool:
    """Whether ``gmplab.simulate`` and ``gmplab.sched.workloads`` can be imported."""
    try:
        _engine()
    except RuntimeError:
        return False
    return True


def engine_costs_from(cal: Calibration, model_cores: bool = False) -> tuple[dict, bool]:
    """The calibrated costs as ``gmplab.simulate`` keywords, and whether the core count
    is among them (only with ``model_cores=True``: then ``ncpu`` = the recording
    machine's cores, which the engine applies to CPU bursts only).

    >>> costs, cores = engine_costs_from(calibrate())
    >>> sorted(costs), cores
    (['chan_ns', 'newm_ns', 'spawn_ns', 'switch_ns', 'wake_ns'], False)
    >>> engine_costs_from(calibrate(), model_cores=True)[0]["ncpu"]
    2
    """
    from gmplab.sched.kernel import COST_NAMES
    values = cal.as_dict()
    costs = {name: int(round(values[name])) for name in COST_NAMES if name in values}
    if model_cores:
        costs["ncpu"] = int(cal.ncpu)
    return costs, model_cores


def _workload_args(workload: str, params: dict, cal: Calibration) -> dict:
    scaled = dict(params)
    for key in ("cpu_ns", "duration_ns"):
        if key in scaled:
            scaled[key] = int(round(scaled[key] * cal.cpu_scale))
    return scaled


def simulate_recording(workload: str, params: dict, gomaxprocs: int, cal: Calibration,
                       seed: int = 0, engine_costs: dict | None = None):
    """Simulate one workload like a recording; returns ``(SchedTrace, SchedTraceTable)``."""
    simulate, workloads = _engine()
    builder = getattr(workloads, workload, None)
    if builder is None:
        raise ValueError(f"workload: gmplab.sched.workloads has no builder {workload!r}")
    wl = builder(**_workload_args(workload, params, cal))
    trace = simulate(wl, gomaxprocs, seed=seed, **(engine_costs or {}))
    table = parse(trace.schedtrace(1_000_000))
    return trace, table


@dataclass(frozen=True)
class Row:
    workload: str
    gomaxprocs: int
    metric: str
    real_median: float
    real_min: float
    real_max: float
    sim: float
    bound: float
    verdict: str      # "holds", "FAILS", "limit"
    reason: str = ""


def _verdict(metric: str, real: list[float], sim: float, workload: str, procs: int,
             machine: dict, overrun_ms: float = 0.0, model_cores: bool = False) -> Row:
    med = float(statistics.median(real))
    tol = TOLERANCES[metric]
    bound = tol.bound(med)
    # with the core count modelled, only the second limit (late short sleeps) applies
    reason = limit_reason(workload, 1 if model_cores else procs, metric, machine, overrun_ms, bound)
    if reason is not None:
        return Row(workload, procs, metric, med, min(real), max(real), sim, bound, "limit", reason)
    ok = math.isfinite(sim) and abs(sim - med) <= bound
    return Row(workload, procs, metric, med, min(real), max(real), sim, bound,
               "holds" if ok else "FAILS")


def _runnext_steals(trace) -> int:
    """``runqsteal`` events that took the victim's runnext (b = -1 in the engine's log)."""
    from gmplab.sched.kernel import EV_RUNQSTEAL
    ev = trace.events
    return int(((ev["kind"] == EV_RUNQSTEAL) & (ev["b"] < 0)).sum())


def compare(recordings: list[Recording] | None = None, cal: Calibration | None = None,
            seed: int = 0, cells: Iterable[tuple[str, int]] | None = None,
            machine: dict | None = None, model_cores: bool = False) -> list[Row]:
    """Simulate every recorded (workload, GOMAXPROCS) once and judge each metric.

    The simulator gets the calibrated costs (:func:`engine_costs_from`) and the same
    workload parameters as the recordings, CPU bursts scaled by ``cal.cpu_scale``.
    ``cells`` restricts the comparison to some ``(workload, gomaxprocs)`` pairs.
    ``model_cores=True`` also passes the recording machine's core count (``ncpu``) and
    judges the cells above it instead of calling them outside the model.
    """
    recordings = load_recordings() if recordings is None else recordings
    cal = calibrate(recordings) if cal is None else cal
    engine_costs, _ = engine_costs_from(cal, model_cores)
    machine = load_machine() if machine is None else machine
    real = real_summary(recordings)
    params = {r.workload: r.params for r in recordings}
    wanted = sorted(real) if cells is None else list(cells)
    rows = []
    for workload, procs in wanted:
        if (workload, procs) not in real:
            raise ValueError(f"cells: no recording of {workload} at GOMAXPROCS={procs}")
        trace, table = simulate_recording(workload, params[workload], procs, cal, seed, engine_costs)
        summ = trace.summary()
        makespan_ms = float(summ["makespan_ns"]) / 1e6
        sim = trace_metrics(table, 0.0, max(makespan_ms, 1e-3))
        sim["makespan_ms"] = makespan_ms
        overrun = sleep_overrun_ms(summ["retakes"], _runnext_steals(trace), machine)
        for metric in METRICS:
            rows.append(_verdict(metric, real[(workload, procs)][metric], float(sim[metric]),
                                 workload, procs, machine, overrun, model_cores))
    return rows


def format_table(rows: list[Row]) -> str:
    """The side-by-side table, one line per (workload, GOMAXPROCS, metric)."""
    head = (f"{'workload':<12} {'P':>2} {'metric':<19} {'real median':>11} {'real range':>17} "
            f"{'sim':>9} {'tolerance':>10}  verdict")
    out = [head, "-" * len(head)]
    for r in rows:
        rng = f"{r.real_min:.3g}-{r.real_max:.3g}"
        line = (f"{r.workload:<12} {r.gomaxprocs:>2} {r.metric:<19} {r.real_median:>11.3g} "
                f"{rng:>17} {r.sim:>9.3g} {'±' + format(r.bound, '.3g'):>10}  {r.verdict}")
        if r.reason:
            line += f" ({r.reason})"
        out.append(line)
    counts = {v: sum(r.verdict == v for r in rows) for v in ("holds", "FAILS", "limit")}
    out.append(f"{counts['holds']} hold, {counts['FAILS']} fail, {counts['limit']} outside the model")
    return "\n".join(out)
