"""Lessons 00 and 01: every predict-then-run checkpoint gives the lesson's answer, however the learner got there.

The notebooks' own code cells run here in-process, top to bottom, as Run All would. Then, for every
Prediction of the lesson, the learner commits the right answer, clicks around the lesson's widgets (the
explorer's "take 50 steps", its stage buttons, the sliders, "new z0, z1") and re-runs the reveal cell
twice: "right" both times, and the answer is scored once. The committed notebooks must show no outcome.
"""
import copy
import json
from pathlib import Path

import pytest

from gan_edu import quiz
from gan_edu.quiz.panel import RevealPanel
from gan_edu.quiz.questions import ALL

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
LESSONS = {"00": "00_welcome.ipynb", "01": "01_generator_forward_pass.ipynb"}
#: what each experiment prints: it must never be in a committed notebook (the outcome waits for a prediction)
PRINTED = ("mean distance from G(z) to the nearest real blob", "far / nearby:", "64 x 4 x 4   2x2 -> 4x4",
           "The run shows", "right</span>", "not this time")


def code_cells(lesson: str) -> list[str]:
    nb = json.loads((NOTEBOOKS / LESSONS[lesson]).read_text())
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


def predictions(lesson: str) -> list[str]:
    return [qid for qid, q in ALL.items() if q.lesson == lesson and isinstance(q, quiz.Prediction)]


def right_key(q) -> str:
    return next(k for k in q.options if quiz.answer_hash(q.qid, k) == q.expected)


def fresh(qid: str):
    """The bank question without session state (the bank's objects are shared by every test)."""
    q = copy.copy(ALL[qid])
    q._widget, q.panel, q.committed, q.shown_without_prediction, q._scored = None, None, None, False, None
    return q


@pytest.fixture
def shown(monkeypatch):
    """Everything the cells display, in order (no notebook frontend here)."""
    out = []
    monkeypatch.setattr("IPython.display.display", lambda *objs, **kw: out.extend(objs))
    return out


def run(source: str, ns: dict, name: str) -> None:
    exec(compile(source, name, "exec"), ns)


def click_around_00(ns: dict) -> None:
    ex = ns["explorer"]
    start = ex.trainer.state.step
    ex.step50_button.click()                     # "take 50 steps", twice, and single steps
    ex.step50_button.click()
    ex.step_button.click()
    for name in ("G(z)", "loss", "gradients"):
        ex.buttons[name].click()
    assert ex.trainer.state.step == start + 101  # the explorer really trained on


def click_around_01(ns: dict) -> None:
    latent, interp = ns["explorer"], ns["interp"]
    latent.z1_slider.value = -1.75               # dragging the sliders, switching generators
    latent.z2_slider.value = 2.0
    latent.chooser.value = "trained"
    latent.set_z(0.3, 0.4)
    interp.slider.value = 0.6
    interp.reroll_button.click()
    interp.reroll_button.click()


CLICKS = {"00": click_around_00, "01": click_around_01}


@pytest.mark.parametrize("lesson", sorted(LESSONS))
def test_every_prediction_is_right_after_any_clicks_however_often_it_runs(lesson, shown, monkeypatch):
    qids = predictions(lesson)
    assert qids, f"lesson {lesson} has no prediction"
    for qid in qids:
        monkeypatch.setitem(ALL, qid, fresh(qid))
    cells = code_cells(lesson)
    reveal_cells = {qid: next(src for src in cells if f'ge.quiz.reveal("{qid}", run=' in src) for qid in qids}
    ns: dict = {}
    for i, src in enumerate(cells):                                   # Run All
        run(src, ns, f"{lesson}[{i}]")
    for qid in qids:                                                  # waiting: nothing revealed yet
        assert not ALL[qid].panel.revealed, qid
    CLICKS[lesson](ns)
    for qid in qids:
        q = ALL[qid]
        q.select(right_key(q)).commit()
        assert q.panel.revealed and "right" in q.panel.note.value, qid     # the panel of Run All, revealed on commit
        CLICKS[lesson](ns)                                                 # more clicks after the commit
        for _ in range(2):                                                 # re-run the reveal cell, twice
            run(reveal_cells[qid], ns, f"{lesson}-reveal-{qid}")
            panel = shown[-1]
            assert isinstance(panel, RevealPanel) and panel.question is q, qid
            assert panel.revealed and panel.outcome == right_key(q), qid
            assert "right" in panel.note.value and "not this time" not in panel.note.value, qid
        assert quiz.progress()[qid]["attempts"] == 1 and quiz.progress()[qid]["correct"], qid


@pytest.mark.parametrize("lesson", sorted(LESSONS))
def test_every_prediction_uses_the_reveal_that_waits(lesson):
    cells = code_cells(lesson)
    for qid in predictions(lesson):
        assert any(f'ge.quiz.predict("{qid}")' in src for src in cells), qid
        assert sum(f'ge.quiz.reveal("{qid}", run=' in src for src in cells) == 1, qid
    assert not any("ge.quiz.reveal(" in src and "run=" not in src for src in cells), "the old reveal prints the outcome"


@pytest.mark.parametrize("lesson", sorted(LESSONS))
def test_the_committed_notebook_shows_no_outcome(lesson):
    nb = json.loads((NOTEBOOKS / LESSONS[lesson]).read_text())
    outputs = json.dumps([c.get("outputs", []) for c in nb["cells"]]) + json.dumps(nb["metadata"].get("widgets", {}))
    for text in PRINTED:
        assert text not in outputs, f"{LESSONS[lesson]} shows an outcome: {text!r}"
    reveals = [c for c in nb["cells"] if c["cell_type"] == "code" and "ge.quiz.reveal(" in "".join(c["source"])]
    assert len(reveals) == len(predictions(lesson))
    for cell in reveals:
        plain = "".join("".join(o["data"]["text/plain"]) for o in cell["outputs"] if "data" in o)
        assert "Its result appears here after you commit your prediction" in plain
