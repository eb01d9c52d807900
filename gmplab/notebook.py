"""The first cell of every chapter: ``gmplab.notebook.setup()``.

It loads BokehJS into the page *inline* (from the installed bokeh package, about 4 MB),
not from a CDN, so figures render in a classroom without internet and in the offline
browser tests; hides Bokeh's banner; and loads every Numba kernel from the on-disk cache
(compiling once on a fresh install, with progress).
"""
from __future__ import annotations

import warnings


def setup(warm: bool = True, quiet: bool = True) -> None:
    """Prepare a chapter's kernel: BokehJS inline, kernels warm, expected warnings muted."""
    from bokeh.io import output_notebook
    from bokeh.resources import INLINE

    output_notebook(INLINE, hide_banner=True)
    if quiet:
        # Numba's performance hints are for kernel authors, not readers of a chapter.
        from numba.core.errors import NumbaPerformanceWarning
        warnings.simplefilter("ignore", NumbaPerformanceWarning)
    if warm:
        from gmplab._kernels import warmup
        warmup(progress=None)
