"""A SimPy model of the same GMP policy, written as a baseline for bench_sched.py.

One SimPy process per P runs the scheduler loop: the 1-in-61 global check, runnext, the
local ring of 256 (``runqputslow`` moving 128 + 1 to the global queue), a global batch of
``min(128, len/GOMAXPROCS + 1)``, then stealing half of a random victim's ring. ``go``
puts the child in runnext and wakes one idle P if nobody is spinning (``wakep``). A
blocking syscall keeps its P for sysmon's 20 µs look; a longer one loses it (the P runs
other Gs) and the G comes back through an idle P or the global queue. Costs are the
kernel's defaults. Not modelled here: async preemption, spinning-M accounting beyond one
flag, timers, netpoll, channels — the two benchmark workloads do not need them.

It records the same kinds of transitions the kernel logs (newproc, execute, goexit0,
runqputslow, runqsteal, entersyscall, exitsyscall, handoff), one row per transition
``(t, kind, p, g, a)`` appended to a plain Python list (returned as ``"log"``), so
events/s compare: the kernel writes one log row per transition too, and keeping the log is
part of the job (an earlier version only counted the transitions, which left this model
less work than the kernel). The row layout is this model's own; ``kind`` uses the kernel's
``EVENT_KINDS`` numbering.

Example
-------
>>> from gmplab.sched import workloads
>>> run(workloads.fanout(100, 10_000), 2)["goroutines"]
101
"""
from __future__ import annotations

import random
from collections import deque

import simpy

from gmplab.sched.kernel import (DEFAULT_COSTS, EV_ENTERSYSCALL, EV_EXECUTE, EV_EXITSYSCALL0,
                                  EV_EXITSYSCALLFAST, EV_GOEXIT0, EV_HANDOFFP, EV_NEWPROC,
                                  EV_RUNQPUTSLOW, EV_RUNQSTEAL)
from gmplab.sched.ops import OP_CPU, OP_EXIT, OP_SPAWN, OP_SYSCALL


def run(workload, gomaxprocs: int, seed: int = 0) -> dict:
    costs = DEFAULT_COSTS
    env = simpy.Environment()
    rnd = random.Random(seed)
    prog_off, kinds, args = workload.prog_off, workload.op_kind.tolist(), workload.op_arg.tolist()
    starts = prog_off.tolist()
    pc: list[int] = []
    glob: deque[int] = deque()
    local = [deque() for _ in range(gomaxprocs)]
    runnext = [-1] * gomaxprocs
    schedtick = [0] * gomaxprocs
    idle_events: dict[int, simpy.Event] = {}
    stats = {"done": 0, "spinning": 0}
    log: list[tuple] = []          # one row per transition: (t, kind, p, g, a)
    emit = log.append
    n_g = workload.n_goroutines

    def newproc(p, prog):
        g = len(pc)
        pc.append(starts[prog])
        old = runnext[p]
        runnext[p] = g
        emit((env.now, EV_NEWPROC, p, g, -1))
        if old >= 0:
            if len(local[p]) >= 256:          # runqputslow: 128 oldest + the kicked G
                for _ in range(128):
                    glob.append(local[p].popleft())
                glob.append(old)
                emit((env.now, EV_RUNQPUTSLOW, p, old, 128))
            else:
                local[p].append(old)
        return g

    def wakep():
        if stats["spinning"] == 0 and idle_events:
            q, ev = idle_events.popitem()
            stats["spinning"] = 1
            ev.succeed()

    def find(p):
        if schedtick[p] % 61 == 0 and glob:
            return glob.popleft(), False
        if runnext[p] >= 0:
            g, runnext[p] = runnext[p], -1
            return g, True
        if local[p]:
            return local[p].popleft(), False
        if glob:
            n = min(128, len(glob), len(glob) // gomaxprocs + 1)
            g = glob.popleft()
            for _ in range(n - 1):
                local[p].append(glob.popleft())
            return g, False
        victims = [v for v in range(gomaxprocs) if v != p and local[v]]
        if victims:
            v = rnd.choice(victims)
            n = len(local[v])
            take = n - n // 2
            stolen = [local[v].popleft() for _ in range(take)]
            local[p].extend(stolen[:-1])
            emit((env.now, EV_RUNQSTEAL, p, stolen[-1], v))
            return stolen[-1], False
        return -1, False

    def syscall_return(g, done):
        yield done
        if idle_events:                        # exitsyscallfast_pidle
            q, ev = idle_events.popitem()
            emit((env.now, EV_EXITSYSCALLFAST, q, g, 1))
            runnext[q] = g
            ev.succeed()
        else:                                  # exitsyscall0: global queue
            emit((env.now, EV_EXITSYSCALL0, -1, g, -1))
            glob.append(g)

    def p_loop(p):
        while stats["done"] < n_g:
            g, inherit = find(p)
            if g < 0:
                if stats["spinning"]:
                    stats["spinning"] = 0
                ev = env.event()
                idle_events[p] = ev
                yield ev
                yield env.timeout(costs["wake_ns"])
                continue
            if stats["spinning"]:
                stats["spinning"] = 0
                wakep()
            if not inherit:
                schedtick[p] += 1
            emit((env.now, EV_EXECUTE, p, g, int(inherit)))
            while True:
                i = pc[g]
                k = kinds[i]
                if k == OP_CPU:
                    yield env.timeout(args[i])
                    pc[g] = i + 1
                elif k == OP_SPAWN:
                    pc[g] = i + 1
                    newproc(p, args[i])
                    wakep()
                    yield env.timeout(costs["spawn_ns"])
                elif k == OP_SYSCALL:
                    pc[g] = i + 1
                    emit((env.now, EV_ENTERSYSCALL, p, g, -1))
                    done = env.timeout(costs["syscall_enter_ns"] + args[i])
                    look = env.timeout(20_000)       # sysmon's first look
                    yield done | look
                    if done.processed or done.triggered and not look.processed:
                        emit((env.now, EV_EXITSYSCALLFAST, p, g, 0))
                        yield env.timeout(costs["syscall_exit_ns"])
                        continue
                    emit((env.now, EV_HANDOFFP, p, g, -1))   # retake + handoffp
                    env.process(syscall_return(g, done))
                    break
                else:                                # OP_EXIT
                    emit((env.now, EV_GOEXIT0, p, g, -1))
                    stats["done"] += 1
                    break
            yield env.timeout(costs["switch_ns"])
        for ev in list(idle_events.values()):
            if not ev.triggered:
                ev.succeed()
        idle_events.clear()

    newproc(0, 0)
    for p in range(gomaxprocs):
        if p > 0:
            ev = env.event()
            idle_events[p] = ev
    for p in range(gomaxprocs):
        env.process(_idle_first(env, p, idle_events, p_loop) if p > 0 else p_loop(p))
    env.run()
    return {"goroutines": len(pc), "events": len(log), "makespan_ns": int(env.now), "log": log}


def _idle_first(env, p, idle_events, p_loop):
    ev = idle_events.get(p)
    if ev is not None:
        yield ev
    yield env.process(p_loop(p))
