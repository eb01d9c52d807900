"""The generic stepper: controls and their method twins drive the same path."""
from __future__ import annotations

import pytest

from gmplab.apps.stepper import Stepper


def make(n=10, hits=(3, 7)):
    shown = []

    def find_next(k, kinds):
        later = [h for h in hits if h >= k]
        return later[0] if later else -1

    return Stepper(n, shown.append, kinds=("steal", "park"), find_next=find_next), shown


def test_step_back_and_bounds():
    s, shown = make(n=3)
    s.back()  # at the start: stays
    s.step(); s.step(); s.step(); s.step()  # the fourth is past the end: stays
    assert s.position == 3
    s.back()
    assert shown == [0, 1, 2, 3, 2]


def test_buttons_and_slider_call_the_method_twins():
    s, shown = make()
    s.step_button.click()
    s.step_button.click()
    s.back_button.click()
    s.slider.value = 6
    assert s.position == 6
    s.play_widget.value = 8          # what the browser's Play does
    assert s.position == 8 and s.slider.value == 8
    assert shown == [0, 1, 2, 1, 6, 8]


def test_jump_to_next_kind_lands_just_after_the_event():
    s, _ = make()
    assert s.next_of("steal") == 3 and s.position == 4
    assert s.next_of("steal") == 7 and s.position == 8
    assert s.next_of("steal") == -1 and s.position == 8
    assert "no further" in s.status.value
    s.goto(0)
    s.kind_picker.value = "park"
    s.next_button.click()
    assert s.position == 4


def test_play_advances_and_stops_at_the_end():
    s, shown = make(n=5)
    s.play(3)
    assert s.position == 3
    s.play(10)
    assert s.position == 5 and shown == [0, 1, 2, 3, 4, 5]


def test_reset_after_resimulation():
    s, shown = make(n=5)
    s.goto(5)
    s.reset(20)
    assert (s.position, s.slider.max, s.play_widget.max) == (0, 20, 20)
    s.goto(20)
    assert shown[-1] == 20


@pytest.mark.parametrize("bad", [-1, 11, 2.5, "3", True])
def test_goto_rejects_out_of_range_or_non_int(bad):
    s, _ = make()
    with pytest.raises(ValueError, match="step must be"):
        s.goto(bad)


def test_bad_kind_and_speed_are_rejected_with_the_allowed_values():
    s, _ = make()
    with pytest.raises(ValueError, match=r"kind must be one of \('steal', 'park'\)"):
        s.next_of("nonsense")
    with pytest.raises(ValueError, match="interval_ms must be an int in 30..2000"):
        s.set_speed(5)
    s.set_speed(100)
    assert s.play_widget.interval == 100 and s.speed.value == 100


def test_demo_slider_and_twin_agree():
    from gmplab.apps.demo import IdealMakespanDemo

    demo = IdealMakespanDemo(goroutines=16, burst_ms=1.0)
    demo.slider.value = 7
    assert list(demo.point.data["ms"]) == [3.0]
    demo.set_gomaxprocs(16)
    assert demo.slider.value == 16 and list(demo.point.data["ms"]) == [1.0]
    with pytest.raises(ValueError, match="GOMAXPROCS must be an int in 1..16"):
        demo.set_gomaxprocs(17)
