"""Hypothesis properties of the GMP kernel over random workloads, replay consistency, and
determinism (same seed -> same log, with and without the JIT)."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gmplab.sched import EVENT_KINDS, ops, replay as R, simulate, workloads
from gmplab.sched.ops import Workload

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

durations = st.integers(0, 300_000)
simple_op = st.one_of(
    durations.map(ops.cpu), durations.map(ops.syscall), durations.map(ops.sleep),
    durations.map(ops.netwait), st.just(ops.gosched()),
)


@st.composite
def random_workloads(draw):
    """main runs random ops and spawns children (which may spawn grandchildren), plus
    sender/receiver pairs on buffered or unbuffered channels (each pair balanced, so every
    G can finish)."""
    def program(depth):
        body = draw(st.lists(simple_op, min_size=0, max_size=5))
        if depth < 2:
            for _ in range(draw(st.integers(0, 3))):
                child = program(depth + 1) or [ops.cpu(1_000)]
                body.insert(draw(st.integers(0, len(body))), ops.spawn(child))
        return body

    main = program(0)
    caps = []
    for c in range(draw(st.integers(0, 3))):
        caps.append(draw(st.integers(0, 2)))
        n = draw(st.integers(1, 4))
        sender, receiver = [], []
        for _ in range(n):
            sender += draw(st.lists(simple_op, max_size=2)) + [ops.send(c)]
            receiver += draw(st.lists(simple_op, max_size=2)) + [ops.recv(c)]
        main.insert(draw(st.integers(0, len(main))), ops.spawn(sender))
        main.insert(draw(st.integers(0, len(main))), ops.spawn(receiver))
    if not main:
        main = [ops.cpu(10)]
    return Workload.from_programs(main, channels=caps, name="random")


def check_state(gst, pst, runq, mst, gq, rsc, nprocs):
    n_g = gst.shape[1]
    queued = np.zeros(n_g, np.int64)
    running = np.zeros(n_g, np.int64)
    insys = np.zeros(n_g, np.int64)
    for p in range(nprocs):
        h, t = pst[R.RP_HEAD, p], pst[R.RP_TAIL, p]
        assert 0 <= t - h <= 256
        ring = runq[p, np.arange(h, t) % 256]
        np.add.at(queued, ring, 1)
        if pst[R.RP_RUNNEXT, p] >= 0:
            queued[pst[R.RP_RUNNEXT, p]] += 1
        if pst[R.RP_CURG, p] >= 0:
            running[pst[R.RP_CURG, p]] += 1
        status = pst[R.RP_STATUS, p]
        if status == 0:   # an idle P has an empty queue and no M (pidleput's check)
            assert t == h and pst[R.RP_RUNNEXT, p] == -1 and pst[R.RP_M, p] == -1
            assert pst[R.RP_CURG, p] == -1
        if status == 1 and pst[R.RP_M, p] >= 0:
            assert mst[R.RM_P, pst[R.RP_M, p]] == p
    np.add.at(queued, gq[np.arange(rsc[R.R_GQH], rsc[R.R_GQT]) % len(gq)], 1)
    for m in range(mst.shape[1]):
        if mst[R.RM_STATUS, m] == R.M_SYSCALL and mst[R.RM_CURG, m] >= 0:
            insys[mst[R.RM_CURG, m]] += 1
    status = gst[0]
    # every G is in exactly one place, the one its status says
    assert (queued == (status == 1)).all(), "runnable Gs must be queued exactly once"
    assert (running == (status == 2)).all(), "running Gs must be some P's curg exactly once"
    assert (insys == (status == 3)).all(), "syscall Gs must be held by exactly one M in a syscall"
    assert (status == 2).sum() <= nprocs


def walk_and_check(trace):
    t = trace.events["t"]
    assert (np.diff(t) >= 0).all(), "time never goes backwards"
    state = R.initial_state(trace.gomaxprocs, trace.n_g, trace.n_m)
    check_state(*state[:6], trace.gomaxprocs)
    for k in range(len(trace)):
        R.apply_events(trace._ld, np.int64(k), np.int64(k + 1), *state)
        check_state(*state[:6], trace.gomaxprocs)
    return state


@SETTINGS
@given(random_workloads(), st.integers(1, 6), st.integers(0, 2**32), st.one_of(st.none(), st.integers(1, 3)))
def test_invariants_hold_at_every_step_and_every_g_finishes(wl, procs, seed, ncpu):
    trace = simulate(wl, procs, seed=seed, ncpu=ncpu)
    state = walk_and_check(trace)
    assert not trace.deadlock
    assert (state[0][0] == 6).all(), "every G finishes"
    assert len(np.flatnonzero(trace.events["kind"] == EVENT_KINDS.index("goexit0"))) == wl.n_goroutines
    # the replayed final state equals state_at(len)
    final = trace.state_at(len(trace))
    assert (final.g_status == 6).all() and len(final.globrunq) == 0


@settings(max_examples=15, deadline=None)
@given(random_workloads(), st.integers(1, 4), st.integers(1, 50))
def test_state_at_from_checkpoints_equals_replay_from_zero(wl, procs, every):
    trace = simulate(wl, procs)
    trace._every = every                      # many small checkpoints
    trace._checkpoints = None
    for k in sorted({0, len(trace), len(trace) // 2, max(0, len(trace) - 1), every, every + 1}):
        if k > len(trace):
            continue
        st_ = trace.state_at(k)
        ref = R.initial_state(trace.gomaxprocs, trace.n_g, trace.n_m)
        R.apply_events(trace._ld, np.int64(0), np.int64(k), *ref)
        assert (st_.g_status == ref[0][0]).all()
        assert (st_.p_runnext == ref[1][R.RP_RUNNEXT]).all()
        for p in range(procs):
            h, t = ref[1][R.RP_HEAD, p], ref[1][R.RP_TAIL, p]
            assert st_.p_runq[p].tolist() == ref[2][p, np.arange(h, t) % 256].tolist()
        gq = ref[4][np.arange(ref[5][R.R_GQH], ref[5][R.R_GQT]) % len(ref[4])]
        assert st_.globrunq.tolist() == gq.tolist()


def test_same_seed_same_log_and_seed_changes_steal_order():
    wl = workloads.syscall_mix(40, 3, 30_000, 200_000)
    a, b = simulate(wl, 4, seed=7), simulate(wl, 4, seed=7)
    for col in a.events:
        assert np.array_equal(a.events[col], b.events[col])
    logs = {simulate(wl, 4, seed=s).events["g"].tobytes() for s in range(6)}
    assert len(logs) > 1     # the seed drives stealWork's random order


SCRIPT = textwrap.dedent("""
    import sys, warnings
    import numpy as np
    warnings.simplefilter("ignore")
    from gmplab.sched import simulate, workloads, ops
    from gmplab.sched.ops import Workload
    main = [ops.spawn([ops.cpu(20_000), ops.sleep(50_000), ops.cpu(5_000)])] * 6 + [
        ops.spawn([ops.send(0), ops.recv(1)] * 3), ops.spawn([ops.recv(0), ops.send(1)] * 3),
        ops.spawn([ops.syscall(300_000), ops.netwait(40_000), ops.gosched()]), ops.cpu(12_000_000)]
    cases = [(workloads.fanout(300, 5_000), 3, 11),
             (Workload.from_programs(main, channels=[0, 1]), 2, 5)]
    out = {}
    for i, (wl, procs, seed) in enumerate(cases):
        tr = simulate(wl, procs, seed=seed)
        for col, arr in tr.events.items():
            out[f"{i}_{col}"] = arr
    np.savez(sys.argv[1], **out)
