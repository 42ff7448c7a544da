"""Quiz checkpoints that report back to Python.

Three kinds, all ipywidgets (JupyterLab, Voila, classic):

* :class:`MultipleChoice` -- one answer (radio buttons) or several (check boxes);
  every option has its own feedback that explains *why*; retries are allowed.
* :class:`Numeric` -- a number, accepted within a tolerance band.
* :class:`Prediction` -- "predict, then run": the learner commits a prediction
  (it locks), a later cell runs the experiment and calls :func:`reveal` with
  what actually happened.

Answers are never written in a notebook or on the page: a question stores
salted hashes of its accepted answers and the check happens in Python. The
questions themselves live in :mod:`gan_edu.quiz.questions` and a notebook shows
one with ``ge.quiz.ask("03-detach")``.

Everything answered is kept: :func:`progress` returns it, and it is saved after
every check to ``gan_edu_progress.json`` in the working directory (or the
path in ``$GAN_EDU_PROGRESS``) so an instructor can collect it.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import html
import json
import math
import os
from pathlib import Path

import ipywidgets as W

from .. import _check

__all__ = ["MultipleChoice", "Numeric", "Prediction", "ask", "predict", "reveal", "get", "progress",
           "save_progress", "reset_progress", "progress_path", "summary", "answer_hash", "numeric_hashes"]

SALT = "gan_edu.quiz.v1"
_RIGHT, _WRONG = "✔", "✘"


def answer_hash(qid: str, answer) -> str:
    """The salted hash a question stores for an accepted ``answer`` (an option key, a list of
    keys for several answers, or an integer grid index for numeric questions)."""
    if isinstance(answer, (list, tuple, set, frozenset)):
        answer = ",".join(sorted(map(str, answer)))
    return hashlib.sha256(f"{SALT}|{qid}|{answer}".encode()).hexdigest()[:20]


def numeric_hashes(qid: str, low: float, high: float, step: float) -> list[str]:
    """Hashes of every multiple of ``step`` in [low, high]: what a :class:`Numeric` stores
    (an authoring helper: ``python -m gan_edu.quiz numeric QID LOW HIGH STEP``)."""
    return [answer_hash(qid, k) for k in range(math.ceil(low / step - 1e-9), math.floor(high / step + 1e-9) + 1)]


# --------------------------------------------------------------------------- progress
_progress: dict[str, dict] = {}


def progress_path() -> Path:
    return Path(os.environ.get("GAN_EDU_PROGRESS", "gan_edu_progress.json"))


def _read_file() -> dict:
    path = progress_path()
    try:
        data = json.loads(path.read_text())
        return data.get("answers", {}) if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def progress() -> dict[str, dict]:
    """Everything answered so far (this session and earlier ones saved in the progress file):
    ``{question_id: {"lesson", "kind", "attempts", "correct", "first_try", "answers", "time"}}``."""
    merged = _read_file()
    merged.update(_progress)
    return {k: dict(v) for k, v in sorted(merged.items())}


def summary() -> dict[str, dict]:
    """Per lesson: questions answered, answered correctly, and right at the first try."""
    out: dict[str, dict] = {}
    for rec in progress().values():
        s = out.setdefault(rec["lesson"], {"answered": 0, "correct": 0, "first_try": 0})
        s["answered"] += 1
        s["correct"] += bool(rec["correct"])
        s["first_try"] += bool(rec["first_try"])
    return dict(sorted(out.items()))


def save_progress(path=None) -> Path:
    """Write :func:`progress` as JSON (to ``path`` or the default progress file); returns the path."""
    path = Path(path) if path is not None else progress_path()
    payload = {"format": "gan_edu.progress", "saved": _now(), "answers": progress()}
    path.write_text(json.dumps(payload, indent=1))
    return path


def reset_progress(delete_file: bool = False) -> None:
    """Forget this session's answers (and delete the progress file if asked)."""
    _progress.clear()
    if delete_file and progress_path().exists():
        progress_path().unlink()


def _now() -> str:
    return _dt.datetime.now().isoformat(timespec="seconds")


def _log(question: Question, answer, correct: bool) -> None:
    rec = _progress.get(question.qid) or _read_file().get(question.qid) or {
        "lesson": question.lesson, "kind": question.kind, "attempts": 0, "correct": False,
        "first_try": None, "answers": []}
    rec["attempts"] += 1
    if rec["first_try"] is None:
        rec["first_try"] = bool(correct)
    rec["correct"] = bool(rec["correct"] or correct)
    rec["answers"] = (rec["answers"] + [answer])[-10:]
    rec["time"] = _now()
    _progress[question.qid] = rec
    try:
        save_progress()
    except OSError:          # a read-only folder must not break the lesson
        pass


