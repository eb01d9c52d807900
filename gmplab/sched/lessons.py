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
