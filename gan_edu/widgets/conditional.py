r"""Widgets of lesson 09 (a conditional GAN on the digits): steer G by class, and see what z does.

* :class:`TrainingProgress` -- a progress bar and a line of numbers that stay on the page after
  training (a tqdm bar that vanishes leaves "model not found" in a saved notebook);
* :class:`DigitGrid` -- "draw me a 7": pick a class and see a grid of G's samples of it, with the
  independent judge's verdict on each (a dashed red frame where it names another digit);
* :class:`SameNoise` -- one z fixed, only the class changes: the same handwriting, another digit;
* :class:`NoiseWalk` -- one class fixed, z walks from z0 to z1: the same digit, the handwriting changes.

Every picture is drawn pixel-exact from numpy arrays (each image pixel a ``scale`` x ``scale`` square)
and shown at exactly that size, never stretched. Each widget has a readable text/plain fallback
(:class:`~gan_edu.widgets._base.Shown`) and can be driven from Python (what the clicks do):
``grid.set_class(7)``, ``grid.reroll()``, ``same.set_class(3)``, ``same.reroll()``,
``walk.set_alpha(0.5)``, ``walk.set_class(2)``, ``walk.reroll()``. G is only sampled (its moving
average, in eval mode, no gradients), with the widgets' own noise: nothing here changes the trainer.
"""
from __future__ import annotations

import html

import ipywidgets as W
import numpy as np
import torch

from .. import _check, viz
from ..lessons import conditional as cond
from ..lessons import judges as judges_mod
from ..viz import images as vi
from ._base import Shown, SliderWalk, button, move_slider

__all__ = ["TrainingProgress", "DigitGrid", "SameNoise", "NoiseWalk", "tiles"]

_FRAME = np.array([0x56, 0xB4, 0xE9]) / 255          # Okabe-Ito sky blue (viz.CYCLE): the chosen picture, solid
_MISJUDGED = np.array([0xC0, 0x39, 0x2B]) / 255      # viz.ALERT: the judge names another digit, a dashed frame
_DASH = 4                                              # the dashed frame: 4 pixels drawn, 4 left white
_PAD = 4                                               # pixels between pictures (room for a 2-pixel frame)


