"""The three kinds of checkpoint: :class:`MultipleChoice`, :class:`Numeric`, :class:`Prediction`.

A question is plain data (id, prompt, options, feedback for every option, the salted hash of
its answer, the misconception each wrong option signals); its ipywidgets view is built on first
display, and ipywidgets is imported only then, so the question bank can be read without a
notebook stack (the class report does). Every answer goes to the progress record
(:mod:`gan_edu.quiz.record`), always as an option *key*, never a position: the options are shown
in an order shuffled per learner (stable for that learner across sessions).
"""
from __future__ import annotations

import hashlib
import html
import math
import random
import re
import textwrap

from .. import _check
from . import misconceptions, record
from .submit import submit_button

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


def plain_prompt(prompt: str) -> str:
    """A prompt as plain text: its prose on one line, each code block (``<pre>``) on its own lines, indented."""
    parts = re.split(r"<pre[^>]*>(.*?)</pre>", prompt, flags=re.S)
    out = []
    for i, part in enumerate(parts):
        if i % 2:                       # inside <pre>: keep the code's lines
            out.append("\n" + "\n".join(f"    {line}".rstrip() for line in strip_tags(part).splitlines()) + "\n")
        elif part.strip():
            out.append(" ".join(strip_tags(part).split()))
    return "".join(out).strip()


def _wrap(text: str, width: int) -> list[str]:
    """``text``'s lines wrapped at words; an indented line (code, an option) keeps its indent, and its
    continuation lines are indented two more spaces; code lines (4+ spaces) are never broken."""
    out = []
    for line in text.splitlines():
        indent = len(line) - len(line.lstrip(" "))
        if indent >= 4 or len(line) <= width:
            out.append(line)
            continue
        out.extend(textwrap.wrap(line, width, subsequent_indent=" " * (indent + 2 if indent else 2),
                                 break_long_words=False, break_on_hyphens=False))
    return out


def _widgets():
    import ipywidgets

    return ipywidgets


# --------------------------------------------------------------------------- the common frame
class Question:
    """Shared parts: an id (``"03-detach"``; the lesson is the part before the dash), a prompt
    (HTML, with $math$), a widget built on first display."""

    kind = "question"

    def __init__(self, qid: str, prompt: str, explanation: str = ""):
        if not isinstance(qid, str) or not re.fullmatch(r"\d\d-[a-z0-9-]+", qid):
            raise ValueError(f"qid must look like '03-detach' (two-digit lesson, dash, lower-case name), got {qid!r}")
        self.qid, self.prompt, self.explanation = qid, prompt, explanation
        self.lesson = qid.split("-", 1)[0]
        self._widget = None

    @property
    def widget(self):
        if self._widget is None:
            self._widget = self._build()
            self._widget.add_class("ge-quiz")
            self._say_earlier()
            self._say_saved(None)             # building may have met a record problem (the option order reads it)
        return self._widget

    def _say_earlier(self) -> None:
        """A checkpoint answered in an earlier session (the record has it) says so when it is shown again,
        so a learner who restarted the kernel sees that nothing was lost (answering again adds an attempt)."""
        if self.status.value:                 # a restored prediction already says what it holds
            return
        entry = record.STORE.saved().get(self.qid) or {}
        if not entry.get("attempts"):
            return
        verdict = ("right first time" if entry.get("first_try") else "right" if entry.get("correct") else "not right yet")
        self.status.value = f"answered earlier: {verdict} · {entry['attempts']} attempt{'s' * (entry['attempts'] != 1)} saved"

    def _repr_mimebundle_(self, include=None, exclude=None):
        """What a notebook stores for the checkpoint: the live widget, plus a readable ``text/plain``
        (question, options, "run this cell") for every place that cannot draw the widget: GitHub,
        nbviewer, a notebook opened before its cells run. Never the raw ``VBox(children=...)`` repr."""
        widget_bundle = getattr(self.widget, "_repr_mimebundle_", None)      # None once the widget is closed
        bundle = dict(widget_bundle(include=include, exclude=exclude) or {}) if widget_bundle else {}
        bundle["text/plain"] = self.plain_text()
        return bundle

    def plain_text(self, width: int = 88) -> str:
        """The checkpoint as text, wrapped at words to ``width`` columns (code lines are kept whole)."""
        lines = [f"Checkpoint {self.qid}: {plain_prompt(self.prompt)}", *self._plain_body(),
                 "(Run this cell in Jupyter to answer.)"]
        return "\n".join(_wrap("\n".join(lines), width))

    def _plain_body(self) -> list[str]:
        return []

    def misconceptions_of(self, answer) -> tuple[str, ...]:
        """The misconception ids a given (wrong) answer signals (for the class report)."""
        return ()

    def _frame(self, body: list, button):
        W = _widgets()
        self.feedback = W.HTMLMath(value="", layout=W.Layout(margin="4px 0 0 0"))
        self.feedback.add_class("ge-quiz-feedback")
        self.status = W.HTML(value="")
        self.status.add_class("ge-quiz-status")
        self.notes = W.HTML(value="")          # warnings about the progress record: kept when feedback changes
        self.notes.add_class("ge-quiz-notes")
        title = W.HTMLMath(value=f"<b>Checkpoint {html.escape(self.qid)}</b> &nbsp; {self.prompt}")
        title.add_class("ge-quiz-prompt")           # (the button's own <button> has the class ge-quiz-check)
        return W.VBox([title, *body, W.HBox([button, self.status]), self.feedback, self.notes],
                      layout=W.Layout(border="1px solid #bbb", padding="8px", margin="8px 0", max_width="820px"))

    def _unreadable(self, _button) -> None:
        self._show(None, "Your answer did not reach Python intact, so it was not scored: choose it again and "
                         "press the button again.")

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

    def _say_saved(self, result: record.SaveResult | None) -> None:
        """Show record warnings not shown yet (once each) and, after an answer, whether it was saved."""
        if self._widget is None:
            return
        for message in record.STORE.take_notices():
            self.notes.value += notice_html(message)
        if result is not None and self.status.value:
            self.status.value += (" · saved" if result.saved else
                                  " · <b style='color:#b42318'>not saved</b>: kept in memory only")


