"""Install self-check: versions of the packages gmplab depends on, and proof that Numba
compiles and runs a kernel here (chapter 00 calls :func:`report`).

Example
-------
>>> from gmplab.selfcheck import collatz_steps
>>> int(collatz_steps(27))
111
"""
from __future__ import annotations

import importlib.metadata as md
import time

import numpy as np
from numba import njit

PACKAGES = ("numpy", "numba", "bokeh", "jupyter_bokeh", "ipywidgets", "networkx",
            "jupyterlab", "nbval")


@njit(cache=True)
def collatz_steps(n):
    """Steps for ``n`` to reach 1 under the Collatz map: a tiny loop that is slow in
    pure Python and fast once compiled, so it shows the JIT is really in use."""
    steps = 0
    while n != 1:
        n = n // 2 if n % 2 == 0 else 3 * n + 1
        steps += 1
    return steps


@njit(cache=True)
def longest_collatz(limit):
    best, best_n = 0, 1
    for n in range(1, limit + 1):
        s = collatz_steps(n)
        if s > best:
            best, best_n = s, n
    return np.array([best_n, best], dtype=np.int64)


def warmup() -> None:
    collatz_steps(np.int64(27))
    longest_collatz(np.int64(10))


def versions() -> dict[str, str]:
    """Installed version of each package gmplab needs ('missing' if absent)."""
    out = {}
    for name in PACKAGES:
        try:
            out[name] = md.version(name)
        except md.PackageNotFoundError:
            out[name] = "missing"
    return out


def report() -> str:
    """Versions plus a timed run of a jitted kernel, as printable text."""
    import gmplab

    lines = [f"gmplab {gmplab.__version__}"]
    lines += [f"  {k:<14s}{v}" for k, v in versions().items()]
    t0 = time.perf_counter()
    n, steps = longest_collatz(np.int64(100_000))
    dt = time.perf_counter() - t0
    ok = (n, steps) == (77031, 350)
    lines.append(f"numba kernel: longest Collatz chain below 100,000 starts at {n} "
                 f"({steps} steps) — {'OK' if ok else 'WRONG'} in {dt * 1e3:.1f} ms")
    return "\n".join(lines)
