"""Constants and helpers of the browser tests (imported by conftest.py and the test modules).

Besides the browser set-up, this module holds the checks of "what the learner sees" that every
page gets, in JupyterLab and in Voila alike: widget outputs that did not render (a placeholder,
an error, a raw ``VBox(children=...)`` repr), pictures not shown at the size they were drawn,
printed lines the page breaks mid-word, text too small to read, and an axe-core accessibility
scan of our content (never of JupyterLab's own chrome, which this project cannot fix). Each
takes the page and a CSS selector for the part of the page to look at, and returns what it
found (an empty list: nothing wrong), so a test's assertion message shows the offenders.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest

from gan_edu import quiz
from gan_edu.quiz.questions import ALL

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
#: every numbered lesson, found on disk: a new lesson is tested without editing the tests
LESSONS = sorted(p.name for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
CHROMIUM = os.environ.get("GAN_EDU_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
#: the JupyterLab settings the kit ships (saved widget state: see jupyter-config/README.md)
JUPYTER_CONFIG = ROOT / "jupyter-config"

# the part of a page that is ours: the cells' outputs (JupyterLab and Voila render them the same way)
OUTPUTS = ".jp-OutputArea-output"


def lesson_id(name: str) -> str:
    """``"04_training_lab.ipynb"`` -> ``"04"``."""
    return name[:2]


def on_lessons(*names: str):
    """Parametrize a test over lessons (``lesson`` fixture, one page per lesson shared by its tests)."""
    return pytest.mark.parametrize("lesson", names, indirect=True, ids=[lesson_id(n) for n in names])


def in_voila(*names: str):
    """Parametrize a test over lessons served by Voila (``voila_lesson`` fixture)."""
    return pytest.mark.parametrize("voila_lesson", names, indirect=True, ids=[lesson_id(n) for n in names])


@contextmanager
def new_page(browser, height: int = 1000, width: int = 1400):
    """A page in a fresh browser context (1400 px wide, 60 s default timeout), closed afterwards."""
    context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        yield page
    finally:
        context.close()


def screenshot(page, name: str, locator=None) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    (locator or page).screenshot(path=str(path))
    return path


# --------------------------------------------------------------------------- widget outputs
WIDGET_REPR = re.compile(r"^\s*(VBox|HBox|Box|Tab|Accordion|Button|Image|HTML|HTMLMath|Label|IntSlider|FloatSlider|"
                         r"FloatLogSlider|Dropdown|RadioButtons|Checkbox|Output|Textarea|FloatText|IntText|"
                         r"BoundedIntText|FileUpload|Canvas|IntProgress|FloatProgress)\(")
BROKEN = ("Loading widget", "Error displaying widget", "model not found", "There was an error when executing cell")


def output_problems(page, root: str = "body") -> list[str]:
    """Outputs under ``root`` that show no usable content: a widget still loading or that failed
    ("model not found"), a cell that failed (Voila's message), or a raw ``VBox(...)`` repr."""
    texts = page.eval_on_selector_all(f"{root} {OUTPUTS}", "els => els.map(e => e.innerText)")
    return [t[:200] for t in texts if any(b in t for b in BROKEN) or WIDGET_REPR.match(t)]


def raw_reprs(text: str) -> list[str]:
    """Lines of ``text`` that are a raw widget repr (``VBox(children=...``, ``HTMLMath(value=...``)."""
    return [line[:120] for line in text.splitlines() if WIDGET_REPR.match(line) or "(children=(" in line]


# --------------------------------------------------------------------------- pictures
IMAGE_SIZES = """(root) => Array.from(document.querySelectorAll(root + ' img'))
    .filter(img => img.naturalWidth > 0 && img.offsetParent !== null)
    .map(img => { const r = img.getBoundingClientRect();
                  return {cls: String(img.className).replace('lm-Widget jupyter-widgets widget-image', '').trim(),
                          natural: [img.naturalWidth, img.naturalHeight], shown: [r.width, r.height]}; })"""


def image_sizes(page, root: str = OUTPUTS) -> list[dict]:
    """Every visible picture under ``root``: its drawn (natural) and displayed size in pixels."""
    return page.evaluate(IMAGE_SIZES, root)


def resized_images(page, root: str = OUTPUTS, tolerance: float = 1.5) -> list[dict]:
    """Pictures displayed at another size than they were drawn (upscaled: blurred; shrunk: tiny
    text), or taller than the viewport. The device pixel ratio is 1 here, so 1 drawn pixel should be
    1 CSS pixel."""
    height = page.viewport_size["height"]
    return [s for s in image_sizes(page, root)
            if abs(s["shown"][0] - s["natural"][0]) > tolerance or abs(s["shown"][1] - s["natural"][1]) > tolerance
            or s["shown"][1] > height]


# --------------------------------------------------------------------------- printed text
#: printed blocks allowed to run wider than the page: a command the learner copies, kept on one line
WRAP_EXEMPT = ("download=True",)
# A printed line the page wraps makes its <pre> taller than the same text laid out without wrapping.
WRAPPED = """([root, exempt]) => { const pres = Array.from(document.querySelectorAll(
        root + '[data-mime-type="application/vnd.jupyter.stdout"] pre, ' + root + ' .ge-reveal pre'))
    .filter(el => el.offsetParent !== null && !exempt.some(x => el.innerText.includes(x)));
    const wrapped = pres.filter(el => { const c = el.cloneNode(true); c.style.whiteSpace = 'pre';
        c.style.overflowX = 'hidden'; el.parentNode.appendChild(c); const w = c.offsetHeight < el.offsetHeight - 1;
        c.remove(); return w; });
    return {checked: pres.length, wrapped: wrapped.map(el => el.innerText.slice(0, 120))}; }"""


def wrapped_lines(page, root: str = OUTPUTS) -> dict:
    """``{"checked": n, "wrapped": [...]}``: printed blocks (stdout, and the text a reveal panel
    shows) whose lines the page had to break because they are wider than the output area."""
    return page.evaluate(WRAPPED, [root, list(WRAP_EXEMPT)])


# --------------------------------------------------------------------------- fonts
SMALL_TEXT = """([root, min]) => {
    const small = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const roots = Array.from(document.querySelectorAll(root));
    while (walker.nextNode()) {
        const t = walker.currentNode, el = t.parentElement;
        if (!el || !t.textContent.trim() || !roots.some(r => r.contains(el)) || el.offsetParent === null) continue;
        if (el.closest('.jp-RenderedText, .jp-RenderedLatex, script, style, svg')) continue;   // JupyterLab's own output CSS
        const size = parseFloat(getComputedStyle(el).fontSize);
        if (size < min) small.push(`${size}px: ${t.textContent.trim().slice(0, 60)}`);
    }
    return small.slice(0, 20); }"""


def small_text(page, root: str = f"{OUTPUTS} .jupyter-widgets", minimum: float = 10.0) -> list[str]:
    """Visible text in our widgets (``root``) whose computed font size is under ``minimum`` px."""
    return page.evaluate(SMALL_TEXT, [root, minimum])


# --------------------------------------------------------------------------- button labels
CUT_OFF = """(root) => Array.from(document.querySelectorAll(root + ' button'))
    .filter(b => b.offsetParent !== null && b.innerText.trim() && b.scrollWidth > b.clientWidth + 1)
    .map(b => `${b.innerText.trim()} (${b.clientWidth} px shown, ${b.scrollWidth} px needed)`)"""


def cut_off_buttons(page, root: str = OUTPUTS) -> list[str]:
    """Visible buttons under ``root`` whose label does not fit (the page ends it with "…")."""
    return page.evaluate(CUT_OFF, root)


# --------------------------------------------------------------------------- accessibility
#: what the scan looks for: WCAG 2.1 A and AA (alt text, contrast, names of buttons and fields,
#: keyboard access to scrolling regions, ARIA use) and axe's best practices
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
#: axe-core from npm, installed once outside the repository (nothing is downloaded while a test runs
#: once it is there; `npm install` is the registry's ordinary client)
AXE_DIR = Path(os.environ.get("GAN_EDU_AXE_DIR", Path.home() / ".cache" / "gan_edu-axe"))
AXE_JS = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"


def axe_runner():
    """A function ``scan(page, include, exclude=())`` running axe-core on the parts of ``page``
    matching ``include`` (minus ``exclude``); it returns the violations, each ``{"id", "impact",
    "help", "nodes"}``. Installs axe-core into :data:`AXE_DIR` with npm when missing; skips the
    calling test (with the reason) when npm is not installed or the install fails."""
    if not AXE_JS.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip(f"axe-core is not at {AXE_JS} and npm is not installed to fetch it "
                        f"(install Node.js/npm, or run: npm install --prefix {AXE_DIR} axe-core)")
        done = subprocess.run([npm, "install", "--prefix", str(AXE_DIR), "--no-audit", "--no-fund", "axe-core@4"],
                              capture_output=True, text=True, timeout=300)
        if done.returncode != 0 or not AXE_JS.exists():
            pytest.skip(f"npm could not install axe-core into {AXE_DIR}: {done.stderr.strip()[-300:]}")
    source = AXE_JS.read_text(encoding="utf-8")

    def scan(page, include: str, exclude: tuple[str, ...] = ()) -> list[dict]:
        """Violations in ``include``; nodes inside an ``exclude`` selector are left out of them."""
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.evaluate(source)
        assert page.locator(include).count() > 0, f"nothing on the page matches {include!r} to scan"
        result = page.evaluate("""async ([include, exclude, tags]) => {
            const r = await axe.run({include: [include]}, {runOnly: {type: 'tag', values: tags},
                                                           resultTypes: ['violations'], elementRef: true});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.filter(n => !(n.element && exclude.some(x => n.element.closest(x))))
                              .map(n => ({target: n.target, html: n.html, any: n.any, all: n.all, none: n.none}))}))
                .filter(v => v.nodes.length > 0); }""", [include, list(exclude), AXE_TAGS])
        return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
                 "nodes": [f"{n['target']} {n['html'][:160]} -- {_axe_message(n)}" for n in v["nodes"][:5]]}
                for v in result]

    return scan


