"""`python -m gmplab` — the small command line the Makefile uses."""
from __future__ import annotations

import subprocess
import sys

import gmplab


def run(*args):
    return subprocess.run([sys.executable, "-m", "gmplab", *args],
                          capture_output=True, text=True, timeout=300)


def test_help_lists_the_commands():
    out = run("--help")
    assert out.returncode == 0
    for command in ("warmup", "version", "lab"):
        assert command in out.stdout


def test_version_prints_gmplab_and_numba():
    out = run("version")
    assert out.returncode == 0
    assert out.stdout.splitlines()[0] == f"gmplab {gmplab.__version__}"
    assert "numba" in out.stdout


def test_warmup_reports_progress_for_every_kernel_module():
    from gmplab._kernels import KERNEL_MODULES

    out = run("warmup")
    assert out.returncode == 0, out.stderr
    lines = [l for l in out.stdout.splitlines() if l.startswith("[")]
    assert len(lines) == len(KERNEL_MODULES)
    assert lines[-1].startswith(f"[{len(KERNEL_MODULES)}/{len(KERNEL_MODULES)}]")
    assert f"all {len(KERNEL_MODULES)} kernel modules ready" in out.stdout


def test_unknown_command_is_an_error():
    out = run("frobnicate")
    assert out.returncode != 0
    assert "invalid choice" in out.stderr


def test_selfcheck_kernel_computes_the_known_answer():
    from gmplab.selfcheck import collatz_steps, longest_collatz

    assert collatz_steps(27) == 111
    assert collatz_steps.py_func(27) == 111
    assert list(longest_collatz(1000)) == [871, 178]
