r"""Pictures of the generator's forward pass (lesson 01): from noise z to a sample G(z).

* the noise itself: :func:`plot_noise` (N(0, I) against U[-1, 1]) and
  :func:`plot_noise_vs_data` (16 numbers of z next to 64 pixels of a digit);
* inside an MLP generator: :func:`plot_activations` (every layer's outputs for a
  few samples, and their histogram: ReLU sets about half of them to 0);
* inside the image generator: :func:`plot_shape_walk` (the feature maps grow
  2x2 -> 4x4 -> 8x8) and :func:`plot_transposed_conv` (one transposed convolution
  drawn as a sum of stamped kernels);
* the latent space: :func:`draw_manifold` / :func:`plot_manifolds` (a grid in
  z-space and where G sends it), :func:`plot_interpolation` (G((1 - a) z0 + a z1)
  against the pixel blend (1 - a) G(z0) + a G(z1)) and :func:`plot_latent_path`
  (the same walk for a 2D generator).

What these pictures show is computed in :mod:`gan_edu.lessons.generator` (running G in eval
mode, the shape walk, the hand-made transposed convolution, nearby vs far, the latent walk);
those names are re-exported here (``gviz.shape_walk``, ``gviz.generator_output`` ...).
Figures are pyplot-free (see :mod:`gan_edu.viz`).
"""
from __future__ import annotations

import math

import numpy as np
import torch
from matplotlib import colormaps
from matplotlib.collections import LineCollection
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.patches import Rectangle

from .. import _check, models
from ..lessons.generator import (
    Closeness,
    ShapeStep,
    WalkVsBlend,
    as_z,
    check_generator,
    checkerboard_demo,
    format_shape_walk,
    generator_output,
    interpolate,
    nearby_vs_far,
    shape_walk,
    train_mode_samples,
    transposed_conv_demo,
    walk_vs_blend,
)
from ..lessons.plane import fixed_sample
from . import FAKE, INK, NEUTRAL, SIGNED_CMAP, figure, image_grid, legend_below, manifold_lines, plane_extent, scatter_points

__all__ = ["plot_noise", "plot_noise_vs_data", "plot_activations", "plot_shape_walk", "plot_transposed_conv",
           "plot_checkerboards", "manifold_colors", "draw_manifold", "draw_z_grid", "frame", "plot_manifolds",
           "plot_interpolation", "plot_walks", "plot_latent_path", "plot_image_sets",
           # computed in gan_edu.lessons.generator, re-exported for the lesson's ``gviz.`` calls
           "ShapeStep", "shape_walk", "format_shape_walk", "transposed_conv_demo", "checkerboard_demo", "Closeness",
           "nearby_vs_far",
           "interpolate", "WalkVsBlend", "walk_vs_blend", "generator_output", "train_mode_samples"]

#: colours of the latent grid: lines z1 = const in blues, lines z2 = const in oranges
_BLUES = LinearSegmentedColormap.from_list("ge_blues", ["#9ecae1", "#08306b"])
_ORANGES = LinearSegmentedColormap.from_list("ge_oranges", ["#fdd0a2", "#a63603"])


