r"""Pictures of the discriminator (lesson 02): what D(x) looks like over the plane, how
its probabilities on real and fake samples separate, and how its accuracy and loss move.

* :func:`plot_sigmoid_bce` -- the sigmoid (logit -> probability of *real*) next to the two
  terms of binary cross-entropy: :math:`-\log p` for a real sample (label 1) and
  :math:`-\log(1-p)` for a fake one (label 0).
* :func:`plot_d_plane` -- the heatmap of D(x) = sigmoid(logit) with real (green) and fake
  (purple) samples on top; :func:`plot_d_planes` puts several side by side.
* :func:`plot_accuracy_curves`, :func:`plot_loss_curves` -- one or more curves against the
  number of D updates.
* :class:`DTrainerFigure` -- the four panels of the D-only training widget in one figure
  (the plane, the histograms of D(real) and D(fake), accuracy and loss), laid out once and
  updated in place.
* :func:`plot_runs` -- accuracy and BCE of several D-only runs side by side.
* :func:`plot_gradient_bars`, :func:`plot_g_signal` -- the size of G's gradient against
  different discriminators, for each G loss.

Every function returns a :class:`matplotlib.figure.Figure` made with :func:`gan_edu.viz.figure`
(never pyplot), or draws on the ``ax`` it is given and returns that axes' figure.
Colours follow :mod:`gan_edu.viz.palette`: real green, fake purple, the heatmap purple-white-green.

Made to be read at 100 % zoom, at the size they are drawn (100 dots per inch, at most 8 inches
wide, so they are never scaled up in a notebook or a widget): no text under 8 points
(:func:`readable`), legends outside the data (:func:`legend_below`), and the labels of reference
lines (chance, 2 log 2) written as tick labels on the right-hand axis (:func:`label_lines`), never
on a curve.
"""
from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import torch

from .. import _check
from . import CYCLE, FAKE, REAL, DHistograms, axes_for, d_grid, draw_plane, figure, finish, plane_extent

__all__ = ["plot_sigmoid_bce", "plot_d_plane", "plot_d_planes", "plot_accuracy_curves", "plot_loss_curves",
           "plot_runs", "DTrainerFigure", "plot_keep_training", "plot_gradient_bars", "plot_g_signal", "CHANCE_BCE",
           "MIN_FONT", "readable", "legend_below", "label_lines", "outline_points"]

#: D's loss (BCE on the real batch + BCE on the fake batch) when D says 0.5 for everything: 2 log 2
CHANCE_BCE = 2 * math.log(2)
#: the smallest font (points) in these figures: 11 pixels at 100 dots per inch
MIN_FONT = 8.0


# --------------------------------------------------------------------------- readable at 100 % zoom
def readable(fig, minimum: float = MIN_FONT):
    """Raise every text of ``fig`` (tick labels, axis labels, titles, legends, annotations) to at
    least ``minimum`` points. Returns ``fig``."""
    from matplotlib.text import Text

    for ax in fig.axes:
        size = min((t.get_fontsize() for t in ax.get_xticklabels() + ax.get_yticklabels()), default=minimum)
        ax.tick_params(which="both", labelsize=max(size, minimum))
    for text in fig.findobj(Text):
        if text.get_fontsize() < minimum:
            text.set_fontsize(minimum)
    return fig


def legend_below(ax, ncol: int = 2, handles=None, labels=None, gap: float = 0.16):
    """A legend under ``ax`` (outside the data, ``gap`` of the axes' height below its bottom edge,
    room for tick labels and an axis label). Returns the legend."""
    kw = {} if handles is None else {"handles": handles, "labels": labels}
    return ax.legend(loc="upper center", bbox_to_anchor=(0.5, -gap), ncol=ncol, fontsize=MIN_FONT, frameon=False,
                     markerscale=2, handlelength=1.6, columnspacing=1.2, **kw)


def label_lines(ax, labels: Mapping[float, str]):
    """Name horizontal reference lines of ``ax`` (``{y: label}``, e.g. ``{0.5: "chance"}``) with
    tick labels on a right-hand axis: next to the line, outside the data, never on a curve."""
    right = ax.secondary_yaxis("right")
    right.set_yticks(list(labels), labels=list(labels.values()))
    right.tick_params(labelsize=MIN_FONT, length=3, colors="#555")
    return right


