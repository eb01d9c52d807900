"""How gmplab starts JupyterLab: bound to 127.0.0.1, token authentication on, opening
chapter 00. ``make lab`` and the server tests use the same command line.

The token comes from Jupyter itself (a fresh random one per start) unless
``JUPYTER_TOKEN`` is set in the environment; it is never put on the command line,
where every user of a shared machine could read it with ``ps``.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

FIRST_CHAPTER = "notebooks/00-start-here.ipynb"


def repo_root() -> Path:
    """The checkout that holds ``notebooks/`` (the package lives beside it)."""
    return Path(__file__).resolve().parent.parent


def lab_argv(root: Path | None = None, port: int | None = None,
             open_browser: bool = True) -> list[str]:
    """The JupyterLab command line used by ``make lab``."""
    root = Path(root) if root is not None else repo_root()
    argv = [sys.executable, "-m", "jupyterlab",
            "--ip=127.0.0.1",
            f"--ServerApp.root_dir={root}",
            f"--LabApp.default_url=/lab/tree/{FIRST_CHAPTER}"]
    if port is not None:
        argv += [f"--port={port}", "--ServerApp.port_retries=0"]
    if not open_browser:
        argv.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        argv.append("--allow-root")  # Jupyter refuses to start as root without it
    return argv


def run_lab() -> int:
    argv = lab_argv()
    os.execv(argv[0], argv)  # replaces this process: Ctrl-C goes straight to Jupyter
    return 0  # not reached
