"""CDC merge throughput at 1,000 regions, side by side in one run:

* ``cdc.merge``      the Numba puller/sorter/sink over every event (prewrite, commit,
                     resolved) in arrival order — matching, frontier, release by resolved ts;
                     the simulator's timestamps are dense, so its sorter buckets rows by
                     commit_ts; the "sparse ts" line runs the same stream with every
                     timestamp x 2^20 (too sparse to bucket: the sorted-run + heap sorter,
                     fields compared one by one), against heapq on the same scaled runs;
* ``kway_merge``     the Numba k-way merge of the per-region runs (same job as heapq.merge);
* ``heapq.merge``    Python's k-way merge of the per-region runs, each already sorted by
                     (commit_ts, start_ts, key);
* ``np.lexsort``     one global sort of the same committed rows;

plus the CDC checker's throughput. Run: .venv/bin/python benchmarks/bench_cdc.py [txns]
"""
from __future__ import annotations

import heapq
import importlib
import sys
import time

import numpy as np

from gmplab import cdc, txn

M = importlib.import_module("gmplab.cdc.merge")


def timed(fn, repeat=3):
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main(n: int = 20_000) -> None:
    txn.warmup()
    cdc.warmup()
    regions = 1000
    w = txn.workloads.bank(accounts=100_000, txns=n, keys_per_txn=4, hot_fraction=0.0,
                           mode="optimistic", arrival_gap=1, seed=2)
    h = txn.simulate(w, regions=regions, seed=2)
    t0 = time.perf_counter()
    s = cdc.streams(h, min_ts_interval=500, max_delay=20, seed=2)
    t_streams = time.perf_counter() - t0
    ev = s.events
    n_ev = len(s)
    t_merge, m = timed(lambda: cdc.merge(s))
    args = [np.ascontiguousarray(ev[c]) for c in ("region", "op", "key", "start_ts", "commit_ts", "value")]
    t_kernel, _ = timed(lambda: M.merge_kernel(*args, np.int64(regions)))
    sparse = list(args)
    sparse[3], sparse[4] = args[3] << 20, args[4] << 20          # start_ts, commit_ts
    t_sparse, ms = timed(lambda: M.merge_kernel(*sparse, np.int64(regions)))
    want = np.column_stack([m.rows[c] for c in ("commit_ts", "start_ts", "key", "value", "region", "input")])
    want[:, :2] <<= 20
    assert np.array_equal(ms[0], want) and np.array_equal(ms[2], m.frontier << 20)   # same merge
    # the committed rows, as per-region runs sorted by (commit_ts, start_ts, key)
    c = ev["op"] == M.OP_COMMIT
    reg, ct, st, key = ev["region"][c], ev["commit_ts"][c], ev["start_ts"][c], ev["key"][c]
    o = np.lexsort((key, st, ct, reg))
    reg, ct, st, key = reg[o], ct[o], st[o], key[o]
    run_start = np.searchsorted(reg, np.arange(regions + 1)).astype(np.int64)
    runs = [list(zip(ct[a:b].tolist(), st[a:b].tolist(), key[a:b].tolist()))
            for a, b in zip(run_start[:-1], run_start[1:])]
    t_heapq, merged = timed(lambda: list(heapq.merge(*runs)))
    runs20 = [[(a << 20, b << 20, c) for a, b, c in run] for run in runs]
    t_heapq20, _ = timed(lambda: list(heapq.merge(*runs20)))
    t_kway, perm = timed(lambda: M.kway_merge(run_start, ct, st, key))
    t_lex, order = timed(lambda: np.lexsort((key, st, ct)))
    assert [x[0] for x in merged] == ct[perm].tolist() == ct[order].tolist()
    t_chk, rep = timed(lambda: cdc.check(h, s, m), repeat=1)
    assert rep.ok, str(rep)
    rows = int(c.sum())
    print(f"{regions} regions, {n:,} bank txns -> {n_ev:,} CDC events, {rows:,} committed rows "
          f"(streams built in {t_streams:.2f} s)")
    print(f"{'method':<48s} {'time ms':>9s} {'rows/s':>14s} {'vs heapq':>9s}")
    for name, t, base in (("merge_kernel (all events: match+frontier+sort)", t_kernel, t_heapq),
                          ("cdc.merge() = kernel + wrapper (dup count)", t_merge, t_heapq),
                          ("numba kway_merge (sorted runs)", t_kway, t_heapq),
                          ("heapq.merge (sorted runs)", t_heapq, t_heapq),
                          ("np.lexsort (global sort)", t_lex, t_heapq),
                          ("merge_kernel, sparse ts (x 2^20)", t_sparse, t_heapq20),
                          ("heapq.merge, sparse ts (x 2^20)", t_heapq20, t_heapq20)):
        print(f"{name:<48s} {t * 1e3:>9.1f} {rows / t:>14,.0f} {base / t:>8.1f}x")
    print(f"cdc.merge processes {n_ev / t_merge:,.0f} events/s; cdc.check {n_ev / t_chk:,.0f} events/s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
