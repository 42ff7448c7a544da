"""Pictures for lesson 10, the metrics lab (numbers from :mod:`gan_edu.lessons.metrics_lab`).

* :func:`plot_image_rows`, :func:`plot_corruption_samples` -- a row of images for each set (each
  corrupted set): what each metric scores.
* :func:`plot_metric_responses` -- small multiples, one panel per metric: how far each corruption
  moves it from the real digits' value (a bar from the real value to the corrupted one).
* :func:`plot_nearest_pairs` -- images above their closest training image, with the distance.
* :func:`plot_distance_histograms` -- distances to the closest training image, for a generator's
  samples and for held-out real digits, with the memorisation check's threshold.

Images are drawn pixel-exact (each pixel of a digit is a ``scale`` x ``scale`` square of the PNG, no
resampling), so what the learner sees is what was scored. One colour per kind of corruption
(:data:`KIND_COLORS`, Okabe-Ito, colour-blind safe); the names are always written too.
"""
from __future__ import annotations

import math

import numpy as np
import torch
from matplotlib.patches import Rectangle

from .. import _check
from . import CYCLE, INK, NEUTRAL, figure, image_grid
from . import images as vi
from .images import plot_nearest_pairs  # lessons 07 and 10 draw their suspects alike

__all__ = ["KIND_COLORS", "PANELS", "plot_image_rows", "plot_corruption_samples", "plot_metric_responses", "plot_nearest_pairs",
           "plot_distance_histograms"]

#: the colour of each kind of corruption ("none" is the real digits): the Okabe-Ito colours whose smallest
#: difference under simulated colour blindness is largest (every pair at least 20 CIELAB units apart, the
#: kinds next to each other in the lab's order at least 57; tests/test_lesson10.py checks it)
KIND_COLORS = {"none": NEUTRAL, "blur": CYCLE[3], "noise": CYCLE[6], "drop": CYCLE[1], "collapse": CYCLE[2],
               "copy": CYCLE[5]}
#: the panels of :func:`plot_metric_responses`: metric -> title
PANELS = {"fd": "FD (× the real value, log)", "kid": "KID", "precision": "precision (quality)",
          "recall": "recall (diversity)", "density": "density", "coverage": "coverage", "classes": "digit classes",
          "class_kl": "class KL (nats)", "memorised": "memorised share"}

_DPI = 100


def _pixels(image: torch.Tensor, scale: int) -> np.ndarray:
    """One image [C, H, W] in [-1, 1] as an RGB array [H*scale, W*scale, 3] in [0, 1], each pixel a square."""
    a = image_grid(image.unsqueeze(0), nrow=1, padding=0)                 # [H, W, 3] in [0, 1]
    return np.repeat(np.repeat(a, scale, axis=0), scale, axis=1)


def _images(name: str, images) -> torch.Tensor:
    if not isinstance(images, torch.Tensor) or images.ndim != 4 or len(images) < 1:
        shape = tuple(images.shape) if isinstance(images, torch.Tensor) else type(images).__name__
        raise ValueError(f"{name} must be a tensor of images [N, C, H, W] with N >= 1, got {shape}")
    return images.detach().cpu().float()


# --------------------------------------------------------------------------- rows of images
def plot_image_rows(rows: dict, colors: dict | None = None, k: int = 12, scale: int = 5, gap: int = 4,
                    label_px: int = 190):
    """The first ``k`` images of each entry of ``rows`` ``{name: images [N, C, H, W] in [-1, 1]}``, one
    row each, named on the left (after a swatch of ``colors[name]``, if given)."""
    if not isinstance(rows, dict) or not rows:
        raise ValueError("rows must be a non-empty dict {name: images [N, C, H, W]}")
    k, scale = _check.positive_int("k", k), _check.positive_int("scale", scale)
    pics = {name: [_pixels(x, scale) for x in _images(f"rows[{name!r}]", images)[:k]] for name, images in rows.items()}
    h, w = next(iter(pics.values()))[0].shape[:2]
    width, height = label_px + k * (w + gap) + gap, len(pics) * (h + gap) + gap
    fig = figure(width / _DPI, height / _DPI, _DPI)
    for r, (name, row) in enumerate(pics.items()):
        top = gap + r * (h + gap)                                          # pixels from the top
        text_x = 6
        if colors and name in colors:
            fig.patches.append(Rectangle((6 / width, 1 - (top + h * 0.75) / height), 10 / width, h * 0.5 / height,
                                         transform=fig.transFigure, color=colors[name]))
            text_x = 22
        fig.text(text_x / width, 1 - (top + h / 2) / height, name, ha="left", va="center", fontsize=9)
        for i, pic in enumerate(row):
            fig.figimage(pic, xo=label_px + i * (w + gap), yo=height - top - h, origin="upper")
    return fig


def plot_corruption_samples(corruptions, k: int = 12, scale: int = 5):
    """The first ``k`` images of each corrupted set (``metrics_lab.corruptions(setup)``), one row each,
    named, with a swatch of its kind's colour (:data:`KIND_COLORS`)."""
    corruptions = list(corruptions)
    if not corruptions:
        raise ValueError("corruptions must be a non-empty list (from metrics_lab.corruptions(setup))")
    return plot_image_rows({c.name: c.images for c in corruptions}, {c.name: KIND_COLORS.get(c.kind, INK)
                                                                     for c in corruptions}, k, scale)


