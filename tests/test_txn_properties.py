"""Properties over random workloads (no checker finds anything), determinism with and
without the JIT, and proof that each checker can fail."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from gmplab import txn
from gmplab.txn import kernel as K
from gmplab.txn.history import TxnHistory

SETTINGS = settings(max_examples=40, deadline=None)


@SETTINGS
@given(mode=st.sampled_from(["optimistic", "pessimistic"]), accounts=st.integers(2, 10),
       txns=st.integers(1, 30), kpt=st.integers(1, 3), hot=st.floats(0, 1),
       regions=st.integers(1, 4), seed=st.integers(0, 2**31), crash_a=st.floats(0, 0.3),
       crash_b=st.floats(0, 0.3), lost=st.floats(0, 0.3), jitter=st.integers(0, 4))
def test_bank_histories_pass_every_checker(mode, accounts, txns, kpt, hot, regions, seed,
                                           crash_a, crash_b, lost, jitter):
    kpt = min(kpt, accounts)
    w = txn.workloads.bank(accounts=accounts, txns=txns, keys_per_txn=kpt, hot_fraction=hot,
                           mode=mode, crash_after_primary=crash_a, crash_before_commit=crash_b,
                           lost_pessimistic_locks=lost if mode == "pessimistic" else 0.0, seed=seed)
    h = txn.simulate(w, regions=regions, seed=seed, jitter=jitter, ttl=200, pessimistic_ttl=400)
    report = h.check()
    assert report.ok, str(report)
    s = h.summary()
    assert s["committed"] + s["aborted"] + s["crashed"] - np.sum(
        h.events["result"][h.where("client_crash")] == K.R_CRASH_AFTER_PRIMARY) == txns
    assert not h.final_state().locks


@SETTINGS
@given(mode=st.sampled_from(["optimistic", "pessimistic"]), keys=st.integers(1, 12),
       txns=st.integers(1, 25), reads=st.integers(0, 3), writes=st.integers(0, 3),
       seed=st.integers(0, 2**31), crash_a=st.floats(0, 0.3), crash_b=st.floats(0, 0.3))
def test_random_rw_histories_pass_every_checker(mode, keys, txns, reads, writes, seed, crash_a, crash_b):
    w = txn.workloads.random_rw(keys=keys, txns=txns, reads=reads, writes=min(writes, keys), mode=mode,
                                crash_after_primary=crash_a, crash_before_commit=crash_b, seed=seed)
    h = txn.simulate(w, regions=3, seed=seed, ttl=100)
    report = h.check()
    assert report.ok, str(report)


def test_same_seed_same_history_and_seed_matters():
    w = txn.workloads.bank(accounts=8, txns=40, keys_per_txn=2, hot_fraction=0.6, mode="pessimistic")
    a = txn.simulate(w, regions=3, seed=5)
    b = txn.simulate(w, regions=3, seed=5)
    c = txn.simulate(w, regions=3, seed=6)
    assert all(np.array_equal(a.events[k], b.events[k]) for k in a.events)
    assert len(a) != len(c) or not all(np.array_equal(a.events[k], c.events[k]) for k in a.events)


_SCRIPT = r"""
import json, sys, numpy as np
from gmplab import txn
out = {}
for mode in ("optimistic", "pessimistic"):
    w = txn.workloads.bank(accounts=5, txns=12, keys_per_txn=2, hot_fraction=0.7, mode=mode,
                           crash_after_primary=0.2, crash_before_commit=0.1, seed=2)
    h = txn.simulate(w, regions=2, seed=9, ttl=100, pessimistic_ttl=200)
    out[mode] = {k: h.events[k].tolist() for k in h.events}
