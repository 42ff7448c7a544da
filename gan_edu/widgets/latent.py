"""Widgets of lesson 01: move through the latent space and watch G's output move.

* :class:`LatentExplorer` -- two sliders set a 2D noise vector z; the figure shows z in
  latent space (left) and G(z) in data space (right), over the real data and over G's
  warped grid (where a square grid of z lands). A small circle of neighbours around z is
  carried along (a dark loop, one neighbour marked so its turn can be followed): nearby z
  land near each other. Switch between generators (say, untrained and trained) with the buttons.
* :class:`InterpolationExplorer` -- a slider α in [0, 1] shows the image
  ``G((1 - α) z0 + α z1)`` of an image generator, next to the whole strip of the walk.

Both redraw through a :class:`~gan_edu.widgets.FigureView` (the figure is built once;
a redraw only moves its artists), show their picture at exactly the size it was drawn (never
stretched by the page) and can be driven from Python for tests:
``ex.set_z(0.5, -1.0)``, ``ex.use("trained")``, ``interp.set_alpha(0.3)``, ``interp.reroll()``.
"""
from __future__ import annotations

import html

import ipywidgets as W
import numpy as np
import torch
from matplotlib.lines import Line2D

from .. import _check, viz
from ..lessons.generator import as_z, check_generator, generator_output, interpolate
from ..lessons.plane import fixed_sample
from ..viz import generator as gviz
from ._base import BlitView, Shown, SliderWalk, button

__all__ = ["LatentExplorer", "InterpolationExplorer"]


def _at_drawn_size(view: BlitView) -> None:
    """Show ``view``'s image at the pixel size of its figure: an Image in a flex box is otherwise
    stretched to the box's width, and an upscaled picture is blurry (``max_width`` still lets a
    narrow page shrink it)."""
    fig = view.fig
    view.image.layout = W.Layout(width=f"{round(fig.get_figwidth() * fig.dpi)}px", max_width="100%", height="auto")


def _generators(generators) -> dict:
    """A dict {name: G}; a single generator becomes {"G": G}."""
    if isinstance(generators, torch.nn.Module):
        generators = {"G": generators}
    if not isinstance(generators, dict) or not generators:
        raise ValueError("generators must be a generator or a non-empty dict {name: generator}, "
                         f"got {type(generators).__name__}")
    for name, G in generators.items():
        if not isinstance(name, str):
            raise TypeError(f"generator names must be strings, got {name!r}")
        check_generator(G)
    return dict(generators)


def _chooser(names: list[str], css: str) -> W.ToggleButtons:
    t = W.ToggleButtons(options=names, value=names[0], description="G:", style={"button_width": "auto"},
                        layout=W.Layout(display="flex" if len(names) > 1 else "none"))
    t.add_class(css)
    return t


