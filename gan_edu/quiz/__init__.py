"""Quiz checkpoints that report back to Python.

Three kinds, all ipywidgets (JupyterLab, Voila, classic):

* :class:`MultipleChoice` -- one answer (radio buttons) or several (check boxes);
  every option has its own feedback that explains *why*; retries are allowed.
* :class:`Numeric` -- a number, accepted within a tolerance band, with targeted
  feedback for the common wrong answers (a forgotten factor, a sign error, ...).
* :class:`Prediction` -- "predict, then run": the learner commits a prediction
  (it locks); the experiment's outcome is shown only after that.

Answers are never written in a notebook or on the page: a question stores
salted hashes of its accepted answers and the check happens in Python. The
options appear in an order shuffled per learner (the same in every session),
and the record stores the option's key, never its position. The questions
live in :mod:`gan_edu.quiz.questions`; a notebook shows one with
``ge.quiz.ask("03-detach")``. Options carry the misconception they signal
(:mod:`gan_edu.quiz.misconceptions`).

Predict, then run
-----------------
Two cells. The first shows the prediction::

    ge.quiz.predict("00-toward-ring")

The second runs the lesson's experiment **inside** the reveal::

    def experiment():                             # its own fixed, seeded start: the same
        tr = build_trainer(seed=0)                 # outcome however often it runs (never the
                                                   # trainer the learner has clicked on)
        result = train_and_compare(tr, steps=200)
        viz.show(result.figure)                   # shown only at the reveal
        print(result)
        return result.outcome                     # an option key, e.g. "closer"

    ge.quiz.reveal("00-toward-ring", run=experiment)

``reveal`` calls ``experiment()``, holds back everything it prints or shows,
and checks its outcome against the one the lesson claims (the question stores
its salted hash, ``expected=``): a different outcome raises
:class:`ClaimFailed` without printing it, so a test run of the notebook
(nbval) fails when the claim is false. The cell then shows a panel that reveals
the outcome, the verdict and why only when the learner has committed a
prediction -- it updates by itself when they commit later, so nothing needs
re-running (Voila cannot re-run cells) -- or clicks "Show me without
predicting" (recorded as ``shown_without_prediction``). Its saved output
holds no outcome. If ``run`` returns an object, pass ``outcome_of=`` (e.g.
``outcome_of=lambda r: r.winner()``) or give it an ``.outcome``; the object is
kept as ``ge.quiz.get(qid).result`` for later cells.

The old form ``ge.quiz.reveal(qid, outcome_key)`` still works: it prints the
outcome and why at once (so its saved output spoils the prediction).

The record
----------
Everything answered is kept in the progress record (:mod:`gan_edu.quiz.record`):
``gan_edu_progress.json`` in the working directory, or the file named by
``$GAN_EDU_PROGRESS``. It is written after every check, atomically and under a
lock, so two notebooks open at once add up their answers; if it cannot be
written, the answers stay in memory and the checkpoint says so.
``ge.quiz.set_learner("ada")`` puts a name in the record (a hub's
``$JUPYTERHUB_USER`` or ``$GAN_EDU_LEARNER`` is used otherwise).

This package imports ipywidgets only when a checkpoint is first shown, so
:mod:`gan_edu.quiz.record` and the question bank can be read without it.
"""
from __future__ import annotations

from pathlib import Path

from . import record
from .question import ClaimFailed, MultipleChoice, Numeric, Prediction, Question, answer_hash, numeric_hashes

__all__ = ["MultipleChoice", "Numeric", "Prediction", "ClaimFailed", "ask", "predict", "reveal", "get", "progress",
           "save_progress", "reset_progress", "progress_path", "summary", "answer_hash", "numeric_hashes",
           "set_learner", "learner"]


# --------------------------------------------------------------------------- progress
def progress_path() -> Path:
    """Where the record is written: ``$GAN_EDU_PROGRESS`` or ``gan_edu_progress.json``."""
    return record.STORE.path


def progress() -> dict[str, dict]:
    """Everything answered so far (this session and earlier ones saved in the progress file):
    ``{question_id: {"lesson", "kind", "attempts", "correct", "first_try", "answers", "time", ...}}``."""
    return record.STORE.answers()


