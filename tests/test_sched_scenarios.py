"""Hand-checkable scenarios: each expected outcome follows from runtime/proc.go (Go 1.25)
as summarised in scheduler-model.md; the comments give the reasoning."""
from __future__ import annotations

import numpy as np
import pytest

import gmplab
from gmplab.sched import EVENT_KINDS, ops, simulate, workloads
from gmplab.sched.ops import Workload

K = {name: i for i, name in enumerate(EVENT_KINDS)}


def rows(trace, kind):
    return np.flatnonzero(trace.events["kind"] == K[kind])


def executed(trace):
    return trace.events["g"][rows(trace, "execute")].tolist()


def test_gomaxprocs1_children_run_runnext_first_then_fifo():
    # newproc puts each child in runnext, kicking the previous one to the ring tail (R19,
    # N5): after main spawns G2..G6 and exits, P0 runs G6 (runnext, inheriting the slice),
    # then G2, G3, G4, G5 from the ring head.
    child = [ops.cpu(1_000)]
    trace = simulate(Workload.from_programs([ops.spawn(child)] * 5), 1)
    assert executed(trace) == [0, 5, 1, 2, 3, 4]
    ex = rows(trace, "execute")
    assert trace.events["a"][ex].tolist() == [1, 1, 0, 0, 0, 0]      # inheritTime
    assert trace.events["b"][ex].tolist() == [0, 0, 1, 1, 1, 1]      # runnext, runnext, ring...
    st = trace.state_at(int(rows(trace, "goexit0")[0]))               # before main exits
    assert st.p_runnext[0] == 5 and st.p_runq[0].tolist() == [1, 2, 3, 4]


def test_full_ring_runqputslow_moves_128_plus_one_to_global():
    # Ring (256) + runnext (1) hold 257 Gs. The 258th newproc kicks the runnext G into a
    # full ring, so runqputslow moves the 128 oldest plus that G (129) to the global queue.
    trace = simulate(workloads.fanout(258, 1_000), 1)
    slow = rows(trace, "runqputslow")
    assert len(slow) == 1
    k = int(slow[0])
    assert trace.events["a"][k] == 128 and trace.events["g"][k] == 257   # G258 was in runnext
    before = trace.state_at(k)
    assert len(before.p_runq[0]) == 256 and before.p_runnext[0] == 257 and len(before.globrunq) == 0
    newproc_259 = k + 1
    assert trace.events["kind"][newproc_259] == K["newproc"] and trace.events["g"][newproc_259] == 258
    after = trace.state_at(newproc_259 + 1)
    assert after.globrunq.tolist() == list(range(1, 129)) + [257]
    assert after.p_runq[0].tolist() == list(range(129, 257))
    assert after.p_runnext[0] == 258
    assert trace.summary()["global_queue_spills"] == 1


def test_every_61st_schedtick_takes_one_g_from_global_even_with_local_work():
    # 400 children on one P: 129 spill to the global queue. When a schedule() starts with
    # schedtick % 61 == 0 and the global queue is not empty, findRunnable takes ONE G from it
    # before looking at runnext or the ring (R7).
    trace = simulate(workloads.fanout(400, 1_000), 1)
    fair = rows(trace, "globrunqget")[trace.events["b"][rows(trace, "globrunqget")] == 0]
    ticks = []
    for k in fair:
        st = trace.state_at(int(k))
        ticks.append(int(st.p_schedtick[0]))
        assert len(st.p_runq[0]) > 0                        # the local ring was NOT empty
        assert trace.events["a"][k] == 1                    # exactly one G
        assert trace.events["g"][k] == st.globrunq[0]       # the head of the global queue
        assert trace.events["kind"][k + 1] == K["execute"] and trace.events["b"][k + 1] == 2
    # main inherited its slice from runnext, so the first schedule() after it still has
    # schedtick 0 (0 % 61 == 0) and takes from the global queue; then 61, 122, ...
    assert ticks[:3] == [0, 61, 122]
    # between fairness checks the P runs its own queue: no other global take happens while
    # its ring is non-empty
    batch = rows(trace, "globrunqget")[trace.events["b"][rows(trace, "globrunqget")] == 1]
    for k in batch:
        st = trace.state_at(int(k))
        assert len(st.p_runq[0]) == 0 and st.p_runnext[0] == -1