# --------------------------------------------------------------------------- noise
def plot_noise(samples: dict, bins: int = 40, size: float = 3.0):
    """One column per noise distribution: the first two coordinates as points (top) and a
    histogram of every coordinate (bottom). ``samples`` maps a title to z [N, d >= 2]."""
    if not isinstance(samples, dict) or not samples:
        raise ValueError("samples must be a non-empty dict {title: z [N, latent_dim >= 2]}")
    bins = _check.positive_int("bins", bins)
    k = len(samples)
    fig = figure(size * k, size * 1.6)
    gs = fig.add_gridspec(2, k, height_ratios=[1.0, 0.6])
    for j, (title, z) in enumerate(samples.items()):
        z = np.asarray(torch.as_tensor(z).detach().cpu())
        if z.ndim != 2 or z.shape[1] < 2:
            raise ValueError(f"samples[{title!r}] must have shape [N, d] with d >= 2, got {z.shape}")
        ax = fig.add_subplot(gs[0, j])
        ax.scatter(z[:, 0], z[:, 1], s=3, c=NEUTRAL, alpha=0.5, edgecolors="none")       # noise: not data, grey
        ax.set_xlim(-3.5, 3.5)
        ax.set_ylim(-3.5, 3.5)
        ax.set_aspect("equal")
        ax.set_title(f"{title}\n{z.shape[0]} samples of z", fontsize=9)
        ax.set_xlabel("$z_1$", fontsize=8)
        ax.set_ylabel("$z_2$", fontsize=8)
        ax.tick_params(labelsize=7.5)
        h = fig.add_subplot(gs[1, j])
        h.hist(z.ravel(), bins=bins, range=(-3.5, 3.5), color=NEUTRAL, alpha=0.7)
        h.set_xlim(-3.5, 3.5)
        h.set_yticks([])
        h.set_xlabel("value of one coordinate", fontsize=8)
        h.tick_params(labelsize=7.5)
    fig.tight_layout()
    return fig


def plot_noise_vs_data(z: torch.Tensor, images: torch.Tensor, nrow: int = 4, size: float = 3.0):
    """z vectors drawn as small square tiles (16 numbers -> 4x4) next to real images (8x8 = 64
    pixels): the noise is much smaller than the data it will be turned into."""
    z = torch.as_tensor(z).detach().float().cpu()
    images = torch.as_tensor(images).detach().float().cpu()
    if z.ndim != 2:
        raise ValueError(f"z must have shape [N, latent_dim], got {tuple(z.shape)}")
    side = math.isqrt(z.shape[1])
    if side * side != z.shape[1]:
        raise ValueError(f"z must have a square number of coordinates (e.g. 16) to be drawn as a tile, got {z.shape[1]}")
    if images.ndim != 4:
        raise ValueError(f"images must have shape [N, C, H, W], got {tuple(images.shape)}")
    nrow = _check.positive_int("nrow", nrow)
    fig = figure(2 * size, size * 0.95)
    ax1, ax2 = fig.add_subplot(121), fig.add_subplot(122)
    tiles = z.clamp(-2.5, 2.5).reshape(-1, side, side).numpy()
    cmap = colormaps[SIGNED_CMAP].with_extremes(bad="#555555")
    ax1.imshow(_mosaic(tiles, nrow, pad=np.nan), cmap=cmap, vmin=-2.5, vmax=2.5, interpolation="nearest")
    ax1.set_title(f"noise z: {z.shape[1]} numbers each\n(drawn as {side}x{side}; red > 0, blue < 0)", fontsize=9)
    ax2.imshow(image_grid(images, nrow), cmap="gray", interpolation="nearest")
    c, hgt, wid = images.shape[1:]
    ax2.set_title(f"real images: {c * hgt * wid} numbers each\n({hgt}x{wid} pixels)", fontsize=9)
    for ax in (ax1, ax2):
        ax.set_axis_off()
    fig.tight_layout()
    return fig


def _mosaic(tiles: np.ndarray, nrow: int, pad: float, gap: int = 1) -> np.ndarray:
    """Tiles [N, h, w] side by side, ``nrow`` per row, separated by ``gap`` pixels of value ``pad``."""
    n, h, w = tiles.shape
    rows = math.ceil(n / nrow)
    out = np.full((rows * (h + gap) + gap, nrow * (w + gap) + gap), pad, dtype=np.float32)
    for k in range(n):
        r, c = divmod(k, nrow)
        out[gap + r * (h + gap):gap + r * (h + gap) + h, gap + c * (w + gap):gap + c * (w + gap) + w] = tiles[k]
    return out


