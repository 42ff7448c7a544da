"""Predict, then run, without spoilers: the reveal panel of a :class:`~gan_edu.quiz.Prediction`.

``ge.quiz.reveal(qid, run=experiment)`` calls ``experiment()`` (which builds its own fixed, seeded
starting state, so every call shows the same thing), holds back everything it printed or
displayed, checks its outcome against the one the lesson claims, and shows a panel that reveals
the outcome -- what the run displayed, the verdict and why -- only once the learner has committed
a prediction (the panel updates by itself when they do) or clicked "show me without predicting".
Until then the outcome lives only in the kernel: not in the cell's output, not in the widget's state.
"""
from __future__ import annotations

import base64
import html

from .question import ClaimFailed, Prediction, _label, _widgets

__all__ = ["RevealPanel", "run_experiment", "ClaimFailed"]


def run_experiment(question: Prediction, run, outcome_of=None):
    """Call ``run()`` with its output captured; returns ``(outcome, result, captured)``.

    The outcome key is ``outcome_of(result)`` if given, else the result itself when it is a
    string, else ``result.outcome``. Raises ClaimFailed (nothing printed) if it is not the
    outcome the lesson expects."""
    from IPython.utils.capture import capture_output

    if not callable(run):
        raise TypeError(f"run must be a function that runs the experiment, got {run!r}")
    with capture_output() as captured:
        result = run()
    outcome = outcome_of(result) if outcome_of is not None else (
        result if isinstance(result, str) else getattr(result, "outcome", None))
    if not isinstance(outcome, str):
        raise TypeError(f"{question.qid}: run() must return an outcome key (one of {sorted(question.options)}) or an "
                        f"object with an .outcome, or pass outcome_of=; got {type(result).__name__}")
    question.result = result
    question.check_outcome(outcome)
    return outcome, result, captured


def _output_widgets(captured) -> list:
    """What the experiment printed and displayed, as widgets (filled in only at the reveal)."""
    W = _widgets()
    from ..widgets._base import Picture

    out = []
    for text in (captured.stdout, captured.stderr):
        if text.strip():
            out.append(W.HTML(f"<pre style='{_PRE}'>{html.escape(text)}</pre>"))
    for rich in captured.outputs:
        data = rich.data
        if "image/png" in data:
            png = data["image/png"]
            png = base64.b64decode(png) if isinstance(png, str) else png
            width = int.from_bytes(png[16:20], "big")       # the PNG header's width: shown at its own size,
            plain = " ".join(str(data.get("text/plain", "")).split())        # viz.show's alt text, unwrapped
            alt = plain if plain.startswith("A figure") else None
            out.append(Picture(alt=alt or "A figure the experiment drew", value=png, format="png",   # not stretched
                               layout=W.Layout(width=f"{width}px", max_width="100%", height="auto")))
        elif "text/html" in data:
            out.append(W.HTML(data["text/html"]))
        elif "text/plain" in data:
            out.append(W.HTML(f"<pre style='{_PRE}'>{html.escape(data['text/plain'])}</pre>"))
    return out


# printed text wraps at spaces (JupyterLab's output CSS would otherwise break it anywhere, even mid-word)
_PRE = "white-space:pre-wrap;word-break:normal;overflow-wrap:break-word;margin:4px 0"


class RevealPanel:
    """The outcome of one run of a prediction's experiment, shown once the prediction is committed."""

    def __init__(self, question: Prediction, outcome: str, captured):
        W = _widgets()
        self.question, self.outcome, self.captured = question, outcome, captured
        self.note = W.HTML()
        self.show_button = W.Button(description="Show me without predicting", icon="eye", layout=W.Layout(width="auto"))
        self.show_button.add_class("ge-reveal-show")
        self.show_button.on_click(lambda _: self.show_without_predicting())
        self.body = W.VBox([])
        self.body.add_class("ge-reveal-body")
        self.widget = W.VBox([self.note, self.show_button, self.body],
                             layout=W.Layout(border="1px dashed #bbb", padding="8px", margin="8px 0", max_width="820px"))
        self.widget.add_class("ge-reveal")
        self.revealed = False
        question.panel = self
        self.update()

    def plain_text(self) -> str:
        return (f"Predict, then run ({self.question.qid}): the experiment has run.\nIts result appears here after you "
                "commit your prediction above.\nRun this cell in Jupyter to see it.")

    def update(self) -> None:
        """Reveal if the prediction is committed (or the learner asked to see it); else say what to do."""
        q = self.question
        if q.committed is None and not q.shown_without_prediction:
            self.note.value = ("<b>The experiment has run.</b> Commit your prediction in the checkpoint above and its "
                               "result appears here, by itself (no need to run this cell again).")
            return
        if self.revealed:
            return
        self.revealed = True
        self.show_button.layout.display = "none"
        self.body.children = tuple(_output_widgets(self.captured))
        self.note.value = self.verdict_html()
        q.score(self.outcome)

    def verdict_html(self) -> str:
        q, outcome = self.question, self.outcome
        head = f"<b>The run shows:</b> {_label(q.options[outcome])}."
        if q.committed is None:
            verdict = "You saw this without predicting."
        elif q.committed == outcome:
            verdict = f"You predicted {_label(q.options[q.committed])}: <span style='color:#1a7f37'>right</span>."
        else:
            verdict = (f"You predicted {_label(q.options[q.committed])}: <span style='color:#b42318'>not this "
                       f"time</span>. {q.option_feedback[q.committed]}")
        why = q.option_feedback[outcome] + (f" {q.explanation}" if q.explanation else "")
        return f"{head} {verdict}<br><b>Why:</b> {why}"

    def show_without_predicting(self) -> None:
        self.question.show_without_predicting()
        self.update()

    def _repr_mimebundle_(self, **kwargs):
        widget_bundle = getattr(self.widget, "_repr_mimebundle_", None)      # None once the widget is closed
        bundle = (widget_bundle(**kwargs) or {}) if widget_bundle else {}
        return {**bundle, "text/plain": self.plain_text()}
