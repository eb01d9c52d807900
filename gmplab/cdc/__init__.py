"""TiCDC's ordered change pipeline on top of a transaction history: per-region change
streams (PREWRITE / COMMIT / ROLLBACK / COMMITTED, resolved ts), the table frontier, an
ordered merge by (commit_ts, start_ts) that releases rows only up to the frontier, and a
sink checkpoint — plus checkers and fault switches that break resolved ts on purpose.

``streams``  per-region events derived from a ``TxnHistory`` (faults: untracked lock,
             re-subscribe, orphan lock)
``merge``    the ordered merge; its Numba puller/sorter/sink kernel lives in the module
             ``gmplab.cdc.merge`` (the package name ``cdc.merge`` is the function)
``check``    emit order, resolved-marker order, completeness, monotonicity

Example
-------
>>> from gmplab import txn, cdc
>>> h = txn.simulate(txn.workloads.bank(txns=20, mode="optimistic"), regions=3)
>>> s = cdc.streams(h, min_ts_interval=5)
>>> m = cdc.merge(s)
>>> cdc.check(h, s, m).ok
True
"""
from gmplab.cdc.checks import CDC_CHECKS, check
from gmplab.cdc.merge import OPS, merge_kernel
from gmplab.cdc.streams import STREAM_COLUMNS, CdcMerge, CdcStreams, merge, streams

__all__ = ["streams", "merge", "check", "CdcStreams", "CdcMerge", "OPS", "STREAM_COLUMNS",
           "CDC_CHECKS", "merge_kernel", "warmup"]


def warmup() -> None:
    """Compile the merge kernel."""
    import importlib
    importlib.import_module("gmplab.cdc.merge").warmup()
