"""The transaction kernel: Percolator 2PC as TiKV and client-go run it (or async commit /
1PC), pessimistic locks, per-key lock-wait queues and the deadlock detector, in one Numba
function.

Glossary
--------
txn            a client transaction (client-go ``KVTxn`` + ``twoPhaseCommitter``); index 0..n-1.
start_ts       timestamp from the TSO at begin; also the id of the txn's locks and records.
for_update_ts  TSO value a pessimistic statement locks and reads at (>= start_ts).
lock slot      per key one lock (tikv ``CF_LOCK``): owner, start_ts, primary, ttl, type,
               for_update_ts, min_commit_ts, the value it carries.
write log      per key a list of records (tikv ``CF_WRITE``) newest first: Put at commit_ts,
               Rollback at start_ts (protected on the primary key).
region         keys map to regions; one region command is one atomic kernel step (TiKV's
               latches serialise commands on a key, Raft makes a region write atomic).
waiter         a pessimistic lock request parked in the key's wait queue
               (tikv ``lock_manager/lock_waiting_queue.rs``), served smallest start_ts first.
detector       ``DetectTable`` (tikv ``server/lock_manager/deadlock.rs``): edges waiter -> holder
               carrying the key hash; a DFS from the holder looking for the waiter.
max_ts         the ConcurrencyManager's highest read ts seen (``concurrency_manager``).
async commit   the txn is committed once every region's prewrite succeeded; the commit_ts
               is computed by TiKV from max_ts (not fetched: not unique); a resolver that
               finds the primary's async-commit lock expired runs CheckSecondaryLocks.
1PC            a single-region prewrite that writes the commit records itself.

The approach
------------
Event driven. Every transaction is a small state machine (``PH_*``) that acts when its
timer fires; a timer queue ordered by (tick, sequence) picks the next actor (near timers
in a ring of per-tick lists, far ones in a binary heap), so an action costs O(1) and long
TTL waits cost nothing. One action is one client RPC (a region prewrite, a commit batch,
one pessimistic lock, one read, ...). Its latency is ``latency + rand % (jitter+1)`` ticks
drawn from one splitmix64 generator held in the kernel's state, which gives the random
interleaving of parallel prewrites and of transactions. Ticks are milliseconds.

Every state change appends one row to the event log (see ``EVENT_KINDS``); a row carries
enough (key, owner, timestamps, value, ttl, flags) for ``TxnHistory.state_at`` to rebuild
locks, write records, wait queues, detector edges and statuses by replaying rows.

Simplified (and why)
--------------------
* TSO: one integer counter, ``ts = max(last + 1, tick * tso_per_tick)``; the "physical
  part" of a ts is ``ts // tso_per_tick`` (PD's ``physical << 18 | logical`` in miniature).
  TTL expiry compares physical parts as TiKV does.
* Values are int64 and inline (no CF_DEFAULT); only Put locks/records (no Delete/Lock ops).
* Each write key of a pessimistic txn is its own statement (``UPDATE ... WHERE k``), so a
  WriteConflict retries that statement only and a deadlock is not retryable (its
  deadlock_key_hash names a key locked by an earlier statement).
* The primary commit batch is every key of the txn in the primary's region (client-go
  commits the batch that holds the primary first, synchronously).
* Readers resolve in one action: ``check_txn_status`` then ``resolve_lock`` ("lite" resolve
  of the key met). Back-off is client-go's exponential txnLockFast, capped by the lock's
  remaining TTL.
* Async commit and 1PC (``commit_protocol``, default 2PC): one ``max_ts`` for the whole
  store (one TiKV: one ConcurrencyManager), raised by reads (update_max_ts) and
  check_txn_status; a region prewrite takes min_commit_ts = max(max_ts, start_ts,
  for_update_ts) + 1 and the commit_ts is the max over the regions; above max_commit_ts =
  start_ts + window the region's prewrite falls back to 2PC and the txn with it (TiKV keeps
  the locks already written as async-commit locks and resolvers then fall back via
  force_sync_commit; here the txn's flag changes at once, so those locks become 2PC locks).
  The primary's list of secondaries is the owner's mutation list. 1PC = a txn whose keys
  are all in one region. Not modelled: client-go's size limits (256 keys / 4 KiB) and
  batch splitting, the latest-TSO fetch for linearizability (tidb_guarantee_linearizability),
  the overlapped-rollback flag, the CDC endpoint's update_max_ts(min_ts).
* No heartbeats (crashes are what stop a client; live txns finish
  within their TTL at the default parameters), no rollback collapsing (every rollback
  record is kept), no resumable (fair-locking) wake-up: legacy wake-up only.
* A txn waits on one key at a time, so each txn has at most one detector out-edge; the
  DFS therefore walks a chain, but it keeps DetectTable's rules (refresh an existing edge,
  lazy expiry at each visited vertex, victim = the requester, edge not inserted).

Performance note
----------------
State lives in a few 2-D int64 tables so that a helper call passes a handful of arrays:
``lk`` one row per key (``KS_*``: the lock slot, the heads of the key's write list and wait
queue, its region and initial value), ``tx`` one row per txn (``T_*``: client state,
detector edge, wait-queue link, its inputs), ``wr`` the write log, ``heap`` the timer queue
(a ring of per-tick FIFOs, O(1) per timer). The event loop ``_run`` is compiled with
Numba's private ``_nrt=False``: it never allocates, and without the Numba runtime the calls
from it skip the reference counting on the arrays they pass (measured: without it the
kernel runs at half speed; no helper needs the flag). The hot helpers are inlined
(``inline='always'``: no argument copying per call). ``simulate_kernel`` allocates the
small arrays and calls ``_run``; the large buffers (event log, write log, ``lk``, ``tx``)
come from ``buffers()`` (NumPy: transparent huge pages). The run never reads the event
log back, so ``_log`` writes a row into a staging block of 8 rows per column (in ``g``)
and every 8th row streams the block out (``_flush_log``: non-temporal stores, one whole
cache line per column, no read of the line first; a fence at the end of the kernel);
``buffers()`` lays the log out for that (columns aligned, an odd number of lines each).
Measured on the 100,000-txn bank, side by side: pessimistic +10-16%, optimistic +5-13%;
cost: ~+3-4 s of cold compile (the flush call in ``_log``). An arriving txn prefetches
(``_prefetch``, a CPU hint that changes no value) the rows of the next txns and of their
keys, so these cache misses overlap the work instead of stalling it.

Invariants the kernel keeps (and ``checks`` verifies on the log)
-----------------------------------------------------------------
at most one lock per key; committed writers of a key do not overlap; a txn is committed iff
its primary has a commit record (async commit: iff every key was prewritten; 1PC: its
one_pc_commit records); the detector's table is acyclic; every waiter ends.
"""
from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import config, njit, types
from numba.core import cgutils
from numba.extending import intrinsic, overload

# ---- event kinds (names follow the TiKV / client-go function they model) -----------------
EVENT_KINDS = (
    "begin",                     # client-go txn.go: Begin -> start_ts from the TSO
    "get",                       # tikv point_getter.rs: get (snapshot read at read_ts)
    "acquire_pessimistic_lock",  # tikv actions/acquire_pessimistic_lock.rs
    "wait_for",                  # tikv lock_manager: LockManager::wait_for (enqueue waiter)
    "detect",                    # tikv deadlock.rs: DetectTable::detect
    "deadlock",                  # tikv waiter_manager.rs: handle_deadlock / cancel_for_deadlock
    "wake_up",                   # tikv lock_waiting_queue.rs: pop_for_waking_up (legacy)
    "wait_timeout",              # tikv waiter_manager.rs: waiter timeout -> KeyIsLocked
    "clean_up_wait_for",         # tikv deadlock.rs: DetectTable::clean_up_wait_for
    "expire_wait_for",           # tikv deadlock.rs: expired edge dropped during do_detect
    "prewrite",                  # tikv actions/prewrite.rs: prewrite
    "commit",                    # tikv actions/commit.rs: commit
    "rollback",                  # tikv actions/cleanup.rs: cleanup (client-go cleanupMutations)
    "pessimistic_rollback",      # tikv commands/pessimistic_rollback.rs
    "check_txn_status",          # tikv actions/check_txn_status.rs (client-go getTxnStatus)
    "resolve_lock",              # tikv commands/resolve_lock.rs (client-go resolveLocks)
    "lose_pessimistic_lock",     # in-memory pessimistic locks lost on leader change
    "client_crash",              # the client process dies (fault knob)
    "finish",                    # the client returns: committed, or the abort reason
    "check_secondary_locks",     # tikv commands/check_secondary_locks.rs (client-go resolveAsyncCommitLock)
    "one_pc_commit",             # tikv actions/prewrite.rs + commands/prewrite.rs: handle_1pc_locks
)
K_BEGIN, K_GET, K_ACQUIRE, K_WAIT_FOR, K_DETECT, K_DEADLOCK, K_WAKE_UP, K_WAIT_TIMEOUT, \
    K_CLEAN_UP_WAIT_FOR, K_EXPIRE_WAIT_FOR, K_PREWRITE, K_COMMIT, K_ROLLBACK, \
    K_PESSIMISTIC_ROLLBACK, K_CHECK_TXN_STATUS, K_RESOLVE_LOCK, K_LOSE_PESSIMISTIC_LOCK, \
    K_CLIENT_CRASH, K_FINISH, K_CHECK_SECONDARY_LOCKS, K_ONE_PC_COMMIT = range(21)

# ---- result codes (errors named as in kvproto / client-go) -------------------------------
RESULTS = (
    "ok", "key_is_locked", "write_conflict", "deadlock", "lock_wait_timeout",
    "pessimistic_lock_not_found", "txn_lock_not_found", "commit_ts_expired",
    "pessimistic_lock_rolled_back", "retry_limit_exceeded", "self_rolled_back",
    "committed", "rolled_back", "ttl_expire", "min_commit_ts_pushed", "uncommitted",
    "lock_not_exist", "txn_not_found", "crash_after_primary", "crash_before_commit",
    "duplicate", "crash_during_prewrite",
)
R_OK, R_KEY_IS_LOCKED, R_WRITE_CONFLICT, R_DEADLOCK, R_LOCK_WAIT_TIMEOUT, \
    R_PESSIMISTIC_LOCK_NOT_FOUND, R_TXN_LOCK_NOT_FOUND, R_COMMIT_TS_EXPIRED, \
    R_PESSIMISTIC_LOCK_ROLLED_BACK, R_RETRY_LIMIT, R_SELF_ROLLED_BACK, R_COMMITTED, \
    R_ROLLED_BACK, R_TTL_EXPIRE, R_MIN_COMMIT_TS_PUSHED, R_UNCOMMITTED, R_LOCK_NOT_EXIST, \
    R_TXN_NOT_FOUND, R_CRASH_AFTER_PRIMARY, R_CRASH_BEFORE_COMMIT, R_DUPLICATE, \
    R_CRASH_DURING_PREWRITE = range(22)

# lock types (txn_types lock.rs: LockType) and write types (write.rs: WriteType)
LOCK_TYPES = ("none", "put", "delete", "lock", "pessimistic")
LT_NONE, LT_PUT, LT_DELETE, LT_LOCK, LT_PESSIMISTIC = range(5)
WRITE_TYPES = ("none", "put", "delete", "lock", "rollback")
WT_NONE, WT_PUT, WT_DELETE, WT_LOCK, WT_ROLLBACK = range(5)