def outline_points(*collections, color: str = "white", width: float = 0.3) -> None:
    """A thin outline on scattered points, so green points stay visible on D's green heatmap."""
    for c in collections:
        if c is not None:
            c.set_edgecolor(color)
            c.set_linewidth(width)


def _points(name: str, x) -> np.ndarray | None:
    if x is None:
        return None
    arr = x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x, dtype=float)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError(f"{name} must be 2D points of shape [N, 2], got shape {arr.shape}")
    return arr


def _probs(name: str, p) -> np.ndarray:
    arr = (p.detach().cpu().numpy() if isinstance(p, torch.Tensor) else np.asarray(p, dtype=float)).ravel()
    if arr.size == 0:
        raise ValueError(f"{name} must hold at least one probability, got an empty array")
    if not np.all(np.isfinite(arr)) or arr.min() < 0 or arr.max() > 1:
        raise ValueError(f"{name} must be probabilities in [0, 1] (apply sigmoid to D's logits first); "
                         f"got values from {arr.min():.3g} to {arr.max():.3g}")
    return arr


def _extent(extent, source=None):
    if extent is None:
        if source is None:
            raise ValueError("extent is needed when no trainer is given: pass (xmin, xmax, ymin, ymax)")
        return plane_extent(source)
    if not (isinstance(extent, (tuple, list)) and len(extent) == 4 and all(isinstance(v, (int, float)) for v in extent)
            and extent[0] < extent[1] and extent[2] < extent[3]):
        raise ValueError(f"extent must be (xmin, xmax, ymin, ymax) with xmin < xmax and ymin < ymax, got {extent!r}")
    return tuple(float(v) for v in extent)


# --------------------------------------------------------------------------- sigmoid and BCE
def plot_sigmoid_bce(size=(8.0, 3.0)):
    """Two panels: left, :math:`\\sigma(\\ell) = 1/(1+e^{-\\ell})` turning D's logit into the
    probability of *real*; right, the loss each sample adds to binary cross-entropy as a
    function of that probability: :math:`-\\log p` for a real sample (label 1, green) and
    :math:`-\\log(1-p)` for a fake (label 0, purple)."""
    fig = figure(*size)
    ax1, ax2 = fig.add_subplot(121), fig.add_subplot(122)
    logit = np.linspace(-6, 6, 241)
    ax1.plot(logit, 1 / (1 + np.exp(-logit)), color="#333", lw=1.6)
    ax1.axhline(0.5, color="#999", lw=0.8, ls="--")
    ax1.axvline(0.0, color="#999", lw=0.8, ls="--")
    ax1.annotate("logit 0  ->  p = 0.5\n(D undecided)", (0, 0.5), (1.0, 0.12), fontsize=MIN_FONT,
                 arrowprops=dict(arrowstyle="->", lw=0.7))
    ax1.set_xlabel("D's logit  $\\ell$", fontsize=9)
    ax1.set_ylabel("$\\sigma(\\ell)$ = p(real)", fontsize=9)
    ax1.set_title("sigmoid: logit -> probability", fontsize=10)
    p = np.linspace(0.005, 0.995, 199)
    ax2.plot(p, -np.log(p), color=REAL, lw=1.8, label="real x (label 1):  $-\\log p$")
    ax2.plot(p, -np.log(1 - p), color=FAKE, lw=1.8, label="fake G(z) (label 0):  $-\\log(1-p)$")
    ax2.axvline(0.5, color="#999", lw=0.8, ls="--")
    ax2.set_ylim(0, 5)
    ax2.set_xlabel("p = D(x) = $\\sigma(\\ell)$", fontsize=9)
    ax2.set_ylabel("loss of one sample", fontsize=9)
    ax2.set_title("binary cross-entropy, term by term", fontsize=10)
    ax2.legend(fontsize=MIN_FONT, loc="upper center")          # above both curves: they meet at 0.69 when p = 0.5
    fig.tight_layout()
    return readable(fig)


