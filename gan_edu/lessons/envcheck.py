"""Is this computer ready for the lessons? Versions, device, and a widget you can click.

    from gan_edu.lessons.envcheck import check_environment, widget_check
    report = check_environment()     # a table in the notebook; report.ok is True or False
    widget_check()                   # a button: click it, it answers "widgets work"

:func:`check_environment` looks up Python and the packages the lessons use, says
which device ``device="auto"`` resolves to, and when something is missing or too
old it says exactly what to install (``report.fix``).

Whether *widgets* show up cannot be known from Python: the kernel has ipywidgets,
but the buttons are drawn by the page (JupyterLab's widget extension). So
:func:`widget_check` shows a tiny button that answers when clicked; if the page
cannot draw widgets, the text shown in its place says what to install.

This file uses only the standard library at import time, so it also runs on its
own when the package itself cannot be imported: ``python -m gan_edu.lessons.envcheck`` (``import gan_edu`` itself needs no
third-party package) or ``python gan_edu/lessons/envcheck.py``.
"""
from __future__ import annotations

import html
import importlib
import importlib.metadata
import platform
import re
import sys
import textwrap
from dataclasses import dataclass, field

__all__ = ["Requirement", "Item", "EnvReport", "REQUIREMENTS", "PYTHON_MIN", "check_environment",
           "widget_check", "WidgetCheck", "display_with_fallback", "wrap", "NO_WIDGETS_TEXT", "INSTALL_WIDGETS", "WRAP"]

PYTHON_MIN = (3, 10)
WRAP = 80           # columns of plain-text output: fits a notebook's output area at 100 % zoom
MAKE_LAB = "or, from the gan_edu folder, run `make lab` (it installs everything the lessons need)"
INSTALL_WIDGETS = ("in the kernel's environment run\n    pip install 'ipywidgets>=8' 'jupyterlab>=4'\nand reload the page, "
                   "or run `make lab` from the gan_edu folder. Static viewers such as GitHub never draw widgets.")
NO_WIDGETS_TEXT = ("[A widget should appear here. If you are reading this text instead, this page cannot draw widgets: "
                   f"{INSTALL_WIDGETS}]")


@dataclass(frozen=True)
class Requirement:
    """A package the lessons use: its pip name, import name, lowest version and what it is for."""

    pip_name: str
    module: str
    minimum: str
    purpose: str
    required: bool = True


REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement("torch", "torch", "2.2", "the networks and the training loop"),
    Requirement("torchvision", "torchvision", "0.17", "image grids of generated digits"),
    Requirement("ipywidgets", "ipywidgets", "8.0", "buttons, sliders and the quizzes"),
    Requirement("matplotlib", "matplotlib", "3.7", "every picture"),
    Requirement("scikit-learn", "sklearn", "1.2", "the 8x8 digits data set (ships inside it)"),
    Requirement("numpy", "numpy", "1.24", "arrays for the plots"),
    Requirement("scipy", "scipy", "1.10", "densities and divergences"),
    Requirement("tqdm", "tqdm", "4.64", "progress bars for longer training"),
    Requirement("pillow", "PIL", "9", "fast pictures in live widgets"),
    Requirement("jupyterlab_widgets", "jupyterlab_widgets", "3.0",
                "draws widgets in JupyterLab (not needed if JupyterLab runs from another environment)", required=False),
)


@dataclass
class Item:
    """One line of the report. ``status`` is ``"ok"``, ``"missing"`` or ``"old"``."""

    name: str
    found: str | None
    minimum: str
    purpose: str
    required: bool = True
    status: str = "ok"
    fix: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def _version_tuple(version: str) -> tuple[int, ...]:
    """The leading numbers of a version string: ``"2.14.1+cpu"`` -> ``(2, 14, 1)``."""
    m = re.match(r"\s*v?(\d+(?:\.\d+)*)", str(version))
    return tuple(int(p) for p in m.group(1).split(".")) if m else ()


def _at_least(found: str, minimum: str) -> bool:
    f, m = _version_tuple(found), _version_tuple(minimum)
    if not f:
        return True                      # an unreadable version (a dev build): do not complain
    n = max(len(f), len(m))
    return f + (0,) * (n - len(f)) >= m + (0,) * (n - len(m))


def _installed_version(req: Requirement) -> str | None:
    """The installed version of ``req``, or None when it cannot be found (tests monkeypatch this)."""
    try:
        return importlib.metadata.version(req.pip_name)
    except importlib.metadata.PackageNotFoundError:
        pass
    try:
        module = importlib.import_module(req.module)
    except Exception:  # noqa: BLE001 - a broken install is as good as a missing one here
        return None
    return str(getattr(module, "__version__", "unknown"))


