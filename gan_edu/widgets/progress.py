"""The learner's quiz progress across every lesson, and an export for the instructor."""
from __future__ import annotations

import datetime as _dt
import html
import re
from pathlib import Path

import ipywidgets as W

from .. import quiz

__all__ = ["ProgressReport", "LESSONS"]

LESSONS = {"00": "welcome", "01": "the generator", "02": "the discriminator", "03": "gradient flow",
           "04": "the training lab", "05": "mode collapse", "06": "equilibrium", "07": "DCGAN on digits",
           "08": "review"}


class ProgressReport:
    """A table of checkpoints answered per lesson (from ``gan_edu_progress.json``), a refresh
    button, and "export": a copy named after the learner, for handing in."""

    def __init__(self, folder: str | Path = "."):
        self.folder = Path(folder)
        self.table = W.HTML()
        self.table.add_class("ge-progress-table")
        self.name = W.Text(placeholder="your name", description="Name:", layout=W.Layout(width="260px"))
        self.name.add_class("ge-progress-name")
        refresh = W.Button(description="Refresh", icon="refresh")
        refresh.add_class("ge-progress-refresh")
        refresh.on_click(lambda _: self.refresh())
        export = W.Button(description="Export for my instructor", icon="download", button_style="primary",
                          layout=W.Layout(width="auto"))
        export.add_class("ge-progress-export")
        export.on_click(self._on_export)
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
        body = "".join(
            f"<tr><td>{r['lesson']}</td><td>{html.escape(r['title'])}</td><td>{r['answered']} / {r['questions']}</td>"
            f"<td>{r['correct']}</td><td>{r['first_try']}</td></tr>" for r in rows)
        answered = sum(r["answered"] for r in rows)
        total = sum(r["questions"] for r in rows)
        self.table.value = ("<table class='ge-table'><thead><tr><th>lesson</th><th></th><th>answered</th>"
                            "<th>correct</th><th>right first time</th></tr></thead>"
                            f"<tbody>{body}</tbody></table><p>{answered} of {total} checkpoints answered so far.</p>")

    def _on_export(self, _button) -> None:
        try:
            self.export()
        except (ValueError, OSError) as err:
            self.status.value = f"<span style='color:#b42318'>{html.escape(str(err))}</span>"

    def export(self, name: str | None = None) -> Path:
        """Write the progress to ``gan_edu_progress_<name>_<date>.json`` in the folder; returns the path."""
        name = (name if name is not None else self.name.value).strip()
        if not name:
            raise ValueError("name: type your name so the instructor knows whose progress this is")
        slug = re.sub(r"[^A-Za-z0-9_-]+", "_", name)[:40]
        path = self.folder / f"gan_edu_progress_{slug}_{_dt.date.today().isoformat()}.json"
        quiz.save_progress(path)
        self.status.value = f"Saved <code>{html.escape(str(path))}</code>: send this file to your instructor."
        return path

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
