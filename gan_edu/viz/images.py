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
from . import ALERT, CYCLE, FAKE, REAL, DHistograms, figure, finish, image_grid

__all__ = ["layer_table", "plot_grid_strip", "plot_training_curves", "plot_d_histograms", "plot_class_histogram",
           "plot_classified"]


def _images(name: str, images) -> torch.Tensor:
    if not isinstance(images, torch.Tensor) or images.ndim != 4 or images.shape[0] < 1:
        shape = tuple(images.shape) if isinstance(images, torch.Tensor) else type(images).__name__
        raise ValueError(f"{name} must be a tensor of images [N, C, H, W] with N >= 1, got {shape}")
    return images.detach().cpu().float()


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


def plot_grid_strip(snapshots: dict, nrow: int = 8, size: float = 2.1):
    """One sample grid per entry of ``snapshots`` ``{step: images [N, C, H, W] in [-1, 1]}``,
    side by side, titled "step N" (e.g. the grids kept by a live sample-grid handler)."""
    if not isinstance(snapshots, dict) or not snapshots:
        raise ValueError("snapshots must be a non-empty dict {step: images [N, C, H, W]}")
    nrow = _check.positive_int("nrow", nrow)
    k = len(snapshots)
    grids = [image_grid(_images(f"snapshots[{step!r}]", imgs), nrow) for step, imgs in snapshots.items()]
    aspect = max(g.shape[0] / g.shape[1] for g in grids)           # height / width of the tallest grid
    fig = figure(size * k, size * aspect + 0.35)
    for j, (step, grid) in enumerate(zip(snapshots, grids)):
        ax = fig.add_subplot(1, k, j + 1)
        ax.imshow(grid, cmap="gray", interpolation="nearest")
        ax.set_axis_off()
        ax.set_title(f"step {step}" if isinstance(step, int) else str(step), fontsize=9)
    fig.tight_layout()
    return fig


def plot_training_curves(history, size=(9.0, 2.6)):
    """Two charts over steps: both losses (left) and the mean D(x) on real and D(G(z)) on fake
    batches with the 0.5 line (right). ``history`` is ``trainer.history``."""
    from . import plot_curves

    for key in ("loss_d", "loss_g", "d_real", "d_fake"):
        if key not in history:
            raise ValueError(f"history must hold {key!r} (pass trainer.history after some steps)")
    fig = figure(*size)
    left, right = fig.add_subplot(121), fig.add_subplot(122)
    plot_curves(history, ("loss_d", "loss_g"), ax=left, title="losses", labels={"loss_d": "D's loss", "loss_g": "G's loss"})
    plot_curves(history, ("d_real", "d_fake"), ax=right, hline=0.5, title="batch means of D's probability",
                labels={"d_real": "D(x), real", "d_fake": "D(G(z)), fake"})
    right.set_ylim(0, 1)
    fig.tight_layout()
    return fig


def plot_d_histograms(p_real, p_fake, bins: int = 30, title: str | None = None, size=(4.6, 2.6)):
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
    DHistograms(ax, bins).update(pr, pf)
    ax.text(0.5, 0.97, " undecided", transform=ax.get_xaxis_transform(), fontsize=7, va="top", color="#444")
    return finish(fig, ax, "D's probability that the sample is real", "samples", title, legend="upper left")


def plot_class_histogram(coverages: dict, size=(5.4, 2.6), title: str | None = None):
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
    fig = figure(*size)
    ax = fig.add_subplot(111)
    width = 0.8 / len(coverages)
    for i, (label, cov) in enumerate(coverages.items()):
        x = np.arange(k) + (i - (len(coverages) - 1) / 2) * width
        ax.bar(x, cov.histogram, width=width, color=colors[i], alpha=0.85,
               label=f"{label}: KL {cov.kl:.3f}, {cov.classes}/{k} classes")
    top = max(float(np.max(c.histogram)) for c in coverages.values())
    ax.set_ylim(0, max(top, 1 / k) * 1.45)                         # room for the legend above the bars
    ax.axhline(1 / k, color="#444", lw=0.9, ls="--", label=f"uniform: 1/{k} each")
    ax.set_xticks(range(k))
    return finish(fig, ax, "class the classifier gives", "share of samples", title, legend="upper left")


def plot_classified(images, probs, nrow: int = 8, threshold: float = 0.9, size: float = 0.62, title: str | None = None):
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
    fig = figure(size * nrow + 0.2, (size + 0.18) * rows + (0.3 if title else 0.1))
    top, pred = p.max(1)
    for i in range(n):
        ax = fig.add_subplot(rows, nrow, i + 1)
        img = image_grid(images[i:i + 1], nrow=1, padding=0)
        ax.imshow(img if images.shape[1] == 3 else img[..., 0], cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        ax.set_axis_off()
        sure = float(top[i]) >= threshold
        ax.set_title(f"{int(pred[i])} ({float(top[i]):.2f})", fontsize=6.5, pad=1.5,
                     color="#111111" if sure else ALERT)
    if title:
        fig.suptitle(title, fontsize=9)
    fig.tight_layout(pad=0.2, h_pad=0.1, w_pad=0.1)
    return fig
