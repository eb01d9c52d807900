"""Async commit and 1PC (``commit_protocol="async"`` / ``"1pc"``): hand-checked scenarios
with exact outcomes, the knob's validation, and the checkers on random workloads in all
three protocols. Rules: tikv actions/prewrite.rs (async_commit_timestamps, 1PC),
commands/check_secondary_locks.rs, check_txn_status.rs; client-go 2pc.go / prewrite.go /
lock_resolver.go (resolveAsyncCommitLock)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gmplab import txn
from gmplab.txn import kernel as K

sc = txn.workloads.scenario
SETTINGS = settings(max_examples=30, deadline=None)
PROTOCOLS = ["2pc", "async", "1pc"]


def kinds(h):
    return [(h.kind_name(k), h.workload.txn_name(int(h.events["txn"][k])) if h.events["txn"][k] >= 0
             else "GC", h.result_name(k)) for k in range(len(h))]


def final_puts(h, key):
    k = h.workload.key_names.index(key)
    return [(r.ts, r.start_ts, r.value) for r in h.final_state().writes.get(k, []) if r.write_type == "put"]


def test_knob_validation_and_default():
    w = sc([("T1", "put", "x", 1), ("T1", "commit")])
    assert txn.DEFAULTS["commit_protocol"] == "2pc"
    with pytest.raises(ValueError, match=r"commit_protocol must be one of \['2pc', 'async', '1pc'\]"):
        txn.simulate(w, commit_protocol="3pc")
    with pytest.raises(ValueError, match="commit_protocol"):
        txn.simulate(w, commit_protocol=1)
    with pytest.raises(ValueError, match="max_commit_ts_window must be an integer >= 0"):
        txn.simulate(w, max_commit_ts_window=-1)
    # the default is 2PC, same history as asking for it
    a, b = txn.simulate(w), txn.simulate(w, commit_protocol="2pc")
    assert all(np.array_equal(a.events[c], b.events[c]) for c in a.events)


def test_1_async_commit_ts_is_max_ts_plus_one():
    # prewrite.rs async_commit_timestamps: min_commit_ts = max(max_ts, start_ts, for_update_ts) + 1;
    # R's read at ts 10 raised max_ts to 10 (update_max_ts) before T1's prewrites
    h = txn.simulate(sc([("T1", "begin"), ("R", "begin"), ("R", "get", "x"), ("T1", "put", "x", 1),
                         ("T1", "put", "y", 2), ("T1", "commit")], regions={"x": 0, "y": 1}),
                     regions=2, commit_protocol="async")
    r = int(h.events["ts2"][h.where("get", "ok")[0]])
    start = int(h.events["ts1"][h.where("begin")[0]])
    assert (start, r) == (1, 10)
    pre = h.where("prewrite", "ok")
    assert len(pre) == 2 and set(h.events["ts3"][pre]) == {r + 1}       # both regions: 11
    assert all(h.events["flag"][pre] & 2)                                # async-commit locks
    fin = h.where("finish", "ok")[-1]
    assert h.events["ts2"][fin] == r + 1 and h.events["flag"][fin] == 1  # acked at commit_ts 11
    # acknowledged once both prewrites succeeded, before any commit record
    assert fin < h.where("commit", "ok").min()
    assert final_puts(h, "x") == [(11, 1, 1)] and final_puts(h, "y") == [(11, 1, 2)]
    assert r + 1 > start and h.check().ok


def _crash_after_prewrite(proto):
    return txn.simulate(sc([("T1", "put", "x", 1), ("T1", "put", "y", 2), ("T1", "crash_before_commit"),
                            ("T1", "commit"), ("R", "begin"), ("R", "get", "y"), ("R", "get", "x")],
                           regions={"x": 0, "y": 1}), regions=2, commit_protocol=proto, ttl=30)


def test_2_crash_after_prewrite_async_is_rolled_forward_by_the_reader():
    h = _crash_after_prewrite("async")
    seq = kinds(h)
    assert ("client_crash", "T1", "crash_before_commit") in seq
    assert h.events["flag"][h.where("client_crash")[0]] == 1              # after the commit point
    # alive async lock: reported as is (no push, no rollback), the reader backs off
    cts = h.where("check_txn_status")
    assert set(h.events["result"][cts]) == {K.R_UNCOMMITTED} and all(h.events["flag"][cts] == 2)
    # TTL over: CheckSecondaryLocks finds y locked -> commit at max(min_commit_ts) = 2
    i = seq.index(("check_secondary_locks", "R", "ok"))
    assert seq[i + 1:i + 4] == [("resolve_lock", "R", "ok"), ("resolve_lock", "R", "ok"),
                                ("get", "R", "ok")]
    assert h.events["ts3"][h.where("check_secondary_locks")[0]] == 2
    assert list(h.events["ts2"][h.where("resolve_lock")]) == [2, 2]
    assert list(h.events["value"][h.where("get", "ok")]) == [2, 1]        # T1's values visible
    assert final_puts(h, "x") == [(2, 1, 1)] and final_puts(h, "y") == [(2, 1, 2)]
    assert h.check().ok and h.summary()["committed"] == 2
    assert "GC" not in [who for _, who, _ in seq]                         # the reader did it


def test_2b_same_crash_in_2pc_rolls_back():
    # 2PC: the txn is committed only by its primary's commit record -> TTL expiry rolls it back
    h = _crash_after_prewrite("2pc")
    assert h.events["flag"][h.where("client_crash")[0]] == 0
    assert len(h.where("check_secondary_locks")) == 0
    assert list(h.events["value"][h.where("get", "ok")]) == [0, 0]
    assert final_puts(h, "x") == [] and final_puts(h, "y") == []
    assert len(h.where("check_txn_status", "ttl_expire")) == 1
    assert h.check().ok and h.summary()["committed"] == 1                 # R only


def test_3_a_secondary_never_prewritten_rolls_the_txn_back():
    # the client dies after the primary's region prewrite; y's prewrite never happened:
    # CheckSecondaryLocks finds no lock on y, writes a protected rollback -> rolled back
    h = txn.simulate(sc([("T1", "put", "x", 1), ("T1", "put", "y", 2), ("T1", "crash_during_prewrite"),
                         ("T1", "commit"), ("R", "begin"), ("R", "get", "x"), ("R", "get", "y")],
                        regions={"x": 1, "y": 0}), regions=2, commit_protocol="async", ttl=30)
    seq = kinds(h)
    pre = h.where("prewrite", "ok")
    assert len(pre) == 1 and h.workload.key_name(int(h.events["key"][pre[0]])) == "x"
    assert ("client_crash", "T1", "crash_during_prewrite") in seq
    i = seq.index(("check_secondary_locks", "R", "lock_not_exist"))
    row = h.where("check_secondary_locks")[0]
    assert h.workload.key_name(int(h.events["key"][row])) == "y" and h.events["flag"][row] == 1
    assert seq[i + 1:i + 3] == [("resolve_lock", "R", "ok"), ("get", "R", "ok")]
    assert h.events["ts2"][h.where("resolve_lock")[0]] == 0                # roll back
    assert list(h.events["value"][h.where("get", "ok")]) == [0, 0]
    fs = h.final_state()
    assert not fs.locks
    y = h.workload.key_names.index("y")
    assert [(r.write_type, r.protected) for r in fs.writes[y]] == [("rollback", True)]
    assert h.check().ok and h.summary()["committed"] == 1


def test_4_one_pc_single_region_no_lock_ever():
    h = txn.simulate(sc([("T1", "put", "x", 1), ("T1", "put", "y", 2), ("T1", "commit"),
                         ("R", "begin"), ("R", "get", "x"), ("R", "get", "y")],
                        regions={"x": 0, "y": 0}), regions=2, commit_protocol="1pc")
    assert kinds(h) == [("begin", "T1", "ok"), ("one_pc_commit", "T1", "ok"), ("one_pc_commit", "T1", "ok"),
                        ("finish", "T1", "ok"), ("begin", "R", "ok"), ("get", "R", "ok"),
                        ("get", "R", "ok"), ("finish", "R", "ok")]
    rows = h.where("one_pc_commit")
    assert list(h.events["ts2"][rows]) == [2, 2]                            # start_ts 1 + 1
    assert list(h.events["flag"][rows]) == [1, 0]                           # x is the primary
    for k in range(len(h)):
        assert not h.state_at(k).locks
    assert list(h.events["value"][h.where("get", "ok")]) == [1, 2]
    assert list(h.events["ts3"][h.where("get", "ok")]) == [2, 2]
    assert final_puts(h, "x") == [(2, 1, 1)]
    assert h.state_at(int(rows[0])).status[0] == K.S_COMMITTED
    assert h.check().ok and h.summary()["committed"] == 2


def test_4b_one_pc_across_regions_falls_back_to_async():
    h = txn.simulate(sc([("T1", "put", "x", 1), ("T1", "put", "y", 2), ("T1", "commit")],
                        regions={"x": 0, "y": 1}), regions=2, commit_protocol="1pc")
    assert len(h.where("one_pc_commit")) == 0
    pre = h.where("prewrite", "ok")
    assert len(pre) == 2 and all(h.events["flag"][pre] & 2)
    assert h.events["flag"][h.where("finish")[0]] == 1 and h.check().ok


def test_5_max_commit_ts_exceeded_falls_back_to_2pc():
    # min_commit_ts = 11 > max_commit_ts = start_ts 1 + window 5: CommitTsTooLarge -> 2PC
    h = txn.simulate(sc([("T1", "begin"), ("R", "begin"), ("R", "get", "x"), ("T1", "put", "x", 1),
                         ("T1", "put", "y", 2), ("T1", "commit")], regions={"x": 0, "y": 1}),
                     regions=2, commit_protocol="async", max_commit_ts_window=5)
    t1 = [s for s in kinds(h) if s[1] == "T1"]
    assert t1 == [("begin", "T1", "ok"), ("prewrite", "T1", "ok"), ("prewrite", "T1", "ok"),
                  ("commit", "T1", "ok"), ("commit", "T1", "ok"), ("finish", "T1", "ok")]
    pre = h.where("prewrite", "ok")
    assert not any(h.events["flag"][pre] & 2) and list(h.events["ts3"][pre]) == [2, 2]
    com = h.where("commit", "ok")
    assert h.events["flag"][com[0]] == 1                                    # primary first
    assert list(h.events["ts2"][com]) == [52, 52]                           # commit_ts from the TSO
    assert h.events["flag"][h.where("finish")[-1]] == 0
    # the same with a wide window stays async with commit_ts 11
    h2 = txn.simulate(h.workload, regions=2, commit_protocol="async", max_commit_ts_window=50)
    assert h2.events["ts2"][h2.where("finish")[-1]] == 11
    assert h.check().ok and h2.check().ok


def test_async_commit_ts_can_be_below_the_tso_and_equal_another_ts():
    # the commit_ts is computed by TiKV (max_ts + 1), not fetched: it can lie below the TSO
    # already handed out when the txn commits. (That is why TiKV's CDC endpoint raises
    # max_ts to each min_ts it samples; gmplab.cdc builds its streams after the run and
    # cannot, so its resolved ts is only safe for 2PC histories.)
    w = txn.workloads.bank(accounts=6, txns=40, keys_per_txn=2, hot_fraction=0.5, mode="optimistic",
                           seed=4)
    h = txn.simulate(w, regions=2, seed=4, ttl=100, commit_protocol="async")
    e = h.events
    fin = h.where("finish", "ok")
    fin = fin[e["flag"][fin] == 1]
    assert fin.size and np.any(e["ts2"][fin] < e["tso"][fin])
    assert h.check().ok
    h2 = txn.simulate(w, regions=2, seed=4, ttl=100)               # 2PC: commit_ts = a fresh TSO
    com = h2.where("commit", "ok")
    com = com[h2.events["flag"][com] == 1]
    assert np.all(h2.events["ts2"][com] == h2.events["tso"][com])


# ---- checkers on random workloads, every protocol -------------------------------------------
@SETTINGS
@given(proto=st.sampled_from(PROTOCOLS), mode=st.sampled_from(["optimistic", "pessimistic"]),
       accounts=st.integers(2, 10), txns=st.integers(1, 30), kpt=st.integers(1, 3),
       hot=st.floats(0, 1), regions=st.integers(1, 4), seed=st.integers(0, 2**31),
       crash_a=st.floats(0, 0.3), crash_b=st.floats(0, 0.3), lost=st.floats(0, 0.3),
       jitter=st.integers(0, 4), window=st.sampled_from([0, 5, 50, 2000]))
def test_bank_histories_pass_every_checker_in_every_protocol(proto, mode, accounts, txns, kpt, hot,
                                                             regions, seed, crash_a, crash_b, lost,
                                                             jitter, window):
    kpt = min(kpt, accounts)
    w = txn.workloads.bank(accounts=accounts, txns=txns, keys_per_txn=kpt, hot_fraction=hot,
                           mode=mode, crash_after_primary=crash_a, crash_before_commit=crash_b,
                           lost_pessimistic_locks=lost if mode == "pessimistic" else 0.0, seed=seed)
    h = txn.simulate(w, regions=regions, seed=seed, jitter=jitter, ttl=200, pessimistic_ttl=400,
                     commit_protocol=proto, max_commit_ts_window=window)
    report = h.check()
    assert report.ok, str(report)
    assert not h.final_state().locks
    s = h.summary()
    crash = h.where("client_crash")
    late = np.sum((h.events["result"][crash] == K.R_CRASH_AFTER_PRIMARY) | (h.events["flag"][crash] == 1))
    assert s["committed"] + s["aborted"] + s["crashed"] - late == txns
    if proto == "2pc":
        assert len(h.where("check_secondary_locks")) == len(h.where("one_pc_commit")) == 0
    if proto == "1pc" and regions == 1 and window >= 2000 and mode == "optimistic":
        # one region, wide window: every prewrite is a 1PC write, no lock is ever taken
        assert len(h.where("prewrite", "ok")) == 0


@SETTINGS
@given(proto=st.sampled_from(PROTOCOLS), mode=st.sampled_from(["optimistic", "pessimistic"]),
       keys=st.integers(1, 12), txns=st.integers(1, 25), reads=st.integers(0, 3),
       writes=st.integers(0, 3), regions=st.integers(1, 3), seed=st.integers(0, 2**31),
       crash_a=st.floats(0, 0.3), crash_b=st.floats(0, 0.3))
def test_random_rw_histories_pass_every_checker_in_every_protocol(proto, mode, keys, txns, reads,
                                                                  writes, regions, seed, crash_a,
                                                                  crash_b):
    w = txn.workloads.random_rw(keys=keys, txns=txns, reads=reads, writes=min(writes, keys), mode=mode,
                                crash_after_primary=crash_a, crash_before_commit=crash_b, seed=seed)
    h = txn.simulate(w, regions=regions, seed=seed, ttl=100, commit_protocol=proto)
    report = h.check()
    assert report.ok, str(report)


def test_async_and_1pc_histories_replay_and_are_deterministic():
    w = txn.workloads.bank(accounts=6, txns=30, keys_per_txn=2, hot_fraction=0.7, mode="pessimistic",
                           crash_after_primary=0.15, crash_before_commit=0.15, seed=2)
    for proto in ("async", "1pc"):
        a = txn.simulate(w, regions=2, seed=9, ttl=100, pessimistic_ttl=200, commit_protocol=proto)
        b = txn.simulate(w, regions=2, seed=9, ttl=100, pessimistic_ttl=200, commit_protocol=proto)
        assert all(np.array_equal(a.events[c], b.events[c]) for c in a.events)
        assert a.check().ok
        # state_at's replay agrees with the kernel's final lock table and write log
        fs = a.final_state()
        assert not fs.locks and int(np.sum(a.final_locks[:, 0] >= 0)) == 0
        n_rec = sum(len(v) for v in fs.writes.values())
        assert n_rec == len(a.final_writes)
        for k in range(len(a)):
            a.describe(k)


_SCRIPT = r"""
import json, sys
from gmplab import txn
out = {}
for proto in ("async", "1pc"):
    for mode in ("optimistic", "pessimistic"):
        w = txn.workloads.bank(accounts=5, txns=12, keys_per_txn=2, hot_fraction=0.7, mode=mode,
                               crash_after_primary=0.2, crash_before_commit=0.2, seed=2)
        h = txn.simulate(w, regions=2 if proto == "async" else 1, seed=9, ttl=100,
                         pessimistic_ttl=200, commit_protocol=proto)
        out[proto + mode] = {k: h.events[k].tolist() for k in h.events}
