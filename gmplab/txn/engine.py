"""``simulate``: validate a workload and parameters, lay out the arrays the kernel wants,
run it, and wrap the event log in a :class:`~gmplab.txn.history.TxnHistory`.

Keys map to regions by range (key * regions // n_keys), as TiKV regions are key ranges,
unless the workload carries an explicit map (scenarios). Parameters are ticks (ms):

==========================  ========  ==================================================
parameter                   default   source
==========================  ========  ==================================================
ttl                         3000      client-go 2pc.go: txnLockTTL (defaultLockTTL)
pessimistic_ttl             20000     client-go ManagedLockTTL
wait_for_lock_timeout       1000      tikv lock_manager/config.rs (waiter cap = edge TTL)
lock_wait_timeout           50000     TiDB innodb_lock_wait_timeout (0 = NOWAIT)
wake_up_delay               20        tikv lock_manager/config.rs: wake_up_delay_duration
latency / jitter            1 / 2     one RPC takes latency + rand % (jitter+1) ticks
max_retry                   256       TiDB pessimistic-txn.max-retry-count
backoff_base / backoff_cap  2 / 3000  client-go retry/config.go: BoTxnLockFast
resolve_at_end              True      GC resolve-locks pass after the last client ends
tso_per_tick                1         TSO values per tick (ts // tso_per_tick = physical)
commit_protocol             "2pc"     "2pc", "async" (async commit) or "1pc" (1PC when all
                                      mutations are in one region, else async commit):
                                      client-go 2pc.go checkAsyncCommit / checkOnePC
max_commit_ts_window        2000      async/1PC: max_commit_ts = start_ts + window ticks;
                                      a larger min_commit_ts falls back to 2PC (client-go
                                      config/client.go AsyncCommit.SafeWindow = 2 s)
==========================  ========  ==================================================

Example
-------
>>> from gmplab import txn
>>> h = txn.simulate(txn.workloads.bank(accounts=8, txns=10), regions=2, seed=1)
>>> h.check().ok
True
"""
from __future__ import annotations

import warnings

import numpy as np

from gmplab.txn import kernel as K
from gmplab.txn.history import TxnHistory
from gmplab.txn.workloads import Workload

__all__ = ["simulate", "DEFAULTS"]

DEFAULTS = {
    "ttl": 3000, "pessimistic_ttl": 20000, "wait_for_lock_timeout": 1000,
    "lock_wait_timeout": 50000, "wake_up_delay": 20, "latency": 1, "jitter": 2,
    "max_retry": 256, "backoff_base": 2, "backoff_cap": 3000, "resolve_at_end": True,
    "tso_per_tick": 1, "commit_protocol": "2pc", "max_commit_ts_window": 2000,
}
_MIN = {"ttl": 1, "pessimistic_ttl": 1, "wait_for_lock_timeout": 1, "lock_wait_timeout": 0,
        "wake_up_delay": 0, "latency": 1, "jitter": 0, "max_retry": 0, "backoff_base": 1,
        "backoff_cap": 1, "tso_per_tick": 1, "max_commit_ts_window": 0}


