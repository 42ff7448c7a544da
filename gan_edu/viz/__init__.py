"""Pictures: the 2D plane (D heatmap, real and fake samples, G's manifold, gradient
arrows), image grids, training curves, and D's scores on real and fake samples.

Colours are the same in every lesson and chosen to stay apart for colour-blind readers (see
:mod:`gan_edu.viz.palette`): real is green, fake is purple, the discriminator is blue, and the
heatmap shows D's probability of "real" from purple (0) through white (0.5) to green (1).
Real and fake points also differ in shape (circles and triangles, :func:`scatter_points`).

Figures here are plain :class:`matplotlib.figure.Figure` objects, not managed by
pyplot, so widgets can redraw them without leaking figures into cell outputs.
:func:`show` displays one as a PNG; :func:`to_png` gives the bytes. What the plane pictures
show (D on a grid, G's manifold) is computed in :mod:`gan_edu.lessons.plane`.
"""
from __future__ import annotations

import base64
import html
import io
import re
import textwrap

import numpy as np
import torch
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from ..data import plane_extent
from ..lessons.plane import d_grid, fixed_sample, manifold_lines
from .palette import (
    ALERT,
    CMAP,
    CYCLE,
    D_COLOR,
    D_STAR_COLOR,
    FAKE,
    G_COLOR,
    INK,
    LOSS_COLORS,
    MARKERS,
    NEUTRAL,
    REAL,
    SIGNED_CMAP,
)

__all__ = ["REAL", "FAKE", "D_COLOR", "G_COLOR", "D_STAR_COLOR", "CMAP", "SIGNED_CMAP", "LOSS_COLORS", "CYCLE",
           "NEUTRAL", "INK", "ALERT", "MARKERS", "CURVE_COLORS", "scatter_points", "figure", "axes_for", "finish",
           "legend_below", "arrow_scale", "to_png", "to_jpeg", "figure_alt", "show", "plane_extent", "d_grid",
           "manifold_lines", "draw_plane",
           "plot_plane", "image_grid", "plot_images", "plot_curves", "DHistograms"]

#: colours of the recorded scalars in :func:`plot_curves` (a network's loss in that network's colour)
CURVE_COLORS = {"loss_d": D_COLOR, "loss_g": G_COLOR, "d_real": REAL, "d_fake": FAKE}


