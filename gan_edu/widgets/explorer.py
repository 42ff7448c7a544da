r"""The architecture explorer: one GAN step as a clickable diagram, with live tensors.

The diagram (see :mod:`gan_edu.lessons.architecture`) runs z -> G -> G(z) and x into D,
D(x) and D(G(z)) into the loss, and the gradients back. Click a box (or call ``explorer.select("D(x)")``) to see what that stage does and
the *live* tensor of a real tiny GAN at that stage: its shape, a few values and a
picture. The tensors are caught with trainer events during a real training step
(:func:`gan_edu.lessons.architecture.catch_step`); "take one training step"
(``explorer.take_step()``) runs another step and refreshes the view.

The explorer listens to the trainer only while it takes its own steps, so training
the same trainer elsewhere (``tr.run(200)``) costs nothing extra.

:func:`train_and_compare` is lesson 00's experiment (computed by
:func:`gan_edu.lessons.architecture.compare_before_after`) with its picture; :func:`toward_ring`
runs it for the lesson's prediction on a new tiny GAN built as the explorer's was, never on the
explorer's own trainer.
"""
from __future__ import annotations

import html
import math

import ipywidgets as W
import numpy as np
import torch
from matplotlib.colors import to_hex, to_rgb

from .. import _check, viz
from .. import models as models_mod
from ..lessons.architecture import (
    Capture,
    Comparison,
    catch_step,
    compare_before_after,
    describe,
    distance_to_modes,
    explorer_start,
    guessing_losses,
    loss_terms,
)
from ..lessons.envcheck import INSTALL_WIDGETS, display_with_fallback
from ..lessons.factory import tiny_gan
from ..trainer import Trainer
from ._base import FigureView, button

__all__ = ["ArchitectureExplorer", "Capture", "STEPS", "tiny_gan", "train_and_compare", "toward_ring", "Comparison",
           "distance_to_modes", "describe"]

#: the clickable stages of the diagram, in the order data flows through them
STEPS = ("z", "G(z)", "x", "D(x)", "D(G(z))", "loss", "gradients")

TITLES = {
    "z": "z &mdash; the noise",
    "G(z)": "G(z) &mdash; the generator's samples",
    "x": "x &mdash; real data",
    "D(x)": "D(x) &mdash; D's score on real data",
    "D(G(z))": "D(G(z)) &mdash; D's score on fake data",
    "loss": "loss &mdash; one number per network",
    "gradients": "gradients &mdash; the learning signal, flowing backwards",
}

# the diagram boxes in their palette colours: pale (mixed 85 % with white) until selected
_STRONG = {"z": viz.NEUTRAL, "G(z)": viz.FAKE, "x": viz.REAL, "D(x)": viz.REAL, "D(G(z))": viz.FAKE,
           "loss": viz.D_STAR_COLOR, "gradients": "#333333"}


def _pale(colour: str, white: float = 0.85) -> str:
    return to_hex(white + (1 - white) * np.asarray(to_rgb(colour)))


def _text_on(colour: str) -> str:
    """Black or white, whichever reads better on ``colour`` (by its relative luminance)."""
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(colour))
    return "black" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.18 else "white"


_PALE = {name: _pale(colour) for name, colour in _STRONG.items()}


