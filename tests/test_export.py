"""`python -m gmplab export` and `slides`: copies that work without a kernel."""
from __future__ import annotations

import subprocess
import sys

import pytest

from browser import chromium_page, render_errors


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    out = tmp_path_factory.mktemp("export")
    run = subprocess.run([sys.executable, "-m", "gmplab", "export", str(out), "--chapters", "00"],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    return out


def test_export_writes_a_standalone_page_and_an_index(exported):
    page = (exported / "00-start-here.html").read_text()
    assert "00-start-here.html" in (exported / "index.html").read_text()
    # BokehJS is inlined (no CDN needed) and the demo is a static Bokeh slider, not a widget.
    assert "cdn.bokeh.org" not in page
    assert "GOMAXPROCS=1: 16 goroutines" in page
    assert '"type":"object","name":"Slider"' in page.replace(" ", "")


def test_unknown_chapter_is_refused(tmp_path):
    run = subprocess.run([sys.executable, "-m", "gmplab", "export", str(tmp_path), "--chapters", "99"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode != 0
    assert "chapters must be among" in run.stderr


def test_slides_are_built_from_slide_metadata(tmp_path):
    run = subprocess.run([sys.executable, "-m", "gmplab", "slides", str(tmp_path), "--chapters", "00"],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    deck = (tmp_path / "00-start-here.slides.html").read_text()
    assert "reveal" in deck.lower()
    assert deck.count('<section') >= 4


@pytest.mark.browser
def test_exported_page_plays_back_from_file_url_without_a_kernel(exported, tmp_path):
    with chromium_page(tmp_path) as (page, console):
        page.goto((exported / "00-start-here.html").as_uri())
        page.locator("canvas").first.wait_for(timeout=60_000)
        page.get_by_text("GOMAXPROCS=1: 16 goroutines").first.wait_for(timeout=30_000)
        page.locator(".noUi-handle").first.focus()
        for _ in range(3):
            page.keyboard.press("ArrowRight")
        page.get_by_text("GOMAXPROCS=4: 16 goroutines of 1.0 ms need at least 4 rounds = 4.0 ms").first.wait_for(
            timeout=30_000)
        assert render_errors(console) == [], "\n".join(console)