# op kinds of a transaction program
OP_KINDS = ("get", "put", "add")
OP_GET, OP_PUT, OP_ADD = range(3)
MODES = ("optimistic", "pessimistic")
# commit protocols (client-go 2pc.go: checkAsyncCommit / checkOnePC decide per txn)
PROTOCOLS = ("2pc", "async", "1pc")
CP_2PC, CP_ASYNC, CP_1PC = range(3)
FAULTS = ("none", "crash_after_primary", "crash_before_commit", "lose_pessimistic_locks",
          "crash_during_prewrite")
F_NONE, F_CRASH_AFTER_PRIMARY, F_CRASH_BEFORE_COMMIT, F_LOSE_PESSIMISTIC, \
    F_CRASH_DURING_PREWRITE = range(5)

# client phases
PH_PENDING, PH_OPS, PH_WAIT, PH_PREWRITE, PH_COMMIT_PRIMARY, PH_COMMIT_SECONDARY, \
    PH_CLEANUP, PH_PESSIMISTIC_ROLLBACK, PH_DONE = range(9)

# txn statuses as state_at reports them
STATUSES = ("pending", "active", "waiting", "committed", "aborted", "crashed")
S_PENDING, S_ACTIVE, S_WAITING, S_COMMITTED, S_ABORTED, S_CRASHED = range(6)

# indices into the int64 parameter vector (every tunable reaches the kernel through it)
PARAMS = ("ttl", "pessimistic_ttl", "wait_for_lock_timeout", "lock_wait_timeout",
          "wake_up_delay", "latency", "jitter", "max_retry", "backoff_base", "backoff_cap",
          "resolve_at_end", "tso_per_tick", "seed", "capacity", "commit_protocol",
          "max_commit_ts_window")
P_TTL, P_PESS_TTL, P_WAIT_FOR_LOCK_TIMEOUT, P_LOCK_WAIT_TIMEOUT, P_WAKE_UP_DELAY, \
    P_LATENCY, P_JITTER, P_MAX_RETRY, P_BACKOFF_BASE, P_BACKOFF_CAP, P_RESOLVE_AT_END, \
    P_TSO_PER_TICK, P_SEED, P_CAPACITY, P_PROTOCOL, P_MAX_COMMIT_WINDOW = range(16)
# (a parameter vector of the first 14 entries alone is accepted: protocol 2PC)

# event-log columns, in the order the kernel returns them
COLUMNS = ("tick", "kind", "txn", "key", "region", "ts1", "ts2", "ts3", "other", "result",
           "value", "primary", "ttl", "lock_type", "flag", "hash", "tso")
N_COLS = len(COLUMNS)
C_TICK, C_KIND, C_TXN, C_KEY, C_REGION, C_TS1, C_TS2, C_TS3, C_OTHER, C_RESULT, C_VALUE, \
    C_PRIMARY, C_TTL, C_LOCK_TYPE, C_FLAG, C_HASH, C_TSO = range(N_COLS)

# columns of the per-key table (0..7 are the lock slot: owner, start_ts, primary, ttl, type,
# for_update_ts, min_commit_ts, value) and of the per-txn table
KS_HEAD, KS_WQ, KS_REGION, KS_INIT = 8, 9, 10, 11
KS_COLS = 12
# (the per-txn row is four cache lines, ordered by when an action first needs them: begin and
# reads, then locking and prewrite, then commit and the ending, then lock waits)
T_PHASE, T_START, T_BEGIN_TICK, T_OP0, T_OP1, T_GEN, T_MODE, T_OP, \
    T_ATTEMPT, T_NEED_FUT, T_FUT, T_MUT0, T_MUT1, T_REG0, T_REG1, T_PRIMARY, \
    T_COMMIT, T_COMMIT_TICK, T_FAULT, T_RETRIES, T_REASON, T_NLOCKED, T_WAIT_KEY, T_WAIT_HOLDER, \
    T_WAIT_BEGIN, T_DEADLINE, T_WAKE_AT, T_WQ_NEXT, T_E_TO, T_E_HASH, T_E_TIME, T_PROTO = range(32)
# T_PROTO: the protocol the txn's prewrite uses (CP_*); its locks carry use_async_commit iff
# it is CP_ASYNC (the primary's list of secondaries = the txn's mutation keys)
T_COLS = 32

# indices into the small int64 "globals" vector of a run
G_NEV, G_TSO, G_HEAP, G_SEQ, G_NWR, G_OVERFLOW, G_NOW, G_CUR, G_FAR, G_FREE, G_POOL, \
    G_PQCAP, G_NLOCKS, G_MAX_TS, G_PROTO, G_NT = range(16)
# g[G_STAGE:] is the event log's staging block: 8 rows per column (8 * c + row % 8);
# G_NT: 1 when every 8-row block of every log column is one whole cache line (streamed)
G_STAGE = 16
# G_MAX_TS: the ConcurrencyManager's max_ts (one TiKV store: one value for all regions);
# G_PROTO: the run's commit protocol (a txn's T_PROTO, in the row's last cache line, is read
# only when it is not 2PC: a 2PC run touches no more of the row than before)


# ---- cache prefetch ------------------------------------------------------------------------
def _prefetch(a, i, j):
    """Ask the CPU to bring the cache line of ``a[i, j]`` in (a hint: it changes no value,
    and in plain Python, e.g. under NUMBA_DISABLE_JIT, it does nothing)."""


def _item_pointer(context, builder, signature, args):
    # Codegen: the address of a[i, j] for an intrinsic called as f(a, i, j, ...).
    aty = signature.args[0]
    ary = context.make_array(aty)(context, builder, args[0])
    idx = [context.cast(builder, args[1], signature.args[1], types.intp),
           context.cast(builder, args[2], signature.args[2], types.intp)]
    return cgutils.get_item_pointer(context, builder, aty, ary, idx, wraparound=False)


@intrinsic
def _prefetch_line(typingctx, a, i, j):
    def codegen(context, builder, signature, args):
        ptr = _item_pointer(context, builder, signature, args)
        i32, i8p = ir.IntType(32), ir.IntType(8).as_pointer()
        fnty = ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32])
        # llvm.prefetch(address, rw=0 read, locality=3 keep in all levels, cache=1 data);
        # LLVM upgrades the unsuffixed name to its address-space overload when parsing
        fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.prefetch")
        builder.call(fn, [builder.bitcast(ptr, i8p), i32(0), i32(3), i32(1)])
        return context.get_dummy_value()
    return types.void(a, i, j), codegen


@overload(_prefetch, jit_options={"cache": True})
def _prefetch_jit(a, i, j):
    def impl(a, i, j):
        _prefetch_line(a, i, j)
    return impl


# ---- streaming stores for the event log --------------------------------------------------
# _store_nt(a, i, j, v): ``a[i, j] = v`` as a streaming (non-temporal) store: the log is
# written front to back and never read by the run, so its lines go to memory without first
# being read into the cache. Weakly ordered until ``_store_fence()`` (a full fence); the
# value written is the same. _address(a): the address of a's first element. Intrinsics,
# plain Python when the JIT is off.
if config.DISABLE_JIT:
    def _store_nt(a, i, j, v):
        a[i, j] = v

    def _store_fence():
        return 0

    def _address(a):
        return a.ctypes.data
else:
    @intrinsic
    def _store_nt(typingctx, a, i, j, v):
        def codegen(context, builder, signature, args):
            ptr = _item_pointer(context, builder, signature, args)
            val = context.cast(builder, args[3], signature.args[3], signature.args[0].dtype)
            st = builder.store(val, ptr)
            st.set_metadata("nontemporal",
                            builder.module.add_metadata([ir.Constant(ir.IntType(32), 1)]))
            return context.get_dummy_value()
        return types.void(a, i, j, v), codegen

    @intrinsic
    def _store_fence(typingctx):
        def codegen(context, builder, signature, args):
            builder.fence("seq_cst")
            return context.get_dummy_value()
        return types.void(), codegen

    @intrinsic
    def _address(typingctx, a):
        def codegen(context, builder, signature, args):
            ary = context.make_array(signature.args[0])(context, builder, args[0])
            return builder.ptrtoint(ary.data, ir.IntType(64))
        return types.int64(a), codegen


# ---- small helpers ------------------------------------------------------------------------
@njit(cache=True)
def _rand(rng):
    """splitmix64 step on the uint64 held in rng[0]: the kernel's only source of chance."""
    z = rng[0] + np.uint64(0x9E3779B97F4A7C15)
    rng[0] = z
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@njit(cache=True)
def _randn(rng, n):
    return np.int64(_rand(rng) % np.uint64(n))


@njit(cache=True)
def key_hash(key):
    """Stand-in for tikv ``Key::gen_hash`` (farmhash fingerprint64): splitmix64 of the key
    index, kept positive so it fits int64."""
    z = np.uint64(key + 1) * np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    return np.int64(z >> np.uint64(1))


@njit(cache=True)
def _tso(g, now, per_tick):
    # pd tso.go: generateTSO — monotone, unique; physical part never behind the clock
    ts = g[G_TSO] + 1
    if ts < now * per_tick:
        ts = now * per_tick
    g[G_TSO] = ts
    return ts


@njit(cache=True)
def _log(ev, g, now, kind, txn, key, region, ts1, ts2, ts3, other, result, value,
         primary, ttl, lock_type, flag, hsh):
    n = g[G_NEV]
    if n >= ev.shape[1]:
        g[G_OVERFLOW] = 1
        return
    # the row goes to the staging block in g (slot n % 8 of each column); every 8th row the
    # block is streamed to the log, one whole cache line per column (_flush_log)
    s = G_STAGE + (n & 7)
    g[s + 8 * C_TICK] = now
    g[s + 8 * C_KIND] = kind
    g[s + 8 * C_TXN] = txn
    g[s + 8 * C_KEY] = key
    g[s + 8 * C_REGION] = region
    g[s + 8 * C_TS1] = ts1
    g[s + 8 * C_TS2] = ts2
    g[s + 8 * C_TS3] = ts3
    g[s + 8 * C_OTHER] = other
    g[s + 8 * C_RESULT] = result
    g[s + 8 * C_VALUE] = value
    g[s + 8 * C_PRIMARY] = primary
    g[s + 8 * C_TTL] = ttl
    g[s + 8 * C_LOCK_TYPE] = lock_type
    g[s + 8 * C_FLAG] = flag
    g[s + 8 * C_HASH] = hsh
    g[s + 8 * C_TSO] = g[G_TSO]
    g[G_NEV] = n + 1
    if (n & 7) == 7:
        _flush_log(ev, g, n - 7)


@njit(cache=True)
def _flush_log(ev, g, n0):
    """Rows n0..n0+7 (n0 % 8 == 0) from the staging block to the log: streaming stores,
    each column's 8 rows being one whole cache line when g[G_NT] (a log from buffers())."""
    if g[G_NT] != 0:
        for c in range(N_COLS):
            for j in range(8):
                _store_nt(ev, c, n0 + j, g[G_STAGE + 8 * c + j])
        return
    # (a log not from buffers(): its lines may not match the blocks; a partial line
    # streamed costs more than a plain store)
    for c in range(N_COLS):
        for j in range(8):
            ev[c, n0 + j] = g[G_STAGE + 8 * c + j]


@njit(cache=True)
def _logged(g, col):
    """Field ``col`` of the last row logged, from the staging block, which still holds it
    (the run never reads the log back)."""
    return g[G_STAGE + 8 * col + ((g[G_NEV] - 1) & 7)]


