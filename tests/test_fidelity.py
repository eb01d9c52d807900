"""gmplab.sched.fidelity: the real side (recordings, metrics, calibration) on committed data.

Everything here reads data/go-runtime and data/threads-vs-goroutines; no Go is needed.
The simulator side is tested in the second half, when the engine is importable.
"""
from __future__ import annotations

import statistics

import pytest
from hypothesis import given, settings, strategies as st

from gmplab.sched import fidelity as F
from gmplab.sched.schedtrace import parse

LINE = "SCHED {t}ms: gomaxprocs=2 idleprocs={i} threads={th} spinningthreads=0 idlethreads=0 runqueue={g} [{a} {b}]"


def trace(*rows):
    return parse("\n".join(LINE.format(t=t, i=i, th=th, g=g, a=a, b=b) for t, i, th, g, a, b in rows))


@pytest.fixture(scope="module")
def recs():
    return F.load_recordings()


def test_window_weights_each_line_by_how_long_it_held():
    t = trace((0, 2, 3, 0, 0, 0), (10, 0, 4, 8, 1, 1), (20, 1, 6, 0, 0, 0))
    # window 5..25: line0 holds 5 ms, line1 10 ms, line2 5 ms
    m = F.trace_metrics(t, 5, 25)
    assert m["idle_fraction"] == pytest.approx((5 * 1.0 + 10 * 0 + 5 * 0.5) / 20)
    assert m["runqueue_mean"] == pytest.approx(10 * 8 / 20)
    assert m["local_runq_mean"] == pytest.approx(10 * 2 / 20)
    assert m["threads_high_water"] == 6 and m["lines_in_window"] == 3
    # a window inside one line sees only that line
    m = F.trace_metrics(t, 11, 12)
    assert (m["runqueue_mean"], m["lines_in_window"]) == (8.0, 1)
    # a window after the last line: the last state persists
    assert F.trace_metrics(t, 30, 40)["idle_fraction"] == 0.5
    # a window that starts before the first line takes the first line from its start
    late = trace((4, 0, 3, 6, 0, 0), (8, 2, 3, 0, 0, 0))
    assert F.trace_metrics(late, 0, 10)["runqueue_mean"] == pytest.approx(8 * 6 / 10)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 2), st.integers(0, 500)),
                min_size=1, max_size=12),
       st.floats(0, 200), st.floats(0.5, 200))
def test_property_time_weighted_means_stay_within_the_sampled_values(steps, start, length):
    t, rows = 0, []
    for dt, idle, g in steps:
        t += dt
        rows.append((t, idle, 3, g, g % 7, 0))
    table = trace(*rows)
    m = F.trace_metrics(table, start, start + length)
    lo, hi = min(r[3] for r in rows), max(r[3] for r in rows)
    assert lo - 1e-9 <= m["runqueue_mean"] <= hi + 1e-9
    assert 0.0 <= m["idle_fraction"] <= 1.0
    # a window covering one constant stretch returns exactly that constant
    if len(set(r[3] for r in rows)) == 1:
        assert m["runqueue_mean"] == pytest.approx(rows[0][3])


def test_window_rejects_empty_interval():
    t = trace((0, 2, 3, 0, 0, 0))
    with pytest.raises(ValueError, match="end_ms"):
        F.trace_metrics(t, 5, 5)


def test_series_is_a_step_function():
    t = trace((0, 2, 3, 0, 0, 0), (3, 0, 4, 8, 1, 1))
    tt, v = F.series(t, "runqueue", 1, 6, step_ms=1)
    assert tt.tolist() == [0, 1, 2, 3, 4] and v.tolist() == [0, 0, 8, 8, 8]
    assert F.series(t, "local_runq_total", 0, 4, 3)[1].tolist() == [0, 2]
    with pytest.raises(ValueError, match="name"):
        F.series(t, "bogus", 0, 1)
    with pytest.raises(ValueError, match="step_ms"):
        F.series(t, "runqueue", 0, 1, 0)