# --------------------------------------------------------------------------- questions
class Question:
    """Shared parts: an id (``"03-detach"``; the lesson is the part before the dash), a prompt
    (HTML, with $math$), a widget built on first display."""

    kind = "question"

    def __init__(self, qid: str, prompt: str, explanation: str = ""):
        if not isinstance(qid, str) or "-" not in qid:
            raise ValueError(f"qid must look like '03-detach' (lesson-name), got {qid!r}")
        self.qid, self.prompt, self.explanation = qid, prompt, explanation
        self.lesson = qid.split("-", 1)[0]
        self._widget = None

    @property
    def widget(self) -> W.VBox:
        if self._widget is None:
            self._widget = self._build()
            self._widget.add_class("ge-quiz")
        return self._widget

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)

    def _frame(self, body: list, button: W.Button) -> W.VBox:
        self.feedback = W.HTMLMath(value="", layout=W.Layout(margin="4px 0 0 0"))
        self.feedback.add_class("ge-quiz-feedback")
        self.status = W.HTML(value="")
        self.status.add_class("ge-quiz-status")
        title = W.HTMLMath(value=f"<b>Checkpoint {html.escape(self.qid)}</b> &nbsp; {self.prompt}")
        title.add_class("ge-quiz-prompt")
        button.add_class("ge-quiz-check")
        return W.VBox([title, *body, W.HBox([button, self.status]), self.feedback],
                      layout=W.Layout(border="1px solid #bbb", padding="8px", margin="8px 0", max_width="820px"))

    def _show(self, ok: bool | None, text: str) -> None:
        mark = "" if ok is None else (f"<span style='color:#1a7f37'>{_RIGHT} Right.</span> " if ok
                                      else f"<span style='color:#b42318'>{_WRONG} Not quite.</span> ")
        self.feedback.value = mark + text
        self.status.value = "" if ok is None else ("correct" if ok else "try again")


class MultipleChoice(Question):
    """Choose one option (or several, ``multiple=True``). ``options`` maps a key to the option
    text, ``feedback`` maps each key to why it is right or wrong, ``answer`` is the salted hash
    of the correct key (or keys) from :func:`answer_hash`."""

    kind = "choice"

    def __init__(self, qid: str, prompt: str, options: dict[str, str], feedback: dict[str, str], answer: str,
                 multiple: bool = False, explanation: str = ""):
        super().__init__(qid, prompt, explanation)
        if not options or set(feedback) != set(options):
            raise ValueError(f"{qid}: feedback must have one entry per option ({sorted(options)}), got {sorted(feedback)}")
        self.options, self.option_feedback, self.answer, self.multiple = dict(options), dict(feedback), answer, multiple

    def _build(self):
        if self.multiple:
            self.boxes = {k: W.Checkbox(value=False, description=v, indent=False, layout=W.Layout(width="auto"))
                          for k, v in self.options.items()}
            for box in self.boxes.values():
                box.add_class("ge-quiz-option")
            chooser = W.VBox(list(self.boxes.values()))
        else:
            self.choice = W.RadioButtons(options=[(v, k) for k, v in self.options.items()], value=None,
                                         layout=W.Layout(width="auto"))
            self.choice.add_class("ge-quiz-options")
            chooser = self.choice
        self.button = W.Button(description="Check", button_style="primary", icon="check")
        self.button.on_click(lambda _: self.check())
        return self._frame([chooser], self.button)

    def selected(self) -> list[str]:
        self.widget  # noqa: B018 - build on first use
        if self.multiple:
            return [k for k, b in self.boxes.items() if b.value]
        return [] if self.choice.value is None else [self.choice.value]

    def select(self, *keys: str) -> MultipleChoice:
        """Set the answer from Python (what a click does): ``q.select("b")``."""
        self.widget  # noqa: B018
        unknown = set(keys) - set(self.options)
        if unknown:
            raise ValueError(f"unknown option(s) {sorted(unknown)}; options are {sorted(self.options)}")
        if self.multiple:
            for k, b in self.boxes.items():
                b.value = k in keys
        else:
            if len(keys) != 1:
                raise ValueError("this question takes exactly one answer")
            self.choice.value = keys[0]
        return self

    def check(self) -> bool | None:
        """Score the current selection, show the feedback, log it. Returns True/False (None if nothing chosen)."""
        chosen = self.selected()
        if not chosen:
            self._show(None, "Choose an answer first.")
            return None
        ok = answer_hash(self.qid, chosen if self.multiple else chosen[0]) == self.answer
        notes = "<br>".join(f"<b>{html.escape(self.options[k])}</b>: {self.option_feedback[k]}" for k in chosen)
        if ok and self.explanation:
            notes += f"<br>{self.explanation}"
        if not ok and self.multiple:
            notes += "<br><i>Some of your choices are right and some are not, or one is missing.</i>"
        self._show(ok, notes)
        _log(self, chosen, ok)
        return ok


