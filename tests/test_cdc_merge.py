"""CDC streams, the ordered merge and its checkers."""
from __future__ import annotations

import heapq
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gmplab import cdc, txn
import importlib

# the kernel module; the package re-exports the function ``merge`` under the same name
M = importlib.import_module("gmplab.cdc.merge")

sc = txn.workloads.scenario


def _ops(*rows):
    """rows: (region, op, key, start_ts, commit_ts, value)"""
    a = np.array(rows, dtype=np.int64)
    return [np.ascontiguousarray(a[:, j]) for j in range(6)]


def test_out_of_order_arrival_leaves_the_merge_in_order():
    # region 1's commit at 5 arrives before region 0's commit at 3; nothing is released
    # until both regions' resolved ts pass it
    P, C, R = M.OP_PREWRITE, M.OP_COMMIT, M.OP_RESOLVED
    region, op, key, st_, ct, val = _ops(
        (1, P, 11, 4, 0, 40), (1, C, 11, 4, 5, 0), (1, R, -1, 0, 6, 0),
        (0, P, 10, 2, 0, 20), (0, C, 10, 2, 3, 0), (0, P, 12, 7, 0, 70),
        (0, R, -1, 0, 6, 0),            # frontier 6: emits commit 3 then 5
        (0, C, 12, 7, 8, 0), (0, R, -1, 0, 9, 0), (1, R, -1, 0, 9, 0))
    rows, markers, front = M.merge_kernel(region, op, key, st_, ct, val, np.int64(2))
    assert rows[:, 0].tolist() == [3, 5, 8]
    assert rows[:, 3].tolist() == [20, 40, 70]               # values taken from the prewrites
    assert markers[:, 0].tolist() == [6, 9] and markers[:, 1].tolist() == [2, 3]
    assert front.tolist() == [0, 0, 0, 0, 0, 0, 6, 6, 6, 9]


def test_resolved_ts_never_goes_backwards_in_the_merge():
    R = M.OP_RESOLVED
    region, op, key, st_, ct, val = _ops((0, R, -1, 0, 9, 0), (0, R, -1, 0, 4, 0), (1, R, -1, 0, 7, 0))
    _, markers, front = M.merge_kernel(region, op, key, st_, ct, val, np.int64(2))
    assert front.tolist() == [0, 0, 7] and markers[:, 0].tolist() == [7]


def _crash_history():
    steps = [("T1", "put", "x", 1), ("T1", "put", "y", 2), ("T1", "crash_after_primary"),
             ("T1", "commit"), ("T2", "put", "z", 3), ("T2", "commit")]
    return txn.simulate(sc(steps, regions={"x": 0, "y": 1, "z": 0}, step_ticks=10), regions=2)


def test_streams_track_locks_and_the_late_secondary_is_in_order():
    h = _crash_history()
    s = cdc.streams(h, min_ts_interval=5, max_delay=0)
    r1 = s.region_stream(1)
    ops = [M.OPS[o] for o in r1["op"] if o != M.OP_RESOLVED]
    assert ops == ["prewrite", "commit"]               # y: prewrite, then the GC roll-forward
    # y's lock keeps region 1's resolved ts at or below T1's start_ts until the roll forward
    gc = int(h.where("resolve_lock")[0])
    is_res = r1["op"] == M.OP_RESOLVED
    res, at = r1["commit_ts"][is_res], r1["apply_tick"][is_res]
    assert np.all(res[at < h.events["tick"][gc]] == 1)          # T1's start_ts
    assert res[-1] > h.events["ts2"][gc]                         # past the rolled-forward commit
    m = cdc.merge(s)
    rep = cdc.check(h, s, m)
    assert rep.ok, str(rep)
    assert sorted(m.rows["value"].tolist()) == [1, 2, 3]


def test_untracked_lock_makes_resolved_ts_too_high_and_the_checker_reports_it():
    h = _crash_history()
    good = cdc.streams(h, min_ts_interval=5, max_delay=0)
    assert cdc.check(h, good, cdc.merge(good)).ok
    s = cdc.streams(h, min_ts_interval=5, max_delay=0, untracked_txn=0)
    m = cdc.merge(s)
    rep = cdc.check(h, s, m)
    assert not rep.ok
    # y's commit (rolled forward by the GC pass) arrives after a marker at its own commit_ts:
    # the row is released below a resolved ts the sink already acknowledged
    assert [v.check for v in rep.violations] == ["resolved_order"]
    y_commit = int(h.events["ts2"][h.where("resolve_lock")[0]])
    assert f"commit_ts {y_commit} (key 1)" in str(rep)


