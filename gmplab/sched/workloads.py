"""Builders for the standard workloads (ARCHITECTURE.md): each returns a :class:`Workload`
whose arrays are built directly with NumPy, so a million goroutines cost milliseconds.

============================================ ==============================================
``fanout(n, cpu_ns)``                        main starts n goroutines of one CPU burst each
``syscall_mix(n, rounds, cpu_ns, syscall_ns)`` n goroutines alternating CPU and blocking syscalls
``pingpong(pairs, rounds)``                  pairs exchanging messages over unbuffered channels
``pipeline(stages, items, cpu_ns)``          a chain of stages joined by unbuffered channels
``cpu_hogs(n, duration_ns)``                 n tight loops that never yield
============================================ ==============================================

For a hand-made workload write programs with :mod:`gmplab.sched.ops` and compile them with
``Workload.from_programs`` (see :func:`custom`).

Example
-------
>>> from gmplab.sched import workloads
>>> workloads.fanout(1000, 50_000).n_goroutines
1001
>>> workloads.pingpong(2, 3).description
'2 pairs of goroutines exchanging 3 round trips each over unbuffered channels'
"""
from __future__ import annotations

import numpy as np

from gmplab.sched.ops import (OP_CPU, OP_EXIT, OP_RECV, OP_SEND, OP_SPAWN, OP_SYSCALL, Workload)


def _pos(name, v, lo=1):
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < lo:
        raise ValueError(f"{name} must be an int >= {lo}, got {v!r}")
    return int(v)


def _build(programs: list[tuple[np.ndarray, np.ndarray]], chan_cap, name, description) -> Workload:
    lens = [len(k) for k, _ in programs]
    prog_off = np.zeros(len(programs) + 1, np.int64)
    prog_off[1:] = np.cumsum(lens)
    kinds = np.concatenate([k for k, _ in programs]).astype(np.int32)
    args = np.concatenate([a for _, a in programs]).astype(np.int64)
    return Workload(prog_off, kinds, args, np.asarray(chan_cap, np.int64), name=name,
                    description=description)


def _main_spawning(children: list[int]) -> tuple[np.ndarray, np.ndarray]:
    n = len(children)
    kinds = np.full(n + 1, OP_SPAWN, np.int32)
    kinds[-1] = OP_EXIT
    args = np.zeros(n + 1, np.int64)
    args[:n] = children
    return kinds, args


def fanout(n: int, cpu_ns: int) -> Workload:
    """main starts ``n`` goroutines, each one CPU burst of ``cpu_ns`` then exit."""
    n, cpu_ns = _pos("n", n), _pos("cpu_ns", cpu_ns, 0)
    main = _main_spawning([1] * n)
    child = (np.array([OP_CPU, OP_EXIT]), np.array([cpu_ns, 0]))
    return _build([main, child], [], "fanout",
                  f"main starts {n} goroutines of one {cpu_ns / 1000:g} µs CPU burst each")


def syscall_mix(n: int, rounds: int, cpu_ns: int, syscall_ns: int) -> Workload:
    """``n`` goroutines, each ``rounds`` x (CPU burst, blocking syscall)."""
    n, rounds = _pos("n", n), _pos("rounds", rounds)
    cpu_ns, syscall_ns = _pos("cpu_ns", cpu_ns, 0), _pos("syscall_ns", syscall_ns, 0)
    kinds = np.append(np.tile([OP_CPU, OP_SYSCALL], rounds), OP_EXIT)
    args = np.append(np.tile([cpu_ns, syscall_ns], rounds), 0)
    return _build([_main_spawning([1] * n), (kinds, args)], [], "syscall_mix",
                  f"{n} goroutines doing {rounds} rounds of a {cpu_ns / 1000:g} µs CPU burst and "
                  f"a {syscall_ns / 1000:g} µs blocking syscall")


def pingpong(pairs: int, rounds: int) -> Workload:
    """``pairs`` pairs; in each, a pinger sends and waits for the reply ``rounds`` times
    over two unbuffered channels."""
    pairs, rounds = _pos("pairs", pairs), _pos("rounds", rounds)
    programs = [_main_spawning(list(range(1, 2 * pairs + 1)))]
    for i in range(pairs):
        ping, pong = 2 * i, 2 * i + 1
        programs.append((np.append(np.tile([OP_SEND, OP_RECV], rounds), OP_EXIT),
                         np.append(np.tile([ping, pong], rounds), 0)))
        programs.append((np.append(np.tile([OP_RECV, OP_SEND], rounds), OP_EXIT),
                         np.append(np.tile([ping, pong], rounds), 0)))
    return _build(programs, [0] * (2 * pairs), "pingpong",
                  f"{pairs} pair{'s' if pairs != 1 else ''} of goroutines exchanging {rounds} round "
                  f"trip{'s' if rounds != 1 else ''} each over unbuffered channels")


def pipeline(stages: int, items: int, cpu_ns: int) -> Workload:
    """``stages`` goroutines in a chain joined by unbuffered channels; ``items`` values flow
    through, each stage spending ``cpu_ns`` per item."""
    stages, items, cpu_ns = _pos("stages", stages, 2), _pos("items", items), _pos("cpu_ns", cpu_ns, 0)
    programs = [_main_spawning(list(range(1, stages + 1)))]
    for s in range(stages):
        if s == 0:
            k, a = [OP_CPU, OP_SEND], [cpu_ns, 0]
        elif s == stages - 1:
            k, a = [OP_RECV, OP_CPU], [s - 1, cpu_ns]
        else:
            k, a = [OP_RECV, OP_CPU, OP_SEND], [s - 1, cpu_ns, s]
        programs.append((np.append(np.tile(k, items), OP_EXIT), np.append(np.tile(a, items), 0)))
    return _build(programs, [0] * (stages - 1), "pipeline",
                  f"{stages} stages joined by unbuffered channels passing {items} items, "
                  f"{cpu_ns / 1000:g} µs of CPU per item per stage")


def cpu_hogs(n: int, duration_ns: int) -> Workload:
    """``n`` goroutines that each compute for ``duration_ns`` without a blocking call."""
    n, duration_ns = _pos("n", n), _pos("duration_ns", duration_ns, 0)
    child = (np.array([OP_CPU, OP_EXIT]), np.array([duration_ns, 0]))
    return _build([_main_spawning([1] * n), child], [], "cpu_hogs",
                  f"{n} tight loops of {duration_ns / 1e6:g} ms that never yield")


def custom(main, channels=(), name: str = "custom", description: str = "") -> Workload:
    """A hand-made workload: ``main`` is a list of ops (see :mod:`gmplab.sched.ops`).

    >>> from gmplab.sched import ops, workloads
    >>> wl = workloads.custom([ops.spawn([ops.sleep(1000)]), ops.cpu(10)])
    >>> wl.n_goroutines
    2
    """
    return Workload.from_programs(main, channels=channels, name=name, description=description)
