"""``TxnHistory``: the kernel's event log plus replay.

The log is a dict of equal-length NumPy arrays (``h.events``), one row per state change;
``COLUMNS`` in :mod:`gmplab.txn.kernel` lists them. Meaning of the shared columns:

``txn``     the actor (client txn; -1 = the GC resolve-locks pass)
``other``   the other txn involved: owner of the lock/record touched, holder waited for
``ts1``     start_ts of the lock/record touched (the actor's own for its own rows)
``ts2``     commit_ts (commit, resolve_lock), for_update_ts (locks), read_ts (get),
            caller_start_ts (check_txn_status)
``ts3``     min_commit_ts (prewrite, lock), commit_ts of the version read (get),
            current_ts / new min_commit_ts (check_txn_status)
``flag``    primary batch (commit, one_pc_commit), protected (rollback), is_first_lock
            (wait_for), read past a lock (get), refreshed edge (detect); prewrite: bit 0
            primary, bit 1 async-commit lock; finish: 1 async commit / 2 1PC acknowledged
            (ts2 = commit_ts); client_crash: 1 = after the async/1PC commit point;
            check_txn_status: 2 = async-commit lock reported as it is;
            check_secondary_locks: 1 = a rollback record was written

Async commit and 1PC (``commit_protocol``): ``one_pc_commit`` rows are commit records
written by the prewrite itself (ts2 = commit_ts); ``check_secondary_locks`` rows are one per
secondary key a resolver checked (ts3 = the lock's min_commit_ts or the commit_ts found).

``state_at(k)`` replays rows ``0..k`` (inclusive) into a :class:`TxnState`; replay moves
forward from the last state it built, and keeps a checkpoint every 4096 rows, so stepping
either way costs at most a few thousand rows (plus copying the state, which grows with the
number of write records: fine for chapter-sized histories, not for million-row ones — the
checkers therefore work on the event arrays directly).

Example
-------
>>> from gmplab import txn
>>> h = txn.simulate(txn.workloads.scenario([("T1", "put", "x", 7), ("T1", "commit")]))
>>> print(h.describe(2))
#2 t=11 T1 commit x@11 (start_ts 1); the primary's write record makes T1 committed — tikv actions/commit.rs: commit
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np

from gmplab.txn import kernel as K

__all__ = ["TxnHistory", "TxnState", "LockInfo", "WriteRecord"]

_SOURCES = {
    "begin": "client-go txn.go: Begin",
    "get": "tikv point_getter.rs: get",
    "acquire_pessimistic_lock": "tikv actions/acquire_pessimistic_lock.rs",
    "wait_for": "tikv lock_manager: LockManager::wait_for",
    "detect": "tikv deadlock.rs: DetectTable::detect",
    "deadlock": "tikv waiter_manager.rs: cancel_for_deadlock",
    "wake_up": "tikv lock_waiting_queue.rs: pop_for_waking_up",
    "wait_timeout": "tikv waiter_manager.rs: wait timeout",
    "clean_up_wait_for": "tikv deadlock.rs: DetectTable::clean_up_wait_for",
    "expire_wait_for": "tikv deadlock.rs: do_detect drops an expired edge",
    "prewrite": "tikv actions/prewrite.rs: prewrite",
    "commit": "tikv actions/commit.rs: commit",
    "rollback": "tikv actions/cleanup.rs: cleanup",
    "pessimistic_rollback": "tikv commands/pessimistic_rollback.rs",
    "check_txn_status": "tikv actions/check_txn_status.rs (client-go lock_resolver.go: getTxnStatus)",
    "resolve_lock": "tikv commands/resolve_lock.rs (client-go lock_resolver.go: resolveLocks)",
    "lose_pessimistic_lock": "in-memory pessimistic lock lost on a leader change",
    "client_crash": "the client process dies",
    "finish": "client-go txn.go: Commit / Rollback returns",
    "check_secondary_locks": "tikv commands/check_secondary_locks.rs (client-go lock_resolver.go: "
                             "resolveAsyncCommitLock)",
    "one_pc_commit": "tikv commands/prewrite.rs: handle_1pc_locks",
}

#: kinds a view jumps between ("next conflict", "next deadlock", ...)
CONFLICT_KINDS = ("get", "prewrite", "acquire_pessimistic_lock", "commit")
JUMPS = {
    "conflict": "rows whose result is an error (key_is_locked, write_conflict, ...)",
    "deadlock": "detect rows that found a cycle",
    "resolve": "check_txn_status and resolve_lock rows",
    "wait": "wait_for, wake_up, wait_timeout rows",
}


@dataclass(frozen=True)
class LockInfo:
    owner: int
    start_ts: int
    primary: int
    ttl: int
    lock_type: str
    for_update_ts: int
    min_commit_ts: int
    value: int


@dataclass(frozen=True)
class WriteRecord:
    ts: int            # commit_ts, or start_ts for a rollback
    start_ts: int
    write_type: str
    value: int
    txn: int
    protected: bool


@dataclass
class TxnState:
    """Everything at one step: locks per key, write records per key (newest first), wait
    queues per key (smallest start_ts first), detector edges, txn statuses, the TSO."""
    step: int
    tick: int
    tso: int
    locks: dict = field(default_factory=dict)          # key -> LockInfo
    writes: dict = field(default_factory=dict)         # key -> [WriteRecord] newest first
    wait_queues: dict = field(default_factory=dict)    # key -> [txn] by start_ts
    edges: dict = field(default_factory=dict)          # waiter -> (holder, key_hash, tick)
    status: np.ndarray = None                          # per txn, index into STATUSES
    start_ts: np.ndarray = None
    key_names: list = field(default_factory=list)
    txn_names: list = field(default_factory=list)

    def status_name(self, t: int) -> str:
        return K.STATUSES[int(self.status[t])]

    def _k(self, k):
        return self.key_names[k] if k < len(self.key_names) else f"k{k}"

    def _t(self, t):
        if t < 0:
            return "GC"
        return self.txn_names[t] if t < len(self.txn_names) else f"T{t}"

    def __str__(self) -> str:
        lines = [f"step {self.step}  tick {self.tick}  TSO {self.tso}"]
        lines.append("locks:" + ("" if self.locks else " none"))
        for k in sorted(self.locks):
            lk = self.locks[k]
            lines.append(f"  {self._k(k)}: {lk.lock_type} by {self._t(lk.owner)} start_ts={lk.start_ts} "
                         f"primary={self._k(lk.primary)} ttl={lk.ttl} for_update_ts={lk.for_update_ts} "
                         f"min_commit_ts={lk.min_commit_ts}")
        lines.append("writes:" + ("" if self.writes else " none"))
        for k in sorted(self.writes):
            recs = ", ".join(f"{r.write_type}@{r.ts}(start {r.start_ts}"
                             + (f", value {r.value}" if r.write_type == "put" else "")
                             + (", protected" if r.protected else "") + ")" for r in self.writes[k])
            lines.append(f"  {self._k(k)}: {recs}")
        if self.wait_queues:
            lines.append("wait queues:")
            for k in sorted(self.wait_queues):
                lines.append(f"  {self._k(k)}: " + ", ".join(self._t(t) for t in self.wait_queues[k]))
        if self.edges:
            lines.append("detector edges: " + ", ".join(
                f"{self._t(w)}->{self._t(h)}" for w, (h, _, _) in sorted(self.edges.items())))
        lines.append("txns: " + ", ".join(f"{self._t(t)}={self.status_name(t)}"
                                          for t in range(len(self.status))))
        return "\n".join(lines)


class TxnHistory:
    """The event log of one ``simulate`` run, with replay, summaries and checks."""

    def __init__(self, ev, *, workload, key_region, regions, params, seed, primary,
                 final_locks=None, final_writes=None):
        # ev is (len(COLUMNS), n): row i of it is the contiguous array of column i
        self.events = {name: np.ascontiguousarray(ev[i]) for i, name in enumerate(K.COLUMNS)}
        self.events["step"] = np.arange(ev.shape[1], dtype=np.int64)
        self.workload = workload
        self.key_region = key_region
        self.regions = regions
        self.params = params
        self.seed = seed
        self.primary = primary
        self.final_locks = final_locks
        self.final_writes = final_writes
        self._cache = None
        self._checkpoints = {}

    # ---- basics -------------------------------------------------------------------------
    def __len__(self) -> int:
        return int(self.events["tick"].shape[0])

    @property
    def n_keys(self) -> int:
        return self.workload.n_keys

    @property
    def n_txns(self) -> int:
        return self.workload.n_txns

    def kind_name(self, k: int) -> str:
        return K.EVENT_KINDS[int(self.events["kind"][k])]

    def result_name(self, k: int) -> str:
        return K.RESULTS[int(self.events["result"][k])]

    def kind_code(self, name: str) -> int:
        if name not in K.EVENT_KINDS:
            raise ValueError(f"unknown event kind {name!r}; allowed: {K.EVENT_KINDS}")
        return K.EVENT_KINDS.index(name)

    def where(self, kind: str, result: str | None = None) -> np.ndarray:
        """Steps of the given kind (and result)."""
        m = self.events["kind"] == self.kind_code(kind)
        if result is not None:
            if result not in K.RESULTS:
                raise ValueError(f"unknown result {result!r}; allowed: {K.RESULTS}")
            m &= self.events["result"] == K.RESULTS.index(result)
        return np.flatnonzero(m)

    def jump_mask(self, what: str) -> np.ndarray:
        """Boolean mask of rows for the views' "jump to next ..." buttons (see ``JUMPS``)."""
        e = self.events
        kind, res = e["kind"], e["result"]
        if what == "conflict":
            errors = (K.R_KEY_IS_LOCKED, K.R_WRITE_CONFLICT, K.R_PESSIMISTIC_LOCK_NOT_FOUND,
                      K.R_SELF_ROLLED_BACK, K.R_COMMIT_TS_EXPIRED, K.R_TXN_LOCK_NOT_FOUND)
            return np.isin(kind, [K.K_GET, K.K_PREWRITE, K.K_ACQUIRE, K.K_COMMIT]) & np.isin(res, errors)
        if what == "deadlock":
            return (kind == K.K_DETECT) & (res == K.R_DEADLOCK)
        if what == "resolve":
            return np.isin(kind, [K.K_CHECK_TXN_STATUS, K.K_RESOLVE_LOCK, K.K_CHECK_SECONDARY_LOCKS])
        if what == "wait":
            return np.isin(kind, [K.K_WAIT_FOR, K.K_WAKE_UP, K.K_WAIT_TIMEOUT])
        raise ValueError(f"what must be one of {sorted(JUMPS)}, got {what!r}")

    def next_event(self, k: int, kinds) -> int:
        """First step > k whose kind is in ``kinds`` (names, or a JUMPS name such as
        "conflict" / "deadlock"); -1 if none."""
        if isinstance(kinds, str):
            kinds = [kinds]
        mask = np.zeros(len(self), dtype=bool)
        for name in kinds:
            if name in JUMPS:
                mask |= self.jump_mask(name)
            else:
                mask |= self.events["kind"] == self.kind_code(name)
        hits = np.flatnonzero(mask[k + 1:])
        return int(k + 1 + hits[0]) if hits.size else -1

    def prev_event(self, k: int, kinds) -> int:
        if isinstance(kinds, str):
            kinds = [kinds]
        mask = np.zeros(len(self), dtype=bool)
        for name in kinds:
            mask |= self.jump_mask(name) if name in JUMPS else self.events["kind"] == self.kind_code(name)
        hits = np.flatnonzero(mask[:max(k, 0)])
        return int(hits[-1]) if hits.size else -1

    # ---- captions -------------------------------------------------------------------------
    def _t(self, t):
        return "GC" if t < 0 else self.workload.txn_name(int(t))

    def _k(self, k):
        return self.workload.key_name(int(k))

    def describe(self, k: int) -> str:
        """One sentence about row k naming the TiKV / client-go function it models."""
        if not 0 <= k < len(self):
            raise ValueError(f"k must be in [0, {len(self)}), got {k}")
        e = {c: int(v[k]) for c, v in self.events.items()}
        kind, res = self.kind_name(k), self.result_name(k)
        who, key, other = self._t(e["txn"]), self._k(e["key"]), self._t(e["other"])
        src = _SOURCES[kind]
        head = f"#{k} t={e['tick']} {who}"
        if kind == "begin":
            what = f"begins with start_ts {e['ts1']}"
        elif kind == "get":
            if res == "ok":
                what = (f"reads {key} at ts {e['ts2']}: value {e['value']} (version committed at "
                        f"{e['ts3']}{', read past a pushed lock' if e['flag'] else ''})")
            else:
                what = f"reads {key} at ts {e['ts2']} and meets {other}'s lock: KeyIsLocked"
        elif kind == "acquire_pessimistic_lock":
            what = f"locks {key} at for_update_ts {e['ts2']}: {res}" + (
                f" (held by {other})" if res == "key_is_locked" else "")
        elif kind == "wait_for":
            what = (f"waits for {other} on {key} (timeout {e['ttl']}"
                    f"{', first lock: no detection' if e['flag'] else ''})")
        elif kind == "detect":
            what = (f"-> {other} closes a cycle: {who} is the deadlock victim (chain of {e['value']})"
                    if res == "deadlock" else f"adds the edge {who} -> {other} (no cycle)")
        elif kind == "deadlock":
            what = f"is cancelled with a Deadlock error waiting for {other} on {key}"
        elif kind == "wake_up":
            what = f"is woken on {key} after {other} released it: WriteConflict, retry the statement"
        elif kind == "wait_timeout":
            what = f"stops waiting for {other} on {key}: KeyIsLocked"
        elif kind in ("clean_up_wait_for", "expire_wait_for"):
            what = f"edge {who} -> {other} removed"
        elif kind == "one_pc_commit":
            what = f"commits {key}={e['value']} by 1PC at {e['ts2']} (start_ts {e['ts1']}), no lock"
        elif kind == "check_secondary_locks":
            what = f"checks {other}'s secondary {key}: " + {
                "ok": f"locked, min_commit_ts {e['ts3']}", "committed": f"committed at {e['ts3']}",
                "lock_not_exist": "no lock: protected rollback written",
                "pessimistic_lock_rolled_back": "only a pessimistic lock: rolled back",
            }.get(res, res)
        elif kind == "prewrite":
            what = (f"prewrites {key}={e['value']} (primary {self._k(e['primary'])}, min_commit_ts {e['ts3']}"
                    f"{', async commit' if e['flag'] & 2 else ''})"
                    if res == "ok" else f"prewrite of {key} fails: {res}"
                    + (f" (newer record at {e['ts3']})" if e["ts3"] else ""))
        elif kind == "commit":
            if res == "ok":
                what = f"commit {key}@{e['ts2']} (start_ts {e['ts1']})"
                if e["flag"]:
                    what += f"; the primary's write record makes {who} committed"
            else:
                what = f"commit of {key}@{e['ts2']} fails: {res}"
        elif kind in ("rollback", "resolve_lock", "pessimistic_rollback"):
            if kind == "resolve_lock" and e["ts2"]:
                what = f"rolls {other}'s lock on {key} forward: commit at {e['ts2']}"
            elif kind == "pessimistic_rollback":
                what = f"releases {other}'s pessimistic lock on {key}"
            else:
                what = (f"rolls back {other}'s {key} (start_ts {e['ts1']})"
                        + (", protected rollback record" if e["flag"] else ""))
        elif kind == "check_txn_status":
            what = f"checks {other}'s primary {key}: {res}"
            if res == "committed":
                what += f" at {e['ts3']}"
            elif res == "min_commit_ts_pushed":
                what += f" to {e['ts3']}"
        elif kind == "lose_pessimistic_lock":
            what = f"loses its pessimistic lock on {key}"
        elif kind == "client_crash":
            what = f"crashes ({res})" + (f" after its commit point (commit_ts {e['ts2']})"
                                         if e["flag"] else "")
        else:
            what = "commits" if res == "ok" else f"aborts: {res}"
            if e["flag"]:
                what += f" ({'async commit' if e['flag'] == 1 else '1PC'}, commit_ts {e['ts2']})"
        return f"{head} {what} — {src}"

    # ---- replay ------------------------------------------------------------------------------
    def _empty_state(self) -> TxnState:
        return TxnState(step=-1, tick=0, tso=0, status=np.zeros(self.n_txns, dtype=np.int8),
                        start_ts=np.zeros(self.n_txns, dtype=np.int64),
                        key_names=list(self.workload.key_names),
                        txn_names=list(self.workload.txn_names))

    def _apply(self, s: TxnState, k: int) -> None:
        e = self.events
        kind, res = int(e["kind"][k]), int(e["result"][k])
        t, key, other = int(e["txn"][k]), int(e["key"][k]), int(e["other"][k])
        ts1, ts2, ts3 = int(e["ts1"][k]), int(e["ts2"][k]), int(e["ts3"][k])
        s.step, s.tick, s.tso = k, int(e["tick"][k]), int(e["tso"][k])
        ok = res == K.R_OK

        def put_record(ts, start, wtype, value, txn, prot):
            recs = s.writes.setdefault(key, [])
            recs.append(WriteRecord(ts, start, K.WRITE_TYPES[wtype], value, txn, bool(prot)))
            recs.sort(key=lambda r: -r.ts)

        if kind == K.K_BEGIN:
            s.status[t] = K.S_ACTIVE
            s.start_ts[t] = ts1
        elif kind in (K.K_ACQUIRE, K.K_PREWRITE) and ok:
            s.locks[key] = LockInfo(t, ts1, int(e["primary"][k]), int(e["ttl"][k]),
                                    K.LOCK_TYPES[int(e["lock_type"][k])], ts2, ts3,
                                    int(e["value"][k]))
        elif kind == K.K_COMMIT or (kind == K.K_RESOLVE_LOCK and ts2 > 0):
            if ok:
                put_record(ts2, ts1, K.WT_PUT, int(e["value"][k]), other, 0)
                s.locks.pop(key, None)
                if e["flag"][k] and kind == K.K_COMMIT:
                    s.status[t] = K.S_COMMITTED
        elif kind == K.K_ONE_PC_COMMIT:
            put_record(ts2, ts1, K.WT_PUT, int(e["value"][k]), other, 0)
            lk = s.locks.get(key)
            if lk is not None and lk.start_ts == ts1:
                del s.locks[key]                    # a pessimistic lock committed by 1PC
            if e["flag"][k]:
                s.status[t] = K.S_COMMITTED
        elif kind == K.K_CHECK_SECONDARY_LOCKS:
            if res in (K.R_LOCK_NOT_EXIST, K.R_PESSIMISTIC_LOCK_ROLLED_BACK):
                put_record(ts1, ts1, K.WT_ROLLBACK, 0, other, e["flag"][k] and res == K.R_LOCK_NOT_EXIST)
                lk = s.locks.get(key)
                if lk is not None and lk.start_ts == ts1:
                    del s.locks[key]
        elif kind in (K.K_ROLLBACK, K.K_RESOLVE_LOCK):
            put_record(ts1, ts1, K.WT_ROLLBACK, 0, other, e["flag"][k])
            lk = s.locks.get(key)
            if lk is not None and lk.start_ts == ts1:
                del s.locks[key]
        elif kind in (K.K_PESSIMISTIC_ROLLBACK, K.K_LOSE_PESSIMISTIC_LOCK):
            lk = s.locks.get(key)
            if lk is not None and lk.start_ts == ts1:
                del s.locks[key]
        elif kind == K.K_CHECK_TXN_STATUS:
            if res == K.R_TTL_EXPIRE:
                put_record(ts1, ts1, K.WT_ROLLBACK, 0, other, 1)
                s.locks.pop(key, None)
            elif res == K.R_LOCK_NOT_EXIST:
                put_record(ts1, ts1, K.WT_ROLLBACK, 0, other, 1)
            elif res == K.R_MIN_COMMIT_TS_PUSHED:
                lk = s.locks[key]
                s.locks[key] = LockInfo(lk.owner, lk.start_ts, lk.primary, lk.ttl, lk.lock_type,
                                        lk.for_update_ts, ts3, lk.value)
        elif kind == K.K_WAIT_FOR:
            q = s.wait_queues.setdefault(key, [])
            q.append(t)
            q.sort(key=lambda x: s.start_ts[x])
            s.status[t] = K.S_WAITING
        elif kind in (K.K_DEADLOCK, K.K_WAKE_UP, K.K_WAIT_TIMEOUT):
            q = s.wait_queues.get(key, [])
            if t in q:
                q.remove(t)
            if not q:
                s.wait_queues.pop(key, None)
            s.status[t] = K.S_ACTIVE
        elif kind == K.K_DETECT and ok:
            s.edges[t] = (other, int(e["hash"][k]), int(e["tick"][k]))
        elif kind in (K.K_CLEAN_UP_WAIT_FOR, K.K_EXPIRE_WAIT_FOR):
            s.edges.pop(t, None)
        elif kind == K.K_CLIENT_CRASH:
            s.status[t] = K.S_CRASHED
        elif kind == K.K_FINISH:
            s.status[t] = K.S_COMMITTED if ok else K.S_ABORTED

    def state_at(self, k: int) -> TxnState:
        """The state after row k (k = -1: before anything happened)."""
        if not -1 <= k < len(self):
            raise ValueError(f"k must be in [-1, {len(self)}), got {k}")
        base = self._cache
        if base is None or base.step > k:
            cps = [c for c in self._checkpoints if c <= k]
            base = copy.deepcopy(self._checkpoints[max(cps)]) if cps else self._empty_state()
        else:
            base = copy.deepcopy(base)
        for i in range(base.step + 1, k + 1):
            self._apply(base, i)
            if i % 4096 == 4095 and i not in self._checkpoints:
                self._checkpoints[i] = copy.deepcopy(base)
        self._cache = base
        return copy.deepcopy(base)

    def final_state(self) -> TxnState:
        return self.state_at(len(self) - 1)

    def wait_for_graph(self, k: int):
        """The detector's table after row k as a ``networkx.DiGraph``: nodes = txns (attr
        ``status``, ``name``), edges waiter -> holder (attrs ``key``, ``key_hash``)."""
        import networkx as nx
        s = self.state_at(k)
        gph = nx.DiGraph()
        for t in range(self.n_txns):
            gph.add_node(t, status=s.status_name(t), name=self._t(t))
        key_of_hash = {int(K.key_hash(np.int64(x))): x for x in range(self.n_keys)}
        for w, (h, hsh, tick) in s.edges.items():
            gph.add_edge(w, h, key=key_of_hash.get(hsh, -1), key_hash=hsh, since=tick)
        return gph

    # ---- summaries and checks ---------------------------------------------------------------
    def summary(self) -> dict:
        """Commits, aborts by reason, retries, deadlocks, crashes, latency in ticks.

        ``committed`` counts txns whose primary commit succeeded (including clients that
        crashed right after it; async commit / 1PC: all prewrites succeeded, crash or not); ``retries`` = legacy wake-ups + WriteConflict statement
        retries + CommitTsExpired retries; latency is begin -> finish of committed txns."""
        e = self.events
        fin = e["kind"] == K.K_FINISH
        ok = fin & (e["result"] == K.R_OK)
        aborts = {}
        for r in np.unique(e["result"][fin & ~ok]):
            aborts[K.RESULTS[int(r)]] = int(np.sum(fin & (e["result"] == r)))
        begin_tick = np.full(self.n_txns, -1, dtype=np.int64)
        b = np.flatnonzero(e["kind"] == K.K_BEGIN)
        begin_tick[e["txn"][b]] = e["tick"][b]
        lat = e["tick"][ok] - begin_tick[e["txn"][ok]]
        crashed = e["kind"] == K.K_CLIENT_CRASH
        return {
            "txns": self.n_txns,
            "committed": int(ok.sum()) + int(np.sum(crashed & ((e["result"] == K.R_CRASH_AFTER_PRIMARY)
                                                              | (e["flag"] == 1)))),
            "aborted": int((fin & ~ok).sum()),
            "aborts_by_reason": aborts,
            "crashed": int(crashed.sum()),
            "retries": int(np.sum(e["kind"] == K.K_WAKE_UP) + np.sum(
                (e["kind"] == K.K_ACQUIRE) & (e["result"] == K.R_WRITE_CONFLICT)) + np.sum(
                (e["kind"] == K.K_COMMIT) & (e["result"] == K.R_COMMIT_TS_EXPIRED))),
            "deadlocks": int(np.sum((e["kind"] == K.K_DETECT) & (e["result"] == K.R_DEADLOCK))),
            "lock_waits": int(np.sum(e["kind"] == K.K_WAIT_FOR)),
            "resolved_locks": int(np.sum(e["kind"] == K.K_RESOLVE_LOCK)),
            "latency_mean": float(lat.mean()) if lat.size else 0.0,
            "latency_p99": float(np.percentile(lat, 99)) if lat.size else 0.0,
            "ticks": int(e["tick"][-1]) if len(self) else 0,
            "events": len(self),
        }

    def check(self):
        """Run every history checker; see :mod:`gmplab.txn.checks`."""
        from gmplab.txn.checks import check_history
        return check_history(self)

    def __repr__(self) -> str:
        return (f"TxnHistory({len(self)} events, {self.n_txns} txns, {self.n_keys} keys, "
                f"{self.regions} regions, seed={self.seed})")
