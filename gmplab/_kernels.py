"""The registry of Numba kernels, and ``warmup`` which compiles them all into the cache.

Every kernel module lists itself in ``KERNEL_MODULES`` and defines ``warmup()``: a call
of each of its ``@njit(cache=True)`` functions on a tiny input with the exact dtypes the
production wrappers use, so the first real call in a chapter loads machine code from
the on-disk cache instead of compiling (about 2 s per kernel cold, 0.1 s cached).
"""
from __future__ import annotations

import time
from importlib import import_module
from typing import Callable

#: Modules holding jitted kernels, in the order ``warmup`` compiles them.
KERNEL_MODULES: tuple[str, ...] = (
    "gmplab.selfcheck",
    "gmplab.sched.kernel",
    "gmplab.txn.kernel",
    "gmplab.txn.checks",
    "gmplab.cdc.merge",
)


def warmup(progress: Callable[[str], None] | None = print) -> dict[str, float]:
    """Compile (or load from cache) every kernel; return seconds per module.

    Example
    -------
    >>> import gmplab
    >>> timings = gmplab.warmup(progress=None)
    >>> "gmplab.selfcheck" in timings
    True
    """
    timings: dict[str, float] = {}
    total = len(KERNEL_MODULES)
    for i, name in enumerate(KERNEL_MODULES, start=1):
        start = time.perf_counter()
        import_module(name).warmup()
        timings[name] = time.perf_counter() - start
        if progress is not None:
            progress(f"[{i}/{total}] {name:<24s} ready in {timings[name]:6.2f} s")
    return timings
