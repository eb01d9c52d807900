"""Real-browser fixtures: JupyterLab on 127.0.0.1 with a token, driven by Playwright in
Debian's Chromium (no browser download: it cannot work offline).

Notebooks are copied to a temporary root first, because JupyterLab autosaves and would
otherwise rewrite the committed chapters.
"""
from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path

from gmplab.labserver import lab_argv, repo_root

CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]

#: Console messages that mean a view did not render.
RENDER_ERRORS = ("Error rendering Bokeh", "Failed to load model", "Could not create a view",
                 "Uncaught", "Class ", "not found in registry")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def jupyterlab(tmp_path: Path):
    """Start JupyterLab on a copy of ``notebooks/``; yield (base_url, token)."""
    root = tmp_path / "root"
    shutil.copytree(repo_root() / "notebooks", root / "notebooks")
    port, token = _free_port(), secrets.token_hex(24)
    env = dict(os.environ, JUPYTER_TOKEN=token,
               JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
               JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"))
    argv = lab_argv(root=root, port=port, open_browser=False) + [
        f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}",
        "--LabApp.expose_app_in_browser=True"]
    log = open(tmp_path / "lab.log", "w")
    proc = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 90
        while True:
            try:
                req = urllib.request.Request(f"{base}/api/status",
                                             headers={"Authorization": f"token {token}"})
                with urllib.request.urlopen(req, timeout=5) as resp:
                    if resp.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError):
                pass
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("JupyterLab did not start:\n" + (tmp_path / "lab.log").read_text())
            time.sleep(0.3)
        yield base, token
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        time.sleep(0.3)
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


@contextmanager
def chromium_page(tmp_path: Path):
    """A Playwright page in Debian's Chromium; yields (page, console_messages)."""
    from playwright.sync_api import sync_playwright

    from conftest import CHROMIUM

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        messages: list[str] = []
        page.on("console", lambda msg: messages.append(f"{msg.type}: {msg.text}"))
        page.on("pageerror", lambda err: messages.append(f"pageerror: {err}"))
        try:
            yield page, messages
        except Exception:
            page.screenshot(path=str(tmp_path / "failure.png"), full_page=True)
            raise
        finally:
            context.close()
            browser.close()


def open_notebook(page, base: str, token: str, name: str) -> None:
    """Open ``notebooks/<name>`` in a fresh workspace and wait for its kernel."""
    page.goto(f"{base}/lab/workspaces/{uuid.uuid4().hex}/tree/notebooks/{name}?reset&token={token}")
    page.wait_for_function(
        "() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
        " && window.jupyterapp.shell.currentWidget.sessionContext"
        " && window.jupyterapp.shell.currentWidget.sessionContext.session"
        " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel"
        " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status === 'idle'",
        timeout=120_000)


def run_all_cells(page, sentinel: str, timeout_ms: int = 240_000) -> None:
    """Run every cell and wait until ``sentinel`` appears in an output."""
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.get_by_text(sentinel).first.wait_for(timeout=timeout_ms)
    page.wait_for_function(
        "() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status === 'idle'",
        timeout=timeout_ms)


def render_errors(messages: list[str]) -> list[str]:
    return [m for m in messages if m.startswith(("error", "pageerror"))
            and any(marker in m for marker in RENDER_ERRORS)]