# ---- the timer queue: (tick, seq) -> txn, stale entries skipped by generation --------------
# Pops come out in (tick, seq) order, seq being the push counter. Timers less than PQ_B ticks
# ahead (nearly all: an RPC is 1-3 ticks) go to a ring of per-tick FIFO lists; since seq grows
# with every push a FIFO is in seq order, so push and pop cost O(1). Timers further ahead (or
# behind the ring's start) go to a binary heap; a pop takes the smaller of the two fronts.
# Layout of the one ``heap`` array: rows [0, PQ_B) ring buckets (head, tail); then the entry
# pool (tick, seq, txn, gen, next) of g[G_PQCAP] rows; then as many rows of the binary heap.
PQ_B = 256


@njit(cache=True, inline='always')
def _push(heap, g, tx, when, txn):
    seq = g[G_SEQ]
    g[G_SEQ] = seq + 1
    tx[txn, T_GEN] += 1
    g[G_HEAP] += 1
    e = g[G_FREE]
    if when < g[G_CUR] or when - g[G_CUR] >= PQ_B or e < 0:
        _push_slow(heap, g, when, seq, txn, tx[txn, T_GEN])
        return
    g[G_FREE] = heap[e, 4]
    _ring_append(heap, e, when, seq, txn, tx[txn, T_GEN])


@njit(cache=True)
def _ring_append(heap, e, when, seq, txn, gen):
    heap[e, 0] = when
    heap[e, 1] = seq
    heap[e, 2] = txn
    heap[e, 3] = gen
    heap[e, 4] = -1
    b = when & (PQ_B - 1)
    if heap[b, 0] < 0:
        heap[b, 0] = e
    else:
        heap[heap[b, 1], 4] = e
    heap[b, 1] = e


@njit(cache=True)
def _push_slow(heap, g, when, seq, txn, gen):
    """A near timer with no free pool entry (take a new one), or a far timer (the heap)."""
    cur = g[G_CUR]
    if when >= cur and when - cur < PQ_B:
        if g[G_POOL] >= g[G_PQCAP]:
            g[G_OVERFLOW] = 1
            return
        e = PQ_B + g[G_POOL]
        g[G_POOL] += 1
        _ring_append(heap, e, when, seq, txn, gen)
        return
    base = PQ_B + g[G_PQCAP]
    n = g[G_FAR]
    if n >= g[G_PQCAP]:
        g[G_OVERFLOW] = 1
        return
    i = n
    while i > 0:                       # sift up with a hole
        p = (i - 1) >> 1
        if heap[base + p, 0] < when or (heap[base + p, 0] == when and heap[base + p, 1] < seq):
            break
        for c in range(4):
            heap[base + i, c] = heap[base + p, c]
        i = p
    heap[base + i, 0] = when
    heap[base + i, 1] = seq
    heap[base + i, 2] = txn
    heap[base + i, 3] = gen
    g[G_FAR] = n + 1


@njit(cache=True)
def _ring_front(heap, g):
    """The ring's first entry (advancing the ring's start over empty ticks), -1 if empty."""
    if g[G_HEAP] == g[G_FAR]:
        return np.int64(-1)
    cur = g[G_CUR]
    while heap[cur & (PQ_B - 1), 0] < 0:
        cur += 1
    g[G_CUR] = cur
    return heap[cur & (PQ_B - 1), 0]


@njit(cache=True)
def _next_tick(heap, g):
    """Tick of the earliest timer (the queue must not be empty)."""
    e = _ring_front(heap, g)
    base = PQ_B + g[G_PQCAP]
    if e < 0 or (g[G_FAR] > 0 and heap[base, 0] < heap[e, 0]):
        return heap[base, 0]
    return heap[e, 0]


@njit(cache=True, inline='always')
def _pop(heap, g):
    """Remove the earliest timer: (tick, txn, gen)."""
    e = _ring_front(heap, g)
    base = PQ_B + g[G_PQCAP]
    g[G_HEAP] -= 1
    if e >= 0 and (g[G_FAR] == 0 or heap[e, 0] < heap[base, 0]
                   or (heap[e, 0] == heap[base, 0] and heap[e, 1] < heap[base, 1])):
        b = heap[e, 0] & (PQ_B - 1)
        heap[b, 0] = heap[e, 4]
        heap[e, 4] = g[G_FREE]
        g[G_FREE] = e
        return heap[e, 0], heap[e, 2], heap[e, 3]
    when, txn, gen = heap[base, 0], heap[base, 2], heap[base, 3]
    n = g[G_FAR] - 1
    g[G_FAR] = n
    if e < 0:
        g[G_CUR] = when                # the ring is empty: restart it at the current tick
    lw, ls = heap[base + n, 0], heap[base + n, 1]
    i = 0
    while True:                        # sift the last entry down from the root, with a hole
        l = 2 * i + 1
        if l >= n:
            break
        m = l
        r = l + 1
        if r < n and (heap[base + r, 0] < heap[base + l, 0] or (
                heap[base + r, 0] == heap[base + l, 0] and heap[base + r, 1] < heap[base + l, 1])):
            m = r
        if lw < heap[base + m, 0] or (lw == heap[base + m, 0] and ls < heap[base + m, 1]):
            break
        for c in range(4):
            heap[base + i, c] = heap[base + m, c]
        i = m
    if n > 0:
        for c in range(4):
            heap[base + i, c] = heap[base + n, c]
    return when, txn, gen


# ---- MVCC storage ---------------------------------------------------------------------------
@njit(cache=True)
def _put_write(wr, lk, g, key, ts, start_ts, wtype, value, txn, protected):
    """Insert a write record keeping the key's list sorted newest ts first
    (txn_types: commit records at key@commit_ts, rollbacks at key@start_ts)."""
    n = g[G_NWR]
    if n >= wr.shape[0]:
        g[G_OVERFLOW] = 1
        return
    wr[n, 0] = ts
    wr[n, 1] = start_ts
    wr[n, 2] = wtype
    wr[n, 3] = value
    wr[n, 4] = txn
    wr[n, 5] = protected
    wr[n, 6] = key
    prev = -1
    cur = lk[key, KS_HEAD]
    while cur >= 0 and wr[cur, 0] > ts:
        prev = cur
        cur = wr[cur, 7]
    wr[n, 7] = cur
    if prev < 0:
        lk[key, KS_HEAD] = n
    else:
        wr[prev, 7] = n
    g[G_NWR] = n + 1


@njit(cache=True)
def _read_version(wr, lk, key, read_ts):
    """Newest Put/Delete record with commit_ts <= read_ts, skipping Lock and Rollback
    (tikv point_getter.rs: load_data). Returns (value, commit_ts); (initial value, 0) if none."""
    cur = lk[key, KS_HEAD]
    while cur >= 0:
        if wr[cur, 0] <= read_ts and (wr[cur, 2] == WT_PUT or wr[cur, 2] == WT_DELETE):
            if wr[cur, 2] == WT_DELETE:
                return np.int64(0), wr[cur, 0]
            return wr[cur, 3], wr[cur, 0]
        cur = wr[cur, 7]
    return lk[key, KS_INIT], np.int64(0)


@njit(cache=True)
def _find_record(wr, lk, key, start_ts):
    """Record of the txn with this start_ts on key (commit or rollback), -1 if none
    (tikv reader.get_txn_commit_record)."""
    cur = lk[key, KS_HEAD]
    while cur >= 0:
        if wr[cur, 1] == start_ts:
            return cur
        cur = wr[cur, 7]
    return -1


# ---- the kernel ------------------------------------------------------------------------------
@njit(cache=True)
def simulate_kernel(txn_arrival, txn_mode, txn_fault, txn_commit_tick, txn_primary,
                    op_start, op_kind, op_key, op_delta, op_tick,
                    mut_start, mut_key, mut_op, reg_start, reg_id,
                    key_region, key_init, params, ev, wr, lk, tx):
    """Run every transaction to its end; return (events, globals, lock table, write log,
    key heads). ``events`` is an int64 matrix, one column per state change and one row per
    field of ``COLUMNS`` (column-major, so each field is a contiguous array).

    ``ev, wr, lk, tx`` are the work buffers ``buffers()`` allocates (any content: the
    kernel initialises every cell it reads); the results are views into them."""
    n_txn = txn_arrival.shape[0]
    g = np.zeros(G_STAGE + 8 * N_COLS, dtype=np.int64)
    g[G_NT] = 1 if (_address(ev) % 64 == 0 and ev.shape[1] % 8 == 0) else 0
    rng = np.zeros(1, dtype=np.uint64)
    rng[0] = np.uint64(params[P_SEED])
    g[G_PQCAP] = params[P_CAPACITY] + n_txn + 4
    heap = np.empty((PQ_B + 2 * g[G_PQCAP], 5), dtype=np.int64)   # the timer queue
    reg_state = np.zeros(reg_id.shape[0], dtype=np.int64)   # 0 pending, 1 prewritten, 2 done
    op_val = np.zeros(op_kind.shape[0], dtype=np.int64)
    op_locked = np.zeros(op_kind.shape[0], dtype=np.int64)
    arrivals = np.arange(n_txn)
    for i in range(1, n_txn):
        if txn_arrival[i] < txn_arrival[i - 1]:
            arrivals = np.argsort(txn_arrival, kind="mergesort")   # stable: ties keep txn order
            break
    _run(txn_arrival, txn_mode, txn_fault, txn_commit_tick, txn_primary, op_start, op_kind,
         op_key, op_delta, op_tick, mut_start, mut_key, mut_op, reg_start, reg_id, key_region,
         key_init, params, ev, wr, lk, tx, g, rng, heap, reg_state, op_val, op_locked, arrivals)
    # the rows still in the staging block, then a fence: every streaming store is done
    n = g[G_NEV]
    for i in range(n & ~7, n):
        for c in range(N_COLS):
            ev[c, i] = g[G_STAGE + 8 * c + (i & 7)]
    _store_fence()
    return ev[:, :g[G_NEV]], g, lk[:, :8], wr[:g[G_NWR]], lk[:, KS_HEAD]