# --------------------------------------------------------------------------- the plane
def plot_d_plane(trainer_or_d, real=None, fake=None, extent=None, heat=None, title: str | None = None,
                 n_grid: int = 64, size: float = 4.0, colorbar: bool = True, ax=None):
    """The heatmap of D(x) = sigmoid(D's logit) over the plane with ``real`` (green) and ``fake``
    (purple) points [N, 2] on top. ``trainer_or_d`` is a Trainer or a discriminator (then pass
    ``extent``); ``heat`` (from :func:`gan_edu.viz.d_grid`) skips evaluating D."""
    n_grid = _check.integer("n_grid", n_grid, minimum=2)
    real, fake = _points("real", real), _points("fake", fake)
    extent = _extent(extent, getattr(trainer_or_d, "data", None))
    if heat is None:
        if trainer_or_d is None:
            raise ValueError("trainer_or_d is needed unless heat is given")
        heat = d_grid(trainer_or_d, extent, n=n_grid)
    fig, ax = axes_for(ax, size + (0.7 if colorbar else 0), size + 0.5)
    artists = draw_plane(ax, extent, heat=heat, real=real, fake=fake, size=8)
    outline_points(artists.get("real"), artists.get("fake"))
    if real is not None or fake is not None:
        legend_below(ax, gap=0.1)
    if colorbar:
        cb = ax.figure.colorbar(artists["heat"], ax=ax, fraction=0.046, pad=0.03)
        cb.set_label("D(x) = p(real)", fontsize=9)
    finish(fig, ax, title=title, legend=None)
    return readable(ax.figure)


def plot_d_planes(trainers: Mapping, real=None, fake=None, extent=None, n_grid: int = 64, size: float = 3.4):
    """:func:`plot_d_plane` for several discriminators side by side; ``trainers`` maps a title
    to a Trainer (or a D, with ``extent``). One shared colour bar."""
    if not isinstance(trainers, Mapping) or not trainers:
        raise ValueError("trainers must be a non-empty dict {title: trainer}")
    first = next(iter(trainers.values()))
    extent = _extent(extent, getattr(first, "data", None))
    fig = figure(min(8.0, size * len(trainers) + 0.8), size + 0.5)
    fig.set_layout_engine("constrained")
    axes = [fig.add_subplot(1, len(trainers), i + 1) for i in range(len(trainers))]
    for ax, (title, t) in zip(axes, trainers.items()):
        plot_d_plane(t, real=real, fake=fake, extent=extent, title=str(title), n_grid=n_grid, colorbar=False, ax=ax)
        legend = ax.get_legend()
        if legend is not None and ax is not axes[0]:
            legend.remove()                                   # one legend, under the first plane
    cb = fig.colorbar(axes[-1].images[0], ax=axes, fraction=0.03, pad=0.02)
    cb.set_label("D(x) = p(real)", fontsize=9)
    return readable(fig)


# --------------------------------------------------------------------------- curves over D updates
def _curves(name: str, curves) -> dict:
    if not isinstance(curves, Mapping) or not curves:
        raise ValueError(f"{name} must be a non-empty dict {{label: (x, y)}}")
    out = {}
    for label, xy in curves.items():
        if not (isinstance(xy, (tuple, list)) and len(xy) == 2):
            raise ValueError(f"{name}[{label!r}] must be a pair (x, y) of equal-length sequences")
        x, y = np.asarray(xy[0], dtype=float), np.asarray(xy[1], dtype=float)
        if x.shape != y.shape or x.ndim != 1:
            raise ValueError(f"{name}[{label!r}]: x and y must be 1D of the same length, got {x.shape} and {y.shape}")
        out[str(label)] = (x, y)
    return out


def _draw_curves(ax, curves, marker):
    for i, (label, (x, y)) in enumerate(curves.items()):
        ax.plot(x, y, lw=1.6, color=CYCLE[i % len(CYCLE)], ls=("-", "--", ":", "-.")[i % 4], label=label)
    if marker is not None:
        ax.axvline(marker, color="#222", lw=0.8, alpha=0.6)
    ax.set_xlabel("D updates", fontsize=9)


