"""The goroutine op language and the compiled :class:`Workload`.

A goroutine *program* is a list of ops, run in order by one G. The ops are the things a
goroutine can do that the scheduler cares about:

============== ===================================================================
``cpu(ns)``    run on the CPU for ``ns`` nanoseconds (preemptible at any point)
``syscall(ns)`` a blocking system call that holds its M for ``ns`` (``entersyscall``)
``netwait(ns)`` park on the netpoller; ready ``ns`` later (wait reason "IO wait")
``sleep(ns)``  ``time.Sleep``: park on a timer (``sleep(0)`` returns at once, as in Go)
``send(ch)``   ``ch <- v`` on channel id ``ch`` (buffered or unbuffered)
``recv(ch)``   ``<-ch``
``spawn(prog)`` ``go prog()`` (``newproc``)
``gosched()``  ``runtime.Gosched()``
``exit()``     return from the goroutine (implicit at the end of every program)
============== ===================================================================

Channels are declared up front by capacity (``channels=[0, 4]`` declares an unbuffered
channel 0 and a channel 1 with a buffer of 4). There are no loops: a program is straight
line code, so the number of goroutines a workload creates is known before it runs.

Compilation turns the nested programs into flat NumPy arrays the kernel reads:
``prog_off`` (program *i* is ``op_kind[prog_off[i]:prog_off[i+1]]``), ``op_kind`` and
``op_arg`` (duration in ns, channel id, or the spawned program's index). Program 0 is
``main`` (printed as G1). Identical sub-programs are stored once.

Bad programs raise ``ValueError`` naming the op and its position: negative durations,
unknown channels, empty programs, ops after ``exit``, a program that spawns itself, and
channel traffic that can never complete (more receives than sends, or more sends than
receives plus the buffer) — counted over every goroutine that runs each program.

Example
-------
>>> from gmplab.sched import ops
>>> worker = [ops.cpu(50_000), ops.send(0)]
>>> main = [ops.spawn(worker), ops.recv(0)]
>>> wl = ops.Workload.from_programs(main, channels=[0], name="demo")
>>> wl.n_goroutines, wl.n_programs
(2, 2)
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

#: Op codes (the kernel's ``op_kind`` values), indexed by name.
OP_NAMES = ("cpu", "syscall", "netwait", "sleep", "send", "recv", "spawn", "gosched", "exit")
OP_CPU, OP_SYSCALL, OP_NETWAIT, OP_SLEEP, OP_SEND, OP_RECV, OP_SPAWN, OP_GOSCHED, OP_EXIT = range(9)
_DURATION_OPS = (OP_CPU, OP_SYSCALL, OP_NETWAIT, OP_SLEEP)
_CHANNEL_OPS = (OP_SEND, OP_RECV)


@dataclass(frozen=True)
class Op:
    """One step of a goroutine program (build it with the functions below)."""

    kind: int
    arg: object = 0

    def __repr__(self) -> str:
        name = OP_NAMES[self.kind]
        if self.kind == OP_SPAWN:
            return f"spawn(<{len(self.arg)} ops>)"
        if self.kind in (OP_GOSCHED, OP_EXIT):
            return f"{name}()"
        return f"{name}({self.arg})"


def _duration(kind: int, ns) -> Op:
    name = OP_NAMES[kind]
    if isinstance(ns, bool) or not isinstance(ns, (int, np.integer)):
        raise ValueError(f"{name}(ns): ns must be an int number of nanoseconds, got {ns!r}")
    if ns < 0:
        raise ValueError(f"{name}(ns): ns must be >= 0, got {ns}")
    return Op(kind, int(ns))


def cpu(ns: int) -> Op:
    """Run on the CPU for ``ns`` nanoseconds."""
    return _duration(OP_CPU, ns)


def syscall(ns: int) -> Op:
    """A blocking system call lasting ``ns`` that holds its M (raw ``syscall.Read``)."""
    return _duration(OP_SYSCALL, ns)


def netwait(ns: int) -> Op:
    """Park on the netpoller for ``ns`` (a socket read that would block)."""
    return _duration(OP_NETWAIT, ns)


def sleep(ns: int) -> Op:
    """``time.Sleep(ns)``: park on a timer."""
    return _duration(OP_SLEEP, ns)


def _channel(kind: int, ch) -> Op:
    if isinstance(ch, bool) or not isinstance(ch, (int, np.integer)) or ch < 0:
        raise ValueError(f"{OP_NAMES[kind]}(ch): ch must be a channel id >= 0, got {ch!r}")
    return Op(kind, int(ch))


def send(ch: int) -> Op:
    """``ch <- v``."""
    return _channel(OP_SEND, ch)


def recv(ch: int) -> Op:
    """``<-ch``."""
    return _channel(OP_RECV, ch)


def spawn(program) -> Op:
    """``go program()``: start a new goroutine running ``program`` (a list of ops)."""
    if not isinstance(program, (list, tuple)):
        raise ValueError(f"spawn(program): program must be a list of ops, got {type(program).__name__}")
    return Op(OP_SPAWN, program)


def gosched() -> Op:
    """``runtime.Gosched()``: yield to the global run queue."""
    return Op(OP_GOSCHED, 0)


def exit() -> Op:  # noqa: A001 - the op is called exit in the language
    """Return from the goroutine."""
    return Op(OP_EXIT, 0)


@dataclass
class Workload:
    """A compiled set of goroutine programs (program 0 is ``main``).

    Build one with :meth:`from_programs` or a builder in :mod:`gmplab.sched.workloads`;
    the constructor validates raw arrays.
    """

    prog_off: np.ndarray
    op_kind: np.ndarray
    op_arg: np.ndarray
    chan_cap: np.ndarray
    name: str = "custom"
    description: str = ""
    n_goroutines: int = field(init=False)
    n_executed_ops: int = field(init=False, repr=False)

    def __post_init__(self):
        self.prog_off = np.ascontiguousarray(self.prog_off, dtype=np.int64)
        self.op_kind = np.ascontiguousarray(self.op_kind, dtype=np.int32)
        self.op_arg = np.ascontiguousarray(self.op_arg, dtype=np.int64)
        self.chan_cap = np.ascontiguousarray(self.chan_cap, dtype=np.int64)
        self.n_goroutines, self.n_executed_ops = _validate(self.prog_off, self.op_kind, self.op_arg,
                                                           self.chan_cap)
        if not self.description:
            self.description = f"{self.n_programs} programs, {self.n_goroutines} goroutines"

    @property
    def n_programs(self) -> int:
        return len(self.prog_off) - 1

    @property
    def n_ops(self) -> int:
        return len(self.op_kind)

    def program(self, i: int) -> list[str]:
        """Readable ops of program ``i`` (spawn shows the program index)."""
        s, e = self.prog_off[i], self.prog_off[i + 1]
        out = []
        for k, a in zip(self.op_kind[s:e], self.op_arg[s:e]):
            out.append(f"{OP_NAMES[k]}({'' if k in (OP_GOSCHED, OP_EXIT) else int(a)})")
        return out

    def __repr__(self) -> str:
        return (f"Workload({self.name!r}: {self.n_goroutines} goroutines, {self.n_programs} programs, "
                f"{self.n_ops} ops, {len(self.chan_cap)} channels) — {self.description}")

    @classmethod
    def from_programs(cls, main, channels=(), name: str = "custom", description: str = "") -> "Workload":
        """Compile ``main`` (a list of ops; spawned programs are nested inside) and the
        channel capacities ``channels`` (channel id = position)."""
        caps = list(channels)
        for i, c in enumerate(caps):
            if isinstance(c, bool) or not isinstance(c, (int, np.integer)) or c < 0:
                raise ValueError(f"channels[{i}]: capacity must be an int >= 0, got {c!r}")
        index: dict[int, int] = {}      # id(program list) -> program index
        bodies: list[list[tuple[int, int]]] = []
        on_stack: set[int] = set()

        def compile_prog(prog) -> int:
            key = id(prog)
            if key in index:
                return index[key]
            if key in on_stack:
                raise ValueError("spawn(program): a program spawns itself (directly or through "
                                 "others), which would create goroutines forever")
            if not isinstance(prog, (list, tuple)):
                raise ValueError(f"a program must be a list of ops, got {type(prog).__name__}")
            on_stack.add(key)
            i = len(bodies)
            bodies.append([])
            body = []
            for pos, op in enumerate(prog):
                if not isinstance(op, Op):
                    raise ValueError(f"op {pos} of program {i}: expected an op such as ops.cpu(1000), "
                                     f"got {op!r}")
                if op.kind == OP_SPAWN:
                    body.append((OP_SPAWN, compile_prog(op.arg)))
                else:
                    body.append((op.kind, int(op.arg)))
            if body and body[-1][0] != OP_EXIT:
                body.append((OP_EXIT, 0))
            bodies[i] = body
            on_stack.discard(key)
            index[key] = i
            return i

        compile_prog(main)
        lens = [len(b) for b in bodies]
        prog_off = np.zeros(len(bodies) + 1, np.int64)
        prog_off[1:] = np.cumsum(lens)
        flat = [x for b in bodies for x in b]
        kinds = np.array([k for k, _ in flat], np.int32)
        args = np.array([a for _, a in flat], np.int64)
        return cls(prog_off, kinds, args, np.array(caps, np.int64), name=name, description=description)


def _where(prog_off, op_i: int) -> str:
    prog = int(np.searchsorted(prog_off, op_i, side="right") - 1)
    return f"program {prog}, op {op_i - int(prog_off[prog])}"


def _validate(prog_off, op_kind, op_arg, chan_cap) -> tuple[int, int]:
    """Check a compiled workload; return the number of goroutines it creates and the number
    of ops they run in all (each program's length times the goroutines that run it: the
    simulator sizes its event log from it)."""
    n_prog = len(prog_off) - 1
    n_ops = len(op_kind)
    if n_prog < 1:
        raise ValueError("workload: needs at least one program (main)")
    if prog_off[0] != 0 or prog_off[-1] != n_ops or np.any(np.diff(prog_off) < 0):
        raise ValueError("prog_off: must start at 0, end at len(op_kind) and not decrease")
    if len(op_arg) != n_ops:
        raise ValueError("op_arg: must have one entry per op")
    lens = np.diff(prog_off)
    if np.any(lens == 0):
        raise ValueError(f"program {int(np.flatnonzero(lens == 0)[0])}: a program must have at least one op")
    if np.any(chan_cap < 0):
        raise ValueError(f"channels[{int(np.flatnonzero(chan_cap < 0)[0])}]: capacity must be >= 0")
    bad = np.flatnonzero((op_kind < 0) | (op_kind > OP_EXIT))
    if len(bad):
        raise ValueError(f"op at {_where(prog_off, bad[0])}: unknown op code {int(op_kind[bad[0]])}")
    dur = np.isin(op_kind, _DURATION_OPS)
    bad = np.flatnonzero(dur & (op_arg < 0))
    if len(bad):
        i = bad[0]
        raise ValueError(f"{OP_NAMES[op_kind[i]]}({int(op_arg[i])}) at {_where(prog_off, i)}: "
                         "duration must be >= 0 ns")
    is_ch = np.isin(op_kind, _CHANNEL_OPS)
    bad = np.flatnonzero(is_ch & ((op_arg < 0) | (op_arg >= len(chan_cap))))
    if len(bad):
        i = bad[0]
        raise ValueError(f"{OP_NAMES[op_kind[i]]}({int(op_arg[i])}) at {_where(prog_off, i)}: unknown "
                         f"channel (declared channels are 0..{len(chan_cap) - 1})")
    is_sp = op_kind == OP_SPAWN
    bad = np.flatnonzero(is_sp & ((op_arg < 0) | (op_arg >= n_prog)))
    if len(bad):
        raise ValueError(f"spawn({int(op_arg[bad[0]])}) at {_where(prog_off, bad[0])}: no such program")
    last = prog_off[1:] - 1
    if np.any(op_kind[last] != OP_EXIT):
        p = int(np.flatnonzero(op_kind[last] != OP_EXIT)[0])
        raise ValueError(f"program {p}: must end with exit()")
    exits = np.flatnonzero(op_kind == OP_EXIT)
    early = np.setdiff1d(exits, last)
    if len(early):
        raise ValueError(f"op after exit() at {_where(prog_off, early[0] + 1)}: unreachable")

    # Multiplicity: how many goroutines run each program (spawn graph must be a DAG).
    prog_of_op = np.repeat(np.arange(n_prog), lens)
    sp = np.flatnonzero(is_sp)
    src, dst = prog_of_op[sp], op_arg[sp]
    if np.any(src == dst):
        i = sp[np.flatnonzero(src == dst)[0]]
        raise ValueError(f"spawn at {_where(prog_off, i)}: a program spawns itself, which would "
                         "create goroutines forever")
    pairs, counts = (np.unique(np.stack([src, dst]), axis=1, return_counts=True)
                     if len(sp) else (np.zeros((2, 0), np.int64), np.zeros(0, np.int64)))
    indeg = np.zeros(n_prog, np.int64)
    np.add.at(indeg, pairs[1], 1)
    out_edges: list[list[tuple[int, int]]] = [[] for _ in range(n_prog)]
    for (s, d), c in zip(pairs.T, counts):
        out_edges[int(s)].append((int(d), int(c)))
    mult = np.zeros(n_prog, dtype=object)
    mult[0] = 1
    ready = [p for p in range(n_prog) if indeg[p] == 0]
    seen = 0
    while ready:
        p = ready.pop()
        seen += 1
        for d, c in out_edges[p]:
            mult[d] += mult[p] * c
            indeg[d] -= 1
            if indeg[d] == 0:
                ready.append(d)
    if seen < n_prog:
        raise ValueError("spawn: programs spawn each other in a cycle, which would create goroutines forever")
    n_g = int(sum(mult))
    n_exec = int(sum(mult[p] * int(lens[p]) for p in range(n_prog)))
    if n_g > 2**31 - 2:
        raise ValueError(f"workload: creates {n_g} goroutines; at most 2**31-2 are supported")
    # Channel balance over every goroutine.
    if is_ch.any():
        ops_mult = np.array([mult[p] for p in prog_of_op[is_ch]], dtype=np.int64)
        chans = op_arg[is_ch]
        kinds = op_kind[is_ch]
        n_ch = len(chan_cap)
        sends = np.bincount(chans[kinds == OP_SEND], weights=ops_mult[kinds == OP_SEND], minlength=n_ch)
        recvs = np.bincount(chans[kinds == OP_RECV], weights=ops_mult[kinds == OP_RECV], minlength=n_ch)
        ch_idx = np.flatnonzero(is_ch)
        for c in range(n_ch):
            if recvs[c] > sends[c]:
                i = ch_idx[(chans == c) & (kinds == OP_RECV)][0]
                raise ValueError(f"recv({c}) at {_where(prog_off, i)}: channel {c} is received from "
                                 f"{int(recvs[c])} times but sent to only {int(sends[c])} times, so a "
                                 "receive can never complete")
            if sends[c] > recvs[c] + chan_cap[c]:
                i = ch_idx[(chans == c) & (kinds == OP_SEND)][0]
                raise ValueError(f"send({c}) at {_where(prog_off, i)}: channel {c} is sent to "
                                 f"{int(sends[c])} times but received from {int(recvs[c])} times with "
                                 f"a buffer of {int(chan_cap[c])}, so a send can never complete")
    return n_g, n_exec
