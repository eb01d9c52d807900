"""The transaction and CDC apps: every control drives its method twin, knobs re-simulate
and the views follow; jumps land just after the event."""
from __future__ import annotations

import warnings

import pytest

from gmplab import txn
from gmplab.apps.txn import JUMP_CHOICES, TxnApp

warnings.filterwarnings("ignore", category=RuntimeWarning)


def deadlock_scenario():
    return txn.workloads.scenario(
        [("A", "begin", "pessimistic"), ("B", "begin", "pessimistic"),
         ("A", "add", "x", 1), ("B", "add", "y", 1), ("A", "add", "y", 1), ("B", "add", "x", 1),
         ("A", "commit"), ("B", "commit")], regions={"x": 0, "y": 1})


def holder_scenario():
    """A locks x and commits only 30 ticks later; B waits for x meanwhile (its first lock,
    so no detection)."""
    return txn.workloads.scenario(
        [("A", "begin", "pessimistic"), ("A", "add", "x", 1), ("B", "begin", "pessimistic"),
         ("B", "add", "x", 1), ("A", "commit"), ("B", "commit")])


def test_jump_to_deadlock_lands_after_the_detect_row_and_the_graph_shows_it():
    app = TxnApp(deadlock_scenario(), regions=2)
    index = app.next_of("deadlock")
    h = app.history
    assert h.kind_name(index) == "detect" and h.result_name(index) == "deadlock"
    assert app.position == index + 1
    assert app.caption.startswith(f"#{index} ") and "B is the deadlock victim" in app.caption
    e = app.graph.edge_source.data
    assert list(zip(e["start"], e["end"])) == [(0, 1), (1, 0)]      # A->B, and B->A closing
    assert app.next_of("deadlock") == -1 and app.position == index + 1


def test_buttons_and_widgets_call_the_twins():
    app = TxnApp(txns=6, accounts=4, hot_fraction=1.0, seed=3, views=("board",))
    assert app.graph is None
    app.stepper.step_button.click()
    app.stepper.step_button.click()
    app.stepper.back_button.click()
    assert app.position == 1
    before = len(app.history)
    app.mode_picker.value = "optimistic"            # the toggle -> set_mode -> re-simulation
    assert app.mode == "optimistic"
    assert all(m == 0 for m in app.history.workload.txn_mode)
    assert app.board.history is app.history
    app.size_slider.value = 3
    assert app.keys_per_txn == 3
    assert int(app.history.workload.op_start[1]) == 3
    app.regions_slider.value = 1
    assert app.history.regions == 1 and set(app.board.keys.data["region"]) == {0}
    assert before > 0 and app.stepper.n == len(app.history)


def test_wait_timeout_knob_makes_the_waiter_time_out():
    app = TxnApp(holder_scenario(), regions=1, wait_timeout=1000)
    assert app.history.where("wait_timeout").size == 0
    assert app.history.where("wake_up").size == 1
    app.set_wait_timeout(10)
    assert app.wait_slider.value == 10
    assert app.history.where("wait_timeout").size >= 1
    assert app.history.params["wait_for_lock_timeout"] == 10


def test_crash_probability_leaves_locks_for_readers():
    app = TxnApp(txns=16, accounts=6, hot_fraction=0.5, mode="optimistic", seed=2)
    assert app.history.where("client_crash").size == 0
    app.set_crash_probability(0.5)
    assert app.history.where("client_crash").size > 0
    assert "history checks pass" in app.summary.value


def test_resimulation_keeps_the_tick():
    app = TxnApp(txns=10, accounts=6, seed=1)
    app.goto(40)
    tick = int(app.history.events["tick"][39])
    app.set_seed(2)
    k = app.position
    assert k == 0 or int(app.history.events["tick"][k - 1]) <= tick
    assert k == len(app.history) or int(app.history.events["tick"][k]) > tick


def test_same_knobs_same_run():
    a = TxnApp(txns=8, seed=5, hot_fraction=0.7)
    b = TxnApp(txns=8, seed=5, hot_fraction=0.7)
    for col in a.history.events:
        assert (a.history.events[col] == b.history.events[col]).all()


def test_bad_knob_values_name_the_knob():
    app = TxnApp(txns=4)
    for method, bad, name in ((app.set_hot_fraction, 1.5, "hot_fraction"),
                              (app.set_keys_per_txn, 0, "keys_per_txn"),
                              (app.set_mode, "eager", "mode"),
                              (app.set_crash_probability, 0.9, "crash_probability"),
                              (app.set_wait_timeout, 1, "wait_timeout"),
                              (app.set_regions, 9, "regions"),
                              (app.set_seed, -1, "seed")):
        with pytest.raises(ValueError, match=name):
            method(bad)
    with pytest.raises(ValueError, match="views"):
        TxnApp(views=("timeline",))
    with pytest.raises(ValueError, match="kind must be one of"):
        app.next_of("teleport")
    scen = TxnApp(deadlock_scenario(), regions=2)
    with pytest.raises(ValueError, match="hand-made scenario"):
        scen.set_mode("optimistic")
    assert "deadlock" in JUMP_CHOICES