class LatentExplorer(Shown):
    """Two sliders on a 2D z; G(z) moves live in data space.

    ``generators``: one generator or a dict ``{name: G}`` (latent_dim 2, 2D output), e.g.
    ``{"untrained": G0, "trained": G}``. ``data``: a 2D data source drawn in green.
    ``z_range``: the sliders' range; ``grid_range``: the half-width of the drawn z-grid;
    ``radius``: the circle of neighbours around z (0 hides it).
    """

    fallback_title = "The latent explorer: sliders for z move the generator's output G(z)"

    def __init__(self, generators, data=None, z=(0.0, 0.0), z_range: float = 2.5, grid_range: float = 2.0,
                 n_lines: int = 11, radius: float = 0.25, n_neighbours: int = 16, n_real: int = 400,
                 fmt: str = "png", size: float = 3.6):
        self.generators = _generators(generators)
        for name, G in self.generators.items():
            if G.latent_dim != 2:
                raise ValueError(f"generator {name!r} must have latent_dim=2 (one slider per coordinate), got {G.latent_dim}")
            out = generator_output(G, torch.zeros(2))
            if tuple(out.shape) != (1, 2):
                raise ValueError(f"generator {name!r} must make 2D points, it makes samples of shape {tuple(out.shape[1:])}")
        self.z_range = _check.positive("z_range", z_range)
        self.grid_range = _check.positive("grid_range", grid_range)
        self.n_lines = _check.integer("n_lines", n_lines, minimum=2)
        self.radius = _check.number("radius", radius, minimum=0.0)
        self.n_neighbours = _check.integer("n_neighbours", n_neighbours, minimum=3)
        _check.positive_int("n_real", n_real)
        _check.one_of("fmt", fmt, ("png", "jpeg"))
        z1, z2 = self._check_z(z)
        self.data = data
        self.extent = viz.plane_extent(data) if data is not None else (-2.0, 2.0, -2.0, 2.0)
        self.name = next(iter(self.generators))
        self.output: torch.Tensor | None = None       #: G(z) as last drawn, shape [2]
        self.neighbour_outputs: torch.Tensor | None = None
        angles = torch.linspace(0, 2 * np.pi, self.n_neighbours + 1)[:-1]
        self._circle = torch.stack([angles.cos(), angles.sin()], 1)
        self._quiet = False

        self.fig = self._build_figure(size, n_real)
        a = self._artists
        self.view = BlitView(self.fig, [a["zn"], a["zn0"], a["z"], a["xn"], a["xn0"], a["x"]], fmt=fmt,
                             css_class="ge-latent-view")
        _at_drawn_size(self.view)
        slider = dict(min=-self.z_range, max=self.z_range, step=0.05, continuous_update=True, readout_format=".2f",
                      layout=W.Layout(width="300px"))
        self.z1_slider = W.FloatSlider(value=z1, description="z₁", **slider)
        self.z2_slider = W.FloatSlider(value=z2, description="z₂", **slider)
        self.z1_slider.add_class("ge-latent-z1")
        self.z2_slider.add_class("ge-latent-z2")
        self.chooser = _chooser(list(self.generators), "ge-latent-g")
        self.readout = W.HTML()
        self.readout.add_class("ge-latent-readout")
        for w in (self.z1_slider, self.z2_slider):
            w.observe(self._on_change, names="value")
        self.chooser.observe(self._on_choose, names="value")
        self.widget = W.VBox([W.HBox([self.z1_slider, self.z2_slider]), self.chooser, self.view.image, self.readout])
        self.widget.add_class("ge-latent")
        self.redraw(full=True)

    # ------------------------------------------------------------------ python API (what clicks do)
    def set_z(self, z1: float, z2: float) -> LatentExplorer:
        """Move both sliders (one redraw). Each coordinate must be within [-z_range, z_range]."""
        z1, z2 = self._check_z((z1, z2))
        self._quiet = True
        try:
            self.z1_slider.value, self.z2_slider.value = z1, z2
        finally:
            self._quiet = False
        self.redraw()
        return self

    def use(self, name: str) -> LatentExplorer:
        """Show generator ``name`` (what clicking its button does)."""
        _check.one_of("name", name, self.generators)
        if self.chooser.value == name:
            return self
        self.chooser.value = name                   # the observer redraws
        return self

    @property
    def z(self) -> torch.Tensor:
        """The current z, shape [2] (the sliders' values)."""
        return torch.tensor([self.z1_slider.value, self.z2_slider.value], dtype=torch.float32)

    @property
    def G(self):
        return self.generators[self.name]

    # ------------------------------------------------------------------ drawing
    def _check_z(self, z) -> tuple[float, float]:
        if not isinstance(z, (tuple, list)) or len(z) != 2:
            raise ValueError(f"z must be two numbers (z1, z2), got {z!r}")
        return tuple(_check.number(f"z{i + 1}", v, minimum=-self.z_range, maximum=self.z_range) for i, v in enumerate(z))

    def _build_figure(self, size: float, n_real: int):
        fig = viz.figure(2 * size, size + 0.6)
        az, ax = fig.add_subplot(121), fig.add_subplot(122)
        gviz.draw_z_grid(az, self.n_lines, self.grid_range, lw=0.7)
        pad = 0.05 * self.z_range
        gviz.frame(az, (-self.z_range - pad, self.z_range + pad, -self.z_range - pad, self.z_range + pad),
                    "latent space: move z with the sliders", "$z_1$", "$z_2$")
        if self.data is not None:
            real = fixed_sample(self.data, n_real, 1)
            viz.scatter_points(ax, real, "real", 6, alpha=0.8, zorder=1)
        lines = gviz.draw_manifold(ax, viz.manifold_lines(self.G, self.n_lines, self.grid_range), self.n_lines, lw=0.7)
        lines.set_alpha(0.8)
        art = {"lines": lines}
        loop = dict(color=viz.INK, lw=1.0, marker="o", ms=2.5, zorder=3)             # the circle of neighbours
        first = dict(ls="none", marker="s", ms=5.5, color=viz.ALERT, markeredgecolor="white", markeredgewidth=0.6,
                     zorder=4)                                                        # one of them, to follow the turn
        art["zn"], = az.plot([], [], **loop)
        art["zn0"], = az.plot([], [], **first)
        art["z"] = az.scatter([0], [0], s=140, marker="*", c=viz.INK, zorder=5, label="z")
        art["xn"], = ax.plot([], [], label="a circle of neighbours of z,\nand where G puts it", **loop)
        art["xn0"], = ax.plot([], [], label="one neighbour (right of z),\nto follow the circle's turn", **first)
        art["x"] = ax.scatter([0], [0], s=160, marker="*", c=viz.FAKE, edgecolors=viz.INK, linewidths=0.8, zorder=5,
                              label="G(z)")
        gviz.frame(ax, self.extent, "", "$x_1$", "$x_2$")
        art["ax"] = ax
        handles, labels = ax.get_legend_handles_labels()
        handles = [Line2D([], [], ls="none", marker=viz.MARKERS["real"], ms=5, color=viz.REAL) if label == "real x" else h
                   for h, label in zip(handles, labels)]                  # the real dots are tiny: a bigger key
        viz.legend_below(fig, [art["z"], *handles], ["z", *labels], ncol=5)
        self._artists = art
        return fig

    @torch.no_grad()
    def redraw(self, full: bool = False) -> None:
        """Recompute G(z) and its neighbours, move their markers and refresh the view;
        ``full=True`` also redraws G's warped grid (after switching generators)."""
        G, z = self.G, self.z
        zn = z + self.radius * self._circle
        out = generator_output(G, torch.cat([z[None], zn]))
        self.output, self.neighbour_outputs = out[0], out[1:]
        a = self._artists
        a["z"].set_offsets(z[None].numpy())
        a["x"].set_offsets(out[:1].numpy())
        show_n = self.radius > 0
        for key, points in (("zn", zn.numpy()), ("xn", out[1:].numpy())):
            closed = np.concatenate([points, points[:1]])                      # the loop, closed
            a[key].set_data(closed[:, 0], closed[:, 1])
            a[key + "0"].set_data(points[:1, 0], points[:1, 1])                 # the neighbour at angle 0
            a[key].set_visible(show_n)
            a[key + "0"].set_visible(show_n)
        if full:
            a["lines"].set_segments(viz.manifold_lines(G, self.n_lines, self.grid_range))
            a["ax"].set_title(f"data space: the {self.name} G", fontsize=9)
        x1, x2 = (float(v) for v in self.output)
        self.view.refresh(full=full)
        spread = float((self.neighbour_outputs - self.output).norm(dim=1).max()) if show_n else 0.0
        near = (f"; the neighbours at distance {self.radius:g} in z land within {spread:.2f} of G(z)" if show_n else "")
        self.readout.value = (f"<code>z = ({float(z[0]):+.2f}, {float(z[1]):+.2f}) &rarr; {html.escape(self.name)} "
                              f"G(z) = ({x1:+.3f}, {x2:+.3f})</code>{near}")

    def _on_change(self, _change) -> None:
        if not self._quiet:
            self.redraw()

    def _on_choose(self, change) -> None:
        self.name = change["new"]
        self.redraw(full=True)