def plot_accuracy_curves(curves: Mapping, target: float | None = 0.99, marker: float | None = None,
                         title: str | None = None, size=(4.0, 3.0), ax=None, legend: bool = True):
    """D's accuracy against the number of D updates; ``curves`` maps a label to ``(x, accuracy)``
    with accuracy in [0, 1]. ``target`` draws a dotted line (99 % by default), ``marker`` a
    vertical line at one update. 0.5 is chance. The legend (if ``legend``) goes under the axes."""
    curves = _curves("curves", curves)
    if target is not None:
        target = _check.number("target", target, minimum=0.0, maximum=1.0)
    fig, ax = axes_for(ax, *size)
    _draw_curves(ax, curves, marker)
    ax.axhline(0.5, color="#999", lw=0.8, ls="--")
    names = {0.5: "chance"}
    if target is not None:
        ax.axhline(target, color="#444", lw=0.8, ls=":")
        names[target] = f"{100 * target:g} %"
    label_lines(ax, names)
    ax.set_ylim(0.4, 1.03)
    if legend and len(curves) > 1:
        legend_below(ax)
    finish(fig, ax, ylabel="D accuracy", title=title, legend=None)
    return readable(ax.figure)


def plot_loss_curves(curves: Mapping, reference: float | None = CHANCE_BCE, marker: float | None = None,
                     title: str | None = None, size=(4.0, 3.0), ax=None, legend: bool = True):
    """D's BCE loss against the number of D updates; ``curves`` maps a label to ``(x, loss)``.
    ``reference`` draws a dashed line at 2 log 2 (D says 0.5 to everything) by default, named on
    the right-hand axis. The legend (if ``legend``) goes under the axes."""
    curves = _curves("curves", curves)
    fig, ax = axes_for(ax, *size)
    _draw_curves(ax, curves, marker)
    if reference is not None:
        reference = _check.number("reference", reference)
        ax.axhline(reference, color="#999", lw=0.8, ls="--")
        label_lines(ax, {reference: "2 log 2" if reference == CHANCE_BCE else f"{reference:.3g}"})
    ax.set_ylim(bottom=0)
    if legend and len(curves) > 1:
        legend_below(ax)
    finish(fig, ax, ylabel="D's BCE loss", title=title, legend=None)
    return readable(ax.figure)


def plot_runs(runs: Mapping, target: float = 0.99, size=(8.0, 3.2)):
    """Accuracy (left) and BCE (right) against D updates for several D-only runs side by side;
    ``runs`` maps a label to the dict returned by
    :func:`gan_edu.lessons.scoring.train_d_only` (keys ``updates``, ``accuracy``, ``bce``)."""
    if not isinstance(runs, Mapping) or not runs:
        raise ValueError("runs must be a non-empty dict {label: result of train_d_only}")
    for label, r in runs.items():
        if not isinstance(r, Mapping) or not {"updates", "accuracy", "bce"} <= set(r):
            raise ValueError(f"runs[{label!r}] must have 'updates', 'accuracy' and 'bce' (what train_d_only returns)")
    fig = figure(*size)
    ax1, ax2 = fig.add_subplot(121), fig.add_subplot(122)
    plot_accuracy_curves({k: (r["updates"], r["accuracy"]) for k, r in runs.items()}, target=target,
                         title="D accuracy on held-out samples", ax=ax1, legend=False)
    plot_loss_curves({k: (r["updates"], r["bce"]) for k, r in runs.items()}, title="D's BCE loss", ax=ax2,
                     legend=False)
    fig.legend(*ax1.get_legend_handles_labels(), loc="outside lower center", ncol=len(runs), fontsize=MIN_FONT,
               frameon=False)
    fig.set_layout_engine("constrained")
    return readable(fig)