def test_recordings_cover_every_workload_and_gomaxprocs(recs):
    meta = F.load_machine()
    cells = {(r.workload, r.gomaxprocs) for r in recs}
    assert cells == {(w, p) for w in meta["workloads"] for p in meta["gomaxprocs"]}
    assert len(recs) == len(cells) * meta["runs"]
    for r in recs:
        assert r.params == meta["workloads"][r.workload]
        assert r.go_version == meta["go_version"].split()[2]
        assert 0 <= r.start_ms < 5 and r.makespan_ms > 1


def test_real_runs_show_the_textbook_effects(recs):
    real = F.real_summary(recs)
    med = {k: {m: statistics.median(v) for m, v in cell.items()} for k, cell in real.items()}
    # blocking syscalls hand their P off: threads grow far beyond GOMAXPROCS + sysmon
    for p in (1, 2, 4, 8):
        assert med[("syscall_mix", p)]["threads_high_water"] > p + 2
        assert med[("syscall_mix", p)]["threads_high_water"] > med[("cpu_hogs", p)]["threads_high_water"]
    # fanout on one P spills its 256-slot ring into the global queue (runqputslow)
    assert med[("fanout", 1)]["runqueue_mean"] > 256
    # a single P is never idle while CPU work waits
    for w in ("fanout", "cpu_hogs", "pingpong", "pipeline"):
        assert med[(w, 1)]["idle_fraction"] == 0.0
    # goroutine ping-pong never touches the global queue
    assert all(med[("pingpong", p)]["runqueue_mean"] == 0.0 for p in (1, 2, 4, 8))
    # CPU-bound work speeds up from 1 to 2 Ps on this 2-core machine ...
    for w in ("fanout", "cpu_hogs"):
        assert med[(w, 2)]["makespan_ms"] < 0.6 * med[(w, 1)]["makespan_ms"]
    # ... and not beyond: 8 Ps share the same 2 cores
    for w in ("fanout", "cpu_hogs"):
        assert med[(w, 8)]["makespan_ms"] > 0.9 * med[(w, 2)]["makespan_ms"]


def test_calibration_is_one_documented_function_of_the_data(recs):
    cal = F.calibrate(recs)
    meta = F.load_machine()
    hog, pp = meta["workloads"]["cpu_hogs"], meta["workloads"]["pingpong"]
    hogs = [r.makespan_ms for r in recs if r.workload == "cpu_hogs" and r.gomaxprocs == 1]
    pings = [r.makespan_ms for r in recs if r.workload == "pingpong" and r.gomaxprocs == 1]
    assert cal.cpu_scale == pytest.approx(statistics.median(hogs) * 1e6 / (hog["n"] * hog["duration_ns"]))
    handoff = statistics.median(pings) * 1e6 / (2 * pp["pairs"] * pp["rounds"])
    assert cal.chan_ns == F.CHAN_OP_NS == 50
    assert cal.switch_ns == pytest.approx(handoff - F.CHAN_OP_NS)
    from gmplab.measurements import load_thread_measurements
    s = load_thread_measurements()["summary"]
    assert cal.spawn_ns == pytest.approx(s["goroutine_create_run_exit_ns"] - cal.switch_ns)
    assert (cal.wake_ns, cal.newm_ns) == (s["thread_switch_any_cpu_ns"], s["thread_create_ns"])
    # the one-P hand-off in the pingpong recording agrees with the separate channel
    # ping-pong microbenchmark of data/threads-vs-goroutines within 25 %
    assert handoff == pytest.approx(s["goroutine_switch_ns"], rel=0.25)
    assert cal.ncpu == meta["machine"]["logical_cpus"] and set(cal.derivation) == set(cal.as_dict())
    assert 0.9 < cal.cpu_scale < 1.3


def test_calibration_needs_single_p_recordings(recs):
    with pytest.raises(ValueError, match="cpu_hogs at GOMAXPROCS=1"):
        F.calibrate([r for r in recs if r.gomaxprocs > 1])