class InterpolationExplorer(Shown, SliderWalk):
    """A slider α in [0, 1] walks from z0 to z1: the big picture is ``G((1 - α) z0 + α z1)``,
    the strip shows the whole walk in ``steps`` pictures with a marker at ``a``.

    ``generators``: one image generator or a dict ``{name: G}`` (all with the same latent_dim).
    ``z0``, ``z1``: the endpoints (default: drawn from G's noise with ``seed``); ``reroll()``
    draws new ones.
    """

    fallback_title = 'The interpolation explorer: a slider walks G(z) from one z to another'

    def __init__(self, generators, z0=None, z1=None, steps: int = 8, seed: int = 0, fmt: str = "png",
                 size: float = 1.8):
        self.generators = _generators(generators)
        dims = {G.latent_dim for G in self.generators.values()}
        if len(dims) != 1:
            raise ValueError(f"all generators must have the same latent_dim to share z0 and z1, got {sorted(dims)}")
        self.latent_dim = dims.pop()
        for name, G in self.generators.items():
            out = generator_output(G, torch.zeros(self.latent_dim))
            if out.ndim != 4:
                raise ValueError(f"generator {name!r} must make images [C, H, W], it makes samples of shape {tuple(out.shape[1:])}")
        self.steps = _check.integer("steps", steps, minimum=2)
        self._rng = torch.Generator().manual_seed(_check.integer("seed", seed, minimum=0))
        _check.one_of("fmt", fmt, ("png", "jpeg"))
        self.name = next(iter(self.generators))
        first = self.generators[self.name]
        self.z0 = self._one_z("z0", z0) if z0 is not None else first.sample_noise(1, self._rng)[0].cpu()
        self.z1 = self._one_z("z1", z1) if z1 is not None else first.sample_noise(1, self._rng)[0].cpu()
        self.output: torch.Tensor | None = None      #: G(z_a) as last drawn, shape [C, H, W]

        self.fig = self._build_figure(size)
        a = self._artists
        self.view = BlitView(self.fig, [a["big"], a["marker"], a["big_ax"].title], fmt=fmt, css_class="ge-interp-view")
        _at_drawn_size(self.view)
        self.slider = W.FloatSlider(value=0.0, min=0.0, max=1.0, step=0.01, description="α", continuous_update=True,
                                    readout_format=".2f", layout=W.Layout(width="420px"))
        self.slider.add_class("ge-interp-alpha")
        self.chooser = _chooser(list(self.generators), "ge-interp-g")
        self.reroll_button = button("new z0, z1", "ge-interp-reroll", self.reroll, icon="random")
        self.readout = W.HTML()
        self.readout.add_class("ge-interp-readout")
        self.slider.observe(lambda _: self.redraw(), names="value")
        self.chooser.observe(self._on_choose, names="value")
        self.widget = W.VBox([W.HBox([self.slider, self.reroll_button]), self.chooser, self.view.image, self.readout])
        self.widget.add_class("ge-interp")
        self._redraw_strip()
        self.redraw(full=True)

    # ------------------------------------------------------------------ python API
    def use(self, name: str) -> InterpolationExplorer:
        """Show generator ``name`` (what clicking its button does)."""
        _check.one_of("name", name, self.generators)
        if self.chooser.value != name:
            self.chooser.value = name
        return self

    def reroll(self) -> InterpolationExplorer:
        """New endpoints z0, z1 from the explorer's own random stream (what the button does)."""
        self.z0 = self.G.sample_noise(1, self._rng)[0].cpu()
        self.z1 = self.G.sample_noise(1, self._rng)[0].cpu()
        self._redraw_strip()
        self.redraw(full=True)
        return self

    @property
    def G(self):
        return self.generators[self.name]

    # ------------------------------------------------------------------ drawing
    def _one_z(self, name: str, z) -> torch.Tensor:
        t = as_z(name, z, self.latent_dim)
        if t.shape[0] != 1:
            raise ValueError(f"{name} must be one vector [{self.latent_dim}], got shape {tuple(t.shape)}")
        return t[0]

    def _build_figure(self, size: float):
        fig = viz.figure(size * (1 + 0.45 * self.steps) + 0.3, size + 0.2)
        gs = fig.add_gridspec(1, 2, width_ratios=[1.0, 0.45 * self.steps])
        big, strip = fig.add_subplot(gs[0, 0]), fig.add_subplot(gs[0, 1])
        probe = generator_output(self.G, self.z0)[0]
        c, h, w = probe.shape
        self._hw = (h, w)
        self._artists = {
            "big": big.imshow(np.zeros((h, w)), cmap="gray", vmin=0, vmax=1, interpolation="nearest"),
            "strip": strip.imshow(np.zeros((h + 2, self.steps * (w + 1) + 1)), cmap="gray", vmin=0, vmax=1,
                                  interpolation="nearest"),
            "marker": strip.axvline(0, color=viz.ALERT, lw=2.0),
            "big_ax": big, "strip_ax": strip,
        }
        for ax in (big, strip):
            ax.set_xticks([])
            ax.set_yticks([])
        strip.set_title("the walk from z0 (left) to z1 (right); red line: where α is", fontsize=8)
        big.set_title("G((1-α) z0 + α z1)\nα = 0.00", fontsize=8)     # room for the title in the layout
        fig.tight_layout()
        return fig

    def _redraw_strip(self) -> None:
        _, imgs = interpolate(self.G, self.z0, self.z1, steps=self.steps)
        grid = viz.image_grid(imgs, nrow=self.steps)
        self._artists["strip"].set_data(grid if imgs.shape[1] == 3 else grid[..., 0])

    @torch.no_grad()
    def redraw(self, full: bool = False) -> None:
        """G at the current point of the walk; move the strip marker; refresh the view
        (``full=True`` after the strip changed)."""
        a = self.alpha
        out = generator_output(self.G, self.z)[0]
        self.output = out
        img = viz.image_grid(out[None], nrow=1, padding=0)
        self._artists["big"].set_data(img if out.shape[0] == 3 else img[..., 0])
        h, w = self._hw
        first, last = 1 + w / 2, 1 + (self.steps - 1) * (w + 1) + w / 2
        self._artists["marker"].set_xdata([first + a * (last - first) - 0.5] * 2)
        self._artists["big_ax"].set_title(f"G((1-α) z0 + α z1)\nα = {a:.2f}", fontsize=8)
        self.view.refresh(full=full)
        self.readout.value = (f"<code>{html.escape(self.name)} G, α = {a:.2f}: z = {1 - a:.2f}·z0 + {a:.2f}·z1; pixels in "
                              f"[{float(out.min()):+.2f}, {float(out.max()):+.2f}]</code>")

    def _on_choose(self, change) -> None:
        self.name = change["new"]
        self._redraw_strip()
        self.redraw(full=True)