def test_widget_and_static_layout_build():
    from bokeh.models import Slider
    app = TxnApp(deadlock_scenario(), regions=2)
    assert app.widget() is app.widget()
    knobs = app.widget().children[0]
    shown = [w for box in knobs.children for w in box.children]
    assert app.mode_picker not in shown and app.wait_slider in shown     # scenario: engine knobs only
    bank_knobs = TxnApp(txns=4).widget().children[0]
    assert any(w.description == "hot fraction"
               for box in bank_knobs.children for w in box.children if hasattr(w, "description"))
    layout = app.static_layout(max_frames=10)
    slider = next(m for m in layout.select({"type": Slider}) if "gmplab-step-slider" in m.tags)
    # one callback swaps the board's frame, the second the wait-for graph's
    assert slider.end == 10 and len(slider.js_property_callbacks["change:value"]) == 2
    board_only = TxnApp(deadlock_scenario(), regions=2, views=("board",)).static_layout(max_frames=10)
    slider = next(m for m in board_only.select({"type": Slider}) if "gmplab-step-slider" in m.tags)
    assert len(slider.js_property_callbacks["change:value"]) == 1


# ---- the CDC app -------------------------------------------------------------------------------
from gmplab.apps.cdc import CdcApp  # noqa: E402


def test_cdc_untracked_lock_breaks_the_resolved_order():
    ok = CdcApp(txns=16, accounts=8, regions=3, crash_probability=0.3)
    assert ok.report.ok and ok.next_of("late_commit") == -1
    app = CdcApp(txns=16, accounts=8, regions=3, crash_probability=0.3, untracked_lock=True)
    assert not app.report.ok
    assert {v.check for v in app.report.violations} == {"resolved_order"}
    i = app.next_of("late_commit")
    e = app.streams.events
    assert i >= 0 and app.position == i + 1
    assert int(e["commit_ts"][i]) <= int(app.merged.frontier[i - 1])     # arrived below the frontier
    app.goto(len(app.streams))
    assert app.status["late"] == len(app.report.violations)


def test_cdc_resubscribe_duplicates_and_orphan_lag():
    dup = CdcApp(txns=16, accounts=8, regions=3, resubscribe=True)
    assert dup.report.ok and dup.report.duplicates >= 1
    dup.next_of("duplicate")
    assert "COMMITTED" in dup.caption
    base = CdcApp(txns=16, accounts=8, regions=3)
    stuck = CdcApp(txns=16, accounts=8, regions=3, orphan_lock=True)
    assert stuck.report.ok
    # the orphan holds the checkpoint back: fewer, later advances, same final rows
    assert len(stuck.merged.checkpoint) < len(base.merged.checkpoint)
    assert sorted(stuck.merged.rows["commit_ts"].tolist()) == sorted(base.merged.rows["commit_ts"].tolist())


def test_cdc_controls_call_the_twins():
    app = CdcApp(txns=8, regions=2)
    app.untracked_box.value = True
    assert app.untracked_lock and app.streams.faults["untracked_txn"] == app.untracked_txn
    app.regions_slider.value = 3
    assert app.regions == 3 and app.streams.regions == 3 and app.stepper.n == len(app.streams)
    app.set_min_ts_interval(10)
    assert app.interval_slider.value == 10 and app.streams.min_ts_interval == 10
    app.set_max_delay(0)
    assert (app.streams.faults["region_delay"] == 0).all()
    app.play(5)
    assert app.position == 5
    for method, bad, name in ((app.set_regions, 0, "regions"), (app.set_min_ts_interval, 0, "min_ts_interval"),
                              (app.set_orphan_lock, "yes", "orphan_lock"), (app.set_seed, 2**31, "seed")):
        with pytest.raises(ValueError, match=name):
            method(bad)
    with pytest.raises(ValueError, match="kind must be one of"):
        app.next_of("merge")
    assert app.widget() is app.widget()
    from bokeh.models import Slider
    layout = app.static_layout(max_frames=5)
    slider = next(m for m in layout.select({"type": Slider}) if "gmplab-step-slider" in m.tags)
    assert slider.end == 5 and len(slider.js_property_callbacks["change:value"]) == 2