def summary() -> dict[str, dict]:
    """Per lesson: questions answered, answered correctly, and right at the first try."""
    out: dict[str, dict] = {}
    for rec in progress().values():
        if rec["attempts"] == 0:          # a prediction's outcome seen without predicting
            continue
        s = out.setdefault(rec["lesson"], {"answered": 0, "correct": 0, "first_try": 0})
        s["answered"] += 1
        s["correct"] += bool(rec["correct"])
        s["first_try"] += bool(rec["first_try"])
    return dict(sorted(out.items()))


def save_progress(path=None) -> Path:
    """Write the record now: to the progress file (``path`` None; raises OSError saying why if it
    cannot be written -- the answers stay in memory), or a complete copy to ``path``."""
    if path is not None:
        return record.STORE.export(path)
    result = record.STORE.flush()
    if not result.saved:
        raise OSError(f"the progress record cannot be written to {result.path}: {result.problem}")
    return result.path


def reset_progress(delete_file: bool = False) -> None:
    """Forget this session's unsaved answers and learner name (and delete the progress file if asked)."""
    record.STORE.reset(delete_file)


def set_learner(name: str) -> None:
    """Put your name or id in the progress record (remembered there, for your instructor)."""
    result = record.STORE.set_learner(name)
    print(f"Answers are recorded for {record.STORE.learner()!r}"
          + (f" in {result.path}." if result.saved else " (in memory only: see the warning)."))


def learner() -> str | None:
    """Who the record is for: :func:`set_learner`, else ``$GAN_EDU_LEARNER``, else ``$JUPYTERHUB_USER``."""
    return record.STORE.learner()


# --------------------------------------------------------------------------- the bank
def _bank() -> dict[str, Question]:
    from . import questions as checkpoints

    return checkpoints.ALL


def get(qid: str) -> Question:
    """The question object with id ``qid`` from :mod:`gan_edu.quiz.questions` (the same object every
    time). A renamed question's old id (``questions.RENAMED``) gives its replacement."""
    from .questions import RENAMED

    bank = _bank()
    qid = RENAMED.get(qid, qid)
    if qid not in bank:
        raise ValueError(f"no checkpoint {qid!r}; known: {', '.join(sorted(bank))}")
    return bank[qid]


def ask(qid: str) -> None:
    """Show checkpoint ``qid`` in the notebook (``get(qid)`` gives the question object)."""
    from IPython.display import display

    q = get(qid)
    result = record.STORE.touch()         # a record that cannot be written is reported now, not after an answer
    display(q)                            # the widget, with a readable text/plain fallback
    q._say_saved(result)


def predict(qid: str) -> None:
    """Show a predict-then-run checkpoint; the experiment cell later calls :func:`reveal`."""
    if not isinstance(get(qid), Prediction):
        raise ValueError(f"{qid} is not a prediction question")
    ask(qid)


def reveal(qid: str, outcome: str | None = None, *, run=None, outcome_of=None) -> None:
    """Show what the experiment of prediction ``qid`` shows, once the learner has committed a prediction.

    New form: ``reveal(qid, run=experiment)`` runs ``experiment()`` now, holds its output back and
    shows a panel that reveals it after the prediction (see the module docstring). Old form:
    ``reveal(qid, "outcome_key")`` prints the outcome and why at once."""
    from IPython.display import display

    q = get(qid)
    if not isinstance(q, Prediction):
        raise ValueError(f"{qid} is not a prediction question")
    if (run is None) == (outcome is None):
        raise TypeError("reveal takes either run=experiment (a function) or an outcome key, not both or neither")
    if run is None:
        print(q.reveal(outcome))
        return
    from .panel import RevealPanel, run_experiment

    key, _, captured = run_experiment(q, run, outcome_of)
    display(RevealPanel(q, key, captured))


def _main(argv=None) -> None:
    """Authoring helper: hashes for a new question."""
    import argparse

    ap = argparse.ArgumentParser(prog="python -m gan_edu.quiz", description="hashes for writing checkpoints")
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("choice", help="hash of the correct option key(s)")
    c.add_argument("qid")
    c.add_argument("keys", nargs="+")
    n = sub.add_parser("numeric", help="hashes of the accepted range")
    n.add_argument("qid")
    n.add_argument("low", type=float)
    n.add_argument("high", type=float)
    n.add_argument("step", type=float)
    args = ap.parse_args(argv)
    if args.cmd == "choice":
        print(answer_hash(args.qid, args.keys if len(args.keys) > 1 else args.keys[0]))
    else:
        print(numeric_hashes(args.qid, args.low, args.high, args.step))


if __name__ == "__main__":
    _main()
