"""Lessons 02 and 03: every predict-then-run gives the lesson's answer to a learner who follows the text
(issue 9 §2), and the committed notebooks show no outcome.

The notebooks' own code cells run here, in order, in an IPython shell (what a kernel does), up to
each prediction's reveal cell. Then, for every Prediction: commit the right answer, click around the
lesson's widgets and change what the learner can change (the D trainer's buttons and slider, more
training of the lesson's trainer, the bug clinic), and re-run the reveal cell twice: "right" both
times, the same printed result every time, and the learner's trainer untouched by the experiment.
"""
import base64
import copy
import json
from pathlib import Path

import pytest
import torch
from helpers import params_of, same

from gan_edu import quiz
from gan_edu.quiz.questions import ALL

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
LESSON02 = NOTEBOOKS / "02_discriminator_score.ipynb"
LESSON03 = NOTEBOOKS / "03_gradient_flow.ipynb"
PREDICTIONS = {"02-keep-training": LESSON02, "03-d-step-grad": LESSON03, "03-stall": LESSON03}


def code_cells(path: Path) -> list[str]:
    return [c["source"] if isinstance(c["source"], str) else "".join(c["source"])
            for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]


def reveal_cell(path: Path, qid: str) -> int:
    cells = code_cells(path)
    found = [i for i, src in enumerate(cells) if f'ge.quiz.reveal("{qid}", run=' in src]
    assert len(found) == 1, f"{path.name}: exactly one cell reveals {qid} with run=, found {found}"
    return found[0]


def right_key(q) -> str:
    return next(k for k in q.options if quiz.answer_hash(q.qid, k) == q.expected)


class Kernel:
    """The notebook's code cells run in one IPython shell, as a kernel would run them."""

    def __init__(self, path: Path):
        from IPython.core.interactiveshell import InteractiveShell

        self.path, self.cells = path, code_cells(path)
        self.shell = InteractiveShell.instance()
        self.shell.reset(new_session=True)
        self.ran = 0

    def run(self, index: int) -> None:
        result = self.shell.run_cell(self.cells[index], store_history=False)
        result.raise_error()

    def run_until(self, index: int) -> None:
        """Run every cell not run yet, up to and including ``index``."""
        for i in range(self.ran, index + 1):
            self.run(i)
        self.ran = max(self.ran, index + 1)

    @property
    def ns(self) -> dict:
        return self.shell.user_ns


@pytest.fixture(scope="module")
def fresh_bank():
    """The lessons' predictions as fresh copies (the bank's objects are shared by every test)."""
    saved = {qid: ALL[qid] for qid in PREDICTIONS}
    for qid, q in saved.items():
        q = copy.copy(q)
        q._widget, q.panel, q.result, q.last_outcome = None, None, None, None
        q.committed, q.shown_without_prediction, q._scored = None, False, None
        ALL[qid] = q
    yield
    ALL.update(saved)


@pytest.fixture(scope="module")
def kernels(fresh_bank):
    from IPython.core.interactiveshell import InteractiveShell

    made = {}

    def get(path: Path) -> Kernel:
        if path not in made:
            made.clear()                  # one shell at a time: a new notebook starts from a clean namespace
            made[path] = Kernel(path)
        return made[path]

    yield get
    InteractiveShell.clear_instance()


