"""Real-browser fixtures: JupyterLab and Voila started on loopback by the tests themselves,
headless Debian Chromium driven by Playwright (never `playwright install`).

Servers run in their own process group with a random token and a free port, are waited
for with a bounded timeout, and are killed (the whole group) when the tests end, pass or
fail. Notebooks are copied to temporary folders first (one for JupyterLab, one for Voila), so
running and saving them never touches the committed files.

Each lesson is run once per server and its page shared by every test that asks for it
(``lesson`` / ``voila_lesson``, parametrized indirectly with the notebook's name): the tests are
ordered lesson by lesson, JupyterLab first, and when a lesson's JupyterLab page opens, Voila
starts running the same lesson in another tab, so the two kernels work at the same time. At most
one JupyterLab and one Voila lesson are open at once; the previous ones are closed (their kernels
shut down) when the next lesson starts.
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
from browser_support import CHROMIUM, CHROMIUM_ARGS, JUPYTER_CONFIG, NOTEBOOKS, lesson_id, new_page

#: seconds per lesson, printed at the end of the session: {"Run All in JupyterLab": {...}, "Voila": {...}}
TIMES: dict[str, dict[str, float]] = {"Run All in JupyterLab": {}, "Voila page ready": {}}


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
    """A lesson open in a browser tab: ``page``, the seconds it took to run, and (JupyterLab) the
    widget outputs as the committed notebook showed them before anything ran."""

    name: str
    page: object
    seconds: float = 0.0
    before: list = field(default_factory=list)
    context: object = None

    def close(self) -> None:
        self.context.__exit__(None, None, None)


class VoilaLessons:
    """Voila pages, one lesson at a time; :meth:`start` lets the server run a lesson ahead."""

    def __init__(self, browser, base: str):
        self.browser, self.base = browser, base
        self.current: Opened | None = None
        self.started: dict[str, float] = {}

    def start(self, name: str) -> None:
        if self.current is not None and self.current.name == name:
            return
        self.close()
        ctx = new_page(self.browser)
        page = ctx.__enter__()
        self.current = Opened(name, page, context=ctx)
        self.started[name] = voila.start(page, voila.lesson_url(self.base, name))

    def get(self, name: str) -> Opened:
        if self.current is None or self.current.name != name:
            self.start(name)
        if not self.current.seconds:
            self.current.seconds = voila.wait_ready(self.current.page, self.started[name])
            TIMES["Voila page ready"][lesson_id(name)] = self.current.seconds
        return self.current

    def close(self) -> None:
        if self.current is not None:
            self.current.close()                  # the page's kernel goes with its websocket
            self.current = None


class LabLessons:
    """JupyterLab pages, one lesson at a time, each opened (its outputs recorded as they were
    before running), then Run All."""

    def __init__(self, browser, base: str, token: str, voila_lessons: VoilaLessons | None):
        self.browser, self.base, self.token, self.voila = browser, base, token, voila_lessons
        self.current: Opened | None = None

    def get(self, name: str) -> Opened:
        if self.current is not None and self.current.name == name:
            return self.current
        self.close()
        ctx = new_page(self.browser)
        page = ctx.__enter__()
        self.current = opened = Opened(name, page, context=ctx)
        jlab.open_notebook(page, self.base, self.token, name)
        try:
            jlab.settle_widgets(page, timeout_ms=20_000)
        except Exception:  # noqa: BLE001 - what they show then is what the test of "before running" checks
            pass
        opened.before = jlab.widget_outputs(page)
        if self.voila is not None:
            self.voila.start(name)                # Voila runs the same lesson meanwhile, in its own kernel
        opened.seconds = jlab.run_all(page)
        TIMES["Run All in JupyterLab"][lesson_id(name)] = opened.seconds
        jlab.settle_widgets(page)
        return opened

    def close(self) -> None:
        if self.current is not None:
            try:
                jlab.close(self.current.page)
            except Exception:  # noqa: BLE001 - the page may be gone already; its server stops at the end anyway
                pass
            self.current.close()
            self.current = None


@pytest.fixture(scope="session")
def voila_lessons(browser, request):
    lessons = None
    try:
        base = request.getfixturevalue("voila_server")
        lessons = VoilaLessons(browser, base)
        yield lessons
    finally:
        if lessons is not None:
            lessons.close()


@pytest.fixture(scope="session")
def lab_lessons(browser, jupyter, request):
    base, token = jupyter
    wants_voila = any("voila_lesson" in getattr(item, "fixturenames", ()) for item in request.session.items)
    lessons = LabLessons(browser, base, token, request.getfixturevalue("voila_lessons") if wants_voila else None)
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


def pytest_collection_modifyitems(items):
    """Lesson by lesson, JupyterLab before Voila, so each lesson runs once per server."""
    def key(pair):
        index, item = pair
        params = item.callspec.params if hasattr(item, "callspec") else {}
        if "lesson" in params:
            return (0, params["lesson"], 0, index)
        if "voila_lesson" in params:
            return (0, params["voila_lesson"], 1, index)
        return (1, "", 0, index)

    items[:] = [item for _, item in sorted(enumerate(items), key=key)]


def pytest_terminal_summary(terminalreporter):
    for what, seconds in TIMES.items():
        if seconds:
            terminalreporter.write_line(f"{what}: " + ", ".join(f"{k} {v:.0f} s" for k, v in sorted(seconds.items())))
