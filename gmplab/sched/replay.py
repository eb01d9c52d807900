"""Rebuild the scheduler state from the event log alone (Numba replay kernels).

Each log row is one transition, and :func:`apply_events` applies rows to a state held as
struct-of-arrays, mirroring what ``gmplab.sched.kernel`` did when it wrote them:

    gst[0] G status, gst[1] wait reason             (int8, per G)
    pst[field, p] status, m, curg, runnext, ring head/tail, schedtick, syscalltick,
                  gfree count, timers count         (int64, per P)
    runq[p, 256]  local rings; gq ring (capacity n_g) with head/tail in rsc
    mst[field, m] status (-1 = not created yet), p, curg, spinning
    rsc           GQ head/tail, needspinning, global free-G count, threads (mcount)

``SchedTrace`` keeps checkpoints (copies of this state every K rows) and replays at most
K rows from the nearest one, so stepping backwards costs the same as stepping forwards.
The free-G counts follow proc.go gfput/gfget (flush to the global list at 64 keeping 32,
refill up to 32); the timer counts attribute a sleep's timer to the P it slept on.
"""
from __future__ import annotations

import numpy as np
from numba import njit

RUNQ_SIZE = 256
# event codes: must match kernel.EVENT_KINDS
(EV_NEWPROC, EV_RUNQPUTSLOW, EV_EXECUTE, EV_GOPARK, EV_GOREADY, EV_GOEXIT0, EV_GOSCHED,
 EV_PREEMPTONE, EV_GOPREEMPT, EV_RUNQSTEAL, EV_GLOBRUNQGET, EV_FINDRUNNABLE, EV_PIDLEPUT,
 EV_STOPM, EV_STARTM, EV_WAKEP, EV_ENTERSYSCALL, EV_EXITSYSCALLFAST, EV_EXITSYSCALL0,
 EV_RETAKE, EV_HANDOFFP, EV_NETPOLL, EV_INJECTGLIST, EV_CHECKDEAD) = range(24)
SRC_RUNNEXT, SRC_LOCAL, SRC_GLOBAL, SRC_STOLEN = 0, 1, 2, 3
W_SLEEP = 3
(RP_STATUS, RP_M, RP_CURG, RP_RUNNEXT, RP_HEAD, RP_TAIL, RP_SCHEDTICK, RP_SYSCALLTICK,
 RP_GFREE, RP_TIMERS) = range(10)
NRP = 10
RM_STATUS, RM_P, RM_CURG, RM_SPINNING = range(4)
NRM = 4
R_GQH, R_GQT, R_NEEDSPIN, R_GFREE_GLOBAL, R_MCOUNT = range(5)
NRSC = 5
M_NONE, M_IDLE, M_RUNNING, M_SPINNING, M_SYSCALL, M_SYSMON = -1, 0, 1, 2, 3, 4


def initial_state(nprocs: int, n_g: int, n_m: int):
    """The state before the first event: P0 on M0 running, P1.. idle, M1 = sysmon."""
    gst = np.zeros((2, n_g), np.int8)
    pst = np.zeros((NRP, nprocs), np.int64)
    pst[RP_M] = -1
    pst[RP_CURG] = -1
    pst[RP_RUNNEXT] = -1
    pst[RP_STATUS, 0] = 1
    pst[RP_M, 0] = 0
    runq = np.full((nprocs, RUNQ_SIZE), -1, np.int32)
    mst = np.full((NRM, max(n_m, 2)), -1, np.int64)
    mst[RM_SPINNING] = 0
    mst[RM_STATUS, 0] = M_RUNNING
    mst[RM_P, 0] = 0
    mst[RM_STATUS, 1] = M_SYSMON
    gq = np.full(max(n_g, 1), -1, np.int32)
    rsc = np.zeros(NRSC, np.int64)
    rsc[R_MCOUNT] = 2
    timerp = np.zeros(max(n_g, 1), np.int16)
    return [gst, pst, runq, mst, gq, rsc, timerp]


@njit(cache=True)
def _ring_push(pst, runq, p, g):
    runq[p, pst[RP_TAIL, p] % RUNQ_SIZE] = g
    pst[RP_TAIL, p] += 1