def plot_image_sets(sets: dict, nrow: int = 8, size: float = 2.8):
    """Grids of images side by side, one per entry of ``sets`` ({title: images [N, C, H, W] in [-1, 1]})."""
    if not isinstance(sets, dict) or not sets:
        raise ValueError("sets must be a non-empty dict {title: images [N, C, H, W]}")
    nrow = _check.positive_int("nrow", nrow)
    rows = max(math.ceil(len(torch.as_tensor(im)) / nrow) for im in sets.values())
    fig = figure(size * len(sets), size * min(rows, nrow) / nrow + 0.55)
    for j, (title, images) in enumerate(sets.items()):
        images = torch.as_tensor(images)
        if images.ndim != 4:
            raise ValueError(f"sets[{title!r}] must have shape [N, C, H, W], got {tuple(images.shape)}")
        ax = fig.add_subplot(1, len(sets), j + 1)
        ax.imshow(image_grid(images, nrow), cmap="gray", interpolation="nearest")
        ax.set_axis_off()
        ax.set_title(title, fontsize=8)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- activations
def plot_activations(layers, n_samples: int = 6, max_units: int = 64, size: float = 8.6):
    """One row per layer of ``models.trace(G, z)``: a heatmap of the outputs of the first
    ``n_samples`` samples (rows) and ``max_units`` units (columns; blue < 0, white = 0, red > 0)
    and a histogram of all outputs of the batch, with the share that is exactly 0."""
    layers = list(layers)
    if not layers or not all(hasattr(la, "output") and hasattr(la, "name") for la in layers):
        raise ValueError("layers must be the list returned by gan_edu.models.trace(G, z)")
    n_samples = _check.positive_int("n_samples", n_samples)
    max_units = _check.positive_int("max_units", max_units)
    fig = figure(size, 1.05 * len(layers) + 0.5)
    gs = fig.add_gridspec(len(layers), 2, width_ratios=[3.2, 1.0])
    for i, layer in enumerate(layers):
        out = layer.output.detach().cpu().reshape(layer.output.shape[0], -1).numpy()
        heat = out[:n_samples, :max_units]
        vmax = float(np.abs(heat).max()) or 1.0
        ax = fig.add_subplot(gs[i, 0])
        ax.imshow(heat, cmap=SIGNED_CMAP, vmin=-vmax, vmax=vmax, aspect="auto", interpolation="nearest")
        shown = "" if out.shape[1] <= max_units else f" (first {max_units} shown)"
        what = layer.name if layer.kind == layer.name else f"{layer.name} ({layer.kind})"
        ax.set_title(f"{what} -> {list(layer.shape[1:])} per sample{shown}", fontsize=8, loc="left")
        ax.set_yticks([])
        ax.set_xticks([])
        ax.set_ylabel("samples", fontsize=8)
        h = fig.add_subplot(gs[i, 1])
        zeros = float((out == 0).mean())
        h.hist(out.ravel(), bins=40, color="#555555")
        h.set_yticks([])
        h.tick_params(labelsize=7.5)
        h.set_title(f"range [{out.min():.2f}, {out.max():.2f}]" + (f", {zeros:.0%} are 0" if zeros > 0.01 else ""),
                    fontsize=8)
    fig.tight_layout(h_pad=0.4)
    return fig


