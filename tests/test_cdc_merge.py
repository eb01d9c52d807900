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
m = cdc.merge(cdc.streams(h, min_ts_interval=4, max_delay=6, seed=1))
json.dump({k: v.tolist() for k, v in m.rows.items()} | {"cp": m.checkpoint.tolist()}, sys.stdout)
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
