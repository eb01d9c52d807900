"""Copies of the chapters for people without a kernel: static HTML and reveal.js slides.

Both execute every chapter first, with ``GMPLAB_STATIC=1`` in the kernel's environment.
In that mode an app displays itself as a *static player* (see :mod:`gmplab.viz.player`):
a Bokeh layout that plays back precomputed steps with JavaScript, so the exported page
keeps working from ``file://`` on a machine with no Python and no network (BokehJS is
inlined by :func:`gmplab.notebook.setup`).

Slides use each cell's ``slideshow.slide_type`` metadata (nbconvert's reveal.js
exporter). reveal.js itself is loaded from its CDN when the deck is opened.
"""
from __future__ import annotations

import os
from pathlib import Path

from gmplab.labserver import repo_root

STATIC_ENV = "GMPLAB_STATIC"


def static_mode() -> bool:
    """True while chapters are executed for export (apps show static players)."""
    return os.environ.get(STATIC_ENV) == "1"


def chapter_paths(chapters: list[str] | None = None) -> list[Path]:
    """The chapter notebooks, in order; ``chapters`` selects by number prefix ('02')."""
    paths = sorted((repo_root() / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    if chapters:
        known = {p.name[:2] for p in paths}
        unknown = [c for c in chapters if c not in known]
        if unknown:
            raise ValueError(f"chapters must be among {sorted(known)}, got {unknown}")
        paths = [p for p in paths if p.name[:2] in chapters]
    return paths


def _execute(path: Path, timeout: int):
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    previous = os.environ.get(STATIC_ENV)
    os.environ[STATIC_ENV] = "1"  # the kernel inherits this process's environment
    try:
        NotebookClient(nb, timeout=timeout, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    finally:
        if previous is None:
            os.environ.pop(STATIC_ENV, None)
        else:
            os.environ[STATIC_ENV] = previous
    return nb


def export(out_dir: str | Path, chapters: list[str] | None = None, timeout: int = 600,
           progress=print) -> list[Path]:
    """Execute the chapters and write standalone HTML pages plus an index; return the pages."""
    from nbconvert import HTMLExporter

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    exporter = HTMLExporter(template_name="lab")
    written = []
    for i, path in enumerate(chapter_paths(chapters), start=1):
        if progress:
            progress(f"[{i}] executing {path.name} ...")
        body, _ = exporter.from_notebook_node(_execute(path, timeout))
        target = out / (path.stem + ".html")
        target.write_text(body, encoding="utf-8")
        written.append(target)
    items = "\n".join(f'<li><a href="{p.name}">{p.stem}</a></li>' for p in written)
    (out / "index.html").write_text(
        f"<!doctype html><meta charset='utf-8'><title>gmplab</title>"
        f"<h1>gmplab chapters</h1><ul>{items}</ul>", encoding="utf-8")
    if progress:
        progress(f"wrote {len(written)} chapters to {out}/ (open index.html)")
    return written


def slides(out_dir: str | Path, chapters: list[str] | None = None, timeout: int = 600,
           progress=print) -> list[Path]:
    """Execute the chapters and write reveal.js decks (``NN-name.slides.html``)."""
    from nbconvert import SlidesExporter

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    exporter = SlidesExporter()
    written = []
    for i, path in enumerate(chapter_paths(chapters), start=1):
        if progress:
            progress(f"[{i}] executing {path.name} ...")
        body, _ = exporter.from_notebook_node(_execute(path, timeout))
        target = out / (path.stem + ".slides.html")
        target.write_text(body, encoding="utf-8")
        written.append(target)
    if progress:
        progress(f"wrote {len(written)} decks to {out}/")
    return written
