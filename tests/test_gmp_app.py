"""The GMP app: controls and method twins re-simulate and update the views in place."""
from __future__ import annotations

import numpy as np
import pytest

from gmplab.apps.gmp import GMPApp
from gmplab.viz.board import board_data


def test_step_shows_the_state_after_each_event_and_names_the_function():
    app = GMPApp("fanout", gomaxprocs=1)
    app.step()
    assert app.stepper.position == 1
    assert app.caption.startswith("step 1 — ") and app.trace.describe(0) in app.caption
    app.back()
    assert app.caption.startswith("step 0 — initial state")


def test_slider_resimulates_and_board_gets_one_column_per_p():
    app = GMPApp("fanout", gomaxprocs=2)
    figure = app.board.figure
    app.procs_slider.value = 8           # what the mouse does
    assert app.gomaxprocs == 8 and app.trace.gomaxprocs == 8
    assert app.board.figure is figure    # updated in place, not rebuilt
    headers = [l for l, r in zip(app.board.cells.data["label"], app.board.cells.data["role"]) if r == "P"]
    assert len(headers) == 8 and headers[0].startswith("P0")
    app.set_gomaxprocs(3)                # the method twin
    assert app.procs_slider.value == 3 and app.trace.gomaxprocs == 3


def test_jump_to_the_first_steal_lands_after_a_runqsteal():
    app = GMPApp("fanout", gomaxprocs=2)
    index = app.next_of("runqsteal")
    assert index >= 0 and app.stepper.position == index + 1
    assert "runqsteal" in app.caption


def test_board_columns_follow_the_state():
    app = GMPApp("fanout", gomaxprocs=1)
    app.goto(len(app.trace))
    data = board_data(app.state, 1)
    assert list(data["role"]).count("P") == 1
    assert np.all(app.state.g_status == 6)  # every goroutine has finished


@pytest.mark.parametrize("bad", [0, 65, 2.0, "4"])
def test_bad_gomaxprocs_names_the_range(bad):
    app = GMPApp("pingpong", gomaxprocs=1)
    with pytest.raises(ValueError, match=r"GOMAXPROCS must be an int in 1..64"):
        app.set_gomaxprocs(bad)


def test_bad_workload_lists_the_choices():
    with pytest.raises(ValueError, match="workload must be one of"):
        GMPApp("nonsense")
