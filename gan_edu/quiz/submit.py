"""The quiz's Check / Commit button (and lesson 08's Export), whose click carries the answer the page shows.

With a stock ``ipywidgets.Button`` a checkpoint can score an answer the learner has already
changed. ipywidgets sends a widget's change to the kernel at once, but holds back a *second*
change of the same widget until the kernel has answered the first; a button click is never held
back. So while the kernel is busy (a lesson's Run All is still training, say), a learner who picks
one option, then another, then presses Check is scored on the first: the click reaches the kernel
before the second choice does. (The browser test ``test_quiz_scores_the_answer_on_the_page_while_the_kernel_is_busy``
showed exactly this: the page showed the right option chosen, the record held the wrong one.)

:func:`submit_button` makes a button (an ``anywidget``, :file:`submit.js`) that reads the answer's
widgets' values in the browser when it is clicked and sends them with the click; the kernel sets
those widgets to them (as if their own updates had arrived) before it scores. Python's
``button.click()`` scores what the kernel holds, as ``ipywidgets.Button.click`` does. A click whose
values cannot be set scores nothing and calls the ``on_unreadable`` callbacks instead.
"""
from __future__ import annotations

from pathlib import Path

ESM = Path(__file__).with_name("submit.js")
_CLASS = None


def _submit_class():
    """The widget class, made on first use (``anywidget`` and ``ipywidgets`` load only then)."""
    global _CLASS
    if _CLASS is None:
        import anywidget
        import traitlets

        class SubmitButton(anywidget.AnyWidget):
            """A button; ``reads`` lists ``(widget, trait)`` pairs whose browser-side values its click carries."""

            _esm = ESM
            description = traitlets.Unicode("Check").tag(sync=True)
            icon = traitlets.Unicode("check").tag(sync=True)
            button_style = traitlets.Unicode("primary").tag(sync=True)
            disabled = traitlets.Bool(False).tag(sync=True)
            css = traitlets.Unicode("ge-quiz-check").tag(sync=True)   # the <button>'s own CSS class(es)
            reads = traitlets.List().tag(sync=True)      # [["anywidget:<model id>", trait], ...]: host.getModel's refs

            def __init__(self, inputs=(), **kwargs):
                super().__init__(**kwargs)
                self.inputs = [(w, str(name)) for w, name in inputs]
                self.reads = [[f"anywidget:{w.model_id}", name] for w, name in self.inputs]
                self._handlers, self._unreadable = [], []
                self.on_msg(self._on_message)

            def on_click(self, callback) -> None:
                """Call ``callback(button)`` on every click, after the carried values are set."""
                self._handlers.append(callback)

            def on_unreadable(self, callback) -> None:
                """Call ``callback(button)`` instead when a click's values cannot be set (nothing is scored)."""
                self._unreadable.append(callback)

            def click(self) -> None:
                """What a click does, from Python: the handlers, with the values the kernel holds."""
                for handler in list(self._handlers):
                    handler(self)

            def _on_message(self, _widget, content, _buffers) -> None:
                if not isinstance(content, dict) or content.get("event") != "click":
                    return
                values = content.get("values")
                try:
                    if not isinstance(values, list) or len(values) != len(self.inputs):
                        raise ValueError(f"the click carried {values!r} for {len(self.inputs)} answer widget(s)")
                    for (widget, name), value in zip(self.inputs, values):
                        if getattr(widget, name) != value:
                            widget.set_state({name: value})     # what the widget's own update would do
                except (ValueError, TypeError, traitlets.TraitError):
                    for handler in list(self._unreadable):      # score nothing rather than another answer
                        handler(self)
                    return
                self.click()

        _CLASS = SubmitButton
    return _CLASS


def submit_button(description: str, icon: str, button_style: str, inputs, css: str = "ge-quiz-check"):
    """A button labelled ``description`` whose click first sets each ``(widget, trait)`` of
    ``inputs`` to the value the browser shows (see the module's docstring). ``css``: the class(es)
    of the page's ``<button>`` element. It is as wide as a stock button, or as its label needs."""
    return _submit_class()(inputs=inputs, description=description, icon=icon, button_style=button_style, css=css)
