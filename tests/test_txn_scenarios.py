"""Hand-checked transaction scenarios: each expected outcome follows from the TiKV /
client-go rule named in the test."""
from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from gmplab import txn
from gmplab.txn import kernel as K

sc = txn.workloads.scenario


def kinds(h):
    return [(h.kind_name(k), h.workload.txn_name(int(h.events["txn"][k])) if h.events["txn"][k] >= 0 else "GC",
             h.result_name(k)) for k in range(len(h))]


def finish_of(h, name):
    t = h.workload.txn_names.index(name)
    rows = np.flatnonzero((h.events["kind"] == K.K_FINISH) & (h.events["txn"] == t))
    crash = np.flatnonzero((h.events["kind"] == K.K_CLIENT_CRASH) & (h.events["txn"] == t))
    assert rows.size + crash.size == 1
    return h.result_name(int(rows[0] if rows.size else crash[0]))


def test_first_committer_wins_the_other_gets_write_conflict():
    # prewrite.rs check_for_newer_version: a record newer than start_ts -> WriteConflict
    h = txn.simulate(sc([("T1", "begin"), ("T2", "begin"), ("T1", "put", "x", 1),
                         ("T2", "put", "x", 2), ("T1", "commit"), ("T2", "commit")]))
    assert finish_of(h, "T1") == "ok"
    assert finish_of(h, "T2") == "write_conflict"
    bad = h.where("prewrite", "write_conflict")
    assert len(bad) == 1 and h.events["ts3"][bad[0]] == 41        # T1's commit_ts
    final = h.final_state()
    assert [(r.write_type, r.value) for r in final.writes[0]] == [("put", 1), ("rollback", 0)]
    assert h.check().ok


def test_crash_after_primary_reader_rolls_secondary_forward():
    # lock_resolver.go: primary committed -> resolve_lock(commit_ts) on the secondary
    h = txn.simulate(sc([("T1", "put", "x", 1), ("T1", "put", "y", 2), ("T1", "crash_after_primary"),
                         ("T1", "commit"), ("T2", "get", "y"), ("T2", "get", "x")],
                        regions={"x": 0, "y": 1}), regions=2)
    seq = kinds(h)
    i = seq.index(("client_crash", "T1", "crash_after_primary"))
    assert seq[i + 2:i + 6] == [("get", "T2", "key_is_locked"), ("check_txn_status", "T2", "committed"),
                                ("resolve_lock", "T2", "ok"), ("get", "T2", "ok")]
    reads = h.where("get", "ok")
    assert list(h.events["value"][reads]) == [2, 1]               # T1's values, both keys
    commit_ts = h.events["ts2"][h.where("commit", "ok")[0]]
    assert h.events["ts2"][h.where("resolve_lock")[0]] == commit_ts
    assert h.check().ok
    assert h.summary()["committed"] == 2


def test_crash_before_commit_ttl_expiry_then_rollback():
    # check_txn_status.rs: lock alive -> back off; expired -> rollback_lock (protected) -> TtlExpire
    h = txn.simulate(sc([("T1", "put", "x", 1), ("T1", "put", "y", 2), ("T1", "crash_before_commit"),
                         ("T1", "commit"), ("T2", "put", "x", 5), ("T2", "commit")],
                        regions={"x": 0, "y": 1}), regions=2, ttl=50)
    cts = h.where("check_txn_status")
    results = [h.result_name(k) for k in cts]
    assert results[:-1].count("uncommitted") >= 3
    assert "ttl_expire" in results
    k = cts[results.index("ttl_expire")]
    # expired: physical(start_ts) + ttl < physical(current_ts); ttl = 50 + 30 ticks elapsed
    assert h.events["ts1"][k] + h.events["ttl"][k] < h.events["ts3"][k]
    assert finish_of(h, "T2") == "ok"
    final = h.final_state()
    assert [(r.write_type, r.protected) for r in final.writes[0] if r.start_ts == 1] == [("rollback", True)]
    # the GC pass rolls back T1's orphan secondary on y
    assert [(r.write_type, r.protected) for r in final.writes[1]] == [("rollback", False)]
    assert not final.locks
    assert h.check().ok