def test_spinning_m_steals_half_of_the_victims_ring_from_the_head():
    # GOMAXPROCS=2: the first newproc wakes a spinning M for P1 (a new thread, ready after
    # newm_ns). By then main has made G2..G9 and exited; G9 (runnext) runs on P0 and the
    # ring is [G2..G8] (7). runqsteal grabs 7 - 7/2 = 4 from the head and runs the last: G5.
    trace = simulate(workloads.fanout(8, 50_000), 2)
    steal = rows(trace, "runqsteal")
    assert len(steal) == 1
    k = int(steal[0])
    before = trace.state_at(k)
    assert before.p_runq[0].tolist() == [1, 2, 3, 4, 5, 6, 7]
    assert before.m_spinning[trace.events["m"][k]] == 1
    e = {c: int(trace.events[c][k]) for c in ("p", "a", "b", "g")}
    assert e == {"p": 1, "a": 0, "b": 4, "g": 4}
    after = trace.state_at(k + 2)   # runqsteal + execute
    assert after.p_runq[0].tolist() == [5, 6, 7]
    assert after.p_runq[1].tolist() == [1, 2, 3]
    assert after.p_curg[1] == 4
    assert trace.describe(k) == "P1 stole 4 Gs from P0 and runs G5 — runqsteal"


def test_long_syscall_hands_off_p_to_new_m_and_returns_through_slow_path():
    # GOMAXPROCS=1. main spawns a 5 ms hog (into runnext) and enters a 1 ms syscall: P0 goes
    # _Psyscall. sysmon's first tick (20 µs) sees the syscall with pd.syscalltick ==
    # p.syscalltick (both 0) and work queued, so retake hands P0 off (handoffp: local work
    # -> startm -> newm M2). At 1 ms main returns: P0 is busy, no idle P -> exitsyscall0:
    # main goes to the global queue and M0 parks (stopm).
    hog = [ops.cpu(5_000_000)]
    trace = simulate(Workload.from_programs([ops.spawn(hog), ops.syscall(1_000_000)]), 1)
    ev = trace.events
    (k_retake,) = rows(trace, "retake")
    assert ev["t"][k_retake] == 20_000 and ev["p"][k_retake] == 0
    (k_hand,) = rows(trace, "handoffp")
    assert k_hand == k_retake + 1 and ev["a"][k_hand] == 1
    k_start = k_hand + 1
    assert ev["kind"][k_start] == K["startm"] and ev["m"][k_start] == 2 and ev["b"][k_start] == 1
    (k_slow,) = rows(trace, "exitsyscall0")
    assert ev["g"][k_slow] == 0 and ev["m"][k_slow] == 0
    assert ev["kind"][k_slow + 1] == K["stopm"] and ev["m"][k_slow + 1] == 0
    assert len(rows(trace, "exitsyscallfast")) == 0
    st = trace.state_at(int(k_slow) + 1)
    assert st.globrunq.tolist() == [0] and st.p_m[0] == 2
    last_main = rows(trace, "execute")[ev["g"][rows(trace, "execute")] == 0][-1]
    assert ev["b"][last_main] == 2                       # main comes back from the global queue
    assert trace.summary()["threads_high_water"] == 3


def sysmon_ticks(until_ns):
    """sysmon's wake-up times with no retakes: delay 20 µs, doubling once idle > 50
    rounds, capped at 10 ms (proc.go sysmon)."""
    t, idle, delay, out = 0, 0, 20, []
    while t < until_ns:
        if idle == 0:
            delay = 20
        elif idle > 50:
            delay *= 2
        delay = min(delay, 10_000)
        t += delay * 1000
        out.append(t)
        idle += 1
    return out


def test_cpu_hog_is_preempted_after_10ms_on_sysmons_tick():
    # One P, two 25 ms hogs. G3 runs first (runnext) and inherits main's slice, so its
    # schedtick was last seen changing at t = 0. sysmon preempts at its first tick with
    # schedwhen + 10 ms <= now; the G goes to the global queue tail (gopreempt_m).
    trace = simulate(workloads.cpu_hogs(2, 25_000_000), 1)
    ev = trace.events
    k = int(rows(trace, "preemptone")[0])
    expected = next(t for t in sysmon_ticks(10**9) if t >= 10_000_000)
    assert ev["t"][k] == expected
    assert ev["g"][k] == 2
    assert ev["kind"][k + 1] == K["gopreempt_m"]
    assert trace.state_at(k + 2).globrunq.tolist() == [2]
    # G3 resumes at once (schedtick 0 % 61 == 0 -> the global queue) on a new slice and
    # finishes before sysmon's next look can see 10 ms; G2 then runs from the ring and is
    # preempted at the first tick >= (the first tick after it started) + 10 ms.
    assert trace.summary()["preemptions"] == 2
    k2 = int(rows(trace, "preemptone")[1])
    start_g2 = ev["t"][rows(trace, "execute")[ev["g"][rows(trace, "execute")] == 1][0]]
    ticks = sysmon_ticks(10**9)
    seen = next(t for t in ticks if t > start_g2)
    assert ev["g"][k2] == 1 and ev["t"][k2] == next(t for t in ticks if t >= seen + 10_000_000)