@njit(cache=True, _nrt=False)
def _run(txn_arrival, txn_mode, txn_fault, txn_commit_tick, txn_primary, op_start, op_kind,
         op_key, op_delta, op_tick, mut_start, mut_key, mut_op, reg_start, reg_id, key_region,
         key_init, params, ev, wr, lk, tx, g, rng, heap, reg_state, op_val, op_locked, arrivals):
    """The event loop (no allocation, so compiled without the Numba runtime: no reference
    counting on the arrays passed to the helpers)."""
    n_txn = txn_arrival.shape[0]
    n_key = key_region.shape[0]
    cap = params[P_CAPACITY]
    ttl_opt = params[P_TTL]
    ttl_pess = params[P_PESS_TTL]
    wait_cap = params[P_WAIT_FOR_LOCK_TIMEOUT]
    lock_wait = params[P_LOCK_WAIT_TIMEOUT]
    wake_delay = params[P_WAKE_UP_DELAY]
    lat = params[P_LATENCY]
    jit = params[P_JITTER]
    max_retry = params[P_MAX_RETRY]
    bo_base = params[P_BACKOFF_BASE]
    bo_cap = params[P_BACKOFF_CAP]
    per_tick = params[P_TSO_PER_TICK]
    proto = params[P_PROTOCOL] if params.shape[0] > P_PROTOCOL else CP_2PC
    window = params[P_MAX_COMMIT_WINDOW] if params.shape[0] > P_MAX_COMMIT_WINDOW else 0
    g[G_PROTO] = proto

    # per key one row (KS_*): the lock slot (tikv CF_LOCK), the head of its write list, the
    # head of its wait queue, its region and initial value
    for k in range(n_key):
        lk[k, 0] = -1
        for c in range(1, 8):
            lk[k, c] = 0
        lk[k, KS_HEAD] = -1
        lk[k, KS_WQ] = -1
        lk[k, KS_REGION] = key_region[k]
        lk[k, KS_INIT] = key_init[k]
    # per txn one row (T_*): the client's state, its detector out-edge (waiter -> holder), its
    # link in a wait queue, and its inputs (mode, fault, primary, CSR ranges)
    for t in range(n_txn):
        for c in range(T_COLS):
            tx[t, c] = 0
        tx[t, T_OP] = op_start[t]
        tx[t, T_WAIT_KEY] = -1
        tx[t, T_WAIT_HOLDER] = -1
        tx[t, T_WQ_NEXT] = -1
        tx[t, T_E_TO] = -1
        tx[t, T_MODE] = txn_mode[t]
        tx[t, T_FAULT] = txn_fault[t]
        tx[t, T_COMMIT_TICK] = txn_commit_tick[t]
        tx[t, T_PRIMARY] = txn_primary[t]
        tx[t, T_OP0] = op_start[t]
        tx[t, T_OP1] = op_start[t + 1]
        tx[t, T_MUT0] = mut_start[t]
        tx[t, T_MUT1] = mut_start[t + 1]
        tx[t, T_REG0] = reg_start[t]
        tx[t, T_REG1] = reg_start[t + 1]

    for b in range(PQ_B):
        heap[b, 0] = -1
    g[G_FREE] = -1

    # arrivals (sorted by tick, stable) are timers that come before any other timer of their
    # tick: they are taken straight from the sorted list, so the queue holds active txns alone
    ai = 0
    while g[G_OVERFLOW] == 0:
        if ai < n_txn and (g[G_HEAP] == 0 or txn_arrival[arrivals[ai]] <= _next_tick(heap, g)):
            t = arrivals[ai]
            now = txn_arrival[t]
            ai += 1
            if ai + 1 < n_txn:
                # prefetch what the txn after next will need first: its row (the first three
                # cache lines) and the rows of its keys
                nx = arrivals[ai + 1]
                _prefetch(tx, nx, 0)
                _prefetch(tx, nx, 8)
                _prefetch(tx, nx, 16)
                for o in range(op_start[nx], op_start[nx + 1]):
                    _prefetch(lk, op_key[o], 0)
                    _prefetch(lk, op_key[o], KS_HEAD)
        else:
            if g[G_HEAP] == 0:
                break
            now, t, gen = _pop(heap, g)
            if gen != tx[t, T_GEN]:
                continue                  # a stale timer: the txn was rescheduled since
        g[G_NOW] = now
        ph = tx[t, T_PHASE]
        pess = tx[t, T_MODE] == 1
        step = lat + (_randn(rng, jit + 1) if jit > 0 else 0)

        if ph == PH_PENDING:
            # client-go txn.go: Begin — start_ts from the TSO
            tx[t, T_START] = _tso(g, now, per_tick)
            tx[t, T_BEGIN_TICK] = now
            tx[t, T_PHASE] = PH_OPS
            # prefetch the rows of the keys it will use and their newest write records, so
            # that these cache misses overlap instead of stalling each later action
            for o in range(tx[t, T_OP0], tx[t, T_OP1]):
                k = op_key[o]
                _prefetch(lk, k, 0)
                h = lk[k, KS_HEAD]
                if h >= 0:
                    _prefetch(wr, h, 0)
            _log(ev, g, now, K_BEGIN, t, -1, -1, tx[t, T_START], 0, 0, -1, R_OK, 0, -1, 0, 0, 0, 0)
            _push(heap, g, tx, now + step, t)
            continue

        if ph == PH_WAIT:
            # the waiter's timer: either the delayed legacy wake-up or the wait timeout
            k = tx[t, T_WAIT_KEY]
            _remove_waiter(lk, tx, k, t)
            holder = tx[t, T_WAIT_HOLDER]
            timed_out = now >= tx[t, T_DEADLINE]
            if timed_out:
                # tikv waiter_manager.rs: the waiter times out -> KeyIsLocked to the client
                _log(ev, g, now, K_WAIT_TIMEOUT, t, k, lk[k, KS_REGION], tx[t, T_START],
                     tx[t, T_FUT], 0, holder, R_KEY_IS_LOCKED, 0, -1, 0, 0, 0, key_hash(k))
            else:
                # tikv lock_waiting_queue.rs: delayed wake-up of the rest of the queue
                _log(ev, g, now, K_WAKE_UP, t, k, lk[k, KS_REGION], tx[t, T_START], tx[t, T_FUT], 0,
                     holder, R_WRITE_CONFLICT, 0, -1, 0, 1, 0, key_hash(k))
            _clean_up_wait_for(ev, g, now, t, tx, k, lk)
            tx[t, T_WAIT_KEY] = -1
            tx[t, T_PHASE] = PH_OPS
            if timed_out:
                # client-go pessimistic.go: handlePessimisticLockResponseNormalMode — resolve the
                # holder's lock, then resend unless innodb_lock_wait_timeout is used up
                if lk[k, 0] >= 0 and lk[k, 0] != t:
                    # client-go lock_resolver.go: ResolveLocksForWrite — no min_commit_ts push
                    _resolve_encountered(ev, g, now, t, np.int64(0), k, np.int64(0), lk, wr,
                                         per_tick, tx, heap, wake_delay, lat, bo_base, bo_cap,
                                         np.int64(0), mut_key)
                if now - tx[t, T_WAIT_BEGIN] >= lock_wait:
                    _abort(ev, g, now, t, R_LOCK_WAIT_TIMEOUT, tx, pess, heap, step)
                    continue
            else:
                _statement_retry(t, tx)
                if tx[t, T_RETRIES] > max_retry:
                    _abort(ev, g, now, t, R_RETRY_LIMIT, tx, pess, heap, step)
                    continue
            _push(heap, g, tx, now + step, t)
            continue

        if ph == PH_OPS:
            o = tx[t, T_OP]
            if o >= tx[t, T_OP1]:
                # all statements done: commit (client-go txn.go: Commit -> twoPhaseCommitter)
                if tx[t, T_MUT1] == tx[t, T_MUT0]:
                    _finish(ev, g, now, t, R_OK, tx, tx[t, T_START])
                    continue
                if pess and tx[t, T_FAULT] == F_LOSE_PESSIMISTIC:
                    # in-memory pessimistic locks (pipelined + in_memory, lock_manager/config.rs)
                    # are dropped on a leader change; waiters are not woken
                    for m in range(tx[t, T_MUT0], tx[t, T_MUT1]):
                        k = mut_key[m]
                        if k != tx[t, T_PRIMARY] and lk[k, 0] == t and lk[k, 4] == LT_PESSIMISTIC:
                            lk[k, 0] = -1
                            g[G_NLOCKS] -= 1
                            _log(ev, g, now, K_LOSE_PESSIMISTIC_LOCK, t, k, lk[k, KS_REGION],
                                 tx[t, T_START], lk[k, 5], 0, t, R_OK, 0, tx[t, T_PRIMARY], 0,
                                 LT_PESSIMISTIC, 0, 0)
                tx[t, T_PHASE] = PH_PREWRITE
                if proto != CP_2PC:
                    # client-go 2pc.go: checkOnePC (all mutations in one region) else
                    # checkAsyncCommit — 1PC falls back to async commit across regions
                    tx[t, T_PROTO] = CP_1PC if (proto == CP_1PC and
                                                tx[t, T_REG1] - tx[t, T_REG0] == 1) else CP_ASYNC
                _push(heap, g, tx, now if now >= tx[t, T_COMMIT_TICK] else tx[t, T_COMMIT_TICK], t)
                continue
            if op_tick[o] > now:
                _push(heap, g, tx, op_tick[o], t)       # a scripted scenario step
                continue
            k = op_key[o]
            kind = op_kind[o]
            if kind == OP_GET or (kind == OP_ADD and not pess) or (kind == OP_PUT and not pess):
                if kind == OP_PUT:
                    op_val[o] = op_delta[o]                  # buffered in the memdb
                    tx[t, T_OP] = o + 1
                    _push(heap, g, tx, now, t)
                    continue
                # snapshot read at start_ts (tikv point_getter.rs: load_and_check_lock + load_data)
                res = _get(ev, g, now, t, tx[t, T_START], k, lk, wr, per_tick, tx, heap,
                           wake_delay, lat, bo_base, bo_cap, tx[t, T_ATTEMPT], op_val, o, op_delta,
                           mut_key)
                if res == 0:
                    tx[t, T_ATTEMPT] = 0
                    tx[t, T_OP] = o + 1
                    _push(heap, g, tx, now + step, t)
                else:
                    tx[t, T_ATTEMPT] += 1
                    _push(heap, g, tx, now + res, t)
                continue
            # pessimistic DML: lock the key at for_update_ts (client-go txn.go: LockKeys)
            if tx[t, T_NEED_FUT] == 1 or tx[t, T_FUT] == 0:
                tx[t, T_FUT] = _tso(g, now, per_tick)
                tx[t, T_NEED_FUT] = 0
                tx[t, T_ATTEMPT] = 0        # a new statement attempt: a fresh lock-wait budget
            res = _acquire_pessimistic_lock(ev, g, now, t, k, tx[t, T_START], tx[t, T_FUT],
                                            tx[t, T_PRIMARY],
                                            ttl_pess + (now - tx[t, T_BEGIN_TICK]), lk, wr)
            if res == R_OK:
                if op_locked[o] == 0:
                    op_locked[o] = 1
                    tx[t, T_NLOCKED] += 1
                if kind == OP_ADD:
                    # tikv actions/acquire_pessimistic_lock.rs: need_value (a locking read) ->
                    # concurrency_manager.update_max_ts(for_update_ts)
                    if tx[t, T_FUT] > g[G_MAX_TS]:
                        g[G_MAX_TS] = tx[t, T_FUT]
                    v, cts = _read_version(wr, lk, k, tx[t, T_FUT])
                    op_val[o] = v + op_delta[o]
                    _log(ev, g, now, K_GET, t, k, lk[k, KS_REGION], tx[t, T_START], tx[t, T_FUT],
                         cts, -1, R_OK, v, -1, 0, 0, 0, 0)
                else:
                    op_val[o] = op_delta[o]
                tx[t, T_OP] = o + 1
                _push(heap, g, tx, now + step, t)
            elif res == R_KEY_IS_LOCKED:
                holder = lk[k, 0]
                if lock_wait <= 0:
                    _abort(ev, g, now, t, R_LOCK_WAIT_TIMEOUT, tx, pess, heap, step)
                    continue
                if tx[t, T_WAIT_BEGIN] == 0 or tx[t, T_ATTEMPT] == 0:
                    tx[t, T_WAIT_BEGIN] = now
                tx[t, T_ATTEMPT] = 1
                # tikv lock_manager mod.rs: wait_for — park the request, timeout capped by
                # wait_for_lock_timeout, detect unless this is the txn's first lock
                remaining = lock_wait - (now - tx[t, T_WAIT_BEGIN])
                wait = remaining if remaining < wait_cap else wait_cap
                first = 1 if tx[t, T_NLOCKED] == 0 else 0
                tx[t, T_WAIT_KEY] = k
                tx[t, T_WAIT_HOLDER] = holder
                tx[t, T_DEADLINE] = now + wait
                tx[t, T_WQ_NEXT] = lk[k, KS_WQ]
                lk[k, KS_WQ] = t
                tx[t, T_PHASE] = PH_WAIT
                _log(ev, g, now, K_WAIT_FOR, t, k, lk[k, KS_REGION], tx[t, T_START], tx[t, T_FUT],
                     lk[k, 1], holder, R_KEY_IS_LOCKED, 0, -1, wait, 0, first, key_hash(k))
                if first == 0:
                    dl = _detect(ev, g, now, t, holder, k, lk, tx, wait_cap, n_txn)
                    if dl:
                        # waiter_manager.rs: cancel_for_deadlock — the requester is the victim
                        _remove_waiter(lk, tx, k, t)
                        tx[t, T_WAIT_KEY] = -1
                        tx[t, T_PHASE] = PH_OPS
                        _log(ev, g, now, K_DEADLOCK, t, k, lk[k, KS_REGION], tx[t, T_START],
                             tx[t, T_FUT], 0, holder, R_DEADLOCK, 0, -1, 0, 0, 0,
                             _logged(g, C_HASH))
                        _abort(ev, g, now, t, R_DEADLOCK, tx, pess, heap, step)
                        continue
                _push(heap, g, tx, tx[t, T_DEADLINE], t)
            elif res == R_WRITE_CONFLICT:
                # TiDB adapter_pessimistic.go: retry the statement with a new for_update_ts
                tx[t, T_ATTEMPT] = 0
                _statement_retry(t, tx)
                if tx[t, T_RETRIES] > max_retry:
                    _abort(ev, g, now, t, R_RETRY_LIMIT, tx, pess, heap, step)
                else:
                    _push(heap, g, tx, now + step, t)
            else:
                _abort(ev, g, now, t, res, tx, pess, heap, step)
            continue

        if ph == PH_PREWRITE:
            # client-go prewrite.go: every region batch in parallel (random order here)
            npend = 0
            for r in range(tx[t, T_REG0], tx[t, T_REG1]):
                if reg_state[r] == 0:
                    npend += 1
            pick = _randn(rng, npend)
            r = -1
            for rr in range(tx[t, T_REG0], tx[t, T_REG1]):
                if reg_state[rr] == 0:
                    if pick == 0:
                        r = rr
                        break
                    pick -= 1
            region = reg_id[r]
            ttl = (ttl_pess if pess else ttl_opt) + (now - tx[t, T_BEGIN_TICK])
            res, bad = _prewrite_region(ev, g, now, t, region, pess, tx, mut_key, mut_op, op_val,
                                        op_locked, tx[t, T_PRIMARY], tx[t, T_START], tx[t, T_FUT],
                                        ttl, lk, wr, tx[t, T_START] + window * per_tick, heap,
                                        wake_delay, lat)
            if res == R_OK:
                reg_state[r] = 1
                tx[t, T_ATTEMPT] = 0
                if npend > 1 and tx[t, T_FAULT] == F_CRASH_DURING_PREWRITE:
                    # the client dies with its other region prewrites never sent
                    _crash(ev, g, now, t, R_CRASH_DURING_PREWRITE, tx, tx[t, T_START])
                    continue
                if npend == 1 and proto != CP_2PC and tx[t, T_PROTO] != CP_2PC:
                    _async_prewritten(ev, g, now, t, tx, heap, step)
                    continue
                if npend == 1:
                    if tx[t, T_FAULT] == F_CRASH_BEFORE_COMMIT:
                        _crash(ev, g, now, t, R_CRASH_BEFORE_COMMIT, tx, tx[t, T_START])
                        continue
                    tx[t, T_PHASE] = PH_COMMIT_PRIMARY
                _push(heap, g, tx, now + step, t)
            elif res == R_KEY_IS_LOCKED:
                # client-go prewrite.go: extractKeyErrs — a newer lock fails fast, else resolve
                if lk[bad, 1] > tx[t, T_START]:
                    _abort(ev, g, now, t, R_WRITE_CONFLICT, tx, pess, heap, step)
                    continue
                wait = _resolve_encountered(ev, g, now, t, np.int64(0), bad, np.int64(0), lk, wr,
                                            per_tick, tx, heap, wake_delay, lat, bo_base, bo_cap,
                                            tx[t, T_ATTEMPT], mut_key)
                tx[t, T_ATTEMPT] += 1
                _push(heap, g, tx, now + (wait if wait > 0 else step), t)
            else:
                _abort(ev, g, now, t, res, tx, pess, heap, step)
            continue

        if ph == PH_COMMIT_PRIMARY or ph == PH_COMMIT_SECONDARY:
            if tx[t, T_COMMIT] == 0:
                # client-go 2pc.go: execute — commit_ts from the TSO after all prewrites
                tx[t, T_COMMIT] = _tso(g, now, per_tick)
            pr = tx[t, T_PRIMARY]
            r = -1
            if ph == PH_COMMIT_PRIMARY:
                for rr in range(tx[t, T_REG0], tx[t, T_REG1]):
                    if reg_id[rr] == lk[pr, KS_REGION]:
                        r = rr
            else:
                npend = 0
                for rr in range(tx[t, T_REG0], tx[t, T_REG1]):
                    if reg_state[rr] == 1:
                        npend += 1
                if npend == 0:
                    if proto != CP_2PC and tx[t, T_PROTO] == CP_ASYNC:
                        tx[t, T_PHASE] = PH_DONE        # acknowledged after the prewrites
                    else:
                        _finish(ev, g, now, t, R_OK, tx, tx[t, T_START])
                    continue
                pick = _randn(rng, npend)
                for rr in range(tx[t, T_REG0], tx[t, T_REG1]):
                    if reg_state[rr] == 1:
                        if pick == 0:
                            r = rr
                            break
                        pick -= 1
            # (async commit: the background commit of every batch, the primary's in its batch)
            res = _commit_region(ev, g, now, t, reg_id[r], pr, tx[t, T_START], tx[t, T_COMMIT], tx,
                                 mut_key, lk, wr, heap, wake_delay, lat,
                                 ph == PH_COMMIT_PRIMARY or (proto != CP_2PC
                                                             and tx[t, T_PROTO] == CP_ASYNC
                                                             and reg_id[r] == lk[pr, KS_REGION]))
            if res == R_COMMIT_TS_EXPIRED:
                tx[t, T_COMMIT] = 0                               # commit.go: fetch a new commit_ts
                tx[t, T_RETRIES] += 1
                _push(heap, g, tx, now + step, t)
                continue
            if res != R_OK:
                # primary lock gone, rolled back by someone else: TxnLockNotFound, the txn is
                # aborted and client-go's execute() cleans up the other keys
                _abort(ev, g, now, t, res, tx, pess, heap, step)
                continue
            reg_state[r] = 2
            if ph == PH_COMMIT_PRIMARY:
                if tx[t, T_FAULT] == F_CRASH_AFTER_PRIMARY:
                    _crash(ev, g, now, t, R_CRASH_AFTER_PRIMARY, tx, tx[t, T_START])
                    continue
                tx[t, T_PHASE] = PH_COMMIT_SECONDARY
            _push(heap, g, tx, now + step, t)
            continue

        if ph == PH_CLEANUP or ph == PH_PESSIMISTIC_ROLLBACK:
            # client-go 2pc.go: cleanupMutations (primary first) / pessimistic.go:
            # pessimisticRollbackMutations — release what the failed txn holds
            if ph == PH_PESSIMISTIC_ROLLBACK:
                for m in range(tx[t, T_MUT0], tx[t, T_MUT1]):
                    k = mut_key[m]
                    if lk[k, 0] == t:
                        _release(ev, g, now, K_PESSIMISTIC_ROLLBACK, t, k, lk, t, R_OK, tx, heap,
                                 wake_delay, lat)
            else:
                pr = tx[t, T_PRIMARY]
                order_first = True
                for _pass in range(2):
                    for m in range(tx[t, T_MUT0], tx[t, T_MUT1]):
                        k = mut_key[m]
                        if (k == pr) != order_first:
                            continue
                        _cleanup(ev, g, now, t, t, k, tx[t, T_START], pr, K_ROLLBACK, lk, wr, tx,
                                 heap, wake_delay, lat, True)
                    order_first = False
            _finish(ev, g, now, t, tx[t, T_REASON], tx, tx[t, T_START])
            continue

    # GC's resolve-locks phase (client-go ResolveLocksForRange with current_ts = max):
    # every lock left by crashed clients is rolled forward or back, so atomicity can be judged
    if params[P_RESOLVE_AT_END] != 0 and g[G_OVERFLOW] == 0:
        now = g[G_NOW] + 1
        for k in range(n_key):
            if g[G_NLOCKS] == 0:
                break                     # g[G_NLOCKS] counts the locks held: none left
            if lk[k, 0] >= 0:
                _resolve_encountered(ev, g, now, np.int64(-1), np.int64(0), k, np.int64(1), lk, wr,
                                     per_tick, tx, heap, wake_delay, lat, bo_base, bo_cap,
                                     np.int64(0), mut_key)