def test_tolerances_cover_every_metric():
    assert set(F.TOLERANCES) == set(F.METRICS)
    for tol in F.TOLERANCES.values():
        assert tol.why and (tol.abs > 0 or tol.rel > 0)
    assert F.TOLERANCES["makespan_ms"].bound(100.0) == 25.0
    assert F.TOLERANCES["makespan_ms"].bound(1.0) == 2.0


MACHINE = {"machine": {"logical_cpus": 2}, "probes": {"usleep20_ns": 90_000}}


def test_limits_name_their_mechanism():
    # more Ps than cores: every time-based metric, never the thread count
    for metric in F.TIME_METRICS:
        assert "on 2 cores" in F.limit_reason("fanout", 4, metric, MACHINE)
        assert F.limit_reason("fanout", 2, metric, MACHINE) is None
    assert F.limit_reason("fanout", 8, "threads_high_water", MACHINE) is None
    # late sleeps: only the makespan, only when the estimate exceeds the tolerance
    reason = F.limit_reason("syscall_mix", 1, "makespan_ms", MACHINE, overrun_ms=24.3, bound=18.7)
    assert "90 µs" in reason and "+24.3 ms" in reason
    assert F.limit_reason("syscall_mix", 1, "makespan_ms", MACHINE, overrun_ms=7.1, bound=7.4) is None
    assert F.limit_reason("syscall_mix", 1, "idle_fraction", MACHINE, overrun_ms=99, bound=0.1) is None


def test_sleep_overrun_is_counts_times_measured_lateness():
    m = {"probes": {"usleep20_ns": 96_000, "usleep3_ns": 74_000}}
    assert F.sleep_overrun_ms(319, 0, m) == pytest.approx(319 * 76e-3)
    assert F.sleep_overrun_ms(0, 100, m) == pytest.approx(100 * 71e-3)
    assert F.sleep_overrun_ms(5, 5, {}) == 0.0  # no probes recorded: nothing to add


def test_verdicts():
    row = F._verdict("makespan_ms", [10.0, 12.0, 14.0], 13.0, "fanout", 1, MACHINE)
    assert (row.verdict, row.real_median, row.bound) == ("holds", 12.0, 3.0)
    assert F._verdict("makespan_ms", [10.0, 12.0, 14.0], 16.0, "fanout", 1, MACHINE).verdict == "FAILS"
    assert F._verdict("makespan_ms", [10.0], float("nan"), "fanout", 1, MACHINE).verdict == "FAILS"
    lim = F._verdict("makespan_ms", [10.0], 16.0, "fanout", 8, MACHINE)
    assert lim.verdict == "limit" and "2 cores" in lim.reason
    table = F.format_table([row, lim])
    assert "1 hold, 0 fail, 1 outside the model" in table and "2 cores" in table


def test_bad_recording_raises(tmp_path):
    p = tmp_path / "x.txt"
    p.write_text("# gmplab recording: workload=x gomaxprocs=1 run=1\n"
                 "SCHED 0ms: gomaxprocs=1 idleprocs=0 threads=3 spinningthreads=0 idlethreads=0 runqueue=0 [0]\n")
    with pytest.raises(ValueError, match="no 'GMPLAB"):
        F.load_recording(p)


# --------------------------------------------------------------------------- simulator side

engine = pytest.mark.skipif(not F.engine_available(), reason="gmplab.simulate is not importable")

#: Judged cells where the model misses its tolerance on the committed recordings, and why.
#: Strict: a cell that starts to hold (or a new failure) fails the test, so this list and
#: the chapter's table cannot drift apart.
EXPECTED_FAILS = {
    ("pingpong", 2, "makespan_ms"): (
        "real hand-offs cost ~180 ns on each of two busy Ps against ~120 ns on one P; the "
        "engine keeps the one-P cost (cause not isolated: caches, the hypervisor)"),
    ("pipeline", 2, "makespan_ms"): (
        "the model's 100 runnext steals each wait usleep(3) = 3 µs instead of the measured "
        "~74 µs (+7.1 ms, just under the 7.4 ms tolerance, so the cell is judged and fails)"),
}


