"""The TiCDC puller + sorter + sink as one Numba kernel: per-region events in, rows in
(commit_ts, start_ts) order out, released only up to the table's resolved ts.

Glossary
--------
PREWRITE   a Put/Delete lock applied in a region: start_ts, key, value (tikv cdc delegate.rs:
           sink_txn_put on CF_LOCK)
COMMIT     its commit record: start_ts, commit_ts, no value (CF_WRITE Put/Delete)
ROLLBACK   a rollback record: drop the prewrite
COMMITTED  a self-contained committed row from an incremental scan (initializer.rs)
RESOLVED   the region's resolved ts: every commit at or below it has been sent
frontier   the table's resolved ts = min over its regions (tiflow cdc/puller/frontier)

The approach
------------
Events arrive in one interleaved stream (each region's events in apply order, regions
interleaved by network delay). The kernel keeps

* a matcher: open-addressing hash table (region, start_ts, key) -> value
  (tiflow cdc/kv/matcher.go: matchRow) — a COMMIT takes its value from the PREWRITE;
* per-region resolved ts, advanced only forwards (shared_region_worker.go:
  forwardResolvedTsToPullerFrontier), and a segment tree whose root is the frontier;
* a min-heap of matched rows keyed (commit_ts, start_ts, key) — the Pebble sorter's key
  order (sorter/pebble encoding: EncodeKey);
* on a frontier advance: pop every row with commit_ts <= frontier, emit it, then emit the
  resolved marker; the sink flushes synchronously, so its checkpoint is that marker
  (sinkmanager table_sink_advancer / replication_manager AdvanceCheckpoint).

Simplified: one table; no DDL barriers; no "COMMIT before INITIALIZED" cache (a rescan's
COMMITTED rows are simply rows); the sanity panic on a commit at or below the region's
resolved ts is not raised (the checker reports it instead, which is the point of the
"untracked lock" fault).
"""
from __future__ import annotations

import numpy as np
from numba import njit

OPS = ("prewrite", "commit", "rollback", "committed", "resolved", "initialized")
OP_PREWRITE, OP_COMMIT, OP_ROLLBACK, OP_COMMITTED, OP_RESOLVED, OP_INITIALIZED = range(6)


@njit(cache=True)
def _slot(tab_key, mask, region, start_ts, key):
    h = np.uint64(start_ts) * np.uint64(0x9E3779B97F4A7C15) \
        ^ np.uint64(key) * np.uint64(0xBF58476D1CE4E5B9) ^ np.uint64(region) * np.uint64(0x94D049BB133111EB)
    i = np.int64((h ^ (h >> np.uint64(29))) & np.uint64(mask))
    while True:
        if tab_key[i, 0] == -1:
            return i, False
        if tab_key[i, 0] == region and tab_key[i, 1] == start_ts and tab_key[i, 2] == key:
            return i, True
        i = (i + 1) & mask


@njit(cache=True)
def _less(hp, a, b):
    for c in range(3):
        if hp[a, c] != hp[b, c]:
            return hp[a, c] < hp[b, c]
    return hp[a, 5] < hp[b, 5]


@njit(cache=True)
def _swap(hp, a, b):
    for c in range(hp.shape[1]):
        t = hp[a, c]
        hp[a, c] = hp[b, c]
        hp[b, c] = t


