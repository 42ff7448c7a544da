"""Pictures: the 2D plane (D heatmap, real and fake samples, G's manifold, gradient
arrows), image grids and training curves.

Colours are the same in every lesson (as in GAN Lab): **real is green, fake is
purple**, and the heatmap shows D's probability of "real" from purple (0) through
white (0.5) to green (1).

Figures here are plain :class:`matplotlib.figure.Figure` objects, not managed by
pyplot, so widgets can redraw them without leaking figures into cell outputs.
:func:`show` displays one as a PNG; :func:`to_png` gives the bytes.
"""
from __future__ import annotations

import io

import numpy as np
import torch
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from ..data import plane_extent

__all__ = ["REAL", "FAKE", "CMAP", "figure", "finish", "to_png", "to_jpeg", "show", "plane_extent", "d_grid",
           "manifold_lines", "draw_plane", "plot_plane", "image_grid", "plot_images", "plot_curves"]

REAL = "#1a9850"      # green
FAKE = "#8e44ad"      # purple
CMAP = "PRGn"         # purple (0: fake) -> white (0.5) -> green (1: real)


def figure(width: float = 4.0, height: float = 4.0, dpi: int = 100) -> Figure:
    """A pyplot-free figure with an Agg canvas."""
    fig = Figure(figsize=(width, height), dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def finish(fig: Figure, ax, xlabel: str | None = None, ylabel: str | None = None, title: str | None = None,
           legend: str | None = "upper left") -> Figure:
    """The usual end of a one-axes figure: small axis labels and ticks, the legend (at ``legend``;
    None for none), the title if any, a tight layout. Returns ``fig``."""
    if xlabel:
        ax.set_xlabel(xlabel, fontsize=8)
    if ylabel:
        ax.set_ylabel(ylabel, fontsize=8)
    ax.tick_params(labelsize=7)
    if legend:
        ax.legend(fontsize=7, loc=legend)
    if title:
        ax.set_title(title, fontsize=9)
    fig.tight_layout()
    return fig


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


def show(fig: Figure) -> None:
    """Display ``fig`` in the notebook as a PNG image."""
    from IPython.display import Image, display

    display(Image(data=to_png(fig)))


@torch.no_grad()
def d_grid(trainer_or_d, extent, n: int = 64) -> np.ndarray:
    """sigmoid(D(x)) on an ``n x n`` grid over ``extent``; row i is y, column j is x
    (ready for ``imshow(origin="lower")``). Takes a Trainer (uses ``trainer.d_prob``) or a D."""
    x0, x1, y0, y1 = extent
    xs, ys = np.linspace(x0, x1, n), np.linspace(y0, y1, n)
    gx, gy = np.meshgrid(xs, ys)
    pts = torch.as_tensor(np.stack([gx.ravel(), gy.ravel()], 1), dtype=torch.float32)
    if hasattr(trainer_or_d, "d_prob"):
        p = trainer_or_d.d_prob(pts)
    else:
        D = trainer_or_d
        was = D.training
        D.eval()
        try:
            p = torch.sigmoid(D(pts.to(next(D.parameters()).device))).cpu()
        finally:
            D.train(was)
    return p.numpy().reshape(n, n)


@torch.no_grad()
def manifold_lines(G, n_lines: int = 11, z_range: float = 2.0, resolution: int = 40) -> list[np.ndarray]:
    """Where a square grid in z-space lands in data space: ``2 * n_lines`` polylines [resolution, 2].
    Uses the first two latent coordinates (the others stay 0). This is G's "manifold"."""
    if G.latent_dim < 2:
        t = torch.linspace(-z_range, z_range, resolution * 4).unsqueeze(1)
        return [_g_eval(G, t)]
    ticks = torch.linspace(-z_range, z_range, n_lines)
    t = torch.linspace(-z_range, z_range, resolution)
    zs = []
    for a in ticks:
        zs.append(torch.stack([a.expand(resolution), t], 1))      # vertical line z1 = a
        zs.append(torch.stack([t, a.expand(resolution)], 1))      # horizontal line z2 = a
    z = torch.cat(zs)
    if G.latent_dim > 2:
        z = torch.cat([z, torch.zeros(z.shape[0], G.latent_dim - 2)], 1)
    out = _g_eval(G, z)
    return [out[i * resolution:(i + 1) * resolution] for i in range(len(zs))]


def _g_eval(G, z: torch.Tensor) -> np.ndarray:
    was = G.training
    G.eval()
    try:
        return G(z.to(next(G.parameters()).device)).cpu().numpy()
    finally:
        G.train(was)


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
        artists["manifold"] = ax.add_collection(LineCollection(manifold, colors="#555555", linewidths=0.6, alpha=0.6))
    if real is not None:
        real = np.asarray(real)
        artists["real"] = ax.scatter(real[:, 0], real[:, 1], s=size, c=REAL, edgecolors="none", label="real x")
    if fake is not None:
        fake = np.asarray(fake)
        artists["fake"] = ax.scatter(fake[:, 0], fake[:, 1], s=size, c=FAKE, edgecolors="none", label="fake G(z)")
    if arrows is not None and arrow_points is not None:
        a = np.asarray(arrows, dtype=float)
        longest = np.abs(a).max() if a.size else 0.0
        scale = 0.15 * (x1 - x0) / (longest * np.sqrt(2)) if longest > 0 else 0.0
        p = np.asarray(arrow_points)
        artists["arrows"] = ax.quiver(p[:, 0], p[:, 1], a[:, 0] * scale, a[:, 1] * scale, angles="xy",
                                      scale_units="xy", scale=1, color="#222222", width=0.004, alpha=0.8)
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
    fig = None
    if ax is None:
        fig = figure(size, size)
        ax = fig.add_subplot(111)
    extent = extent or plane_extent(trainer.data)
    kw = {}
    if "heat" in layers:
        kw["heat"] = d_grid(trainer, extent)
    if "real" in layers:
        kw["real"] = trainer.data.sample(n, generator=torch.Generator().manual_seed(1)).numpy()
    if "fake" in layers:
        kw["fake"] = trainer.sample(n, generator=torch.Generator().manual_seed(2)).numpy()
    if "manifold" in layers:
        kw["manifold"] = manifold_lines(trainer.G)
    if "arrows" in layers:
        from ..recorders import fake_gradients

        pts, arr = fake_gradients(trainer, n=min(n, 200))
        kw["arrows"], kw["arrow_points"] = arr.numpy(), pts.numpy()
    draw_plane(ax, extent, legend=True, **kw)
    ax.set_title(title if title is not None else f"step {trainer.state.step}", fontsize=9)
    ax.tick_params(labelsize=7)
    if fig is not None:
        fig.tight_layout()
    return fig if fig is not None else ax.figure


def image_grid(images: torch.Tensor, nrow: int = 8, padding: int = 1) -> np.ndarray:
    """Images [N, C, H, W] in [-1, 1] -> one H x W (x 3) array in [0, 1] (torchvision's make_grid)."""
    from torchvision.utils import make_grid

    grid = make_grid(images.detach().cpu().float(), nrow=nrow, padding=padding, normalize=True,
                     value_range=(-1, 1), pad_value=1.0)
    return grid.permute(1, 2, 0).numpy()


def plot_images(images: torch.Tensor, nrow: int = 8, title: str | None = None, size: float = 3.0, ax=None):
    """A grid of images; returns the figure."""
    fig = None
    if ax is None:
        fig = figure(size, size)
        ax = fig.add_subplot(111)
    ax.imshow(image_grid(images, nrow), cmap="gray", interpolation="nearest")
    ax.set_axis_off()
    if title:
        ax.set_title(title, fontsize=9)
    if fig is not None:
        fig.tight_layout()
    return fig if fig is not None else ax.figure


def plot_curves(history, keys=("loss_d", "loss_g"), ax=None, hline: float | None = None, title: str | None = None,
                size=(4.0, 2.6), labels: dict | None = None):
    """Recorded scalars against the step number; ``hline`` draws a reference line (e.g. 0.5)."""
    fig = None
    if ax is None:
        fig = figure(*size)
        ax = fig.add_subplot(111)
    labels = labels or {}
    colors = {"loss_d": "#d95f02", "loss_g": "#1b9e77", "d_real": REAL, "d_fake": FAKE}
    for k in keys:
        if k in history and len(history[k]):
            ax.plot(history[k].steps, history[k].values, lw=1.2, label=labels.get(k, k), color=colors.get(k))
    if hline is not None:
        ax.axhline(hline, color="#444", lw=0.8, ls="--")
    ax.set_xlabel("step", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.legend(fontsize=7, loc="best")
    if title:
        ax.set_title(title, fontsize=9)
    if fig is not None:
        fig.tight_layout()
    return fig if fig is not None else ax.figure
