"""What goroutines and OS threads cost: real measurements, scaled to N tasks, and the
engine's cost model beside them (chapter 01).

Two questions, two kinds of answer:

* :func:`footprint` — "what would N tasks cost?" Multiplies the per-task figures measured
  on a real machine (``data/threads-vs-goroutines``: 100,000 goroutines and 1,000 threads
  created and blocked) by N. It is arithmetic on measurements, not a model: a linear
  extrapolation, and it says so in its keys.
* :func:`model_vs_measured` — "does the scheduler engine's cost model agree with the real
  runtime?" Runs the engine (``gmplab.simulate``) on the measuring programs' shapes with
  its default costs and with the costs calibrated from recordings
  (``gmplab.sched.fidelity.calibrate``), and puts each figure next to the measurement,
  naming where the calibrated value came from, so agreement by construction is not
  mistaken for evidence.

Example
-------
>>> f = footprint(1_000_000)
>>> f["goroutine_stack_bytes"] == 1_000_000 * 2048
True
>>> f["thread_virtual_bytes"] > 1000 * f["goroutine_stack_bytes"]
True
"""
from __future__ import annotations

from functools import lru_cache

from gmplab.measurements import load_thread_measurements

__all__ = ["footprint", "model_vs_measured", "engine_handoff_ns", "engine_spawn_exit_ns"]


def _tasks(tasks) -> int:
    if isinstance(tasks, bool) or not isinstance(tasks, int) or not 1 <= tasks <= 100_000_000:
        raise ValueError(f"tasks must be an int in 1..100,000,000, got {tasks!r}")
    return tasks


@lru_cache(maxsize=1)
def _summary() -> dict:
    return load_thread_measurements()["summary"]


def footprint(tasks: int) -> dict[str, float]:
    """Creation time and memory of ``tasks`` blocked goroutines and of ``tasks`` blocked
    threads, extrapolated linearly from the per-task medians in ``results.json``.

    Keys: ``goroutine_create_s``, ``goroutine_stack_bytes`` (``StackInuse``),
    ``goroutine_sys_bytes`` (all memory the Go runtime took from the OS, per goroutine,
    stack and ``g`` struct included), ``thread_create_s``, ``thread_resident_bytes``
    (``VmRSS``: the touched pages), ``thread_virtual_bytes`` (``VmSize``: the reserved
    8 MiB stacks and guard pages).
    """
    n = _tasks(tasks)
    s = _summary()
    return {
        "tasks": n,
        "goroutine_create_s": n * s["goroutine_create_ns"] / 1e9,
        "goroutine_stack_bytes": n * s["goroutine_stack_bytes"],
        "goroutine_sys_bytes": n * s["goroutine_sys_bytes"],
        "thread_create_s": n * s["thread_create_ns"] / 1e9,
        "thread_resident_bytes": n * s["thread_rss_bytes"],
        "thread_virtual_bytes": n * s["thread_vm_bytes"],
    }


def engine_handoff_ns(rounds: int = 10_000, **costs) -> float:
    """One-way hand-off time in the engine: one ping-pong pair on GOMAXPROCS=1."""
    from gmplab import simulate
    from gmplab.sched import workloads

    trace = simulate(workloads.pingpong(1, rounds), 1, **costs)
    return trace.summary()["makespan_ns"] / (2 * rounds)


def engine_spawn_exit_ns(n: int = 10_000, **costs) -> float:
    """``go f()`` + run + exit of an empty goroutine in the engine, on GOMAXPROCS=1."""
    from gmplab import simulate
    from gmplab.sched import workloads

    trace = simulate(workloads.fanout(n, 0), 1, **costs)
    return trace.summary()["makespan_ns"] / n


def model_vs_measured() -> list[dict]:
    """Rows of (what, measured, engine with default costs, engine calibrated, source).

    ``source`` says where the calibrated figure comes from; when it *is* the measurement
    the agreement is by construction and the row says so.
    """
    from gmplab.sched.fidelity import calibrate
    from gmplab.sched.kernel import DEFAULT_COSTS

    s = _summary()
    cal = calibrate()
    tuned = {"switch_ns": round(cal.switch_ns), "chan_ns": round(cal.chan_ns),
             "spawn_ns": round(cal.spawn_ns)}
    return [
        {"what": "go f() + run + exit, GOMAXPROCS=1 (ns)",
         "measured": s["goroutine_create_run_exit_ns"],
         "default": engine_spawn_exit_ns(),
         "calibrated": engine_spawn_exit_ns(**tuned),
         "source": "spawn_ns is set from this measurement: agreement by construction"},
        {"what": "channel hand-off, GOMAXPROCS=1 (ns)",
         "measured": s["goroutine_switch_ns"],
         "default": engine_handoff_ns(),
         "calibrated": engine_handoff_ns(**tuned),
         "source": "switch_ns is set from the schedtrace pingpong recordings, a different "
                   "program: an independent check"},
        {"what": "wake a parked thread, futex across CPUs (ns)",
         "measured": s["thread_switch_any_cpu_ns"],
         "default": float(DEFAULT_COSTS["wake_ns"]),
         "calibrated": float(cal.wake_ns),
         "source": "wake_ns is set from this measurement: agreement by construction"},
        {"what": "create a thread, pthread_create (ns)",
         "measured": s["thread_create_ns"],
         "default": float(DEFAULT_COSTS["newm_ns"]),
         "calibrated": float(cal.newm_ns),
         "source": "newm_ns is set from this measurement: agreement by construction"},
    ]
