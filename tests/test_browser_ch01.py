"""Chapter 01 in real JupyterLab: both sliders render with their Bokeh figures, and the
call-depth slider moved from the keyboard updates the caption through the kernel."""
from __future__ import annotations

import pytest

from browser import chromium_page, jupyterlab, open_notebook, render_errors, run_all_cells

pytestmark = pytest.mark.browser


def test_ch01_depth_slider_from_the_keyboard(tmp_path):
    with jupyterlab(tmp_path) as (base, token), chromium_page(tmp_path) as (page, console):
        open_notebook(page, base, token, "01-goroutines-vs-threads.ipynb")
        run_all_cells(page, "an independent check")
        page.locator(".widget-slider").nth(1).wait_for(timeout=60_000)
        assert page.locator("canvas").count() >= 3
        # The twin cell left the app at 10,000 tasks and depth 28 (16 KiB).
        page.get_by_text("At depth 28 a goroutine's stack is 16 KiB").first.wait_for(timeout=30_000)
        handle = page.locator(".widget-slider").nth(1).locator(".noUi-handle").first
        handle.focus()
        page.keyboard.press("ArrowRight")
        page.get_by_text("At depth 29 a goroutine's stack is 16 KiB").first.wait_for(timeout=30_000)
        # The tasks slider (a selection slider) steps to the next stop from the keyboard.
        page.locator(".widget-slider").nth(0).locator(".noUi-handle").first.focus()
        page.keyboard.press("ArrowRight")
        page.get_by_text("30,000 tasks: goroutine stacks").first.wait_for(timeout=30_000)
        assert render_errors(console) == [], "\n".join(console)