def test_resubscribe_duplicates_rows_but_stays_correct():
    w = txn.workloads.bank(accounts=8, txns=30, keys_per_txn=2, hot_fraction=0.0, mode="optimistic", seed=4)
    h = txn.simulate(w, regions=2, seed=4)
    base = cdc.merge(cdc.streams(h, min_ts_interval=20))
    s = cdc.streams(h, min_ts_interval=20, resubscribe=[(0, 33), (1, 47)])
    m = cdc.merge(s)
    assert base.duplicates == 0 and m.duplicates > 0
    rep = cdc.check(h, s, m)
    assert rep.ok and rep.duplicates == m.duplicates
    assert np.sum(s.events["op"] == M.OP_COMMITTED) >= m.duplicates


def test_orphan_lock_holds_the_checkpoint_back():
    w = txn.workloads.bank(accounts=8, txns=30, keys_per_txn=2, hot_fraction=0.0, mode="optimistic", seed=4)
    h = txn.simulate(w, regions=2, seed=4)
    s0 = cdc.streams(h, min_ts_interval=5)
    s = cdc.streams(h, min_ts_interval=5, orphan_lock=(1, 20, 500))
    m0, m = cdc.merge(s0), cdc.merge(s)
    assert cdc.check(h, s, m).ok
    # the orphan lock's start_ts is the TSO reached at tick 20; region 1 cannot pass it
    orphan_ts = int(h.events["tso"][h.events["tick"] <= 20][-1])
    during = (s.events["arrive_tick"] >= 30) & (s.events["arrive_tick"] < 520)
    assert m.frontier[during].max() == orphan_ts
    assert m0.frontier[np.searchsorted(s0.events["arrive_tick"], 60)] > orphan_ts
    assert m.checkpoint.max() <= orphan_ts or m.markers["input"][m.checkpoint > orphan_ts].min() >= \
        np.searchsorted(s.events["arrive_tick"], 520)
    assert m.checkpoint[-1] == m0.checkpoint[-1]              # resolved by TiCDC: it catches up


def test_merge_agrees_with_heapq_and_lexsort_on_sorted_runs():
    rng = np.random.default_rng(0)          # test data only; kernels never see np.random
    runs = [np.sort(rng.integers(1, 10_000, size=rng.integers(0, 50))) for _ in range(30)]
    start = np.zeros(len(runs) + 1, dtype=np.int64)
    start[1:] = np.cumsum([len(r) for r in runs])
    ct = np.concatenate(runs).astype(np.int64)
    stt = np.arange(ct.size, dtype=np.int64)
    for i in range(len(runs)):              # within a run sort by (commit_ts, start_ts)
        seg = slice(start[i], start[i + 1])
        o = np.lexsort((stt[seg], ct[seg]))
        ct[seg], stt[seg] = ct[seg][o], stt[seg][o]
    key = np.zeros_like(ct)
    perm = M.kway_merge(start, ct, stt, key)
    want = list(heapq.merge(*[list(zip(ct[start[i]:start[i + 1]], stt[start[i]:start[i + 1]]))
                              for i in range(len(runs))]))
    assert list(zip(ct[perm], stt[perm])) == want
    assert np.array_equal(perm, np.lexsort((stt, ct)))


def _reference_merge(region, op, key, start_ts, commit_ts, value, n_regions):
    """Plain-Python oracle of merge_kernel: dict matcher, min over regions, sort on release."""
    match, pend, rows, markers, front = {}, [], [], [], []
    res = [0] * int(n_regions)
    frontier = 0
    for i in range(len(op)):
        o, r, k, s_, c, v = (int(x[i]) for x in (op, region, key, start_ts, commit_ts, value))
        if o == M.OP_PREWRITE:
            match[(r, s_, k)] = v
        elif o in (M.OP_COMMIT, M.OP_COMMITTED, M.OP_ROLLBACK):
            if o != M.OP_COMMITTED and (r, s_, k) in match:
                v = match.pop((r, s_, k))
            if o != M.OP_ROLLBACK:
                pend.append((c, s_, k, i, v, r))
        elif o == M.OP_RESOLVED and c > res[r]:
            res[r] = c
            if min(res) > frontier:
                frontier = min(res)
                out = sorted(x for x in pend if x[0] <= frontier)
                pend = [x for x in pend if x[0] > frontier]
                rows += [(a, b, kk, vv, rr, ii) for a, b, kk, ii, vv, rr in out]
                markers.append((frontier, len(rows), i))
        front.append(frontier)
    return (np.array(rows, dtype=np.int64).reshape(-1, 6),
            np.array(markers, dtype=np.int64).reshape(-1, 3), np.array(front, dtype=np.int64))


