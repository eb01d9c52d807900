"""gmplab — an interactive workbook for M:N schedulers and distributed transactions.

The package carries the code; the chapters in ``notebooks/`` carry the story.

Data flows one way::

    workload  ->  kernel (Numba, pure)  ->  trace / history (NumPy event log)
              ->  replay & checks  ->  views (Bokeh)  ->  apps (ipywidgets)  ->  chapter

Sub-packages, one job each:

``gmplab.sched``  goroutine programs, the Go GMP kernel and ``SchedTrace``
``gmplab.txn``    Percolator 2PC as TiKV/client-go do it, locks, the deadlock detector
``gmplab.cdc``    TiCDC per-region change streams, resolved ts and the ordered merge
``gmplab.viz``    Bokeh views fed by ColumnDataSources
``gmplab.apps``   ipywidgets apps (a generic stepper and one app per chapter)

Example
-------
>>> import gmplab
>>> gmplab.__version__
'0.1.0'
"""
from __future__ import annotations

from importlib import import_module as _import_module

__version__ = "0.1.0"

from gmplab._kernels import warmup  # noqa: E402

# The public API is re-exported lazily so `import gmplab` stays cheap: Numba, Bokeh
# and ipywidgets load only when a name that needs them is first used.
_LAZY = {
    "simulate": "gmplab.sched",
    "SchedTrace": "gmplab.sched",
}

__all__ = ["__version__", "warmup", *_LAZY]


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'gmplab' has no attribute {name!r}")
    value = getattr(_import_module(module), name)
    globals()[name] = value
    return value