# --------------------------------------------------------------------------- shape walk
def plot_shape_walk(G, z=None, size: float = 8.6):
    """The shape walk of an image generator as one picture, drawn to scale (one square = one
    pixel): z, then the map after the reshape and after each transposed convolution (its first
    channel in front, the other channels as a stack behind it), then the output image.
    Colours are stretched per map (blue < 0, white = 0, red > 0; the output in grey)."""
    G = check_generator(G)
    z = G.sample_noise(1, generator=torch.Generator().manual_seed(0)) if z is None else as_z("z", z, G.latent_dim)[:1]
    traced = models.trace(G, z)
    stages = _shape_stages(traced)
    tallest = max(m.shape[0] for _, _, m, _, _ in stages)
    gap = max(6.0, tallest * 0.9)
    fig = figure(size, size * 0.4)
    ax = fig.add_subplot(111)
    x = 0.0
    for k, (_name, title, m, c, cmap) in enumerate(stages):
        w, depth = _draw_stage(ax, x, tallest, title, m.detach().cpu(), c, cmap)
        if k + 1 < len(stages):                   # an arrow to the next stage, with the layers it passes
            ax.annotate("", xy=(x + w + gap - 0.6, tallest / 2), xytext=(x + w + 0.9 + 0.45 * depth, tallest / 2),
                        arrowprops=dict(arrowstyle="->", color="#444444", lw=1.0))
            ax.text(x + w + gap / 2 + 0.2, tallest / 2 - 0.6, _layers_between(traced, stages, k), ha="center",
                    va="bottom", fontsize=8, color="#444444")
        x += w + gap
    ax.set_xlim(-1.5, x - gap + 2.0)
    ax.set_ylim(tallest + 4.2, -3.2)
    ax.set_aspect("equal")
    ax.set_axis_off()
    fig.tight_layout()
    return fig


def _shape_stages(traced) -> list[tuple]:
    """The stages the shape walk draws: (layer name, title, map [h, w], channels, colour map) for z,
    the map after the reshape and after each transposed convolution, and the output image."""
    maps = [la for la in traced[1:] if la.output.ndim == 4 and la.kind in ("Unflatten", "ConvTranspose2d")]
    out_layer = traced[-1]
    if not maps or out_layer.output.ndim != 4:
        raise ValueError("plot_shape_walk needs an image generator (one whose layers output [N, C, H, W] maps)")
    if maps[-1].output.shape[1:] == out_layer.output.shape[1:]:
        maps = maps[:-1]                          # the last conv's output is shown as the image itself
    zt = traced[0].output[0]
    side = math.isqrt(zt.numel())
    z_tile = zt.reshape(side, side) if side * side == zt.numel() else zt.reshape(-1, 1)
    stages = [("z", f"z: {zt.numel()} numbers\n(not a picture)", z_tile, 1, SIGNED_CMAP)]
    for la in maps:
        c, h, w = la.output.shape[1:]
        stages.append((la.name, f"{la.name}: {c} x {h} x {w}", la.output[0, 0], c, SIGNED_CMAP))
    oc, oh, ow = out_layer.output.shape[1:]
    stages.append((out_layer.name, f"{out_layer.name}: {oc} x {oh} x {ow}\nthe image", out_layer.output[0, 0], oc, "gray"))
    return stages


_KIND_WORDS = {"Linear": "project", "Unflatten": "reshape", "ConvTranspose2d": "transposed conv",
               "BatchNorm2d": "BatchNorm", "BatchNorm1d": "BatchNorm", "ReLU": "ReLU", "Tanh": "tanh"}


def _layers_between(traced, stages, k: int) -> str:
    """The layers from stage ``k`` to stage ``k + 1``, in words, one per line."""
    names = [la.name for la in traced]
    lo = 1 if stages[k][0] == "z" else names.index(stages[k][0]) + 1
    hi = names.index(stages[k + 1][0])
    return ",\n".join(_KIND_WORDS.get(traced[i].kind, traced[i].kind) for i in range(lo, hi + 1))