json.dump(out, sys.stdout)
"""


def _run(env_extra):
    env = dict(os.environ, **env_extra)
    res = subprocess.run([sys.executable, "-c", _SCRIPT], capture_output=True, text=True, env=env,
                         cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))), timeout=300)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


def test_identical_history_with_numba_disable_jit():
    jit = _run({})
    nojit = _run({"NUMBA_DISABLE_JIT": "1"})
    assert jit == nojit
    assert len(jit["pessimistic"]["kind"]) > 50


# ---- the kernel's timer queue ---------------------------------------------------------------
def _queue(n_txn, cap):
    g = np.zeros(16, dtype=np.int64)
    g[K.G_PQCAP] = cap
    g[K.G_FREE] = -1
    heap = np.zeros((K.PQ_B + 2 * cap, 5), dtype=np.int64)
    heap[:K.PQ_B, 0] = -1
    return heap, g, np.zeros((n_txn, K.T_COLS), dtype=np.int64)


@settings(max_examples=60, deadline=None)
@given(steps=st.lists(st.tuples(st.booleans(), st.integers(-40, 900), st.integers(0, 7)),
                      min_size=1, max_size=300))
def test_timer_queue_pops_in_tick_then_push_order(steps):
    # ring of per-tick FIFOs + binary heap == one priority queue on (tick, push counter),
    # whatever the mix of near, far (> PQ_B ticks ahead) and past ticks
    import heapq
    heap, g, tx = _queue(8, 400)
    ref, now, seq = [], 0, 0
    for is_pop, dt, t in steps:
        if is_pop and ref:
            when, _, txn_ = heapq.heappop(ref)
            assert K._next_tick(heap, g) == when
            got = K._pop(heap, g)
            assert (got[0], got[1]) == (when, txn_)
            now = when
        else:
            K._push(heap, g, tx, now + dt, t)
            heapq.heappush(ref, (now + dt, seq, t))
            seq += 1
        assert g[K.G_HEAP] == len(ref) and g[K.G_OVERFLOW] == 0
    while ref:
        when, _, txn_ = heapq.heappop(ref)
        got = K._pop(heap, g)
        assert (got[0], got[1]) == (when, txn_)


def test_lock_count_matches_the_lock_table(monkeypatch):
    # g[G_NLOCKS] (it lets the final resolve pass stop early) counts the locks held
    seen = []
    kernel = K.simulate_kernel

    def spy(*args):
        out = kernel(*args)
        seen.append((int(out[1][K.G_NLOCKS]), int((out[2][:, 0] >= 0).sum())))
        return out
    monkeypatch.setattr(K, "simulate_kernel", spy)
    for seed in range(4):
        for mode in ("optimistic", "pessimistic"):
            w = txn.workloads.bank(accounts=8, txns=60, keys_per_txn=3, mode=mode, seed=seed,
                                   crash_after_primary=0.2, crash_before_commit=0.2,
                                   lost_pessimistic_locks=0.1 if mode == "pessimistic" else 0.0)
            txn.simulate(w, regions=3, seed=seed, resolve_at_end=False)
            assert txn.simulate(w, regions=3, seed=seed).check().ok
    assert all(a == b for a, b in seen) and any(a > 0 for a, _ in seen)


# ---- every checker can fail ------------------------------------------------------------------
def _rebuild(h, edit):
    cols = {c: h.events[c].copy() for c in K.COLUMNS}
    cols = edit(cols) or cols
    ev = np.stack([cols[c] for c in K.COLUMNS], axis=0)
    return TxnHistory(ev, workload=h.workload, key_region=h.key_region, regions=h.regions,
                      params=h.params, seed=h.seed, primary=h.primary)


def _bank():
    w = txn.workloads.bank(accounts=6, txns=30, keys_per_txn=2, hot_fraction=0.8, mode="pessimistic", seed=1)
    h = txn.simulate(w, regions=2, seed=1)
    assert h.check().ok
    return h


def test_checker_catches_a_stale_read_and_a_broken_total():
    h = _bank()
    read = int(h.where("get", "ok")[-1])

    def edit(c):
        c["value"][read] += 1
    bad = _rebuild(h, edit).check()
    assert [v.check for v in bad.violations] == ["read_validity"]
    assert read in bad.violations[0].steps and "read_validity" in str(bad)

    commit = int(h.where("commit", "ok")[-1])

    def edit2(c):
        c["value"][commit] += 7
    bad2 = _rebuild(h, edit2).check()
    assert "bank_total" in {v.check for v in bad2.violations}


def test_checker_catches_a_lost_secondary_and_overlapping_writers():
    h = _bank()
    # drop a secondary's commit: the txn is half committed
    sec = int(np.flatnonzero((h.events["kind"] == K.K_COMMIT) & (h.events["flag"] == 0)
                             & (h.events["result"] == K.R_OK))[0])

    def drop(c):
        return {k: np.delete(v, sec) for k, v in c.items()}
    bad = _rebuild(h, drop).check()
    assert {"atomicity", "acknowledged_commits"} <= {v.check for v in bad.violations}

    # move a later writer's start (and for_update_ts) below the previous commit
    rows = h.where("commit", "ok")
    keys = h.events["key"][rows]
    k0 = np.flatnonzero(keys == keys[0])
    assert k0.size >= 2
    r2 = int(rows[k0[1]])

    def overlap(c):
        c["ts1"][r2] = 0
        c["ts3"][r2] = 0
    bad2 = _rebuild(h, overlap).check()
    assert "no_overlap" in {v.check for v in bad2.violations}


def test_checker_catches_a_detector_cycle_and_an_endless_wait():
    h = _bank()
    wake = int(h.where("wake_up")[0])

    def drop(c):
        return {k: np.delete(v, wake) for k, v in c.items()}
    assert "waiters_end" in {v.check for v in _rebuild(h, drop).check().violations}

    # turn a deadlock verdict into an inserted edge: the table now holds the cycle
    d = int(h.where("detect", "deadlock")[0])

    def cycle(c):
        c["result"][d] = K.R_OK
    assert "detector_acyclic" in {v.check for v in _rebuild(h, cycle).check().violations}
