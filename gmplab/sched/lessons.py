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


# ---- chapter 01: goroutines vs OS threads ---------------------------------------------

def stack_at_depth(depth: int = 60) -> int:
    """Model: stack bytes of a new goroutine blocked ``depth`` levels into main.go's ``frame``."""
    from gmplab.sched.stacks import recursion_stack

    return recursion_stack(depth)


def measured_stack_at_depth(depth: int) -> float:
    """Measured (``adaptivestackstart=0``) StackInuse per goroutine at ``depth``."""
    from gmplab.measurements import load_thread_measurements

    rows = load_thread_measurements()["go_adaptivestackstart0"]["stack_growth"]
    for r in rows:
        if r["depth"] == depth:
            return float(r["stack_inuse_per_goroutine"]["median"])
    raise ValueError(f"depth must be one of the measured depths {[r['depth'] for r in rows]}, "
                     f"got {depth!r}")


def handoff_ratio() -> int:
    """Measured: futex hand-off between two threads on one CPU / channel hand-off between
    two goroutines on GOMAXPROCS=1, rounded to a whole number."""
    from gmplab.measurements import load_thread_measurements

    s = load_thread_measurements()["summary"]
    return round(s["thread_switch_same_cpu_ns"] / s["goroutine_switch_ns"])


def million_goroutines_mib() -> float:
    """Measured StackInuse per blocked goroutine x 1,000,000, in MiB."""
    from gmplab.sched.costs import footprint

    return round(footprint(1_000_000)["goroutine_stack_bytes"] / 2**20, 1)


def _stack_why(depth: int) -> str:
    from gmplab.sched.stacks import BASE_BYTES, FRAME_BYTES, FIXED_STACK, STACK_GUARD

    used = BASE_BYTES + (depth + 1) * FRAME_BYTES
    size = stack_at_depth(depth)
    return (f"{depth + 1} frames x {FRAME_BYTES} + {BASE_BYTES} = {used:,} bytes are live; a stack "
            f"of S bytes holds S - {STACK_GUARD} (stackGuard), so newstack doubles from "
            f"{FIXED_STACK // 1024} KiB until it fits: {size // 1024} KiB; measured: "
            f"{measured_stack_at_depth(depth):,.0f} bytes per goroutine")


STACK_AT_DEPTH = Exercise(
    "A new goroutine (GODEBUG=adaptivestackstart=0) is blocked 60 levels deep in main.go's "
    "frame() — 296 bytes per level. How many bytes is its stack?",
    lambda: (stack_at_depth(60), _stack_why(60)))


def _handoff_why() -> str:
    from gmplab.measurements import load_thread_measurements

    s = load_thread_measurements()["summary"]
    cross = s["thread_switch_any_cpu_ns"] / s["goroutine_switch_ns"]
    return ("a goroutine switch saves a few registers and stays in user space (runtime.gogo); "
            "a thread switch enters the kernel twice (futex wake, futex wait) and runs the "
            f"kernel's scheduler; with the threads free to use both CPUs it is ~{cross:,.0f}x "
            "(waking a thread on another, idle vCPU)")


HANDOFF_RATIO = Exercise(
    "Measured on the same machine: how many times longer is a hand-off between two threads "
    "on one CPU (futex wait/wake) than between two goroutines over an unbuffered channel on "
    "GOMAXPROCS=1? (a whole number; within a third counts)",
    lambda: (handoff_ratio(), _handoff_why()),
    tolerance=0.34)

MILLION_GOROUTINES = Exercise(
    "One million goroutines are blocked on a channel, each with a fresh stack. How many MiB of "
    "stack are in use? (within 10 %)",
    lambda: (million_goroutines_mib(),
             "each new goroutine gets fixedStack = 2 KiB (measured StackInuse growth: 2,048 "
             "bytes per goroutine), so 10^6 x 2 KiB ≈ 1.9 GiB; a thread reserves 8 MiB of "
             "virtual stack (RLIMIT_STACK) and touches ~8 KiB of it"),
    tolerance=0.1)