# --------------------------------------------------------------------------- every metric's response
def _response(metric: str, row: dict, real: dict) -> tuple[float, float]:
    """(start, end) of the bar: from the real value to the row's (FD: as ratios to the real value)."""
    if metric == "fd":
        return 1.0, row["fd"] / real["fd"]
    return float(real[metric]), float(row[metric])


def _band(ax, metric: str, real: dict, limit: float) -> None:
    """The grey band of changes too small to count as noticed (``metrics_lab.NOTICE``)."""
    if metric == "fd":
        ax.axvspan(1 / limit, limit, color="#e6e6e6", lw=0)
    else:
        ax.axvspan(real[metric] - limit, real[metric] + limit, color="#e6e6e6", lw=0)


def _fd_axis(ax, ends: np.ndarray) -> None:
    """A log axis for FD ratios with plain ticks (0.5x, 1x, 2x, 5x, ...)."""
    ax.set_xscale("log")
    lo, hi = min(0.5, ends.min() / 1.3), max(2.0, ends.max() * 1.3)
    ax.set_xlim(lo, hi)
    ticks = [t for t in (0.5, 1, 2, 5, 10, 20, 50, 100) if lo <= t <= hi]
    ax.set_xticks(ticks, [f"{t:g}×" for t in ticks])
    ax.minorticks_off()


def plot_metric_responses(rows: list[dict], metrics=None, notice: dict | None = None, cols: int = 3, size=(8.2, 6.8)):
    """Small multiples: one panel per metric (``PANELS`` by default), one bar per corruption (``rows``
    from ``metrics_lab.run``, the real row first), from the real digits' value (the dashed line) to
    the corrupted set's. A metric that does not notice a corruption shows no bar for it. ``notice``
    (e.g. ``metrics_lab.NOTICE``) draws the changes too small to count as noticed as a grey band."""
    if not isinstance(rows, list) or len(rows) < 2 or rows[0].get("kind") != "none":
        raise ValueError("rows must be metrics_lab.run(...)'s list: the real row (kind 'none') first, then corruptions")
    metrics = list(PANELS if metrics is None else metrics)
    unknown = [m for m in metrics if m not in PANELS]
    if unknown:
        raise ValueError(f"metrics must be among {list(PANELS)}, got {unknown}")
    real, others = rows[0], rows[1:]
    fig = figure(*size)
    axes = fig.subplots(math.ceil(len(metrics) / cols), cols, sharey=True, squeeze=False)
    y = np.arange(len(others))[::-1]                                      # first corruption at the top
    for ax, metric in zip(axes.ravel(), metrics):
        spans = np.array([_response(metric, r, real) for r in others])    # [corruptions, (start, end)]
        if notice and metric in notice:
            _band(ax, metric, real, notice[metric])
        ax.barh(y, spans[:, 1] - spans[:, 0], left=spans[:, 0], height=0.7,
                color=[KIND_COLORS.get(r["kind"], INK) for r in others])
        ax.axvline(spans[0, 0], color=INK, lw=0.9, ls="--")
        if metric == "fd":
            _fd_axis(ax, spans[:, 1])
        elif metric == "classes":
            ax.set_xlim(min(spans[:, 1].min(), real["classes"]) - 1.5, real["classes"] + 0.8)
        ax.set_title(PANELS[metric], fontsize=9)
        ax.tick_params(labelsize=8)
    for ax in axes.ravel()[len(metrics):]:
        ax.set_axis_off()
    axes[0, 0].set_yticks(y, [r["corruption"] for r in others])
    what = "; grey: too small to count as noticed" if notice else ""
    fig.suptitle(f"bars: from the real digits' value (dashed) to the corrupted set's{what}", fontsize=9)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- the memorisation check
def plot_distance_histograms(memorisation, label: str = "G's samples", bins: int = 30, size=(6.2, 2.8),
                             held_out: str = "held-out real digits"):
    """Histograms (shares) of each sample's distance to its closest training image and each held-out
    real digit's, from ``evaluation.memorisation_check``; the dashed line is the check's threshold
    (the closest 5 % of held-out digits lie left of it). Lesson 07's picture, for a check's result;
    ``held_out`` names the held-out set as the lesson does (lesson 10: "reference digits")."""
    m = memorisation
    if not hasattr(m, "generated") or not hasattr(m, "held_out"):
        raise TypeError(f"memorisation must be an evaluation.Memorisation, got {type(m).__name__}")
    where = {"pixels": "pixels", "features": "the classifier's features"}.get(m.space, "the vectors given")
    return vi.plot_distance_histograms(
        {f"{held_out} ({len(m.held_out)})": m.held_out,
         f"{label} ({len(m.generated)}): {100 * m.share:.1f} % left of the line": m.generated},
        threshold=m.threshold, threshold_label=f"threshold: closest {100 * m.quantile:g} % of the {held_out}",
        bins=bins, size=size, xlabel=f"distance to the nearest training image ({where})")
