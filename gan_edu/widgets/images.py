r"""Widgets of lesson 07 (DCGAN on digits): watch samples form, walk and nudge the latent space.

* :class:`LiveSampleGrid` -- G's samples for one *fixed* batch of noise, redrawn by a
  ``step_end`` handler every ``every`` steps while the trainer runs; it also keeps the
  grids of a few chosen steps (``keep=``) for a static strip (:func:`gan_edu.viz.images.plot_grid_strip`).
* :class:`LatentWalk` -- a slider ``a`` in [0, 1] shows ``G((1 - a) z0 + a z1)``, next to the
  whole walk; with a classifier, the label it gives each picture.
* :class:`LatentNudge` -- pick one coordinate ``d`` of z and an amount ``t``: G(z) next to
  ``G(z + t e_d)`` and their difference, and the sweep of that coordinate from ``-max`` to ``max``.

Each widget has a ``.widget`` (an ipywidgets container) and displays itself. Every picture is shown at
the size it is drawn (the grid pixel-exact; the walk and nudge figures through a
:class:`~gan_edu.widgets.BlitView` at the figure's own size), never stretched. Each can be driven from
Python (what the clicks do):
``grid.update()``, ``walk.set_alpha(0.3)``, ``walk.reroll()``, ``nudge.set_dim(3)``,
``nudge.set_amount(-2.0)``, ``nudge.reroll()``. G always runs in eval mode (BatchNorm uses its
running statistics, so a picture does not depend on the rest of its batch) without gradients.
"""
from __future__ import annotations

import html
import math

import ipywidgets as W
import numpy as np
import torch

from .. import _check, viz
from ..lessons.classifier import check_classifier, top_labels
from ..lessons.generator import check_generator, collapsed_noise, dimension_effects, generator_output, one_z
from ..viz import images as vi
from ._base import BlitView, Picture, Shown, SliderWalk, button, move_slider

__all__ = ["LiveSampleGrid", "LatentWalk", "LatentNudge", "generate", "dimension_effects", "collapsed_noise"]


#: G(z) in eval mode; computed in :mod:`gan_edu.lessons.generator` with :func:`dimension_effects` and
#: :func:`collapsed_noise`, all three re-exported here for lesson 07's ``wi.`` calls
generate = generator_output


def _pixels(img: torch.Tensor) -> np.ndarray:
    """One image [C, H, W] in [-1, 1] -> an array for imshow in [0, 1] (grey or RGB)."""
    a = viz.image_grid(img[None], nrow=1, padding=0)
    return a[..., 0] if img.shape[0] == 1 else a


def _native_size(view) -> None:
    """Show a figure view's picture at the figure's own pixel size (a flex box would otherwise stretch
    it to the page's width, blurring it); it shrinks only to fit a narrower page."""
    w, h = view.fig.canvas.get_width_height()
    view.image.layout = W.Layout(width=f"{w}px", height="auto", max_width="100%")


# --------------------------------------------------------------------------- live grid
def _number(x: float, fmt: str) -> str:
    return "—" if math.isnan(x) else format(x, fmt)


