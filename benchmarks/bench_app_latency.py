"""How long a GOMAXPROCS slider move takes, from the new value to updated Bokeh sources.

The GMP app re-simulates the whole workload and replaces the board, timeline and queue
sources. Budget: 100 ms for a 10,000-goroutine workload. Measured here through the
slider's method twin (the same path as a mouse), with a breakdown by stage.

    .venv/bin/python benchmarks/bench_app_latency.py
"""
from __future__ import annotations

import statistics
import time

import gmplab
from gmplab.apps.gmp import GMPApp
from gmplab.sched import workloads


def main(goroutines: int = 10_000, repeats: int = 3) -> None:
    gmplab.warmup(progress=None)
    wl = workloads.fanout(goroutines, 20_000)
    app = GMPApp(wl, gomaxprocs=1)
    app.goto(len(app.trace) // 2)
    sequence = [2, 4, 8, 16, 32, 64, 8, 1]
    totals, sims, views = [], [], []
    for _ in range(repeats):
        for n in sequence:  # each value differs from the previous one: every call re-simulates
            t0 = time.perf_counter()
            app.set_gomaxprocs(n)
            totals.append(time.perf_counter() - t0)
            # The same work split into its two stages.
            t0 = time.perf_counter()
            trace = gmplab.simulate(wl, n, seed=0)
            t1 = time.perf_counter()
            app.timeline.set_trace(trace)
            app._render(app.stepper.position)
            views.append(time.perf_counter() - t1)
            sims.append(t1 - t0)
    med = lambda xs: statistics.median(xs) * 1e3
    print(f"workload: fanout({goroutines:,}), {len(app.trace):,} events at GOMAXPROCS={app.gomaxprocs}")
    print(f"  simulate                    median {med(sims):7.1f} ms   max {max(sims) * 1e3:7.1f} ms")
    print(f"  update views (sources)      median {med(views):7.1f} ms   max {max(views) * 1e3:7.1f} ms")
    print(f"  slider twin, end to end     median {med(totals):7.1f} ms   max {max(totals) * 1e3:7.1f} ms"
          f"   budget 100 ms -> {'OK' if med(totals) <= 100 else 'OVER'}")


if __name__ == "__main__":
    main()
