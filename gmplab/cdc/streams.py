"""Per-region change streams derived from a transaction history, as TiKV's CDC endpoint
would send them, and the ordered merge on top.

TiKV side (components/cdc delegate.rs, endpoint.rs), replayed from ``TxnHistory`` rows:

* a Put lock applied (``prewrite`` ok)        -> PREWRITE, and the lock is *tracked*;
* a commit record (``commit``/roll-forward)   -> COMMIT, the lock is untracked;
* a rollback record (``rollback``, ``resolve_lock`` rollback, ``check_txn_status`` ttl_expire)
                                              -> ROLLBACK, the lock is untracked;
* pessimistic locks are never sent nor tracked (acquire_pessimistic_lock rows are ignored);
* every ``min_ts_interval`` ticks (cdc.min-ts-interval) each region sends RESOLVED with
  ``max(previous, min(smallest tracked start_ts, min_ts))`` (endpoint.rs: on_min_ts), where
  min_ts is the TSO value reached at that tick (no later commit_ts can be at or below it).

Each region's events reach TiCDC in apply order, delayed by that region's network delay,
so regions interleave out of order — the merge must restore commit-ts order.

Fault switches:

``untracked_txn``   the tracker misses this txn's locks: resolved ts too high — its late
                    commits arrive below a resolved ts already sent (the checker catches it)
``resubscribe``     [(region, tick)]: the region re-subscribes from its resolved ts (an
                    EpochNotMatch after a split): an incremental scan re-sends every commit
                    above it as COMMITTED rows, so rows can be emitted twice
``orphan_lock``     (region, tick, duration): a lock nobody resolves holds the region's
                    resolved ts for ``duration`` ticks (TiCDC resolves it after
                    resolveLockFence = 4 s) — the frontier and checkpoint lag

Example
-------
>>> from gmplab import txn, cdc
>>> h = txn.simulate(txn.workloads.bank(txns=20, mode="optimistic"), regions=3)
>>> s = cdc.streams(h, min_ts_interval=5)
>>> m = cdc.merge(s)
>>> cdc.check(h, s, m).ok
True
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

import importlib

# the kernel module; the package re-exports the function ``merge`` under the same name
M = importlib.import_module("gmplab.cdc.merge")
from gmplab.txn import kernel as K

__all__ = ["CdcStreams", "CdcMerge", "streams", "merge", "STREAM_COLUMNS"]

STREAM_COLUMNS = ("region", "op", "key", "start_ts", "commit_ts", "value", "apply_tick",
                  "arrive_tick", "seq", "source_step")


@dataclass
class CdcStreams:
    """All regions' events in arrival order (``events``: dict of equal-length arrays)."""
    events: dict
    regions: int
    min_ts_interval: int
    faults: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return int(self.events["region"].shape[0])

    def region_stream(self, r: int) -> dict:
        """Region r's events in its own (apply) order."""
        m = self.events["region"] == r
        order = np.argsort(self.events["seq"][m], kind="stable")
        return {c: v[m][order] for c, v in self.events.items()}

    def op_name(self, i: int) -> str:
        return M.OPS[int(self.events["op"][i])]

    def resolved_ts(self) -> np.ndarray:
        """Per-region resolved ts after the whole stream (the last RESOLVED of each)."""
        out = np.zeros(self.regions, dtype=np.int64)
        m = self.events["op"] == M.OP_RESOLVED
        np.maximum.at(out, self.events["region"][m], self.events["commit_ts"][m])
        return out


@dataclass
class CdcMerge:
    """The merge's output: ``rows`` in emit order, resolved ``markers`` (checkpoints),
    the frontier after every input event, duplicates counted."""
    rows: dict
    markers: dict
    frontier: np.ndarray
    duplicates: int

    @property
    def checkpoint(self) -> np.ndarray:
        """The sink's checkpoint series (it flushes at every marker)."""
        return self.markers["resolved_ts"]

    def __len__(self) -> int:
        return int(self.rows["commit_ts"].shape[0])


def _region_delays(regions: int, max_delay: int, seed: int) -> np.ndarray:
    i = np.arange(1, regions + 1, dtype=np.uint64)
    z = np.uint64((seed * 0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019) & 0xFFFFFFFFFFFFFFFF) \
        + i * np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    return (z % np.uint64(max_delay + 1)).astype(np.int64)


