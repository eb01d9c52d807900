"""Chapter 01: the measured-cost helpers, the exercises and the CostsApp method twins."""
import pytest

from gmplab.apps.costs import TASK_STOPS, CostsApp
from gmplab.measurements import load_thread_measurements
from gmplab.sched import costs, lessons


def test_footprint_is_linear_in_tasks():
    a, b = costs.footprint(1000), costs.footprint(3000)
    s = load_thread_measurements()["summary"]
    assert a["goroutine_stack_bytes"] == 1000 * s["goroutine_stack_bytes"]
    for k in a:
        assert b[k] == pytest.approx(3 * a[k])
    with pytest.raises(ValueError, match="tasks"):
        costs.footprint(0)


def test_engine_costs_follow_the_cost_keywords():
    # one hand-off on one P = chan op + switch; spawn+exit = spawn + switch (engine rule)
    assert costs.engine_handoff_ns(1000, chan_ns=50, switch_ns=100) == pytest.approx(150, rel=0.01)
    assert costs.engine_spawn_exit_ns(1000, spawn_ns=300, switch_ns=100) == pytest.approx(400, rel=0.01)


def test_model_vs_measured_handoff_is_an_independent_check():
    rows = {r["what"]: r for r in costs.model_vs_measured()}
    hand = rows["channel hand-off, GOMAXPROCS=1 (ns)"]
    assert "independent" in hand["source"]
    assert hand["calibrated"] == pytest.approx(hand["measured"], rel=0.05)
    assert hand["default"] > 1.5 * hand["measured"]


def test_exercises_right_and_wrong():
    assert lessons.STACK_AT_DEPTH.answer() == 32768
    assert lessons.STACK_AT_DEPTH.check(32768).startswith("right")
    assert lessons.STACK_AT_DEPTH.check(2048).startswith("not quite")
    assert lessons.HANDOFF_RATIO.answer() == 6
    assert lessons.HANDOFF_RATIO.check(20).startswith("not quite")
    assert lessons.MILLION_GOROUTINES.check(1900).startswith("right")
    assert lessons.MILLION_GOROUTINES.check(1000).startswith("not quite")
    with pytest.raises(ValueError, match="depth"):
        lessons.measured_stack_at_depth(5)


def test_twins_update_the_sources_in_place():
    app = CostsApp(tasks=1_000)
    mem, time = app.memory, app.time
    before = list(mem.data["value"])
    app.set_tasks(1_000_000)
    assert app.memory is mem and app.time is time          # patched, not rebuilt
    assert app.tasks_slider.value == 1_000_000
    assert mem.data["value"][0] == pytest.approx(1000 * before[0])
    app.set_depth(60)
    assert app.depth_slider.value == 60 and app.cursor.location == 60
    assert app.point.data["kib"] == [32.0]
    assert "32 KiB" in app.caption() and "1,000,000 tasks" in app.caption()


def test_sliders_drive_the_twins():
    app = CostsApp()
    app.tasks_slider.value = 3_000_000
    app.depth_slider.value = 124
    assert app.tasks == 3_000_000 and app.depth == 124
    assert "64 KiB" in app.label.value


@pytest.mark.parametrize("call,name", [(lambda a: a.set_tasks(5), "tasks"),
                                       (lambda a: a.set_depth(253), "depth"),
                                       (lambda a: a.set_depth(-1), "depth")])
def test_bad_input(call, name):
    app = CostsApp()
    with pytest.raises(ValueError, match=name):
        call(app)
    assert app.tasks == 10_000 and app.depth == 0          # nothing half-written


def test_static_layout_builds():
    app = CostsApp(tasks=TASK_STOPS[0])
    layout = app.static_layout()
    assert len(layout.children) == 7
