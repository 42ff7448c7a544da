"""Pictures for mode collapse: the coverage timeline, the high-quality circles, results side by side."""
from __future__ import annotations

import numpy as np
from matplotlib.patches import Circle

from ..lessons.plane import fixed_sample
from . import FAKE, REAL, figure, plane_extent, scatter_points

__all__ = ["plot_coverage_timeline", "draw_modes", "plot_datasets", "plot_side_by_side"]


def plot_coverage_timeline(steps, counts, title: str = "which modes G covers, over training", size=(7.0, 3.2)):
    """Left: a mode x time map, colour = share of G's samples landing (high quality) on that
    mode. Right: how many modes are captured at each moment, and how many have been visited
    at least once so far."""
    steps, counts = np.asarray(steps), np.asarray(counts, dtype=float)
    n = counts.sum(axis=1, keepdims=True)
    share = counts / np.maximum(n, 1)
    total = counts.shape[1]
    fig = figure(*size)
    ax, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.6, 1]})
    im = ax.imshow(share.T, aspect="auto", origin="lower", cmap="Purples", vmin=0, vmax=max(0.25, share.max()),
                   extent=(steps[0], steps[-1], -0.5, total - 0.5), interpolation="nearest")
    ax.set_xlabel("step", fontsize=8)
    ax.set_ylabel("mode", fontsize=8)
    ax.set_title(title, fontsize=9)
    ax.tick_params(labelsize=7)
    cb = fig.colorbar(im, ax=ax, fraction=0.05)
    cb.ax.tick_params(labelsize=7)
    cb.set_label("share of samples", fontsize=7)
    now = (counts > 0).sum(axis=1)
    ever = np.maximum.accumulate(counts > 0, axis=0).sum(axis=1)
    ax2.step(steps, ever, where="post", color="#999999", lw=1.2, label="visited so far")
    ax2.step(steps, now, where="post", color=FAKE, lw=1.4, label="captured right now")
    ax2.set_ylim(0, total + 0.5)
    ax2.set_xlabel("step", fontsize=8)
    ax2.set_title("modes", fontsize=9)
    ax2.legend(fontsize=7, loc="lower right")
    ax2.tick_params(labelsize=7)
    fig.tight_layout()
    return fig


def draw_modes(ax, data, n_std: float = 3.0) -> None:
    """The high-quality zone around each centre: a circle of radius ``n_std`` standard deviations."""
    for c in np.asarray(data.centers):
        ax.add_patch(Circle(c, n_std * data.std, fill=False, ec=REAL, lw=0.8))


def plot_datasets(datasets, n: int = 2500, seed: int = 1, panel: float = 3.0):
    """One panel per mixture in ``datasets``: ``n`` of its samples (green) and the high-quality
    circle (3 std) around each of its centres, titled with its name and number of modes."""
    datasets = list(datasets)
    if not datasets or not all(hasattr(d, "centers") and hasattr(d, "std") for d in datasets):
        raise ValueError("datasets must be a non-empty list of mixtures with centres, e.g. [ge.data.ring(), ge.data.grid()]")
    fig = figure(panel * len(datasets), panel)
    for ax, data in zip(np.atleast_1d(fig.subplots(1, len(datasets))), datasets):
        x = fixed_sample(data, n, seed)
        scatter_points(ax, x, "real", 1)
        draw_modes(ax, data)
        ax.set_aspect("equal")
        ax.set_title(f"{data.name}: {data.n_modes} modes", fontsize=9)
    fig.tight_layout()
    return fig


def plot_side_by_side(trainers: dict, n: int = 1000, cols: int | None = None, panel: float = 2.4):
    """One panel per run: the data's centres with their high-quality circles, and ``n`` of G's
    samples. ``trainers`` maps a title to a Trainer, or to ``(data, samples)``."""
    names = list(trainers)
    cols = cols or len(names)
    rows = int(np.ceil(len(names) / cols))
    fig = figure(panel * cols, panel * rows + 0.2)
    axes = np.atleast_1d(fig.subplots(rows, cols)).ravel()
    for ax, name in zip(axes, names):
        item = trainers[name]
        if isinstance(item, tuple):
            data, x = item[0], np.asarray(item[1])[:n]
        else:
            data, x = item.data, fixed_sample(item, n, 0)
        extent = plane_extent(data, margin=0.3)
        scatter_points(ax, x, "fake", 2, alpha=0.6)
        ax.scatter(*np.asarray(data.centers).T, s=6, c=REAL, marker="x", lw=0.8)
        draw_modes(ax, data)
        ax.set_xlim(extent[0], extent[1])
        ax.set_ylim(extent[2], extent[3])
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(name, fontsize=8)
    for ax in axes[len(names):]:
        ax.set_axis_off()
    fig.tight_layout()
    return fig
