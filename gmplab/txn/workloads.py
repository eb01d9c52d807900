"""Transaction workloads: what the clients run, as plain NumPy arrays.

A workload is a set of transaction programs. Each program is a list of ops on integer
keys — ``get`` (snapshot read), ``put`` (blind write of a value) and ``add`` (read the
key, write value + delta: the bank transfer's read-modify-write) — plus the transaction's
mode (``optimistic`` / ``pessimistic``), its arrival tick and an optional client fault:

* ``crash_after_primary``     the client dies right after the primary commit: the
                              secondaries stay locked until a reader rolls them forward;
* ``crash_before_commit``     the client dies after all prewrites: the locks expire (TTL)
                              and a reader rolls them back;
* ``lose_pessimistic_locks``  the txn's in-memory pessimistic locks (all but the primary's)
                              vanish before prewrite, as on a TiKV leader change;
* ``crash_during_prewrite``   (scenarios only) the client dies after its first region
                              prewrite: the other regions are never prewritten.

Random choices (which accounts, which txns crash) come from a splitmix64 stream seeded by
the builder's ``seed`` — computed here in NumPy, never from ``np.random``.

Example
-------
>>> from gmplab.txn import workloads
>>> w = workloads.bank(accounts=8, txns=20, keys_per_txn=2, hot_fraction=0.5)
>>> w.n_txns, w.n_keys, w.total
(20, 8, 800)
>>> s = workloads.scenario([("T1", "put", "x", 1), ("T2", "put", "x", 2),
...                         ("T1", "commit"), ("T2", "commit")])
>>> s.txn_names, s.key_names
(['T1', 'T2'], ['x'])
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gmplab.txn.kernel import (F_CRASH_AFTER_PRIMARY, F_CRASH_BEFORE_COMMIT,
                               F_CRASH_DURING_PREWRITE, F_LOSE_PESSIMISTIC, F_NONE, FAULTS, MODES, OP_ADD, OP_GET, OP_KINDS, OP_PUT)

__all__ = ["Workload", "bank", "random_rw", "hotspot", "scenario", "from_programs"]


@dataclass
class Workload:
    """Transaction programs as struct-of-arrays (CSR: ops of txn t are
    ``op_start[t]:op_start[t+1]``)."""
    n_keys: int
    key_init: np.ndarray
    txn_arrival: np.ndarray
    txn_mode: np.ndarray
    txn_fault: np.ndarray
    txn_commit_tick: np.ndarray
    op_start: np.ndarray
    op_kind: np.ndarray
    op_key: np.ndarray
    op_delta: np.ndarray
    op_tick: np.ndarray
    description: str = ""
    total: int | None = None                 # bank: the invariant sum of balances
    txn_names: list[str] = field(default_factory=list)
    key_names: list[str] = field(default_factory=list)
    key_region: np.ndarray | None = None     # explicit key -> region map (scenarios)
    defaults: dict = field(default_factory=dict)   # simulate() parameters this workload suggests

    @property
    def n_txns(self) -> int:
        return int(self.txn_arrival.shape[0])

    def program(self, t: int) -> str:
        """The program of txn t as text, e.g. ``T3 pessimistic: add(k2,-5) add(k7,+5)``."""
        ops = []
        for o in range(self.op_start[t], self.op_start[t + 1]):
            kind = OP_KINDS[self.op_kind[o]]
            key = self.key_name(int(self.op_key[o]))
            ops.append(f"{kind}({key})" if kind == "get" else f"{kind}({key},{int(self.op_delta[o]):+d})")
        fault = FAULTS[self.txn_fault[t]]
        extra = "" if fault == "none" else f" [{fault}]"
        return f"{self.txn_name(t)} {MODES[self.txn_mode[t]]}: {' '.join(ops)}{extra}"

    def txn_name(self, t: int) -> str:
        return self.txn_names[t] if self.txn_names else f"T{t}"

    def key_name(self, k: int) -> str:
        return self.key_names[k] if self.key_names else f"k{k}"

    def __str__(self) -> str:
        lines = [self.description or "workload"]
        lines += [self.program(t) for t in range(min(self.n_txns, 12))]
        if self.n_txns > 12:
            lines.append(f"... {self.n_txns - 12} more")
        return "\n".join(lines)


# ---- deterministic randomness for builders ---------------------------------------------------
def _stream(seed: int, n: int, salt: int) -> np.ndarray:
    """n splitmix64 outputs for (seed, salt), vectorised; uint64."""
    i = np.arange(1, n + 1, dtype=np.uint64)
    base = ((seed * 0x2545F491 + salt * 0x9E37) * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    z = np.uint64(base) + i * np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _unit(seed: int, n: int, salt: int) -> np.ndarray:
    return (_stream(seed, n, salt) >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def _check_int(name, value, lo, hi=None):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if value < lo or (hi is not None and value > hi):
        rng = f">= {lo}" if hi is None else f"in [{lo}, {hi}]"
        raise ValueError(f"{name} must be {rng}, got {value}")
    return int(value)


def _check_fraction(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)) \
            or not 0.0 <= float(value) <= 1.0:
        raise ValueError(f"{name} must be a fraction in [0, 1], got {value!r}")
    return float(value)


def _check_mode(mode):
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    return MODES.index(mode)


def _faults(n, seed, crash_after_primary, crash_before_commit, lost_pessimistic_locks, mode):
    fa = _check_fraction("crash_after_primary", crash_after_primary)
    fb = _check_fraction("crash_before_commit", crash_before_commit)
    fl = _check_fraction("lost_pessimistic_locks", lost_pessimistic_locks)
    if fa + fb + fl > 1.0:
        raise ValueError("crash_after_primary + crash_before_commit + lost_pessimistic_locks "
                         f"must not exceed 1, got {fa + fb + fl}")
    if fl > 0 and mode != "pessimistic":
        raise ValueError("lost_pessimistic_locks needs mode='pessimistic'")
    u = _unit(seed, n, 7)
    fault = np.full(n, F_NONE, dtype=np.int64)
    fault[u < fa + fb + fl] = F_LOSE_PESSIMISTIC
    fault[u < fa + fb] = F_CRASH_BEFORE_COMMIT
    fault[u < fa] = F_CRASH_AFTER_PRIMARY
    return fault


def from_programs(programs, n_keys, key_init=None, *, mode="optimistic", arrival=None,
                  faults=None, description="", total=None, **extra) -> Workload:
    """Build a workload from a list of programs, each a list of ``(kind, key, delta)``.

    >>> w = from_programs([[("add", 0, -5), ("add", 1, 5)]], n_keys=2, key_init=[10, 10])
    >>> w.program(0)
    'T0 optimistic: add(k0,-5) add(k1,+5)'
    """
    n = len(programs)
    n_keys = _check_int("n_keys", n_keys, 1)
    modes = [mode] * n if isinstance(mode, str) else list(mode)
    if len(modes) != n:
        raise ValueError(f"mode must be a string or one per program ({n}), got {len(modes)}")
    op_start = np.zeros(n + 1, dtype=np.int64)
    kinds, keys, deltas = [], [], []
    for t, prog in enumerate(programs):
        written = set()
        for j, op in enumerate(prog):
            if len(op) != 3 or op[0] not in OP_KINDS:
                raise ValueError(f"programs[{t}][{j}] must be (kind, key, delta) with kind in "
                                 f"{OP_KINDS}, got {op!r}")
            kind, key, delta = op
            if not 0 <= int(key) < n_keys:
                raise ValueError(f"programs[{t}][{j}]: key {key} outside [0, {n_keys})")
            if kind != "get":
                if key in written:
                    raise ValueError(f"programs[{t}][{j}]: key {key} written twice in one txn")
                written.add(key)
            elif delta != 0:
                raise ValueError(f"programs[{t}][{j}]: a get takes delta 0, got {delta}")
            kinds.append(OP_KINDS.index(kind))
            keys.append(int(key))
            deltas.append(int(delta))
        op_start[t + 1] = len(kinds)
    init = np.zeros(n_keys, dtype=np.int64) if key_init is None else np.asarray(key_init, dtype=np.int64)
    if init.shape != (n_keys,):
        raise ValueError(f"key_init must have n_keys={n_keys} entries, got shape {init.shape}")
    m = len(kinds)
    return Workload(
        n_keys=n_keys, key_init=init,
        txn_arrival=np.zeros(n, dtype=np.int64) if arrival is None else np.asarray(arrival, dtype=np.int64),
        txn_mode=np.array([_check_mode(md) for md in modes], dtype=np.int64),
        txn_fault=np.zeros(n, dtype=np.int64) if faults is None else np.asarray(faults, dtype=np.int64),
        txn_commit_tick=np.zeros(n, dtype=np.int64),
        op_start=op_start, op_kind=np.array(kinds, dtype=np.int64),
        op_key=np.array(keys, dtype=np.int64), op_delta=np.array(deltas, dtype=np.int64),
        op_tick=np.zeros(m, dtype=np.int64), description=description, total=total, **extra)


def bank(accounts=8, txns=20, keys_per_txn=2, hot_fraction=0.5, mode="pessimistic", *,
         hot_accounts=None, balance=100, amount=5, arrival_gap=2, crash_after_primary=0.0,
         crash_before_commit=0.0, lost_pessimistic_locks=0.0, seed=0) -> Workload:
    """Money moves between accounts; the sum of balances is invariant.

    Each transfer picks ``keys_per_txn`` distinct accounts (from the first ``hot_accounts``
    with probability ``hot_fraction``, else from all), takes ``amount*(keys_per_txn-1)``
    from the first and gives ``amount`` to each other one, as read-modify-write ``add`` ops
    in that (random) order — so two transfers can lock the same accounts in opposite order.
    Txn i arrives at tick ``i * arrival_gap``.

    >>> w = bank(accounts=4, txns=2, keys_per_txn=2, hot_fraction=0.0, seed=1)
    >>> int(w.op_delta.sum())
    0
    """
    accounts = _check_int("accounts", accounts, 1)
    txns = _check_int("txns", txns, 0)
    keys_per_txn = _check_int("keys_per_txn", keys_per_txn, 1, accounts)
    hot = _check_fraction("hot_fraction", hot_fraction)
    _check_mode(mode)
    hot_accounts = keys_per_txn if hot_accounts is None else hot_accounts
    hot_accounts = _check_int("hot_accounts", hot_accounts, keys_per_txn, accounts)
    balance = _check_int("balance", balance, 0)
    amount = _check_int("amount", amount, 0)
    arrival_gap = _check_int("arrival_gap", arrival_gap, 0)
    seed = _check_int("seed", seed, 0)
    fault = _faults(txns, seed, crash_after_primary, crash_before_commit, lost_pessimistic_locks, mode)
    is_hot = _unit(seed, txns, 1) < hot
    # distinct accounts per txn: a partial Fisher-Yates on a random stream per txn
    r = _stream(seed, max(txns * keys_per_txn, 1), 2).reshape(-1)
    op_key = np.empty(txns * keys_per_txn, dtype=np.int64)
    for t in range(txns):
        pool_n = hot_accounts if is_hot[t] else accounts
        chosen: list[int] = []
        for j in range(keys_per_txn):
            x = int(r[t * keys_per_txn + j] % np.uint64(pool_n - j))
            # map x to the x-th account not yet chosen
            for c in sorted(chosen):
                if x >= c:
                    x += 1
            chosen.append(x)
        op_key[t * keys_per_txn:(t + 1) * keys_per_txn] = chosen
    delta = np.full(txns * keys_per_txn, amount, dtype=np.int64)
    delta[0::keys_per_txn] = -amount * (keys_per_txn - 1)
    m = txns * keys_per_txn
    return Workload(
        n_keys=accounts, key_init=np.full(accounts, balance, dtype=np.int64),
        txn_arrival=np.arange(txns, dtype=np.int64) * arrival_gap,
        txn_mode=np.full(txns, MODES.index(mode), dtype=np.int64), txn_fault=fault,
        txn_commit_tick=np.zeros(txns, dtype=np.int64),
        op_start=np.arange(txns + 1, dtype=np.int64) * keys_per_txn,
        op_kind=np.full(m, OP_ADD, dtype=np.int64), op_key=op_key, op_delta=delta,
        op_tick=np.zeros(m, dtype=np.int64),
        description=(f"bank: {txns} {mode} transfers over {accounts} accounts, {keys_per_txn} keys "
                     f"each, {hot:.0%} on the {hot_accounts} hot accounts"),
        total=balance * accounts)


def hotspot(keys=16, txns=20, hot_keys=1, keys_per_txn=2, mode="pessimistic", **kw) -> Workload:
    """Every transfer touches the hot accounts: a bank with ``hot_fraction=1``."""
    return bank(accounts=keys, txns=txns, keys_per_txn=keys_per_txn, hot_fraction=1.0, mode=mode,
                hot_accounts=max(hot_keys, keys_per_txn), **kw)


def random_rw(keys=16, txns=20, reads=2, writes=2, mode="optimistic", *, arrival_gap=2,
              crash_after_primary=0.0, crash_before_commit=0.0, lost_pessimistic_locks=0.0,
              seed=0) -> Workload:
    """Each txn reads ``reads`` random keys then blind-writes ``writes`` distinct random keys
    (value = 1000 * (txn + 1) + op index, so every version is recognisable)."""
    keys = _check_int("keys", keys, 1)
    txns = _check_int("txns", txns, 0)
    reads = _check_int("reads", reads, 0)
    writes = _check_int("writes", writes, 0, keys)
    _check_mode(mode)
    arrival_gap = _check_int("arrival_gap", arrival_gap, 0)
    seed = _check_int("seed", seed, 0)
    fault = _faults(txns, seed, crash_after_primary, crash_before_commit, lost_pessimistic_locks, mode)
    rr = _stream(seed, max(txns * (reads + writes), 1), 3)
    programs = []
    for t in range(txns):
        base = t * (reads + writes)
        prog = [("get", int(rr[base + j] % np.uint64(keys)), 0) for j in range(reads)]
        chosen: list[int] = []
        for j in range(writes):
            x = int(rr[base + reads + j] % np.uint64(keys - j))
            for c in sorted(chosen):
                if x >= c:
                    x += 1
            chosen.append(x)
            prog.append(("put", x, 1000 * (t + 1) + j))
        programs.append(prog)
    return from_programs(programs, keys, mode=mode,
                         arrival=np.arange(txns, dtype=np.int64) * arrival_gap, faults=fault,
                         description=f"random_rw: {txns} {mode} txns, {reads} reads + {writes} "
                                     f"writes over {keys} keys")


_SCENARIO_FAULTS = {"crash_after_primary": F_CRASH_AFTER_PRIMARY,
                    "crash_before_commit": F_CRASH_BEFORE_COMMIT,
                    "lose_pessimistic_locks": F_LOSE_PESSIMISTIC,
                   "crash_during_prewrite": F_CRASH_DURING_PREWRITE}


def scenario(steps, *, keys=None, initial=None, regions=None, step_ticks=10,
             description="scenario") -> Workload:
    """A hand-made interleaving. Step i happens at tick ``i * step_ticks``; the kernel then
    runs with latency 1 and no jitter, so the order on the page is the order of events.

    Steps (txn names are free text):
      ``("T1", "begin")`` or ``("T1", "begin", "pessimistic")``  start_ts is taken here
      ``("T1", "get", "x")``, ``("T1", "put", "x", 7)``, ``("T1", "add", "x", -5)``
      ``("T1", "commit")``   prewrite, commit primary, commit secondaries from here on
      ``("T1", "crash_after_primary")`` / ``"crash_before_commit"`` / ``"lose_pessimistic_locks"``
      / ``"crash_during_prewrite"``
                            arm a client fault (it strikes during the commit)

    ``keys`` fixes the key order (the optimistic primary is the smallest key); ``regions``
    maps key names to regions; ``initial`` maps key names to initial values (default 0).

    >>> w = scenario([("A", "begin", "pessimistic"), ("A", "add", "x", 1), ("A", "commit")])
    >>> w.program(0)
    'A pessimistic: add(x,+1)'
    """
    step_ticks = _check_int("step_ticks", step_ticks, 1)
    names: list[str] = []
    key_names: list[str] = list(keys) if keys is not None else []
    info: dict[str, dict] = {}
    for i, step in enumerate(steps):
        if not isinstance(step, (tuple, list)) or len(step) < 2:
            raise ValueError(f"steps[{i}] must be a tuple (txn, action, ...), got {step!r}")
        name, action = str(step[0]), step[1]
        if name not in info:
            names.append(name)
            info[name] = {"begin": i, "mode": "optimistic", "ops": [], "commit": None,
                          "fault": F_NONE}
        d = info[name]
        tick = i * step_ticks
        if action == "begin":
            if d["ops"]:
                raise ValueError(f"steps[{i}]: {name} begins after its first op")
            d["begin"] = i
            if len(step) > 2:
                _check_mode(step[2])
                d["mode"] = step[2]
        elif action in ("get", "put", "add"):
            if len(step) != (3 if action == "get" else 4):
                raise ValueError(f"steps[{i}]: {action} takes "
                                 f"{'(txn, key)' if action == 'get' else '(txn, key, value)'}")
            if d["commit"] is not None:
                raise ValueError(f"steps[{i}]: {name} has an op after its commit")
            key = str(step[2])
            if key not in key_names:
                if keys is not None:
                    raise ValueError(f"steps[{i}]: key {key!r} not in keys={list(keys)}")
                key_names.append(key)
            delta = 0 if action == "get" else int(step[3])
            d["ops"].append((action, key, delta, tick))
        elif action == "commit":
            d["commit"] = tick
        elif action in _SCENARIO_FAULTS:
            d["fault"] = _SCENARIO_FAULTS[action]
        else:
            raise ValueError(f"steps[{i}]: unknown action {action!r}; allowed: begin, get, put, "
                             f"add, commit, {', '.join(_SCENARIO_FAULTS)}")
    programs, arrival, modes, faults, commit_ticks, op_ticks = [], [], [], [], [], []
    for name in names:
        d = info[name]
        programs.append([(a, key_names.index(k), v) for a, k, v, _ in d["ops"]])
        op_ticks += [tk for *_, tk in d["ops"]]
        arrival.append(d["begin"] * step_ticks)
        modes.append(d["mode"])
        faults.append(d["fault"])
        commit_ticks.append(d["commit"] if d["commit"] is not None else 0)
    n_keys = max(len(key_names), 1)
    init = np.zeros(n_keys, dtype=np.int64)
    for k, v in (initial or {}).items():
        if k not in key_names:
            raise ValueError(f"initial: unknown key {k!r}")
        init[key_names.index(k)] = int(v)
    key_region = None
    if regions is not None:
        key_region = np.zeros(n_keys, dtype=np.int64)
        for k in key_names:
            if k not in regions:
                raise ValueError(f"regions: key {k!r} has no region")
            key_region[key_names.index(k)] = _check_int(f"regions[{k!r}]", regions[k], 0)
    w = from_programs(programs, n_keys, init, mode=modes, arrival=arrival, faults=faults,
                      description=description, txn_names=names,
                      key_names=key_names or ["k0"], key_region=key_region,
                      defaults={"latency": 1, "jitter": 0})
    w.txn_commit_tick = np.array(commit_ticks, dtype=np.int64)
    w.op_tick = np.array(op_ticks, dtype=np.int64)
    return w