@pytest.fixture(scope="module")
def rows(recs):
    return F.compare(recs)


@engine
def test_engine_schedtrace_round_trips_through_the_parser():
    import gmplab
    from gmplab.sched import workloads
    from gmplab.sched.schedtrace import format_schedtrace
    trace = gmplab.simulate(workloads.syscall_mix(6, 4, 100_000, 500_000), 2, seed=3)
    for detail in (False, True):
        lines = trace.schedtrace(500_000, detail=detail)
        t = parse(lines)
        assert (t.style, t.detailed) == ("go1.25", detail)
        assert format_schedtrace(t) == "\n".join(lines)
    # the model has no races: in detail mode the counters and the P/M lines agree exactly
    t = parse(trace.schedtrace(500_000, detail=True))
    for r in range(len(t)):
        procs, machines = t.procs["row"] == r, t.machines["row"] == r
        assert (t.procs["status"][procs] == 0).sum() == t.idleprocs[r]
        assert machines.sum() == t.threads[r]
    assert (t.procs["status"] == 2).any()  # a P seen in _Psyscall


@engine
def test_calibrated_engine_reproduces_the_calibration_cells(recs):
    cal = F.calibrate(recs)
    real = F.real_summary(recs)
    for workload in ("pingpong", "cpu_hogs"):  # the two cells the costs were derived from
        params = next(r.params for r in recs if r.workload == workload)
        trace, _ = F.simulate_recording(workload, params, 1, cal, 0, F.engine_costs_from(cal)[0])
        sim_ms = trace.summary()["makespan_ns"] / 1e6
        assert sim_ms == pytest.approx(statistics.median(real[(workload, 1)]["makespan_ms"]), rel=0.03)


@engine
def test_comparison_is_deterministic(recs):
    cells = [("fanout", 2), ("syscall_mix", 2)]
    assert F.compare(recs, cells=cells) == F.compare(recs, cells=cells)
    with pytest.raises(ValueError, match="cells"):
        F.compare(recs, cells=[("fanout", 3)])


@engine
def test_every_cell_is_judged_or_limited_for_a_stated_reason(rows, recs):
    meta = F.load_machine()
    assert len(rows) == len(meta["workloads"]) * len(meta["gomaxprocs"]) * len(F.METRICS)
    ncpu = meta["machine"]["logical_cpus"]
    for r in rows:
        if r.gomaxprocs > ncpu and r.metric in F.TIME_METRICS:
            assert r.verdict == "limit" and "cores" in r.reason
        if r.metric == "threads_high_water":
            assert r.verdict in ("holds", "FAILS")  # never excused


@engine
def test_stated_tolerances_hold_on_the_committed_recordings(rows):
    fails = {(r.workload, r.gomaxprocs, r.metric) for r in rows if r.verdict == "FAILS"}
    assert fails == set(EXPECTED_FAILS), F.format_table([r for r in rows if r.verdict != "limit"])
    ncpu = F.load_machine()["machine"]["logical_cpus"]
    # with no more Ps than cores only a makespan can be outside the model (late sleeps)
    assert all(r.verdict != "limit" for r in rows if r.gomaxprocs <= ncpu and r.metric != "makespan_ms")


def test_model_cores_judges_cells_above_the_core_count():
    """With model_cores the engine gets ncpu and the 8-P time metrics get verdicts, not 'limit'."""
    plain = {r.metric: r for r in F.compare(cells=[("fanout", 8)])}
    cores = {r.metric: r for r in F.compare(cells=[("fanout", 8)], model_cores=True)}
    assert plain["makespan_ms"].verdict == "limit" and "ncpu shares only bursts" in plain["makespan_ms"].reason
    assert cores["makespan_ms"].verdict in ("holds", "FAILS")
    # two cores for eight Ps: the CPU bursts take longer than with a core per M
    assert cores["makespan_ms"].sim > plain["makespan_ms"].sim
    costs, modelled = F.engine_costs_from(F.calibrate(), model_cores=True)
    assert modelled and costs["ncpu"] == F.load_machine()["machine"]["logical_cpus"]