@njit(cache=True)
def _async_prewritten(ev, g, now, t, tx, heap, step):
    """Every prewrite succeeded under async commit or 1PC: the txn is committed (client-go
    2pc.go: execute returns here; async commit commits the keys in the background).
    A client fault armed for the commit strikes now, after the commit point (flag 1)."""
    if tx[t, T_FAULT] == F_CRASH_AFTER_PRIMARY or tx[t, T_FAULT] == F_CRASH_BEFORE_COMMIT:
        tx[t, T_PHASE] = PH_DONE
        tx[t, T_REASON] = R_CRASH_AFTER_PRIMARY if tx[t, T_FAULT] == F_CRASH_AFTER_PRIMARY \
            else R_CRASH_BEFORE_COMMIT
        _log(ev, g, now, K_CLIENT_CRASH, t, -1, -1, tx[t, T_START], tx[t, T_COMMIT], 0, -1,
             tx[t, T_REASON], 0, -1, 0, 0, 1, 0)
        return
    # the acknowledgement: finish ok with the commit_ts (ts2) and flag 1 (async) / 2 (1PC)
    _log(ev, g, now, K_FINISH, t, -1, -1, tx[t, T_START], tx[t, T_COMMIT], 0, -1, R_OK, 0, -1, 0,
         0, 1 if tx[t, T_PROTO] == CP_ASYNC else 2, 0)
    tx[t, T_REASON] = R_OK
    if tx[t, T_PROTO] == CP_1PC:
        tx[t, T_PHASE] = PH_DONE
        return
    tx[t, T_PHASE] = PH_COMMIT_SECONDARY
    _push(heap, g, tx, now + step, t)


@njit(cache=True)
def _statement_retry(t, tx):
    tx[t, T_RETRIES] += 1
    tx[t, T_NEED_FUT] = 1


@njit(cache=True)
def _abort(ev, g, now, t, reason, tx, pess, heap, step):
    """The client gives up: optimistic (or prewriting) txns clean up their keys, pessimistic
    txns still locking roll back their pessimistic locks first."""
    tx[t, T_REASON] = reason
    if tx[t, T_PHASE] == PH_PREWRITE or tx[t, T_PHASE] == PH_COMMIT_PRIMARY:
        tx[t, T_PHASE] = PH_CLEANUP
    elif pess:
        tx[t, T_PHASE] = PH_PESSIMISTIC_ROLLBACK
    else:
        tx[t, T_PHASE] = PH_CLEANUP
    _push(heap, g, tx, now + step, t)