def streams(h, *, min_ts_interval: int = 1000, max_delay: int = 3, seed: int = 0,
            untracked_txn: int | None = None, resubscribe=(), orphan_lock=None) -> CdcStreams:
    """Build per-region CDC streams from a ``TxnHistory`` (see the module docstring)."""
    from gmplab.txn.history import TxnHistory
    if not isinstance(h, TxnHistory):
        raise ValueError(f"h must be a TxnHistory, got {type(h).__name__}")
    for name, v, lo in (("min_ts_interval", min_ts_interval, 1), ("max_delay", max_delay, 0),
                        ("seed", seed, 0)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < lo:
            raise ValueError(f"{name} must be an integer >= {lo}, got {v!r}")
    if untracked_txn is not None and not 0 <= int(untracked_txn) < h.n_txns:
        raise ValueError(f"untracked_txn must be a txn index in [0, {h.n_txns}), got {untracked_txn!r}")
    resub = []
    for j, item in enumerate(resubscribe):
        if len(item) != 2 or not 0 <= int(item[0]) < h.regions or int(item[1]) < 0:
            raise ValueError(f"resubscribe[{j}] must be (region in [0, {h.regions}), tick >= 0), "
                             f"got {item!r}")
        resub.append((int(item[1]), int(item[0])))
    resub.sort()
    if orphan_lock is not None:
        if len(orphan_lock) != 3 or not 0 <= int(orphan_lock[0]) < h.regions \
                or int(orphan_lock[1]) < 0 or int(orphan_lock[2]) < 1:
            raise ValueError("orphan_lock must be (region, tick >= 0, duration >= 1), "
                             f"got {orphan_lock!r}")
    protocol = h.params.get("commit_protocol", "2pc")
    if protocol != "2pc":
        # With async commit / 1PC, TiKV computes commit_ts from max_ts, and its CDC endpoint
        # keeps resolved ts safe by raising max_ts to every min_ts it samples (tikv
        # components/cdc endpoint.rs: concurrency_manager.update_max_ts). Streams built after
        # the run cannot feed that back into the transaction kernel.
        raise ValueError(f"h: CDC streams are modelled for commit_protocol='2pc' histories only, "
                         f"got {protocol!r} (resolved ts would have to raise TiKV's max_ts "
                         f"during the run)")
    e = h.events
    R = h.regions
    out = {c: [] for c in STREAM_COLUMNS}
    seq = np.zeros(R, dtype=np.int64)
    tracked = [dict() for _ in range(R)]          # (key, start_ts) -> start_ts
    resolved = np.zeros(R, dtype=np.int64)
    applied = [[] for _ in range(R)]              # (commit_ts, key, start_ts, value) per region
    last_tick = int(e["tick"][-1]) if len(h) else 0
    horizon = last_tick
    if orphan_lock is not None:
        horizon = max(horizon, int(orphan_lock[1]) + int(orphan_lock[2]))
    if resub:
        horizon = max(horizon, resub[-1][0])
    horizon += min_ts_interval
    orphan = None

    def emit(r, op, key, st, ct, val, tick, step):
        out["region"].append(r)
        out["op"].append(op)
        out["key"].append(key)
        out["start_ts"].append(st)
        out["commit_ts"].append(ct)
        out["value"].append(val)
        out["apply_tick"].append(tick)
        out["seq"].append(int(seq[r]))
        out["source_step"].append(step)
        seq[r] += 1

    def sample(tick, tso):
        nonlocal orphan
        if orphan_lock is not None:
            r0, t0, dur = (int(x) for x in orphan_lock)
            if orphan is None and tick >= t0:
                orphan = (r0, tso, t0 + dur)
            if orphan is not None and tick >= orphan[2]:
                orphan = (r0, None, orphan[2])      # resolved by TiCDC's lock resolver
        for r in range(R):
            lo = tso
            if tracked[r]:
                lo = min(lo, min(tracked[r].values()))
            if orphan is not None and orphan[0] == r and orphan[1] is not None:
                lo = min(lo, orphan[1])
            if lo > resolved[r]:
                resolved[r] = lo
            emit(r, M.OP_RESOLVED, -1, 0, int(resolved[r]), 0, tick, -1)

    def rescan(r, tick):
        # Initializer::async_incremental_scan from the region's resolved ts (the checkpoint)
        cp = int(resolved[r])
        for ct, key, st, val in applied[r]:
            if ct > cp:
                emit(r, M.OP_COMMITTED, key, st, ct, val, tick, -1)
        for (key, st) in list(tracked[r]):
            emit(r, M.OP_PREWRITE, key, st, 0, pending_val.get((key, st), 0), tick, -1)
        emit(r, M.OP_INITIALIZED, -1, 0, 0, 0, tick, -1)

    pending_val = {}
    # timed actions, applied after every row of an earlier-or-equal tick:
    # re-subscriptions first, then the min_ts sample of that tick
    actions = sorted([(t, 0, r) for t, r in resub]
                     + [(t, 1, -1) for t in range(min_ts_interval, horizon + 1, min_ts_interval)])
    ai = 0
    kind, res, keys = e["kind"], e["result"], e["key"]
    tso = 0

    def run_action(a):
        if a[1] == 0:
            rescan(a[2], a[0])
        else:
            sample(a[0], tso)

    for i in range(len(h)):
        tick_i = int(e["tick"][i])
        while ai < len(actions) and actions[ai][0] < tick_i:
            run_action(actions[ai])
            ai += 1
        tso = int(e["tso"][i])
        k = int(kind[i])
        ok = int(res[i]) == K.R_OK
        key = int(keys[i])
        r = int(h.key_region[key]) if key >= 0 else -1
        st, t2 = int(e["ts1"][i]), int(e["ts2"][i])
        if k == K.K_PREWRITE and ok:
            emit(r, M.OP_PREWRITE, key, st, 0, int(e["value"][i]), tick_i, i)
            pending_val[(key, st)] = int(e["value"][i])
            if untracked_txn is None or int(e["txn"][i]) != int(untracked_txn):
                tracked[r][(key, st)] = st
        elif (k == K.K_COMMIT or (k == K.K_RESOLVE_LOCK and t2 > 0)) and ok:
            emit(r, M.OP_COMMIT, key, st, t2, 0, tick_i, i)
            tracked[r].pop((key, st), None)
            applied[r].append((t2, key, st, int(e["value"][i])))
        elif (k in (K.K_ROLLBACK, K.K_RESOLVE_LOCK) and t2 == 0 and ok) or \
                (k == K.K_CHECK_TXN_STATUS and int(res[i]) in (K.R_TTL_EXPIRE, K.R_LOCK_NOT_EXIST)):
            emit(r, M.OP_ROLLBACK, key, st, 0, 0, tick_i, i)
            tracked[r].pop((key, st), None)
    while ai < len(actions):
        run_action(actions[ai])
        ai += 1
    ev = {c: np.asarray(v, dtype=np.int64) for c, v in out.items() if c != "arrive_tick"}
    delay = _region_delays(R, int(max_delay), int(seed))
    ev["arrive_tick"] = ev["apply_tick"] + delay[ev["region"]] if ev["region"].size else ev["apply_tick"]
    order = np.lexsort((ev["seq"], ev["region"], ev["arrive_tick"]))
    ev = {c: np.ascontiguousarray(v[order]) for c, v in ev.items()}
    return CdcStreams(ev, R, int(min_ts_interval),
                      faults={"untracked_txn": untracked_txn, "resubscribe": list(resubscribe),
                              "orphan_lock": orphan_lock, "region_delay": delay})


def merge(s: CdcStreams) -> CdcMerge:
    """The ordered merge of ``s`` (see :mod:`gmplab.cdc.merge`)."""
    if not isinstance(s, CdcStreams):
        raise ValueError(f"s must be CdcStreams, got {type(s).__name__}")
    ev = s.events
    c = lambda x: np.ascontiguousarray(x, dtype=np.int64)  # noqa: E731
    rows, markers, front = M.merge_kernel(c(ev["region"]), c(ev["op"]), c(ev["key"]),
                                          c(ev["start_ts"]), c(ev["commit_ts"]), c(ev["value"]),
                                          np.int64(s.regions))
    r = {name: np.ascontiguousarray(rows[:, j]) for j, name in
         enumerate(("commit_ts", "start_ts", "key", "value", "region", "input"))}
    mk = {name: np.ascontiguousarray(markers[:, j]) for j, name in
          enumerate(("resolved_ts", "rows_before", "input"))}
    pairs = np.sort(r["key"] * (1 << 40) + r["start_ts"])   # rows emitted more than once
    dup = int(np.count_nonzero(pairs[1:] == pairs[:-1]))
    return CdcMerge(r, mk, front, dup)
