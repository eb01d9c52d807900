"""Percolator two-phase commit as TiKV and client-go run it: optimistic and pessimistic
transactions, lock resolution by readers, per-key lock-wait queues and TiKV's deadlock
detector, and (``simulate(..., commit_protocol="async" | "1pc")``) async commit and 1PC
— a Numba kernel, a replayable history, and checkers.

The pieces, one job each:

``workloads``  transaction programs as arrays: ``bank``, ``random_rw``, ``hotspot``, ``scenario``
``kernel``     the ``@njit`` kernel and the names of event kinds / results (``EVENT_KINDS``)
``engine``     ``simulate(workload, regions, seed, **params) -> TxnHistory``
``history``    ``TxnHistory``: ``state_at``, ``describe``, ``next_event``, ``wait_for_graph``, ``summary``
``checks``     ``TxnHistory.check()``: write consistency, atomicity, SI reads, deadlock, bank total

Example
-------
>>> from gmplab import txn
>>> w = txn.workloads.bank(accounts=8, txns=20, keys_per_txn=2, hot_fraction=0.5, mode="pessimistic")
>>> h = txn.simulate(w, regions=3, seed=0)
>>> h.check().ok
True
"""
from gmplab.txn import workloads
from gmplab.txn.checks import CheckReport, Violation
from gmplab.txn.engine import DEFAULTS, simulate
from gmplab.txn.history import JUMPS, LockInfo, TxnHistory, TxnState, WriteRecord
from gmplab.txn.kernel import (EVENT_KINDS, LOCK_TYPES, MODES, PROTOCOLS, RESULTS, STATUSES,
                               WRITE_TYPES)
from gmplab.txn.workloads import Workload

__all__ = ["workloads", "simulate", "DEFAULTS", "TxnHistory", "TxnState", "LockInfo",
           "WriteRecord", "CheckReport", "Violation", "Workload", "EVENT_KINDS", "RESULTS",
           "LOCK_TYPES", "WRITE_TYPES", "STATUSES", "MODES", "PROTOCOLS", "JUMPS", "warmup"]


def warmup() -> None:
    """Compile the transaction kernel and the checkers' jitted code."""
    from gmplab.txn import checks, kernel
    kernel.warmup()
    checks.warmup()
