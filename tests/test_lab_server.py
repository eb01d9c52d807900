"""`make lab` starts JupyterLab on 127.0.0.1 with token authentication on.

The test runs the same command line (`gmplab.labserver.lab_argv`), reads the URL Jupyter
prints, and checks the REST API accepts the printed token and refuses requests without it.
"""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from gmplab.labserver import FIRST_CHAPTER, lab_argv, repo_root


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def lab(tmp_path):
    port = free_port()
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
               JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"))
    env.pop("JUPYTER_TOKEN", None)
    argv = lab_argv(port=port, open_browser=False) + [
        f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}"]
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)
    url, seen, deadline = None, [], time.time() + 90
    while time.time() < deadline and url is None:
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line)
        m = re.search(r"(http://127\.0\.0\.1:\d+/lab\S*\?token=[0-9a-f]+)", line)
        if m:
            url = m.group(1)
    try:
        assert url, "JupyterLab printed no URL with a token:\n" + "".join(seen)
        yield port, url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def status(port: int, token: str | None) -> int:
    req = urllib.request.Request(f"http://127.0.0.1:{port}/api/status")
    if token:
        req.add_header("Authorization", f"token {token}")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status
    except urllib.error.HTTPError as err:
        return err.code


def test_lab_binds_localhost_prints_a_token_url_and_enforces_it(lab):
    port, url = lab
    token = url.rsplit("token=", 1)[1]
    assert len(token) >= 32
    deadline = time.time() + 60  # the URL can be printed a moment before the port accepts
    while time.time() < deadline:
        try:
            status(port, token)
            break
        except urllib.error.URLError:
            time.sleep(0.3)
    assert url.startswith(f"http://127.0.0.1:{port}/lab")
    assert status(port, token) == 200
    assert status(port, None) == 403
    assert status(port, "0" * len(token)) == 403


def test_lab_opens_the_first_chapter():
    argv = lab_argv(port=8888)
    assert f"--LabApp.default_url=/lab/tree/{FIRST_CHAPTER}" in argv
    assert "--ip=127.0.0.1" in argv
    assert (repo_root() / FIRST_CHAPTER).exists()