@njit(cache=True)
def _finish(ev, g, now, t, reason, tx, start_ts):
    tx[t, T_PHASE] = PH_DONE
    tx[t, T_REASON] = reason
    _log(ev, g, now, K_FINISH, t, -1, -1, start_ts, 0, 0, -1, reason, 0, -1, 0, 0, 0, 0)


@njit(cache=True)
def _crash(ev, g, now, t, reason, tx, start_ts):
    tx[t, T_PHASE] = PH_DONE
    tx[t, T_REASON] = reason
    _log(ev, g, now, K_CLIENT_CRASH, t, -1, -1, start_ts, 0, 0, -1, reason, 0, -1, 0, 0, 0, 0)


@njit(cache=True)
def _remove_waiter(lk, tx, k, t):
    prev = -1
    cur = lk[k, KS_WQ]
    while cur >= 0:
        if cur == t:
            if prev < 0:
                lk[k, KS_WQ] = tx[cur, T_WQ_NEXT]
            else:
                tx[prev, T_WQ_NEXT] = tx[cur, T_WQ_NEXT]
            tx[cur, T_WQ_NEXT] = -1
            return
        prev = cur
        cur = tx[cur, T_WQ_NEXT]


@njit(cache=True)
def _clean_up_wait_for(ev, g, now, t, tx, k, lk):
    # tikv deadlock.rs: clean_up_wait_for — the waiter ended, its edge goes
    if tx[t, T_E_TO] >= 0:
        _log(ev, g, now, K_CLEAN_UP_WAIT_FOR, t, k, lk[k, KS_REGION], 0, 0, 0, tx[t, T_E_TO], R_OK,
             0, -1, 0, 0, 0, tx[t, T_E_HASH])
        tx[t, T_E_TO] = -1


@njit(cache=True)
def _detect(ev, g, now, t, holder, k, lk, tx, edge_ttl, n_txn):
    """tikv deadlock.rs: DetectTable::detect(txn_ts=t, lock_ts=holder, hash). Returns True on
    deadlock (the new edge is then not inserted)."""
    h = key_hash(k)
    if tx[t, T_E_TO] == holder:
        # the edge exists: refresh last_detect_time, no deadlock
        tx[t, T_E_TIME] = now
        _log(ev, g, now, K_DETECT, t, k, lk[k, KS_REGION], tx[t, T_START], 0, 0, holder, R_OK, 0,
             -1, 0, 0, 1, h)
        return False
    # do_detect: DFS from the holder along out-edges, dropping expired edges on the way
    v = holder
    depth = 0
    while depth <= n_txn:
        nxt = tx[v, T_E_TO]
        if nxt < 0:
            break
        if now - tx[v, T_E_TIME] >= edge_ttl:
            _log(ev, g, now, K_EXPIRE_WAIT_FOR, v, -1, -1, 0, 0, 0, nxt, R_OK, 0, -1, 0, 0, 0,
                 tx[v, T_E_HASH])
            tx[v, T_E_TO] = -1
            break
        depth += 1
        if nxt == t:
            # the requester would close the cycle: it is the victim; report the key hash on
            # the closing edge (deadlock_key_hash) and the chain length
            _log(ev, g, now, K_DETECT, t, k, lk[k, KS_REGION], tx[t, T_START], 0, 0, holder,
                 R_DEADLOCK, depth + 1, -1, 0, 0, 0, tx[v, T_E_HASH])
            return True
        v = nxt
    tx[t, T_E_TO] = holder
    tx[t, T_E_HASH] = h
    tx[t, T_E_TIME] = now
    _log(ev, g, now, K_DETECT, t, k, lk[k, KS_REGION], tx[t, T_START], 0, 0, holder, R_OK, 0, -1, 0,
         0, 0, h)
    return False


@njit(cache=True)
def _release(ev, g, now, kind, actor, k, lk, owner, result, tx, heap, wake_delay, lat):
    """Delete the lock on k and wake its waiters (tikv: ReleasedLocks -> lock manager
    wake_up; lock_waiting_queue.rs: pop_for_waking_up then delayed wake-up of the rest)."""
    _log(ev, g, now, kind, actor, k, lk[k, KS_REGION], lk[k, 1], lk[k, 5], 0, owner, result,
         lk[k, 7], lk[k, 2], 0, lk[k, 4], 0, 0)
    owner_txn = lk[k, 0]
    lk[k, 0] = -1
    g[G_NLOCKS] -= 1
    _wake_after(ev, g, now, k, lk, owner_txn, tx, heap, wake_delay, lat)


@njit(cache=True, inline='always')
def _acquire_pessimistic_lock(ev, g, now, t, k, start_ts, fut, primary, ttl, lk, wr):
    """tikv actions/acquire_pessimistic_lock.rs: acquire_pessimistic_lock (legacy mode)."""
    owner = lk[k, 0]
    if owner >= 0 and owner != t:
        _log(ev, g, now, K_ACQUIRE, t, k, lk[k, KS_REGION], start_ts, fut, 0, owner,
             R_KEY_IS_LOCKED, 0, primary, 0, LT_PESSIMISTIC, 0, 0)
        return R_KEY_IS_LOCKED
    if owner == t:
        # own lock: raise for_update_ts (idempotent re-lock)
        if fut > lk[k, 5]:
            lk[k, 5] = fut
        _log(ev, g, now, K_ACQUIRE, t, k, lk[k, KS_REGION], start_ts, lk[k, 5], lk[k, 6], t, R_OK,
             0, lk[k, 2], lk[k, 3], LT_PESSIMISTIC, 1, 0)
        return R_OK
    cur = lk[k, KS_HEAD]
    while cur >= 0:
        if wr[cur, 1] == start_ts and wr[cur, 2] == WT_ROLLBACK:
            _log(ev, g, now, K_ACQUIRE, t, k, lk[k, KS_REGION], start_ts, fut, 0, wr[cur, 4],
                 R_PESSIMISTIC_LOCK_ROLLED_BACK, 0, primary, 0, LT_PESSIMISTIC, 0, 0)
            return R_PESSIMISTIC_LOCK_ROLLED_BACK
        cur = wr[cur, 7]
    head = lk[k, KS_HEAD]
    if head >= 0 and wr[head, 2] != WT_ROLLBACK and wr[head, 0] > fut:
        # newest commit above for_update_ts -> WriteConflict(PessimisticRetry)
        _log(ev, g, now, K_ACQUIRE, t, k, lk[k, KS_REGION], start_ts, fut, wr[head, 0], wr[head, 4],
             R_WRITE_CONFLICT, 0, primary, 0, LT_PESSIMISTIC, 0, 0)
        return R_WRITE_CONFLICT
    lk[k, 0] = t
    g[G_NLOCKS] += 1
    lk[k, 1] = start_ts
    lk[k, 2] = primary
    lk[k, 3] = ttl
    lk[k, 4] = LT_PESSIMISTIC
    lk[k, 5] = fut
    lk[k, 6] = fut + 1          # client-go pessimistic.go: MinCommitTs = for_update_ts + 1
    lk[k, 7] = 0
    _log(ev, g, now, K_ACQUIRE, t, k, lk[k, KS_REGION], start_ts, fut, fut + 1, t, R_OK, 0, primary,
         ttl, LT_PESSIMISTIC, 0, 0)
    return R_OK


@njit(cache=True, inline='always')
def _prewrite_region(ev, g, now, t, region, pess, tx, mut_key, mut_op, op_val, op_locked, primary,
                     start_ts, fut, ttl, lk, wr, max_commit_ts, heap, wake_delay, lat):
    """tikv commands/prewrite.rs + actions/prewrite.rs on one region batch. All-or-nothing:
    any key error leaves the batch unwritten. Returns (result, offending key)."""
    for m in range(tx[t, T_MUT0], tx[t, T_MUT1]):
        k = mut_key[m]
        if lk[k, KS_REGION] != region:
            continue
        o = mut_op[m]
        owner = lk[k, 0]
        if owner >= 0 and owner != t:
            # check_lock: a foreign lock. Pessimistic txns: PessimisticLockNotFound
            res = R_PESSIMISTIC_LOCK_NOT_FOUND if (pess and op_locked[o] == 1) else R_KEY_IS_LOCKED
            _log(ev, g, now, K_PREWRITE, t, k, region, start_ts, fut, 0, owner, res, 0, primary,
                 0, LT_PUT, 0, 0)
            return res, k
        if owner == t and lk[k, 4] != LT_PESSIMISTIC:
            continue                                    # duplicate request: idempotent
        head = lk[k, KS_HEAD]
        if pess and op_locked[o] == 1:
            if owner == t:
                continue                                # DO_PESSIMISTIC_CHECK: own lock found
            # amend_pessimistic_lock: the lock was lost; succeed only if nothing newer
            if head >= 0 and wr[head, 0] >= start_ts:
                _log(ev, g, now, K_PREWRITE, t, k, region, start_ts, fut, wr[head, 0],
                     wr[head, 4], R_PESSIMISTIC_LOCK_NOT_FOUND, 0, primary, 0, LT_PUT, 0, 0)
                return R_PESSIMISTIC_LOCK_NOT_FOUND, k
            continue
        # check_for_newer_version: the newest record of ANY type (rollbacks included)
        if head >= 0:
            if wr[head, 0] == start_ts and wr[head, 2] == WT_ROLLBACK:
                _log(ev, g, now, K_PREWRITE, t, k, region, start_ts, fut, wr[head, 0],
                     wr[head, 4], R_SELF_ROLLED_BACK, 0, primary, 0, LT_PUT, 0, 0)
                return R_WRITE_CONFLICT, k
            if wr[head, 0] > start_ts:
                _log(ev, g, now, K_PREWRITE, t, k, region, start_ts, fut, wr[head, 0],
                     wr[head, 4], R_WRITE_CONFLICT, 0, primary, 0, LT_PUT, 0, 0)
                return R_WRITE_CONFLICT, k
    # all keys pass: write the locks (min_commit_ts = max(start_ts, for_update_ts) + 1)
    mct = (fut if fut > start_ts else start_ts) + 1
    flag = 0
    if g[G_PROTO] != CP_2PC and tx[t, T_PROTO] != CP_2PC:
        mct, flag = _async_min_commit_ts(ev, g, now, t, region, tx, mut_key, mut_op, op_val, primary,
                                         start_ts, fut, mct, lk, wr, max_commit_ts, heap,
                                         wake_delay, lat)
        if flag < 0:
            return R_OK, -1                             # committed by 1PC: no lock written
    for m in range(tx[t, T_MUT0], tx[t, T_MUT1]):
        k = mut_key[m]
        if lk[k, KS_REGION] != region:
            continue
        if lk[k, 0] == t and lk[k, 4] == LT_PUT:
            continue
        if lk[k, 0] < 0:
            g[G_NLOCKS] += 1
        lk[k, 0] = t
        lk[k, 1] = start_ts
        lk[k, 2] = primary
        lk[k, 3] = ttl
        lk[k, 4] = LT_PUT
        lk[k, 5] = fut if pess else 0
        lk[k, 6] = mct
        lk[k, 7] = op_val[mut_op[m]]
        _log(ev, g, now, K_PREWRITE, t, k, region, start_ts, lk[k, 5], mct, t, R_OK, lk[k, 7],
             primary, ttl, LT_PUT, (1 if k == primary else 0) | flag, 0)
    return R_OK, -1


