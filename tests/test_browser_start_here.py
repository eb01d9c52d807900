"""Chapter 00 in real JupyterLab: the widgets and the Bokeh figure render, and moving the
slider from the keyboard updates the caption through the kernel."""
from __future__ import annotations

import pytest

from browser import chromium_page, jupyterlab, open_notebook, render_errors, run_all_cells

pytestmark = pytest.mark.browser


def test_start_here_renders_and_the_slider_drives_the_plot(tmp_path):
    with jupyterlab(tmp_path) as (base, token), chromium_page(tmp_path) as (page, console):
        open_notebook(page, base, token, "00-start-here.ipynb")
        run_all_cells(page, "kernel modules ready: True")
        # The live demo: an ipywidgets slider and a Bokeh canvas inside a BokehModel.
        page.locator(".widget-slider").first.wait_for(timeout=60_000)
        page.locator("canvas").first.wait_for(timeout=60_000)
        # The twin cell moved the slider to 5; one keypress on the handle moves it to 6.
        page.get_by_text("GOMAXPROCS=5: 16 goroutines").first.wait_for(timeout=30_000)
        page.locator(".noUi-handle").first.focus()
        page.keyboard.press("ArrowRight")
        page.get_by_text("GOMAXPROCS=6: 16 goroutines of 1.0 ms need at least 3 rounds").first.wait_for(
            timeout=30_000)
        assert render_errors(console) == [], "\n".join(console)
