"""History checkers: invariants from pingcap/tla-plus (Percolator.tla, DistributedTransaction.tla)
and the lock manager, judged on the event log alone.

=========================  ====================================================================
check                      rule
=========================  ====================================================================
write_consistency          per key, committed records: start_ts < commit_ts, commit_ts strictly
                           increasing (Percolator.tla WriteConsistency)
no_overlap                 committed writers of a key never overlap: commit[n] < start[n+1]
                           (for_update_ts[n+1] for pessimistic writers)
                           (first committer wins); commit[n] <= start[n+1] when commit[n] was
                           computed by TiKV (async commit / 1PC: not unique, may equal a
                           later start_ts — the reason for tikv's overlapped rollback)
atomicity                  once all locks are resolved: every txn is committed on all its keys
                           at one commit_ts, or on none; never commit + rollback of one start_ts
acknowledged_commits       a txn whose primary commit succeeded (async commit / 1PC: whose
                           acknowledgement or 1PC write happened) is committed on every key
read_validity              every read returns the newest commit <= its read ts in the final
                           history (snapshot isolation)
detector_acyclic           the detector's table has no cycle after any step
waiters_end                every wait_for ends by wake_up, wait_timeout or deadlock
bank_total                 the sum of final balances equals the initial sum
=========================  ====================================================================

The two step-by-step checks run in Numba (``_detector_cycles``, ``_open_waits``); the rest are
vectorised NumPy over the commit / read rows.

Example
-------
>>> from gmplab import txn
>>> report = txn.simulate(txn.workloads.bank(txns=30, mode="pessimistic"), regions=3).check()
>>> report.ok
True
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numba import njit

from gmplab.txn import kernel as K

__all__ = ["check_history", "CheckReport", "Violation", "CHECKS"]

CHECKS = ("write_consistency", "no_overlap", "atomicity", "acknowledged_commits",
          "read_validity", "detector_acyclic", "waiters_end", "bank_total")


@dataclass
class Violation:
    check: str
    message: str
    steps: tuple = ()

    def __str__(self) -> str:
        where = f" (steps {', '.join(map(str, self.steps))})" if self.steps else ""
        return f"[{self.check}] {self.message}{where}"


@dataclass
class CheckReport:
    violations: list = field(default_factory=list)
    checked: dict = field(default_factory=dict)     # check -> how many items it looked at
    skipped: dict = field(default_factory=dict)     # check -> why

    @property
    def ok(self) -> bool:
        return not self.violations

    def by_check(self, name: str) -> list:
        return [v for v in self.violations if v.check == name]

    def __str__(self) -> str:
        head = "all checks pass" if self.ok else f"{len(self.violations)} violation(s)"
        lines = [head]
        for name in CHECKS:
            if name in self.skipped:
                lines.append(f"  {name:<22s} skipped: {self.skipped[name]}")
            elif name in self.checked:
                n = len(self.by_check(name))
                lines.append(f"  {name:<22s} {'ok' if n == 0 else f'{n} violation(s)'} "
                             f"({self.checked[name]} checked)")
        for v in self.violations[:50]:
            lines.append("  " + str(v))
        if len(self.violations) > 50:
            lines.append(f"  ... {len(self.violations) - 50} more")
        return "\n".join(lines)


@njit(cache=True)
def _detector_cycles(kind, txn, other, result, n_txn):
    """Replay the detector's edges (each txn has at most one out-edge) and return the steps
    after which the table holds a cycle."""
    to = np.full(n_txn, -1, dtype=np.int64)
    bad = np.zeros(kind.shape[0], dtype=np.int64)
    nbad = 0
    for i in range(kind.shape[0]):
        k = kind[i]
        if k == K.K_DETECT and result[i] == K.R_OK:
            w = txn[i]
            to[w] = other[i]
            v = other[i]
            steps = 0
            while v >= 0 and steps <= n_txn:
                if v == w:
                    bad[nbad] = i
                    nbad += 1
                    break
                v = to[v]
                steps += 1
        elif k == K.K_CLEAN_UP_WAIT_FOR or k == K.K_EXPIRE_WAIT_FOR:
            to[txn[i]] = -1
    return bad[:nbad]


@njit(cache=True)
def _open_waits(kind, txn, n_txn):
    """Steps of wait_for rows never ended by wake_up / wait_timeout / deadlock, plus ends
    without a wait (returned negated-minus-one)."""
    open_at = np.full(n_txn, -1, dtype=np.int64)
    out = np.zeros(kind.shape[0] + n_txn, dtype=np.int64)
    n = 0
    for i in range(kind.shape[0]):
        k = kind[i]
        t = txn[i]
        if k == K.K_WAIT_FOR:
            if open_at[t] >= 0:
                out[n] = open_at[t]
                n += 1
            open_at[t] = i
        elif k == K.K_WAKE_UP or k == K.K_WAIT_TIMEOUT or k == K.K_DEADLOCK:
            if open_at[t] < 0:
                out[n] = -1 - i
                n += 1
            open_at[t] = -1
    for t in range(n_txn):
        if open_at[t] >= 0:
            out[n] = open_at[t]
            n += 1
    return out[:n]


@njit(cache=True)
def _final_locks(kind, key, result, ts1, ts2, n_keys):
    """The lock slot of every key after the last row (start_ts of the lock, -1 = none),
    replayed with the same rules as TxnHistory.state_at."""
    lk = np.full(n_keys, -1, dtype=np.int64)
    for i in range(kind.shape[0]):
        k = kind[i]
        ok = result[i] == K.R_OK
        if (k == K.K_ACQUIRE or k == K.K_PREWRITE) and ok:
            lk[key[i]] = ts1[i]
        elif (k == K.K_COMMIT or (k == K.K_RESOLVE_LOCK and ts2[i] > 0)) and ok:
            lk[key[i]] = -1
        elif k == K.K_ONE_PC_COMMIT or (k == K.K_CHECK_SECONDARY_LOCKS and (
                result[i] == K.R_LOCK_NOT_EXIST or result[i] == K.R_PESSIMISTIC_LOCK_ROLLED_BACK)):
            if lk[key[i]] == ts1[i]:
                lk[key[i]] = -1
        elif k == K.K_ROLLBACK or k == K.K_RESOLVE_LOCK or k == K.K_PESSIMISTIC_ROLLBACK \
                or k == K.K_LOSE_PESSIMISTIC_LOCK:
            if lk[key[i]] == ts1[i]:
                lk[key[i]] = -1
        elif k == K.K_CHECK_TXN_STATUS and result[i] == K.R_TTL_EXPIRE:
            lk[key[i]] = -1
    return lk


def warmup() -> None:
    z = np.zeros(2, dtype=np.int64)
    _final_locks(z, z, z, z, z, np.int64(2))
    _detector_cycles(z, z, z, z, np.int64(2))
    _open_waits(z, z, np.int64(2))


def _committed_rows(e):
    m = ((e["kind"] == K.K_COMMIT) | ((e["kind"] == K.K_RESOLVE_LOCK) & (e["ts2"] > 0))
         | (e["kind"] == K.K_ONE_PC_COMMIT)) & (e["result"] == K.R_OK)
    return np.flatnonzero(m)


def check_history(h) -> CheckReport:
    e = h.events
    rep = CheckReport()
    V = rep.violations
    name_t, name_k = h._t, h._k

    # ---- committed records per key --------------------------------------------------------
    rows = _committed_rows(e)
    key, start, commit, owner = e["key"][rows], e["ts1"][rows], e["ts2"][rows], e["other"][rows]
    # a pessimistic writer is isolated from its lock's for_update_ts on (ts3), not start_ts:
    # DistributedTransaction.tla checks pessimistic reads/writes against for_update_ts
    lower = np.maximum(start, e["ts3"][rows])
    order = np.lexsort((commit, key))
    rows, key, start, commit, owner, lower = (rows[order], key[order], start[order], commit[order],
                                              owner[order], lower[order])
    rep.checked["write_consistency"] = int(rows.size)
    for i in np.flatnonzero(start >= commit):
        V.append(Violation("write_consistency", f"{name_k(key[i])}: start_ts {start[i]} >= "
                           f"commit_ts {commit[i]}", (int(rows[i]),)))
    same = key[1:] == key[:-1]
    for i in np.flatnonzero(same & (commit[1:] == commit[:-1])):
        V.append(Violation("write_consistency", f"{name_k(key[i])}: two records at commit_ts "
                           f"{commit[i]}", (int(rows[i]), int(rows[i + 1]))))
    rep.checked["no_overlap"] = int(same.sum())
    # commit_ts computed by TiKV (async-commit locks, 1PC writes) may equal a later start_ts
    computed = np.zeros(max(h.n_txns, 1), dtype=bool)
    ac = ((e["kind"] == K.K_PREWRITE) & (e["result"] == K.R_OK) & ((e["flag"] & 2) != 0)) \
        | (e["kind"] == K.K_ONE_PC_COMMIT)
    computed[e["txn"][ac]] = True
    strict = ~computed[owner[:-1]] if owner.size else np.zeros(0, dtype=bool)
    for i in np.flatnonzero(same & ((lower[1:] < commit[:-1])
                                    | ((lower[1:] == commit[:-1]) & strict))):
        V.append(Violation("no_overlap", f"{name_k(key[i])}: {name_t(owner[i])} [{lower[i]}, "
                           f"{commit[i]}] and {name_t(owner[i + 1])} [{lower[i + 1]}, {commit[i + 1]}] "
                           "overlap", (int(rows[i]), int(rows[i + 1]))))

    # ---- atomicity and acknowledged commits (on the final records) --------------------------
    w = h.workload
    SHIFT = 1 << 40
    put_id = key * SHIFT + start                       # (key, start_ts) of committed records
    commit_of = dict(zip(put_id.tolist(), commit.tolist()))
    rb = np.flatnonzero((np.isin(e["kind"], [K.K_ROLLBACK, K.K_RESOLVE_LOCK]) & (e["ts2"] == 0)
                         & (e["result"] == K.R_OK))
                        | ((e["kind"] == K.K_CHECK_TXN_STATUS)
                           & np.isin(e["result"], [K.R_TTL_EXPIRE, K.R_LOCK_NOT_EXIST]))
                        | ((e["kind"] == K.K_CHECK_SECONDARY_LOCKS)
                           & np.isin(e["result"], [K.R_LOCK_NOT_EXIST,
                                                   K.R_PESSIMISTIC_LOCK_ROLLED_BACK])))
    rolled = set((e["key"][rb] * SHIFT + e["ts1"][rb]).tolist())
    b = np.flatnonzero(e["kind"] == K.K_BEGIN)
    start_of = np.full(h.n_txns, -1, dtype=np.int64)
    start_of[e["txn"][b]] = e["ts1"][b]
    lock_left = _final_locks(np.ascontiguousarray(e["kind"], dtype=np.int64),
                             np.ascontiguousarray(e["key"], dtype=np.int64),
                             np.ascontiguousarray(e["result"], dtype=np.int64),
                             np.ascontiguousarray(e["ts1"], dtype=np.int64),
                             np.ascontiguousarray(e["ts2"], dtype=np.int64), np.int64(h.n_keys))
    n_left = int(np.sum(lock_left >= 0))
    wmask = w.op_kind[:int(w.op_start[-1])] != K.OP_GET
    op_txn = np.repeat(np.arange(h.n_txns, dtype=np.int64), np.diff(w.op_start))
    wt, wk = op_txn[wmask], w.op_key[:int(w.op_start[-1])][wmask].astype(np.int64)
    if n_left:
        rep.skipped["atomicity"] = f"{n_left} lock(s) remain (run with resolve_at_end=True)"
    else:
        rep.checked["atomicity"] = h.n_txns
        started = start_of[wt] >= 0
        ids = (wk * SHIFT + start_of[wt])[started]
        outcome = np.array([commit_of.get(i, -1) for i in ids.tolist()], dtype=np.int64)
        tt = wt[started]
        both = [i for i in set(ids.tolist()) if i in rolled and i in commit_of]
        for i in both:
            V.append(Violation("atomicity", f"{name_k(i // SHIFT)} has both a commit and a "
                               f"rollback record for start_ts {i % SHIFT}"))
        if tt.size:
            o = np.lexsort((outcome, tt))
            tt_s, out_s = tt[o], outcome[o]
            lo = np.r_[True, tt_s[1:] != tt_s[:-1]]
            first_out = np.maximum.accumulate(np.where(lo, np.arange(tt_s.size), 0))
            disagree = np.unique(tt_s[out_s != out_s[first_out]])
            for t in disagree.tolist():
                got = sorted(set(outcome[tt == t].tolist()))
                V.append(Violation("atomicity", f"{name_t(t)}: keys disagree on the outcome "
                                   f"(commit_ts {got}; -1 = none)",
                                   tuple(int(x) for x in _txn_rows(e, t))))
    # 2PC: the primary's commit; 1PC: the primary's one_pc_commit; async commit: the
    # acknowledgement (finish ok, flag 1, ts2 = commit_ts) — judged on the primary key
    acked = np.flatnonzero(((e["kind"] == K.K_COMMIT) | (e["kind"] == K.K_ONE_PC_COMMIT)
                            | (e["kind"] == K.K_FINISH)) & (e["result"] == K.R_OK) & (e["flag"] == 1))
    rep.checked["acknowledged_commits"] = int(acked.size)
    if n_left:
        rep.skipped["acknowledged_commits"] = "locks remain; judged on primaries only"
    at = e["txn"][acked]
    sel = np.isin(wt, at) if not n_left else np.zeros(wt.size, dtype=bool)
    chk_t = np.r_[wt[sel], at]
    chk_k = np.r_[wk[sel], np.asarray(h.primary, dtype=np.int64)[at]]
    ack_ts = dict(zip(at.tolist(), e["ts2"][acked].tolist()))
    ack_row = dict(zip(at.tolist(), acked.tolist()))
    for t, k in zip(chk_t.tolist(), chk_k.tolist()):
        if commit_of.get(k * SHIFT + int(start_of[t])) != ack_ts[t]:
            V.append(Violation("acknowledged_commits", f"{name_t(t)} was acknowledged at "
                               f"{ack_ts[t]} but {name_k(k)} is not committed", (ack_row[t],)))

    # ---- reads --------------------------------------------------------------------------------
    reads = np.flatnonzero((e["kind"] == K.K_GET) & (e["result"] == K.R_OK))
    rep.checked["read_validity"] = int(reads.size)
    ck, cts, cval = key, commit, e["value"][rows]      # committed records sorted by (key, commit)
    if reads.size:
        rk, rts = e["key"][reads], e["ts2"][reads]
        pos = np.searchsorted(ck * SHIFT + cts, rk * SHIFT + rts, side="right") - 1
        pc = np.maximum(pos, 0)
        have = (pos >= 0) & (ck[pc] == rk) if ck.size else np.zeros(rk.size, bool)
        exp_val = np.where(have, cval[pc] if ck.size else 0, w.key_init[rk])
        exp_ver = np.where(have, cts[pc] if ck.size else 0, 0)
        bad = np.flatnonzero((exp_val != e["value"][reads]) | (exp_ver != e["ts3"][reads]))
        for i in bad:
            r = reads[i]
            V.append(Violation("read_validity", f"{name_t(e['txn'][r])} read {name_k(rk[i])} at "
                               f"{rts[i]} and got {int(e['value'][r])} (version {int(e['ts3'][r])}); "
                               f"the newest commit <= {rts[i]} is {int(exp_val[i])} (version "
                               f"{int(exp_ver[i])})", (int(r),)))

    # ---- detector and waiters -----------------------------------------------------------------
    kind = np.ascontiguousarray(e["kind"], dtype=np.int64)
    txn = np.ascontiguousarray(e["txn"], dtype=np.int64)
    n_txn = np.int64(max(h.n_txns, 1))
    rep.checked["detector_acyclic"] = int(np.sum(kind == K.K_DETECT))
    for i in _detector_cycles(kind, txn, np.ascontiguousarray(e["other"], dtype=np.int64),
                              np.ascontiguousarray(e["result"], dtype=np.int64), n_txn):
        V.append(Violation("detector_acyclic", "the detector's table holds a cycle", (int(i),)))
    rep.checked["waiters_end"] = int(np.sum(kind == K.K_WAIT_FOR))
    for i in _open_waits(kind, txn, n_txn):
        if i >= 0:
            V.append(Violation("waiters_end", f"{name_t(txn[i])}'s wait never ended", (int(i),)))
        else:
            V.append(Violation("waiters_end", "a wait ended that never began", (int(-1 - i),)))

    # ---- bank total ---------------------------------------------------------------------------
    if w.total is not None:
        rep.checked["bank_total"] = 1
        bal = np.asarray(w.key_init, dtype=np.int64).copy()
        if ck.size:
            last = np.r_[ck[1:] != ck[:-1], True]       # newest record of each key
            bal[ck[last]] = cval[last]
        total = int(bal.sum())
        if total != w.total:
            V.append(Violation("bank_total", f"balances sum to {total}, expected {w.total}"))
    else:
        rep.skipped["bank_total"] = "not a bank workload"
    return rep


def _txn_rows(e, t):
    return np.flatnonzero((e["txn"] == t) & np.isin(e["kind"], [K.K_COMMIT, K.K_ROLLBACK]))[:6]