class DTrainerFigure:
    """The D-only training view, laid out once and updated in place (fast enough to redraw
    on every click or slider move): the plane (heatmap of D(x) with the held-out real and
    fake samples), the histograms of D(real) and D(fake), and the accuracy and BCE curves
    against D updates with a marker at the update shown. Used by
    :class:`gan_edu.widgets.discriminator.DTrainer`; ``.fig`` is the figure."""

    def __init__(self, extent, real, fake, bins: int = 20, size=(8.0, 3.9), dpi: int = 100):
        self.extent = _extent(extent)
        real, fake = _points("real", real), _points("fake", fake)
        self.bins = _check.integer("bins", bins, minimum=2)
        self.fig = fig = figure(*size, dpi=dpi)
        gs = fig.add_gridspec(2, 3, width_ratios=(1.15, 0.9, 1.05), left=0.06, right=0.9, bottom=0.3, top=0.92,
                              wspace=0.38, hspace=0.14)
        self.ax_plane = ax = fig.add_subplot(gs[:, 0])
        a = draw_plane(ax, self.extent, heat=np.full((2, 2), 0.5), real=real, fake=fake, size=7)
        self.heat, self.fake = a["heat"], a["fake"]
        outline_points(a["real"], a["fake"])
        legend_below(ax, gap=0.1)
        self.title = ax.set_title("", fontsize=10)

        self.ax_hist = ax = fig.add_subplot(gs[:, 1])
        self.hists = DHistograms(ax, self.bins, names=("D(real)", "D(fake)"))
        ax.set_ylim(0, max(len(real), len(fake)) * 1.05)
        ax.set_xticks([0, 0.5, 1])
        ax.set_xlabel("D(x) = p(real)", fontsize=9)
        ax.set_ylabel("held-out samples", fontsize=9)
        legend_below(ax, ncol=1, gap=0.2)
        ax.set_title("D's probabilities", fontsize=10)

        self.ax_acc = ax = fig.add_subplot(gs[0, 2])
        (self.acc_line,) = ax.plot([], [], lw=1.6, color=CYCLE[0])
        ax.axhline(0.5, color="#999", lw=0.8, ls="--")
        label_lines(ax, {0.5: "chance"})
        ax.set_ylim(0.4, 1.03)
        ax.set_ylabel("accuracy", fontsize=9)
        ax.tick_params(labelbottom=False)
        ax.set_title("D accuracy and BCE loss", fontsize=10)
        self.ax_loss = ax = fig.add_subplot(gs[1, 2], sharex=self.ax_acc)
        (self.loss_line,) = ax.plot([], [], lw=1.6, color=CYCLE[1])
        ax.axhline(CHANCE_BCE, color="#999", lw=0.8, ls="--")
        label_lines(ax, {CHANCE_BCE: "2 log 2"})                    # named beside the line, never on the curve
        ax.set_ylabel("BCE", fontsize=9)
        ax.set_xlabel("D updates", fontsize=9)
        self.markers = [self.ax_acc.axvline(0, color="#222", lw=0.8, alpha=0.6),
                        self.ax_loss.axvline(0, color="#222", lw=0.8, alpha=0.6)]
        readable(fig)

    def update(self, heat, p_real, p_fake, updates, accuracy, loss, current: int = 0, title: str = "", fake=None):
        """Redraw with D's ``heat`` grid, probabilities ``p_real``/``p_fake``, the curves and the
        marker at update ``current``. ``fake`` moves the fake points (if G changed)."""
        self.heat.set_data(np.asarray(heat))
        if fake is not None:
            self.fake.set_offsets(_points("fake", fake))
        self.hists.update(_probs("p_real", p_real), _probs("p_fake", p_fake))
        x = np.asarray(updates, dtype=float)
        acc, bce = np.asarray(accuracy, dtype=float), np.asarray(loss, dtype=float)
        self.acc_line.set_data(x, acc)
        self.loss_line.set_data(x, bce)
        self.ax_acc.set_xlim(0, max(1.0, float(x.max()) if x.size else 1.0))
        self.ax_loss.set_ylim(0, max(CHANCE_BCE, float(np.nanmax(bce)) if bce.size else CHANCE_BCE) * 1.15)
        for m in self.markers:
            m.set_xdata([current, current])
        self.title.set_text(title)
        return self.fig


def plot_keep_training(run, n_grid: int = 48):
    """The run of :func:`gan_edu.lessons.scoring.keep_training` as the D trainer widget would show
    it after its last update: D(x) over the plane, the histograms of D(real) and D(fake), accuracy
    and BCE against D updates, with the marker at the update where D first reached its level."""
    from ..lessons.scoring import score_d

    h, tr = run.history, run.trainer
    extent = plane_extent(tr.data)
    score = score_d(tr, run.real, run.fake)
    view = DTrainerFigure(extent, run.real, run.fake)
    marked = run.first if run.first is not None else int(h["updates"][-1])
    return view.update(d_grid(tr, extent, n=n_grid), score.p_real, score.p_fake, h["updates"], h["accuracy"], h["bce"],
                       current=marked, title=f"D(x) after {int(h['updates'][-1])} D updates")