def _draw_stage(ax, x: float, tallest: float, title: str, m: torch.Tensor, channels: int, cmap) -> tuple[float, int]:
    """One stage at ``x``, centred on the tallest: the map in front, a stack of cards behind for
    the other channels, the title above. Returns (its width, the number of cards behind)."""
    h, w = m.shape
    y0 = (tallest - h) / 2
    depth = min(3, channels - 1)
    for d in range(depth, 0, -1):                 # the other channels: a stack of cards behind
        off = 0.45 * d
        ax.add_patch(Rectangle((x + off, y0 - off), w, h, fc="#f2f2f2", ec="#777777", lw=0.6, zorder=0.5 - 0.01 * d))
    vmax = float(m.abs().max()) or 1.0
    lo, hi = (float(m.min()), float(m.max())) if cmap == "gray" else (-vmax, vmax)
    ax.imshow(m.numpy(), cmap=cmap, vmin=lo, vmax=hi if hi > lo else lo + 1e-6, interpolation="nearest",
              extent=(x, x + w, y0 + h, y0), zorder=1)
    ax.add_patch(Rectangle((x, y0), w, h, fill=False, lw=0.8, ec="#222222", zorder=2))
    ax.text(x + w / 2, tallest + 1.2, title, ha="center", va="top", fontsize=8.5)
    return w, depth


# --------------------------------------------------------------------------- transposed convolution
def plot_transposed_conv(demo: dict | None = None, size: float = 1.6):
    """The picture of :func:`transposed_conv_demo` in two rows: the input and the kernel (with what
    happens in words), then one stamp per input pixel and their sum (= the output). Every number
    is written in its square (readable at 100 % zoom). Blue < 0, white = 0, red > 0, one colour
    scale for all."""
    d = transposed_conv_demo() if demo is None else demo
    stamps, (h, w) = d["stamps"], d["input"].shape
    bottom = [(f"stamp of pixel ({k // w},{k % w})\n= {d['input'][k // w, k % w]:+.1f} × kernel", s)
              for k, s in enumerate(stamps)] + [("sum of the stamps\n= the output", d["output"])]
    top = [("input", d["input"]), ("kernel", d["kernel"])]
    vmax = float(max(p.abs().max() for _, p in top + bottom))
    biggest = max(max(p.shape) for _, p in top + bottom)
    cols = max(len(bottom), 3)
    fig = figure(size * cols + 0.6, 2 * size + 0.9)
    gs = fig.add_gridspec(2, cols)
    for k, (title, m) in enumerate(top):
        _number_map(fig.add_subplot(gs[0, k]), m, title, vmax, biggest)
    note = fig.add_subplot(gs[0, len(top):])
    note.set_axis_off()
    out_h, out_w = d["output"].shape
    note.text(0.02, 0.5, f"transposed convolution, stride {d['stride']}, padding {d['padding']}: {h}x{w} -> {out_h}x{out_w}\n"
              f"each input pixel stamps the kernel, scaled by its value,\n{d['stride']} pixels further on per input "
              f"pixel; overlapping stamps add up;\npadding trims {d['padding']} pixel off each border",
              fontsize=9, va="center", ha="left", linespacing=1.5, transform=note.transAxes)
    for k, (title, m) in enumerate(bottom):
        ax = fig.add_subplot(gs[1, k])
        _number_map(ax, m, title, vmax, biggest)
        sign = "=" if k == len(bottom) - 2 else "+" if k < len(bottom) - 2 else ""
        if sign:
            ax.text(biggest * 1.1, biggest / 2, sign, ha="center", va="center", fontsize=13, clip_on=False)
    fig.tight_layout(w_pad=1.2)
    return fig


def _number_map(ax, m: torch.Tensor, title: str, vmax: float, biggest: int) -> None:
    """A small map [h, w] centred in a ``biggest`` x ``biggest`` box, each square coloured and
    labelled with its value (white text on dark squares)."""
    ph, pw = m.shape
    ox, oy = (biggest - pw) / 2, (biggest - ph) / 2
    ax.imshow(m.numpy(), cmap=SIGNED_CMAP, vmin=-vmax, vmax=vmax, interpolation="nearest", extent=(ox, ox + pw, oy + ph, oy))
    for i in range(ph):
        for j in range(pw):
            v = float(m[i, j])
            ax.text(ox + j + 0.5, oy + i + 0.5, f"{v:.2f}".rstrip("0").rstrip(".") if v else "0", ha="center",
                    va="center", fontsize=8.5, color="white" if abs(v) > 0.6 * vmax else INK)
    ax.add_patch(Rectangle((ox, oy), pw, ph, fill=False, lw=0.8, ec="#333333"))
    ax.set_xlim(0, biggest)
    ax.set_ylim(biggest, 0)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title(title, fontsize=8.5)


