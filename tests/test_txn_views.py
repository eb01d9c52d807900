"""The transaction board and the wait-for graph: pure data functions on small scenarios
whose outcome follows from the TiKV rules, and properties over random bank runs."""
from __future__ import annotations

import warnings

import pytest
from hypothesis import given, settings, strategies as st

from gmplab import txn
from gmplab.viz.txnboard import (STATUS_COLOR, TxnBoard, board_data, clients_data, clock_html,
                                 key_layout)
from gmplab.viz.waitfor import (CLOSING_COLOR, WaitForGraph, closing_edge, stable_layout,
                                waitfor_data)

warnings.filterwarnings("ignore", category=RuntimeWarning)


def crash_after_primary():
    """T1 writes x (primary, region 0) and y (region 1), dies after the primary commit;
    T2 later reads y and rolls T1's secondary forward."""
    w = txn.workloads.scenario([("T1", "begin"), ("T1", "put", "x", 7), ("T1", "put", "y", 8),
                                ("T1", "crash_after_primary"), ("T1", "commit"),
                                ("T2", "begin"), ("T2", "get", "y"), ("T2", "commit")],
                               regions={"x": 0, "y": 1})
    return txn.simulate(w, regions=2, seed=0)


def three_way_deadlock():
    """A locks x, B locks y, C locks z; then A wants y, B wants z, C wants x: C closes the
    cycle, so C is the victim (deadlock.rs: the requester whose edge closes it)."""
    w = txn.workloads.scenario(
        [("A", "begin", "pessimistic"), ("B", "begin", "pessimistic"), ("C", "begin", "pessimistic"),
         ("A", "add", "x", 1), ("B", "add", "y", 1), ("C", "add", "z", 1),
         ("A", "add", "y", 1), ("B", "add", "z", 1), ("C", "add", "x", 1),
         ("A", "commit"), ("B", "commit"), ("C", "commit")],
        regions={"x": 0, "y": 1, "z": 2})
    return txn.simulate(w, regions=3, seed=0)


def first(h, kind, result=None):
    return int(h.where(kind, result)[0])


# ---- the board ---------------------------------------------------------------------------------
def test_board_shows_locks_then_write_records_of_the_crashed_txn():
    h = crash_after_primary()
    k_pw = first(h, "prewrite") + 1                 # after the first prewrite
    d = board_data(h, k_pw)
    assert d["name"] == ["x", "y"]
    locked = [i for i, s in enumerate(d["lock"]) if s != "no lock"]
    assert len(locked) == 1
    lock_ttl = int(h.events["ttl"][k_pw - 1])
    assert d["lock"][locked[0]] == f"put lock · T1\nstart 1 · primary x\nttl {lock_ttl}"
    # the key the event touched is outlined
    key = int(h.events["key"][k_pw - 1])
    assert d["lw"][key] == 4 and sum(1 for w in d["lw"] if w == 4) == 1

    k_commit = first(h, "commit") + 1               # the primary's commit: x has a Put record
    d = board_data(h, k_commit)
    assert d["lock"][0] == "no lock"
    assert d["writes"][0] == f"put@{int(h.events['ts2'][k_commit - 1])} =7 (T1)"
    assert d["lock"][1].startswith("put lock · T1")      # y still locked: the client crashed

    commit_ts = int(h.events["ts2"][k_commit - 1])
    d = board_data(h, len(h))                       # T2 rolled y forward: same commit_ts
    assert d["lock"] == ["no lock", "no lock"]
    assert d["writes"] == [f"put@{commit_ts} =7 (T1)", f"put@{commit_ts} =8 (T1)"]


def test_board_groups_keys_by_region_and_starts_empty():
    x, row = key_layout([0, 1, 0, 2, 1], 3)
    assert list(row) == [0, 0, 1, 0, 1]
    assert list(x) == [0.0, 5.4, 0.0, 10.8, 5.4]
    h = crash_after_primary()
    d = board_data(h, 0)
    assert d["lock"] == ["no lock", "no lock"] and d["writes"] == ["initial =0", "initial =0"]
    assert d["region"] == [0, 1]