def _axe_message(node: dict) -> str:
    for key in ("any", "all", "none"):
        for check in node.get(key) or []:
            return check.get("message", "")[:200]
    return ""


def impact(violations: list[dict], *levels: str) -> list[dict]:
    """The violations axe rates at one of ``levels`` ("critical", "serious", ...)."""
    return [v for v in violations if v["impact"] in levels]


def summary(violations: list[dict]) -> str:
    return "; ".join(f"{v['id']} ({v['impact']}, {len(v['nodes'])})" for v in violations) or "nothing"


# --------------------------------------------------------------------------- checkpoints
def right_and_wrong(qid: str) -> tuple:
    """``(question, right key, a wrong key)`` of a checkpoint, the right one found through the stored hash."""
    q = ALL[qid]
    target = q.expected if hasattr(q, "expected") and q.expected else getattr(q, "answer", None)
    right = next(k for k in q.options if quiz.answer_hash(qid, k) == target)
    wrong = next(k for k in q.options if k != right)
    return q, right, wrong


def feedback_problems(text: str) -> list[str]:
    """Typography slips in a checkpoint's feedback: a doubled stop before a colon (".:"), a doubled
    full stop, or a raw tag."""
    return [bad for bad in (".:", "..", "<b>", "<span") if bad in text.replace("...", "…")]


def export_for_the_instructor(page, learner: str):
    """Lesson 08's "Export for my instructor" as a learner uses it: type ``learner``, press Export, click
    the download link. Returns (the download, the record it holds)."""
    import json

    page.locator(".ge-progress-name input").fill(learner)
    page.locator(".ge-progress-export").click()
    link = page.locator(".ge-progress-download")
    link.wait_for()
    with page.expect_download() as info:
        link.click()
    download = info.value
    return download, json.loads(open(download.path(), encoding="utf-8").read())