_BOARD_TITLES = {
    "ones": "kernel 3, stride 2:\n1, 2 or 4 stamps per pixel",
    "smooth": "kernel 4, stride 2, smooth kernel:\n4 stamps inside each, flat",
    "random": "kernel 4, stride 2, random kernel:\n4 stamps each, yet a checkerboard",
    "layer": "kernel 4, stride 2, G's up2 kernels:\n4 stamps each, yet a checkerboard",
}


def plot_checkerboards(board: dict | None = None, size: float = 2.5):
    """The three outputs of :func:`checkerboard_demo` (a constant input through three transposed
    convolutions), each on its own colour scale (blue < 0, white = 0, red > 0), with the spread
    of its inside (1-pixel border left out) in the title."""
    board = checkerboard_demo() if board is None else board
    fig = figure(size * len(board), size + 0.75)
    for k, entry in enumerate(board.values()):
        ax = fig.add_subplot(1, len(board), k + 1)
        m = entry["output"].numpy()
        vmax = float(np.abs(m).max()) or 1.0
        ax.imshow(m, cmap=SIGNED_CMAP, vmin=-vmax, vmax=vmax, interpolation="nearest")
        h, w = m.shape
        ax.add_patch(Rectangle((0.5, 0.5), w - 2, h - 2, fill=False, ec="#222222", lw=1.0, ls="--"))   # the inside
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"{_BOARD_TITLES[entry['source']]}\nspread inside: {entry['spread']:.2f}", fontsize=8)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- latent grid and manifold
def manifold_colors(n_lines: int) -> list:
    """Colours for the ``2 * n_lines`` polylines of ``viz.manifold_lines`` (which alternate: line
    z1 = a, then line z2 = a, for each tick a): lines z1 = const in blues, z2 = const in oranges,
    darker as a grows. The same colours mark the same lines in z-space and in data space."""
    n_lines = _check.positive_int("n_lines", n_lines)
    out = []
    for i in range(n_lines):
        t = i / max(n_lines - 1, 1)
        out += [_BLUES(t), _ORANGES(t)]
    return out


def draw_z_grid(ax, n_lines: int = 11, z_range: float = 2.0, lw: float = 1.0):
    """The square grid in z-space whose image :func:`draw_manifold` shows; returns the LineCollection."""
    n_lines = _check.positive_int("n_lines", n_lines)
    z_range = _check.positive("z_range", z_range)
    ticks, t = np.linspace(-z_range, z_range, n_lines), np.array([-z_range, z_range])
    segs = []
    for a in ticks:
        segs.append(np.stack([np.full(2, a), t], 1))       # z1 = a
        segs.append(np.stack([t, np.full(2, a)], 1))       # z2 = a
    return ax.add_collection(LineCollection(segs, colors=manifold_colors(n_lines), linewidths=lw))


def draw_manifold(ax, lines, n_lines: int, lw: float = 1.0):
    """Draw ``viz.manifold_lines(G, n_lines)`` in the grid's colours; returns the LineCollection."""
    return ax.add_collection(LineCollection(lines, colors=manifold_colors(n_lines), linewidths=lw))


def frame(ax, extent, title: str, xlabel: str, ylabel: str) -> None:
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect("equal")
    ax.set_title(title, fontsize=9)
    ax.set_xlabel(xlabel, fontsize=8)
    ax.set_ylabel(ylabel, fontsize=8)
    ax.tick_params(labelsize=7.5)