class LiveSampleGrid(Shown):
    """G's samples for one fixed batch of ``n`` noise vectors, redrawn while ``trainer`` trains.

    ``attach()`` (called by the constructor) adds a ``step_end`` handler with ``every=every``;
    each call redraws the grid (and keeps a copy if the step is in ``keep``; steps in ``keep``
    must be 0 or multiples of ``every``; 0 is the grid at construction). ``detach()`` removes
    the handler. Fixed noise means the same 64 "slots" are watched: you see each one change.

    The grid is drawn pixel-exact (each image pixel a ``scale`` x ``scale`` square) and shown at
    exactly that size, so it is never blurred or stretched; a caption above it gives the step, the
    losses and D's mean probabilities on the last batches (in place of a progress bar).
    """

    fallback_title = 'A live grid of generated digits that updates while G trains'

    def __init__(self, trainer, n: int = 64, nrow: int = 8, every: int = 100, keep=(), seed: int = 0, scale: int = 5):
        if not (hasattr(trainer, "on") and hasattr(trainer, "G") and hasattr(trainer, "sample")):
            raise TypeError(f"trainer must be a gan_edu Trainer, got {type(trainer).__name__}")
        self.trainer = trainer
        self.n = _check.positive_int("n", n)
        self.nrow = _check.positive_int("nrow", nrow)
        self.every = _check.positive_int("every", every)
        self.scale = _check.positive_int("scale", scale)
        keep = tuple(keep)
        for s in keep:
            _check.integer("keep step", s, minimum=0)
            if s % self.every:
                raise ValueError(f"keep must hold 0 or multiples of every={self.every} (the steps the handler runs at), got {s}")
        self.keep = keep
        self.z = trainer.G.sample_noise(self.n, generator=torch.Generator().manual_seed(_check.integer("seed", seed, minimum=0))).cpu()
        self.snapshots: dict[int, torch.Tensor] = {}     #: step -> images, for the steps in ``keep``
        self.images: torch.Tensor | None = None          #: the grid as last drawn
        self.frames = 0                                  #: how many times the grid was drawn
        self.caption = W.HTML()
        self.caption.add_class("ge-live-grid-caption")
        self.image = Picture(alt="A grid of digits generated by G, redrawn while it trains", format="png")
        self.image.add_class("ge-live-grid-view")
        self.widget = W.VBox([self.caption, self.image])
        self.widget.add_class("ge-live-grid")
        self._handler = self._on_step          # one bound method, so detach() finds it
        self.attached = False
        self.attach()
        self.update()

    def attach(self) -> LiveSampleGrid:
        """Redraw every ``every`` steps of the trainer (does nothing if attached already)."""
        if not self.attached:
            self.trainer.on("step_end", self._handler, every=self.every)
            self.attached = True
        return self

    def detach(self) -> LiveSampleGrid:
        """Stop redrawing during training."""
        self.trainer.off("step_end", self._handler)
        self.attached = False
        return self

    def _on_step(self, _trainer) -> None:
        self.update()

    def update(self) -> LiveSampleGrid:
        """Redraw G's samples of the fixed noise now (and keep them if this step is in ``keep``)."""
        st = self.trainer.state
        self.images = self.trainer.sample(self.n, z=self.z)
        if st.step in self.keep:
            self.snapshots[st.step] = self.images.clone()
        pixels = vi.upscale(viz.image_grid(self.images, self.nrow), self.scale)
        self.image.value = vi.png_pixels(pixels)
        h, w = pixels.shape[:2]
        if self.image.layout.width != f"{w}px":          # once: the grid's size does not change
            self.image.layout = W.Layout(width=f"{w}px", height=f"{h}px", max_width="100%", object_fit="contain")
        self.caption.value = html.escape(
            f"G(fixed z) at step {st.step} · D's loss {_number(st.loss_d, '.3f')} · G's loss {_number(st.loss_g, '.3f')} · "
            f"mean D(x) {_number(st.d_real, '.2f')} · mean D(G(z)) {_number(st.d_fake, '.2f')}")
        self.frames += 1
        return self