def notice_html(message: str) -> str:
    """A warning box in the checkpoint itself (seen even when the learner clicked a button, whose
    printed warnings would go to JupyterLab's log, not the page)."""
    return (f"<div class='ge-quiz-warning' style='border-left:4px solid #b54708;background:#fffaeb;"
            f"padding:4px 8px;margin-top:6px'>&#9888; {html.escape(message)}</div>")


def _label(text: str) -> str:
    """An option as it appears inside feedback: bold, without a closing full stop (no '.:')."""
    return f"<b>{html.escape(text.rstrip('.'))}</b>"


class _Options(Question):
    """A question with options: ``options`` maps a key to the option's text (plain text: radio
    labels show no HTML), ``feedback`` maps every key to why that option is right or wrong,
    ``misconceptions`` maps a key to the misconception id(s) choosing it signals
    (:mod:`gan_edu.quiz.misconceptions`). The options are shown in an order shuffled per learner,
    unless ``ordered`` (a scale such as "fewer than 10 / 10 to 50 / more than 50")."""

    def __init__(self, qid: str, prompt: str, options: dict[str, str], feedback: dict[str, str], *,
                 misconceptions: dict | None = None, ordered: bool = False, explanation: str = ""):
        super().__init__(qid, prompt, explanation)
        if not isinstance(options, dict) or len(options) < 2 or not all(
                isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in options.items()):
            raise ValueError(f"{qid}: options must map at least two string keys to option texts, got {options!r}")
        if not isinstance(feedback, dict) or set(feedback) != set(options):
            raise ValueError(f"{qid}: feedback must have one entry per option ({sorted(options)}), got {sorted(feedback or {})}")
        tags = dict(misconceptions or {})
        if set(tags) - set(options):
            raise ValueError(f"{qid}: misconceptions name unknown options {sorted(set(tags) - set(options))}")
        self.options, self.option_feedback, self.ordered = dict(options), dict(feedback), bool(ordered)
        self.misconceptions = {k: _tags(v) for k, v in tags.items()}

    def misconceptions_of(self, answer) -> tuple[str, ...]:
        keys = [answer] if isinstance(answer, str) else list(answer or ())
        return tuple(t for k in keys for t in self.misconceptions.get(k, ()))

    def display_order(self, seed_id: str | None = None) -> list[str]:
        """The option keys in the order this learner sees them: shuffled with a seed made from the
        learner's id (or the record's anonymous id) and the question id, so it is the same in every
        session and differs between neighbours."""
        keys = list(self.options)
        if self.ordered:
            return keys
        seed_id = seed_id if seed_id is not None else record.STORE.seed_id()
        digest = hashlib.sha256(f"{seed_id}|{self.qid}".encode()).hexdigest()
        random.Random(int(digest[:16], 16)).shuffle(keys)
        return keys

    def _plain_body(self) -> list[str]:
        several = getattr(self, "multiple", False)
        rows = [f"  {'[ ]' if several else '( )'} {self.options[k]}" for k in getattr(self, "order", None) or self.display_order()]
        return rows + (["  (Several answers can be right.)"] if several else [])

    def _radio(self):
        W = _widgets()
        self.order = self.display_order()
        choice = W.RadioButtons(options=[(self.options[k], k) for k in self.order], value=None,
                                layout=W.Layout(width="auto"))
        choice.add_class("ge-quiz-options")
        return choice