json.dump(out, sys.stdout)
"""


def test_async_and_1pc_identical_with_numba_disable_jit():
    import json
    import os
    import subprocess
    import sys

    def run(extra):
        res = subprocess.run([sys.executable, "-c", _SCRIPT], capture_output=True, text=True,
                             env=dict(os.environ, **extra), timeout=300,
                             cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        assert res.returncode == 0, res.stderr
        return json.loads(res.stdout)
    jit, nojit = run({}), run({"NUMBA_DISABLE_JIT": "1"})
    assert jit == nojit
    kinds = set(jit["asyncoptimistic"]["kind"]) | set(jit["asyncpessimistic"]["kind"])
    assert K.K_CHECK_SECONDARY_LOCKS in kinds or K.K_RESOLVE_LOCK in kinds
    assert K.K_ONE_PC_COMMIT in set(jit["1pcoptimistic"]["kind"])


def test_cdc_streams_refuse_async_and_1pc_histories():
    """gmplab.cdc cannot keep resolved ts safe for commit_ts computed from max_ts: it says so."""
    from gmplab import cdc, txn as T
    w = T.workloads.bank(accounts=20, txns=10, keys_per_txn=2, hot_fraction=0.0,
                         mode="optimistic", seed=1)
    for protocol in ("async", "1pc"):
        h = T.simulate(w, regions=2, seed=1, commit_protocol=protocol)
        with pytest.raises(ValueError, match="commit_protocol='2pc'"):
            cdc.streams(h)
    assert len(cdc.streams(T.simulate(w, regions=2, seed=1))) > 0