def test_clients_table_statuses_and_latest_steps():
    h = crash_after_primary()
    d = clients_data(h, len(h))
    assert d["txn"] == ["T1", "T2"]
    assert d["status"] == ["crashed", "committed"]
    assert d["color"] == [STATUS_COLOR["crashed"], STATUS_COLOR["committed"]]
    assert d["last"][1].endswith("finish")
    assert clients_data(h, 0)["status"] == ["pending", "pending"]


def test_wait_queue_appears_in_the_lock_cell():
    h = three_way_deadlock()
    k = first(h, "wait_for") + 1                    # A waits for B on y
    d = board_data(h, k)
    assert d["lock"][1].endswith("waiting: A")


def test_clock_and_bad_positions():
    h = crash_after_primary()
    assert f"step {len(h)} of {len(h)}" in clock_html(h, len(h))
    for bad in (-1, len(h) + 1, 1.5, True):
        with pytest.raises(ValueError, match="k must be"):
            board_data(h, bad)
    with pytest.raises(ValueError, match="key_region"):
        key_layout([0, 3], 2)


def test_board_updates_in_place():
    h = three_way_deadlock()
    board = TxnBoard(h)
    fig, src = board.figure, board.keys
    assert board.clients.text.count("<td style='padding:1px 10px;border-left:8px solid #BBBBBB'>pending") == 3
    board.update(len(h), "end")
    assert board.figure is fig and board.keys is src
    assert board.keys.data["lock"] == ["no lock"] * 3
    assert "end" in board.clock.text
    assert "pending" not in board.clients.text and ">aborted<" in board.clients.text


# ---- the wait-for graph ------------------------------------------------------------------------
def test_three_way_deadlock_closing_edge_and_victim():
    h = three_way_deadlock()
    k = first(h, "detect", "deadlock") + 1
    assert closing_edge(h, k) == (2, 0, 0)           # C -> A on x
    view = WaitForGraph(h)
    view.update(k)
    e = view.edge_source.data
    pairs = list(zip(e["start"], e["end"], e["label"]))
    assert pairs == [(0, 1, "y"), (1, 2, "z"), (2, 0, "x (closes a cycle)")]
    assert e["color"] == ["#444444", "#444444", CLOSING_COLOR] and e["dash"][-1] == "dashed"
    n = view.node_source.data
    assert n["ring"] == ["#333333", "#333333", CLOSING_COLOR]
    assert n["status"] == ["waiting", "waiting", "waiting"]
    # one step earlier no cycle is drawn; after the victim is cancelled and cleaned up, B's
    # edge to C is gone (B was woken), A still waits for B
    assert closing_edge(h, k - 1) is None
    k_clean = int(h.next_event(k - 1, "clean_up_wait_for")) + 1
    view.update(k_clean)
    assert list(zip(view.edge_source.data["start"], view.edge_source.data["end"])) == [(0, 1)]


def test_layout_is_fixed_between_steps():
    h = three_way_deadlock()
    view = WaitForGraph(h)
    pos = [(x, y) for x, y in zip(view.node_source.data["x"], view.node_source.data["y"])]
    for k in range(len(h) + 1):
        view.update(k)
        assert list(zip(view.node_source.data["x"], view.node_source.data["y"])) == pos
    assert view.renderer.layout_provider.graph_layout == stable_layout(3)


def test_waitfor_data_rejects_nodes_without_positions():
    import networkx as nx
    g = nx.DiGraph()
    g.add_node(5)
    with pytest.raises(ValueError, match="node 5"):
        waitfor_data(g, stable_layout(2))
    with pytest.raises(ValueError, match="n_txns"):
        stable_layout(-1)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), hot=st.sampled_from([0.5, 1.0]), k_frac=st.floats(0, 1))