def tiles(images: torch.Tensor, nrow: int, scale: int, framed=(), misjudged=()) -> np.ndarray:
    """Images [N, C, H, W] in [-1, 1] as one RGB array in [0, 1]: ``nrow`` per row, each pixel a ``scale`` x
    ``scale`` square, white gaps of 4 pixels; a solid light-blue 2-pixel frame around the images whose index is
    in ``framed`` (the chosen one) and a dashed red one around those in ``misjudged`` (the judge names
    another digit). Solid against dashed: the two marks differ without colour too."""
    n, _, h, w = images.shape
    cols = min(_check.positive_int("nrow", nrow), n)
    rows = -(-n // cols)
    hs, ws = h * scale, w * scale
    out = np.ones((rows * (hs + _PAD) + _PAD, cols * (ws + _PAD) + _PAD, 3))
    for k in range(n):
        r, c = divmod(k, cols)
        y, x = _PAD + r * (hs + _PAD), _PAD + c * (ws + _PAD)
        if k in framed:
            out[y - 2:y + hs + 2, x - 2:x + ws + 2] = _FRAME
        if k in misjudged:
            ring = np.zeros((hs + 4, ws + 4), bool)
            ring[:2], ring[-2:], ring[:, :2], ring[:, -2:] = True, True, True, True
            yy, xx = np.indices(ring.shape)
            dashes = ring & (((yy + xx) // _DASH) % 2 == 0)                    # every other 4-pixel run
            out[y - 2:y + hs + 2, x - 2:x + ws + 2][dashes] = _MISJUDGED
        pixels = viz.image_grid(images[k:k + 1], nrow=1, padding=0)                     # [H, W, 3] in [0, 1]
        out[y:y + hs, x:x + ws] = vi.upscale(pixels, scale)
    return out


def _row(*children) -> W.HBox:
    """Controls side by side, aligned at their bottom edge (a class picker's label sits above its buttons)."""
    return W.HBox(list(children), layout=W.Layout(align_items="flex-end", flex_flow="row wrap"))


def _image(css: str) -> W.Image:
    img = W.Image(format="png")      # no tooltip=: with one, JupyterLab (ipywidgets 8.1) draws no image at all
    img.add_class(css)
    return img


def _show(img: W.Image, array: np.ndarray) -> None:
    """Put ``array`` into ``img`` and show it at exactly its size (it shrinks only on a narrower page)."""
    img.value = vi.png_pixels(array)
    h, w = array.shape[:2]
    if img.layout.width != f"{w}px":
        img.layout = W.Layout(width=f"{w}px", height=f"{h}px", max_width="100%", object_fit="contain")


def _class_picker(n_classes: int, value: int, css: str, on_value) -> W.ToggleButtons:
    picker = W.ToggleButtons(options=[(str(c), c) for c in range(n_classes)], value=value, description="class",
                             tooltips=[f"draw the digit {c}" for c in range(n_classes)],
                             style={"button_width": "34px", "description_width": "initial"})
    picker.add_class(css)
    picker.observe(lambda change: on_value(), names="value")
    return picker


def _check_run(trainer, judge):
    if not (hasattr(trainer, "sample") and getattr(trainer, "n_classes", None)):
        raise TypeError(f"trainer must be a gan_edu Trainer with conditional G and D (lesson 09), got "
                        f"{type(trainer).__name__}")
    if judge is not None and not isinstance(judge, judges_mod.Judge):
        raise TypeError(f"judge must be the Judge from judges.independent_classifier() or None, got {type(judge).__name__}")
    return trainer, judge


def _verdicts(judge, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor] | None:
    """(the judge's class [N], its probability [N]) for ``images``, or None without a judge."""
    if judge is None:
        return None
    p = judge.proba(images)
    return p.argmax(1), p.max(1).values


# --------------------------------------------------------------------------- progress
class TrainingProgress(Shown):
    """A bar and a status line for a training run: pass ``progress.update`` as ``on_progress`` to
    :func:`gan_edu.lessons.conditional.train` (or ``self_conditioned``, or ``metrics_lab.train_generator``).
    Unlike a tqdm bar it stays after the run, saying how it ended."""

    fallback_title = "A progress bar for a training run"

    def __init__(self, description: str = "training"):
        self.bar = W.IntProgress(value=0, min=0, max=1, description=description, bar_style="info",
                                 style={"description_width": "initial"}, layout=W.Layout(width="420px"))
        self.text = W.HTML()
        self.text.add_class("ge-cond-progress-text")
        self.widget = W.HBox([self.bar, self.text])
        self.widget.add_class("ge-cond-progress")
        self.updates = 0

    def update(self, trainer, steps: int) -> None:
        """Show ``trainer``'s step out of ``steps`` and its last losses."""
        s = trainer.state
        self.bar.max, self.bar.value = steps, s.step
        if s.step >= steps:
            self.bar.bar_style = "success"
        losses = "" if s.step == 0 else f" · D's loss {s.loss_d:.2f} · G's loss {s.loss_g:.2f}"
        self.text.value = html.escape(f"step {s.step} of {steps}{losses}")
        self.updates += 1


# --------------------------------------------------------------------------- draw me a 7
class DigitGrid(Shown):
    """Pick a class: a grid of ``n`` of G's samples of it (fixed noise, so only the class changes when
    you pick another; "new noise" draws other samples). With a judge, a dashed red frame marks every sample it
    names as another digit, and the line under the grid counts them."""

    fallback_title = "Draw me a digit: pick a class and see a grid of G's samples of it"

    def __init__(self, trainer, judge=None, label: int = 7, n: int = 32, nrow: int = 8, scale: int = 6, seed: int = 0):
        self.trainer, self.judge = _check_run(trainer, judge)
        self.n, self.nrow = _check.positive_int("n", n), _check.positive_int("nrow", nrow)
        self.scale = _check.positive_int("scale", scale)
        self._rng = torch.Generator().manual_seed(_check.integer("seed", seed, minimum=0))
        self.z = self._draw()
        self.images: torch.Tensor | None = None       #: the grid as last drawn [n, C, H, W]
        self.agree: int | None = None                 #: how many the judge names as the class asked for
        self.picker = _class_picker(trainer.n_classes, _check.integer("label", label, minimum=0,
                                                                      maximum=trainer.n_classes - 1),
                                    "ge-cond-grid-class", self.redraw)
        self.view = _image("ge-cond-grid-view")
        self.caption = W.HTML()
        self.caption.add_class("ge-cond-grid-caption")
        self.widget = W.VBox([_row(self.picker, button("new noise", "ge-cond-grid-reroll", self.reroll, icon="random")),
                              self.view, self.caption])
        self.widget.add_class("ge-cond-grid")
        self.redraw()

    @property
    def label(self) -> int:
        return int(self.picker.value)

    def _draw(self) -> torch.Tensor:
        return self.trainer.G.sample_noise(self.n, generator=self._rng).cpu()

    def set_class(self, label: int) -> DigitGrid:
        """Pick class ``label`` (what clicking its button does)."""
        move_slider(self.picker, _check.integer("label", label, minimum=0, maximum=self.trainer.n_classes - 1),
                    self.redraw)
        return self

    def reroll(self) -> DigitGrid:
        """Other samples of the same class (what "new noise" does)."""
        self.z = self._draw()
        self.redraw()
        return self

    def redraw(self) -> None:
        self.images = cond.samples_of(self.trainer, torch.full((self.n,), self.label), z=self.z)
        said = _verdicts(self.judge, self.images)
        wrong = () if said is None else tuple(int(k) for k in torch.nonzero(said[0] != self.label).flatten())
        _show(self.view, tiles(self.images, self.nrow, self.scale, misjudged=wrong))
        text = f"G asked for {self.n} × the digit {self.label}"
        if said is not None:
            self.agree = self.n - len(wrong)
            text += (f" · the independent judge names {self.agree} of them {self.label}"
                     + (" (a dashed red frame marks the others)" if wrong else ""))
        self.caption.value = html.escape(text)


# --------------------------------------------------------------------------- one z, every class
class SameNoise(Shown):
    """Keep one z and change only the class: the large picture is G(z, class); the strip below shows the
    same z in every class, the chosen one framed. The handwriting (stroke weight, slant, size) stays;
    the digit changes. "new z" draws another handwriting."""

    fallback_title = "One z, change only the class: the same handwriting, another digit"

    def __init__(self, trainer, judge=None, label: int = 3, scale: int = 6, big: int = 16, seed: int = 1):
        self.trainer, self.judge = _check_run(trainer, judge)
        self.scale, self.big = _check.positive_int("scale", scale), _check.positive_int("big", big)
        self._rng = torch.Generator().manual_seed(_check.integer("seed", seed, minimum=0))
        self.z = self._draw()
        self.strip: torch.Tensor | None = None        #: G(z, 0), ..., G(z, K-1) [K, C, H, W]
        self.picker = _class_picker(trainer.n_classes, _check.integer("label", label, minimum=0,
                                                                      maximum=trainer.n_classes - 1),
                                    "ge-cond-same-class", self._show)
        self.view = _image("ge-cond-same-view")
        self.strip_view = _image("ge-cond-same-strip")
        self.caption = W.HTML()
        self.caption.add_class("ge-cond-same-caption")
        self.widget = W.VBox([_row(self.picker, button("new z", "ge-cond-same-reroll", self.reroll, icon="random")),
                              self.view, self.strip_view, self.caption])
        self.widget.add_class("ge-cond-same")
        self.redraw()

    @property
    def label(self) -> int:
        return int(self.picker.value)

    @property
    def image(self) -> torch.Tensor:
        """The large picture, G(z, label) [C, H, W]."""
        return self.strip[self.label]

    def _draw(self) -> torch.Tensor:
        return self.trainer.G.sample_noise(1, generator=self._rng)[0].cpu()

    def set_class(self, label: int) -> SameNoise:
        move_slider(self.picker, _check.integer("label", label, minimum=0, maximum=self.trainer.n_classes - 1),
                    self._show)
        return self

    def reroll(self) -> SameNoise:
        self.z = self._draw()
        self.redraw()
        return self

    def redraw(self) -> None:
        """Draw the same z in every class (after a new z), then show the chosen class."""
        k = self.trainer.n_classes
        self.strip = cond.samples_of(self.trainer, torch.arange(k), z=self.z.expand(k, -1))
        self._verdict = _verdicts(self.judge, self.strip)
        self._show()

    def _show(self) -> None:
        y = self.label
        _show(self.view, tiles(self.strip[y:y + 1], 1, self.big))
        misjudged = () if self._verdict is None else tuple(
            int(k) for k in torch.nonzero(self._verdict[0] != torch.arange(len(self._verdict[0]))).flatten())
        _show(self.strip_view, tiles(self.strip, self.trainer.n_classes, self.scale, framed=(y,), misjudged=misjudged))
        text = f"G(z, {y}) above; below, the same z for the classes 0 to {self.trainer.n_classes - 1} ({y} framed)"
        if self._verdict is not None:
            said, p = self._verdict
            text += (f" · the judge names the large one {int(said[y])} (p = {float(p[y]):.2f}), and "
                     f"{len(said) - len(misjudged)} of the {len(said)} in the strip the class they were asked for"
                     + (" (a dashed red frame marks the others)" if misjudged else ""))
        self.caption.value = html.escape(text)


# --------------------------------------------------------------------------- one class, walk z
class NoiseWalk(Shown, SliderWalk):
    """Keep the class and walk z: a slider ``a`` in [0, 1] shows G((1 - a) z0 + a z1, class) large, the strip
    below the whole walk (the picture nearest to ``a`` framed). The digit stays; the handwriting changes."""

    fallback_title = "One class, walk z: the same digit, the handwriting changes"

    def __init__(self, trainer, judge=None, label: int = 2, steps: int = 9, scale: int = 6, big: int = 16,
                 seed: int = 2):
        self.trainer, self.judge = _check_run(trainer, judge)
        self.steps = _check.integer("steps", steps, minimum=2)
        self.scale, self.big = _check.positive_int("scale", scale), _check.positive_int("big", big)
        self._rng = torch.Generator().manual_seed(_check.integer("seed", seed, minimum=0))
        self.z0, self.z1 = self._draw(), self._draw()
        self.output: torch.Tensor | None = None       #: G(z(a), label) [C, H, W]
        self.walk: torch.Tensor | None = None         #: the walk [steps, C, H, W]
        self.picker = _class_picker(trainer.n_classes, _check.integer("label", label, minimum=0,
                                                                      maximum=trainer.n_classes - 1),
                                    "ge-cond-walk-class", self._new_walk)
        self.slider = W.FloatSlider(value=0.0, min=0.0, max=1.0, step=0.05, description="a", readout_format=".2f",
                                    continuous_update=True, layout=W.Layout(width="380px"))
        self.slider.add_class("ge-cond-walk-alpha")
        self.slider.observe(lambda _: self.redraw(), names="value")
        self.view = _image("ge-cond-walk-view")
        self.strip_view = _image("ge-cond-walk-strip")
        self.caption = W.HTML()
        self.caption.add_class("ge-cond-walk-caption")
        self.widget = W.VBox([self.picker, _row(self.slider, button("new z0, z1", "ge-cond-walk-reroll", self.reroll,
                                                                    icon="random")),
                              self.view, self.strip_view, self.caption])
        self.widget.add_class("ge-cond-walk")
        self._new_walk()

    @property
    def label(self) -> int:
        return int(self.picker.value)

    def _draw(self) -> torch.Tensor:
        return self.trainer.G.sample_noise(1, generator=self._rng)[0].cpu()

    def set_class(self, label: int) -> NoiseWalk:
        move_slider(self.picker, _check.integer("label", label, minimum=0, maximum=self.trainer.n_classes - 1),
                    self._new_walk)
        return self

    def reroll(self) -> NoiseWalk:
        self.z0, self.z1 = self._draw(), self._draw()
        self._new_walk()
        return self

    def _new_walk(self) -> None:
        self.walk = cond.noise_walk(self.trainer, self.label, self.z0, self.z1, self.steps)
        self._walk_verdict = _verdicts(self.judge, self.walk)
        self.redraw()

    def redraw(self) -> None:
        """Draw G at the current point of the walk and frame the nearest picture of the strip."""
        a, y = self.alpha, self.label
        self.output = cond.samples_of(self.trainer, torch.tensor([y]), z=self.z[None])[0]
        _show(self.view, tiles(self.output[None], 1, self.big))
        _show(self.strip_view, tiles(self.walk, self.steps, self.scale, framed=(int(round(a * (self.steps - 1))),)))
        text = f"G((1 - a)·z0 + a·z1, {y}) at a = {a:.2f}; below, the walk from z0 (left) to z1 (right)"
        if self.judge is not None:
            said, p = _verdicts(self.judge, self.output[None])
            kept = int((self._walk_verdict[0] == y).sum())
            text += (f" · the judge names the large one {int(said[0])} (p = {float(p[0]):.2f}) and {kept} of the "
                     f"{self.steps} in the walk {y}")
        self.caption.value = html.escape(text)