@njit(cache=True)
def _async_min_commit_ts(ev, g, now, t, region, tx, mut_key, mut_op, op_val, primary, start_ts,
                         fut, mct, lk, wr, max_commit_ts, heap, wake_delay, lat):
    """Async commit / 1PC timestamps of one region's prewrite. Returns (min_commit_ts, flag):
    flag 2 = the locks are async-commit locks, 0 = fell back to 2PC, -1 = committed by 1PC."""
    # tikv actions/prewrite.rs: async_commit_timestamps — max(max_ts, start_ts, for_update_ts) + 1
    m = g[G_MAX_TS]
    if start_ts > m:
        m = start_ts
    if fut > m:
        m = fut
    m += 1
    if m > max_commit_ts:
        # prewrite.rs: CommitTsTooLarge -> commands/prewrite.rs falls back to 2PC (locks
        # without use_async_commit, min_commit_ts 0 in the response); client-go prewrite.go:
        # "fallback to normal path" — the txn commits with a TSO commit_ts, primary first
        tx[t, T_PROTO] = CP_2PC
        tx[t, T_COMMIT] = 0
        return mct, 0
    if tx[t, T_PROTO] == CP_1PC:
        # tikv commands/prewrite.rs: handle_1pc_locks — the commit records are written at
        # one_pc_commit_ts = min_commit_ts straight away; no lock is left (pessimistic ones go)
        for i in range(tx[t, T_MUT0], tx[t, T_MUT1]):
            k = mut_key[i]
            if lk[k, KS_REGION] != region:
                continue
            owner = lk[k, 0]
            v = op_val[mut_op[i]]
            _put_write(wr, lk, g, k, m, start_ts, WT_PUT, v, t, 0)
            _log(ev, g, now, K_ONE_PC_COMMIT, t, k, region, start_ts, m,
                 fut if tx[t, T_MODE] == 1 else 0, t, R_OK, v, primary,
                 0, LT_PUT, 1 if k == primary else 0, 0)
            if owner == t:
                lk[k, 0] = -1
                g[G_NLOCKS] -= 1
                _wake_after(ev, g, now, k, lk, owner, tx, heap, wake_delay, lat)
        tx[t, T_COMMIT] = m
        return m, -1
    # client-go prewrite.go: the commit_ts is the max of the min_commit_ts the regions return
    if m > tx[t, T_COMMIT]:
        tx[t, T_COMMIT] = m
    return m, 2


@njit(cache=True, inline='always')
def _commit_key(ev, g, now, actor, k, start_ts, commit_ts, lk, wr, tx, heap, wake_delay, lat, kind,
                is_primary):
    """tikv actions/commit.rs: commit one key."""
    owner = lk[k, 0]
    if owner >= 0 and lk[k, 1] == start_ts:
        if commit_ts < lk[k, 6] and lk[k, 4] != LT_PESSIMISTIC:
            _log(ev, g, now, kind, actor, k, lk[k, KS_REGION], start_ts, commit_ts, lk[k, 6], owner,
                 R_COMMIT_TS_EXPIRED, 0, lk[k, 2], 0, lk[k, 4], is_primary, 0)
            return R_COMMIT_TS_EXPIRED
        if lk[k, 4] == LT_PESSIMISTIC:
            # a stale pessimistic lock is just removed
            _release(ev, g, now, K_PESSIMISTIC_ROLLBACK, actor, k, lk, owner, R_OK, tx, heap,
                     wake_delay, lat)
            return R_OK
        _put_write(wr, lk, g, k, commit_ts, start_ts, WT_PUT, lk[k, 7], owner, 0)
        # ts3 = the lock's for_update_ts: a pessimistic writer is isolated from that ts on
        _log(ev, g, now, kind, actor, k, lk[k, KS_REGION], start_ts, commit_ts, lk[k, 5], owner,
             R_OK, lk[k, 7], lk[k, 2], 0, LT_PUT, is_primary, 0)
        lk[k, 0] = -1
        g[G_NLOCKS] -= 1
        _wake_after(ev, g, now, k, lk, owner, tx, heap, wake_delay, lat)
        return R_OK
    rec = _find_record(wr, lk, k, start_ts)
    if rec >= 0 and wr[rec, 2] != WT_ROLLBACK:
        return R_OK                     # already committed: idempotent success
    _log(ev, g, now, kind, actor, k, lk[k, KS_REGION], start_ts, commit_ts, 0, -1,
         R_TXN_LOCK_NOT_FOUND, 0, -1, 0, 0, is_primary, 0)
    return R_TXN_LOCK_NOT_FOUND


@njit(cache=True, inline='always')
def _wake_after(ev, g, now, k, lk, owner, tx, heap, wake_delay, lat):
    """The lock on k is gone: wake its waiters (nothing to do for an empty queue)."""
    if lk[k, KS_WQ] >= 0:
        _wake_waiters(ev, g, now, k, lk, owner, tx, heap, wake_delay, lat)


@njit(cache=True)
def _wake_waiters(ev, g, now, k, lk, owner, tx, heap, wake_delay, lat):
    head = -1
    cur = lk[k, KS_WQ]
    while cur >= 0:
        if head < 0 or tx[cur, T_START] < tx[head, T_START]:
            head = cur
        cur = tx[cur, T_WQ_NEXT]
    if head < 0:
        return
    _remove_waiter(lk, tx, k, head)
    _log(ev, g, now, K_WAKE_UP, head, k, lk[k, KS_REGION], tx[head, T_START], 0, 0, owner,
         R_WRITE_CONFLICT, 0, -1, 0, 0, 0, key_hash(k))
    _clean_up_wait_for(ev, g, now, head, tx, k, lk)
    tx[head, T_PHASE] = PH_OPS
    tx[head, T_RETRIES] += 1
    tx[head, T_NEED_FUT] = 1
    _push(heap, g, tx, now + lat, head)
    cur = lk[k, KS_WQ]
    while cur >= 0:
        tx[cur, T_WAKE_AT] = now + wake_delay
        when = min(tx[cur, T_WAKE_AT], tx[cur, T_DEADLINE])
        _push(heap, g, tx, when, cur)
        cur = tx[cur, T_WQ_NEXT]


@njit(cache=True, inline='always')
def _commit_region(ev, g, now, t, region, primary, start_ts, commit_ts, tx, mut_key, lk, wr, heap,
                   wake_delay, lat, is_primary_batch):
    """client-go commit.go: actionCommit on one region batch (the primary key first)."""
    if is_primary_batch:
        res = _commit_key(ev, g, now, t, primary, start_ts, commit_ts, lk, wr, tx, heap,
                          wake_delay, lat, K_COMMIT, 1)
        if res != R_OK:
            return res
    for m in range(tx[t, T_MUT0], tx[t, T_MUT1]):
        k = mut_key[m]
        if lk[k, KS_REGION] != region or k == primary:
            continue
        # secondaries: errors are only logged by client-go (commit secondaries goroutine)
        _commit_key(ev, g, now, t, k, start_ts, commit_ts, lk, wr, tx, heap, wake_delay, lat,
                    K_COMMIT, 0)
    return R_OK


@njit(cache=True)
def _cleanup(ev, g, now, actor, owner_txn, k, start_ts, primary, kind, lk, wr, tx, heap,
             wake_delay, lat, write_if_missing):
    """tikv actions/cleanup.rs: cleanup -> rollback_lock. The rollback record is protected
    on the primary key (rollback_lock: protected = key is the lock's primary)."""
    if lk[k, 0] >= 0 and lk[k, 1] == start_ts:
        owner = lk[k, 0]
        prot = 1 if k == lk[k, 2] else 0
        _put_write(wr, lk, g, k, start_ts, start_ts, WT_ROLLBACK, 0, owner, prot)
        _log(ev, g, now, kind, actor, k, lk[k, KS_REGION], start_ts, 0, 0, owner, R_OK, 0, lk[k, 2],
             0, lk[k, 4], prot, 0)
        lk[k, 0] = -1
        g[G_NLOCKS] -= 1
        _wake_after(ev, g, now, k, lk, owner, tx, heap, wake_delay, lat)
        return R_OK
    rec = _find_record(wr, lk, k, start_ts)
    if rec >= 0:
        if wr[rec, 2] == WT_ROLLBACK:
            return R_ROLLED_BACK
        return R_COMMITTED              # tikv: cleanup of a committed key is an error (Committed)
    if write_if_missing:
        # check_txn_status_missing_lock: MissingLockAction::rollback — a record blocks late prewrites
        prot = 1 if k == primary else 0
        _put_write(wr, lk, g, k, start_ts, start_ts, WT_ROLLBACK, 0, owner_txn, prot)
        _log(ev, g, now, kind, actor, k, lk[k, KS_REGION], start_ts, 0, 0, owner_txn, R_OK, 0,
             primary, 0, LT_NONE, prot, 0)
    return R_OK