# --------------------------------------------------------------------------- gradients
def plot_gradient_bars(values: Mapping, title: str | None = None, ylabel: str = "size of G's gradient",
                       size=(5.0, 3.2), ax=None, legend: bool = True):
    """Grouped bars on a log scale: ``values`` maps a group (e.g. ``"minimax"``) to a dict
    ``{discriminator label: number}``; each group gets one bar per discriminator (colour and
    hatching), labelled with its value. The legend (if ``legend``) goes under the axes."""
    if not isinstance(values, Mapping) or not values:
        raise ValueError("values must be a non-empty dict {group: {label: number}}")
    labels: list[str] = []
    for group, row in values.items():
        if not isinstance(row, Mapping) or not row:
            raise ValueError(f"values[{group!r}] must be a non-empty dict {{label: number}}")
        for k, v in row.items():
            if not isinstance(v, (int, float)) or not v > 0 or not math.isfinite(v):
                raise ValueError(f"values[{group!r}][{k!r}] must be a positive finite number (log scale), got {v!r}")
            if k not in labels:
                labels.append(k)
    fig, ax = axes_for(ax, *size)
    groups = list(values)
    width = 0.8 / len(labels)
    for j, label in enumerate(labels):
        xs = [i + (j - (len(labels) - 1) / 2) * width for i in range(len(groups))]
        hs = [values[g].get(label, np.nan) for g in groups]
        bars = ax.bar(xs, hs, width=width * 0.95, color=CYCLE[j % len(CYCLE)], label=label,
                      hatch=("", "//", "..", "xx")[j % 4], edgecolor="white", linewidth=0.5)
        for b, h in zip(bars, hs):
            if np.isfinite(h):
                ax.text(b.get_x() + b.get_width() / 2, h * 1.15, f"{h:.2g}", ha="center", va="bottom", fontsize=MIN_FONT)
    ax.set_yscale("log")
    lo = min(v for row in values.values() for v in row.values())
    hi = max(v for row in values.values() for v in row.values())
    ax.set_ylim(lo / 3, hi * 8)
    ax.set_xticks(range(len(groups)))
    ax.set_xticklabels([str(g).replace("_", "-") for g in groups], fontsize=9)
    if legend:
        legend_below(ax, ncol=len(labels), gap=0.12)
    finish(fig, ax, ylabel=ylabel, title=title, legend=None)
    return readable(ax.figure)


_SIGNAL_TITLES = {"d_fake": "mean D(G(z))", "logit_grad": "per logit: |dL/dlogit|",
                  "sample_grad": "on each fake: |dL/dG(z)|", "param_grad": "for G's parameters: |grad G|",
                  "top_share": "share carried by the top 5 % of fakes"}


def plot_g_signal(signals: Mapping, fields=("logit_grad", "param_grad"), size=(8.0, 3.3)):
    """Bars (log scale) of G's learning signal from
    :func:`gan_edu.lessons.scoring.compare_g_signal`: one panel per field of
    :class:`~gan_edu.lessons.scoring.GSignal` (``"logit_grad"``, ``"sample_grad"``,
    ``"param_grad"``, ``"d_fake"``, ``"top_share"``), one group of bars per G loss, one bar per discriminator."""
    if isinstance(fields, str):
        fields = (fields,)
    fields = tuple(_check.one_of("fields", f, _SIGNAL_TITLES) for f in fields)
    if not fields:
        raise ValueError("fields must name at least one of " + ", ".join(_SIGNAL_TITLES))
    if not isinstance(signals, Mapping) or not signals:
        raise ValueError("signals must be the dict returned by compare_g_signal")
    fig = figure(*size)
    fig.set_layout_engine("constrained")
    for i, f in enumerate(fields):
        ax = fig.add_subplot(1, len(fields), i + 1)
        values = {loss: {label: float(getattr(s, f)) for label, s in row.items()} for loss, row in signals.items()}
        plot_gradient_bars(values, title=_SIGNAL_TITLES[f], ylabel="size (log scale)" if i == 0 else None, ax=ax,
                           legend=False)
    fig.legend(*fig.axes[0].get_legend_handles_labels(), loc="outside lower center", ncol=len(next(iter(signals.values()))),
               fontsize=MIN_FONT, frameon=False)
    return readable(fig)