def _tags(value) -> tuple[str, ...]:
    return misconceptions.check(value)


# --------------------------------------------------------------------------- multiple choice
class MultipleChoice(_Options):
    """Choose one option (or several, ``multiple=True``). ``answer`` is the salted hash of the
    correct key (or keys) from :func:`answer_hash`."""

    kind = "choice"

    def __init__(self, qid: str, prompt: str, options: dict[str, str], feedback: dict[str, str], answer: str,
                 multiple: bool = False, explanation: str = "", *, misconceptions: dict | None = None,
                 ordered: bool = False):
        super().__init__(qid, prompt, options, feedback, misconceptions=misconceptions, ordered=ordered,
                         explanation=explanation)
        self.answer, self.multiple = answer, bool(multiple)

    def _build(self):
        W = _widgets()
        if self.multiple:
            self.order = self.display_order()
            self.boxes = {k: W.Checkbox(value=False, description=self.options[k], indent=False,
                                        layout=W.Layout(width="auto")) for k in self.order}
            for box in self.boxes.values():
                box.add_class("ge-quiz-option")
            chooser = W.VBox(list(self.boxes.values()))
            shown = [(box, "value") for box in self.boxes.values()]
        else:
            self.choice = chooser = self._radio()
            shown = [(self.choice, "index")]
        self.button = submit_button("Check", "check", "primary", shown)
        self.button.on_click(lambda _: self.check())
        self.button.on_unreadable(self._unreadable)
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

    def is_right(self, keys) -> bool:
        keys = list(keys) if not isinstance(keys, str) else [keys]
        return answer_hash(self.qid, keys if self.multiple else keys[0]) == self.answer

    def check(self) -> bool | None:
        """Score the current selection, show the feedback, log it. Returns True/False (None if nothing chosen)."""
        chosen = [k for k in self.order if k in self.selected()] if self.multiple else self.selected()
        if not chosen:
            self._show(None, "Choose an answer first.")
            return None
        ok = self.is_right(chosen)
        notes = "<br>".join(f"{_label(self.options[k])}: {self.option_feedback[k]}" for k in chosen)
        if ok and self.explanation:
            notes += f"<br>{self.explanation}"
        if not ok and self.multiple:
            notes += "<br><i>Some of your choices are right and some are not, or one is missing.</i>"
        self._show(ok, notes)
        self._log(sorted(chosen) if self.multiple else chosen[0], ok)
        return ok