def peak_in_syscall(trace):
    peak = in_sys = 0
    for kind in trace.events["kind"]:
        in_sys += kind == K["entersyscall"]
        in_sys -= kind in (K["exitsyscallfast"], K["exitsyscall0"])
        peak = max(peak, in_sys)
    return peak


@pytest.mark.parametrize("procs, n_sys", [(1, 3), (2, 3)])
def test_thread_high_water_is_ps_plus_blocked_syscalls_plus_sysmon(procs, n_sys):
    # n_sys Gs block in 10 ms syscalls while `procs` 30 ms hogs keep every P busy. Each
    # syscall pins its M; retake/handoffp give the Ps to other Ms; Ms are never destroyed.
    # So the thread count peaks at Ps + Gs in syscalls + sysmon.
    sys_g = [ops.syscall(10_000_000)]
    hog = [ops.cpu(30_000_000)]
    main = [ops.spawn(sys_g)] * n_sys + [ops.spawn(hog)] * procs
    trace = simulate(Workload.from_programs(main), procs)
    assert peak_in_syscall(trace) == n_sys
    assert trace.summary()["threads_high_water"] == procs + n_sys + 1


def test_thread_high_water_with_only_syscalls_on_one_p():
    # GOMAXPROCS=1, three 10 ms syscalls and nothing else. The last retake finds an empty
    # queue and nobody spinning or idle (nmspinning + npidle == 0), so handoffp still starts
    # a spinning M for P0 (R36): 1 P + 3 syscalls + sysmon = 5 threads.
    trace = simulate(workloads.syscall_mix(3, 1, 1_000, 10_000_000), 1)
    assert peak_in_syscall(trace) == 3
    assert 2 in trace.events["a"][rows(trace, "handoffp")]
    assert trace.summary()["threads_high_water"] == 5


def test_goready_puts_the_woken_g_in_the_wakers_runnext_and_it_inherits_the_slice():
    trace = simulate(workloads.pingpong(1, 3), 1)
    ev = trace.events
    for k in rows(trace, "goready"):
        st = trace.state_at(int(k) + 1)
        assert st.p_runnext[ev["p"][k]] == ev["g"][k]
        nxt = trace.next_event(int(k), ["execute"])
        if ev["g"][nxt] == ev["g"][k]:
            assert ev["a"][nxt] == 1 and ev["b"][nxt] == 0
    assert trace.summary()["context_switches"] > 6
    assert not trace.deadlock


def test_gosched_goes_to_the_global_queue_tail():
    trace = simulate(Workload.from_programs([ops.spawn([ops.cpu(10)]), ops.gosched(), ops.cpu(10)]), 1)
    k = int(rows(trace, "gosched")[0])
    assert trace.state_at(k + 1).globrunq.tolist() == [0]


def test_sleep_and_netwait_wake_through_timers_and_netpoll():
    main = [ops.spawn([ops.sleep(1_000_000), ops.cpu(10)]), ops.netwait(500_000), ops.cpu(10)]
    trace = simulate(Workload.from_programs(main), 2)
    ev = trace.events
    park = rows(trace, "gopark")
    assert sorted(ev["a"][park].tolist()) == [3, 4]      # sleep, IO wait
    (k_ready,) = rows(trace, "goready")
    assert ev["a"][k_ready] == -1 and ev["t"][k_ready] >= 1_000_000
    (k_poll,) = rows(trace, "netpoll")
    assert ev["g"][k_poll] == 0 and ev["t"][k_poll] >= 500_000
    assert (trace.state_at(len(trace)).g_status == 6).all()