def _python_version() -> tuple[int, int, int]:
    return tuple(sys.version_info[:3])


def _check_package(req: Requirement) -> Item:
    found = _installed_version(req)
    item = Item(req.pip_name, found, req.minimum, req.purpose, req.required)
    if found is None:
        item.status = "missing"
        item.fix = f"pip install '{req.pip_name}>={req.minimum}'"
    elif not _at_least(found, req.minimum):
        item.status = "old"
        item.fix = f"pip install --upgrade '{req.pip_name}>={req.minimum}'"
    return item


def _device_info() -> tuple[str, str]:
    """(what ``device="auto"`` resolves to, a sentence about it)."""
    try:
        import torch
    except Exception:  # noqa: BLE001
        return "unknown", "torch is not installed, so no device can be used yet."
    threads = torch.get_num_threads()
    try:                                  # the rule the trainer itself uses for device="auto"
        from gan_edu.trainer import resolve_device
        auto = resolve_device("auto").type
    except Exception:  # noqa: BLE001 - run as a plain script without the package
        auto = "cuda" if torch.cuda.is_available() else "cpu"
    if auto == "cuda":
        name = torch.cuda.get_device_name(0)
        return "cuda", (f'device="auto" resolves to cuda ({name}). The lessons are sized for a laptop CPU, '
                        f'so a GPU only makes the longer runs quicker.')
    note = ""
    mps = getattr(getattr(torch, "backends", None), "mps", None)
    if mps is not None and mps.is_available():
        note = " (an Apple GPU is present; the kit does not use it: at these sizes the CPU is as fast)"
    plural = "s" if threads != 1 else ""
    return "cpu", (f'device="auto" resolves to cpu, {threads} thread{plural}{note}. That is expected: every lesson '
                   f"is sized to run on a CPU laptop, no GPU needed.")


@dataclass
class EnvReport:
    """What :func:`check_environment` found. ``ok`` is True when everything required is
    there and new enough; ``fix`` says what to run otherwise. Shows as a table in a notebook."""

    python: Item
    packages: list[Item]
    device: str
    device_note: str
    platform: str = field(default_factory=platform.platform)

    @property
    def items(self) -> list[Item]:
        return [self.python, *self.packages]

    @property
    def problems(self) -> list[Item]:
        """Required items that are missing or too old."""
        return [i for i in self.items if i.required and not i.ok]

    @property
    def warnings(self) -> list[Item]:
        """Optional items that are missing or too old (the lessons may still work)."""
        return [i for i in self.items if not i.required and not i.ok]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def fix(self) -> str:
        """What to run to repair the environment ("" when nothing is wrong)."""
        lines = []
        if not self.python.ok:
            lines.append(self.python.fix)
        pkgs = [i for i in self.problems if i is not self.python]
        if pkgs:
            upgrade = any(i.status == "old" for i in pkgs)
            specs = " ".join(f"'{i.name}>={i.minimum}'" for i in pkgs)
            lines.append(f"pip install {'--upgrade ' if upgrade else ''}{specs}")
        if not lines:
            return ""
        return "\n".join(lines) + f"\n({MAKE_LAB}; then restart the kernel)"

    def _status_text(self, item: Item) -> str:
        if item.ok:
            return "ok"
        word = "missing" if item.status == "missing" else f"too old (need >= {item.minimum})"
        return word if item.required else f"{word}, optional"

    def __repr__(self) -> str:
        width = max(len(i.name) for i in self.items)
        rows = [f"{i.name:<{width}}  {i.found or '-':<12} {self._status_text(i)}" for i in self.items]
        head = "Environment OK: everything the lessons need is installed." if self.ok else \
            "Environment NOT ready: something the lessons need is missing or too old."
        out = [head, *rows, wrap(self.device_note)]
        if self.fix:
            out.append("To fix it, run:\n" + self.fix)
        for w in self.warnings:
            out.append(wrap(f"Note: {w.name} {self._status_text(w)} -- {w.purpose}. If widgets do not show, run: {w.fix}"))
        return "\n".join(out)

    def _repr_html_(self) -> str:
        colour = {"ok": "#1a7f37", "missing": "#b42318", "old": "#b54708"}
        rows = []
        for i in self.items:
            c = colour[i.status] if (i.required or i.ok) else "#b54708"
            mark = "&#10004;" if i.ok else ("&#10008;" if i.required else "!")
            left = "text-align:left"
            rows.append(f"<tr><td style='{left}'><b>{html.escape(i.name)}</b></td><td style='{left}'>"
                        f"{html.escape(i.found or '-')}</td><td style='{left}'>&ge; {html.escape(i.minimum)}</td>"
                        f"<td style='{left};color:{c}'>{mark} {html.escape(self._status_text(i))}</td>"
                        f"<td style='{left};color:#555'>{html.escape(i.purpose)}</td></tr>")
        if self.ok:
            head = "<b style='color:#1a7f37'>&#10004; Environment OK</b>: everything the lessons need is installed."
        else:
            head = "<b style='color:#b42318'>&#10008; Environment not ready</b>: something the lessons need is missing or too old."
        fix = ""
        if self.fix:
            fix = f"<p>To fix it, run in a terminal (in the kernel's environment):</p><pre>{html.escape(self.fix)}</pre>"
        notes = "".join(f"<p style='color:#b54708'>Note: {html.escape(w.name)} {html.escape(self._status_text(w))} "
                        f"&mdash; {html.escape(w.purpose)}. If widgets do not show, run <code>{html.escape(w.fix)}</code>.</p>"
                        for w in self.warnings)
        return (f"<div class='ge-envcheck'><p>{head}</p>"
                "<table><tr><th style='text-align:left'>package</th><th style='text-align:left'>found</th>"
                "<th style='text-align:left'>need</th><th style='text-align:left'>status</th>"
                "<th style='text-align:left'>used for</th></tr>"
                f"{''.join(rows)}</table><p>{html.escape(self.device_note)}</p>{fix}{notes}</div>")


