"""Pictures for mode collapse (lesson 05): the data and their high-quality circles, G's samples
against them, where G's samples go over a run (the coverage timeline), D and G's clump at
several moments, and the remedies side by side.

Sizes are chosen for a notebook at 100 % zoom: no figure is wider than 9 inches (900 px at
100 dpi, shown unscaled), every text is at least 8 pt (11 px), and legends sit outside the data.
"""
from __future__ import annotations

import numpy as np
from matplotlib.patches import Circle

from ..lessons.collapse import CollapseRun
from ..lessons.plane import d_grid, fixed_sample
from . import CMAP, FAKE, NEUTRAL, REAL, figure, plane_extent, scatter_points

__all__ = ["plot_coverage_timeline", "draw_modes", "draw_samples", "plot_datasets", "plot_side_by_side",
           "plot_moments"]

TICK, LABEL, TITLE = 8, 9, 10            # font sizes (pt)


def _check_run(run) -> CollapseRun:
    if not isinstance(run, CollapseRun):
        raise TypeError(f"expected the CollapseRun returned by gan_edu.lessons.collapse.record(), got {type(run).__name__}")
    return run


def plot_coverage_timeline(run: CollapseRun, title: str | None = None, size=(8.8, 3.3)):
    """Left: where G's samples are over the run -- for each mode (rows) and check (columns), the
    share of the samples whose nearest centre it is, whether or not they sit inside its circle.
    Right: how many modes are captured (at least one high-quality sample) at each check, and how
    many have been captured at least once so far. The legend sits below the plots."""
    run = _check_run(run)
    steps, near = run.steps, run.near.astype(float)
    share = near / np.maximum(near.sum(axis=1, keepdims=True), 1)
    k = near.shape[1]
    fig = figure(*size)
    ax, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.7, 1]})
    half = (steps[1] - steps[0]) / 2 if len(steps) > 1 else 0.5
    im = ax.imshow(share.T, aspect="auto", origin="lower", cmap="Purples", vmin=0, vmax=1,
                   extent=(steps[0] - half, steps[-1] + half, -0.5, k - 0.5), interpolation="nearest")
    ax.set_xlabel("step", fontsize=LABEL)
    ax.set_ylabel("mode (nearest centre)", fontsize=LABEL)
    ax.set_title(title or f"{run.name}: where G's samples are", fontsize=TITLE)
    ax.tick_params(labelsize=TICK)
    if k <= 10:
        ax.set_yticks(range(k))
    cb = fig.colorbar(im, ax=ax, fraction=0.05, pad=0.02)
    cb.ax.tick_params(labelsize=TICK)
    cb.set_label("share of samples", fontsize=LABEL)
    ax2.step(steps, run.captured_ever, where="post", color=NEUTRAL, lw=1.4, ls="--", label="captured at least once so far")
    ax2.step(steps, run.captured_now, where="post", color=FAKE, lw=1.6, label="captured right now")
    ax2.set_ylim(0, k + 0.5)
    ax2.set_xlabel("step", fontsize=LABEL)
    ax2.set_title("modes captured", fontsize=TITLE)
    ax2.tick_params(labelsize=TICK)
    fig.legend(handles=ax2.lines, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncol=2, fontsize=TICK, frameon=False)
    fig.subplots_adjust(left=0.07, right=0.98, top=0.9, bottom=0.25, wspace=0.3)
    return fig


def draw_modes(ax, data, n_std: float = 3.0) -> None:
    """The high-quality zone around each centre: a circle of radius ``n_std`` standard deviations."""
    for c in np.asarray(data.centers):
        ax.add_patch(Circle(c, n_std * data.std, fill=False, ec=REAL, lw=0.9))


def draw_samples(ax, data, samples, title: str = "", n: int = 1000, extent=None) -> None:
    """One panel: the data's centres (green crosses) and high-quality circles, and up to ``n`` of
    ``samples`` [N, 2] (purple triangles), on the data's plane without ticks."""
    x = np.asarray(samples, dtype=float).reshape(-1, 2)[:n]
    extent = extent or plane_extent(data, margin=0.3)
    scatter_points(ax, x, "fake", 4, alpha=0.5)
    ax.scatter(*np.asarray(data.centers).T, s=12, c=REAL, marker="x", lw=1.0)
    draw_modes(ax, data)
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=TITLE)


def plot_datasets(datasets, n: int = 2500, seed: int = 1, panel: float = 3.6):
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
        ax.tick_params(labelsize=TICK)
        ax.set_title(f"{data.name}: {data.n_modes} modes", fontsize=TITLE)
    fig.tight_layout()
    return fig


def plot_side_by_side(runs: dict, n: int = 1000, cols: int | None = None, panel: float = 2.9):
    """One panel per run: the data's centres with their high-quality circles, and ``n`` of G's
    samples. ``runs`` maps a title to a Trainer, a :class:`CollapseRun` (its final samples) or
    ``(data, samples)``. At most 3 panels a row by default, each ``panel`` inches (290 px) wide."""
    names = list(runs)
    if not names:
        raise ValueError("runs must map at least one title to a trainer, a CollapseRun or (data, samples)")
    cols = cols or min(3, len(names))
    rows = int(np.ceil(len(names) / cols))
    fig = figure(panel * cols, (panel + 0.3) * rows)
    axes = np.atleast_1d(fig.subplots(rows, cols)).ravel()
    for ax, name in zip(axes, names):
        item = runs[name]
        if isinstance(item, CollapseRun):
            data, x = item.data, item.final_samples
        elif isinstance(item, tuple):
            data, x = item
        else:
            data, x = item.data, fixed_sample(item, n, 0)
        draw_samples(ax, data, x, title=name, n=n)
    for ax in axes[len(names):]:
        ax.set_axis_off()
    fig.tight_layout()
    return fig


def plot_moments(run: CollapseRun, steps, cols: int = 3, panel: float = 2.9, n: int = 300):
    """D and G's samples at several checked ``steps`` of a recorded run: D's probability of "real"
    over the plane (purple 0, white 0.5, green 1), the data's centres, and ``n`` of G's samples.
    Shows the clump moving toward where D says "real" while D turns against it."""
    run = _check_run(run)
    steps = [int(s) for s in steps]
    idx = [run.at(s) for s in steps]
    rows = int(np.ceil(len(steps) / cols))
    extent = plane_extent(run.data, margin=0.3)
    fig = figure(panel * cols, (panel + 0.3) * rows + 0.5)
    axes = np.atleast_1d(fig.subplots(rows, cols)).ravel()
    im = None
    for ax, s, i in zip(axes, steps, idx):
        im = ax.imshow(d_grid(run.discriminators[i], extent, 80), extent=extent, origin="lower", cmap=CMAP,
                       vmin=0, vmax=1, interpolation="bilinear")
        draw_samples(ax, run.data, run.samples[i], title=f"step {s}", n=n, extent=extent)
    for ax in axes[len(steps):]:
        ax.set_axis_off()
    fig.subplots_adjust(left=0.02, right=0.98, top=0.93, bottom=0.16, wspace=0.08, hspace=0.2)
    cax = fig.add_axes([0.3, 0.07, 0.4, 0.025])
    cb = fig.colorbar(im, cax=cax, orientation="horizontal")
    cb.set_label("D(x): 0 = fake, 1 = real", fontsize=LABEL)
    cb.ax.tick_params(labelsize=TICK)
    return fig