# --------------------------------------------------------------------------- numbers
class Numeric(Question):
    """A number. ``accepted`` holds the hashes of the multiples of ``step`` that count as right
    (made with :func:`numeric_hashes`). ``wrong`` lists common wrong answers with targeted
    feedback: ``(low, high, feedback)`` or ``(low, high, feedback, misconception_id)``, e.g.
    ``(0.68, 0.70, "That is one of the two halves: ...")``; any other wrong answer gets ``hint``."""

    kind = "numeric"

    def __init__(self, qid: str, prompt: str, step: float, accepted: list[str], hint: str = "", explanation: str = "",
                 unit: str = "", wrong=()):
        super().__init__(qid, prompt, explanation)
        self.step = _check.positive("step", step)
        self.accepted, self.hint, self.unit = set(accepted), hint, unit
        self.wrong = [self._wrong_range(w) for w in wrong]

    def _wrong_range(self, w) -> tuple[float, float, str, tuple[str, ...]]:
        if not isinstance(w, tuple) or len(w) not in (3, 4):
            raise ValueError(f"{self.qid}: each wrong answer is (low, high, feedback[, misconception]), got {w!r}")
        low = _check.number("low", w[0])
        high = _check.number("high", w[1], minimum=low)
        if not isinstance(w[2], str) or not w[2].strip():
            raise ValueError(f"{self.qid}: wrong answer {w!r} needs feedback text")
        return low, high, w[2], _tags(w[3]) if len(w) == 4 else ()

    def diagnose(self, value: float) -> tuple[str, tuple[str, ...]] | None:
        """The targeted feedback and misconception ids for a common wrong ``value`` (None if none fits)."""
        for low, high, text, tags in self.wrong:
            if low <= value <= high:
                return text, tags
        return None

    def misconceptions_of(self, answer) -> tuple[str, ...]:
        found = self.diagnose(float(answer)) if isinstance(answer, (int, float)) else None
        return found[1] if found else ()

    def accepts(self, value: float) -> bool:
        return math.isfinite(value) and answer_hash(self.qid, round(value / self.step)) in self.accepted

    def _build(self):
        W = _widgets()
        self.entry = W.FloatText(value=0.0, description="Your answer:", style={"description_width": "initial"},
                                 layout=W.Layout(width="260px"))
        self.entry.add_class("ge-quiz-number")
        self.button = submit_button("Check", "check", "primary", [(self.entry, "value")])
        self.button.on_click(lambda _: self.check())
        self.button.on_unreadable(self._unreadable)
        unit = W.HTML(self.unit)
        return self._frame([W.HBox([self.entry, unit])], self.button)

    def _plain_body(self) -> list[str]:
        return [f"  Your answer: ________ {self.unit}".rstrip()]

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
        ok = self.accepts(value)
        if ok:
            text = self.explanation
        else:
            found = self.diagnose(value)
            text = found[0] if found else (self.hint or "Have another look and try again.")
        self._show(ok, text)
        self._log(value, ok)
        return ok


# --------------------------------------------------------------------------- predictions
class ClaimFailed(AssertionError):
    """An experiment did not show the outcome its lesson claims (so a test of the lesson fails)."""


