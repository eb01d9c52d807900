"""Transaction-kernel throughput: simulated 4-key bank transfers per second at low
contention, optimistic and pessimistic, plus the history checkers' throughput — all
measured side by side in one run.

Run: .venv/bin/python benchmarks/bench_txn.py [txns]
"""
from __future__ import annotations

import sys
import time

import numpy as np

from gmplab import txn
from gmplab.txn import kernel as K
from gmplab.txn.engine import _layout


def best_of(fn, repeat=3):
    best = float("inf")
    out = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main(n: int = 100_000) -> None:
    txn.warmup()
    print(f"4-key bank transfers, {n:,} txns, 1,000,000 accounts, hot_fraction 0, 16 regions")
    print(f"{'mode':<12s} {'kernel txn/s':>14s} {'simulate() txn/s':>17s} {'events':>10s} "
          f"{'committed':>10s} {'check() events/s':>17s}")
    for mode in ("optimistic", "pessimistic"):
        w = txn.workloads.bank(accounts=1_000_000, txns=n, keys_per_txn=4, hot_fraction=0.0,
                               mode=mode, arrival_gap=1, seed=1)
        regions = 16
        key_region = (np.arange(w.n_keys, dtype=np.int64) * regions) // w.n_keys
        mut_start, mut_key, mut_op, reg_start, reg_id, primary = _layout(w, key_region)
        p = dict(txn.DEFAULTS)
        cap = 64 + 4 * int(w.op_start[-1]) + 6 * n
        vec = np.array([p["ttl"], p["pessimistic_ttl"], p["wait_for_lock_timeout"],
                        p["lock_wait_timeout"], p["wake_up_delay"], p["latency"], p["jitter"],
                        p["max_retry"], p["backoff_base"], p["backoff_cap"], 1, 1, 1, cap],
                       dtype=np.int64)

        def kernel():
            return K.simulate_kernel(w.txn_arrival, w.txn_mode, w.txn_fault, w.txn_commit_tick,
                                     primary, w.op_start, w.op_kind, w.op_key, w.op_delta,
                                     w.op_tick, mut_start, mut_key, mut_op, reg_start, reg_id,
                                     key_region, w.key_init, vec,
                                     *K.buffers(w.n_txns, w.n_keys, cap))
        tk, out = best_of(kernel)
        assert out[1][K.G_OVERFLOW] == 0
        te, h = best_of(lambda: txn.simulate(w, regions=regions, seed=1), repeat=1)
        tc, rep = best_of(lambda: h.check(), repeat=1)
        assert rep.ok, str(rep)
        print(f"{mode:<12s} {n / tk:>14,.0f} {n / te:>17,.0f} {len(h):>10,d} "
              f"{h.summary()['committed']:>10,d} {len(h) / tc:>17,.0f}")
    print("kernel = simulate_kernel with the allocation of its buffers (K.buffers), best of 3;")
    print("simulate() adds input layout (Python) and the history wrap")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
