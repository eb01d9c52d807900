"""The goroutine stack model (gmplab.sched.stacks) against stack.go's rule and the measurements."""
import pytest
from hypothesis import given, strategies as st

from gmplab.measurements import load_thread_measurements
from gmplab.sched import stacks
from gmplab.sched.stacks import FIXED_STACK, MAX_STACK, STACK_GUARD, recursion_stack, stack_size


def test_guard_boundary_is_exact():
    # a 2 KiB stack holds 2048 - 928 = 1120 bytes of frames; one more byte doubles it
    assert stack_size(FIXED_STACK - STACK_GUARD) == 2048
    assert stack_size(FIXED_STACK - STACK_GUARD + 1) == 4096
    assert stack_size(4096 - STACK_GUARD + 1) == 8192
    assert stack_size(0, start=8192) == 8192


@pytest.mark.parametrize("section,start", [("go_adaptivestackstart0", 2048), ("go", 8192)])
def test_model_matches_every_measured_depth(section, start):
    rows = load_thread_measurements()[section]["stack_growth"]
    assert len(rows) == 7
    for r in rows:
        measured = r["stack_inuse_per_goroutine"]["median"]
        model = recursion_stack(r["depth"], start=start)
        # StackInuse per goroutine is an average over 10,000: within 5 % of the power of two
        assert abs(measured - model) <= 0.05 * model, (section, r["depth"], measured, model)


@given(st.integers(0, 400_000_000))
def test_size_is_the_smallest_power_of_two_that_fits(used):
    size = stack_size(used)
    assert size >= FIXED_STACK and size & (size - 1) == 0
    assert size - STACK_GUARD >= used
    assert size == FIXED_STACK or size // 2 - STACK_GUARD < used


def test_doublings():
    assert stacks.doublings(0) == 0
    assert stacks.doublings(60) == 4          # 2 -> 4 -> 8 -> 16 -> 32 KiB
    assert stacks.doublings(60, start=8192) == 2


@pytest.mark.parametrize("kwargs,name", [
    (dict(used=-1), "used"), (dict(used=1.5), "used"), (dict(used=0, start=1024), "start"),
    (dict(used=0, start=3000), "start"), (dict(used=True), "used")])
def test_bad_input_names_the_parameter(kwargs, name):
    with pytest.raises(ValueError, match=name):
        stack_size(**kwargs)


def test_stack_overflow_past_maxstacksize():
    assert stack_size(512 * 2**20 - STACK_GUARD) == 512 * 2**20
    with pytest.raises(ValueError, match="maxstacksize"):
        stack_size(MAX_STACK)
    with pytest.raises(ValueError, match="depth"):
        recursion_stack(-1)