def _random_stream(seed, n, regions):
    """Arbitrary arrival-ordered events (test data only): commits mostly match an earlier
    prewrite, some come late (below the frontier), some repeat (duplicates)."""
    rng = np.random.default_rng(seed)
    ops = rng.choice([M.OP_PREWRITE, M.OP_COMMIT, M.OP_ROLLBACK, M.OP_COMMITTED, M.OP_RESOLVED],
                     size=n, p=[0.3, 0.3, 0.05, 0.05, 0.3])
    cols = np.zeros((6, n), dtype=np.int64)      # region, op, key, start_ts, commit_ts, value
    pre = []
    for i, o in enumerate(ops):
        r, k, s_ = int(rng.integers(regions)), int(rng.integers(12)), int(rng.integers(1, 40)) + i // 4
        if o in (M.OP_COMMIT, M.OP_ROLLBACK) and pre and rng.random() < 0.9:
            r, k, s_ = pre.pop(int(rng.integers(len(pre))))
        c = s_ + int(rng.integers(0, 15)) if o != M.OP_RESOLVED else i // 4 + int(rng.integers(0, 20))
        if o == M.OP_PREWRITE:
            pre.append((r, k, s_))
        cols[:, i] = (r, o, k, s_, c if o != M.OP_PREWRITE else 0, int(rng.integers(100)))
    return [np.ascontiguousarray(x) for x in cols]


@pytest.mark.parametrize("ts_scale, key_scale", [
    (1, 1),                 # dense commit_ts: bucketed; (commit_ts, start_ts, key) packed
    (1, 1 << 50),           # bucketed; (commit_ts, start_ts) packed, key compared apart
    (16, 1),                # too sparse to bucket: sorted run + heap; all three packed
    (1 << 12, 1 << 50),     # run + heap; (commit_ts, start_ts) packed
    (1 << 24, 1),           # run + heap; commit_ts alone, the rest compared field by field
])
def test_merge_kernel_matches_a_plain_python_oracle(ts_scale, key_scale):
    for seed in range(6):
        region, op, key, st_, ct, val = _random_stream(seed, 1500, 1 + seed % 4)
        key = np.where(key >= 0, key * key_scale, key)
        args = (region, op, key, st_ * ts_scale, ct * ts_scale, val, np.int64(1 + seed % 4))
        got, want = M.merge_kernel(*args), _reference_merge(*args)
        for g, w in zip(got, want):
            assert g.shape == w.shape and np.array_equal(g, w), seed
        assert len(got[0]) > 100 and len(got[1]) > 10


@pytest.mark.parametrize("ts_scale", [1, 1 << 24])
def test_rows_far_behind_the_tail_and_below_the_frontier_still_come_out_in_order(ts_scale):
    # region 1 holds the frontier while 300 rows pile up; then 100 rows arrive that belong
    # far back (the heap, in both layouts), some below the frontier already released
    C, R = M.OP_COMMITTED, M.OP_RESOLVED
    ev = [(0, R, -1, 0, 100, 0), (1, R, -1, 0, 50, 0)]
    ev += [(0, C, k, 1000 + k, 1000 + k, k) for k in range(300)]
    ev += [(0, C, 7, 10 + k, 10 + 3 * k, k) for k in range(100)]
    ev += [(1, R, -1, 0, 150, 0), (0, R, -1, 0, 2000, 0), (1, R, -1, 0, 2000, 0)]
    region, op, key, st_, ct, val = _ops(*ev)
    args = (region, op, key, st_ * ts_scale, ct * ts_scale, val, np.int64(2))
    got, want = M.merge_kernel(*args), _reference_merge(*args)
    for g, w in zip(got, want):
        assert np.array_equal(g, w)
    assert np.all(np.diff(got[0][got[0][:, 0] > 150 * ts_scale, 0]) >= 0) and len(got[0]) == 400


