"""Real-browser fixtures: JupyterLab and Voila started on loopback by the tests themselves,
headless Debian Chromium driven by Playwright (never `playwright install`).

Fixture API (for every test module in tests/browser, e.g. a lesson's own file):

* ``lesson`` -- a lesson open in JupyterLab after Run All, as an :class:`Opened` (``.page`` the
  Playwright page, ``.name``, ``.seconds`` Run All took, ``.before`` the widget outputs as the
  committed notebook showed them before running, from :func:`jlab.widget_outputs`). Parametrize
  with ``browser_support.on_lessons("09_x.ipynb", ...)``. Each lesson runs ONCE per session and
  its page is shared by every test that asks for it, in the order the tests are collected, so a
  test that changes a widget leaves it changed for the next one (press "Reset" or read relative
  values). While one lesson's tests run, the next lesson is already running in another tab
  (two kernels at once: the machine's two cores).
* ``voila_lesson`` -- the same for a lesson rendered by Voila (``browser_support.in_voila(...)``).
* ``jupyter`` -- ``(base_url, token)`` of the session's JupyterLab; ``workdir`` -- its folder (a
  copy of notebooks/: running and saving never touch the committed files).
* ``voila_server`` -- Voila's base URL (a lesson: ``voila.lesson_url(base, name, projector=1)``).
* ``browser`` -- the session's Chromium; ``browser_support.new_page(browser)`` gives a fresh page.
* ``axe`` -- a function ``axe(page, include, exclude=())`` running axe-core on a page (the npm
  package, installed once into ~/.cache/gan_edu-axe; skipped with the reason if npm is missing).

Servers run in their own process group with a random token and a free port, are waited for
with a bounded timeout and killed (the whole group) when the session ends, pass or fail; every
notebook page shuts its kernel down when it is closed.
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
from dataclasses import dataclass, field
from pathlib import Path

import jlab
import pytest
import voila
from browser_support import CHROMIUM, CHROMIUM_ARGS, JUPYTER_CONFIG, NOTEBOOKS, axe_runner, lesson_id, new_page

#: seconds per lesson, printed at the end of the session
TIMES: dict[str, dict[str, float]] = {"Run All in JupyterLab": {}, "Voila page ready": {}}
#: the lessons in the order their JupyterLab tests run (set at collection): what to run ahead
LAB_ORDER: list[str] = []


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


def _copy_notebooks(d: Path) -> Path:
    for nb in NOTEBOOKS.glob("*.ipynb"):
        shutil.copy(nb, d / nb.name)
    return d


@pytest.fixture(scope="session")
def workdir(tmp_path_factory) -> Path:
    """A throw-away copy of the notebooks for JupyterLab (running them must not modify the committed files)."""
    return _copy_notebooks(tmp_path_factory.mktemp("notebooks"))


def _root_flag() -> list[str]:
    return ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []


@pytest.fixture(scope="session")
def jupyter(workdir, tmp_path_factory):
    """A JupyterLab server on 127.0.0.1 with the kit's settings (jupyter-config/): yields (base_url, token)."""
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
                    env={"JUPYTERLAB_SETTINGS_DIR": str(settings), "JUPYTER_CONFIG_PATH": str(JUPYTER_CONFIG),
                         "GAN_EDU_PROGRESS": str(workdir / "progress.json")})
    try:
        wait_for(f"http://127.0.0.1:{port}/api/status?token={token}")
        yield f"http://127.0.0.1:{port}", token
    finally:
        server.stop()


@pytest.fixture(scope="session")
def voila_dir(tmp_path_factory) -> Path:
    """Voila's own copy of the notebooks (JupyterLab saves into its copy; Voila must read the committed ones)."""
    return _copy_notebooks(tmp_path_factory.mktemp("voila-notebooks"))


@pytest.fixture(scope="session")
def voila_server(voila_dir, tmp_path_factory):
    """Voila serving the lessons' folder on 127.0.0.1: yields its base URL (a lesson is at voila/render/NAME)."""
    port = free_port()
    log = tmp_path_factory.mktemp("logs") / "voila.log"
    server = Server([sys.executable, "-m", "voila", "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1",
                     "--VoilaConfiguration.file_allowlist=['.*']", "--show_tracebacks=True"], voila_dir, log,
                    env={"GAN_EDU_PROGRESS": str(voila_dir / "progress.json")})
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


# --------------------------------------------------------------------------- one page per lesson
@dataclass
class Opened:
    """A lesson open in a browser tab: ``page``, the seconds Run All took, and (JupyterLab) the
    widget outputs as the committed notebook showed them before anything ran."""

    name: str
    page: object
    seconds: float = 0.0
    before: list = field(default_factory=list)
    context: object = None
    started: float = 0.0

    def close(self) -> None:
        self.context.__exit__(None, None, None)