@njit(cache=True)
def _resolve_encountered(ev, g, now, t, caller_ts, k, force, lk, wr, per_tick, tx, heap,
                         wake_delay, lat, bo_base, bo_cap, attempt, mut_key):
    """client-go txnlock/lock_resolver.go: resolveLocks for the lock on key k.
    check_txn_status on the lock's primary, then resolve_lock on k. Returns 0 when the
    lock is gone, -1 when the reader may read past it (resolved_locks), else ticks to back off.
    (Callers pass t, force and attempt as int64 values, never literals: one compiled
    version instead of one per literal, which saves cold compile time.)"""
    owner = lk[k, 0]
    lock_ts = lk[k, 1]
    p = lk[k, 2]
    current_ts = _tso(g, now, per_tick)
    if force != 0:
        current_ts = np.int64(1) << np.int64(62)       # GC: every lock counts as expired
    else:
        # tikv commands/check_txn_status.rs: update_max_ts(max(lock_ts, current_ts, caller_start_ts))
        mx = current_ts if current_ts > caller_ts else caller_ts
        if lock_ts > mx:
            mx = lock_ts
        if mx > g[G_MAX_TS]:
            g[G_MAX_TS] = mx
    # ---- tikv actions/check_txn_status.rs ---------------------------------------------
    status = R_UNCOMMITTED
    commit_ts = np.int64(0)
    res_lo, res_hi = np.int64(-1), np.int64(0)   # the keys to resolve: k alone (-1 -> k)
    if lk[p, 0] >= 0 and lk[p, 1] == lock_ts:
        if g[G_PROTO] != CP_2PC and lk[p, 4] == LT_PUT and tx[lk[p, 0], T_PROTO] == CP_ASYNC:
            # check_txn_status_lock_exists: an async-commit lock is reported as it is (never
            # rolled back or pushed here); client-go resolveLocks: expired -> resolveAsyncCommitLock
            _log(ev, g, now, K_CHECK_TXN_STATUS, t, p, lk[p, KS_REGION], lock_ts, caller_ts,
                 lk[p, 6], owner, R_UNCOMMITTED, 0, p, lk[p, 3], lk[p, 4], 2, 0)
            if lock_ts // per_tick + lk[p, 3] < current_ts // per_tick:
                rolled, commit_ts = _check_secondary_locks(ev, g, now, np.int64(t), lk[p, 0],
                                                           lock_ts, p, np.int64(caller_ts), lk, wr,
                                                           tx, heap, wake_delay, lat, mut_key)
                status = R_ROLLED_BACK if rolled else R_COMMITTED
                # resolveAsyncCommitLock -> resolveRegionLocks: every key, primary included
                res_lo, res_hi = tx[lk[p, 0], T_MUT0], tx[lk[p, 0], T_MUT1]
        elif lock_ts // per_tick + lk[p, 3] < current_ts // per_tick:
            # check_txn_status_lock_exists: expired -> rollback_lock (protected, on the primary)
            _put_write(wr, lk, g, p, lock_ts, lock_ts, WT_ROLLBACK, 0, owner, 1)
            _log(ev, g, now, K_CHECK_TXN_STATUS, t, p, lk[p, KS_REGION], lock_ts, caller_ts,
                 current_ts, owner, R_TTL_EXPIRE, 0, p, lk[p, 3], lk[p, 4], 1, 0)
            lk[p, 0] = -1
            g[G_NLOCKS] -= 1
            _wake_after(ev, g, now, p, lk, owner, tx, heap, wake_delay, lat)
            status = R_TTL_EXPIRE
        elif lk[p, 6] != 0 and caller_ts >= lk[p, 6]:
            # push min_commit_ts so the reader is not blocked
            new = caller_ts + 1
            if new < current_ts:
                new = current_ts
            lk[p, 6] = new
            _log(ev, g, now, K_CHECK_TXN_STATUS, t, p, lk[p, KS_REGION], lock_ts, caller_ts,
                 new, owner, R_MIN_COMMIT_TS_PUSHED, 0, p, lk[p, 3], lk[p, 4], 0, 0)
            status = R_MIN_COMMIT_TS_PUSHED
        else:
            _log(ev, g, now, K_CHECK_TXN_STATUS, t, p, lk[p, KS_REGION], lock_ts, caller_ts,
                 lk[p, 6], owner, R_UNCOMMITTED, 0, p, lk[p, 3], lk[p, 4], 0, 0)
    else:
        rec = _find_record(wr, lk, p, lock_ts)
        if rec >= 0 and wr[rec, 2] != WT_ROLLBACK:
            status = R_COMMITTED
            commit_ts = wr[rec, 0]
        elif rec >= 0:
            status = R_ROLLED_BACK
        elif lock_ts // per_tick + lk[k, 3] < current_ts // per_tick:
            # the secondary's own TTL is over: rollback_if_not_exist writes a protected rollback
            _put_write(wr, lk, g, p, lock_ts, lock_ts, WT_ROLLBACK, 0, owner, 1)
            status = R_LOCK_NOT_EXIST
        else:
            status = R_TXN_NOT_FOUND
        _log(ev, g, now, K_CHECK_TXN_STATUS, t, p, lk[p, KS_REGION], lock_ts, caller_ts, commit_ts,
             owner, status, 0, p, 0, LT_NONE, 1 if status == R_LOCK_NOT_EXIST else 0, 0)
    # ---- client action per status --------------------------------------------------------
    if status == R_COMMITTED:
        # roll forward: tikv commands/resolve_lock.rs with commit_ts
        for i in range(res_lo, res_hi):
            kk = k if i < 0 else mut_key[i]
            if lk[kk, 0] >= 0 and lk[kk, 1] == lock_ts:
                _commit_key(ev, g, now, t, kk, lock_ts, commit_ts, lk, wr, tx, heap, wake_delay,
                            lat, K_RESOLVE_LOCK, 1 if kk == p else 0)
        return np.int64(0)
    if status == R_ROLLED_BACK or status == R_TTL_EXPIRE or status == R_LOCK_NOT_EXIST:
        # roll back: resolve_lock with commit_ts 0 -> cleanup
        for i in range(res_lo, res_hi):
            kk = k if i < 0 else mut_key[i]
            if lk[kk, 0] >= 0 and lk[kk, 1] == lock_ts:
                _cleanup(ev, g, now, t, owner, kk, lock_ts, p, K_RESOLVE_LOCK, lk, wr, tx, heap,
                         wake_delay, lat, False)
        return np.int64(0)
    # alive: a Put/Delete lock whose txn can only commit above the reader may be read past
    if caller_ts > 0 and lk[k, 0] >= 0 and (lk[k, 4] == LT_PUT or lk[k, 4] == LT_DELETE) \
            and lk[p, 0] >= 0 and lk[p, 6] > caller_ts and status != R_TXN_NOT_FOUND:
        return np.int64(-1)
    # back off: txnLockFast exponential, capped by the lock's remaining TTL
    wait = bo_base << (attempt if attempt < 20 else 20)
    if wait > bo_cap:
        wait = bo_cap
    left = lock_ts // per_tick + lk[k, 3] - current_ts // per_tick + 1
    if left < 1:
        left = 1
    if wait > left:
        wait = left
    return wait


@njit(cache=True)
def _check_secondary_locks(ev, g, now, t, owner, lock_ts, p, caller_ts, lk, wr, tx, heap,
                           wake_delay, lat, mut_key):
    """client-go lock_resolver.go: resolveAsyncCommitLock — CheckSecondaryLocks on every key
    the primary lock lists (= the owner's mutation keys). Returns (rolled back?, commit_ts):
    committed at the max min_commit_ts if every secondary is locked (or at the commit_ts of
    one already committed), else rolled back. The caller then resolves every key."""
    commit_ts = lk[p, 6]
    rolled = False
    for i in range(tx[owner, T_MUT0], tx[owner, T_MUT1]):
        k2 = mut_key[i]
        if k2 == p:
            continue
        reg = lk[k2, KS_REGION]
        # tikv commands/check_secondary_locks.rs: per key, lock / commit record / rollback
        if lk[k2, 0] >= 0 and lk[k2, 1] == lock_ts:
            if lk[k2, 4] == LT_PESSIMISTIC:
                # a pessimistic lock was never prewritten: roll it back -> the txn is rolled back
                _put_write(wr, lk, g, k2, lock_ts, lock_ts, WT_ROLLBACK, 0, owner, 0)
                _log(ev, g, now, K_CHECK_SECONDARY_LOCKS, t, k2, reg, lock_ts, caller_ts, 0, owner,
                     R_PESSIMISTIC_LOCK_ROLLED_BACK, 0, p, 0, LT_PESSIMISTIC, 1, 0)
                lk[k2, 0] = -1
                g[G_NLOCKS] -= 1
                _wake_after(ev, g, now, k2, lk, owner, tx, heap, wake_delay, lat)
                rolled = True
                break
            _log(ev, g, now, K_CHECK_SECONDARY_LOCKS, t, k2, reg, lock_ts, caller_ts, lk[k2, 6],
                 owner, R_OK, 0, p, lk[k2, 3], lk[k2, 4], 0, 0)
            if lk[k2, 6] > commit_ts:
                commit_ts = lk[k2, 6]
            continue
        rec = _find_record(wr, lk, k2, lock_ts)
        if rec >= 0 and wr[rec, 2] != WT_ROLLBACK:
            # already committed (by the client's background commit or another resolver)
            _log(ev, g, now, K_CHECK_SECONDARY_LOCKS, t, k2, reg, lock_ts, caller_ts, wr[rec, 0],
                 owner, R_COMMITTED, 0, p, 0, LT_NONE, 0, 0)
            commit_ts = wr[rec, 0]
            break
        if rec >= 0:
            _log(ev, g, now, K_CHECK_SECONDARY_LOCKS, t, k2, reg, lock_ts, caller_ts, 0, owner,
                 R_ROLLED_BACK, 0, p, 0, LT_NONE, 0, 0)
            rolled = True
            break
        # no lock, no record: check_txn_status_missing_lock writes a protected rollback so a
        # late prewrite of this key fails -> the txn is rolled back
        _put_write(wr, lk, g, k2, lock_ts, lock_ts, WT_ROLLBACK, 0, owner, 1)
        _log(ev, g, now, K_CHECK_SECONDARY_LOCKS, t, k2, reg, lock_ts, caller_ts, 0, owner,
             R_LOCK_NOT_EXIST, 0, p, 0, LT_NONE, 1, 0)
        rolled = True
        break
    return rolled, commit_ts


@njit(cache=True, inline='always')
def _get(ev, g, now, t, read_ts, k, lk, wr, per_tick, tx, heap, wake_delay, lat, bo_base, bo_cap,
         attempt, op_val, o, op_delta, mut_key):
    """A snapshot read (tikv point_getter.rs). A Put/Delete lock at or below read_ts whose
    min_commit_ts <= read_ts blocks it (lock.rs: check_ts_conflict_si) and sends the
    reader down the lock-resolver path. Returns 0 when read, else ticks to back off."""
    # tikv storage/mod.rs: prepare_snap_ctx -> concurrency_manager.update_max_ts(read_ts)
    if read_ts > g[G_MAX_TS]:
        g[G_MAX_TS] = read_ts
    bypass = False
    for _round in range(3):
        owner = lk[k, 0]
        if (not bypass) and owner >= 0 and owner != t and lk[k, 1] <= read_ts \
                and (lk[k, 4] == LT_PUT or lk[k, 4] == LT_DELETE) and lk[k, 6] <= read_ts:
            _log(ev, g, now, K_GET, t, k, lk[k, KS_REGION], tx[t, T_START], read_ts, 0, owner,
                 R_KEY_IS_LOCKED, 0, lk[k, 2], 0, lk[k, 4], 0, 0)
            w = _resolve_encountered(ev, g, now, t, read_ts, k, np.int64(0), lk, wr, per_tick, tx, heap,
                                     wake_delay, lat, bo_base, bo_cap, attempt, mut_key)
            if w > 0:
                return w
            if w < 0:
                bypass = True            # resolved_locks: this txn commits above read_ts
            continue
        v, cts = _read_version(wr, lk, k, read_ts)
        op_val[o] = v + op_delta[o]
        _log(ev, g, now, K_GET, t, k, lk[k, KS_REGION], tx[t, T_START], read_ts, cts, -1, R_OK, v,
             -1, 0, 0, 1 if bypass else 0, 0)
        return np.int64(0)
    return np.int64(1)


def _aligned_empty(rows, cols):
    """An int64 (rows, cols) array starting on a 128-byte boundary (NumPy's large buffers
    start 16 bytes into a page), so that a 12-column ``lk`` row spans two cache lines,
    never three, and each event-log column starts on a cache line."""
    flat = np.empty(rows * cols + 16, dtype=np.int64)
    off = (-flat.ctypes.data % 128) // 8
    return flat[off:off + rows * cols].reshape(rows, cols)


def buffers(n_txn, n_key, cap):
    """The kernel's work buffers (event log, write log, per-key and per-txn tables),
    allocated by NumPy: NumPy asks for transparent huge pages on large buffers
    (``madvise``), Numba's allocator does not (measured: the 4 KiB page faults on a fresh
    ~300 MB log cost 5-15% of a 100,000-txn run). The log has ``cap`` rows or a few more
    (rounded up: see below); the kernel fills at most ``ev.shape[1]`` rows."""
    # the log: each column starts on a cache line and holds a multiple of 8 rows (capacity
    # rounded up), so that _log streams whole lines; an odd number of lines per column, so
    # that the 17 columns' current lines fall in different cache sets (measured: a column
    # length of a multiple of 4 KiB, as in the 100,000-txn benchmark, costs ~5%)
    rows = (cap + 7) & ~7
    if (rows // 8) % 2 == 0:
        rows += 8
    ev = _aligned_empty(N_COLS, rows)
    return (ev, _aligned_empty(cap + 4, 8),
            _aligned_empty(max(n_key, 1), KS_COLS), _aligned_empty(max(n_txn, 1), T_COLS))


def warmup() -> None:
    """Compile simulate_kernel (and every helper) on a tiny two-transaction bank."""
    from gmplab.txn import workloads, engine
    engine.simulate(workloads.bank(accounts=4, txns=3, keys_per_txn=2, seed=0), regions=2, seed=0)
    engine.simulate(workloads.bank(accounts=4, txns=3, keys_per_txn=2, mode="pessimistic", seed=0),
                    regions=2, seed=0)
