r"""Pictures of lesson 06: the Goodfellow et al. (2014) Figure-1 view of a 1D GAN, and the
curves that show whether D sits at 0.5.

The Figure-1 view, over the line x: the **data density** (green, exact), **G's density**
(purple, a KDE of its samples), **D(x)** = sigmoid(logit) (blue) and, if asked, the **optimal
discriminator** D*(x) = p_data / (p_data + p_g) (orange, dashed). D's scale (0 to 1) is on the
left; the densities have their own scale on the right. Below, as in the paper, the mapping
x = G(z): each grey line joins a noise value z (bottom; the lines split N(0, 1) into equal
probabilities) to G(z) on the x axis (top). Where the lines crowd together, G puts much
probability: that is p_g.

* :class:`Figure1` / :func:`draw_figure1` -- one view, laid out once and updated in place
  (the widget redraws it); :func:`plot_figure1_row` -- several moments side by side.
* :func:`plot_optimum` -- D before and after training it to the optimum, against D*, and the gap.
* :func:`plot_balance` -- mean D(x) on real and on fake batches over the steps of several runs.
* :func:`plot_losses` -- D's and G's losses over the steps, with the values they take at the equilibrium.

Every function returns a :class:`matplotlib.figure.Figure` made with :func:`gan_edu.viz.figure`.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .. import _check
from ..lessons.equilibrium import Curves
from . import CURVE_COLORS, D_COLOR, D_STAR_COLOR, FAKE, REAL, figure, finish, scatter_points

__all__ = ["D_COLOR", "D_STAR_COLOR", "Figure1", "draw_figure1", "plot_figure1_row", "plot_optimum", "plot_balance",
           "plot_losses"]

_Z_RANGE = 2.6             # the z axis of the mapping panel shows [-2.6, 2.6]


def _check_curves(c) -> Curves:
    if not isinstance(c, Curves):
        raise TypeError(f"expected the Curves returned by gan_edu.lessons.equilibrium.curves(), got {type(c).__name__}")
    return c


def _visible_d_star(c: Curves, floor: float = 0.05) -> np.ndarray:
    """D* where at least one density is above ``floor`` times the data's peak; NaN elsewhere
    (there both are ~0, D* is the ratio of two tiny numbers and is not determined)."""
    keep = (c.p_data + c.p_g) > floor * c.p_data.max()
    return np.where(keep, c.d_star, np.nan)


class Figure1:
    """One Figure-1 view on ``ax`` (D's axis) with a twin axis for the densities and a mapping
    panel ``map_ax`` below (optional). :meth:`update` sets new curves without re-laying out."""

    def __init__(self, ax, map_ax=None, density_max: float | None = None, legend: bool = True, show_d_star: bool = True):
        self.ax, self.map_ax = ax, map_ax
        self.dax = ax.twinx()
        self.density_max = density_max
        self.show_d_star = show_d_star
        ax.axhline(0.5, color="#888888", lw=0.8, ls=":", zorder=1)
        self.half_label = ax.text(1.0, 0.5, "0.5 ", transform=ax.get_yaxis_transform(), fontsize=6.5, ha="right",
                                  va="bottom", color="#777777")
        self.l_level = ax.axhline(0.5, color=D_STAR_COLOR, lw=0.9, ls=":", zorder=1, visible=False)
        self.level_label = ax.text(1.0, 0.5, "", transform=ax.get_yaxis_transform(), fontsize=6.5, ha="right",
                                   va="top", color=D_STAR_COLOR)
        (self.l_data,) = self.dax.plot([], [], color=REAL, lw=1.6, ls=(0, (1, 1.2)), label="data density $p_{data}$")
        (self.l_g,) = self.dax.plot([], [], color=FAKE, lw=1.6, label="G's density $p_g$ (KDE)")
        (self.l_d,) = ax.plot([], [], color=D_COLOR, lw=2.0, label="$D(x)$")
        (self.l_star,) = ax.plot([], [], color=D_STAR_COLOR, lw=1.5, ls=(0, (4, 2.5)), label="optimal $D^*(x)$", zorder=4)
        ax.set_zorder(self.dax.get_zorder() + 1)      # D on top of the densities
        ax.patch.set_visible(False)
        ax.set_ylim(-0.02, 1.02)
        ax.set_ylabel("D(x)", fontsize=8, color=D_COLOR)
        ax.tick_params(labelsize=7)
        self.dax.tick_params(labelsize=7, colors="#666666")
        self.dax.set_ylabel("density", fontsize=8, color="#666666")
        self.title = ax.set_title("", fontsize=9)
        self.note = ax.text(0.01, 0.98, "", transform=ax.transAxes, fontsize=7, va="top", ha="left", color="#333333")
        if legend:
            handles = [self.l_data, self.l_g, self.l_d] + ([self.l_star] if show_d_star else [])
            ax.legend(handles=handles, loc="upper right", fontsize=6.5, framealpha=0.85)
        self.segments = None
        if map_ax is not None:
            from matplotlib.collections import LineCollection

            self.segments = map_ax.add_collection(LineCollection([], colors="#777777", linewidths=0.8))
            self.z_dots = map_ax.scatter([], [], s=6, c="#444444", zorder=3)
            self.x_dots = scatter_points(map_ax, np.zeros((0, 2)), "fake", 6, zorder=3)
            self.z_ends = tuple(map_ax.text(u, -0.1, "", fontsize=6, va="top", ha=ha, color="#555555",
                                            transform=map_ax.get_yaxis_transform()) for u, ha in ((0.005, "left"), (0.995, "right")))
            map_ax.set_ylim(-0.5, 1.12)
            map_ax.set_yticks([0, 1])
            map_ax.set_yticklabels(["z", "x"], fontsize=8)
            map_ax.tick_params(labelsize=7)
            map_ax.axhline(0, color="#999999", lw=0.6)
            map_ax.axhline(1, color="#999999", lw=0.6)
            for side in ("top", "right"):
                map_ax.spines[side].set_visible(False)

    def update(self, c: Curves, title: str | None = None, note: str = "", show_d_star: bool | None = None) -> None:
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
        smoothed = c.real_label != 1.0
        level = c.real_label / 2                  # D* where p_g = p_data
        self.l_level.set_ydata([level, level])
        self.l_level.set_visible(smoothed)
        self.level_label.set_position((1.0, level))
        self.level_label.set_text(f"{level:g} = {c.real_label:g}/2 " if smoothed else "")
        self.title.set_text(title if title is not None else f"step {c.step}")
        self.note.set_text(note)
        if self.map_ax is not None:
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
    sub = spec.subgridspec(2, 1, height_ratios=[3.2, 1.0], hspace=0.08)
    ax = fig.add_subplot(sub[0])
    map_ax = fig.add_subplot(sub[1], sharex=ax)
    ax.tick_params(labelbottom=False)
    return Figure1(ax, map_ax, **kw)


def draw_figure1(c: Curves, title: str | None = None, note: str = "", show_d_star: bool = True,
                 size=(5.2, 3.6)) -> tuple:
    """A new figure holding one Figure-1 view of ``c``; returns ``(fig, view)`` (update with
    ``view.update(new_curves)`` and redraw)."""
    fig = figure(*size)
    view = _panel(fig, fig.add_gridspec(1, 1)[0], show_d_star=show_d_star)
    view.update(c, title=title, note=note)
    fig.subplots_adjust(left=0.1, right=0.88, top=0.92, bottom=0.08)
    return fig, view


def plot_figure1_row(curves_list: Sequence[Curves], titles: Sequence[str] | None = None, show_d_star: bool = False,
                     width_each: float = 3.4, height: float = 3.4):
    """Small multiples: one Figure-1 view per moment, side by side, on the same scales
    (the density axis is fixed by the data's peak; a taller p_g is cut off at the top)."""
    curves_list = [_check_curves(c) for c in curves_list]
    if not curves_list:
        raise ValueError("curves_list must hold at least one Curves")
    if titles is not None and len(titles) != len(curves_list):
        raise ValueError(f"titles must have one entry per panel ({len(curves_list)}), got {len(titles)}")
    n = len(curves_list)
    fig = figure(width_each * n, height)
    spec = fig.add_gridspec(1, n, wspace=0.42)
    top = 1.25 * float(curves_list[0].p_data.max())
    for i, c in enumerate(curves_list):
        view = _panel(fig, spec[i], density_max=top, legend=False, show_d_star=show_d_star)
        clipped = "  ($p_g$ goes off the top)" if c.p_g.max() > top else ""
        view.update(c, title=titles[i] if titles else f"step {c.step}", note=clipped.strip())
    handles = [view.l_data, view.l_g, view.l_d] + ([view.l_star] if show_d_star else [])
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=7.5, frameon=False)
    fig.subplots_adjust(left=0.05, right=0.96, top=0.91, bottom=0.16)
    return fig


def plot_optimum(before: Curves, after: Curves, support_mask: np.ndarray, title: str | None = None):
    """Left: the Figure-1 view with D before (light) and after (dark) training D to the optimum,
    and D*. Right: |D - D*| over x, before and after, with the data's support shaded."""
    before, after = _check_curves(before), _check_curves(after)
    mask = np.asarray(support_mask, dtype=bool)
    if mask.shape != after.x.shape:
        raise ValueError(f"support_mask must have one entry per grid point ({after.x.size}), got shape {mask.shape}")
    fig = figure(9.6, 3.6)
    spec = fig.add_gridspec(1, 2, width_ratios=[1.35, 1.0], wspace=0.35)
    view = _panel(fig, spec[0], legend=False, show_d_star=True)
    view.update(after, title=title if title is not None else f"G frozen at step {after.step}")
    view.l_d.set_label("D after training to the optimum")
    (l_before,) = view.ax.plot(before.x, before.d, color=D_COLOR, lw=1.2, alpha=0.35, label="D before")
    view.ax.legend(handles=[view.l_data, view.l_g, l_before, view.l_d, view.l_star], loc="upper left",
                   fontsize=6.5, framealpha=0.85)
    ax = fig.add_subplot(spec[1])
    x = after.x
    lo, hi = x[mask].min(), x[mask].max()
    ax.axvspan(lo, hi, color=REAL, alpha=0.08, lw=0, label="data support (mean ± 2 std)")
    gap_before, gap_after = np.abs(before.d - _visible_d_star(before)), np.abs(after.d - _visible_d_star(after))
    ax.plot(x, gap_before, color=D_COLOR, alpha=0.35, lw=1.2, label="|D − D*| before")
    ax.plot(x, gap_after, color=D_COLOR, lw=2.0, label="|D − D*| after")
    ax.axhline(0.05, color="#444444", lw=0.8, ls="--")
    ax.text(x[0], 0.055, "0.05", fontsize=7, color="#444444", va="bottom")
    ax.set_xlim(x[0], x[-1])
    ax.set_ylim(0, max(0.2, float(np.abs(before.d - before.d_star)[mask].max()) * 1.1))
    ax.set_xlabel("x", fontsize=8)
    ax.set_title("distance from the optimal discriminator", fontsize=9)
    ax.tick_params(labelsize=7)
    ax.legend(fontsize=6.5, loc="upper right")
    fig.subplots_adjust(left=0.06, right=0.97, top=0.9, bottom=0.13)
    return fig


def plot_balance(histories: Mapping, last: int | None = None, ylim=(0.0, 1.0), size_each=(4.2, 2.8)):
    """For each ``{name: trainer.history}``: mean D(x) on the real batch (green) and on the fake
    batch (purple) at every step, with the line 0.5 where both would sit at the equilibrium."""
    if not isinstance(histories, Mapping) or not histories:
        raise ValueError("histories must be a non-empty dict {name: trainer.history}")
    if last is not None:
        last = _check.positive_int("last", last)
    n = len(histories)
    fig = figure(size_each[0] * n, size_each[1])
    axes = fig.subplots(1, n, squeeze=False)[0]
    for ax, (name, h) in zip(axes, histories.items()):
        for key, color, label in (("d_real", REAL, "mean D(x), real batch"), ("d_fake", FAKE, "mean D(G(z)), fake batch")):
            s = h[key]
            steps, values = s.steps, s.values
            if last is not None:
                steps, values = steps[-last:], values[-last:]
            ax.plot(steps, values, color=color, lw=1.0, label=label)
        ax.axhline(0.5, color="#444444", lw=0.8, ls="--")
        ax.set_ylim(*ylim)
        ax.set_title(name, fontsize=9)
        ax.set_xlabel("step", fontsize=8)
        ax.tick_params(labelsize=7)
    axes[0].legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    return fig


def plot_losses(history, targets: Mapping[str, float], window: int = 20, size=(6.0, 2.8), title: str | None = None):
    """D's and G's losses at every step (thin) and their moving average over ``window`` steps
    (thick), with a dashed line at each ``targets`` value (``{"loss_d": 1.386, "loss_g": 0.693}``)."""
    window = _check.positive_int("window", window)
    if not isinstance(targets, Mapping):
        raise ValueError("targets must be a dict {'loss_d': value, 'loss_g': value}")
    fig = figure(*size)
    ax = fig.add_subplot(111)
    names = {"loss_d": "D's loss", "loss_g": "G's loss (non-saturating)"}
    for key in ("loss_d", "loss_g"):
        s = history[key]
        steps, values = s.steps, s.values
        ax.plot(steps, values, color=CURVE_COLORS[key], lw=0.6, alpha=0.35)
        if values.size >= window:
            smooth = np.convolve(values, np.ones(window) / window, mode="valid")
            ax.plot(steps[window - 1:], smooth, color=CURVE_COLORS[key], lw=1.6, label=f"{names[key]}, mean of {window} steps")
        if key in targets:
            t = float(targets[key])
            ax.axhline(t, color=CURVE_COLORS[key], lw=0.9, ls="--")
            ax.text(steps[-1] if steps.size else 0, t, f" {t:.3f}", fontsize=7, va="bottom", ha="right", color=CURVE_COLORS[key])
    return finish(fig, ax, "step", "loss (nats)", title, legend="upper right")