class Prediction(_Options):
    """Predict, then run. The learner picks an option and commits (it locks); the experiment's
    outcome is shown only after that, or after an explicit "show me without predicting".

    ``expected`` is the salted hash of the outcome key the lesson claims (:func:`answer_hash`);
    a run that shows a different outcome raises :class:`ClaimFailed` without printing it.
    ``feedback`` says, for every option, why that prediction is right or wrong. See
    :func:`gan_edu.quiz.reveal` for the notebook side."""

    kind = "prediction"

    def __init__(self, qid: str, prompt: str, options: dict[str, str], feedback: dict[str, str],
                 explanation: str = "", *, expected: str | None = None, misconceptions: dict | None = None,
                 ordered: bool = False):
        super().__init__(qid, prompt, options, feedback, misconceptions=misconceptions, ordered=ordered,
                         explanation=explanation)
        self.expected = expected
        self.committed: str | None = None
        self.shown_without_prediction = False
        self.result = self.last_outcome = None     # what the last experiment returned / showed
        self.panel = None                           # the latest reveal panel (it updates on commit)
        self._scored: tuple | None = None
        self._restored = False                      # committed in an earlier session: already in the record

    def _build(self):
        self.choice = self._radio()
        self.button = submit_button("Commit my prediction", "lock", "warning", [(self.choice, "index")])
        self.button.on_click(lambda _: self.commit())
        self.button.on_unreadable(self._unreadable)
        frame = self._frame([self.choice], self.button)
        self._restore()
        return frame

    def _restore(self) -> None:
        """A prediction the record already holds (from an earlier session: a kernel restart, another
        day) is shown locked, as it was: its outcome may have been seen since, so it cannot be made
        again, nor be scored twice."""
        if self.committed is not None or self.shown_without_prediction:
            return
        entry = record.STORE.saved().get(self.qid) or {}
        earlier = [k for k in entry.get("answers", ()) if k in self.options]
        if entry.get("attempts", 0) and earlier:
            self.committed, self._restored = earlier[0], True
            self._lock(f"You committed {_label(self.options[self.committed])} in an earlier session (it is in your "
                       "progress record), so this prediction stays locked. Run the experiment's cell to see how it went.",
                       "committed earlier")
            self.choice.value = self.committed
        elif entry.get("shown_without_prediction"):
            self.shown_without_prediction = True
            self._lock("You chose to see this outcome without predicting in an earlier session (recorded), so this "
                       "prediction is closed.", "closed")

    def _lock(self, text: str, status: str) -> None:
        self.choice.disabled = self.button.disabled = True
        self._show(None, text)
        self.status.value = status

    def _show(self, ok: bool | None, text: str) -> None:
        super()._show(ok, text)
        if ok is not None:                        # a scored prediction is locked: there is no "try again"
            self.status.value = "your prediction was right" if ok else "prediction recorded: not this time"

    def select(self, key: str) -> Prediction:
        self.widget  # noqa: B018
        if key not in self.options:
            raise ValueError(f"unknown option {key!r}; options are {sorted(self.options)}")
        self.choice.value = key
        return self

    def commit(self) -> str | None:
        """Lock the selected prediction; a reveal panel that is waiting shows its outcome now."""
        self.widget  # noqa: B018
        if self.shown_without_prediction:
            self._show(None, "You have seen the outcome already, so this prediction is closed.")
            return None
        if self.committed is not None:
            self._show(None, f"Your prediction is locked already: {_label(self.options[self.committed])}.")
            return None
        if self.choice.value is None:
            self._show(None, "Choose a prediction first.")
            return None
        self.committed = self.choice.value
        self._lock(f"Prediction locked: {_label(self.options[self.committed])}. The experiment's result "
                   "appears below its cell (by itself, if that cell has already run).", "committed")
        if self.panel is not None:
            self.panel.update()
        return self.committed

    def check_outcome(self, outcome: str) -> str:
        """``outcome`` if it is an option and the one the lesson expects; else ValueError / ClaimFailed."""
        if outcome not in self.options:
            raise ValueError(f"outcome must be one of {sorted(self.options)}, got {outcome!r}")
        self.last_outcome = outcome
        if self.expected is not None and answer_hash(self.qid, outcome) != self.expected:
            raise ClaimFailed(
                f"{self.qid}: the experiment did not show the outcome lesson {self.lesson} claims, so the lesson's claim "
                f"does not hold for this run. (The outcome is not printed, so the prediction stays unspoiled; it is in "
                f"ge.quiz.get({self.qid!r}).last_outcome.) Check the experiment's set-up and seed, or the claim.")
        return outcome

    def score(self, outcome: str) -> bool | None:
        """Compare the committed prediction with ``outcome``: feedback on the prediction widget, one
        logged attempt per commitment (re-running a reveal does not count again). None if nothing committed."""
        if self.committed is None:
            return None
        ok = self.committed == outcome
        text = self.option_feedback[outcome] + (f" {self.explanation}" if self.explanation else "")
        if not ok:
            text = (f"The run shows: {_label(self.options[outcome])}. {text}<br>About your prediction, "
                    f"{_label(self.options[self.committed])}: {self.option_feedback[self.committed]}")
        if self._widget is not None:
            self._show(ok, text)
        if self._scored != (self.committed, outcome):
            self._scored = (self.committed, outcome)
            if not self._restored:                 # a restored prediction was scored in its own session
                self._log(self.committed, ok)
        return ok

    def show_without_predicting(self) -> None:
        """The learner asked to see the outcome without predicting: recorded as such, prediction closed."""
        if self.committed is not None or self.shown_without_prediction:
            return
        self.shown_without_prediction = True
        if self._widget is not None:
            self._lock("You chose to see the outcome without predicting (recorded); this prediction is closed.", "")
        self._log(None, False, attempt=False, shown_without_prediction=True)

    def reveal(self, outcome: str) -> str:
        """The old form, as text: what the run showed, against the committed prediction, and why.
        (It prints the outcome: :func:`gan_edu.quiz.reveal` with ``run=`` does not spoil.)"""
        self.check_outcome(outcome)
        text = f"The run shows: {self.options[outcome].rstrip('.')}."
        if self.committed is None:
            verdict = "No prediction was committed above: make one, then re-run this cell."
        else:
            ok = self.score(outcome)
            verdict = f"You predicted: {self.options[self.committed].rstrip('.')} -- {'right' if ok else 'not this time'}."
        return f"{text}\n{verdict}\nWhy: {strip_tags(self.option_feedback[outcome])}"