# --------------------------------------------------------------------------- text
def _explanation(name: str, tr: Trainer) -> str:
    k = tr.G.latent_dim
    if name == "z":
        return (f"<b>z</b> is random noise, the generator's only input: each row is one draw from a standard normal "
                f"distribution N(0, I), {k} number{'s' if k > 1 else ''} per sample, and a fresh batch is drawn every step. "
                "The space z lives in is the <i>latent space</i>. Here z has as many numbers as a data point so you can "
                "see it; for images z is far smaller than the data (e.g. 100 numbers for a 64&times;64 colour image of "
                "12,288 values). The grey grid is a square of z values: open <b>G(z)</b> to see where G sends it.")
    if name == "G(z)":
        return ("The generator <b>G</b>, a small neural network, turns each z into a sample <b>G(z)</b> with the shape "
                "of one data point. G never sees the real data: all it learns comes from D's scores, as gradients "
                "(and through them information about the training data does reach G). The grey lines are the z-grid "
                "after G: nearby z land nearby because G is a continuous function, trained or not, so this says "
                "nothing about what G has learned. Take steps and watch where the purple points go.")
    if name == "x":
        centers = getattr(tr.data, "centers", None)
        where = f"{len(centers)} small blobs" if centers is not None else f"the {html.escape(tr.data.name)} data"
        return (f"<b>x</b> is a batch of real samples from the training data: here {tr.batch_size} points drawn from "
                f"{where}. Only the discriminator ever sees x. G's job is to make samples that D cannot tell apart "
                "from these.")
    if name == "D(x)":
        return ("The discriminator <b>D</b> reads one sample and outputs one number, a logit; sigmoid(logit) is D's "
                "probability that the sample is real, and that is what <b>D(x)</b> shows. In the D update, D is trained "
                "to push D(x) up toward 1. The background is D's probability all over the plane (green: real, "
                "purple: fake, white: can't tell).")
    if name == "D(G(z))":
        return ("The same D scores the fake batch: <b>D(G(z))</b>. In the D update, D pushes these scores down "
                "toward 0; in the G update, G moves its samples to push them up toward 1. That tug of war is the "
                "game. If G's samples were distributed exactly like the data, the best D could only say 0.5 everywhere; "
                "in real training the scores keep moving around instead of settling there (lesson 06).")
    if name == "loss":
        if tr.loss.name in ("minimax", "non_saturating"):
            g = ("&minus;mean log D(G(z)) (non-saturating): G is rewarded when D calls its samples real"
                 if tr.loss.name == "non_saturating" else
                 "mean log(1 &minus; D(G(z))) (minimax): G is rewarded when D stops calling its samples fake")
            return ("Each network's loss is one number computed from D's scores. D's loss is binary cross-entropy, "
                    "'real is 1, fake is 0': &minus;mean log D(x) &minus; mean log(1 &minus; D(G(z))). "
                    f"G's loss is {g}. A D that can only guess (every score 0.5) has loss 2 log 2 &asymp; 1.39, log 2 "
                    "&asymp; 0.69 for each part: the dashed marks in the bar chart.")
        return (f"Each network's loss is one number computed from D's scores (this trainer uses the "
                f"<code>{html.escape(tr.loss.name)}</code> loss). D's loss rewards telling real from fake; G's loss "
                "rewards fooling D.")
    return ("Backpropagation turns each loss into <b>gradients</b>: which way each weight should move. In the D update, "
            "D's loss gives gradients to D's weights only (the fake batch is detached, so G gets none). In the G update, "
            "G's loss flows back <i>through</i> D, which is frozen, into G: the only way G learns what real data looks "
            "like. Arrows: the push each fake point gets. Bars: gradient size per layer, just before the optimiser used it.")