@njit(cache=True)
def _ring_pop(pst, runq, p):
    g = runq[p, pst[RP_HEAD, p] % RUNQ_SIZE]
    pst[RP_HEAD, p] += 1
    return g


@njit(cache=True)
def _gq_push(gq, rsc, g):
    gq[rsc[R_GQT] % gq.shape[0]] = g
    rsc[R_GQT] += 1


@njit(cache=True)
def _gq_pop(gq, rsc):
    g = gq[rsc[R_GQH] % gq.shape[0]]
    rsc[R_GQH] += 1
    return g


@njit(cache=True)
def apply_events(ld, k0, k1, gst, pst, runq, mst, gq, rsc, timerp):
    """Apply log rows k0..k1-1 (kind, p, m, g, a, b) to the state, in place."""
    for k in range(k0, k1):
        kind = ld[k, 0]
        p = ld[k, 1]
        m = ld[k, 2]
        g = ld[k, 3]
        a = ld[k, 4]
        b = ld[k, 5]
        if kind == EV_NEWPROC or kind == EV_GOREADY:
            if kind == EV_NEWPROC:
                # proc.go gfget: refill up to 32 from the global free list, then take one.
                if pst[RP_GFREE, p] == 0 and rsc[R_GFREE_GLOBAL] > 0:
                    n = min(32, rsc[R_GFREE_GLOBAL])
                    pst[RP_GFREE, p] += n
                    rsc[R_GFREE_GLOBAL] -= n
                if pst[RP_GFREE, p] > 0:
                    pst[RP_GFREE, p] -= 1
            elif b == W_SLEEP:
                pst[RP_TIMERS, timerp[g]] -= 1
            gst[0, g] = 1
            gst[1, g] = 0
            old = pst[RP_RUNNEXT, p]
            pst[RP_RUNNEXT, p] = g
            if old >= 0:
                _ring_push(pst, runq, p, old)
        elif kind == EV_RUNQPUTSLOW:
            for _ in range(a):
                _gq_push(gq, rsc, _ring_pop(pst, runq, p))
            _gq_push(gq, rsc, g)
            pst[RP_RUNNEXT, p] = -1
        elif kind == EV_EXECUTE:
            if b == SRC_RUNNEXT:
                pst[RP_RUNNEXT, p] = -1
            elif b == SRC_LOCAL:
                _ring_pop(pst, runq, p)
            elif b == SRC_GLOBAL:
                _gq_pop(gq, rsc)
            else:
                pst[RP_TAIL, p] -= 1
            gst[0, g] = 2
            pst[RP_CURG, p] = g
            mst[RM_CURG, m] = g
            if a == 0:
                pst[RP_SCHEDTICK, p] += 1
            mst[RM_STATUS, m] = M_RUNNING
            mst[RM_SPINNING, m] = 0
        elif kind == EV_GOPARK:
            gst[0, g] = 4
            gst[1, g] = a
            pst[RP_CURG, p] = -1
            mst[RM_CURG, m] = -1
            if a == W_SLEEP:
                pst[RP_TIMERS, p] += 1
                timerp[g] = p
        elif kind == EV_GOEXIT0:
            gst[0, g] = 6
            pst[RP_CURG, p] = -1
            mst[RM_CURG, m] = -1
            # proc.go gfput: at 64 cached dead Gs, move to the global list until 32 remain.
            pst[RP_GFREE, p] += 1
            if pst[RP_GFREE, p] >= 64:
                rsc[R_GFREE_GLOBAL] += pst[RP_GFREE, p] - 32
                pst[RP_GFREE, p] = 32
        elif kind == EV_GOSCHED or kind == EV_GOPREEMPT:
            gst[0, g] = 1
            _gq_push(gq, rsc, g)
            pst[RP_CURG, p] = -1
            mst[RM_CURG, m] = -1
        elif kind == EV_RUNQSTEAL:
            if b < 0:
                pst[RP_RUNNEXT, a] = -1
                _ring_push(pst, runq, p, g)
            else:
                for _ in range(b):
                    _ring_push(pst, runq, p, _ring_pop(pst, runq, a))
        elif kind == EV_GLOBRUNQGET:
            head = _gq_pop(gq, rsc)
            for _ in range(a - 1):
                _ring_push(pst, runq, p, _gq_pop(gq, rsc))
            rsc[R_GQH] -= 1
            gq[rsc[R_GQH] % gq.shape[0]] = head
        elif kind == EV_FINDRUNNABLE:
            mst[RM_SPINNING, m] = 1
            mst[RM_STATUS, m] = M_SPINNING
            rsc[R_NEEDSPIN] = 0
        elif kind == EV_PIDLEPUT:
            pst[RP_STATUS, p] = 0
            pst[RP_M, p] = -1
            if m >= 0:
                mst[RM_P, m] = -1
        elif kind == EV_STOPM:
            mst[RM_STATUS, m] = M_IDLE
            mst[RM_P, m] = -1
            mst[RM_CURG, m] = -1
            mst[RM_SPINNING, m] = 0
        elif kind == EV_STARTM:
            mst[RM_STATUS, m] = M_SPINNING if a == 1 else M_RUNNING
            mst[RM_SPINNING, m] = a
            mst[RM_P, m] = p
            mst[RM_CURG, m] = -1
            pst[RP_STATUS, p] = 1
            pst[RP_M, p] = m
            if m + 1 > rsc[R_MCOUNT]:
                rsc[R_MCOUNT] = m + 1
        elif kind == EV_WAKEP:
            if a < 0:
                rsc[R_NEEDSPIN] = 1
        elif kind == EV_ENTERSYSCALL:
            gst[0, g] = 3
            pst[RP_STATUS, p] = 2
            pst[RP_M, p] = -1
            pst[RP_CURG, p] = -1
            mst[RM_P, m] = -1
            mst[RM_STATUS, m] = M_SYSCALL
        elif kind == EV_EXITSYSCALLFAST:
            pst[RP_STATUS, p] = 1
            pst[RP_M, p] = m
            pst[RP_CURG, p] = g
            pst[RP_SYSCALLTICK, p] += 1
            mst[RM_P, m] = p
            mst[RM_STATUS, m] = M_RUNNING
            gst[0, g] = 2
        elif kind == EV_EXITSYSCALL0:
            gst[0, g] = 1
            _gq_push(gq, rsc, g)
            mst[RM_CURG, m] = -1
        elif kind == EV_RETAKE:
            pst[RP_SYSCALLTICK, p] += 1
        elif kind == EV_HANDOFFP:
            if a == 0:
                pst[RP_STATUS, p] = 0
                pst[RP_M, p] = -1
            elif a == 2:
                rsc[R_NEEDSPIN] = 0
        elif kind == EV_NETPOLL or kind == EV_INJECTGLIST:
            gst[0, g] = 1
            gst[1, g] = 0
            if p >= 0:
                _ring_push(pst, runq, p, g)
            else:
                _gq_push(gq, rsc, g)


