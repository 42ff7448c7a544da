"""The three kinds of checkpoint: :class:`MultipleChoice`, :class:`Numeric`, :class:`Prediction`.

A question is plain data (id, prompt, options, feedback, the salted hash of its answer); its
ipywidgets view is built on first display, and ipywidgets is imported only then, so the question
bank can be read without a notebook stack (the class report does). Every answer goes to the
progress record (:mod:`gan_edu.quiz.record`).
"""
from __future__ import annotations

import hashlib
import html
import math
import re

from .. import _check
from . import record

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


def strip_tags(text: str) -> str:
    """Plain text from the small HTML used in prompts and feedback."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def _widgets():
    import ipywidgets

    return ipywidgets


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
    def widget(self):
        if self._widget is None:
            self._widget = self._build()
            self._widget.add_class("ge-quiz")
        return self._widget

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)

    def _frame(self, body: list, button):
        W = _widgets()
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

    def _log(self, answer, correct: bool, **kw) -> record.SaveResult:
        """Record one answer and say on the widget whether it was saved."""
        result = record.STORE.add(self.qid, self.lesson, self.kind, answer, correct, **kw)
        self._say_saved(result)
        return result

    def _say_saved(self, result: record.SaveResult) -> None:
        if self._widget is None:
            return
        if result.notice:
            self.feedback.value += notice_html(result.notice)
        if self.status.value:
            self.status.value += (" · saved" if result.saved else
                                  " · <b style='color:#b42318'>not saved</b>: kept in memory only")


def notice_html(message: str) -> str:
    """A warning box for the quiz's own feedback area (seen even when the learner clicked a button,
    whose printed warnings would go to the log, not the page)."""
    return (f"<div class='ge-quiz-warning' style='border-left:4px solid #b54708;background:#fffaeb;"
            f"padding:4px 8px;margin-top:6px'>&#9888; {html.escape(message)}</div>")


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
        W = _widgets()
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
        self._log(sorted(chosen) if self.multiple else chosen[0], ok)
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
        W = _widgets()
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

    def check(self) -> bool | None:
        self.widget  # noqa: B018
        value = float(self.entry.value)
        if not math.isfinite(value):
            self._show(None, "Type a number.")
            return None
        ok = answer_hash(self.qid, round(value / self.step)) in self.accepted
        self._show(ok, self.explanation if ok else (self.hint or "Have another look and try again."))
        self._log(value, ok)
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
        W = _widgets()
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
            self._show(ok, f"{self.option_feedback[outcome]} {self.explanation}")
            self._log(self.committed, ok)
        return f"{text}\n{verdict}\nWhy: {strip_tags(self.option_feedback[outcome])}"
