"""``simulate`` and ``SchedTrace``: run the GMP kernel and read its event log.

``simulate`` validates its inputs, calls the Numba kernel (``gmplab.sched.kernel``) and
wraps the log in a :class:`SchedTrace`. The log is the whole truth: ``state_at(k)``
rebuilds every P, M and G and both queue levels from it (``gmplab.sched.replay``) using
checkpoints every K rows, so any step — forwards or backwards — costs at most K rows of
jitted replay. Captions (``describe``), go-tool-trace-style slices, queue lengths,
``GODEBUG=schedtrace`` lines and the summary are all derived from the same log.

Example
-------
>>> import gmplab
>>> from gmplab.sched import workloads
>>> trace = gmplab.simulate(workloads.fanout(8, 50_000), gomaxprocs=2)
>>> trace.summary()["goroutines"]
9
>>> trace.describe(0)
'G1 created on P0 and put in its runnext — newproc'
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from gmplab.sched import kernel as K
from gmplab.sched import replay as R
from gmplab.sched.ops import Workload

#: Default thread cap: proc.go schedinit sched.maxmcount = 10000.
MAX_THREADS = 10_000


def _g(g) -> str:
    return f"G{int(g) + 1}"


def _check_int(name, value, lo, hi):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not lo <= value <= hi:
        raise ValueError(f"{name} must be an int in {lo}..{hi}, got {value!r}")
    return int(value)


def simulate(workload: Workload, gomaxprocs: int, seed: int = 0, *, max_threads: int = MAX_THREADS,
             ncpu: int | None = None, **costs) -> "SchedTrace":
    """Run ``workload`` on the Go 1.25 scheduler model with ``gomaxprocs`` Ps.

    ``costs`` override the defaults in ``gmplab.sched.DEFAULT_COSTS`` (ns, ints >= 0).
    ``max_threads`` is ``debug.SetMaxThreads`` (exceeding it is a fatal error in Go).
    ``ncpu`` (optional) is the number of hardware cores: when more Ms run CPU bursts than
    there are cores, they share them equally (as the OS time-slices threads), so runs can
    be compared with a real machine that has fewer cores than GOMAXPROCS. ``None`` means
    one core per running M.

    Example
    -------
    >>> from gmplab.sched import simulate, workloads
    >>> simulate(workloads.cpu_hogs(2, 25_000_000), 1).summary()["preemptions"] > 0
    True
    """
    if not isinstance(workload, Workload):
        raise ValueError(f"workload must be a gmplab.sched Workload, got {type(workload).__name__}")
    gomaxprocs = _check_int("gomaxprocs", gomaxprocs, 1, 1024)
    seed = _check_int("seed", seed, 0, 2**64 - 1)
    max_threads = _check_int("max_threads", max_threads, 2, 1_000_000)
    ncpu_arg = 0 if ncpu is None else _check_int("ncpu", ncpu, 1, 1_000_000)
    used = dict(K.DEFAULT_COSTS)
    for name, value in costs.items():
        if name not in used:
            raise ValueError(f"unknown cost {name!r}; the costs are {', '.join(K.COST_NAMES)}")
        used[name] = _check_int(name, value, 0, 10**12)
    cost_arr = np.array([used[c] for c in K.COST_NAMES], np.int64)
    n_g = workload.n_goroutines
    # The log: ~3 rows per op the goroutines will run (capped; it doubles past that), so it
    # rarely has to grow (each growth copies it).
    cap = max(3 * n_g + workload.n_ops, min(3 * workload.n_executed_ops, K.LOG_ESTIMATE_MAX)) + K.LOG_MARGIN
    args = (workload.prog_off, workload.op_kind, workload.op_arg, workload.chan_cap,
            np.int64(n_g), np.int64(gomaxprocs), np.uint64(seed), cost_arr, np.int64(max_threads),
            np.int64(ncpu_arg))
    lt, ld, n_ev, n_m, err = K.simulate_kernel(*args, np.int64(cap))
    if n_ev > len(lt):  # the log overflowed within one step: deterministic, a re-run fits exactly
        lt, ld, n_ev, n_m, err = K.simulate_kernel(*args, np.int64(n_ev))
    if err == K.ERR_HEAP:
        raise RuntimeError("internal error: the event heap overflowed (please report the workload)")
    if err == K.ERR_THREADS:
        raise RuntimeError(f"runtime: program exceeds {max_threads}-thread limit — fatal error: "
                           "thread exhaustion (raise max_threads)")
    n_ev = int(n_ev)
    # Views into the kernel's buffers (no copies: a million-goroutine log is ~100 MB).
    events = {"t": lt[:n_ev]}
    for i, col in enumerate(("kind", "p", "m", "g", "a", "b")):
        events[col] = ld[:n_ev, i]
    trace = SchedTrace(events, gomaxprocs, seed, n_g, int(n_m), used, workload, ld[:n_ev])
    trace.ncpu = ncpu
    return trace


@dataclass
class SchedState:
    """The whole scheduler state after some number of events (Go numbering for statuses)."""

    t: int
    p_status: np.ndarray
    p_m: np.ndarray
    p_curg: np.ndarray
    p_runnext: np.ndarray
    p_runq: list
    p_schedtick: np.ndarray
    p_syscalltick: np.ndarray
    globrunq: np.ndarray
    m_status: np.ndarray
    m_p: np.ndarray
    m_curg: np.ndarray
    m_spinning: np.ndarray
    g_status: np.ndarray
    g_wait: np.ndarray
    needspinning: int = 0

    def __str__(self) -> str:
        lines = [f"t={self.t} ns  global runq [{' '.join(_g(g) for g in self.globrunq)}]"]
        for p in range(len(self.p_status)):
            st = ("idle", "running", "syscall")[int(self.p_status[p])]
            m = f"M{self.p_m[p]}" if self.p_m[p] >= 0 else "no M"
            cur = _g(self.p_curg[p]) if self.p_curg[p] >= 0 else "-"
            nxt = _g(self.p_runnext[p]) if self.p_runnext[p] >= 0 else "-"
            q = " ".join(_g(g) for g in self.p_runq[p][:12])
            more = f" (+{len(self.p_runq[p]) - 12})" if len(self.p_runq[p]) > 12 else ""
            lines.append(f"P{p} {st:<7} {m:<5} running {cur:<6} runnext {nxt:<6} runq [{q}{more}]")
        ms = ", ".join(f"M{m} {K.M_STATUS[s]}" + (f"({_g(self.m_curg[m])})" if self.m_curg[m] >= 0 else "")
                       for m, s in enumerate(self.m_status))
        lines.append(f"Ms: {ms}")
        counts = np.bincount(self.g_status.astype(np.int64), minlength=7)
        lines.append(f"Gs: {counts[1]} runnable, {counts[2]} running, {counts[3]} in syscalls, "
                     f"{counts[4]} waiting, {counts[6]} dead, {counts[0]} not yet created")
        return "\n".join(lines)


class SchedTrace:
    """The event log of one run plus replay, captions and metrics.

    ``events`` holds equal-length arrays: ``t`` (int64 ns), ``kind`` (index into
    ``EVENT_KINDS``), ``p``, ``m``, ``g`` (-1 = none) and ``a``, ``b`` (per kind, see
    ``gmplab.sched.kernel.EVENT_KINDS``). G ids are 0-based; captions print them as Go
    does (G1 = main).
    """

    def __init__(self, events, gomaxprocs, seed, n_g, n_m, costs, workload, rows=None):
        self.events = events
        self.gomaxprocs = gomaxprocs
        self.seed = seed
        self.n_g = n_g
        self.n_m = n_m
        self.costs = costs
        self.workload = workload
        n = len(events["t"])
        self.deadlock = bool(n and events["kind"][-1] == K.EV_CHECKDEAD)
        self.ncpu = None   # set by simulate when a core count was modelled
        if rows is None:
            rows = np.stack([events[c] for c in ("kind", "p", "m", "g", "a", "b")], axis=1)
        self._ld = np.ascontiguousarray(rows, dtype=np.int32)
        self._every = max(1024, math.ceil(n / 48))
        self._checkpoints: list | None = None

    def __len__(self) -> int:
        return len(self.events["t"])

    def __repr__(self) -> str:
        return (f"SchedTrace({self.workload.name}: {len(self)} events, GOMAXPROCS={self.gomaxprocs}, "
                f"{self.n_g} Gs, {self.n_m} Ms, seed={self.seed})")

    # ---- replay -----------------------------------------------------------------------
    def _fresh(self):
        return R.initial_state(self.gomaxprocs, self.n_g, self.n_m)

    def _build_checkpoints(self):
        state = self._fresh()
        cps = []
        n = len(self)
        for k0 in range(0, n + 1, self._every):
            gst, pst, runq, mst, gq, rsc, timerp = state
            live = gq[np.arange(rsc[R.R_GQH], rsc[R.R_GQT]) % len(gq)].copy()
            cps.append((gst.copy(), pst.copy(), runq.copy(), mst.copy(), live, rsc.copy(), timerp.copy()))
            k1 = min(n, k0 + self._every)
            if k1 > k0:
                R.apply_events(self._ld, np.int64(k0), np.int64(k1), *state)
        self._checkpoints = cps

    def _raw_state(self, k: int):
        if self._checkpoints is None:
            self._build_checkpoints()
        c = k // self._every
        gst, pst, runq, mst, live, rsc, timerp = self._checkpoints[c]
        gq = np.full(max(self.n_g, 1), -1, np.int32)
        gq[: len(live)] = live
        rsc = rsc.copy()
        rsc[R.R_GQT] = len(live)
        rsc[R.R_GQH] = 0
        state = [gst.copy(), pst.copy(), runq.copy(), mst.copy(), gq, rsc, timerp.copy()]
        R.apply_events(self._ld, np.int64(c * self._every), np.int64(k), *state)
        return state

    def state_at(self, k: int) -> SchedState:
        """The state after the first ``k`` events (0 = initial, ``len(trace)`` = final)."""
        k = _check_int("k", k, 0, len(self))
        gst, pst, runq, mst, gq, rsc, _ = self._raw_state(k)
        rings = []
        for p in range(self.gomaxprocs):
            h, t = int(pst[R.RP_HEAD, p]), int(pst[R.RP_TAIL, p])
            rings.append(runq[p, np.arange(h, t) % R.RUNQ_SIZE].astype(np.int64))
        gh, gt = int(rsc[R.R_GQH]), int(rsc[R.R_GQT])
        nm = int(rsc[R.R_MCOUNT])
        return SchedState(
            t=int(self.events["t"][k - 1]) if k > 0 else 0,
            p_status=pst[R.RP_STATUS].copy(), p_m=pst[R.RP_M].copy(), p_curg=pst[R.RP_CURG].copy(),
            p_runnext=pst[R.RP_RUNNEXT].copy(), p_runq=rings,
            p_schedtick=pst[R.RP_SCHEDTICK].copy(), p_syscalltick=pst[R.RP_SYSCALLTICK].copy(),
            globrunq=gq[np.arange(gh, gt) % len(gq)].astype(np.int64),
            m_status=mst[R.RM_STATUS, :nm].copy(), m_p=mst[R.RM_P, :nm].copy(),
            m_curg=mst[R.RM_CURG, :nm].copy(), m_spinning=mst[R.RM_SPINNING, :nm].copy(),
            g_status=gst[0].astype(np.int64), g_wait=gst[1].astype(np.int64),
            needspinning=int(rsc[R.R_NEEDSPIN]),
        )

    def _detail_extra(self, k: int):
        gst, pst, runq, mst, gq, rsc, _ = self._raw_state(k)
        return pst[R.RP_GFREE].copy(), pst[R.RP_TIMERS].copy()

    # ---- navigation and captions --------------------------------------------------------
    def next_event(self, k: int, kinds) -> int:
        """Index of the first event after ``k`` whose kind name is in ``kinds``, or -1."""
        if isinstance(kinds, str):
            kinds = (kinds,)
        codes = []
        for name in kinds:
            if name not in K.EVENT_KINDS:
                raise ValueError(f"unknown event kind {name!r}; kinds are {', '.join(K.EVENT_KINDS)}")
            codes.append(K.EVENT_KINDS.index(name))
        k = int(k)
        hits = np.flatnonzero(np.isin(self.events["kind"][k + 1:], codes))
        return int(hits[0] + k + 1) if len(hits) else -1

    def describe(self, k: int) -> str:
        """One sentence about event ``k`` for a learner, ending with the runtime function."""
        k = _check_int("k", k, 0, len(self) - 1)
        e = {c: int(self.events[c][k]) for c in ("kind", "p", "m", "g", "a", "b")}
        kind, p, m, g, a, b = (e[c] for c in ("kind", "p", "m", "g", "a", "b"))
        name = K.EVENT_KINDS[kind]
        G = _g(g) if g >= 0 else ""
        if kind == K.EV_NEWPROC:
            by = f" by {_g(a)}" if a >= 0 else ""
            text = f"{G} created{by} on P{p} and put in its runnext"
        elif kind == K.EV_RUNQPUTSLOW:
            text = (f"P{p}'s local queue is full: {G} (kicked out of runnext) and the {a} oldest "
                    f"Gs move to the global queue")
        elif kind == K.EV_EXECUTE:
            src = ("from P{p}'s runnext", "from the head of P{p}'s local queue",
                   "from the global queue", "just stolen")[b].format(p=p)
            slice_ = "inheriting the time slice" if a else "starting a new time slice"
            text = f"M{m} runs {G} on P{p} ({src}), {slice_}"
        elif kind == K.EV_GOPARK:
            text = f"{G} blocks ({K.WAIT_REASONS[a]}) and leaves P{p}"
        elif kind == K.EV_GOREADY:
            by = f"{_g(a)}" if a >= 0 else "a timer"
            reason = f" from {K.WAIT_REASONS[b]}" if 0 < b < len(K.WAIT_REASONS) else ""
            text = f"{by} wakes {G}{reason} into P{p}'s runnext"
        elif kind == K.EV_GOEXIT0:
            text = f"{G} finished on P{p}"
        elif kind == K.EV_GOSCHED:
            text = f"{G} yields (Gosched) to the tail of the global queue"
        elif kind == K.EV_PREEMPTONE:
            text = f"sysmon: {G} has run 10 ms on P{p}'s time slice, so it is asked to stop"
        elif kind == K.EV_GOPREEMPT:
            text = f"{G} is preempted on P{p} and goes to the tail of the global queue"
        elif kind == K.EV_RUNQSTEAL:
            if b < 0:
                text = f"P{p} stole {G} from P{a}'s runnext and runs it"
            else:
                text = f"P{p} stole {b} G{'s' if b != 1 else ''} from P{a} and runs {G}"
        elif kind == K.EV_GLOBRUNQGET:
            if b == 0:
                text = f"schedtick is a multiple of 61, so P{p} takes {G} from the global queue"
            else:
                text = f"P{p} takes {a} G{'s' if a != 1 else ''} from the global queue and runs {G}"
        elif kind == K.EV_FINDRUNNABLE:
            text = f"M{m} on P{p} found no local or global work and starts spinning to steal"
        elif kind == K.EV_PIDLEPUT:
            text = f"M{m} found nothing to run and puts P{p} on the idle list"
        elif kind == K.EV_STOPM:
            text = f"M{m} parks on the idle-M list (the thread is kept)"
        elif kind == K.EV_STARTM:
            how = "a new thread" if b else "an idle thread"
            spin = " to spin" if a else ""
            text = f"M{m} ({how}) is started{spin} with P{p}"
        elif kind == K.EV_WAKEP:
            if a >= 0:
                text = f"new work and no spinning M, so idle P{a} gets an M to look for it"
            else:
                text = "new work, no spinning M and no idle P: needspinning is set"
        elif kind == K.EV_ENTERSYSCALL:
            text = f"{G} enters a blocking syscall on M{m}; P{p} is detached (_Psyscall)"
        elif kind == K.EV_EXITSYSCALLFAST:
            how = "gets its old P back" if a == 0 else "takes an idle P"
            text = f"{G} returns from its syscall and {how}: it keeps running on P{p}"
        elif kind == K.EV_EXITSYSCALL0:
            text = f"{G} returns from its syscall but no P is free: it goes to the global queue and M{m} parks"
        elif kind == K.EV_RETAKE:
            text = f"sysmon retakes P{p} from a syscall ({a / 1000:.0f} µs since it noticed)"
        elif kind == K.EV_HANDOFFP:
            why = {0: "nothing to do, so it goes idle", 1: "it has work, so an M is started for it",
                   2: "no M is spinning and no P idle, so a spinning M is started for it",
                   3: "it is the last running P, so an M is started to poll the network"}[a]
            text = f"P{p} lost its M: {why}"
        elif kind == K.EV_NETPOLL:
            where = f"P{p}'s local queue" if p >= 0 else "the global queue"
            text = f"the netpoller returns {G} (its I/O is ready) into {where}"
        elif kind == K.EV_INJECTGLIST:
            text = f"sysmon polled the network: {G} goes to the global queue"
        else:
            text = f"all goroutines are asleep - deadlock! ({g} blocked forever)"
        return f"{text} — {name}"

    # ---- derived views -----------------------------------------------------------------
    def slices(self) -> dict[str, np.ndarray]:
        """Spans for a timeline: ``what`` 0 = running on a P, 1 = in a syscall on an M."""
        ev = self.events
        kind = ev["kind"]
        out = {k: [] for k in ("g", "p", "m", "start", "end", "what")}
        starts_run = (K.EV_EXECUTE, K.EV_EXITSYSCALLFAST)
        ends_run = (K.EV_GOPARK, K.EV_GOEXIT0, K.EV_GOSCHED, K.EV_GOPREEMPT, K.EV_ENTERSYSCALL)
        for what, starts, ends in ((0, starts_run, ends_run),
                                   (1, (K.EV_ENTERSYSCALL,), (K.EV_EXITSYSCALLFAST, K.EV_EXITSYSCALL0))):
            sel = np.flatnonzero(np.isin(kind, starts + ends))
            order = sel[np.argsort(ev["g"][sel], kind="stable")]
            g = ev["g"][order]
            is_start = np.isin(kind[order], starts)
            pair = np.flatnonzero(is_start[:-1] & ~is_start[1:] & (g[:-1] == g[1:]))
            if what == 1:  # entersyscall is both an end (of running) and a start here
                is_end = np.isin(kind[order], ends)
                pair = np.flatnonzero((kind[order][:-1] == K.EV_ENTERSYSCALL) & is_end[1:] & (g[:-1] == g[1:]))
            s, e = order[pair], order[pair + 1]
            out["g"].append(ev["g"][s])
            out["p"].append(ev["p"][s])
            out["m"].append(ev["m"][s])
            out["start"].append(ev["t"][s])
            out["end"].append(ev["t"][e])
            out["what"].append(np.full(len(s), what, np.int8))
        res = {k: np.concatenate(v) for k, v in out.items()}
        order = np.argsort(res["start"], kind="stable")
        return {k: v[order] for k, v in res.items()}

    def queue_lengths(self) -> dict[str, np.ndarray]:
        """Global and local (runnext excluded) queue lengths after each event; traces over
        200,000 events are sampled every ceil(n/200,000)-th event (and the last)."""
        n = len(self)
        stride = max(1, math.ceil(n / 200_000))
        if n == 0:
            return {"t": np.zeros(0, np.int64), "global": np.zeros(0, np.int32),
                    "local": np.zeros((0, self.gomaxprocs), np.int32)}
        idx, glob, loc = R.queue_lengths_kernel(self._ld, np.int64(stride), *self._fresh())
        return {"t": self.events["t"][idx], "global": glob, "local": loc}

    def latencies(self) -> np.ndarray:
        """Scheduling latency of every runnable episode: from the event that made a G
        runnable (newproc, goready, gosched, preemption, syscall slow path, netpoll) to its
        ``execute``."""
        ev = self.events
        becomes = (K.EV_NEWPROC, K.EV_GOREADY, K.EV_GOSCHED, K.EV_GOPREEMPT, K.EV_EXITSYSCALL0,
                   K.EV_NETPOLL, K.EV_INJECTGLIST)
        sel = np.flatnonzero(np.isin(ev["kind"], becomes + (K.EV_EXECUTE,)))
        order = sel[np.argsort(ev["g"][sel], kind="stable")]
        g = ev["g"][order]
        is_exec = ev["kind"][order] == K.EV_EXECUTE
        pair = np.flatnonzero(~is_exec[:-1] & is_exec[1:] & (g[:-1] == g[1:]))
        return ev["t"][order[pair + 1]] - ev["t"][order[pair]]

    def summary(self) -> dict:
        """Makespan, switch/steal/handoff/retake/preemption counts, threads, latencies."""
        kind = self.events["kind"]
        counts = np.bincount(kind, minlength=len(K.EVENT_KINDS))
        lat = self.latencies()
        pct = (lambda q: int(np.percentile(lat, q))) if len(lat) else (lambda q: 0)
        steals = kind == K.EV_RUNQSTEAL
        b = self.events["b"][steals]
        return {
            "workload": self.workload.name,
            "gomaxprocs": self.gomaxprocs,
            "goroutines": self.n_g,
            "events": len(self),
            "makespan_ns": int(self.events["t"][-1]) if len(self) else 0,
            "context_switches": int(counts[K.EV_EXECUTE]),
            "steals": int(counts[K.EV_RUNQSTEAL]),
            "stolen_goroutines": int(np.where(b < 0, 1, b).sum()),
            "handoffs": int(counts[K.EV_HANDOFFP]),
            "retakes": int(counts[K.EV_RETAKE]),
            "preemptions": int(counts[K.EV_GOPREEMPT]),
            "global_queue_spills": int(counts[K.EV_RUNQPUTSLOW]),
            "syscalls": int(counts[K.EV_ENTERSYSCALL]),
            "syscall_slow_exits": int(counts[K.EV_EXITSYSCALL0]),
            "threads_high_water": self.n_m,
            "latency_p50_ns": pct(50),
            "latency_p90_ns": pct(90),
            "latency_p99_ns": pct(99),
            "latency_max_ns": int(lat.max()) if len(lat) else 0,
            "deadlock": self.deadlock,
        }

    # ---- GODEBUG=schedtrace -------------------------------------------------------------
    def schedtrace(self, period_ns: int, detail: bool = False) -> list[str]:
        """Lines as ``GODEBUG=schedtrace=<period>[,scheddetail=1]`` prints them (Go 1.25
        format, scheduler-model.md §6), sampled at t = 0, period, 2·period, ... up to the
        end of the run. Detail mode returns one string per line (header, Ps, Ms, Gs)."""
        period_ns = _check_int("period_ns", period_ns, 1, 10**15)
        end = int(self.events["t"][-1]) if len(self) else 0
        lines = []
        for T in range(0, end + 1, period_ns):
            k = int(np.searchsorted(self.events["t"], T, side="right"))
            lines.extend(self._sched_lines(T, k, detail))
        return lines

    def _sched_lines(self, T: int, k: int, detail: bool) -> list[str]:
        s = self.state_at(k)
        idle = int(np.count_nonzero(s.p_status == 0))
        head = (f"SCHED {T // 1_000_000}ms: gomaxprocs={self.gomaxprocs} idleprocs={idle} "
                f"threads={len(s.m_status)} spinningthreads={int(s.m_spinning.sum())} "
                f"needspinning={s.needspinning} idlethreads={int(np.count_nonzero(s.m_status == K.M_IDLE))} "
                f"runqueue={len(s.globrunq)}")
        if not detail:
            runqs = " ".join(str(len(q)) for q in s.p_runq)
            ticks = "".join(f"{int(x)} " for x in s.p_schedtick)
            return [f"{head} [ {runqs} ] schedticks=[ {ticks}]"]
        gfree, timers = self._detail_extra(k)
        sysmonwait = "true" if idle == self.gomaxprocs else "false"
        out = [f"{head} gcwaiting=false nmidlelocked=0 stopwait=0 sysmonwait={sysmonwait}"]
        for p in range(self.gomaxprocs):
            m = str(int(s.p_m[p])) if s.p_m[p] >= 0 else "nil"
            out.append(f"  P{p}: status={int(s.p_status[p])} schedtick={int(s.p_schedtick[p])} "
                       f"syscalltick={int(s.p_syscalltick[p])} m={m} runqsize={len(s.p_runq[p])} "
                       f"gfreecnt={int(gfree[p])} timerslen={int(timers[p])}")
        g_m = {}
        for m in range(len(s.m_status) - 1, -1, -1):  # allm is prepended: newest M first
            st = int(s.m_status[m])
            pp = str(int(s.m_p[m])) if s.m_p[m] >= 0 else "nil"
            cg = str(int(s.m_curg[m]) + 1) if s.m_curg[m] >= 0 else "nil"
            if s.m_curg[m] >= 0:
                g_m[int(s.m_curg[m])] = m
            locks = 2 if st == K.M_SYSMON else 0
            spinning = "true" if s.m_spinning[m] else "false"
            blocked = "true" if st == K.M_IDLE else "false"
            out.append(f"  M{m}: p={pp} curg={cg} mallocing=0 throwing=0 preemptoff= locks={locks} "
                       f"dying=0 spinning={spinning} blocked={blocked} lockedg=nil")
        for g in np.flatnonzero(s.g_status != 0):
            st = int(s.g_status[g])
            reason = K.WAIT_REASONS[int(s.g_wait[g])] if st == 4 else ""
            m = str(g_m[int(g)]) if int(g) in g_m else "nil"
            out.append(f"  G{int(g) + 1}: status={st}({reason}) m={m} lockedm=nil")
        return out
