"""gmplab.measurements: the committed goroutine-vs-thread measurements load and make sense.

The expectations are facts of the runtimes, not of this machine's speed: a fresh
goroutine's stack is stackMin = 2048 bytes (stack.go), goroutine stacks grow by
doubling, a pthread's default stack is RLIMIT_STACK of virtual memory of which only a
few pages are resident, and a channel hand-off between goroutines on one thread costs
less than a futex hand-off between two threads on one CPU.
"""
from __future__ import annotations

import json

import pytest

from gmplab.measurements import DEFAULT_PATH, load_thread_measurements


@pytest.fixture(scope="module")
def m():
    return load_thread_measurements()


def test_recorded_with_versions_and_machine(m):
    assert m["versions"]["go"].startswith("go version go1.")
    assert m["versions"]["gcc"].startswith("gcc")
    assert m["versions"]["glibc"]
    assert m["machine"]["logical_cpus"] >= 1 and m["runs"] >= 3


def test_fresh_goroutine_stack_is_stackmin(m):
    assert m["summary"]["goroutine_stack_bytes"] == 2048.0


def test_stack_grows_by_doubling(m):
    growth = m["summary"]["goroutine_stack_growth"]
    sizes = [size for _, size in growth]
    assert sizes == sorted(sizes)
    # deep enough recursion lands exactly on powers of two, each the double of the last
    exact = [s for locals_, s in growth if locals_ >= 7000]
    assert exact and all(s & (s - 1) == 0 for s in map(int, exact))
    assert all(b == 2 * a for a, b in zip(exact, exact[1:]))
    # the stack always holds at least the locals it is asked to hold
    assert all(size >= locals_ for locals_, size in growth)


def test_thread_memory_is_mostly_virtual(m):
    s = m["summary"]
    assert s["thread_stack_virtual_bytes"] == m["pthreads"]["rlimit_stack_bytes"]
    assert s["thread_vm_bytes"] >= s["thread_stack_virtual_bytes"]   # stack + guard page
    assert 4096 <= s["thread_rss_bytes"] < 64 * 1024                # a few touched pages
    assert s["thread_rss_bytes"] > s["goroutine_stack_bytes"]


def test_switch_and_creation_ordering(m):
    s = m["summary"]
    assert s["goroutine_switch_ns"] < s["thread_switch_same_cpu_ns"]
    assert s["thread_switch_same_cpu_ns"] < s["thread_switch_any_cpu_ns"]
    assert s["goroutine_create_run_exit_ns"] < s["thread_create_join_ns"]
    assert s["goroutine_create_ns"] < s["thread_create_ns"]


def test_medians_are_medians_of_samples(m):
    import statistics
    for section in ("go", "pthreads"):
        for key, value in m[section].items():
            if isinstance(value, dict) and "median" in value:
                assert value["median"] == statistics.median(value["samples"]), key
                assert len(value["samples"]) == m["runs"]


def test_bad_files_raise_naming_the_problem(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        load_thread_measurements(tmp_path / "nope.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    with pytest.raises(ValueError, match="not valid JSON"):
        load_thread_measurements(bad)
    data = json.loads(DEFAULT_PATH.read_text())
    del data["pthreads"]["create_join_ns"]
    bad.write_text(json.dumps(data))
    with pytest.raises(ValueError, match="create_join_ns"):
        load_thread_measurements(bad)
    bad.write_text(json.dumps({"machine": {}}))
    with pytest.raises(ValueError, match="missing section 'versions'"):
        load_thread_measurements(bad)