@njit(cache=True)
def merge_kernel(region, op, key, start_ts, commit_ts, value, n_regions):
    """Run the puller/sorter/sink over arrival-ordered events. Returns
    (rows[n, 6]: commit_ts, start_ts, key, value, region, input index;
     markers[m, 3]: resolved ts, rows emitted before it, input index;
     frontier[n_events]: the table's resolved ts after each input event)."""
    n = region.shape[0]
    n_pre = 0
    for i in range(n):
        if op[i] == OP_PREWRITE:
            n_pre += 1
    size = 4
    while size < 2 * n_pre + 4:          # load factor <= 1/2 even if nothing is ever matched
        size *= 2
    mask = size - 1
    tab_key = np.full((size, 3), -1, dtype=np.int64)    # region, start_ts, key (-2 = deleted)
    tab_val = np.empty(size, dtype=np.int64)
    # segment tree over region resolved ts: root = frontier
    leaves = 1
    while leaves < n_regions:
        leaves *= 2
    seg = np.full(2 * leaves, np.int64(1) << np.int64(62), dtype=np.int64)
    for r in range(n_regions):
        seg[leaves + r] = 0
    for i in range(leaves - 1, 0, -1):
        seg[i] = min(seg[2 * i], seg[2 * i + 1])
    hp = np.empty((n + 1, 6), dtype=np.int64)     # commit_ts, start_ts, key, value, region, idx
    nh = 0
    rows = np.empty((n + 1, 6), dtype=np.int64)
    nr = 0
    markers = np.empty((n + 1, 3), dtype=np.int64)
    nm = 0
    front = np.empty(n, dtype=np.int64)
    frontier = np.int64(0)
    for i in range(n):
        o = op[i]
        r = region[i]
        if o == OP_PREWRITE:
            s, found = _slot(tab_key, mask, r, start_ts[i], key[i])
            tab_key[s, 0] = r
            tab_key[s, 1] = start_ts[i]
            tab_key[s, 2] = key[i]
            tab_val[s] = value[i]
        elif o == OP_COMMIT or o == OP_COMMITTED or o == OP_ROLLBACK:
            v = value[i]
            if o != OP_COMMITTED:
                s, found = _slot(tab_key, mask, r, start_ts[i], key[i])
                if found:
                    v = tab_val[s]
                    # delete with backward-shift so probing chains stay intact
                    tab_key[s, 0] = -1
                    j = (s + 1) & mask
                    while tab_key[j, 0] != -1:
                        k0, k1, k2, vv = tab_key[j, 0], tab_key[j, 1], tab_key[j, 2], tab_val[j]
                        tab_key[j, 0] = -1
                        s2, _f = _slot(tab_key, mask, k0, k1, k2)
                        tab_key[s2, 0] = k0
                        tab_key[s2, 1] = k1
                        tab_key[s2, 2] = k2
                        tab_val[s2] = vv
                        j = (j + 1) & mask
            if o != OP_ROLLBACK:
                # matcher.go: matchRow -> RawKVEntry into the sorter
                hp[nh, 0] = commit_ts[i]
                hp[nh, 1] = start_ts[i]
                hp[nh, 2] = key[i]
                hp[nh, 3] = v
                hp[nh, 4] = r
                hp[nh, 5] = i
                c = nh
                nh += 1
                while c > 0:
                    p = (c - 1) >> 1
                    if _less(hp, c, p):
                        _swap(hp, c, p)
                        c = p
                    else:
                        break
        elif o == OP_RESOLVED:
            leaf = leaves + r
            if commit_ts[i] > seg[leaf]:                 # never backwards
                seg[leaf] = commit_ts[i]
                j = leaf >> 1
                while j >= 1:
                    m = min(seg[2 * j], seg[2 * j + 1])
                    if seg[j] == m:
                        break
                    seg[j] = m
                    j >>= 1
                if seg[1] > frontier:
                    frontier = seg[1]
                    # sorter: release every row at or below the frontier, in key order
                    while nh > 0 and hp[0, 0] <= frontier:
                        for c in range(6):
                            rows[nr, c] = hp[0, c]
                        nr += 1
                        nh -= 1
                        if nh > 0:
                            for c in range(6):
                                hp[0, c] = hp[nh, c]
                            c = 0
                            while True:
                                lft = 2 * c + 1
                                if lft >= nh:
                                    break
                                best = lft
                                if lft + 1 < nh and _less(hp, lft + 1, lft):
                                    best = lft + 1
                                if _less(hp, best, c):
                                    _swap(hp, best, c)
                                    c = best
                                else:
                                    break
                    markers[nm, 0] = frontier
                    markers[nm, 1] = nr
                    markers[nm, 2] = i
                    nm += 1
        front[i] = frontier
    return rows[:nr].copy(), markers[:nm].copy(), front


@njit(cache=True)
def kway_merge(run_start, commit_ts, start_ts, key):
    """Merge runs already sorted by (commit_ts, start_ts, key) with a heap of run heads;
    returns the permutation. The same job heapq.merge does, for the benchmark."""
    nrun = run_start.shape[0] - 1
    n = commit_ts.shape[0]
    pos = run_start[:-1].copy()
    heap = np.zeros(nrun, dtype=np.int64)
    nh = 0
    out = np.zeros(n, dtype=np.int64)
    for r in range(nrun):
        if pos[r] < run_start[r + 1]:
            heap[nh] = r
            c = nh
            nh += 1
            while c > 0:
                p = (c - 1) >> 1
                a, b = pos[heap[c]], pos[heap[p]]
                if (commit_ts[a], start_ts[a], key[a]) < (commit_ts[b], start_ts[b], key[b]):
                    heap[c], heap[p] = heap[p], heap[c]
                    c = p
                else:
                    break
    for i in range(n):
        r = heap[0]
        out[i] = pos[r]
        pos[r] += 1
        if pos[r] >= run_start[r + 1]:
            nh -= 1
            heap[0] = heap[nh]
        c = 0
        while True:
            lft = 2 * c + 1
            if lft >= nh:
                break
            best = lft
            if lft + 1 < nh:
                a, b = pos[heap[lft + 1]], pos[heap[lft]]
                if (commit_ts[a], start_ts[a], key[a]) < (commit_ts[b], start_ts[b], key[b]):
                    best = lft + 1
            a, b = pos[heap[best]], pos[heap[c]]
            if (commit_ts[a], start_ts[a], key[a]) < (commit_ts[b], start_ts[b], key[b]):
                heap[c], heap[best] = heap[best], heap[c]
                c = best
            else:
                break
    return out


def warmup() -> None:
    """Compile merge_kernel and kway_merge on a two-region toy stream."""
    i64 = lambda *x: np.array(x, dtype=np.int64)  # noqa: E731
    merge_kernel(i64(0, 1, 0, 1, 0, 1), i64(OP_PREWRITE, OP_PREWRITE, OP_COMMIT, OP_COMMIT,
                                             OP_RESOLVED, OP_RESOLVED),
                 i64(0, 1, 0, 1, -1, -1), i64(1, 2, 1, 2, 0, 0), i64(0, 0, 4, 3, 9, 9),
                 i64(5, 6, 0, 0, 0, 0), np.int64(2))
    kway_merge(i64(0, 1, 2), i64(3, 4), i64(1, 2), i64(0, 1))
