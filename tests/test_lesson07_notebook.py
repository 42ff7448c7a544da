"""Lesson 07's notebook as a learner meets it (issue 9 §2, issue 13).

* The committed notebook shows no prediction's outcome: not in the outputs, not in the stored
  widget state (what GitHub, nbviewer and a reopened notebook show).
* Predict, then run: in a real kernel, after Run All, commit the right answer for every prediction,
  click around the lesson's widgets, run each reveal cell again, twice: "right" both times, counted
  once. (Each experiment starts from the lesson's snapshot of the trained G, never from what the
  widgets touched.) Runs the whole lesson once: about 40 s of CPU.
"""
import json
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from gan_edu import quiz
from gan_edu.quiz.question import strip_tags

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "notebooks" / "07_dcgan_digits.ipynb"


def predictions(nb) -> list[str]:
    return re.findall(r'ge\.quiz\.predict\("([^"]+)"\)', "\n".join(c.source for c in nb.cells if c.cell_type == "code"))


def reveal_cells(nb) -> dict[str, str]:
    out = {}
    for c in nb.cells:
        m = re.search(r'ge\.quiz\.reveal\("([^"]+)"', c.source) if c.cell_type == "code" else None
        if m:
            out[m.group(1)] = c.source
    return out


def test_the_committed_lesson_shows_no_outcome():
    nb = nbformat.read(LESSON, as_version=4)
    qids = predictions(nb)
    assert qids == ["07-collapse", "07-ten-copies"] and set(reveal_cells(nb)) == set(qids)
    saved = json.dumps([c.get("outputs", []) for c in nb.cells]) + json.dumps(nb.metadata.get("widgets", {}))
    assert "The run shows" not in saved and "You predicted" not in saved
    for qid in qids:
        for text in quiz.get(qid).option_feedback.values():          # every "why", right or wrong
            assert strip_tags(text)[:60] not in saved, qid
    plains = [o["data"]["text/plain"] for c in nb.cells for o in c.get("outputs", []) if "data" in o]
    assert sum("the experiment has run" in p for p in plains) == len(qids)
    assert not any(p.startswith(("VBox(", "HBox(")) for p in plains)
    assert not any(o.get("output_type") == "error" or o.get("name") == "stderr" for c in nb.cells for o in c.get("outputs", []))


PROBE = """
from gan_edu import quiz

def right(q):
    return next(k for k in q.options if quiz.answer_hash(q.qid, k) == q.expected)

for qid in {qids!r}:
    q = quiz.get(qid)
    q.select(right(q)).commit()
    print("committed", qid, "revealed at once:", q.panel.revealed and "right" in q.panel.note.value)
# click around the lesson's widgets, as a learner would
walk.set_alpha(0.3); walk.reroll_button.click(); walk.slider.value = 0.8
nudge.set_dim(5).set_amount(-2.5); nudge.reroll_button.click(); nudge.amount_slider.value = 1.0
live.update()
quiz.get("07-eye").select(next(k for k in quiz.get("07-eye").options if quiz.answer_hash("07-eye", k) != quiz.get("07-eye").answer)).check()
"""

CHECK = """
q = quiz.get({qid!r})
print("rerun", {qid!r}, q.panel.revealed and "right" in q.panel.note.value, quiz.progress()[{qid!r}]["attempts"])
"""


@pytest.mark.timeout(900)
def test_every_prediction_stays_right_after_clicks_and_reruns(tmp_path, monkeypatch):
    monkeypatch.setenv("GAN_EDU_PROGRESS", str(tmp_path / "progress.json"))
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    nb = nbformat.read(LESSON, as_version=4)
    qids = predictions(nb)
    extra = [nbformat.v4.new_code_cell(PROBE.format(qids=qids))]
    for qid, source in reveal_cells(nb).items():
        for _ in range(2):
            extra += [nbformat.v4.new_code_cell(source), nbformat.v4.new_code_cell(CHECK.format(qid=qid))]
    nb.cells += extra
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    printed = "".join(o.get("text", "") for c in extra for o in c.outputs if o.get("output_type") == "stream")
    for qid in qids:
        assert f"committed {qid} revealed at once: True" in printed
        assert printed.count(f"rerun {qid} True 1") == 2, printed