def test_deadlock_is_reported_by_checkdead():
    # Channel counts balance, but both goroutines receive first: nobody can ever send.
    a = [ops.recv(0), ops.send(1)]
    b = [ops.recv(1), ops.send(0)]
    trace = simulate(Workload.from_programs([ops.spawn(a), ops.spawn(b)], channels=[0, 0]), 2)
    assert trace.deadlock and EVENT_KINDS[trace.events["kind"][-1]] == "checkdead"
    assert "deadlock" in trace.describe(len(trace) - 1)


def test_simulate_rejects_bad_arguments():
    wl = workloads.fanout(2, 10)
    for bad in (0, 1025, 2.0, True):
        with pytest.raises(ValueError, match="gomaxprocs must be an int in 1..1024"):
            simulate(wl, bad)
    with pytest.raises(ValueError, match="unknown cost 'speed'"):
        simulate(wl, 2, speed=3)
    with pytest.raises(ValueError, match="switch_ns must be an int"):
        simulate(wl, 2, switch_ns=-1)
    with pytest.raises(ValueError, match="workload must be"):
        simulate([ops.cpu(1)], 2)
    with pytest.raises(RuntimeError, match="thread exhaustion"):
        simulate(workloads.syscall_mix(5, 1, 10, 1_000_000), 1, max_threads=4)


def test_package_root_reexports_and_gomaxprocs_bounds():
    trace = gmplab.simulate(workloads.fanout(3, 10), 1024)
    assert isinstance(trace, gmplab.SchedTrace) and trace.gomaxprocs == 1024
    assert len(trace.state_at(len(trace)).p_status) == 1024


def test_schedtrace_lines_follow_go_1_25_format():
    trace = simulate(workloads.syscall_mix(6, 3, 200_000, 1_500_000), 2)
    lines = trace.schedtrace(1_000_000)
    # at t=0 main's first newproc already woke a spinning M (a new thread) for P1
    assert lines[0] == ("SCHED 0ms: gomaxprocs=2 idleprocs=0 threads=3 spinningthreads=1 "
                        "needspinning=0 idlethreads=0 runqueue=0 [ 0 0 ] schedticks=[ 0 0 ]")
    assert lines[1].startswith("SCHED 1ms: gomaxprocs=2 ")
    import re
    pat = re.compile(r"^SCHED \d+ms: gomaxprocs=2 idleprocs=\d+ threads=\d+ spinningthreads=\d+ "
                     r"needspinning=[01] idlethreads=\d+ runqueue=\d+ \[ \d+ \d+ \] "
                     r"schedticks=\[ \d+ \d+ \]$")
    assert all(pat.match(line) for line in lines)
    detail = trace.schedtrace(2_000_000, detail=True)
    assert detail[0].endswith("gcwaiting=false nmidlelocked=0 stopwait=0 sysmonwait=false")
    assert detail[1].startswith("  P0: status=1 schedtick=0 syscalltick=0 m=0 runqsize=0 gfreecnt=0 timerslen=0")
    first = detail[: next(i for i, l in enumerate(detail[1:], 1) if l.startswith("SCHED"))]
    m_lines = [l for l in first if l.startswith("  M")]
    ids = [int(l.split(":")[0][3:]) for l in m_lines]
    assert ids == sorted(ids, reverse=True) and ids[-1] == 0      # allm: newest first
    assert m_lines[-2].startswith("  M1: p=nil curg=nil") and "locks=2" in m_lines[-2]
    assert m_lines[-1].startswith("  M0: p=0 curg=1 ")                # main runs on M0
    assert [l for l in first if l.startswith("  G")] == ["  G1: status=2() m=0 lockedm=nil",
                                                         "  G2: status=1() m=nil lockedm=nil"]
    later = trace.schedtrace(2_000_000, detail=True)
    assert any(re.match(r"^  G\d+: status=3\(\) m=\d+ lockedm=nil$", l) for l in later)