def test_graph_matches_the_detector_table(seed, hot, k_frac):
    w = txn.workloads.bank(accounts=6, txns=8, keys_per_txn=2, hot_fraction=hot,
                           mode="pessimistic", seed=seed)
    h = txn.simulate(w, regions=2, seed=seed)
    k = int(round(k_frac * len(h)))
    g = h.wait_for_graph(k - 1)
    d = waitfor_data(g, stable_layout(h.n_txns), closing=closing_edge(h, k))
    extra = 1 if closing_edge(h, k) else 0
    assert len(d["edges"]["start"]) == g.number_of_edges() + extra
    assert set(zip(d["edges"]["start"], d["edges"]["end"])) >= set(g.edges())
    # the detector never holds a cycle (the closing edge is drawn, not inserted)
    import networkx as nx
    assert nx.is_directed_acyclic_graph(g)
    # every status is one the legend knows, and board rows cover every key once
    assert set(d["nodes"]["status"]) <= set(STATUS_COLOR)
    assert len(board_data(h, k)["name"]) == h.n_keys


# ---- the CDC view ------------------------------------------------------------------------------
def hand_streams(events):
    """CdcStreams from a hand-written arrival list of (region, op, key, start_ts, commit_ts)."""
    import numpy as np
    from gmplab import cdc
    cols = {c: [] for c in cdc.STREAM_COLUMNS}
    seq = {}
    for i, (r, op, key, st, ct) in enumerate(events):
        for c, v in (("region", r), ("op", cdc.OPS.index(op)), ("key", key), ("start_ts", st),
                     ("commit_ts", ct), ("value", 10 * st), ("apply_tick", i), ("arrive_tick", i),
                     ("seq", seq.get(r, 0)), ("source_step", -1)):
            cols[c].append(v)
        seq[r] = seq.get(r, 0) + 1
    ev = {c: np.asarray(v, dtype=np.int64) for c, v in cols.items()}
    return cdc.CdcStreams(ev, regions=2, min_ts_interval=1)


def test_cdc_rows_wait_for_the_slowest_region():
    from gmplab import cdc
    from gmplab.viz.cdcview import cdc_data
    s = hand_streams([(0, "prewrite", 0, 1, 0), (0, "commit", 0, 1, 3), (1, "resolved", -1, 0, 2),
                      (0, "resolved", -1, 0, 5), (1, "resolved", -1, 0, 6)])
    m = cdc.merge(s)
    d = cdc_data(s, m, 4)          # region 0 at 5, region 1 at 2: frontier 2 < 3
    assert d["status"]["frontier"] == 2 and d["status"]["region_resolved"] == [5, 2]
    assert d["status"]["emitted"] == 0 and d["buffer"]["commit_ts"] == [3]
    assert d["status"]["lag"] == 3
    d = cdc_data(s, m, 5)          # region 1 reaches 6: frontier 5, the row goes out
    assert d["status"]["frontier"] == 5 and d["status"]["checkpoint"] == 5
    assert d["emitted"]["commit_ts"] == [3] and d["emitted"]["kind"] == ["ok"]
    assert d["buffer"]["commit_ts"] == []
    assert [l for l in d["lanes"]["label"]] == ["P s1", "C 3", "r=2", "r=5", "r=6"]
    for bad in (-1, 6, True):
        with pytest.raises(ValueError, match="p must be"):
            cdc_data(s, m, bad)


def test_cdc_late_and_duplicate_rows_are_flagged():
    from gmplab import cdc
    from gmplab.viz.cdcview import cdc_data, row_flags
    # region 0 forgot the lock of start_ts 2 (no PREWRITE tracked) and resolves to 5; its
    # commit at 4 arrives after the marker 5 -> late. A re-scan sends start_ts 1 again -> duplicate.
    s = hand_streams([(0, "committed", 0, 1, 3), (0, "resolved", -1, 0, 5), (1, "resolved", -1, 0, 6),
                      (0, "commit", 1, 2, 4), (0, "committed", 0, 1, 3), (0, "resolved", -1, 0, 7),
                      (1, "resolved", -1, 0, 8)])
    m = cdc.merge(s)
    dup, late = row_flags(m)
    assert m.rows["commit_ts"].tolist() == [3, 3, 4]
    assert dup.tolist() == [False, True, False] and late.tolist() == [False, False, True]
    d = cdc_data(s, m, len(s))
    assert d["emitted"]["kind"] == ["ok", "duplicate", "late"]
    assert d["status"]["duplicates"] == 1 and d["status"]["late"] == 1


