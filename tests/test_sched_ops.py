"""The op language and workload builders: compiled arrays and ValueErrors for bad programs."""
from __future__ import annotations

import numpy as np
import pytest

from gmplab.sched import ops, workloads
from gmplab.sched.ops import Workload


def test_from_programs_compiles_nested_programs_once():
    child = [ops.cpu(10)]
    main = [ops.spawn(child), ops.spawn(child), ops.recv(0)]
    grandchild_sender = [ops.send(0)]
    main.insert(0, ops.spawn(grandchild_sender))
    wl = Workload.from_programs(main, channels=[1])
    assert wl.n_programs == 3
    assert wl.n_goroutines == 4
    assert wl.program(0) == ["spawn(1)", "spawn(2)", "spawn(2)", "recv(0)", "exit()"]
    assert wl.program(2) == ["cpu(10)", "exit()"]


def test_builders_shapes():
    assert workloads.fanout(5, 100).n_goroutines == 6
    wl = workloads.syscall_mix(3, 2, 10, 20)
    assert wl.program(1) == ["cpu(10)", "syscall(20)", "cpu(10)", "syscall(20)", "exit()"]
    wl = workloads.pingpong(2, 3)
    assert wl.n_goroutines == 5 and len(wl.chan_cap) == 4 and not wl.chan_cap.any()
    wl = workloads.pipeline(3, 2, 5)
    assert wl.program(2) == ["recv(0)", "cpu(5)", "send(1)", "recv(0)", "cpu(5)", "send(1)", "exit()"]
    assert workloads.cpu_hogs(4, 10).n_goroutines == 5
    assert "fanout" in repr(workloads.fanout(2, 1))


@pytest.mark.parametrize("make, needle", [
    (lambda: ops.cpu(-1), "cpu(ns): ns must be >= 0"),
    (lambda: ops.sleep(1.5), "sleep(ns): ns must be an int"),
    (lambda: ops.send(-2), "send(ch)"),
    (lambda: ops.spawn(ops.cpu(1)), "spawn(program)"),
    (lambda: workloads.fanout(0, 10), "n must be an int >= 1"),
    (lambda: workloads.pipeline(1, 3, 10), "stages must be an int >= 2"),
])
def test_bad_ops_and_builder_arguments(make, needle):
    with pytest.raises(ValueError, match=needle.replace("(", r"\(").replace(")", r"\)")):
        make()


def test_empty_program_names_the_program():
    with pytest.raises(ValueError, match="program 1: a program must have at least one op"):
        Workload.from_programs([ops.spawn([])])


def test_unknown_channel_names_op_and_position():
    with pytest.raises(ValueError, match=r"send\(3\) at program 0, op 1: unknown channel"):
        Workload.from_programs([ops.cpu(5), ops.send(3)], channels=[0])


def test_unsatisfiable_receive_is_detected_over_all_goroutines():
    receiver = [ops.recv(0)]
    # two receivers, one sender: a receive can never complete
    with pytest.raises(ValueError, match=r"recv\(0\) at program 1, op 0: channel 0 is received from 2 times"):
        Workload.from_programs([ops.spawn(receiver), ops.spawn(receiver), ops.send(0)], channels=[0])
    # a buffer of 1 absorbs one extra send, not two
    Workload.from_programs([ops.send(0)], channels=[1])
    with pytest.raises(ValueError, match=r"send\(0\) at program 0, op 0: channel 0 is sent to 2 times"):
        Workload.from_programs([ops.send(0), ops.send(0)], channels=[1])


def test_ops_after_exit_and_self_spawn_rejected():
    with pytest.raises(ValueError, match="op after exit"):
        Workload.from_programs([ops.exit(), ops.cpu(1)])
    loop = []
    loop.append(ops.spawn(loop))
    with pytest.raises(ValueError, match="spawns itself"):
        Workload.from_programs(loop)


def test_raw_arrays_are_validated():
    with pytest.raises(ValueError, match=r"cpu\(-5\) at program 1, op 0: duration must be >= 0"):
        Workload(np.array([0, 2, 4]), np.array([6, 8]).tolist() + [0, 8], np.array([1, 0, -5, 0]),
                 np.zeros(0))
    with pytest.raises(ValueError, match="program 0: must end with exit"):
        Workload(np.array([0, 1]), np.array([0]), np.array([5]), np.zeros(0))


def test_executed_ops_count_every_goroutines_ops():
    # fanout(n): main runs n spawns and exit; each child runs cpu and exit.
    assert workloads.fanout(7, 100).n_executed_ops == (7 + 1) + 7 * 2
    # Nested: main spawns A twice; A (cpu, spawn, exit) spawns the leaf (cpu, exit) once.
    leaf = [ops.cpu(5)]
    a = [ops.cpu(1), ops.spawn(leaf)]
    wl = Workload.from_programs([ops.spawn(a), ops.spawn(a), ops.sleep(10)])
    # main: 2 spawns + sleep + exit = 4; A: cpu, spawn, exit = 3 (x2); leaf: cpu, exit = 2 (x2)
    assert wl.n_goroutines == 5
    assert wl.n_executed_ops == 4 + 2 * 3 + 2 * 2
