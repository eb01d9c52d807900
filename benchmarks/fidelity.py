"""Fidelity of the GMP simulator against recordings of the real Go runtime.

    python benchmarks/fidelity.py            # the full table (needs no Go)
    python benchmarks/fidelity.py --real     # only the real side (no simulator)

Prints the recording's Go version and machine, the calibration (every cost with the
formula and numbers it came from), then one line per (workload, GOMAXPROCS, metric):
the median and range of the real runs, the simulated value, the stated tolerance and
the verdict. See gmplab/sched/fidelity.py for the metrics, tolerances and limits.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gmplab.sched import fidelity as F  # noqa: E402


def print_real(recordings) -> None:
    real = F.real_summary(recordings)
    cores = {}
    for r in recordings:
        cores.setdefault((r.workload, r.gomaxprocs), []).append(r.cores_used)
    head = (f"{'workload':<12} {'P':>2} " + " ".join(f"{m:>20}" for m in F.METRICS)
            + f" {'cores used':>11}")
    print(head)
    print("-" * len(head))
    for (workload, procs), cell in sorted(real.items()):
        cols = []
        for m in F.METRICS:
            v = cell[m]
            cols.append(f"{statistics.median(v):>9.3g} [{min(v):.3g}-{max(v):.3g}]".rjust(20))
        print(f"{workload:<12} {procs:>2} " + " ".join(cols)
              + f" {statistics.median(cores[(workload, procs)]):>11.2f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--real", action="store_true", help="print only the real runs")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    meta = F.load_machine()
    recordings = F.load_recordings()
    m = meta["machine"]
    print(f"recordings: {meta['go_version']}, {len(recordings)} runs, recorded {meta['recorded_utc']}")
    print(f"machine: {m['cpu_model']}, {m['logical_cpus']} logical CPUs, {m['kernel']}, {m['os']}")
    print()
    cal = F.calibrate(recordings)
    print("calibration (once, from GOMAXPROCS=1 runs and pthread measurements):")
    for name, how in cal.derivation.items():
        print(f"  {name:<17} {how}")
    print()
    print("real runs: median [min-max] over runs; cores used = CPU time of the run / makespan")
    print_real(recordings)
    print()
    if args.real:
        return 0
    if not F.engine_available():
        print("simulator: gmplab.simulate is not available in this checkout; only the real side is shown")
        return 0
    costs, _ = F.engine_costs_from(cal)
    print(f"simulator costs passed to gmplab.simulate: {costs}")
    started = time.perf_counter()
    rows = F.compare(recordings, cal, seed=args.seed)
    elapsed = time.perf_counter() - started
    print(F.format_table(rows))
    print(f"simulated {len({(r.workload, r.gomaxprocs) for r in rows})} cells in {elapsed:.2f} s")
    print()
    cores = F.compare(recordings, cal, seed=args.seed, model_cores=True)
    above = [r for r in cores if r.gomaxprocs > cal.ncpu and r.metric in F.TIME_METRICS]
    print(f"with ncpu={cal.ncpu} passed to the engine (CPU bursts share the cores), the "
          f"{len(above)} time metrics above the core count:")
    print(F.format_table(above))
    print()
    print("tolerances:")
    for metric, tol in F.TOLERANCES.items():
        print(f"  {metric:<19} max({tol.abs:g}, {tol.rel:.0%} of real): {tol.why}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