# --------------------------------------------------------------------------- the widget
class ArchitectureExplorer:
    """A clickable diagram of one GAN step with the live tensors of a tiny GAN.

    ``trainer``: a :class:`~gan_edu.Trainer` on 2D data (default: :func:`tiny_gan`). The explorer
    takes one training step at once so every stage has a live tensor to show.

    Drive it from Python as by clicking: ``select(name)`` (one of :data:`STEPS`),
    ``take_step(n=1)``. Read: ``selected``, ``tensor`` (the live tensor of the selected
    stage), ``summary`` (its text), ``title`` / ``explanation`` / ``tensor_view`` (HTML
    widgets), ``capture`` (all tensors of the last step), ``shapes()``, ``shape_line()``,
    ``changes_line()``.
    """

    def __init__(self, trainer: Trainer | None = None, select: str = "z"):
        if trainer is None:
            trainer = tiny_gan()
        if not isinstance(trainer, Trainer):
            raise TypeError(f"trainer must be a gan_edu Trainer (or None for the built-in tiny GAN), got {type(trainer).__name__}")
        if tuple(trainer.data.shape) != (2,):
            raise ValueError(f"the explorer draws 2D data; this trainer's data has samples of shape {tuple(trainer.data.shape)}. "
                             "Use ge.data.ring() or another 2D source (or trainer=None for the built-in tiny GAN)")
        self.trainer = trainer
        self.selected = _check.one_of("select", select, STEPS)
        self.capture: Capture | None = None
        self.summary = ""
        self.extent = viz.plane_extent(trainer.data)
        self._build()
        self.take_step()

    # ----------------------------------------------------------------- building
    def _build(self) -> None:
        self.buttons: dict[str, W.Button] = {}
        for name in STEPS:
            b = W.Button(description=name, tooltip=f"show what happens at {name}",
                         layout=W.Layout(width="auto", min_width="64px", height="34px", align_self="center"))
            b.style.button_color = _PALE[name]
            b.style.font_weight = "bold"
            b.add_class("ge-explorer-step")
            b.on_click(lambda _, n=name: self.select(n))
            self.buttons[name] = b
        self.diagram = self._build_diagram()
        controls = self._build_controls()
        self.detail = self._build_detail()
        self.fig = viz.figure(6.0, 3.0)
        self.plot = FigureView(self.fig, css_class="ge-explorer-plot",
                               alt="The selected part of the GAN: its input and output drawn on the plane")
        self.plot.image.layout = W.Layout(width="600px", max_width="100%", height="auto")
        body = W.HBox([self.detail, self.plot.image], layout=W.Layout(flex_flow="row wrap", align_items="flex-start"))
        self.widget = W.VBox([controls, self.diagram, body],
                             layout=W.Layout(border="1px solid #ccc", padding="8px", max_width="1080px"))
        self.widget.add_class("ge-explorer")

    def _build_diagram(self) -> W.GridBox:
        """The stage buttons, the G and D boxes and the arrows between them, on a CSS grid."""
        areas = {"z": "z", "G(z)": "gz", "x": "x", "D(x)": "dx", "D(G(z))": "dgz", "loss": "loss"}
        for name, area in areas.items():
            self.buttons[name].layout.grid_area = area
        grad_row = W.HBox([W.HTML("<span style='font-size:18px;color:#666'>&#11013;&#9472;&#9472;&#9472; into G</span>"),
                           self.buttons["gradients"],
                           W.HTML("<span style='font-size:18px;color:#666'>&#11013;&#9472;&#9472; into D "
                                  "&#11013;&#9472;&#9472;&#9472;&#9472; from the loss</span>")],
                          layout=W.Layout(grid_area="grad", justify_content="center", align_items="center", margin="6px 0 0 0"))
        diagram = W.GridBox(
            [self.buttons[n] for n in areas] + [
                _net_box("G", "generator", self.trainer.G, viz.G_COLOR),
                _net_box("D", "discriminator", self.trainer.D, viz.D_COLOR),
                _arrow("a1"), _arrow("a2"), _arrow("a3"), _arrow("a4"), _arrow("a5", "&#10136;"), _arrow("a6"),
                _arrow("a7"), _arrow("a8", "&#10138;"), grad_row],
            layout=W.Layout(
                grid_template_columns="auto 34px auto 34px auto 34px auto 34px auto 34px auto",
                grid_template_rows="auto auto auto auto",
                grid_template_areas=('"z a1 G a2 gz a3 D a4 dgz a5 ." '
                                     '". . . . . . D . . . loss" '
                                     '". . . . x a6 D a7 dx a8 ." '
                                     '"grad grad grad grad grad grad grad grad grad grad grad"'),
                justify_content="flex-start", padding="6px", width="auto"))
        diagram.add_class("ge-explorer-diagram")
        return diagram

    def _build_controls(self) -> W.HBox:
        """The "take one training step" and "take 50 steps" buttons and the status line."""
        self.step_label = W.HTML()
        self.step_label.add_class("ge-explorer-status")
        self.step_button = button("take one training step", "ge-explorer-take-step", lambda: self._click_step(1),
                                  icon="step-forward", tooltip="one D update, then one G update", width="auto",
                                  flex="0 0 auto")
        self.step50_button = button("take 50 steps", "ge-explorer-take-50", lambda: self._click_step(50),
                                    icon="fast-forward", width="auto", flex="0 0 auto")
        controls = W.HBox([self.step_button, self.step50_button, self.step_label], layout=W.Layout(align_items="center"))
        controls.add_class("ge-explorer-controls")
        return controls

    def _build_detail(self) -> W.VBox:
        """The selected stage's title, explanation and live tensor."""
        self.title = W.HTML()
        self.title.add_class("ge-explorer-title")
        self.explanation = W.HTML(layout=W.Layout(max_width="430px"))
        self.explanation.add_class("ge-explorer-explanation")
        self.tensor_view = W.HTML()
        self.tensor_view.add_class("ge-explorer-tensor")
        detail = W.VBox([self.title, self.explanation, self.tensor_view], layout=W.Layout(width="440px", margin="0 12px 0 0"))
        detail.add_class("ge-explorer-detail")
        return detail

    def plain_text(self) -> str:
        """What a page that cannot draw the widget shows instead (GitHub, nbviewer, a notebook whose
        cells have not run): what the explorer is, and what to do."""
        centers = getattr(self.trainer.data, "centers", None)
        what = f"{len(centers)} blobs of points" if centers is not None else f"the {self.trainer.data.name} data"
        return ("[The architecture explorer: a clickable diagram of one GAN training step (z -> G -> G(z) -> D -> loss "
                f"-> gradients) with the live tensors of a tiny GAN learning {what}. It appears here when this cell "
                "runs in Jupyter: run the notebook's cells from the top (Run All), then click its boxes. If the cells "
                f"have run and you still read this, this page cannot draw widgets: {INSTALL_WIDGETS}]")

    def _ipython_display_(self):
        display_with_fallback(self.widget, self.plain_text())

    # ----------------------------------------------------------------- actions
    def select(self, name: str) -> ArchitectureExplorer:
        """Show stage ``name`` (one of ``"z", "G(z)", "x", "D(x)", "D(G(z))", "loss", "gradients"``)."""
        if name not in STEPS:
            raise ValueError(f"name must be one of {', '.join(map(repr, STEPS))}; got {name!r}")
        self.selected = name
        self._refresh()
        return self

    def take_step(self, n: int = 1) -> ArchitectureExplorer:
        """Train ``n`` steps (each: one D update, then one G update) and catch the live tensors
        of the last one; the selected view is redrawn."""
        n = _check.positive_int("n", n)
        for _ in range(n - 1):
            self.trainer.step()
        self.capture = catch_step(self.trainer, self.extent)
        self._refresh()
        return self

    def _click_step(self, n: int) -> None:
        try:
            self.take_step(n)
        except Exception as err:  # noqa: BLE001 - shown to the learner instead of vanishing into a log
            self.step_label.value = f"<span style='color:{viz.ALERT}'>{html.escape(type(err).__name__)}: {html.escape(str(err))}</span>"

    # ----------------------------------------------------------------- reading
    @property
    def step(self) -> int:
        """The training step whose tensors are shown."""
        return self.capture.step if self.capture else 0

    @property
    def tensor(self) -> torch.Tensor:
        """The live tensor of the selected stage (for ``loss``: [loss_D, loss_G]; for ``gradients``:
        the push -d loss_G / d G(z) on each fake sample)."""
        return self._tensor(self.selected)

    def _tensor(self, name: str) -> torch.Tensor:
        c = self.capture
        return {"z": c.z, "G(z)": c.fake, "x": c.real, "D(x)": self._prob(c.real_logits),
                "D(G(z))": self._prob(c.fake_logits), "loss": torch.stack([c.loss_d, c.loss_g]),
                "gradients": c.push}[name]

    def _prob(self, logits: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(logits) if self.trainer.loss.probabilistic else logits

    def shapes(self) -> dict[str, list[int]]:
        """The shape of the tensor at each stage: ``{"z": [256, 2], ..., "loss": [], "gradients": [...]}``
        (``loss`` and the per-network losses are single numbers)."""
        c = self.capture
        out = {name: list(self._tensor(name).shape) for name in ("z", "G(z)", "x", "D(x)", "D(G(z))")}
        out["loss"] = list(c.loss_d.shape)
        out["gradients"] = list(c.push.shape) if c.push is not None else []
        return out

    def shape_line(self) -> str:
        """The shapes along the diagram, one path per line (short lines: they fit a notebook's output), e.g.
        ``z: [256, 2] → G(z): [256, 2] → D(G(z)): [256]`` / ``x: [256, 2] → D(x): [256]`` / ``loss_D, loss_G: []``."""
        s = {k: "[" + ", ".join(map(str, v)) + "]" for k, v in self.shapes().items()}
        return (f"fakes: z: {s['z']} → G(z): {s['G(z)']} → D(G(z)): {s['D(G(z))']}\n"
                f"reals: x: {s['x']} → D(x): {s['D(x)']}\n"
                f"loss_D, loss_G: {s['loss']} (one number each)")

    def changes_line(self) -> str:
        """Which network's parameters changed in each half of the last step."""
        ch = self.capture.changed
        return (f"D update: D's parameters changed: {ch['D update']['D']}, G's parameters changed: {ch['D update']['G']}\n"
                f"G update: G's parameters changed: {ch['G update']['G']}, D's parameters changed: {ch['G update']['D']}")

    # ----------------------------------------------------------------- drawing
    def _refresh(self) -> None:
        name, c, tr = self.selected, self.capture, self.trainer
        for n, b in self.buttons.items():
            on = n == name
            b.style.button_color = _STRONG[n] if on else _PALE[n]
            b.style.text_color = _text_on(_STRONG[n]) if on else "black"
            if on:
                b.add_class("ge-explorer-selected")
            else:
                b.remove_class("ge-explorer-selected")
        behind = tr.state.step - c.step
        later = f" (the trainer has since moved on to step {tr.state.step}: take a step to refresh)" if behind else ""
        self.step_label.value = (f"&nbsp; Showing the live tensors of training step <b>{c.step}</b>: "
                                 f"{tr.d_steps} D update{'s' if tr.d_steps > 1 else ''}, then one G update.{later}")
        self.title.value = f"<h4 style='margin:4px 0'>{TITLES[name]}</h4>"
        self.explanation.value = f"<div style='line-height:1.4'>{_explanation(name, tr)}</div>"
        self.summary = self._summary(name)
        self.tensor_view.value = ("<div style='font-size:11px;color:#555;margin-top:6px'>live tensor, step "
                                  f"{c.step}:</div><pre style='font-size:11px;line-height:1.3;margin:2px 0'>"
                                  f"{html.escape(self.summary)}</pre>")
        self._draw(name)
        self.plot.refresh()

    def _summary(self, name: str) -> str:
        c, tr = self.capture, self.trainer
        if name == "z":
            return describe("z", c.z)
        if name == "G(z)":
            return describe("G(z)", c.fake)
        if name == "x":
            return describe("x", c.real)
        word = "sigmoid(logit)" if tr.loss.probabilistic else "raw score (this loss has no probabilities)"
        if name == "D(x)":
            logits = " ".join(f"{v:+.3f}" for v in c.real_logits[:6].tolist())
            return describe("D(x)", self._prob(c.real_logits)) + f"\n({word} of D's logits: {logits} ...)"
        if name == "D(G(z))":
            after = self._prob(c.fake_logits_g).mean().item()
            return (describe("D(G(z))", self._prob(c.fake_logits)) + f"\n({word}, in the D update)"
                    f"\nmean D(G(z)) in the G update, after D's update: {after:.3f}")
        if name == "loss":
            lines = [describe("loss_D", c.loss_d)]
            terms = loss_terms(tr.loss, c, tr.real_label)
            if terms is not None:
                lines.append(f"  = {terms['real']:.4f}  (real part: -mean log D(x))")
                lines.append(f"  + {terms['fake']:.4f}  (fake part: -mean log(1 - D(G(z))))")
            lines.append(describe("loss_G", c.loss_g))
            return "\n".join(lines)
        fmt = "\n".join
        d = fmt(f"  {k:<8} {v:.5f}" for k, v in c.grad_d.items())
        g = fmt(f"  {k:<8} {v:.5f}" for k, v in c.grad_g.items())
        push = describe("push on G(z) = -d loss_G / d G(z)", c.push, rows=2) if c.push is not None else "push: none"
        return (f"D's gradient norm per layer (D update):\n{d}\nG's gradient norm per layer (G update):\n{g}\n"
                f"G got a gradient in the D update: {c.g_grad_in_d_update}\n"
                f"D's weights got a gradient in the G update: {c.d_grad_in_g_update}\n{push}")

    def _draw(self, name: str) -> None:
        """Two panels for stage ``name``, drawn from the capture (never from the live networks)."""
        self.fig.clear()
        ax, ax2 = self.fig.add_subplot(121), self.fig.add_subplot(122)
        draw = {"z": self._draw_z, "G(z)": self._draw_gz, "x": self._draw_x, "D(x)": self._draw_scores,
                "D(G(z))": self._draw_scores, "loss": self._draw_loss, "gradients": self._draw_gradients}[name]
        draw(ax, ax2, name)
        for a in (ax, ax2):
            a.tick_params(labelsize=7.5)
        viz.legend_below(self.fig, ncol=4, fontsize=7.5, markerscale=2)      # under the panels: never on the data

    def _draw_z(self, ax, ax2, name: str) -> None:
        """z in its own space, and the histogram of all its numbers against N(0, 1)."""
        c = self.capture
        _draw_latent(ax, c.z)
        ax2.hist(c.z.flatten().numpy(), bins=30, density=True, color="#888888", alpha=0.8, label="values of z")
        t = np.linspace(-4, 4, 200)
        ax2.plot(t, np.exp(-t ** 2 / 2) / math.sqrt(2 * math.pi), color="#222", lw=1.2, label="N(0, 1)")
        ax2.set_title("every number in z", fontsize=9)

    def _draw_gz(self, ax, ax2, name: str) -> None:
        """z and its grid, and the same z (and grid) after G, over the real batch."""
        c = self.capture
        _draw_latent(ax, c.z)
        ax.set_title("z (the grid: a square of z values)", fontsize=9)
        art = viz.draw_plane(ax2, self.extent, real=c.real.numpy(), fake=c.fake.numpy(), size=5,
                             manifold=c.manifold)
        art["real"].set_alpha(0.3)                                   # the real batch: background here
        art["manifold"].set_zorder(3)                                # the grid on top of the points
        ax2.set_title("G(z): the same z (and grid) after G", fontsize=9)

    def _draw_x(self, ax, ax2, name: str) -> None:
        """The real batch on the plane, and how many of its points fell in each blob."""
        c, data = self.capture, self.trainer.data
        art = viz.draw_plane(ax, self.extent, real=c.real.numpy(), fake=c.fake.numpy(), size=5)
        art["fake"].set_alpha(0.25)                                  # the fakes: background here
        ax.set_title(f"x: {len(c.real)} real points, step {c.step}", fontsize=9)
        centers = getattr(data, "centers", None)
        if centers is not None:
            counts = torch.bincount(torch.cdist(c.real, centers).argmin(1), minlength=len(centers)).numpy()
            ax2.bar(np.arange(len(counts)) + 1, counts, color=viz.REAL, alpha=0.85)
            ax2.set_xticks(np.arange(len(counts)) + 1)
            ax2.set_xlabel("blob of the ring", fontsize=8)
            ax2.set_title("points of x per blob", fontsize=9)
        else:
            ax2.hist(c.real[:, 0].numpy(), bins=30, color=viz.REAL, alpha=0.85)
            ax2.set_title("x: first coordinate", fontsize=9)

    def _draw_scores(self, ax, ax2, name: str) -> None:
        """D's heatmap with the batch it scored, and D's scores on real and fake (``name`` in front)."""
        c, probabilistic = self.capture, self.trainer.loss.probabilistic
        real = name == "D(x)"
        heat = c.heat_d_update
        pts = dict(real=c.real.numpy()) if real else dict(fake=c.fake.numpy())
        viz.draw_plane(ax, self.extent, heat=heat, size=5, **pts)
        ax.set_title("D's probability of 'real'" if heat is not None else name, fontsize=9)
        r, f = self._prob(c.real_logits).numpy(), self._prob(c.fake_logits).numpy()
        lo, hi = (0, 1) if probabilistic else (min(r.min(), f.min()), max(r.max(), f.max()) + 1e-6)
        viz.DHistograms(ax2, 30, lo, hi, half_line=probabilistic).update(r, f, emphasis="real" if real else "fake")
        counts = max(np.histogram(r, 30, (lo, hi))[0].max(), np.histogram(f, 30, (lo, hi))[0].max())
        ax2.set_ylim(0, 1.1 * counts)                                # the counts drawn above, all of them in view
        ax2.set_ylabel("samples", fontsize=8)
        ax2.set_xlabel("D's score (0 = fake, 1 = real)" if probabilistic else "score", fontsize=8)
        ax2.set_title(f"{name} on this batch", fontsize=9)

    def _draw_loss(self, ax, ax2, name: str) -> None:
        """The losses of the caught step as bars (D's split into its real and fake parts), and the
        losses of every step so far."""
        c, tr = self.capture, self.trainer
        terms = loss_terms(tr.loss, c, tr.real_label)
        if terms is not None:
            labels = ["D: real\npart", "D: fake\npart", "loss_D\n(total)", "loss_G"]
            values = [terms["real"], terms["fake"], c.loss_d.item(), c.loss_g.item()]
            colours = [viz.REAL, viz.FAKE, viz.D_COLOR, viz.G_COLOR]
        else:
            labels, values, colours = ["loss_D", "loss_G"], [c.loss_d.item(), c.loss_g.item()], [viz.D_COLOR, viz.G_COLOR]
        bars = ax.bar(range(len(values)), values, color=colours, alpha=0.85)
        ax.set_xticks(range(len(values)), labels, fontsize=7.5)
        guess = guessing_losses(tr.loss, tr.real_label)
        marks = [guess["real"], guess["fake"], guess["loss_d"], guess["loss_g"]] if terms is not None and guess else None
        if marks is not None:                            # each bar's own reference: log 2 per part, 2 log 2 in total
            x = np.arange(len(values))
            ax.hlines(marks, x - 0.45, x + 0.45, colors="#444", lw=0.9, linestyles="--",
                      label="if D said 0.5 for every sample")
        for k, (b, v) in enumerate(zip(bars, values)):  # each value above its bar and above its mark, never on it
            top = max(v, marks[k]) if marks is not None else v
            ax.annotate(f"{v:.3f}", (b.get_x() + b.get_width() / 2, top), xytext=(0, 2), textcoords="offset points",
                        ha="center", va="bottom", fontsize=7.5)
        ax.margins(y=0.2)
        ax.set_title(f"the losses at step {c.step}", fontsize=9)
        for key, label in (("loss_d", "loss_D"), ("loss_g", "loss_G")):
            if key in tr.history and len(tr.history[key]):
                series = tr.history[key]
                ax2.plot(series.steps, series.values, color=viz.CURVE_COLORS[key], lw=1.2, label=label,
                         marker="o" if len(series) < 30 else None, ms=3)
        ax2.set_xlabel("step (one D update, then one G update)", fontsize=8)
        ax2.set_title("the losses, step by step", fontsize=9)

    def _draw_gradients(self, ax, ax2, name: str) -> None:
        """The push of the G update on each fake over D's heatmap, and the gradient norm per layer."""
        c = self.capture
        idx = slice(0, 96)
        arrows = c.push[idx].numpy() if c.push is not None else None
        viz.draw_plane(ax, self.extent, heat=c.heat_g_update, fake=c.fake[idx].numpy(), arrows=arrows,
                       arrow_points=c.fake[idx].numpy(), size=6)
        ax.set_title("how the G update pushes each fake", fontsize=9)
        names_d, names_g = list(c.grad_d), list(c.grad_g)
        vals = [c.grad_g[k] for k in names_g] + [c.grad_d[k] for k in names_d]
        labels = [f"G {k}" for k in names_g] + [f"D {k}" for k in names_d]
        colours = [viz.G_COLOR] * len(names_g) + [viz.D_COLOR] * len(names_d)
        y = np.arange(len(vals))[::-1]
        ax2.barh(y, vals, color=colours, alpha=0.85)
        ax2.set_yticks(y, labels, fontsize=7.5)
        ax2.set_xlabel("gradient norm (size of the gradient)", fontsize=8)
        ax2.set_title("gradient size per layer", fontsize=9)


def _arrow(area: str, symbol: str = "&#10142;") -> W.HTML:
    return W.HTML(f"<span style='font-size:22px;color:#666'>{symbol}</span>",
                  layout=W.Layout(grid_area=area, align_self="center", margin="0 auto"))


def _net_box(letter: str, role: str, net, colour: str) -> W.VBox:
    """A box for network ``letter`` ("G" or "D") in its colour: its role, layer sizes and weights."""
    linears = [m for m in net.modules() if isinstance(m, torch.nn.Linear)]
    sizes = " &rarr; ".join(map(str, [linears[0].in_features] + [m.out_features for m in linears]))
    box = W.VBox([W.HTML(f"<div style='text-align:center;font-size:20px'><b>{letter}</b></div>"),
                  W.HTML(f"<div style='text-align:center;font-size:11px;color:#555;line-height:1.2'>{role}<br>"
                         f"MLP {sizes}<br>{models_mod.count_parameters(net):,} weights</div>")],
                 layout=W.Layout(grid_area=letter, border=f"2px solid {colour}", padding="2px 8px", align_items="center",
                                 justify_content="center", align_self="stretch", margin="2px 4px"))
    box.add_class("ge-explorer-net")
    return box


def _draw_latent(ax, z: torch.Tensor) -> None:
    """z in its own space: the first two coordinates (or a strip for 1D), the 1- and 2-sigma
    circles and the square grid that the G(z) view shows after G."""
    z = z.numpy()
    if z.shape[1] == 1:
        ax.scatter(z[:, 0], np.zeros(len(z)), s=5, c="#555555", alpha=0.6)
        ax.set_yticks([])
    else:
        t = np.linspace(-2, 2, 11)
        for a in t:
            ax.plot([a, a], [-2, 2], color="#555555", lw=0.6, alpha=0.5)
            ax.plot([-2, 2], [a, a], color="#555555", lw=0.6, alpha=0.5)
        for r in (1, 2):
            th = np.linspace(0, 2 * np.pi, 100)
            ax.plot(r * np.cos(th), r * np.sin(th), color="#888", lw=0.8, ls="--")
        ax.scatter(z[:, 0], z[:, 1], s=5, c="#333333", edgecolors="none")
        ax.set_aspect("equal")
        ax.set_xlim(-3.5, 3.5)
        ax.set_ylim(-3.5, 3.5)
    extra = "" if z.shape[1] <= 2 else f" (first 2 of {z.shape[1]} numbers)"
    ax.set_title(f"z, {len(z)} samples{extra}", fontsize=9)


# --------------------------------------------------------------------------- lesson 00's experiment
def train_and_compare(trainer: Trainer, steps: int = 200, n: int = 500, tolerance: float = 0.2) -> Comparison:
    """Train ``steps`` steps and compare G's samples (for the same ``n`` noise vectors) with the
    real data before and after (:func:`gan_edu.lessons.architecture.compare_before_after`: the
    outcome is ``"closer"``, ``"same"`` or ``"farther"``). ``figure`` shows both moments side by
    side (real green, fake purple, G's z-grid grey)."""
    result = compare_before_after(trainer, steps, n, tolerance)
    extent = viz.plane_extent(trainer.data)
    fig = viz.figure(6.4, 3.5)
    for i, m in enumerate(result.moments):
        ax = fig.add_subplot(1, 2, i + 1)
        art = viz.draw_plane(ax, extent, real=result.real, fake=m.fake, manifold=m.manifold, size=4)
        art["manifold"].set_zorder(3)                                    # G's z-grid on top of its points
        art["manifold"].set_label("G's z-grid")
        ax.set_title(f"step {m.step}\nmean distance to the nearest blob: {m.distance:.2f}", fontsize=9)
        ax.tick_params(labelsize=7.5)
    viz.legend_below(fig, markerscale=2.5)                                 # under both panels, never on the data
    result.figure = fig
    return result


def toward_ring(seed: int = 0, steps: int = 200) -> Comparison:
    """Lesson 00's prediction experiment, from its own fixed start: a NEW tiny GAN in the state the
    explorer starts in (:func:`~gan_edu.lessons.architecture.explorer_start`: seed ``seed``, step 1),
    trained ``steps`` steps by :func:`train_and_compare`. It never touches the explorer's trainer,
    so it shows the same thing however often it runs and whatever the learner clicked.

    Its margin: with seed 0 the mean distance to the nearest blob halves (0.81 -> 0.41, "closer" needs
    a drop of more than 20 %); 15 of seeds 0-15 drop by 38 % or more, seed 7 by 14 %."""
    return train_and_compare(explorer_start(seed), steps)
