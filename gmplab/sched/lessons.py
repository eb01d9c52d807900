"""Predict-then-check exercises for the GMP chapters; every answer is computed by the
engine when the checker runs (see :mod:`gmplab.exercises`).

Example
-------
>>> from gmplab.sched.lessons import run_order
>>> run_order(3)
['G4', 'G2', 'G3']
"""
from __future__ import annotations

import numpy as np

from gmplab.exercises import Exercise
from gmplab.sched import EVENT_KINDS, ops, simulate, workloads


def _label(g: int) -> str:
    return f"G{g + 1}"


def run_order(children: int, cpu_ns: int = 10_000) -> list[str]:
    """On GOMAXPROCS=1, main spawns ``children`` goroutines and returns: the order they run."""
    if not isinstance(children, int) or not 1 <= children <= 200:
        raise ValueError(f"children must be an int in 1..200, got {children!r}")
    main = [ops.spawn([ops.cpu(cpu_ns)]) for _ in range(children)]
    trace = simulate(ops.Workload.from_programs(main, name="spawner"), 1)
    ev = trace.events
    executed = np.asarray(ev["g"])[np.asarray(ev["kind"]) == EVENT_KINDS.index("execute")]
    order: list[str] = []
    for g in executed:  # proc.go: execute — first time each child runs
        if g != 0 and _label(g) not in order:
            order.append(_label(g))
    return order


def first_spill(n: int = 300) -> int:
    """fanout(n) on GOMAXPROCS=1: the global queue's length right after the first runqputslow."""
    trace = simulate(workloads.fanout(n, 10_000), 1)
    k = trace.next_event(-1, ("runqputslow",))
    if k < 0:
        return 0
    return int(len(trace.state_at(k + 1).globrunq))


RUN_ORDER = Exercise(
    "With GOMAXPROCS=1, main runs `go f()` five times (G2..G6) and returns. In which order do "
    "G2..G6 run? (a list like ['G2', 'G3', ...])",
    lambda: (run_order(5), "newproc puts each new G in runnext, kicking the previous one to the "
                           "tail of the local ring (proc.go: runqput next=true); the newest runs "
                           "first, then the ring in FIFO order"))

FIRST_SPILL = Exercise(
    "fanout(300) on GOMAXPROCS=1: how many goroutines are in the global queue right after the "
    "first runqputslow?",
    lambda: (first_spill(300), "the ring holds 256; when it is full runqputslow moves the oldest "
                               "half (128) plus the G being put (1) to the global queue"))


def first_steal(n: int = 24, gomaxprocs: int = 2) -> int:
    """fanout(n): how many Gs the first ``runqsteal`` takes from the victim's ring."""
    trace = simulate(workloads.fanout(n, 50_000), gomaxprocs)
    k = trace.next_event(-1, ("runqsteal",))
    return int(trace.events["b"][k]) if k >= 0 else 0


def syscall_threads(gomaxprocs: int) -> int:
    """Threads high-water mark of syscall_mix(12, 3, 20 µs CPU, 300 µs syscalls)."""
    trace = simulate(workloads.syscall_mix(12, 3, 20_000, 300_000), gomaxprocs)
    return int(trace.summary()["threads_high_water"])


FIRST_STEAL = Exercise(
    "fanout(24) on GOMAXPROCS=2: main's P has G2..G24 queued (23 in the ring once main runs on); "
    "how many Gs does the first runqsteal take?",
    lambda: (first_steal(), "runqgrab takes n - n/2 (half, rounded up) from the head of the "
                            "victim's ring; the thief runs the last one it took"))

SYSCALL_THREADS = Exercise(
    "syscall_mix(12 goroutines, 3 rounds, 20 µs CPU, 300 µs blocking syscalls) on GOMAXPROCS=1: "
    "what is the thread high-water mark?",
    lambda: (syscall_threads(1), "each blocked syscall pins its M; sysmon retakes the P "
                                 "(handoffp) and starts another M, so threads grow with the Gs "
                                 "in syscalls, not with GOMAXPROCS; idle Ms are kept, never freed"))


def hog_preemptions(n: int = 2, duration_ms: int = 30) -> int:
    """cpu_hogs(n, duration) on GOMAXPROCS=1: how many times sysmon preempts."""
    trace = simulate(workloads.cpu_hogs(n, duration_ms * 1_000_000), 1)
    return int(trace.summary()["preemptions"])


def gomaxprocs_sweep(workload, procs=(1, 2, 3, 4, 6, 8, 12, 16)) -> dict[str, np.ndarray]:
    """Makespan and scheduling-latency percentiles of ``workload`` for each GOMAXPROCS."""
    rows = {"gomaxprocs": [], "makespan_ms": [], "latency_p50_us": [], "latency_p99_us": []}
    for p in procs:
        s = simulate(workload, int(p)).summary()
        rows["gomaxprocs"].append(int(p))
        rows["makespan_ms"].append(s["makespan_ns"] / 1e6)
        rows["latency_p50_us"].append(s["latency_p50_ns"] / 1e3)
        rows["latency_p99_us"].append(s["latency_p99_ns"] / 1e3)
    return {k: np.asarray(v) for k, v in rows.items()}


def sweep_figure(sweep: dict[str, np.ndarray]):
    """Makespan and p99 scheduling latency against GOMAXPROCS (two linked Bokeh plots)."""
    from bokeh.layouts import row

    from gmplab.viz.theme import OKABE_ITO, new_figure

    left = new_figure("makespan", height=300, x_axis_label="GOMAXPROCS", y_axis_label="ms",
                      sizing_mode="scale_width", width=450)
    left.line(sweep["gomaxprocs"], sweep["makespan_ms"], line_width=3, color=OKABE_ITO[4])
    left.scatter(sweep["gomaxprocs"], sweep["makespan_ms"], size=9, color=OKABE_ITO[4])
    right = new_figure("scheduling latency", height=300, x_axis_label="GOMAXPROCS",
                       y_axis_label="µs", x_range=left.x_range, sizing_mode="scale_width", width=450)
    right.line(sweep["gomaxprocs"], sweep["latency_p99_us"], line_width=3, color=OKABE_ITO[5],
               legend_label="p99")
    right.line(sweep["gomaxprocs"], sweep["latency_p50_us"], line_width=3, line_dash="dashed",
               color=OKABE_ITO[0], legend_label="p50")
    return row(left, right, sizing_mode="stretch_width")


HOG_PREEMPTIONS = Exercise(
    "Two CPU hogs of 30 ms each on GOMAXPROCS=1: how many times does sysmon preempt one?",
    lambda: (hog_preemptions(), "retake preempts a G whose P has kept the same schedtick for "
                                "10 ms, but only when sysmon looks — and with nothing to retake, "
                                "sysmon has backed off to 10 ms sleeps, so real slices are 10–20 ms"))