def _layout(w: Workload, key_region: np.ndarray):
    """Mutations (each txn's write keys sorted: client-go memdb order), the primary, and
    the regions each txn writes to — vectorised, CSR like the ops."""
    n = w.n_txns
    n_ops = int(w.op_start[-1])
    op_txn = np.repeat(np.arange(n, dtype=np.int64), np.diff(w.op_start))
    ops = np.flatnonzero(w.op_kind[:n_ops] != K.OP_GET).astype(np.int64)
    mt, mk = op_txn[ops], w.op_key[ops].astype(np.int64)
    order = np.lexsort((mk, mt))
    mut_op, mut_key, mut_txn = ops[order], mk[order], mt[order]
    mut_start = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(mut_txn, minlength=n), out=mut_start[1:])
    primary = np.full(n, -1, dtype=np.int64)
    has = mut_start[1:] > mut_start[:-1]
    # client-go 2pc.go: initKeysAndMutations — primary = first key in key order ...
    primary[has] = mut_key[mut_start[:-1][has]]
    # ... but a pessimistic txn keeps its first locked key (txn.go: LockKeys)
    if ops.size:
        first = np.full(n, -1, dtype=np.int64)
        first[mt[::-1]] = mk[::-1]               # last assignment wins: the first write op
        pess = has & (w.txn_mode == 1)
        primary[pess] = first[pess]
    regions = int(key_region.max(initial=0)) + 1
    pairs = np.unique(mut_txn * regions + key_region[mut_key]) if ops.size else np.zeros(0, np.int64)
    reg_id = (pairs % regions).astype(np.int64)
    reg_start = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(pairs // regions, minlength=n), out=reg_start[1:])
    c = np.ascontiguousarray
    return c(mut_start), c(mut_key), c(mut_op), c(reg_start), c(reg_id), c(primary)


def simulate(workload: Workload, regions: int = 1, seed: int = 0, **params) -> TxnHistory:
    """Run ``workload`` on ``regions`` regions; same seed, same history.

    >>> from gmplab.txn import workloads
    >>> h = simulate(workloads.scenario([("T1", "put", "x", 7), ("T1", "commit")]))
    >>> [h.kind_name(k) for k in range(len(h))]
    ['begin', 'prewrite', 'commit', 'finish']
    """
    if not isinstance(workload, Workload):
        raise ValueError(f"workload must be a gmplab.txn.workloads.Workload, got {type(workload).__name__}")
    if isinstance(regions, bool) or not isinstance(regions, (int, np.integer)) or regions < 1:
        raise ValueError(f"regions must be an integer >= 1, got {regions!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**63:
        raise ValueError(f"seed must be an integer in [0, 2**63), got {seed!r}")
    unknown = set(params) - set(DEFAULTS)
    if unknown:
        raise ValueError(f"unknown parameter(s) {sorted(unknown)}; allowed: {sorted(DEFAULTS)}")
    p = dict(DEFAULTS)
    p.update(workload.defaults)
    p.update(params)
    for name, lo in _MIN.items():
        v = p[name]
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < lo:
            raise ValueError(f"{name} must be an integer >= {lo}, got {v!r}")
    if p["commit_protocol"] not in K.PROTOCOLS:
        raise ValueError(f"commit_protocol must be one of {list(K.PROTOCOLS)}, "
                         f"got {p['commit_protocol']!r}")
    if not isinstance(p["resolve_at_end"], (bool, np.bool_, int)):
        raise ValueError(f"resolve_at_end must be a bool, got {p['resolve_at_end']!r}")
    n_keys = workload.n_keys
    if workload.key_region is not None:
        key_region = np.asarray(workload.key_region, dtype=np.int64)
        if key_region.max(initial=0) >= regions:
            raise ValueError(f"regions={regions} but the workload maps a key to region "
                             f"{int(key_region.max())}")
    else:
        key_region = (np.arange(n_keys, dtype=np.int64) * regions) // n_keys
    mut_start, mut_key, mut_op, reg_start, reg_id, primary = _layout(workload, key_region)
    n_ops = int(workload.op_start[-1])
    cap = 64 + 4 * n_ops + 6 * workload.n_txns      # grown x4 and re-run on overflow
    c = lambda x: np.ascontiguousarray(x, dtype=np.int64)  # noqa: E731
    while True:
        vec = np.array([p["ttl"], p["pessimistic_ttl"], p["wait_for_lock_timeout"],
                        p["lock_wait_timeout"], p["wake_up_delay"], p["latency"], p["jitter"],
                        p["max_retry"], p["backoff_base"], p["backoff_cap"],
                        int(bool(p["resolve_at_end"])), p["tso_per_tick"], int(seed), cap,
                        K.PROTOCOLS.index(p["commit_protocol"]), p["max_commit_ts_window"]],
                       dtype=np.int64)
        with warnings.catch_warnings():
            # uint64 wrap-around is the RNG's arithmetic (only NumPy scalars warn, without JIT)
            warnings.simplefilter("ignore", RuntimeWarning)
            ev, g, lk, wr, key_head = K.simulate_kernel(
                c(workload.txn_arrival), c(workload.txn_mode), c(workload.txn_fault),
                c(workload.txn_commit_tick), c(primary), c(workload.op_start),
                c(workload.op_kind), c(workload.op_key), c(workload.op_delta),
                c(workload.op_tick), c(mut_start), mut_key, mut_op, c(reg_start), reg_id,
                c(key_region), c(workload.key_init), vec,
                *K.buffers(workload.n_txns, n_keys, cap))
        if g[K.G_OVERFLOW] == 0:
            break
        cap *= 4
    return TxnHistory(ev, workload=workload, key_region=key_region, regions=int(regions),
                      params=p, seed=int(seed), primary=primary, final_locks=lk,
                      final_writes=wr)