def check_environment() -> EnvReport:
    """Look up Python, the lesson packages and the device. Changes nothing; returns an
    :class:`EnvReport` (``.ok``, ``.fix``, ``.problems``; a table when displayed)."""
    py = ".".join(map(str, _python_version()))
    want = ".".join(map(str, PYTHON_MIN))
    python = Item("python", py, want, "runs everything")
    if not _at_least(py, want):
        python.status = "old"
        python.fix = f"install Python {want} or newer and make a new environment with it"
    device, note = _device_info()
    return EnvReport(python=python, packages=[_check_package(r) for r in REQUIREMENTS], device=device, device_note=note)


# --------------------------------------------------------------------------- widgets
def wrap(text: str, width: int = WRAP) -> str:
    """``text`` with every line wrapped at words to ``width`` columns: notebook frontends break long
    output lines anywhere, even mid-word (JupyterLab's ``word-break: break-all``). Lines indented by
    four spaces (a command to copy) are kept whole."""
    return "\n".join(line if line.startswith("    ") else
                     textwrap.fill(line, width, break_long_words=False, break_on_hyphens=False) or line
                     for line in text.splitlines())


def display_with_fallback(widget, text: str = NO_WIDGETS_TEXT) -> None:
    """Display ``widget``; a page that cannot draw widgets shows ``text`` instead (the
    plain-text part of the output, wrapped at words), so the learner learns what to do."""
    from IPython.display import display

    bundle = widget._repr_mimebundle_()
    if isinstance(bundle, tuple):        # (data, metadata) in some ipywidgets versions
        bundle = bundle[0]
    data = dict(bundle or {})
    data["text/plain"] = wrap(text)
    display(data, raw=True)


class WidgetCheck:
    """A button that answers when clicked: proof that the page and the kernel talk.
    ``click()`` does what a click does (for tests)."""

    def __init__(self):
        import ipywidgets as W

        self.clicked = False
        self.button = W.Button(description="Click me", button_style="primary", icon="hand-pointer-o",
                               tooltip="test that widgets work")
        self.button.add_class("ge-widget-check-button")
        self.answer = W.HTML(value="&larr; click the button: if widgets work, this text changes.")
        self.answer.add_class("ge-widget-check-answer")
        self.button.on_click(lambda _: self.click())
        self.widget = W.HBox([self.button, self.answer], layout=W.Layout(align_items="center"))
        self.widget.add_class("ge-widget-check")

    def click(self) -> None:
        self.clicked = True
        self.answer.value = ("<b style='color:#1a7f37'>&#10004; widgets work</b>: the page sent your click to "
                             "Python and Python answered. Every button and slider in the lessons works the same way.")

    def _ipython_display_(self):
        display_with_fallback(self.widget)


def widget_check() -> WidgetCheck:
    """Show a button that says "widgets work" when clicked (the kernel alone cannot tell)."""
    return WidgetCheck()


if __name__ == "__main__":      # python -m gan_edu.lessons.envcheck  (works even when gan_edu cannot be imported)
    report = check_environment()
    print(report)
    sys.exit(0 if report.ok else 1)
