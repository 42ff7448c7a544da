r"""Lesson 02: the discriminator as a learned real-vs-fake classifier (the maths is in
:mod:`gan_edu.lessons.scoring`: D returns a logit, sigmoid(logit) is its probability of "real",
and it minimises binary cross-entropy, i.e. maximises V(D, G)).

What is here:

* :class:`DTrainer` -- the widget: G is frozen, a button runs N discriminator updates
  (``trainer.step_d()``), a slider scrubs back through them; you see the heatmap of D(x)
  form, the histograms of D(real) and D(fake) pull apart, the accuracy and the BCE loss.
  Every control has a Python method (:meth:`DTrainer.train_d`, :meth:`DTrainer.reset`,
  :meth:`DTrainer.show`) for tests and scripts.
* The measurements the lesson prints live in :mod:`gan_edu.lessons.scoring` and are
  re-exported here (``from gan_edu.widgets import discriminator as dsc; dsc.score_d(...)``).

CSS classes (for browser tests): ``ge-dtrainer`` (the whole widget), ``ge-dtrainer-train``
(the "train D" button), ``ge-dtrainer-n`` (updates per click), ``ge-dtrainer-reset``,
``ge-dtrainer-scrub`` (slider over D updates), ``ge-dtrainer-status`` (the readout line),
``ge-dtrainer-view`` (the picture).
"""
from __future__ import annotations

import math
import textwrap
from typing import NamedTuple

import ipywidgets as W
import numpy as np
import torch

from .. import _check, viz
from ..lessons.scoring import (
    DScore,
    GSignal,
    KeepTraining,
    _check_trainer,
    bce_by_hand,
    check_claims,
    compare_g_signal,
    first_reaching,
    format_signal_table,
    g_signal,
    held_out,
    keep_training,
    lesson_trainer,
    score_d,
    train_d_only,
    with_discriminator,
)
from ..viz import discriminator as vd
from ._base import FigureView, Guarded, Shown, button, per_click_menu, set_quietly

__all__ = ["DTrainer", "DScore", "GSignal", "bce_by_hand", "score_d", "train_d_only", "first_reaching",
           "g_signal", "compare_g_signal", "format_signal_table", "with_discriminator", "lesson_trainer", "held_out",
           "KeepTraining", "keep_training", "check_claims", "PER_CLICK_CHOICES"]

#: the choices of the "updates per click" menu
PER_CLICK_CHOICES = (1, 5, 10, 25, 50, 100)


# --------------------------------------------------------------------------- the widget
class _Record(NamedTuple):
    update: int
    score: DScore
    heat: np.ndarray
    batch_loss: float


