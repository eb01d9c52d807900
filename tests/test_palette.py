"""Every view's palette stays distinguishable with the common colour-vision deficiencies."""
from __future__ import annotations

import pytest

from gmplab.viz.colorblind import min_pairwise_delta_e
from gmplab.viz.theme import OKABE_ITO, ROLE

DEFICIENCIES = ("normal", "protanopia", "deuteranopia", "tritanopia")


@pytest.mark.parametrize("deficiency", DEFICIENCIES)
def test_category_palette_is_distinguishable(deficiency):
    assert min_pairwise_delta_e(OKABE_ITO, deficiency) > 10


@pytest.mark.parametrize("deficiency", DEFICIENCIES)
def test_state_colours_are_distinguishable(deficiency):
    states = [ROLE[k] for k in ("running", "runnable", "syscall", "waiting", "idle", "spinning")]
    assert min_pairwise_delta_e(states, deficiency) > 10


def test_the_check_catches_red_green():
    assert min_pairwise_delta_e(("#FF0000", "#00AA00"), "deuteranopia") < 10
    assert min_pairwise_delta_e(("#FF0000", "#00AA00"), "normal") > 10
