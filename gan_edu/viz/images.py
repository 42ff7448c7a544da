r"""Pictures for the image lessons (lesson 07: DCGAN on digits).

* :func:`layer_table` -- a network's layers with the shape of each output and their
  parameter counts (from :func:`gan_edu.models.trace`), for G (going up) and D (going down).
* :func:`plot_grid_strip` -- sample grids of the same fixed noise at a few steps, side by side.
* :func:`plot_d_histograms` -- histograms of D(real) and D(fake) (probabilities) with the 0.5 line.
* :func:`plot_class_histogram` -- the share of samples the classifier puts in each class, for
  generated and real images, against the uniform share 1/K.
* :func:`plot_classified` -- images with the classifier's label and confidence on each.

Figures are pyplot-free (see :mod:`gan_edu.viz`); show them with ``viz.show(fig)``.
"""
from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from .. import _check, models
from . import ALERT, CYCLE, FAKE, REAL, DHistograms, figure, image_grid

__all__ = ["layer_table", "plot_grid_strip", "plot_training_curves", "plot_d_histograms", "plot_class_histogram",
           "plot_classified"]


def _images(name: str, images) -> torch.Tensor:
    if not isinstance(images, torch.Tensor) or images.ndim != 4 or images.shape[0] < 1:
        shape = tuple(images.shape) if isinstance(images, torch.Tensor) else type(images).__name__
        raise ValueError(f"{name} must be a tensor of images [N, C, H, W] with N >= 1, got {shape}")
    return images.detach().cpu().float()


def wrap_lines(text, width: int = 88) -> str:
    """``text`` (a string, or anything printable such as an exception) with each line wrapped at words to
    ``width`` characters, so printed output never wraps mid-word in the browser; lines that start with
    spaces (commands, code) are kept whole."""
    import textwrap

    width = _check.positive_int("width", width)
    return "\n".join(line if line.startswith(" ") else
                     "\n".join(textwrap.wrap(line, width, break_on_hyphens=False) or [""])   # "held-out" stays whole
                     for line in str(text).splitlines())