@njit(cache=True)
def queue_lengths_kernel(ld, stride, gst, pst, runq, mst, gq, rsc, timerp):
    """Global and per-P ring lengths after every ``stride``-th row (and after the last)."""
    n = ld.shape[0]
    nprocs = pst.shape[1]
    ns = (n + stride - 1) // stride
    idx = np.zeros(ns, np.int64)
    glob = np.zeros(ns, np.int32)
    loc = np.zeros((ns, nprocs), np.int32)
    j = 0
    for k0 in range(0, n, stride):
        k1 = min(n, k0 + stride)
        apply_events(ld, k0, k1, gst, pst, runq, mst, gq, rsc, timerp)
        idx[j] = k1 - 1
        glob[j] = rsc[R_GQT] - rsc[R_GQH]
        for p in range(nprocs):
            loc[j, p] = pst[RP_TAIL, p] - pst[RP_HEAD, p]
        j += 1
    return idx, glob, loc


def warmup(lt, ld, n_events, nprocs, n_g, n_m) -> None:
    ld = np.ascontiguousarray(ld[:n_events])
    state = initial_state(nprocs, n_g, n_m)
    apply_events(ld, np.int64(0), np.int64(n_events), *state)
    state = initial_state(nprocs, n_g, n_m)
    queue_lengths_kernel(ld, np.int64(1), *state)