class Numeric(Question):
    """A number. ``accepted`` holds the hashes of the multiples of ``step`` that count as right
    (made with :func:`numeric_hashes`); ``hint`` is shown after a wrong answer."""

    kind = "numeric"

    def __init__(self, qid: str, prompt: str, step: float, accepted: list[str], hint: str = "", explanation: str = "",
                 unit: str = ""):
        super().__init__(qid, prompt, explanation)
        self.step = _check.positive("step", step)
        self.accepted, self.hint, self.unit = set(accepted), hint, unit

    def _build(self):
        self.entry = W.FloatText(value=0.0, description="Your answer:", style={"description_width": "initial"},
                                 layout=W.Layout(width="260px"))
        self.entry.add_class("ge-quiz-number")
        self.button = W.Button(description="Check", button_style="primary", icon="check")
        self.button.on_click(lambda _: self.check())
        unit = W.HTML(self.unit)
        return self._frame([W.HBox([self.entry, unit])], self.button)

    def answer_with(self, value: float) -> Numeric:
        self.widget.children  # noqa: B018
        self.entry.value = value
        return self

    def check(self) -> bool:
        self.widget  # noqa: B018
        value = float(self.entry.value)
        ok = math.isfinite(value) and answer_hash(self.qid, round(value / self.step)) in self.accepted
        self._show(ok, self.explanation if ok else (self.hint or "Have another look and try again."))
        _log(self, value, ok)
        return ok


class Prediction(Question):
    """Predict, then run. The learner picks an option and commits (it locks); the experiment
    cell calls ``reveal(qid, outcome_key)`` with what the run actually showed."""

    kind = "prediction"

    def __init__(self, qid: str, prompt: str, options: dict[str, str], feedback: dict[str, str], explanation: str = ""):
        super().__init__(qid, prompt, explanation)
        if set(feedback) != set(options):
            raise ValueError(f"{qid}: feedback must have one entry per option")
        self.options, self.option_feedback = dict(options), dict(feedback)
        self.committed: str | None = None

    def _build(self):
        self.choice = W.RadioButtons(options=[(v, k) for k, v in self.options.items()], value=None,
                                     layout=W.Layout(width="auto"))
        self.choice.add_class("ge-quiz-options")
        self.button = W.Button(description="Commit my prediction", button_style="warning", icon="lock",
                               layout=W.Layout(width="auto"))
        self.button.on_click(lambda _: self.commit())
        return self._frame([self.choice], self.button)

    def select(self, key: str) -> Prediction:
        self.widget  # noqa: B018
        self.choice.value = key
        return self

    def commit(self) -> str | None:
        self.widget  # noqa: B018
        if self.choice.value is None:
            self._show(None, "Choose a prediction first.")
            return None
        self.committed = self.choice.value
        self.choice.disabled = self.button.disabled = True
        self._show(None, f"Prediction locked: <b>{html.escape(self.options[self.committed])}</b>. "
                         "Now run the next cell and compare.")
        self.status.value = "committed"
        return self.committed

    def reveal(self, outcome: str) -> str:
        if outcome not in self.options:
            raise ValueError(f"outcome must be one of {sorted(self.options)}, got {outcome!r}")
        text = f"The run shows: {self.options[outcome].rstrip('.')}."
        if self.committed is None:
            verdict = "No prediction was committed above: make one, then re-run this cell."
        else:
            ok = self.committed == outcome
            verdict = f"You predicted: {self.options[self.committed].rstrip('.')} -- {'right' if ok else 'not this time'}."
            _log(self, self.committed, ok)
            self._show(ok, f"{self.option_feedback[outcome]} {self.explanation}")
        return f"{text}\n{verdict}\nWhy: {_strip_tags(self.option_feedback[outcome])}"


def _strip_tags(text: str) -> str:
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", text))


# --------------------------------------------------------------------------- the bank
def _bank() -> dict[str, Question]:
    from . import questions as checkpoints

    return checkpoints.ALL


def get(qid: str) -> Question:
    """The question object with id ``qid`` from :mod:`gan_edu.quiz.questions` (the same object every time)."""
    bank = _bank()
    if qid not in bank:
        raise ValueError(f"no checkpoint {qid!r}; known: {', '.join(sorted(bank))}")
    return bank[qid]


def ask(qid: str) -> None:
    """Show checkpoint ``qid`` in the notebook (``get(qid)`` gives the question object)."""
    from IPython.display import display

    display(get(qid).widget)


def predict(qid: str) -> None:
    """Show a predict-then-run checkpoint; the experiment cell later calls :func:`reveal`."""
    if not isinstance(get(qid), Prediction):
        raise ValueError(f"{qid} is not a prediction question")
    ask(qid)


def reveal(qid: str, outcome: str) -> None:
    """Print what the run showed against the learner's committed prediction for ``qid``."""
    q = get(qid)
    if not isinstance(q, Prediction):
        raise ValueError(f"{qid} is not a prediction question")
    print(q.reveal(outcome))


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