# --------------------------------------------------------------------------- drawing helpers
class _ImagePanel:
    """One axes showing one image [C, H, W] with a title (the classifier's verdict on a second line)."""

    def __init__(self, ax, shape):
        self.ax = ax
        ax.set_axis_off()
        self.im = ax.imshow(np.zeros(shape[1:]), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        self.title = ax.set_title(" \n ", fontsize=8)

    def show(self, img: torch.Tensor, title: str, label=None, bold: bool = False) -> None:
        self.im.set_data(_pixels(img))
        color = "#111111"
        if label is not None:
            title += f"\nclassifier: {label[0]} (p = {label[1]:.2f})"
            color = "#111111" if label[1] >= 0.9 else "#c0392b"
        self.title.set_text(title)
        self.title.set_color(color)
        self.title.set_fontweight("bold" if bold else "normal")


class _Strip:
    """Images in one row, the classifier's label under each (red with "?" if p < 0.9), a red box on one."""

    def __init__(self, ax, n: int, shape, labelled: bool):
        from matplotlib.patches import Rectangle

        self.ax, self.n = ax, n
        c, h, w = shape
        self.h, self.w = h, w
        ax.set_axis_off()
        self.im = ax.imshow(np.zeros((h + 2, n * (w + 1) + 1)), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        self.texts = [ax.text(1 + i * (w + 1) + (w - 1) / 2, h + 1.6, "", ha="center", va="top", fontsize=8)
                      for i in range(n)]
        self.box = ax.add_patch(Rectangle((0.5, 0.5), w, h, fill=False, ec="#d7301f", lw=2.0))
        self.title = ax.set_title("", fontsize=8)
        ax.set_xlim(-0.5, n * (w + 1) + 0.5)
        ax.set_ylim(h + 1.5 + (0.35 * h if labelled else 0), -0.5)

    def show(self, images: torch.Tensor, labels: list, title: str) -> None:
        grid = viz.image_grid(images, nrow=self.n, padding=1)
        self.im.set_data(grid[..., 0] if images.shape[1] == 1 else grid)
        for text, lab in zip(self.texts, labels or [None] * self.n):
            if lab is None:
                text.set_text("")
                continue
            sure = lab[1] >= 0.9
            text.set_text(f"{lab[0]}" + ("" if sure else "?"))
            text.set_color("#111111" if sure else "#c0392b")
        self.title.set_text(title)

    def box_at(self, k: int) -> None:
        self.box.set_xy((0.5 + k * (self.w + 1), 0.5))


# --------------------------------------------------------------------------- latent walk
class LatentWalk(Shown, SliderWalk):
    """A slider ``a`` in [0, 1] walks in a straight line from ``z0`` to ``z1``: the middle picture is
    ``G((1 - a) z0 + a z1)`` between the two endpoints; the strip below shows the walk in ``steps``
    pictures, with the classifier's label under each (if ``classifier`` is given) and a red box on
    the one nearest to ``a``.

    ``z0``, ``z1`` default to draws from G's noise with ``seed``; ``reroll()`` draws new ones."""

    fallback_title = 'A latent walk: a slider moves z and the digit G(z) changes'

    def __init__(self, G, z0=None, z1=None, steps: int = 9, classifier=None, seed: int = 0, size: float = 2.1,
                 fmt: str = "png"):
        self.G = check_generator(G)
        self.steps = _check.integer("steps", steps, minimum=2)
        self.classifier = check_classifier(classifier)
        self._rng = torch.Generator().manual_seed(_check.integer("seed", seed, minimum=0))
        _check.one_of("fmt", fmt, ("png", "jpeg"))
        self.z0 = one_z("z0", z0, G.latent_dim) if z0 is not None else self._draw()
        self.z1 = one_z("z1", z1, G.latent_dim) if z1 is not None else self._draw()
        self.output: torch.Tensor | None = None        #: G(z) at the current a, [C, H, W]
        self.label: tuple[int, float] | None = None    #: (class, probability) of ``output``, with a classifier
        shape = tuple(generator_output(G, self.z0).shape[1:])
        self.fig = viz.figure(max(3 * size, 0.45 * size * self.steps) + 0.3, 2 * size + 0.6)
        gs = self.fig.add_gridspec(2, 3, height_ratios=[1.0, 0.8])
        self._ends = (_ImagePanel(self.fig.add_subplot(gs[0, 0]), shape), _ImagePanel(self.fig.add_subplot(gs[0, 2]), shape))
        self._big = _ImagePanel(self.fig.add_subplot(gs[0, 1]), shape)
        self._strip = _Strip(self.fig.add_subplot(gs[1, :]), self.steps, shape, self.classifier is not None)
        self.fig.subplots_adjust(left=0.02, right=0.98, top=0.88, bottom=0.02, hspace=0.4, wspace=0.1)
        self.view = BlitView(self.fig, [self._big.im, self._big.title, self._strip.box], fmt=fmt, css_class="ge-walk-view")
        _native_size(self.view)
        self.slider = W.FloatSlider(value=0.0, min=0.0, max=1.0, step=0.05, description="a", readout_format=".2f",
                                    continuous_update=True, layout=W.Layout(width="380px"))
        self.slider.add_class("ge-walk-alpha")
        self.reroll_button = button("new z0, z1", "ge-walk-reroll", self.reroll, icon="random")
        self.readout = W.HTML()
        self.readout.add_class("ge-walk-readout")
        self.slider.observe(lambda _: self.redraw(), names="value")
        self.widget = W.VBox([W.HBox([self.slider, self.reroll_button]), self.view.image, self.readout])
        self.widget.add_class("ge-walk")
        self._make_strip()
        self.redraw(full=True)

    def _draw(self) -> torch.Tensor:
        return self.G.sample_noise(1, generator=self._rng)[0].cpu()

    # python API -----------------------------------------------------------------
    def reroll(self) -> LatentWalk:
        """New endpoints from the widget's own random stream (what the button does)."""
        self.z0, self.z1 = self._draw(), self._draw()
        self._make_strip()
        self.redraw(full=True)
        return self

    # drawing ----------------------------------------------------------------------
    def _make_strip(self) -> None:
        a = torch.linspace(0, 1, self.steps).unsqueeze(1)
        self.strip = generator_output(self.G, (1 - a) * self.z0 + a * self.z1)       #: the walk, [steps, C, H, W]
        self.strip_labels = top_labels(self.classifier, self.strip)
        note = "; the classifier's label under each (red ?: p < 0.9)" if self.classifier is not None else ""
        self._strip.show(self.strip, self.strip_labels, f"the walk from z0 (left) to z1 (right){note}")
        for panel, k, name in ((self._ends[0], 0, "z0"), (self._ends[1], -1, "z1")):
            panel.show(self.strip[k], f"G({name}), a = {0 if k == 0 else 1}", self.strip_labels[k] if self.strip_labels else None)

    def redraw(self, full: bool = False) -> None:
        """Draw G at the current point of the walk and move the red box to the nearest picture of the strip
        (``full=True`` after the endpoints changed)."""
        a = self.alpha
        self.output = generator_output(self.G, self.z)[0]
        lab = top_labels(self.classifier, self.output[None])
        self.label = lab[0] if lab else None
        self._big.show(self.output, f"G((1-a) z0 + a z1), a = {a:.2f}", self.label, bold=True)
        self._strip.box_at(int(round(a * (self.steps - 1))))
        self.view.refresh(full=full)
        lab_text = "" if self.label is None else f"; the classifier says {self.label[0]} with p = {self.label[1]:.2f}"
        self.readout.value = html.escape(f"a = {a:.2f}: z = {1 - a:.2f}·z0 + {a:.2f}·z1{lab_text}")


# --------------------------------------------------------------------------- nudge one dimension
class LatentNudge(Shown):
    """Change ONE coordinate of z and watch the picture: G(z) (left), ``G(z + t e_d)`` (middle)
    and their difference (right: red where pixels got brighter, blue darker); below, the sweep of
    coordinate ``d`` from ``-max_amount`` to ``+max_amount`` with a box on the picture nearest to ``t``.

    ``z`` defaults to a draw from G's noise with ``seed``; ``reroll()`` draws a new one."""

    fallback_title = 'A latent nudge: buttons push z along one direction and show G(z)'

    def __init__(self, G, z=None, classifier=None, max_amount: float = 3.0, sweep: int = 7, seed: int = 0,
                 size: float = 2.0, fmt: str = "png"):
        self.G = check_generator(G)
        self.classifier = check_classifier(classifier)
        self.max_amount = _check.positive("max_amount", max_amount)
        self.sweep = _check.integer("sweep", sweep, minimum=2)
        self._rng = torch.Generator().manual_seed(_check.integer("seed", seed, minimum=0))
        _check.one_of("fmt", fmt, ("png", "jpeg"))
        self.z = one_z("z", z, G.latent_dim) if z is not None else self.G.sample_noise(1, generator=self._rng)[0].cpu()
        self.before: torch.Tensor | None = None      #: G(z), [C, H, W]
        self.after: torch.Tensor | None = None       #: G(z + t e_d), [C, H, W]
        shape = tuple(generator_output(G, self.z).shape[1:])
        self.fig = viz.figure(max(3 * size, 0.62 * size * self.sweep) + 0.3, 2 * size + 0.6)
        gs = self.fig.add_gridspec(2, 3, height_ratios=[1.0, 0.8])
        self._before = _ImagePanel(self.fig.add_subplot(gs[0, 0]), shape)
        self._after = _ImagePanel(self.fig.add_subplot(gs[0, 1]), shape)
        dax = self.fig.add_subplot(gs[0, 2])
        dax.set_axis_off()
        self._diff = dax.imshow(np.zeros(shape[1:]), cmap=viz.SIGNED_CMAP, vmin=-1, vmax=1, interpolation="nearest")
        dax.set_title("after - before\n(red: brighter, blue: darker)", fontsize=8)
        self._sweep = _Strip(self.fig.add_subplot(gs[1, :]), self.sweep, shape, self.classifier is not None)
        self.fig.subplots_adjust(left=0.02, right=0.98, top=0.88, bottom=0.02, hspace=0.4, wspace=0.1)
        self.view = BlitView(self.fig, [self._after.im, self._after.title, self._diff, self._sweep.box], fmt=fmt,
                              css_class="ge-nudge-view")
        _native_size(self.view)
        self.dim_slider = W.IntSlider(value=0, min=0, max=G.latent_dim - 1, description="dimension d",
                                      continuous_update=False, style={"description_width": "initial"},
                                      layout=W.Layout(width="330px"))
        self.dim_slider.add_class("ge-nudge-dim")
        self.amount_slider = W.FloatSlider(value=0.0, min=-self.max_amount, max=self.max_amount, step=0.25,
                                           description="amount t", readout_format="+.2f", continuous_update=True,
                                           style={"description_width": "initial"}, layout=W.Layout(width="330px"))
        self.amount_slider.add_class("ge-nudge-amount")
        self.reroll_button = button("new z", "ge-nudge-reroll", self.reroll, icon="random")
        self.readout = W.HTML()
        self.readout.add_class("ge-nudge-readout")
        self.dim_slider.observe(lambda _: self.redraw(full=True), names="value")
        self.amount_slider.observe(lambda _: self.redraw(), names="value")
        self.widget = W.VBox([W.HBox([self.dim_slider, self.amount_slider, self.reroll_button]), self.view.image,
                              self.readout])
        self.widget.add_class("ge-nudge")
        self.redraw(full=True)

    # python API -----------------------------------------------------------------
    @property
    def dim(self) -> int:
        return int(self.dim_slider.value)

    @property
    def amount(self) -> float:
        return float(self.amount_slider.value)

    @property
    def z_nudged(self) -> torch.Tensor:
        """``z + t e_d``: z with coordinate d moved by the amount t."""
        z = self.z.clone()
        z[self.dim] += self.amount
        return z

    def set_dim(self, d: int) -> LatentNudge:
        """Choose the coordinate to nudge (0 .. latent_dim - 1)."""
        d = _check.integer("d", d, minimum=0, maximum=self.G.latent_dim - 1)
        move_slider(self.dim_slider, d, lambda: self.redraw(full=True))
        return self

    def set_amount(self, t: float) -> LatentNudge:
        """How far to move coordinate d (within ``[-max_amount, max_amount]``)."""
        t = _check.number("t", t, minimum=-self.max_amount, maximum=self.max_amount)
        move_slider(self.amount_slider, t, self.redraw)
        return self

    def reroll(self) -> LatentNudge:
        """A new starting z from the widget's own random stream (what the button does)."""
        self.z = self.G.sample_noise(1, generator=self._rng)[0].cpu()
        self.redraw(full=True)
        return self

    # drawing ----------------------------------------------------------------------
    def redraw(self, full: bool = False) -> None:
        """Draw G(z + t e_d), the difference and the box; ``full=True`` (new d or z) also redraws
        G(z) and the sweep."""
        d, t = self.dim, self.amount
        ts = torch.linspace(-self.max_amount, self.max_amount, self.sweep)
        if full or self.before is None:
            zs = self.z.repeat(self.sweep + 1, 1)
            zs[1:, d] += ts
            out = generator_output(self.G, zs)
            self.before = out[0]
            self._before_label = (top_labels(self.classifier, out[:1]) or [None])[0]
            self._before.show(self.before, f"G(z), z[{d}] = {float(self.z[d]):+.2f}", self._before_label)
            self._sweep.show(out[1:], top_labels(self.classifier, out[1:]),
                             f"sweep of z[{d}] from {-self.max_amount:+g} to {self.max_amount:+g} around z "
                             "(box: nearest to t)")
        self.after = generator_output(self.G, self.z_nudged)[0]
        after_label = (top_labels(self.classifier, self.after[None]) or [None])[0]
        self._after.show(self.after, f"G(z + t e_{d}), t = {t:+.2f}", after_label, bold=True)
        self._diff.set_data((self.after - self.before).mean(0).numpy() / 2)     # pixels span 2 (from -1 to 1)
        self._sweep.box_at(int(np.argmin(np.abs(ts.numpy() - t))))
        self.view.refresh(full=full)
        change = float((self.after - self.before).abs().mean())
        said = ""
        if after_label is not None:
            said = (f"; classifier: {self._before_label[0]} (p = {self._before_label[1]:.2f}) → "
                    f"{after_label[0]} (p = {after_label[1]:.2f})")
        self.readout.value = html.escape(f"z[{d}]: {float(self.z[d]):+.2f} → {float(self.z[d]) + t:+.2f}; "
                                         f"mean |pixel change| = {change:.3f}{said}")
