"""Chapter 02 in real JupyterLab: the board renders, the GOMAXPROCS slider re-simulates to
that many P columns, and the step button changes the caption; then the exported copy
steps from file:// with no kernel."""
from __future__ import annotations

import subprocess
import sys

import pytest

from browser import chromium_page, jupyterlab, open_notebook, render_errors, run_all_cells

pytestmark = pytest.mark.browser


def test_slider_sets_p_columns_and_step_changes_caption(tmp_path):
    with jupyterlab(tmp_path) as (base, token), chromium_page(tmp_path) as (page, console):
        open_notebook(page, base, token, "02-gmp-step-by-step.ipynb")
        run_all_cells(page, "global queue after the first runqputslow")
        page.locator("canvas").first.wait_for(timeout=60_000)
        # The checked cell left the app just after the first runqsteal (step 31).
        page.get_by_text("step 31 — P1 stole").first.wait_for(timeout=30_000)
        page.get_by_role("button", name="step ▶").first.click()
        page.get_by_text("step 32 — ").first.wait_for(timeout=30_000)   # Playwright pierces Bokeh's shadow DOM
        # Drag GOMAXPROCS from the keyboard: 2 -> 5.
        handle = page.locator(".widget-slider:has-text('GOMAXPROCS') .noUi-handle").first
        handle.focus()
        for _ in range(3):
            page.keyboard.press("ArrowRight")
        # The summary line is rewritten by the kernel after it re-simulated with 5 Ps.
        page.get_by_text("5 Ps (5 board columns)").first.wait_for(timeout=60_000)
        assert render_errors(console) == [], "\n".join(console)


def test_exported_chapter_02_steps_without_a_kernel(tmp_path):
    out = tmp_path / "html"
    run = subprocess.run([sys.executable, "-m", "gmplab", "export", str(out), "--chapters", "02"],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    with chromium_page(tmp_path) as (page, console):
        page.goto((out / "02-gmp-step-by-step.html").as_uri())
        page.get_by_text("step 0 — initial state").first.wait_for(timeout=60_000)
        page.get_by_role("button", name="step ▶").first.click()
        page.get_by_text("step 1 — ").first.wait_for(timeout=30_000)
        assert render_errors(console) == [], "\n".join(console)