def layer_table(model: nn.Module, x: torch.Tensor) -> str:
    """A text table of ``model``'s layers run on ``x``: name, kind, output shape for one
    sample, and trainable parameters (deterministic: shapes and counts only).

    ``x`` is a batch the model accepts: noise ``[N, latent_dim]`` for a generator, images for
    a discriminator. The model runs in eval mode (see :func:`gan_edu.models.trace`)."""
    if not isinstance(getattr(model, "net", None), nn.Sequential):
        raise TypeError(f"model must be a gan_edu model (with an nn.Sequential called .net), got {type(model).__name__}")
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"x must be a torch.Tensor batch for the model, got {type(x).__name__}")
    children = dict(model.net.named_children())
    rows = [("layer", "kind", "output (one sample)", "params")]
    total = 0
    for layer in models.trace(model, x):
        module = children.get(layer.name)
        params = 0 if module is None else models.count_parameters(module)
        total += params
        shape = " x ".join(map(str, layer.shape[1:])) or "1 (a logit)"
        rows.append((layer.name, layer.kind, shape, f"{params:,}"))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = [f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:<{widths[2]}}  {r[3]:>{widths[3]}}" for r in rows]
    lines.insert(1, "-" * len(lines[0]))
    lines.append(f"total trainable parameters: {total:,}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- pixel-exact pictures
#: widest picture the image figures make (px): it fits a notebook's output area at 100 % zoom
MAX_WIDTH = 880
_TITLE_PX = 22          # a row of panel titles
_GAP = 18               # between panels


def upscale(array: np.ndarray, scale: int) -> np.ndarray:
    """An image array [H, W] or [H, W, 3] made ``scale`` times larger by repeating each pixel:
    every pixel of the data becomes a ``scale`` x ``scale`` square of the screen (no smoothing)."""
    return np.repeat(np.repeat(array, scale, axis=0), scale, axis=1)


def _rgb(array: np.ndarray) -> np.ndarray:
    return np.repeat(array[..., None], 3, axis=2) if array.ndim == 2 else array


def pixel_panels(panels: dict, scale: int = 3, title: str | None = None, captions: dict | None = None,
                 max_width: int = MAX_WIDTH):
    """Image arrays ``{title: array [H, W] or [H, W, 3] in [0, 1]}`` drawn pixel-exact: each data pixel
    is a ``scale`` x ``scale`` square (``figimage``, no resampling), each panel titled above and
    optionally captioned below (``captions``), as many per row as fit in ``max_width`` pixels. At
    100 % zoom the PNG is shown at exactly this size, so nothing is blurred or stretched."""
    if not isinstance(panels, dict) or not panels:
        raise ValueError("panels must be a non-empty dict {title: image array}")
    scale = _check.positive_int("scale", scale)
    arrays = [_rgb(upscale(np.clip(np.asarray(a, dtype=float), 0, 1), scale)) for a in panels.values()]
    captions = captions or {}
    cap_px = _TITLE_PX if captions else 0
    cell_w = max(a.shape[1] for a in arrays)
    cell_h = max(a.shape[0] for a in arrays) + _TITLE_PX + cap_px
    per_row = max(1, min(len(arrays), (max_width - _GAP) // (cell_w + _GAP)))
    rows = -(-len(arrays) // per_row)
    top = 28 if title else 6
    width = per_row * cell_w + (per_row + 1) * _GAP
    height = top + rows * cell_h + (rows - 1) * _GAP + 8
    fig = figure(width / 100, height / 100, dpi=100)
    if title:
        fig.text(0.5, 1 - 8 / height, title, ha="center", va="top", fontsize=10)
    for k, (name, a) in enumerate(zip(panels, arrays)):
        r, c = divmod(k, per_row)
        x0 = _GAP + c * (cell_w + _GAP) + (cell_w - a.shape[1]) // 2
        y_top = top + r * (cell_h + _GAP)                             # from the top, in pixels
        fig.figimage(a, xo=x0, yo=height - (y_top + _TITLE_PX + a.shape[0]), origin="upper")
        fig.text((x0 + a.shape[1] / 2) / width, 1 - (y_top + _TITLE_PX - 5) / height, str(name), ha="center",
                 va="bottom", fontsize=9)
        if name in captions:
            fig.text((x0 + a.shape[1] / 2) / width, 1 - (y_top + _TITLE_PX + a.shape[0] + 4) / height,
                     str(captions[name]), ha="center", va="top", fontsize=8.5, color="#333333")
    return fig


def plot_grid_strip(snapshots: dict, nrow: int = 8, scale: int = 3, title: str | None = None):
    """One sample grid per entry of ``snapshots`` ``{step or title: images [N, C, H, W] in [-1, 1]}``,
    titled "step N" (e.g. the grids kept by a live sample-grid handler), pixel-exact (each image
    pixel a ``scale`` x ``scale`` square), as many side by side as fit the page."""
    if not isinstance(snapshots, dict) or not snapshots:
        raise ValueError("snapshots must be a non-empty dict {step: images [N, C, H, W]}")
    nrow = _check.positive_int("nrow", nrow)
    grids = {(f"step {step}" if isinstance(step, int) else str(step)): image_grid(_images(f"snapshots[{step!r}]", imgs), nrow)
             for step, imgs in snapshots.items()}
    return pixel_panels(grids, scale=scale, title=title)


def _finish_readable(fig, axes, title: str | None = None, ncol: int = 2) -> None:
    """Fonts readable at 100 % zoom (ticks 8 pt, labels 9 pt: >= 11 px) and each legend *above* its
    axes, off the data; the figure's title above everything; a tight layout."""
    for ax in axes:
        ax.tick_params(labelsize=8)
        ax.xaxis.label.set_size(9)
        ax.yaxis.label.set_size(9)
        handles, labels = ax.get_legend_handles_labels()
        if handles:
            ax.legend(handles, labels, loc="lower left", bbox_to_anchor=(0, 1.01), ncol=ncol, fontsize=8, frameon=False,
                      borderaxespad=0, handlelength=1.6, columnspacing=1.2)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()


def plot_training_curves(history, size=(8.6, 2.9)):
    """Two charts over steps: both losses (left) and the mean D(x) on real and D(G(z)) on fake
    batches with the 0.5 line (right). ``history`` is ``trainer.history``."""
    from . import plot_curves

    for key in ("loss_d", "loss_g", "d_real", "d_fake"):
        if key not in history:
            raise ValueError(f"history must hold {key!r} (pass trainer.history after some steps)")
    fig = figure(*size)
    left, right = fig.add_subplot(121), fig.add_subplot(122)
    plot_curves(history, ("loss_d", "loss_g"), ax=left, labels={"loss_d": "D's loss", "loss_g": "G's loss"})
    plot_curves(history, ("d_real", "d_fake"), ax=right, hline=0.5,
                labels={"d_real": "mean D(x), real batch", "d_fake": "mean D(G(z)), fake batch"})
    right.set_ylim(0, 1)
    _finish_readable(fig, (left, right))
    return fig


def plot_d_histograms(p_real, p_fake, bins: int = 30, title: str | None = None, size=(5.0, 3.0)):
    """Histograms of D's probabilities on real (green) and fake (purple) samples, with the
    0.5 line (where D is undecided). ``p_real``, ``p_fake``: arrays or tensors in [0, 1]."""
    pr = np.asarray(torch.as_tensor(p_real).detach().cpu().double().flatten())
    pf = np.asarray(torch.as_tensor(p_fake).detach().cpu().double().flatten())
    for name, p in (("p_real", pr), ("p_fake", pf)):
        if p.size == 0 or not np.isfinite(p).all() or (p < 0).any() or (p > 1).any():
            raise ValueError(f"{name} must be a non-empty set of probabilities in [0, 1]")
    bins = _check.positive_int("bins", bins)
    fig = figure(*size)
    ax = fig.add_subplot(111)
    hist = DHistograms(ax, bins)
    hist.update(pr, pf)
    top = max(np.histogram(p, hist.edges)[0].max() for p in (pr, pf))
    ax.set_ylim(0, top * 1.05)                       # the counts are set after the axes were scaled
    ax.set_xlabel("D's probability that the sample is real (dashed: 0.5, undecided)")
    ax.set_ylabel("samples")
    _finish_readable(fig, (ax,), title)
    return fig


def plot_class_histogram(coverages: dict, size=(5.6, 3.0), title: str | None = None):
    """Bars of the share of samples classified as each class, one colour per entry of
    ``coverages`` ``{label: ClassCoverage}`` (from :mod:`gan_edu.lessons.classifier`; entries whose label
    says "real" are green, the first other one purple), with the uniform share 1/K dashed.
    Each legend entry gives the KL to uniform."""
    if not isinstance(coverages, dict) or not coverages:
        raise ValueError("coverages must be a non-empty dict {label: ClassCoverage}")
    ks = {len(c.histogram) for c in coverages.values()}
    if len(ks) != 1:
        raise ValueError(f"all coverages must have the same number of classes, got {sorted(ks)}")
    k = ks.pop()
    others = iter([FAKE, *CYCLE] * 4)
    colors = [REAL if "real" in str(label).lower() else next(others) for label in coverages]   # real is green, as everywhere
    hatches = iter(["", "//", "..", "xx", "\\\\"] * 4)                  # bars differ without colour too
    fig = figure(*size)
    ax = fig.add_subplot(111)
    width = 0.8 / len(coverages)
    for i, (label, cov) in enumerate(coverages.items()):
        x = np.arange(k) + (i - (len(coverages) - 1) / 2) * width
        ax.bar(x, cov.histogram, width=width, color=colors[i], alpha=0.85, hatch=next(hatches), edgecolor="white",
               linewidth=0, label=f"{label}: KL {cov.kl:.3f}, {cov.classes}/{k} classes")
    ax.axhline(1 / k, color="#444", lw=0.9, ls="--", label=f"uniform: 1/{k} each")
    ax.set_xticks(range(k))
    ax.set_xlabel("class the classifier gives")
    ax.set_ylabel("share of samples")
    _finish_readable(fig, (ax,), title, ncol=1)
    return fig


def plot_classified(images, probs, nrow: int = 8, threshold: float = 0.9, size: float = 0.8, title: str | None = None):
    """Each image with the classifier's label and confidence above it; labels at or above
    ``threshold`` in black, the others in red (not confidently classified)."""
    images = _images("images", images)
    p = torch.as_tensor(probs).detach().cpu().float()
    if p.ndim != 2 or p.shape[0] != images.shape[0]:
        raise ValueError(f"probs must have shape [N, K] with one row per image (N={images.shape[0]}), got {tuple(p.shape)}")
    nrow = _check.positive_int("nrow", nrow)
    threshold = _check.number("threshold", threshold, minimum=0.0, maximum=1.0)
    n = images.shape[0]
    rows = math.ceil(n / nrow)
    fig = figure(size * nrow + 0.2, (size + 0.22) * rows + (0.35 if title else 0.1))
    top, pred = p.max(1)
    for i in range(n):
        ax = fig.add_subplot(rows, nrow, i + 1)
        img = image_grid(images[i:i + 1], nrow=1, padding=0)
        ax.imshow(img if images.shape[1] == 3 else img[..., 0], cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        ax.set_axis_off()
        sure = float(top[i]) >= threshold
        ax.set_title(f"{int(pred[i])} ({float(top[i]):.2f})", fontsize=8, pad=1.5,
                     color="#111111" if sure else ALERT)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout(pad=0.2, h_pad=0.1, w_pad=0.1)
    return fig


# --------------------------------------------------------------------------- did G copy?
def plot_nearest_pairs(blocks: dict, scale: int = 6, gap: int = 10, label_px: int = 150):
    """Rows of image pairs, pixel-exact: for each block ``{title: (images, nearest, distances)}``, each
    image (top) above its nearest training image (bottom) with the distance between them underneath
    (``images``, ``nearest`` [k, C, H, W] in [-1, 1]; ``distances`` [k]); ``label_px`` is the width of
    the row labels on the left. Lessons 07 and 10 both draw their suspects with it."""
    if not isinstance(blocks, dict) or not blocks:
        raise ValueError("blocks must be a non-empty dict {title: (images, nearest, distances)}")
    scale, gap, label_px = (_check.positive_int(n, v) for n, v in (("scale", scale), ("gap", gap), ("label_px", label_px)))
    rows = []
    for title, (images, nearest, dist) in blocks.items():
        a, b = _images(f"{title}: images", images), _images(f"{title}: nearest", nearest)
        d = np.asarray(torch.as_tensor(dist).detach().cpu().double()).ravel()
        if a.shape != b.shape or len(d) != len(a):
            raise ValueError(f"{title}: images, nearest and distances must hold the same number of the same images, got "
                             f"{tuple(a.shape)}, {tuple(b.shape)} and {len(d)} distances")
        tops = [upscale(_rgb(image_grid(a[i:i + 1], 1, padding=0)), scale) for i in range(len(a))]
        bottoms = [upscale(_rgb(image_grid(b[i:i + 1], 1, padding=0)), scale) for i in range(len(b))]
        rows.append((str(title), tops, bottoms, d))
    label_w, img_h = label_px, tops[0].shape[0]
    img_w = max(t.shape[1] for _, tops, _, _ in rows for t in tops)
    k = max(len(t) for _, t, _, _ in rows)
    row_h = _TITLE_PX + 2 * img_h + 4 + _TITLE_PX
    width = label_w + k * (img_w + gap) + gap
    height = len(rows) * (row_h + _GAP) + 4
    fig = figure(width / 100, height / 100, dpi=100)
    for r, (title, tops, bottoms, d) in enumerate(rows):
        y = r * (row_h + _GAP) + 4                                         # top of this row, from the top
        fig.text(8 / width, 1 - y / height, title, ha="left", va="top", fontsize=9.5, fontweight="bold")
        for label, yy in (("sample", y + _TITLE_PX), ("nearest training\nimage", y + _TITLE_PX + img_h + 4)):
            fig.text(8 / width, 1 - (yy + img_h / 2) / height, label, ha="left", va="center", fontsize=8.5)
        for i, (top, bottom) in enumerate(zip(tops, bottoms)):
            x = label_w + i * (img_w + gap)
            fig.figimage(top, xo=x, yo=height - (y + _TITLE_PX + img_h), origin="upper")
            fig.figimage(bottom, xo=x, yo=height - (y + _TITLE_PX + 2 * img_h + 4), origin="upper")
            fig.text((x + img_w / 2) / width, 1 - (y + _TITLE_PX + 2 * img_h + 8) / height, f"d = {d[i]:.2f}",
                     ha="center", va="top", fontsize=8.5)
    return fig


def plot_distance_histograms(distances: dict, threshold: float | None = None, threshold_label: str = "threshold",
                             bins: int = 30, size=(6.0, 3.0), title: str | None = None,
                             xlabel: str = "distance to the nearest training image (pixels)"):
    """Overlaid histograms (as shares, so sets of different sizes compare) of distances
    ``{label: array}``: labels that say "real", "held-out" or "reference" in green and solid, the others
    purple then the cycle, hatched (in any order: the same look in every lesson); ``threshold`` as a dashed
    line labelled ``threshold_label``."""
    if not isinstance(distances, dict) or not distances:
        raise ValueError("distances must be a non-empty dict {label: array of distances}")
    arrays = {}
    for label, d in distances.items():
        a = np.asarray(torch.as_tensor(d).detach().cpu().double()).ravel()
        if a.size == 0 or not np.isfinite(a).all() or (a < 0).any():
            raise ValueError(f"distances[{label!r}] must be a non-empty array of finite distances >= 0")
        arrays[label] = a
    bins = _check.positive_int("bins", bins)
    edges = np.linspace(0, max(float(a.max()) for a in arrays.values()) * 1.02 + 1e-9, bins + 1)
    others = iter([FAKE, *CYCLE] * 4)
    real_hatches, other_hatches = iter(["", ".."] * 8), iter(["//", "xx", "\\\\"] * 8)
    fig = figure(*size)
    ax = fig.add_subplot(111)
    for label, a in arrays.items():
        real = any(w in str(label).lower() for w in ("real", "held-out", "held out", "reference"))
        color, hatch = (REAL, next(real_hatches)) if real else (next(others), next(other_hatches))
        ax.stairs(np.histogram(a, edges)[0] / a.size, edges, fill=True, alpha=0.55, color=color, hatch=hatch,
                  label=f"{label} (median {np.median(a):.2f})")
    if threshold is not None:
        ax.axvline(threshold, color="#444", lw=1.0, ls="--", label=f"{threshold_label}: d = {threshold:.2f}")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("share of the set")
    _finish_readable(fig, (ax,), title, ncol=1)
    return fig


def png_pixels(array: np.ndarray) -> bytes:
    """An image array [H, W] or [H, W, 3] in [0, 1] as PNG bytes, pixel for pixel (for widgets that
    show a picture at exactly its size)."""
    import io

    from PIL import Image

    a = np.asarray(array, dtype=float)
    if a.ndim not in (2, 3) or a.size == 0:
        raise ValueError(f"array must be an image [H, W] or [H, W, 3], got shape {a.shape}")
    buf = io.BytesIO()
    Image.fromarray((np.clip(a, 0, 1) * 255).round().astype(np.uint8)).save(buf, format="PNG", compress_level=1)
    return buf.getvalue()