def reveal_twice_right(kernel: Kernel, qid: str, fiddle) -> list:
    """Run up to the reveal, commit the right answer, then twice: ``fiddle`` with the lesson and re-run
    the reveal cell. The panel says "right" each time, the experiment prints the same thing, and the
    lesson's trainer ``tr`` is exactly as the fiddling left it. Returns the three panels."""
    cell = reveal_cell(kernel.path, qid)
    kernel.run_until(cell)
    q = quiz.get(qid)
    first = q.panel
    assert first is not None and not first.revealed                    # nothing shown before the prediction
    q.select(right_key(q)).commit()
    assert first.revealed and "right" in first.note.value, first.note.value
    panels = [first]
    for _ in range(2):
        fiddle(kernel.ns)
        tr = kernel.ns["tr"]
        learner = params_of(tr.G, tr.D)
        kernel.run(cell)
        assert same(learner, params_of(tr.G, tr.D)), "the experiment touched the learner's trainer"
        assert q.panel is not panels[-1]
        assert q.panel.revealed and "right" in q.panel.note.value and "not this time" not in q.panel.note.value
        panels.append(q.panel)
    assert [p.outcome for p in panels] == [right_key(q)] * 3
    assert len({p.captured.stdout for p in panels}) == 1, "the experiment printed different results on re-runs"
    assert all(len(line) <= 88 for line in first.captured.stdout.splitlines()), "lines a notebook would break"
    assert quiz.progress()[qid]["attempts"] == 1                        # one commitment, counted once
    return panels


# --------------------------------------------------------------------------- lesson 02
def test_lesson02_prediction_survives_clicks_and_resets(kernels):
    def fiddle(ns):
        w = ns["w"]
        w.per_click.value = 25
        w.train_button.click()
        w.scrub.value = 3
        w.reset_button.click()                 # the case: reset cleared the history the old reveal read
        w.train_d(7)
        torch.manual_seed(1234)                # and the global random state moved on
        torch.rand(100)

    kernel = kernels(LESSON02)
    panels = reveal_twice_right(kernel, "02-keep-training", fiddle)
    assert "D first reached 99 % accuracy" in panels[0].captured.stdout
    assert kernel.ns["w"].d_updates == 7 and not kernel.ns["w"].error


# --------------------------------------------------------------------------- lesson 03
def test_lesson03_predictions_survive_more_training_and_the_clinic(kernels):
    def fiddle(ns):
        ns["tr"].run(15, progress=False)       # the learner trains the lesson's GAN further
        ns["tr"].configure(lr_d=3e-3)
        ns["ge"].clinic.check_d_step(ns["ge"].clinic.reference_d_step)
        torch.manual_seed(99)
        torch.randn(10)

    kernel = kernels(LESSON03)
    for qid in ("03-d-step-grad", "03-stall"):
        reveal_twice_right(kernel, qid, fiddle)


# --------------------------------------------------------------------------- nothing spoiled on disk
@pytest.mark.parametrize("qid", sorted(PREDICTIONS))
def test_committed_notebooks_show_no_outcome(qid):
    """Nothing the experiment prints or draws, and no verdict, is in the committed notebook (outputs or
    stored widget state): the outcome lives only in a running kernel until the learner predicts."""
    from IPython.core.interactiveshell import InteractiveShell

    from gan_edu.quiz.panel import run_experiment

    path = PREDICTIONS[qid]
    text = path.read_text()
    assert "The run shows" not in text and "You predicted" not in text and "Why:" not in text
    cells = code_cells(path)
    shell = InteractiveShell.instance()
    try:
        shell.reset(new_session=True)
        definition = cells[reveal_cell(path, qid)].split("\nge.quiz.reveal")[0]
        for src in (cells[0], definition):                   # the imports, then the experiment's definition
            shell.run_cell(src, store_history=False).raise_error()
        _, _, captured = run_experiment(copy.copy(ALL[qid]), shell.user_ns["experiment"])
    finally:
        InteractiveShell.clear_instance()
    lines = [line.strip() for line in captured.stdout.splitlines() if len(line.strip()) > 20]
    assert lines, "the experiment prints what it measured"
    for line in lines:
        assert json.dumps(line)[1:-1] not in text, f"{path.name} shows the outcome line {line!r}"
    images = [o.data["image/png"] for o in captured.outputs if "image/png" in o.data]
    assert images, "the experiment draws its result"
    for png in images:
        encoded = png if isinstance(png, str) else base64.b64encode(png).decode()
        middle = len(encoded) // 2                            # past the header every matplotlib PNG shares
        assert encoded[middle:middle + 300] not in text, f"{path.name} holds the experiment's picture"