def test_slices_queue_lengths_and_summary_are_consistent():
    trace = simulate(workloads.syscall_mix(20, 2, 50_000, 300_000), 2)
    s = trace.slices()
    assert (s["end"] >= s["start"]).all()
    run, sysc = s["what"] == 0, s["what"] == 1
    assert run.sum() == len(rows(trace, "execute")) + len(rows(trace, "exitsyscallfast"))
    assert sysc.sum() == 40
    q = trace.queue_lengths()
    assert q["local"].shape == (len(trace), 2) and len(q["global"]) == len(trace)
    st = trace.state_at(len(trace) // 2)
    assert q["global"][len(trace) // 2 - 1] == len(st.globrunq)
    assert list(q["local"][len(trace) // 2 - 1]) == [len(r) for r in st.p_runq]
    summ = trace.summary()
    for key in ("makespan_ns", "context_switches", "steals", "handoffs", "retakes", "preemptions",
                "threads_high_water", "latency_p50_ns", "latency_p90_ns", "latency_p99_ns",
                "latency_max_ns"):
        assert key in summ
    assert summ["latency_p50_ns"] <= summ["latency_p90_ns"] <= summ["latency_p99_ns"] <= summ["latency_max_ns"]
    assert str(st).startswith("t=")


@pytest.mark.parametrize("detail", [False, True])
def test_schedtrace_round_trips_through_the_parser(detail):
    from gmplab.sched.schedtrace import format_schedtrace, parse

    trace = simulate(workloads.syscall_mix(12, 3, 200_000, 1_500_000), 2)
    text = "\n".join(trace.schedtrace(1_000_000, detail=detail))
    table = parse(text)
    assert table.style == "go1.25" and len(table.time_ms) == 7
    assert format_schedtrace(table).strip() == text.strip()
    assert table.threads.max() == trace.summary()["threads_high_water"]


def test_every_event_has_a_caption_and_next_event_finds_kinds():
    main = [ops.spawn([ops.sleep(100_000), ops.cpu(50_000), ops.gosched(), ops.netwait(30_000)])] * 3 + [
        ops.spawn([ops.syscall(2_000_000)]), ops.spawn([ops.send(0)]), ops.recv(0), ops.cpu(12_000_000)]
    trace = simulate(Workload.from_programs(main, channels=[0]), 2)
    seen = set()
    for k in range(len(trace)):
        text = trace.describe(k)
        name = EVENT_KINDS[trace.events["kind"][k]]
        assert text.endswith(f" — {name}") and "-1" not in text
        seen.add(name)
    assert {"newproc", "execute", "gopark", "goready", "goexit0", "gosched", "preemptone",
            "entersyscall", "retake", "handoffp", "startm", "stopm", "netpoll"} <= seen
    k = trace.next_event(0, ["entersyscall"])
    assert EVENT_KINDS[trace.events["kind"][k]] == "entersyscall"
    assert trace.next_event(k, "entersyscall") == -1
    assert trace.next_event(len(trace) - 1, ["execute"]) == -1
    with pytest.raises(ValueError, match="unknown event kind"):
        trace.next_event(0, ["schedule"])
    with pytest.raises(ValueError, match="k must be an int"):
        trace.state_at(len(trace) + 1)


def test_ncpu_shares_cores_between_running_ms():
    # Two 4 ms hogs on two Ps. G3 runs alone from 800 ns; the spinning M2 steals G2 at
    # 15.2 µs. With one core they then progress at half speed: G3 ends at
    # 15_200 + 2 * (4_000_000 - 14_400) = 7_986_400 ns, and G2, alone again, 14.4 µs later.
    base = simulate(workloads.cpu_hogs(2, 4_000_000), 2)
    assert base.summary()["makespan_ns"] == 15_200 + 4_000_000
    assert simulate(workloads.cpu_hogs(2, 4_000_000), 2, ncpu=2).events["t"].tolist() == \
        base.events["t"].tolist()                          # enough cores: nothing changes
    one = simulate(workloads.cpu_hogs(2, 4_000_000), 2, ncpu=1)
    ends = one.events["t"][rows(one, "goexit0")].tolist()
    assert ends == [600, 7_986_400, 8_000_800]
    with pytest.raises(ValueError, match="ncpu must be an int"):
        simulate(base.workload, 2, ncpu=0)


def test_timer_that_expires_while_the_only_p_is_busy_is_run_before_the_m_parks():
    # GOMAXPROCS=1, a slow stealWork scan: G2's 1 µs sleep expires while the M still holds
    # P0 (so no idle P can be woken for it). Before parking, findRunnable's blocking netpoll
    # would return at once for the due timer (R16), so the sleeper runs instead of the
    # program hanging.
    main = [ops.spawn([ops.sleep(1_000), ops.cpu(10)])]
    trace = simulate(Workload.from_programs(main), 1, steal_ns=5_000)
    (k,) = rows(trace, "goready")
    assert trace.events["g"][k] == 1 and trace.events["a"][k] == -1
    spin = rows(trace, "findRunnable")[0]
    assert trace.events["t"][k] == trace.events["t"][spin] + 5_000   # at the end of the scan
    assert not trace.deadlock and (trace.state_at(len(trace)).g_status == 6).all()