""")


def test_identical_log_with_numba_jit_disabled(tmp_path):
    runs = {}
    for mode, env_jit in (("jit", "0"), ("nojit", "1")):
        path = tmp_path / f"{mode}.npz"
        env = dict(os.environ, NUMBA_DISABLE_JIT=env_jit)
        subprocess.run([sys.executable, "-c", SCRIPT, str(path)], check=True, env=env, timeout=300)
        runs[mode] = np.load(path)
    assert sorted(runs["jit"].files) == sorted(runs["nojit"].files)
    for name in runs["jit"].files:
        assert np.array_equal(runs["jit"][name], runs["nojit"][name]), name
    kinds = runs["jit"]["1_kind"]
    for needed in ("preemptone", "goready", "entersyscall", "netpoll", "gosched"):
        assert EVENT_KINDS.index(needed) in kinds


standard = st.one_of(
    st.builds(workloads.fanout, st.integers(1, 600), st.integers(0, 100_000)),
    st.builds(workloads.syscall_mix, st.integers(1, 30), st.integers(1, 3), st.integers(0, 50_000),
              st.integers(0, 2_000_000)),
    st.builds(workloads.pingpong, st.integers(1, 4), st.integers(1, 6)),
    st.builds(workloads.pipeline, st.integers(2, 5), st.integers(1, 6), st.integers(0, 50_000)),
    st.builds(workloads.cpu_hogs, st.integers(1, 5), st.integers(0, 25_000_000)),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(standard, st.integers(1, 8), st.integers(0, 2**32))
def test_invariants_on_standard_workloads(wl, procs, seed):
    trace = simulate(wl, procs, seed=seed)
    state = walk_and_check(trace)
    assert (state[0][0] == 6).all() and not trace.deadlock
    summ = trace.summary()
    assert summ["threads_high_water"] <= procs + wl.n_goroutines + 2