def test_cdc_view_updates_in_place():
    from gmplab import cdc
    from gmplab.viz.cdcview import CdcView
    h = txn.simulate(txn.workloads.bank(txns=8, mode="optimistic"), regions=2)
    s = cdc.streams(h, min_ts_interval=5)
    m = cdc.merge(s)
    view = CdcView(s, m)
    fig, src = view.output_figure, view.emitted
    view.update(len(s), "end")
    assert view.output_figure is fig and view.emitted is src
    assert len(view.emitted.data["commit_ts"]) == len(m)
    assert view.checkpoint_line.location == int(m.checkpoint[-1])
    assert "end" in view.status.text


def test_crowded_graph_still_draws_every_edge():
    from gmplab.viz.waitfor import node_size
    h = txn.simulate(txn.workloads.bank(accounts=16, txns=100, hot_fraction=0.8), regions=3)
    layout = stable_layout(h.n_txns)
    assert node_size(3) == 34 and node_size(100) == 8
    waits = h.where("detect")
    assert waits.size > 0
    for k in list(waits[:50]) + [len(h) - 1]:
        d = waitfor_data(h.wait_for_graph(int(k)), layout, closing=closing_edge(h, int(k) + 1))
        assert all(len(xs) >= 2 for xs in d["edges"]["xs"])
        assert len(d["arrows"]["x_end"]) == len(d["edges"]["start"])


def test_flat_frame_for_the_static_player():
    import math
    from gmplab.viz.waitfor import flat_frame
    h = three_way_deadlock()
    view = WaitForGraph(h)
    k = first(h, "detect", "deadlock") + 1
    f = flat_frame(view.data(k))
    assert f["text"] == ["A", "B", "C", "y", "z", "x (closes a cycle)"]
    assert all(math.isnan(v) for v in f["x0"][:3]) and all(math.isnan(v) for v in f["nx"][3:])
    assert f["color"][-1] == CLOSING_COLOR and f["ring"][2] == CLOSING_COLOR
    assert len({len(v) for v in f.values()}) == 1


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), regions=st.integers(1, 4), p_frac=st.floats(0, 1),
       untracked=st.booleans())
def test_cdc_view_accounts_for_every_row(seed, regions, p_frac, untracked):
    import numpy as np
    from gmplab import cdc
    from gmplab.viz.cdcview import cdc_data
    h = txn.simulate(txn.workloads.bank(accounts=6, txns=10, mode="optimistic", seed=seed,
                                        crash_after_primary=0.3), regions=regions, seed=seed)
    kw = {"untracked_txn": 0} if untracked else {}
    s = cdc.streams(h, min_ts_interval=3, seed=seed, **kw)
    m = cdc.merge(s)
    p = int(round(p_frac * len(s)))
    d = cdc_data(s, m, p)
    st_ = d["status"]
    rows_in = int(np.isin(s.events["op"][:p], [cdc.OPS.index("commit"), cdc.OPS.index("committed")]).sum())
    assert st_["emitted"] + st_["buffered"] == rows_in            # every arrived row is somewhere
    assert d["buffer"]["commit_ts"] == sorted(d["buffer"]["commit_ts"])
    # rows still buffered lie above the frontier (the merge only holds what it may not emit) —
    # unless the untracked-lock fault let the frontier pass a row that had not arrived yet:
    # that row is late, which is the violation the fault exists to show
    if not untracked:
        assert all(c > st_["frontier"] for c in d["buffer"]["commit_ts"])
    # the frontier is the slowest region's resolved ts once every region has spoken
    if all(v > 0 for v in st_["region_resolved"]):
        assert st_["frontier"] == min(st_["region_resolved"])
    assert st_["checkpoint"] <= st_["frontier"]
    assert len(d["lanes"]["x"]) == min(p, 36)