def test_reader_pushes_min_commit_ts_and_reads_past_a_live_lock():
    # check_txn_status.rs: caller_start_ts >= min_commit_ts -> push to max(caller+1, current_ts)
    h = txn.simulate(sc([("T1", "put", "x", 1), ("T1", "crash_before_commit"), ("T1", "commit"),
                         ("T2", "get", "x")]))
    k = h.where("check_txn_status", "min_commit_ts_pushed")
    assert len(k) == 1
    read = h.where("get", "ok")[0]
    assert h.events["value"][read] == 0 and h.events["flag"][read] == 1
    assert h.state_at(int(k[0])).locks[0].min_commit_ts == h.events["ts3"][k[0]] > h.events["ts2"][read]


def test_two_way_deadlock_second_requester_is_victim():
    h = txn.simulate(sc([("A", "begin", "pessimistic"), ("B", "begin", "pessimistic"),
                         ("A", "add", "x", 1), ("B", "add", "y", 1), ("A", "add", "y", 1),
                         ("B", "add", "x", 1)]))
    d = h.where("detect", "deadlock")
    assert len(d) == 1 and h.workload.txn_name(int(h.events["txn"][d[0]])) == "B"
    assert h.events["value"][d[0]] == 2                          # wait chain B -> A -> B
    # deadlock_key_hash is the key B holds that A waits for: y
    assert h.events["hash"][d[0]] == K.key_hash(np.int64(1))
    g = h.wait_for_graph(int(d[0]))
    assert list(g.edges) == [(0, 1)] and g.edges[0, 1]["key"] == 1
    assert finish_of(h, "A") == "ok" and finish_of(h, "B") == "deadlock"
    assert h.summary()["deadlocks"] == 1
    assert h.check().ok


def test_three_cycle_victim_closes_it_and_graph_stays_acyclic():
    h = txn.simulate(sc([("A", "begin", "pessimistic"), ("B", "begin", "pessimistic"),
                         ("C", "begin", "pessimistic"), ("A", "add", "x", 1), ("B", "add", "y", 1),
                         ("C", "add", "z", 1), ("A", "add", "y", 1), ("B", "add", "z", 1),
                         ("C", "add", "x", 1)]))
    d = h.where("detect", "deadlock")
    assert [h.workload.txn_name(int(h.events["txn"][i])) for i in d] == ["C"]
    assert h.events["value"][d[0]] == 3
    g = h.wait_for_graph(int(d[0]))
    assert set(g.edges) == {(0, 1), (1, 2)} and nx.is_directed_acyclic_graph(g)
    assert [finish_of(h, n) for n in "ABC"] == ["ok", "ok", "deadlock"]
    assert h.final_state().writes[1][0].value == 2              # B then A added 1 to y
    assert h.check().ok


def test_first_lock_skips_detection_and_waiters_served_smallest_start_ts_first():
    # txn.go: isFirstLock -> no detect; lock_waiting_queue: smallest start_ts first
    h = txn.simulate(sc([("H", "begin", "pessimistic"), ("W2", "begin", "pessimistic"),
                         ("W1", "begin", "pessimistic"), ("H", "add", "x", 1), ("W1", "add", "x", 1),
                         ("W2", "add", "x", 1), ("H", "commit"), ("W2", "add", "y", 1)], step_ticks=30))
    waits = h.where("wait_for")
    assert list(h.events["flag"][waits])[:2] == [1, 1] and len(h.where("detect")) == 0
    s = h.state_at(int(waits[1]))
    assert [h.workload.txn_name(t) for t in s.wait_queues[0]] == ["W2", "W1"]   # W2 began first
    woken = h.where("wake_up")
    assert [h.workload.txn_name(int(h.events["txn"][i])) for i in woken][:2] == ["W2", "W1"]
    # legacy mode: the rest of the queue is woken wake_up_delay (20 ms) after the release
    assert h.events["tick"][woken[1]] - h.events["tick"][woken[0]] == 20
    assert h.final_state().writes[0][0].value == 3
    assert h.check().ok


def test_lock_wait_timeout_ends_the_wait_and_resolves_the_dead_holder():
    h = txn.simulate(sc([("H", "begin", "pessimistic"), ("W", "begin", "pessimistic"),
                         ("H", "add", "x", 1), ("H", "crash_before_commit"), ("H", "commit"),
                         ("W", "add", "x", 1)]), pessimistic_ttl=2500, wait_for_lock_timeout=1000)
    to = h.where("wait_timeout")
    assert len(to) >= 2 and h.events["tick"][to[1]] - h.events["tick"][to[0]] == 1001
    assert "ttl_expire" in [h.result_name(k) for k in h.where("check_txn_status")]
    assert finish_of(h, "W") == "ok"
    assert h.check().ok


