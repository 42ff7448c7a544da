"""Real-browser fixtures: JupyterLab and Voila started on loopback by the tests themselves,
headless Debian Chromium driven by Playwright (never `playwright install`).

Servers run in their own process group with a random token and a free port, are waited
for with a bounded timeout, and are killed (the whole group) when the tests end, pass or
fail. Notebooks are copied to a temporary folder first, so running them never touches the
committed files.
"""
from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from browser_support import CHROMIUM, CHROMIUM_ARGS, NOTEBOOKS, new_page


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return
        except Exception as err:  # noqa: BLE001 - not up yet
            last = err
        time.sleep(0.5)
    raise TimeoutError(f"server at {url} did not come up within {timeout:.0f} s ({last})")


class Server:
    def __init__(self, argv: list[str], cwd: Path, log: Path, env: dict | None = None):
        self.log = open(log, "w")
        self.proc = subprocess.Popen(argv, cwd=cwd, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
                                     env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})})

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=15)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=15)
        self.log.close()


@pytest.fixture(scope="session")
def workdir(tmp_path_factory) -> Path:
    """A throw-away copy of the notebooks (running them must not modify the committed files)."""
    d = tmp_path_factory.mktemp("notebooks")
    for nb in NOTEBOOKS.glob("*.ipynb"):
        shutil.copy(nb, d / nb.name)
    return d


def _root_flag() -> list[str]:
    return ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []


@pytest.fixture(scope="session")
def jupyter(workdir, tmp_path_factory):
    """A JupyterLab server on 127.0.0.1: yields (base_url, token)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is needed for the browser tests and is not at {CHROMIUM}: run "
                    "`apt-get install -y chromium` (make test does this when run as root)")
    port, token = free_port(), secrets.token_hex(16)
    log = tmp_path_factory.mktemp("logs") / "jupyterlab.log"
    # render every cell (no virtual scrolling), so the whole notebook can be checked on the page
    settings = tmp_path_factory.mktemp("lab-settings")
    tracker = settings / "@jupyterlab" / "notebook-extension"
    tracker.mkdir(parents=True)
    (tracker / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    news = settings / "@jupyterlab" / "apputils-extension"                 # no "Jupyter news?" pop-up
    news.mkdir(parents=True)
    (news / "notification.jupyterlab-settings").write_text('{"fetchNews": "false", "checkForUpdates": false}')
    server = Server([sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
                     f"--IdentityProvider.token={token}", "--ServerApp.open_browser=False",
                     "--LabApp.expose_app_in_browser=True", "--ServerApp.disable_check_xsrf=True",
                     f"--ServerApp.root_dir={workdir}", *_root_flag()], workdir, log,
                    env={"JUPYTERLAB_SETTINGS_DIR": str(settings), "GAN_EDU_PROGRESS": str(workdir / "progress.json")})
    try:
        wait_for(f"http://127.0.0.1:{port}/api/status?token={token}")
        yield f"http://127.0.0.1:{port}", token
    finally:
        server.stop()


@pytest.fixture(scope="session")
def voila(workdir, tmp_path_factory):
    """Voila serving the training-lab notebook on 127.0.0.1: yields its URL."""
    port = free_port()
    log = tmp_path_factory.mktemp("logs") / "voila.log"
    server = Server([sys.executable, "-m", "voila", "04_training_lab.ipynb", "--no-browser", f"--port={port}",
                     "--Voila.ip=127.0.0.1", "--VoilaConfiguration.file_allowlist=['.*']"], workdir, log)
    try:
        wait_for(f"http://127.0.0.1:{port}/", timeout=180)
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser):
    with new_page(browser) as pg:
        yield pg