class DTrainer(Shown, Guarded):
    """Train only the discriminator of ``trainer`` against its frozen generator, and watch.

    Each click of **train D xN** runs N calls of ``trainer.step_d()`` (one D update each: a
    fresh real batch and a fresh fake batch from the *unchanged* G, BCE with real = 1 and
    fake = 0). After every update D is scored on fixed held-out samples (``n_eval`` real and
    ``n_eval`` fake): accuracy, BCE, the histograms of D(real) and D(fake), and the heatmap
    of D(x) over the plane, so the **slider** can go back to any earlier update.
    **reset** puts the trainer back exactly as it was when the widget was made.

    Python: :meth:`train_d`, :meth:`reset`, :meth:`show`; read :attr:`d_updates`,
    :attr:`accuracy`, :attr:`loss`, :attr:`batch_loss`, :attr:`history`, :attr:`g_unchanged`.
    The data must be 2D and the trainer's loss ``"minimax"`` or ``"non_saturating"``.
    """

    fallback_title = ("The D trainer of lesson 02, an interactive widget: G stays frozen while its buttons train only D "
                      "(N updates per click) and a slider goes back to any earlier update; it shows D(x) over the "
                      "plane with the real and fake samples, the histograms of D(real) and D(fake), and D's accuracy "
                      "and BCE loss after every update")

    def __init__(self, trainer, n_eval: int = 500, per_click: int = 10, n_grid: int = 48, extent=None,
                 eval_seed: int = 0, max_per_call: int = 5000):
        _check_trainer(trainer)
        if tuple(trainer.data.shape) != (2,):
            raise ValueError(f"DTrainer draws the plane: the data must be 2D points, got samples of shape {tuple(trainer.data.shape)}")
        self.trainer = trainer
        self.n_eval = _check.integer("n_eval", n_eval, minimum=10)
        self.n_grid = _check.integer("n_grid", n_grid, minimum=8)
        self.max_per_call = _check.positive_int("max_per_call", max_per_call)
        eval_seed = _check.integer("eval_seed", eval_seed, minimum=0)
        self.extent = viz.plane_extent(trainer.data) if extent is None else vd._extent(extent)
        self.real_eval, self.z_eval = held_out(trainer, self.n_eval, eval_seed)
        self._start = trainer.snapshot()
        self._g_start = [p.detach().clone() for p in trainer.G.parameters()]
        self._start_updates = trainer.state.d_updates
        self.records: list[_Record] = []
        self.shown = 0
        self._build(_check.one_of("per_click", per_click, PER_CLICK_CHOICES))
        self._measure()
        self.show(0)

    def plain_text(self) -> str:
        """What a notebook shows where it cannot draw the widget, wrapped at words."""
        return textwrap.fill(super().plain_text(), 88)

    # ------------------------------------------------------------------ widget
    def _build(self, per_click: int) -> None:
        self.picture = vd.DTrainerFigure(self.extent, self.real_eval, self.fake_eval())
        self.fig = self.picture.fig
        self.view = FigureView(self.fig, css_class="ge-dtrainer-view")
        width, _ = self.fig.get_size_inches() * self.fig.dpi           # shown at the size it is drawn, never scaled up
        self.view.image.layout.width = f"{round(width)}px"
        self.train_button = button(f"train D ×{per_click}", "ge-dtrainer-train", lambda: self._guarded(self.train_d),
                                   icon="play", style="success", tooltip="run N discriminator updates; G stays frozen",
                                   width="auto")
        self.per_click = per_click_menu(PER_CLICK_CHOICES, per_click, "updates per click", "ge-dtrainer-n", "200px",
                                        self.train_button, "train D ×{}")
        self.reset_button = button("reset", "ge-dtrainer-reset", self.reset, icon="undo",
                                   tooltip="back to the untrained D", width="auto")
        self.scrub = W.IntSlider(value=0, min=0, max=0, description="show D after update", continuous_update=False,
                                 style={"description_width": "initial"}, layout=W.Layout(width="640px", max_width="100%"))
        self.scrub.add_class("ge-dtrainer-scrub")
        self.scrub.observe(self._on_scrub, names="value")
        self.status = W.HTML()
        self.status.add_class("ge-dtrainer-status")
        for part in (self.train_button, self.per_click):
            part.layout.margin = "0 12px 0 0"
        controls = W.HBox([self.train_button, self.per_click, self.reset_button], layout=W.Layout(align_items="center"))
        self.widget = W.VBox([controls, self.status, self.view.image, self.scrub])
        self.widget.add_class("ge-dtrainer")

    # ------------------------------------------------------------------ python API
    def train_d(self, n: int | None = None) -> DTrainer:
        """Run ``n`` D updates (default: the "updates per click" value) with G frozen, score D
        after each, and show the last one. Returns self."""
        n = self.per_click.value if n is None else _check.positive_int("n", n)
        if n > self.max_per_call:
            raise ValueError(f"n must be <= {self.max_per_call} per call, got {n}")
        for _ in range(n):
            self.trainer.step_d()
            self._measure()
        self._sync_scrub(len(self.records) - 1)
        self.show(len(self.records) - 1)
        return self

    def reset(self) -> DTrainer:
        """Put the trainer back as it was when the widget was made (D, G, optimisers, random
        state) and forget the recorded updates."""
        self.trainer.restore(self._start)
        self.records.clear()
        self.error = None
        self._measure()
        self._sync_scrub(0)
        self.show(0)
        return self

    def show(self, update: int) -> DTrainer:
        """Show D as it was after ``update`` D updates (0 = before training)."""
        update = _check.integer("update", update, minimum=0, maximum=len(self.records) - 1)
        self.shown = update
        if self.scrub.value != update:
            self._sync_scrub(update)
        self._draw()
        return self

    @property
    def d_updates(self) -> int:
        """D updates run through this widget since it was made (or reset)."""
        return len(self.records) - 1

    @property
    def accuracy(self) -> float:
        """D's accuracy on the held-out samples after the latest update."""
        return self.records[-1].score.accuracy

    @property
    def loss(self) -> float:
        """D's BCE on the held-out samples (BCE on real + BCE on fake) after the latest update."""
        return self.records[-1].score.bce

    @property
    def batch_loss(self) -> float:
        """D's loss on the training batch of the latest update (nan before the first)."""
        return self.records[-1].batch_loss

    @property
    def score(self) -> DScore:
        """The full :class:`DScore` after the latest update."""
        return self.records[-1].score

    @property
    def history(self) -> dict[str, np.ndarray]:
        """Arrays over the recorded updates: ``updates``, ``accuracy``, ``bce``, ``batch_loss``,
        ``d_real`` and ``d_fake`` (mean probabilities on held-out samples)."""
        r = self.records
        return {"updates": np.array([x.update for x in r]), "accuracy": np.array([x.score.accuracy for x in r]),
                "bce": np.array([x.score.bce for x in r]), "batch_loss": np.array([x.batch_loss for x in r]),
                "d_real": np.array([x.score.p_real.mean() for x in r]),
                "d_fake": np.array([x.score.p_fake.mean() for x in r])}

    @property
    def g_unchanged(self) -> bool:
        """True if G's parameters are exactly what they were when the widget was made."""
        return self._g_fixed()

    def _g_fixed(self) -> bool:
        return all(torch.equal(a, b) for a, b in zip(self._g_start, self.trainer.G.parameters()))

    def fake_eval(self) -> torch.Tensor:
        """G's samples for the fixed held-out noise (G is frozen, so they do not move)."""
        return self.trainer.sample(self.n_eval, z=self.z_eval)

    # ------------------------------------------------------------------ internals
    def _measure(self) -> None:
        tr = self.trainer
        score = score_d(tr, self.real_eval, self.fake_eval())
        heat = viz.d_grid(tr, self.extent, n=self.n_grid).astype(np.float32)
        batch_loss = tr.state.loss_d if self.records else math.nan
        self.records.append(_Record(tr.state.d_updates - self._start_updates, score, heat, batch_loss))

    def _draw(self) -> None:
        rec = self.records[self.shown]
        h = self.history
        self.picture.update(rec.heat, rec.score.p_real, rec.score.p_fake, h["updates"], h["accuracy"], h["bce"],
                            current=rec.update, title=f"D(x) after {rec.update} D update{'s' if rec.update != 1 else ''}",
                            fake=None if self._g_fixed() else self.fake_eval())
        self.view.refresh()
        self._update_status()

    def _update_status(self) -> None:
        rec = self.records[self.shown]
        s = rec.score
        g = "G frozen: its parameters are unchanged" if self.g_unchanged else "<b>G has changed</b> (it was stepped elsewhere)"
        parts = [f"<b>D updates: {self.d_updates}</b>"]
        if self.shown != self.d_updates:
            parts.append(f"showing update {rec.update}")
        parts += [f"accuracy {s.accuracy:.1%}", f"BCE {s.bce:.3f}",
                  f"mean D(real) {s.p_real.mean():.2f}", f"mean D(fake) {s.p_fake.mean():.2f}", g]
        self.status.value = self._with_error(" · ".join(parts))

    def _sync_scrub(self, value: int) -> None:
        set_quietly(self.scrub, self._on_scrub, max=max(len(self.records) - 1, 0), value=value)

    def _on_scrub(self, change) -> None:
        self.show(change["new"])

    def __repr__(self) -> str:
        return f"<DTrainer d_updates={self.d_updates} accuracy={self.accuracy:.3f} loss={self.loss:.3f}>"