def plot_manifolds(generators: dict, data=None, n_lines: int = 11, z_range: float = 2.0, extent=None,
                   n_real: int = 500, size: float = 2.9):
    """A grid in z-space (left) and its image G(grid) for each generator in ``generators``
    ({title: G}, 2D latent and 2D output), drawn over real samples of ``data`` (green)."""
    if not isinstance(generators, dict) or not generators:
        raise ValueError("generators must be a non-empty dict {title: G}")
    for title, G in generators.items():
        check_generator(G)
        if G.latent_dim != 2:
            raise ValueError(f"generators[{title!r}] must have latent_dim=2 to draw its grid, got {G.latent_dim}")
    n_lines = _check.positive_int("n_lines", n_lines)
    z_range = _check.positive("z_range", z_range)
    if extent is None:
        extent = plane_extent(data) if data is not None else (-2.0, 2.0, -2.0, 2.0)
    k = len(generators) + 1
    fig = figure(size * k, size + 0.3)
    ax = fig.add_subplot(1, k, 1)
    draw_z_grid(ax, n_lines, z_range)
    pad = 0.15 * z_range
    frame(ax, (-z_range - pad, z_range + pad, -z_range - pad, z_range + pad), "latent space: a grid of z",
           "$z_1$", "$z_2$")
    real = None if data is None else fixed_sample(data, n_real, 1)
    for j, (title, G) in enumerate(generators.items()):
        ax = fig.add_subplot(1, k, j + 2)
        if real is not None:
            scatter_points(ax, real, "real", 6, alpha=0.8, zorder=1)
        draw_manifold(ax, manifold_lines(G, n_lines, z_range), n_lines)
        frame(ax, extent, f"data space: {title} G(grid)", "$x_1$", "$x_2$")
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- interpolation
def _strip_cell(ax, image, alpha: float | None, label: str | None) -> None:
    """One picture of a walk strip: α above the first row, the strip's label left of the first column."""
    ax.imshow(image_grid(image[None], 1, padding=0), cmap="gray", interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if alpha is not None:
        ax.set_title(f"α = {alpha:.2f}", fontsize=8)
    if label is not None:
        ax.set_ylabel(label, fontsize=8, rotation=0, ha="right", va="center")


def plot_interpolation(G, z0, z1, steps: int = 8, fade: bool = True, size: float = 0.85):
    """A strip of ``G((1 - a) z0 + a z1)`` for an image generator; with ``fade=True`` a second
    strip shows the pixel blend ``(1 - a) G(z0) + a G(z1)`` for comparison."""
    a, imgs = interpolate(G, z0, z1, steps)
    if imgs.ndim != 4:
        raise ValueError(f"plot_interpolation needs an image generator (outputs [N, C, H, W]), got outputs of shape "
                         f"{tuple(imgs.shape)}; for 2D points use plot_latent_path")
    rows = [("walk in z:\nG((1-α) z0 + α z1)", imgs)]
    if fade:
        blend = (1 - a)[:, None, None, None] * imgs[0] + a[:, None, None, None] * imgs[-1]
        rows.append(("pixel blend:\n(1-α) G(z0) + α G(z1)", blend))
    fig = figure(size * len(a) + 1.6, size * len(rows) + 0.45)
    gs = fig.add_gridspec(len(rows), len(a))
    for r, (label, row) in enumerate(rows):
        for k in range(len(a)):
            _strip_cell(fig.add_subplot(gs[r, k]), row[k], float(a[k]) if r == 0 else None, label if k == 0 else None)
    fig.tight_layout(w_pad=0.2, h_pad=0.6)
    return fig


def plot_walks(rows: dict, steps: int = 9, size: float = 0.72):
    """One strip per entry of ``rows`` ({label: (G, z0, z1)}, image generators): the walk
    ``G((1 - a) z0 + a z1)`` in ``steps`` pictures, a from 0 to 1."""
    if not isinstance(rows, dict) or not rows:
        raise ValueError("rows must be a non-empty dict {label: (G, z0, z1)}")
    steps = _check.integer("steps", steps, minimum=2)
    fig = figure(size * steps + 2.0, (size + 0.15) * len(rows) + 0.45)
    gs = fig.add_gridspec(len(rows), steps)
    for r, (label, (G, z0, z1)) in enumerate(rows.items()):
        a, imgs = interpolate(G, z0, z1, steps)
        if imgs.ndim != 4:
            raise ValueError(f"rows[{label!r}]: plot_walks needs an image generator, got outputs of shape {tuple(imgs.shape)}")
        for k in range(steps):
            _strip_cell(fig.add_subplot(gs[r, k]), imgs[k], float(a[k]) if r == 0 else None, label if k == 0 else None)
    fig.tight_layout(w_pad=0.2, h_pad=0.8)
    return fig


def plot_latent_path(G, z0, z1, data=None, steps: int = 40, n_lines: int = 11, z_range: float = 2.0, extent=None,
                     size: float = 3.4):
    """A straight walk from z0 to z1 in a 2D latent space (left) and where G takes it (right,
    purple dots), next to the straight chord between G(z0) and G(z1) (dashed): the "pixel
    blend" of two points. The walk follows G's manifold; the chord cuts across it."""
    G = check_generator(G)
    if G.latent_dim != 2:
        raise ValueError(f"plot_latent_path needs a generator with latent_dim=2, got {G.latent_dim}")
    a, out = interpolate(G, z0, z1, steps)
    if out.ndim != 2 or out.shape[1] != 2:
        raise ValueError(f"plot_latent_path needs 2D outputs, got shape {tuple(out.shape)}")
    z = (1 - a)[:, None] * as_z("z0", z0, 2) + a[:, None] * as_z("z1", z1, 2)
    extent = extent or (plane_extent(data) if data is not None else (-2.0, 2.0, -2.0, 2.0))
    fig = figure(2 * size, size + 0.6)
    ax1, ax2 = fig.add_subplot(121), fig.add_subplot(122)
    draw_z_grid(ax1, n_lines, z_range, lw=0.6)
    ax1.plot(z[:, 0], z[:, 1], "-", color=INK, lw=1.0)
    ax1.scatter(z[:, 0], z[:, 1], s=10, c=INK, zorder=3, label="the walk in z")
    ax1.annotate("z0", z[0].numpy(), fontsize=8, xytext=(4, 4), textcoords="offset points")
    ax1.annotate("z1", z[-1].numpy(), fontsize=8, xytext=(4, 4), textcoords="offset points")
    pad = 0.15 * z_range
    frame(ax1, (-z_range - pad, z_range + pad, -z_range - pad, z_range + pad), "a straight line in z", "$z_1$", "$z_2$")
    if data is not None:
        real = fixed_sample(data, 500, 1)
        scatter_points(ax2, real, "real", 6, alpha=0.8)
    draw_manifold(ax2, manifold_lines(G, n_lines, z_range), n_lines, lw=0.5)
    o = out.numpy()
    ax2.plot([o[0, 0], o[-1, 0]], [o[0, 1], o[-1, 1]], "--", color=INK, lw=1.2, label="blend of G(z0) and G(z1)")
    scatter_points(ax2, o, "fake", 14, color=FAKE, edgecolors=INK, linewidths=0.3, zorder=3,
                   label="G(walk): equal steps in z")
    ax2.annotate("G(z0)", o[0], fontsize=8, xytext=(4, 4), textcoords="offset points")
    ax2.annotate("G(z1)", o[-1], fontsize=8, xytext=(4, 4), textcoords="offset points")
    frame(ax2, extent, "where G takes that line", "$x_1$", "$x_2$")
    legend_below(fig, ncol=4, markerscale=1.2)
    return fig
