"""What a learner sees before running, after reopening, and when handing in (issue 13, quiz parts).

* every checkpoint's display bundle has a readable ``text/plain`` (question, options, "run this
  cell"), never the raw ``VBox(children=(HTMLMath(...`` repr; the live widget is still in it;
* lesson 08's export is a real download (a data: URI that decodes to the record), names the folder,
  carries the learner's id inside the record; the progress table's headers are separate cells.
"""
import base64
import json
import os
import re
from pathlib import Path

import pytest

from gan_edu import quiz
from gan_edu.quiz import record
from gan_edu.quiz.question import strip_tags
from gan_edu.quiz.questions import ALL
from gan_edu.widgets.progress import COLUMNS, ProgressReport

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


@pytest.mark.parametrize("qid", sorted(ALL))
def test_every_checkpoint_has_a_readable_plain_fallback(qid):
    q = ALL[qid]
    bundle = q._repr_mimebundle_()
    plain = bundle["text/plain"]
    assert WIDGET_MIME in bundle and bundle[WIDGET_MIME]["model_id"] == q.widget.model_id
    assert "VBox(" not in plain and "HTMLMath(" not in plain and "<" not in plain
    assert plain.startswith(f"Checkpoint {qid}: ") and "Run this cell" in plain
    assert "".join(strip_tags(q.prompt).split()) in "".join(plain.split())      # code blocks keep their lines
    for text in getattr(q, "options", {}).values():
        assert " ".join(text.split()) in " ".join(plain.split())
    assert all(len(line) <= 88 for line in plain.splitlines() if not line.startswith("    "))   # wrapped at words
    answer = getattr(q, "answer", None) or getattr(q, "expected", None)
    assert answer is None or answer not in plain


def test_ask_displays_the_checkpoint_with_its_fallback(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj, **k: shown.append(obj))
    quiz.ask("03-detach")
    assert shown == [ALL["03-detach"]]
    from IPython.core.formatters import DisplayFormatter

    data, _ = DisplayFormatter().format(shown[0])
    assert data["text/plain"].startswith("Checkpoint 03-detach") and WIDGET_MIME in data


def test_a_saved_notebook_shows_the_fallback_not_the_repr(tmp_path):
    """Run a checkpoint cell in a real kernel, save, and read what the file holds."""
    nbformat = pytest.importorskip("nbformat")
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import gan_edu as ge\nge.quiz.ask('02-low-d-loss')"),
                nbformat.v4.new_code_cell("ge.quiz.predict('05-vanilla-modes')\n"
                                          "ge.quiz.reveal('05-vanilla-modes', run=lambda: print('SECRET') or 'few')")]
    env = {"GAN_EDU_PROGRESS": str(tmp_path / "p.json"), "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    finally:
        for k, v in old.items():
            os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)
    saved = json.dumps([c.outputs for c in nb.cells])                  # what the saved file shows
    plains = [o["data"]["text/plain"] for c in nb.cells for o in c.outputs if "data" in o]
    assert len(plains) == 3 and all(WIDGET_MIME in o["data"] for c in nb.cells for o in c.outputs if "data" in o)
    assert plains[0].startswith("Checkpoint 02-low-d-loss") and "Run this cell" in plains[0]
    assert "VBox(" not in saved and "SECRET" not in saved and "Why" not in saved
    assert "after you commit your prediction" in plains[2]


# --------------------------------------------------------------------------- lesson 08: the table and the export
def test_the_progress_table_has_separate_padded_headers():
    report = ProgressReport()
    heads = re.findall(r"<th style='([^']*)'>([^<]*)</th>", report.table.value)
    assert [h for _, h in heads] == list(COLUMNS)
    assert all("padding" in style for style, _ in heads)


def test_export_is_a_real_download_with_the_learner_inside(tmp_path, monkeypatch):
    monkeypatch.delenv("GAN_EDU_LEARNER", raising=False)
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    quiz.get("00-keep").widget  # noqa: B018
    q = ALL["00-keep"]
    q.select(next(k for k in q.options if quiz.answer_hash("00-keep", k) == q.answer)).check()
    report = ProgressReport(folder=tmp_path / "handin")
    with pytest.raises(ValueError, match="name: type your name"):
        report.export()
    (tmp_path / "handin").mkdir()
    report.name.value = "Ada L."
    path = report.export()
    doc = json.loads(path.read_text())
    assert doc["learner"] == "Ada L." and doc["answers"]["00-keep"]["correct"] is True
    assert record.STORE.learner() == "Ada L."                       # remembered for the next answers too
    link = re.search(r"<a class='ge-progress-download' download='([^']+)' href='data:application/json;base64,([^']+)'",
                     report.status.value)
    assert link and link.group(1) == path.name
    assert json.loads(base64.b64decode(link.group(2)))["answers"] == doc["answers"]
    assert str((tmp_path / "handin").absolute()) in report.status.value
    assert report.rows()[0]["answered"] == 1


def test_export_still_downloads_when_the_folder_cannot_be_written(tmp_path):
    report = ProgressReport(folder=tmp_path / "missing")
    assert report.export("bo") is None
    assert "ge-progress-download" in report.status.value and "Could not also save a copy" in report.status.value


def test_the_name_box_starts_with_a_known_learner(monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_USER", "student17")
    assert ProgressReport().name.value == "student17"


def test_the_export_button_shows_errors_in_the_widget():
    report = ProgressReport()
    report.name.value = "   "
    report.widget.children[1].children[1].click()
    assert "type your name" in report.status.value


def test_the_export_takes_the_name_the_page_shows(tmp_path, monkeypatch):
    """The name typed while the kernel was busy arrives with the click (gan_edu/quiz/submit.py): the
    kernel still holding the first keystroke must not export the record under "A"."""
    monkeypatch.delenv("GAN_EDU_LEARNER", raising=False)
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    report = ProgressReport(folder=tmp_path)
    report.name.value = "A"
    assert report.export_button.reads == [[f"anywidget:{report.name.model_id}", "value"]]
    report.export_button._handle_msg({"content": {"data": {"method": "custom", "content": {
        "event": "click", "values": ["Ada L."]}}}, "buffers": []})
    assert report.name.value == "Ada L." and record.STORE.learner() == "Ada L."
    assert json.loads((tmp_path / f"gan_edu_progress_Ada_L_{__import__('datetime').date.today().isoformat()}.json")
                      .read_text())["learner"] == "Ada L."
    report.export_button._handle_msg({"content": {"data": {"method": "custom", "content": {
        "event": "click", "values": [7]}}}, "buffers": []})
    assert "did not reach Python intact" in report.status.value


def test_a_code_prompt_keeps_its_lines_in_the_plain_fallback():
    plain = ALL["08-detach-cost"].plain_text()
    assert "\n    opt_d.zero_grad()\n    fake = G(z)\n" in plain and "\n\n    opt_g.zero_grad()" in plain
    assert "\nThe D step has no .detach()" in plain