def test_merge_kernel_reruns_when_many_prewrites_are_pending():
    # 20,000 prewrites pending at once: more than the matcher table reserved up front
    # (the table doubles in place up to that, then the kernel reruns with room for all)
    n = 20_000
    P, C, R = M.OP_PREWRITE, M.OP_COMMIT, M.OP_RESOLVED
    rows = [(0, P, k, 10 + k, 0, k) for k in range(n)] + \
           [(0, C, k, 10 + k, 10 + n + (k * 7919) % n, 0) for k in range(n)] + [(0, R, -1, 0, 3 * n, 0)]
    args = _ops(*rows) + [np.int64(1)]
    got, want = M.merge_kernel(*args), _reference_merge(*args)
    for g, w in zip(got, want):
        assert np.array_equal(g, w)
    assert got[0][:, 3].tolist() == sorted(range(n), key=lambda k: (k * 7919) % n)


def test_kway_merge_is_stable_across_runs_and_handles_wide_keys():
    rng = np.random.default_rng(1)          # test data only
    for scale in (1, 1 << 20, 1 << 40):
        runs = [np.sort(rng.integers(0, 20, size=rng.integers(0, 30))) for _ in range(17)]
        start = np.zeros(len(runs) + 1, dtype=np.int64)
        start[1:] = np.cumsum([len(r) for r in runs])
        ct = np.concatenate(runs).astype(np.int64) * scale
        stt = ct // 2                        # equal (commit_ts, start_ts, key) across runs
        key = (ct % 3) * scale
        for i in range(len(runs)):
            seg = slice(start[i], start[i + 1])
            o = np.lexsort((key[seg], stt[seg], ct[seg]))
            ct[seg], stt[seg], key[seg] = ct[seg][o], stt[seg][o], key[seg][o]
        perm = M.kway_merge(start, ct, stt, key)
        assert np.array_equal(perm, np.lexsort((key, stt, ct)))    # stable: lower run first


@settings(max_examples=30, deadline=None)
@given(mode=st.sampled_from(["optimistic", "pessimistic"]), txns=st.integers(1, 30),
       regions=st.integers(1, 5), seed=st.integers(0, 2**31), interval=st.integers(1, 30),
       delay=st.integers(0, 20), crash=st.floats(0, 0.4), resub=st.booleans())
def test_cdc_property_no_checker_finds_anything(mode, txns, regions, seed, interval, delay, crash, resub):
    w = txn.workloads.bank(accounts=10, txns=txns, keys_per_txn=2, hot_fraction=0.5, mode=mode,
                           crash_after_primary=crash, seed=seed)
    h = txn.simulate(w, regions=regions, seed=seed, ttl=100, pessimistic_ttl=200)
    s = cdc.streams(h, min_ts_interval=interval, max_delay=delay, seed=seed,
                    resubscribe=[(regions - 1, 25)] if resub else ())
    m = cdc.merge(s)
    rep = cdc.check(h, s, m)
    assert rep.ok, str(rep)
    assert np.all(np.diff(m.checkpoint) >= 0)


def test_merge_identical_with_numba_disable_jit():
    script = r"""
import json, sys
from gmplab import txn, cdc
h = txn.simulate(txn.workloads.bank(accounts=6, txns=15, mode="optimistic", seed=3), regions=3, seed=3)
s = cdc.streams(h, min_ts_interval=4, max_delay=6, seed=1)
m = cdc.merge(s)
from gmplab.cdc.merge import merge_kernel
e = s.events
sparse = merge_kernel(e["region"], e["op"], e["key"], e["start_ts"] << 20, e["commit_ts"] << 20,
                      e["value"], s.regions)              # too sparse to bucket: run + heap
json.dump({k: v.tolist() for k, v in m.rows.items()} | {"cp": m.checkpoint.tolist()}
          | {"sparse": [x.tolist() for x in sparse]}, sys.stdout)
"""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    outs = []
    for env in ({}, {"NUMBA_DISABLE_JIT": "1"}):
        r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           env=dict(os.environ, **env), cwd=root, timeout=300)
        assert r.returncode == 0, r.stderr
        outs.append(json.loads(r.stdout))
    assert outs[0] == outs[1] and len(outs[0]["commit_ts"]) > 0


@pytest.mark.parametrize("kw, match", [
    ({"min_ts_interval": 0}, "min_ts_interval"),
    ({"untracked_txn": 99}, "untracked_txn"),
    ({"resubscribe": [(7, 1)]}, r"resubscribe\[0\]"),
    ({"orphan_lock": (0, 1)}, "orphan_lock"),
])
def test_bad_stream_parameters_raise(kw, match):
    h = _crash_history()
    with pytest.raises(ValueError, match=match):
        cdc.streams(h, **kw)
