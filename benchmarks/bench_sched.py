"""Benchmark the Go GMP kernel against itself with the JIT off and against a SimPy model
of the same policy (benchmarks/simpy_gmp.py). Prints figures measured side by side in one
run; run it with ``make bench`` or ``python benchmarks/bench_sched.py``.

Workloads (ARCHITECTURE.md): ``fanout`` with 1,000,000 goroutines at GOMAXPROCS=8 and
``syscall_mix`` with 10,000 goroutines x 20 rounds at GOMAXPROCS=4. The JIT-off kernel and
SimPy run scaled-down sizes (rates are per event and per goroutine, so they compare), and
the kernel is also timed at those sizes for a like-for-like ratio (best of 5 runs on
each side). The SimPy model keeps one log row per transition in a list,
as the kernel does. Memory and cold-start figures come from fresh subprocesses.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import simpy_gmp  # noqa: E402

import gmplab  # noqa: E402
from gmplab.sched import kernel, workloads  # noqa: E402

FULL = {"fanout": (lambda: workloads.fanout(1_000_000, 50_000), 8),
        "syscall_mix": (lambda: workloads.syscall_mix(10_000, 20, 20_000, 100_000), 4)}
SMALL = {"fanout": (lambda: workloads.fanout(50_000, 50_000), 8),
         "syscall_mix": (lambda: workloads.syscall_mix(500, 20, 20_000, 100_000), 4)}
NOJIT = {"fanout": ("workloads.fanout(10_000, 50_000)", 8),
         "syscall_mix": ("workloads.syscall_mix(100, 20, 20_000, 100_000)", 4)}


def timed(fn, repeat=1):
    best = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        dt = time.perf_counter() - t0
        best = dt if best is None or dt < best else best
    return out, best


def kernel_run(make, procs, repeat=1):
    wl = make()
    trace, dt = timed(lambda: gmplab.simulate(wl, procs), repeat)
    return {"goroutines": wl.n_goroutines, "events": len(trace), "seconds": dt}


def subprocess_json(code, env=None):
    env = dict(os.environ, **(env or {}))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         check=True, cwd=HERE.parent)
    return json.loads(out.stdout.strip().splitlines()[-1])


NOJIT_CODE = """
import json, time, warnings
warnings.simplefilter("ignore")
import gmplab
from gmplab.sched import workloads
wl = {make}
t0 = time.perf_counter(); tr = gmplab.simulate(wl, {procs}); dt = time.perf_counter() - t0
print(json.dumps({{"goroutines": wl.n_goroutines, "events": len(tr), "seconds": dt}}))
"""

MEM_CODE = """
import json, time
import gmplab
from gmplab.sched import workloads

def hwm_mib():  # VmHWM: peak resident set of this process (reset by exec, unlike ru_maxrss)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024

gmplab.sched.warmup()
base = hwm_mib()
wl = workloads.fanout(1_000_000, 50_000)
t0 = time.perf_counter(); tr = gmplab.simulate(wl, 8); dt = time.perf_counter() - t0
s = tr.summary()
print(json.dumps({"peak_mib": hwm_mib(), "before_mib": base, "seconds": dt}))
"""

COLD_CODE = """
import time
t0 = time.perf_counter()
import json
import gmplab
from gmplab.sched import workloads
tr = gmplab.simulate(workloads.fanout(10_000, 50_000), 4)
print(json.dumps({"seconds": time.perf_counter() - t0}))
"""


def rate(r):
    return r["events"] / r["seconds"], r["goroutines"] / r["seconds"]


def main():
    t0 = time.perf_counter()
    kernel.warmup()
    print(f"warm-up (compile or load cache): {time.perf_counter() - t0:.2f} s\n")
    rows = []
    for name in ("fanout", "syscall_mix"):
        make, procs = FULL[name]
        full = kernel_run(make, procs)
        smake, _ = SMALL[name]
        # Best of 5 runs on both sides (the machine may be shared, and a run of a few ms is
        # easily disturbed): the same rule for the kernel and for SimPy.
        small = kernel_run(smake, procs, repeat=5)
        swl = smake()
        simpy_res, simpy_dt = timed(lambda: simpy_gmp.run(swl, procs), repeat=5)
        simpy = {"goroutines": simpy_res["goroutines"], "events": simpy_res["events"], "seconds": simpy_dt}
        nj_make, _ = NOJIT[name]
        nojit = subprocess_json(NOJIT_CODE.format(make=nj_make, procs=procs), {"NUMBA_DISABLE_JIT": "1"})
        rows.append((name, procs, full, small, nojit, simpy))

    print(f"{'run':<44s}{'Gs':>10s}{'events':>11s}{'seconds':>10s}{'events/s':>13s}{'Gs/s':>12s}")
    for name, procs, full, small, nojit, simpy in rows:
        for label, r in ((f"{name} P={procs} kernel (full size)", full),
                         (f"{name} P={procs} kernel (SimPy size)", small),
                         (f"{name} P={procs} kernel, NUMBA_DISABLE_JIT=1", nojit),
                         (f"{name} P={procs} SimPy model", simpy)):
            ev, gs = rate(r)
            print(f"{label:<44s}{r['goroutines']:>10,d}{r['events']:>11,d}{r['seconds']:>10.3f}"
                  f"{ev:>13,.0f}{gs:>12,.0f}")
    print("\nratios (per goroutine; per event in brackets)")
    for name, procs, full, small, nojit, simpy in rows:
        k_ev, k_g = rate(small)
        f_ev, f_g = rate(full)
        n_ev, n_g = rate(nojit)
        s_ev, s_g = rate(simpy)
        print(f"  {name:<12s} kernel / JIT off: {f_g / n_g:8.0f}x ({f_ev / n_ev:.0f}x)   "
              f"kernel / SimPy (same size): {k_g / s_g:6.1f}x ({k_ev / s_ev:.1f}x)")

    mem = subprocess_json(MEM_CODE)
    cold = subprocess_json(COLD_CODE)
    fan = rows[0][2]
    print("\ntargets")
    print(f"  1M fanout after warm-up      {fan['seconds']:6.2f} s   (target <= 2 s)")
    print(f"  1M fanout + summary, fresh process {mem['seconds']:5.2f} s, peak RSS {mem['peak_mib']:.0f} MiB "
          f"(target <= 1024 MiB; {mem['before_mib']:.0f} MiB after import)")
    print(f"  import + first simulate      {cold['seconds']:6.2f} s   (target <= 3 s, Numba cache filled)")
    print(f"  kernel / SimPy               {rate(rows[0][3])[1] / rate(rows[0][5])[1]:6.1f}x  "
          f"(target >= 100x)")


if __name__ == "__main__":
    main()
