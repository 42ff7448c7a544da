"""The learner's quiz progress across every lesson, and an export to hand in (lesson 08).

The export is a real download -- a link whose target is the record itself (a ``data:`` URI), so it
works in JupyterLab, in Voila and on a hub without any file route on the server -- plus a copy
written to a named folder. The learner's name goes *into* the record (``ge.quiz.set_learner``),
not only into the file name, so the instructor's class report can tell learners apart.
"""
from __future__ import annotations

import base64
import datetime as _dt
import html
import json
import re
from pathlib import Path

import ipywidgets as W

from .. import quiz
from ..quiz import record
from ..quiz.submit import submit_button
from ._base import Shown

__all__ = ["ProgressReport", "LESSONS"]

LESSONS = {"00": "welcome", "01": "the generator", "02": "the discriminator", "03": "gradient flow",
           "04": "the training lab", "05": "mode collapse", "06": "equilibrium", "07": "DCGAN on digits",
           "08": "review", "09": "conditional GAN", "10": "evaluating GANs"}

_CELL = "padding:3px 12px;text-align:left;border-bottom:1px solid #ddd"
COLUMNS = ("lesson", "topic", "answered", "correct", "right first time")


class ProgressReport(Shown):
    """A table of checkpoints answered per lesson (from the progress record), a refresh button, and
    "export": the learner types a name (or it is already known), gets a download link to the
    record and a copy in ``folder``."""

    fallback_title = "Your progress across the lessons, with an export for your instructor"

    def __init__(self, folder: str | Path = "."):
        self.folder = Path(folder)
        self.table = W.HTML()
        self.table.add_class("ge-progress-table")
        self.name = W.Text(value=record.STORE.learner() or "", placeholder="your name or id", description="Name:",
                           layout=W.Layout(width="280px"))
        self.name.add_class("ge-progress-name")
        refresh = W.Button(description="Refresh", icon="refresh")
        refresh.add_class("ge-progress-refresh")
        refresh.on_click(lambda _: self.refresh())
        # the click carries the name as the page shows it: a name typed while the kernel is busy
        # reaches the kernel after a stock button's click (see gan_edu/quiz/submit.py)
        self.export_button = export = submit_button("Export for my instructor", "download", "primary",
                                                    [(self.name, "value")], css="ge-progress-export")
        export.on_click(self._on_export)
        export.on_unreadable(lambda _: setattr(self.status, "value", "The name did not reach Python intact: "
                                                                      "type it again and press Export again."))
        self.status = W.HTML()
        self.status.add_class("ge-progress-status")
        self.widget = W.VBox([self.table, W.HBox([self.name, export, refresh]), self.status])
        self.widget.add_class("ge-progress")
        self.refresh()

    def rows(self) -> list[dict]:
        """One row per lesson: answered, correct, right first time, out of how many checkpoints."""
        from ..quiz.questions import ALL

        totals: dict[str, int] = {}
        for qid in ALL:
            totals[qid.split("-", 1)[0]] = totals.get(qid.split("-", 1)[0], 0) + 1
        summary = quiz.summary()
        return [{"lesson": k, "title": LESSONS.get(k, ""), "questions": totals.get(k, 0),
                 **summary.get(k, {"answered": 0, "correct": 0, "first_try": 0})} for k in sorted(totals)]

    def refresh(self) -> None:
        rows = self.rows()
        head = "".join(f"<th style='{_CELL}'>{c}</th>" for c in COLUMNS)
        body = "".join(
            "<tr>" + "".join(f"<td style='{_CELL}'>{v}</td>" for v in (
                r["lesson"], html.escape(r["title"]), f"{r['answered']} / {r['questions']}", r["correct"],
                r["first_try"])) + "</tr>" for r in rows)
        answered = sum(r["answered"] for r in rows)
        total = sum(r["questions"] for r in rows)
        self.table.value = (f"<table class='ge-table' style='border-collapse:collapse'><thead><tr>{head}</tr></thead>"
                            f"<tbody>{body}</tbody></table><p>{answered} of {total} checkpoints answered so far.</p>")

    def _on_export(self, _button) -> None:
        try:
            self.export()
        except (TypeError, ValueError) as err:
            self.status.value = f"<span style='color:#b42318'>{html.escape(str(err))}</span>"

    def export(self, name: str | None = None) -> Path | None:
        """Put ``name`` (or the Name box) into the record, then offer it as a download and write a copy
        ``gan_edu_progress_<name>_<date>.json`` into the folder. Returns the copy's path, or None if
        the folder cannot be written (the download still works: it does not need the disk)."""
        name = (name if name is not None else self.name.value).strip()
        if not name:
            raise ValueError("name: type your name or id, so that your instructor knows whose answers these are")
        record.STORE.set_learner(name)
        doc = record.STORE.snapshot()
        slug = re.sub(r"[^A-Za-z0-9_-]+", "_", name)[:40].strip("_") or "learner"
        filename = f"gan_edu_progress_{slug}_{_dt.date.today().isoformat()}.json"
        link = download_link(doc, filename)
        folder = self.folder.absolute()
        try:
            path = record.STORE.export(folder / filename)
        except OSError as err:
            self.status.value = (f"{link}<br>Could not also save a copy in the folder <code>{html.escape(str(folder))}"
                                 f"</code> ({html.escape(err.strerror or str(err))}); the download above has everything.")
            return None
        self.status.value = (f"{link}<br>A copy is saved as <code>{html.escape(filename)}</code> in the folder "
                             f"<code>{html.escape(str(folder))}</code>. Send either to your instructor.")
        return path


def download_link(doc: dict, filename: str) -> str:
    """An HTML link that downloads ``doc`` as ``filename`` (a data: URI: no server, no file needed)."""
    data = base64.b64encode(json.dumps(doc, indent=1, ensure_ascii=False).encode()).decode()
    return (f"<a class='ge-progress-download' download='{html.escape(filename)}' "
            f"href='data:application/json;base64,{data}' style='font-weight:bold'>&#11015; Download "
            f"{html.escape(filename)}</a>")