def test_lost_pessimistic_lock_amend_fails_when_someone_wrote():
    # prewrite.rs amend_pessimistic_lock: lock missing and a newer record -> PessimisticLockNotFound
    steps = [("A", "begin", "pessimistic"), ("A", "add", "x", 1), ("A", "add", "y", 1),
             ("A", "lose_pessimistic_locks"), ("B", "put", "y", 7), ("B", "commit"), ("A", "commit")]
    h = txn.simulate(sc(steps))
    assert len(h.where("lose_pessimistic_lock")) == 1
    assert finish_of(h, "B") == "ok" and finish_of(h, "A") == "pessimistic_lock_not_found"
    assert h.check().ok


def test_state_at_replay_matches_the_kernel_final_state():
    h = txn.simulate(txn.workloads.bank(accounts=6, txns=25, keys_per_txn=3, mode="pessimistic",
                                        crash_after_primary=0.2, seed=3), regions=3, seed=3,
                     resolve_at_end=False)
    s = h.final_state()
    lk = h.final_locks
    assert {k: v.owner for k, v in s.locks.items()} == {k: int(lk[k, 0]) for k in range(h.n_keys) if lk[k, 0] >= 0}
    wr = h.final_writes
    assert sum(len(v) for v in s.writes.values()) == wr.shape[0]
    for k, recs in s.writes.items():
        mine = sorted((int(r[0]), int(r[1]), int(r[2])) for r in wr if r[6] == k)
        assert sorted((r.ts, r.start_ts, K.WRITE_TYPES.index(r.write_type)) for r in recs) == mine
    # stepping back and forth gives the same states
    mid = len(h) // 2
    a = str(h.state_at(mid))
    h.state_at(len(h) - 1)
    assert str(h.state_at(mid)) == a


def test_describe_next_event_and_summary():
    h = txn.simulate(sc([("A", "begin", "pessimistic"), ("B", "begin", "pessimistic"),
                         ("A", "add", "x", 1), ("B", "add", "y", 1), ("A", "add", "y", 1),
                         ("B", "add", "x", 1)]))
    k = h.next_event(0, "deadlock")
    assert h.kind_name(k) == "detect" and "DetectTable::detect" in h.describe(k)
    assert h.next_event(k, "deadlock") == -1
    assert h.kind_name(h.next_event(0, ["wait_for"])) == "wait_for"
    assert h.prev_event(len(h), "conflict") >= 0
    s = h.summary()
    assert s["committed"] == 1 and s["aborts_by_reason"] == {"deadlock": 1}
    assert set(h.events) >= {"step", "tick", "kind", "txn", "key", "region", "ts1", "ts2"}
    assert len({len(v) for v in h.events.values()}) == 1
    assert "commit" in txn.EVENT_KINDS and "check_txn_status" in txn.EVENT_KINDS


@pytest.mark.parametrize("call, match", [
    (lambda: txn.workloads.bank(accounts=0), "accounts"),
    (lambda: txn.workloads.bank(keys_per_txn=9, accounts=8), "keys_per_txn"),
    (lambda: txn.workloads.bank(hot_fraction=1.5), "hot_fraction"),
    (lambda: txn.workloads.bank(mode="fast"), "mode"),
    (lambda: txn.workloads.bank(mode="optimistic", lost_pessimistic_locks=0.1), "lost_pessimistic_locks"),
    (lambda: txn.workloads.random_rw(writes=20, keys=4), "writes"),
    (lambda: txn.workloads.scenario([("T1", "jump", "x")]), r"steps\[0\]"),
    (lambda: txn.workloads.scenario([("T1", "put", "x", 1), ("T1", "put", "x", 2)]), "written twice"),
    (lambda: txn.simulate(txn.workloads.bank(), regions=0), "regions"),
    (lambda: txn.simulate(txn.workloads.bank(), ttl=0), "ttl"),
    (lambda: txn.simulate(txn.workloads.bank(), tll=5), "unknown parameter"),
])
def test_bad_parameters_raise_value_error_naming_them(call, match):
    with pytest.raises(ValueError, match=match):
        call()