def figure(width: float = 4.0, height: float = 4.0, dpi: int = 100) -> Figure:
    """A pyplot-free figure with an Agg canvas."""
    fig = Figure(figsize=(width, height), dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def axes_for(ax, width: float, height: float):
    """``(fig, ax)``: a new one-axes figure of ``width`` x ``height`` inches when ``ax`` is None,
    else ``(None, ax)`` to draw on the caller's axes. End with :func:`finish`."""
    if ax is not None:
        return None, ax
    fig = figure(width, height)
    return fig, fig.add_subplot(111)


def finish(fig: Figure | None, ax, xlabel: str | None = None, ylabel: str | None = None, title: str | None = None,
           legend: str | None = "upper left") -> Figure:
    """The usual end of a one-axes figure: small axis labels and ticks, the legend (at ``legend``;
    None for none), the title if any, and a tight layout if the figure is ours (``fig`` from
    :func:`axes_for`; None when drawing on the caller's axes). Returns the axes' figure."""
    if xlabel:
        ax.set_xlabel(xlabel, fontsize=8)
    if ylabel:
        ax.set_ylabel(ylabel, fontsize=8)
    ax.tick_params(labelsize=7)
    if legend:
        ax.legend(fontsize=7, loc=legend)
    if title:
        ax.set_title(title, fontsize=9)
    if fig is None:
        return ax.figure
    fig.tight_layout()
    return fig


def legend_below(fig: Figure, handles=None, labels=None, ncol: int | None = None, fontsize: float = 8.0,
                 markerscale: float = 1.0) -> None:
    """One legend for the whole figure, centred under its panels, so it never covers data; then a
    tight layout that leaves room for it. ``handles``/``labels`` default to those of every axes
    (each label once); ``markerscale`` enlarges tiny scatter markers. Call it last, instead of
    ``fig.tight_layout()``."""
    if handles is None:
        found: dict = {}
        for ax in fig.axes:
            for h, label in zip(*ax.get_legend_handles_labels()):
                found.setdefault(label, h)
        labels, handles = list(found), list(found.values())
    if not handles:
        fig.tight_layout()
        return
    ncol = ncol or len(handles)
    rows = -(-len(handles) // ncol)
    fig.legend(handles, labels, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncol=ncol, fontsize=fontsize,
               frameon=False, handlelength=1.6, columnspacing=1.2, markerscale=markerscale)
    fig.tight_layout(rect=(0, (rows * 1.45 * fontsize + 4) / 72 / fig.get_figheight(), 1, 1))


def arrow_scale(vectors: np.ndarray, width: float, fraction: float) -> float:
    """The factor that draws the longest of ``vectors`` [N, 2] (by its largest coordinate, times
    sqrt 2) at ``fraction`` of ``width``: arrows show directions and relative sizes. 0 if all are 0."""
    longest = np.abs(vectors).max() if vectors.size else 0.0
    return fraction * width / (longest * np.sqrt(2)) if longest > 0 else 0.0


def scatter_points(ax, points, kind: str, size: float = 5.0, **kw):
    """Scatter ``points`` [N, 2] of ``kind`` ``"real"`` or ``"fake"`` in that kind's colour AND
    marker (circles for real, triangles for fake: they differ without colour too), labelled
    "real x" / "fake G(z)" unless ``label=`` is given; ``color=`` overrides the colour (e.g. grey
    for fakes of an earlier moment). Other keywords go to ``ax.scatter``. Returns the collection."""
    if kind not in MARKERS:
        raise ValueError(f"kind must be 'real' or 'fake', got {kind!r}")
    p = np.asarray(points, dtype=float).reshape(-1, 2)
    kw.setdefault("label", "real x" if kind == "real" else "fake G(z)")
    kw.setdefault("edgecolors", "none")
    color = kw.pop("color", REAL if kind == "real" else FAKE)
    return ax.scatter(p[:, 0], p[:, 1], s=size, c=color, marker=MARKERS[kind], **kw)


def to_png(fig: Figure, dpi: int | None = None) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def to_jpeg(fig: Figure, quality: int = 90) -> bytes:
    """Fast encoding for live views (~2 ms for 400x400 against ~15 ms for PNG)."""
    from PIL import Image

    fig.canvas.draw()
    rgba = np.asarray(fig.canvas.buffer_rgba())
    buf = io.BytesIO()
    Image.fromarray(rgba[..., :3]).save(buf, format="JPEG", quality=quality)
    return buf.getvalue()


def figure_alt(fig: Figure) -> str:
    """A short text alternative for a figure, from its title, the texts written on it, and each axes'
    title (or, without one, "y against x" from its labels); "A figure" when it has none of these."""
    parts = [fig._suptitle.get_text()] if getattr(fig, "_suptitle", None) else []
    parts += [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        title = ax.get_title() or ax.get_title(loc="left")
        if title:
            parts.append(title)
        elif ax.get_xlabel() or ax.get_ylabel():
            parts.append(" against ".join(t for t in (ax.get_ylabel(), ax.get_xlabel()) if t))
    parts = [re.sub(r"\s+", " ", re.sub(r"[$\\{}]", "", t)).strip() for t in dict.fromkeys(parts) if t.strip()]
    return "A figure: " + "; ".join(parts) if parts else "A figure"


def show(fig: Figure, alt: str | None = None) -> None:
    """Display ``fig`` in the notebook as a PNG image with a text alternative (``alt``, by default
    :func:`figure_alt`). JupyterLab's plain image output has no alt text, so the bundle carries an HTML
    ``<img alt=...>`` of the same PNG, which JupyterLab and Voila show (sanitized HTML keeps it in an
    untrusted notebook), beside the plain PNG for viewers that do not show HTML."""
    from IPython.display import display

    png = base64.b64encode(to_png(fig)).decode("ascii")
    alt = alt or figure_alt(fig)
    display({"image/png": png, "text/plain": textwrap.fill(alt, 88, break_long_words=False),   # wrapped at words
             "text/html": f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{png}"/>'}, raw=True)


def draw_plane(ax, extent, heat: np.ndarray | None = None, real=None, fake=None, manifold=None,
               arrows=None, arrow_points=None, size: float = 5.0, legend: bool = False):
    """Draw the layers of the 2D view on ``ax``. ``heat`` from :func:`d_grid`; ``real`` and
    ``fake`` point arrays [N, 2]; ``manifold`` from :func:`manifold_lines`; ``arrows`` [N, 2]
    at ``arrow_points`` (rescaled so the longest is 15 % of the view)."""
    x0, x1, y0, y1 = extent
    artists = {}
    if heat is not None:
        artists["heat"] = ax.imshow(heat, extent=extent, origin="lower", cmap=CMAP, vmin=0, vmax=1,
                                    interpolation="bilinear", aspect="auto")
    if manifold is not None:
        artists["manifold"] = ax.add_collection(LineCollection(manifold, colors=NEUTRAL, linewidths=0.6, alpha=0.6))
    if real is not None:
        artists["real"] = scatter_points(ax, real, "real", size)
    if fake is not None:
        artists["fake"] = scatter_points(ax, fake, "fake", size)
    if arrows is not None and arrow_points is not None:
        a = np.asarray(arrows, dtype=float)
        scale = arrow_scale(a, x1 - x0, 0.15)
        p = np.asarray(arrow_points)
        artists["arrows"] = ax.quiver(p[:, 0], p[:, 1], a[:, 0] * scale, a[:, 1] * scale, angles="xy",
                                      scale_units="xy", scale=1, color=INK, width=0.004, alpha=0.8)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    if legend and (real is not None or fake is not None):
        ax.legend(loc="upper right", fontsize=7, markerscale=2, framealpha=0.8)
    return artists


def plot_plane(trainer, layers=("heat", "real", "fake"), n: int = 500, extent=None, title: str | None = None,
               size: float = 4.0, ax=None):
    """The 2D view of a trainer: any of ``"heat"``, ``"real"``, ``"fake"``, ``"manifold"``, ``"arrows"``.
    Returns the figure (a new one unless ``ax`` is given)."""
    fig, ax = axes_for(ax, size, size)
    extent = extent or plane_extent(trainer.data)
    kw = {}
    if "heat" in layers:
        kw["heat"] = d_grid(trainer, extent)
    if "real" in layers:
        kw["real"] = fixed_sample(trainer.data, n, 1)
    if "fake" in layers:
        kw["fake"] = fixed_sample(trainer, n, 2)
    if "manifold" in layers:
        kw["manifold"] = manifold_lines(trainer.G)
    if "arrows" in layers:
        from ..recorders import fake_gradients

        pts, arr = fake_gradients(trainer, n=min(n, 200))
        kw["arrows"], kw["arrow_points"] = arr.numpy(), pts.numpy()
    draw_plane(ax, extent, legend=True, **kw)
    return finish(fig, ax, title=title if title is not None else f"step {trainer.state.step}", legend=None)


def image_grid(images: torch.Tensor, nrow: int = 8, padding: int = 1) -> np.ndarray:
    """Images [N, C, H, W] in [-1, 1] -> one H x W (x 3) array in [0, 1] (torchvision's make_grid)."""
    from torchvision.utils import make_grid

    grid = make_grid(images.detach().cpu().float(), nrow=nrow, padding=padding, normalize=True,
                     value_range=(-1, 1), pad_value=1.0)
    return grid.permute(1, 2, 0).numpy()


def plot_images(images: torch.Tensor, nrow: int = 8, title: str | None = None, size: float = 3.0, ax=None):
    """A grid of images; returns the figure."""
    fig, ax = axes_for(ax, size, size)
    ax.imshow(image_grid(images, nrow), cmap="gray", interpolation="nearest")
    ax.set_axis_off()
    return finish(fig, ax, title=title, legend=None)


def plot_curves(history, keys=("loss_d", "loss_g"), ax=None, hline: float | None = None, title: str | None = None,
                size=(4.0, 2.6), labels: dict | None = None):
    """Recorded scalars against the step number; ``hline`` draws a reference line (e.g. 0.5)."""
    fig, ax = axes_for(ax, *size)
    labels = labels or {}
    for k in keys:
        if k in history and len(history[k]):
            ax.plot(history[k].steps, history[k].values, lw=1.2, label=labels.get(k, k), color=CURVE_COLORS.get(k))
    if hline is not None:
        ax.axhline(hline, color="#444", lw=0.8, ls="--")
    return finish(fig, ax, "step", title=title, legend="best")


class DHistograms:
    """D's scores on real samples (green) and on fakes (purple) as two filled histograms on
    ``ax``, between ``lo`` and ``hi`` (0 and 1 for probabilities; the 0.5 line marks "can't
    tell" when ``half_line``). Made once; :meth:`update` redraws the counts in place, so a
    widget can call it on every click. A D that tells them apart pushes green to the right
    and purple to the left."""

    def __init__(self, ax, bins: int = 30, lo: float = 0.0, hi: float = 1.0, half_line: bool = True,
                 names=("D(x), real", "D(G(z)), fake"), alpha: float = 0.6):
        self.ax, self.names, self.alpha = ax, tuple(names), alpha
        self.edges = np.linspace(lo, hi, bins + 1)
        zeros = np.zeros(bins)
        self.real = ax.stairs(zeros, self.edges, fill=True, color=REAL, alpha=alpha, label=self.names[0])
        self.fake = ax.stairs(zeros, self.edges, fill=True, color=FAKE, alpha=alpha, label=self.names[1])
        if half_line:
            ax.axvline(0.5, color="#444", lw=0.8, ls="--")
        ax.set_xlim(lo, hi)

    def update(self, scores_real, scores_fake, emphasis: str | None = None) -> None:
        """Count ``scores_real`` and ``scores_fake`` (arrays); the labels give their means (also in
        the legend, if the axes has one). ``emphasis="real"`` or ``"fake"`` fades the other one."""
        pr, pf = np.asarray(scores_real, dtype=float).ravel(), np.asarray(scores_fake, dtype=float).ravel()
        fade = {"real": (0.9, 0.3), "fake": (0.3, 0.9)}.get(emphasis, (self.alpha, self.alpha))
        for artist, p, name, alpha in zip((self.real, self.fake), (pr, pf), self.names, fade):
            artist.set_data(np.histogram(p, self.edges)[0])
            artist.set_alpha(alpha)
            artist.set_label(f"{name}, mean {p.mean():.2f}")
        legend = self.ax.get_legend()
        if legend is not None:
            for text, artist in zip(legend.get_texts(), (self.real, self.fake)):
                text.set_text(artist.get_label())