def _open_page(browser, name: str) -> Opened:
    ctx = new_page(browser)
    return Opened(name, ctx.__enter__(), context=ctx)


class LabLessons:
    """JupyterLab pages, one per lesson: opened (its outputs recorded as the committed notebook
    shows them), Run All started; :meth:`get` waits for it. The lesson after it (in
    :data:`LAB_ORDER`) starts at once in another tab, so its kernel works while these tests run."""

    def __init__(self, browser, base: str, token: str):
        self.browser, self.base, self.token = browser, base, token
        self.open: dict[str, Opened] = {}

    def _start(self, name: str) -> None:
        opened = self.open[name] = _open_page(self.browser, name)
        jlab.open_notebook(opened.page, self.base, self.token, name)
        opened.before = jlab.widget_outputs(opened.page)      # committed outputs: untrusted, so text fallbacks
        opened.started = jlab.start_run_all(opened.page)

    def get(self, name: str) -> Opened:
        for other in [n for n in self.open if n != name and LAB_ORDER.index(n) < LAB_ORDER.index(name)]:
            self._close(other)                                 # lessons are tested in order: done with those
        if name not in self.open:
            self._start(name)
        opened = self.open[name]
        if not opened.seconds:
            opened.seconds = jlab.wait_run_all(opened.page, opened.started)
            TIMES["Run All in JupyterLab"][lesson_id(name)] = opened.seconds
            jlab.settle_widgets(opened.page)
            later = LAB_ORDER[LAB_ORDER.index(name) + 1:]
            if later and later[0] not in self.open:
                self._start(later[0])                          # runs while this lesson's tests run
        return opened

    def _close(self, name: str) -> None:
        opened = self.open.pop(name)
        try:
            jlab.close(opened.page)
        finally:
            opened.close()

    def close(self) -> None:
        for name in list(self.open):
            self._close(name)


class VoilaLessons:
    """Voila pages, one lesson at a time (the previous page, and with it its kernel, closes)."""

    def __init__(self, browser, base: str):
        self.browser, self.base = browser, base
        self.current: Opened | None = None

    def get(self, name: str) -> Opened:
        if self.current is None or self.current.name != name:
            self.close()
            self.current = _open_page(self.browser, name)
            self.current.started = voila.start(self.current.page, voila.lesson_url(self.base, name))
            self.current.seconds = voila.wait_ready(self.current.page, self.current.started)
            TIMES["Voila page ready"][lesson_id(name)] = self.current.seconds
        return self.current

    def close(self) -> None:
        if self.current is not None:
            self.current.close()                  # Voila shuts the page's kernel down with its websocket
            self.current = None


@pytest.fixture(scope="session")
def lab_lessons(browser, jupyter):
    lessons = LabLessons(browser, *jupyter)
    try:
        yield lessons
    finally:
        lessons.close()


@pytest.fixture(scope="session")
def voila_lessons(browser, voila_server):
    lessons = VoilaLessons(browser, voila_server)
    try:
        yield lessons
    finally:
        lessons.close()


@pytest.fixture
def lesson(request, lab_lessons) -> Opened:
    """The lesson ``request.param`` open in JupyterLab, Run All done (shared by its tests)."""
    return lab_lessons.get(request.param)


@pytest.fixture
def voila_lesson(request, voila_lessons) -> Opened:
    """The lesson ``request.param`` rendered by Voila (shared by its tests)."""
    return voila_lessons.get(request.param)


@pytest.fixture(scope="session")
def axe(tmp_path_factory):
    """``axe(page, include, exclude=())`` -> axe-core's violations (see browser_support.axe_runner)."""
    return axe_runner()


def pytest_collection_modifyitems(items):
    """Lesson by lesson (JupyterLab, then Voila), so each lesson runs once per server."""
    def key(pair):
        index, item = pair
        params = item.callspec.params if hasattr(item, "callspec") else {}
        if "lesson" in params:
            return (0, params["lesson"], index)
        if "voila_lesson" in params:
            return (1, params["voila_lesson"], index)
        return (2, "", index)

    items[:] = [item for _, item in sorted(enumerate(items), key=key)]
    LAB_ORDER[:] = list(dict.fromkeys(item.callspec.params["lesson"] for item in items
                                      if hasattr(item, "callspec") and "lesson" in item.callspec.params))


def pytest_terminal_summary(terminalreporter):
    for what, seconds in TIMES.items():
        if seconds:
            terminalreporter.write_line(f"{what}: " + ", ".join(f"{k} {v:.0f} s" for k, v in sorted(seconds.items())))
