r"""Pictures of lesson 06: the Goodfellow et al. (2014) Figure-1 view of a 1D GAN, the curves
that show whether D sits at 0.5, and the simplest game stepped three ways.

The Figure-1 view, over the line x: the **data density** (green, exact), **G's density**
(purple, a KDE of its samples), **D(x)** = sigmoid(logit) (blue) and, if asked, the **optimal
discriminator** D*(x) = p_data / (p_data + p_g) (orange, dashed). D's scale (0 to 1) is on the
left; the densities have their own scale on the right. Below, as in the paper, the mapping
x = G(z): each grey line joins a noise value z (bottom; the lines split N(0, 1) into equal
probabilities) to G(z) on the x axis (top). Where the lines crowd together, G puts much
probability: that is p_g.

* :class:`Figure1` / :func:`draw_figure1` -- one view, laid out once and updated in place
  (the widget redraws it); :func:`plot_figure1_row` -- several moments as small multiples.
* :func:`plot_optimum` -- D before and after training it to the optimum, against D*, and the gap.
* :func:`plot_balance` -- mean D(x) on real and on fake batches over the steps of several runs.
* :func:`plot_losses` -- D's and G's losses over the steps, with the values they take at the equilibrium.
* :func:`plot_bilinear` -- :math:`\min_x \max_y xy` by gradient flow, simultaneous and alternating steps.

Every function returns a :class:`matplotlib.figure.Figure` made with :func:`gan_edu.viz.figure`,
at most 9 inches (900 px) wide so a notebook shows it unscaled, with text of at least 8 pt and
legends outside the plotted data (below the plots): issue 13's "readable at 100 % zoom".
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .. import _check
from ..lessons.equilibrium import Curves, GamePaths, radius
from . import CURVE_COLORS, CYCLE, D_COLOR, D_STAR_COLOR, FAKE, INK, NEUTRAL, REAL, figure, scatter_points

__all__ = ["D_COLOR", "D_STAR_COLOR", "Figure1", "draw_figure1", "plot_figure1_row", "plot_optimum", "plot_balance",
           "plot_losses", "plot_bilinear", "GAME_STYLES"]

TICK, LABEL, TITLE, LEGEND = 8, 9, 10, 8.5     # font sizes (pt): 11 px and more at 100 dpi
_Z_RANGE = 2.6             # the z axis of the mapping panel shows [-2.6, 2.6]
#: how each way of playing the bilinear game is drawn (colour, line style, marker, label)
GAME_STYLES = {
    "flow": (INK, "--", None, "gradient flow (infinitely small steps)"),
    "simultaneous": (CYCLE[6], "-", "o", "simultaneous steps"),
    "alternating": (CYCLE[3], "-", "s", "alternating steps (D first, then G: the Trainer)"),
}


def _check_curves(c) -> Curves:
    if not isinstance(c, Curves):
        raise TypeError(f"expected the Curves returned by gan_edu.lessons.equilibrium.curves(), got {type(c).__name__}")
    return c


def _visible_d_star(c: Curves, floor: float = 0.05) -> np.ndarray:
    """D* where at least one density is above ``floor`` times the data's peak; NaN elsewhere
    (there both are ~0, D* is the ratio of two tiny numbers and is not determined)."""
    keep = (c.p_data + c.p_g) > floor * c.p_data.max()
    return np.where(keep, c.d_star, np.nan)


def _legend_below(fig, handles, ncol: int, y: float = 0.0):
    """A legend centred under the plots (at figure height ``y``), never on the data."""
    return fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, y), ncol=ncol, fontsize=LEGEND,
                      frameon=False, handlelength=2.2, columnspacing=1.4)


class Figure1:
    """One Figure-1 view on ``ax`` (D's axis) with a twin axis for the densities and a mapping
    panel ``map_ax`` below (optional). :meth:`update` sets new curves without re-laying out.
    With ``legend_fig`` the view keeps a legend under the figure that lists only what is drawn
    (D* only while it is shown; the smoothed level only when there is one)."""

    def __init__(self, ax, map_ax=None, density_max: float | None = None, show_d_star: bool = True,
                 legend_fig=None):
        self.ax, self.map_ax = ax, map_ax
        self.dax = ax.twinx()
        self.density_max = density_max
        self.show_d_star = show_d_star
        self.legend_fig, self.legend, self._listed = legend_fig, None, None
        ax.axhline(0.5, color="#888888", lw=0.8, ls=":", zorder=1)
        self.l_level = ax.axhline(0.5, color=D_STAR_COLOR, lw=1.0, ls=":", zorder=1, visible=False)
        (self.l_data,) = self.dax.plot([], [], color=REAL, lw=1.8, ls=(0, (1, 1.2)), label="data density $p_{data}$")
        (self.l_g,) = self.dax.plot([], [], color=FAKE, lw=1.8, label="G's density $p_g$ (KDE)")
        (self.l_d,) = ax.plot([], [], color=D_COLOR, lw=2.2, label="$D(x)$")
        (self.l_star,) = ax.plot([], [], color=D_STAR_COLOR, lw=1.7, ls=(0, (4, 2.5)), label="optimal $D^*(x)$", zorder=4)
        ax.set_zorder(self.dax.get_zorder() + 1)      # D on top of the densities
        ax.patch.set_visible(False)
        ax.set_ylim(-0.02, 1.02)
        ax.set_yticks([0, 0.25, 0.5, 0.75, 1])
        ax.set_ylabel("D(x)", fontsize=LABEL, color=D_COLOR)
        ax.tick_params(labelsize=TICK)
        self.dax.tick_params(labelsize=TICK, colors="#555555")
        self.dax.set_ylabel("density", fontsize=LABEL, color="#555555")
        self.title = ax.set_title("", fontsize=TITLE)
        if map_ax is not None:
            self._build_map(map_ax)

    def _build_map(self, map_ax) -> None:
        from matplotlib.collections import LineCollection

        self.segments = map_ax.add_collection(LineCollection([], colors="#777777", linewidths=0.8))
        self.z_dots = map_ax.scatter([], [], s=8, c="#444444", zorder=3)
        self.x_dots = scatter_points(map_ax, np.zeros((0, 2)), "fake", 10, zorder=3)
        self.z_ends = tuple(map_ax.text(u, -0.15, "", fontsize=TICK, va="top", ha=ha, color="#444444",
                                        transform=map_ax.get_yaxis_transform()) for u, ha in ((0.005, "left"), (0.995, "right")))
        map_ax.set_ylim(-0.75, 1.12)
        map_ax.set_yticks([0, 1])
        map_ax.set_yticklabels(["z", "x"], fontsize=LABEL)
        map_ax.tick_params(labelsize=TICK)
        map_ax.axhline(0, color="#999999", lw=0.6)
        map_ax.axhline(1, color="#999999", lw=0.6)
        for side in ("top", "right"):
            map_ax.spines[side].set_visible(False)

    def handles(self) -> list:
        """The curves drawn now, in legend order."""
        shown = [self.l_data, self.l_g, self.l_d]
        return shown + [h for h in (self.l_star, self.l_level) if h.get_visible()]

    def _sync_legend(self) -> None:
        handles = self.handles()
        listed = [(h, h.get_label()) for h in handles]
        if self.legend_fig is None or listed == self._listed:
            return
        if self.legend is not None:
            self.legend.remove()
        self.legend = _legend_below(self.legend_fig, handles, ncol=3)
        self._listed = listed

    def update(self, c: Curves, title: str | None = None, note: str = "", show_d_star: bool | None = None) -> None:
        """Draw ``c``; ``note`` is a second title line (e.g. "p_g goes off the top")."""
        c = _check_curves(c)
        if show_d_star is not None:
            self.show_d_star = show_d_star
        x0, x1 = float(c.x[0]), float(c.x[-1])
        self.l_data.set_data(c.x, c.p_data)
        self.l_g.set_data(c.x, c.p_g)
        self.l_d.set_data(c.x, c.d)
        self.l_star.set_data(c.x, _visible_d_star(c))
        self.l_star.set_visible(self.show_d_star)
        top = self.density_max if self.density_max is not None else 1.25 * float(c.p_data.max())
        self.dax.set_ylim(0, top)
        for a in (self.ax, self.dax):
            a.set_xlim(x0, x1)
        level = c.real_label / 2                  # D* where p_g = p_data
        self.l_level.set_ydata([level, level])
        self.l_level.set_visible(c.real_label != 1.0)
        self.l_level.set_label(f"$D^*$ where $p_g = p_{{data}}$: {c.real_label:g}/2 = {level:g}")
        head = title if title is not None else f"step {c.step}"
        self.title.set_text(f"{head}\n{note}" if note else head)
        if self.map_ax is not None:
            self._update_map(c, x0, x1)
        self._sync_legend()

    def _update_map(self, c: Curves, x0: float, x1: float) -> None:
        self.map_ax.set_xlim(x0, x1)
        flip = len(c.z) > 1 and np.corrcoef(c.z, c.gz)[0, 1] < 0       # G decreasing: draw z from right to left
        u = (np.clip(c.z, -_Z_RANGE, _Z_RANGE) + _Z_RANGE) / (2 * _Z_RANGE)
        zpos = x0 + (1 - u if flip else u) * (x1 - x0)
        left, right = (f"z = {_Z_RANGE}", f"z = -{_Z_RANGE}") if flip else (f"z = -{_Z_RANGE}", f"z = {_Z_RANGE}")
        self.z_ends[0].set_text(left)
        self.z_ends[1].set_text(right)
        gz = np.clip(c.gz, x0, x1)
        self.segments.set_segments([np.array([[a, 0.0], [b, 1.0]]) for a, b in zip(zpos, gz)])
        self.z_dots.set_offsets(np.column_stack([zpos, np.zeros_like(zpos)]))
        self.x_dots.set_offsets(np.column_stack([gz, np.ones_like(gz)]))


def _panel(fig, spec, **kw) -> Figure1:
    sub = spec.subgridspec(2, 1, height_ratios=[3.2, 1.0], hspace=0.1)
    ax = fig.add_subplot(sub[0])
    map_ax = fig.add_subplot(sub[1], sharex=ax)
    ax.tick_params(labelbottom=False)
    return Figure1(ax, map_ax, **kw)


def draw_figure1(c: Curves, title: str | None = None, note: str = "", show_d_star: bool = True,
                 size=(7.0, 4.8)) -> tuple:
    """A new figure holding one Figure-1 view of ``c``, its legend below; returns ``(fig, view)``
    (update with ``view.update(new_curves)`` and redraw)."""
    fig = figure(*size)
    view = _panel(fig, fig.add_gridspec(1, 1)[0], show_d_star=show_d_star, legend_fig=fig)
    fig.subplots_adjust(left=0.1, right=0.9, top=0.9 if not note else 0.86, bottom=0.2)
    view.update(c, title=title, note=note)
    return fig, view


def plot_figure1_row(curves_list: Sequence[Curves], titles: Sequence[str] | None = None, show_d_star: bool = False,
                     cols: int = 2, width_each: float = 4.4, height_each: float = 3.5):
    """Small multiples: one Figure-1 view per moment, ``cols`` a row, on the same scales (the
    density axis is fixed by the data's peak; a taller p_g is cut off at the top, and the panel
    says so under its title). One legend below all of them."""
    curves_list = [_check_curves(c) for c in curves_list]
    if not curves_list:
        raise ValueError("curves_list must hold at least one Curves")
    if titles is not None and len(titles) != len(curves_list):
        raise ValueError(f"titles must have one entry per panel ({len(curves_list)}), got {len(titles)}")
    n = len(curves_list)
    cols = min(_check.positive_int("cols", cols), n)
    rows = -(-n // cols)
    fig = figure(width_each * cols, height_each * rows + 0.5)
    spec = fig.add_gridspec(rows, cols, wspace=0.45, hspace=0.45)
    top = 1.25 * float(curves_list[0].p_data.max())
    for i, c in enumerate(curves_list):
        view = _panel(fig, spec[i // cols, i % cols], density_max=top, show_d_star=show_d_star)
        clipped = "$p_g$ goes off the top" if c.p_g.max() > top else ""
        view.update(c, title=titles[i] if titles else f"step {c.step}", note=clipped)
    _legend_below(fig, view.handles(), ncol=len(view.handles()))
    fig.subplots_adjust(left=0.08, right=0.92, top=0.92, bottom=0.5 / (height_each * rows + 0.5) + 0.06)
    return fig


def plot_optimum(before: Curves, after: Curves, support_mask: np.ndarray, title: str | None = None):
    """Left: the Figure-1 view with D before (light) and after (dark) training D to the optimum,
    and D*. Right: |D - D*| over x, before and after, with the data's support shaded. One
    legend below both."""
    before, after = _check_curves(before), _check_curves(after)
    mask = np.asarray(support_mask, dtype=bool)
    if mask.shape != after.x.shape:
        raise ValueError(f"support_mask must have one entry per grid point ({after.x.size}), got shape {mask.shape}")
    fig = figure(9.0, 4.6)
    spec = fig.add_gridspec(1, 2, width_ratios=[1.3, 1.0], wspace=0.4)
    view = _panel(fig, spec[0], show_d_star=True)
    view.update(after, title=title if title is not None else f"G frozen at step {after.step}")
    view.l_d.set_label("D after training to the optimum")
    (l_before,) = view.ax.plot(before.x, before.d, color=D_COLOR, lw=1.3, alpha=0.35, label="D before")
    ax = fig.add_subplot(spec[1])
    x = after.x
    lo, hi = x[mask].min(), x[mask].max()
    shade = ax.axvspan(lo, hi, color=REAL, alpha=0.1, lw=0, label="the data's support (mean ± 2 std)")
    gap_before, gap_after = np.abs(before.d - _visible_d_star(before)), np.abs(after.d - _visible_d_star(after))
    (g0,) = ax.plot(x, gap_before, color=D_COLOR, alpha=0.35, lw=1.3, label="|D − D*| before")
    (g1,) = ax.plot(x, gap_after, color=D_COLOR, lw=2.2, label="|D − D*| after")
    margin = ax.axhline(0.05, color="#444444", lw=0.9, ls="--", label="0.05")
    ax.set_xlim(x[0], x[-1])
    ax.set_ylim(0, max(0.2, float(np.abs(before.d - before.d_star)[mask].max()) * 1.1))
    ax.set_xlabel("x", fontsize=LABEL)
    ax.set_title("distance from the optimal discriminator", fontsize=TITLE)
    ax.tick_params(labelsize=TICK)
    _legend_below(fig, [view.l_data, view.l_g, l_before, view.l_d, view.l_star, shade, g0, g1, margin], ncol=3)
    fig.subplots_adjust(left=0.07, right=0.97, top=0.92, bottom=0.27)
    return fig


def plot_balance(histories: Mapping, last: int | None = None, ylim=(0.0, 1.0), size_each=(4.3, 3.2)):
    """For each ``{name: trainer.history}``: mean D(x) on the real batch (green) and on the fake
    batch (purple) at every step, with the line 0.5 where both would sit at the equilibrium."""
    if not isinstance(histories, Mapping) or not histories:
        raise ValueError("histories must be a non-empty dict {name: trainer.history}")
    if last is not None:
        last = _check.positive_int("last", last)
    n = len(histories)
    fig = figure(min(9.0, size_each[0] * n), size_each[1])
    axes = fig.subplots(1, n, squeeze=False)[0]
    for ax, (name, h) in zip(axes, histories.items()):
        lines = []
        for key, color, label in (("d_real", REAL, "mean D(x), real batch"), ("d_fake", FAKE, "mean D(G(z)), fake batch")):
            s = h[key]
            steps, values = s.steps, s.values
            if last is not None:
                steps, values = steps[-last:], values[-last:]
            lines += ax.plot(steps, values, color=color, lw=1.0, label=label, ls="-" if key == "d_real" else "--")
        lines.append(ax.axhline(0.5, color="#444444", lw=0.8, ls=":", label="0.5"))
        ax.set_ylim(*ylim)
        ax.set_title(name, fontsize=TITLE)
        ax.set_xlabel("step", fontsize=LABEL)
        ax.tick_params(labelsize=TICK)
    _legend_below(fig, lines, ncol=3)
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    return fig


def plot_losses(history, targets: Mapping[str, float], window: int = 20, size=(7.0, 3.4), title: str | None = None):
    """D's and G's losses at every step (thin) and their moving average over ``window`` steps
    (thick), with a dashed line at each ``targets`` value (``{"loss_d": 1.386, "loss_g": 0.693}``),
    named in the legend below the plot."""
    window = _check.positive_int("window", window)
    if not isinstance(targets, Mapping):
        raise ValueError("targets must be a dict {'loss_d': value, 'loss_g': value}")
    fig = figure(*size)
    ax = fig.add_subplot(111)
    names = {"loss_d": "D's loss", "loss_g": "G's loss (non-saturating)"}
    handles = []
    for key in ("loss_d", "loss_g"):
        s = history[key]
        steps, values = s.steps, s.values
        ax.plot(steps, values, color=CURVE_COLORS[key], lw=0.6, alpha=0.35)
        if values.size >= window:
            smooth = np.convolve(values, np.ones(window) / window, mode="valid")
            handles += ax.plot(steps[window - 1:], smooth, color=CURVE_COLORS[key], lw=1.6,
                               label=f"{names[key]}, mean of {window} steps")
        if key in targets:
            t = float(targets[key])
            handles.append(ax.axhline(t, color=CURVE_COLORS[key], lw=0.9, ls="--",
                                      label=f"{names[key].split(' (')[0]} at the equilibrium: {t:.3f}"))
    ax.set_xlabel("step", fontsize=LABEL)
    ax.set_ylabel("loss (nats)", fontsize=LABEL)
    ax.tick_params(labelsize=TICK)
    if title:
        ax.set_title(title, fontsize=TITLE)
    _legend_below(fig, handles, ncol=2)
    fig.subplots_adjust(left=0.09, right=0.97, top=0.9, bottom=0.36)
    return fig


def plot_bilinear(paths: GamePaths, size=(8.6, 4.3)):
    """The game min_x max_y xy from one start, three ways (:func:`gan_edu.lessons.equilibrium.bilinear_paths`).
    Left: the paths in the (x, y) plane around the equilibrium (0, 0). Right: the distance from
    (0, 0) after every step. The discrete steps are marked (circles: simultaneous, squares:
    alternating), so the three differ without colour too."""
    if not isinstance(paths, GamePaths):
        raise TypeError(f"expected the GamePaths of bilinear_paths(), got {type(paths).__name__}")
    fig = figure(*size)
    ax, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.15]})
    handles = []
    for name in ("flow", "simultaneous", "alternating"):
        color, ls, marker, label = GAME_STYLES[name]
        p = getattr(paths, name)
        z = 4 if name == "flow" else 3                                   # the flow on top: the orbit hugs it
        handles += ax.plot(p[:, 0], p[:, 1], color=color, ls=ls, lw=1.6 if z == 4 else 1.2, marker=marker, ms=3,
                           label=label, zorder=z)
        ax2.plot(np.arange(len(p)), radius(p), color=color, ls=ls, lw=1.6, marker=marker, ms=3, markevery=3, zorder=z)
    start = paths.flow[0]
    handles.append(ax.scatter(*start, s=50, facecolor="none", edgecolor=INK, lw=1.2, zorder=5, label="start"))
    handles.append(ax.scatter(0, 0, s=60, marker="*", color=NEUTRAL, zorder=5, label="equilibrium (0, 0)"))
    lim = 1.08 * float(max(np.abs(getattr(paths, k)).max() for k in ("flow", "simultaneous", "alternating")))
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.set_xlabel("x (G, minimises xy)", fontsize=LABEL)
    ax.set_ylabel("y (D, maximises xy)", fontsize=LABEL)
    ax.set_title(f"$\\min_x \\max_y\\, xy$, step size {paths.lr:g}", fontsize=TITLE)
    ax2.set_xlabel("step", fontsize=LABEL)
    ax2.set_ylabel("distance from (0, 0)", fontsize=LABEL)
    ax2.set_ylim(0, None)
    ax2.set_title("distance from the equilibrium", fontsize=TITLE)
    for a in (ax, ax2):
        a.tick_params(labelsize=TICK)
    _legend_below(fig, handles, ncol=2)
    fig.subplots_adjust(left=0.08, right=0.98, top=0.92, bottom=0.3, wspace=0.3)
    return fig
