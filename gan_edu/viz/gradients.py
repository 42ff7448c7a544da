"""Pictures of the learning signal (lesson 03): per-layer gradient norms in each phase,
G's arrows over D's heatmap, saturation curves, the stall experiment, and what the
sigmoid-twice bug does to D's gradient (:func:`plot_double_sigmoid`).

Colours follow :mod:`gan_edu.viz.palette`: real is green, fake purple, D blue and G the
colour of its fakes; the heatmap shows D(x) = sigmoid(logit) from purple (0, "fake") to
green (1, "real"). Every function returns a pyplot-free figure; show it with
:func:`gan_edu.viz.show`. Like lesson 02's figures (:mod:`gan_edu.viz.discriminator`), they
are drawn at most 8 inches wide at 100 dots per inch, with no text under 8 points and legends
outside the data.
"""
from __future__ import annotations

import numpy as np

from ..lessons.plane import fixed_sample
from . import (
    ALERT,
    D_COLOR,
    FAKE,
    G_COLOR,
    INK,
    LOSS_COLORS,
    REAL,
    d_grid,
    draw_plane,
    figure,
    plane_extent,
    scatter_points,
)
from .discriminator import MIN_FONT, legend_below, outline_points, readable

__all__ = ["D_COLOR", "G_COLOR", "LOSS_COLORS", "plot_grad_norms", "plot_grad_history", "plot_arrows",
           "plot_saturation", "plot_stall", "plot_double_sigmoid"]

LOSS_LABELS = {"minimax": "saturating (minimax): log(1 − D(G(z)))", "non_saturating": "non-saturating: −log D(G(z))"}
LOSS_NAMES = {"minimax": "minimax", "non_saturating": "non-saturating"}
LOSS_STYLES = {"minimax": "-", "non_saturating": "--"}


def plot_grad_norms(norms: dict, title: str | None = None, size=(7.0, 4.2)):
    """Bars of per-layer gradient norms, one panel per (phase, network).

    ``norms`` is ``{phase: {network: {layer: norm}}}`` as in
    :attr:`gan_edu.lessons.gradflow.StepTrace.grad_norms`; an empty ``{}`` (no gradient) is drawn
    as an empty panel saying so. Rows are phases, columns the networks D and G."""
    if not isinstance(norms, dict) or not norms or not all(isinstance(v, dict) for v in norms.values()):
        raise ValueError("norms must be {phase: {network: {layer: norm}}}, e.g. trace.grad_norms from gradflow.trace_step")
    phases = list(norms)
    nets = ("D", "G")
    top = max((v for ph in norms.values() for layers in ph.values() for v in layers.values()), default=1.0) or 1.0
    fig = figure(*size)
    axes = fig.subplots(len(phases), 2, squeeze=False)
    for i, phase in enumerate(phases):
        for j, net in enumerate(nets):
            ax = axes[i][j]
            layers = norms[phase].get(net, {})
            colour = D_COLOR if net == "D" else G_COLOR
            if layers:
                names = list(layers)
                ax.bar(range(len(names)), [layers[k] for k in names], color=colour, width=0.6)
                ax.set_xticks(range(len(names)), names, fontsize=MIN_FONT)
            else:
                ax.set_xticks([])
                ax.text(0.5, 0.5, "no gradient\n(.grad is None or 0)", ha="center", va="center", fontsize=10,
                        color="#666", transform=ax.transAxes)
            ax.set_ylim(0, 1.15 * top)
            ax.tick_params(labelsize=MIN_FONT)
            ax.set_title(f"{phase}: {net}'s layers", fontsize=10, color=colour)
            if j == 0:
                ax.set_ylabel("gradient norm", fontsize=9)
    if title:
        fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    return readable(fig)


def plot_grad_history(history, keys=("grad_d/out", "grad_g/out"), labels=None, title: str | None = None,
                      size=(6.0, 3.2)):
    """Recorded gradient norms (e.g. the ``GradNorms`` recorder's ``grad_d/out`` and ``grad_g/out``)
    against the training step: D's in D's colour, G's in G's, each with its own line style; the
    legend under the axes."""
    labels = dict(labels or {})
    fig = figure(*size)
    ax = fig.add_subplot(111)
    drawn = 0
    for i, key in enumerate(keys):
        if key in history and len(history[key]):
            colour = D_COLOR if key.startswith("grad_d") else G_COLOR if key.startswith("grad_g") else INK
            ax.plot(history[key].steps, history[key].values, lw=1.3, color=colour, ls=("-", "--", ":")[i % 3],
                    label=labels.get(key, key))
            drawn += 1
    if not drawn:
        raise ValueError(f"history has none of {list(keys)}: attach a GradNorms recorder before training")
    ax.set_xlabel("step", fontsize=9)
    ax.set_ylabel("gradient norm", fontsize=9)
    if title:
        ax.set_title(title, fontsize=10)
    legend_below(ax, ncol=drawn, gap=0.2)
    fig.tight_layout()
    return readable(fig)


def plot_arrows(trainer, points, arrows, n_arrows: int = 30, n_real: int = 300, extent=None, title: str | None = None,
                size: float = 4.6):
    """G's arrows (``arrows`` at ``points``, e.g. from :func:`gan_edu.recorders.fake_gradients`)
    over D's heatmap, with real samples for reference. All points are drawn; arrows on an evenly
    spread subset of ``n_arrows`` of them so the heads stay visible. Lengths are relative: the
    longest arrow is drawn at 18 % of the view's width."""
    points, arrows = np.asarray(points, dtype=float), np.asarray(arrows, dtype=float)
    if points.ndim != 2 or points.shape != arrows.shape or points.shape[1] != 2:
        raise ValueError(f"points and arrows must both have shape [N, 2], got {points.shape} and {arrows.shape}")
    if not isinstance(n_arrows, int) or isinstance(n_arrows, bool) or n_arrows < 1:
        raise ValueError(f"n_arrows must be an integer >= 1, got {n_arrows!r}")
    extent = extent or _covering(plane_extent(trainer.data), points)
    fig = figure(size, size)
    ax = fig.add_subplot(111)
    real = fixed_sample(trainer.data, n_real, 1)
    plane = draw_plane(ax, extent, heat=d_grid(trainer, extent), real=real, fake=points, size=9.0)
    outline_points(plane["real"], plane["fake"])
    legend_below(ax, gap=0.1)
    pick = np.linspace(0, len(points) - 1, min(n_arrows, len(points))).round().astype(int)
    p, a = points[pick], arrows[pick]
    longest = float(np.linalg.norm(a, axis=1).max())
    scale = 0.18 * (extent[1] - extent[0]) / longest if longest > 0 else 0.0
    ax.quiver(p[:, 0], p[:, 1], a[:, 0] * scale, a[:, 1] * scale, angles="xy", scale_units="xy", scale=1,
              color=INK, width=0.006, headwidth=4, headlength=5, headaxislength=4.5, alpha=0.9, zorder=3)
    ax.set_title(title if title is not None else "where the G step pushes each fake G(z)", fontsize=10)
    _colorbar(fig, ax)
    fig.tight_layout()
    return readable(fig)


def _covering(extent, points, pad: float = 0.15):
    """A square extent that holds ``extent`` and nearly all ``points`` (a few outliers may fall outside)."""
    lo = np.minimum([extent[0], extent[2]], np.quantile(points, 0.02, axis=0) - pad)
    hi = np.maximum([extent[1], extent[3]], np.quantile(points, 0.98, axis=0) + pad)
    c, r = (lo + hi) / 2, float((hi - lo).max()) / 2
    return (float(c[0] - r), float(c[0] + r), float(c[1] - r), float(c[1] + r))


def _colorbar(fig, ax) -> None:
    images = ax.get_images()
    if images:
        cb = fig.colorbar(images[0], ax=ax, fraction=0.046, pad=0.03)
        cb.set_label("D(x) = p(real)", fontsize=9)


def plot_saturation(curves, mark: float = 0.01, size=(8.0, 3.4)):
    """Left: each generator loss against D(G(z)). Right: the size of its gradient w.r.t. the
    logit (from :func:`gan_edu.lessons.gradflow.saturation_curves`), with D(G(z)) = ``mark`` marked
    and the measured ratio written above the curves."""
    fig = figure(*size)
    ax_l, ax_g = fig.subplots(1, 2)
    for name in curves.grad:
        style = dict(color=LOSS_COLORS.get(name), lw=1.6, ls=LOSS_STYLES.get(name, "-"), label=LOSS_LABELS.get(name, name))
        ax_l.plot(curves.p, curves.loss[name], **style)
        ax_g.plot(curves.p, np.abs(curves.grad[name]), **style)
    ax_l.set_xlabel("D(G(z))  (D's probability that the fake is real)", fontsize=9)
    ax_l.set_ylabel("G's loss per sample", fontsize=9)
    ax_l.set_title("the two generator losses", fontsize=10)
    ax_g.set_xlabel("D(G(z))", fontsize=9)
    ax_g.set_ylabel("|d loss / d logit|  (autograd)", fontsize=9)
    ax_g.set_title("how hard G is pushed", fontsize=10)
    ax_g.set_ylim(0, 1.32)                       # room above the crossing lines for the note
    ax_g.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
    if mark is not None and "minimax" in curves.grad and "non_saturating" in curves.grad:
        ratio = curves.ratio_at(mark)
        ax_g.axvline(mark, color="#444", lw=0.8, ls=":")
        for name, y in (("minimax", mark), ("non_saturating", 1 - mark)):
            ax_g.plot([mark], [y], "o", ms=4, color=LOSS_COLORS[name])
        ax_g.annotate(f"at D(G(z)) = {mark:g}: non-saturating {1 - mark:g},\nsaturating {mark:g}  →  {ratio:.0f}× stronger",
                      xy=(mark + 0.01, 1 - mark), xytext=(0.52, 1.17), fontsize=MIN_FONT, ha="center", va="center",
                      bbox=dict(boxstyle="round", fc="white", ec="#bbbbbb"),
                      arrowprops=dict(arrowstyle="->", color="#444", lw=0.8))
        ax_l.axvspan(0, 0.1, color="#eee", zorder=0)
        ax_l.text(0.02, 0.04, "early training:\nD rejects the fakes", fontsize=MIN_FONT, color="#555",
                  transform=ax_l.transAxes)
    for ax in (ax_l, ax_g):
        ax.set_xlim(0, 1)
    ax_l.legend(fontsize=MIN_FONT, loc="upper right")     # both curves are low on the right: the corner is empty
    fig.tight_layout()
    return readable(fig)


def plot_stall(result, size=(8.0, 3.6)):
    """The stall experiment (:func:`gan_edu.lessons.gradflow.stall_experiment`): mean D(G(z)) over the G
    steps for each loss, and the samples before (grey) and after (purple) over the fixed D's heatmap.
    One legend under the figure."""
    names = list(result.d_fake)
    fig = figure(*size)
    fig.set_layout_engine("constrained")
    axes = fig.subplots(1, 1 + len(names), gridspec_kw={"width_ratios": [1.2] + [1] * len(names)})
    ax = axes[0]
    for name in names:
        ax.plot(np.arange(len(result.d_fake[name])), result.d_fake[name], color=LOSS_COLORS.get(name), lw=1.6,
                ls=LOSS_STYLES.get(name, "-"), label=LOSS_NAMES.get(name, name))
    ax.set_xlabel("G step (D fixed)", fontsize=9)
    ax.set_ylabel("mean D(G(z))", fontsize=9)
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(f"D(G(z)) from {result.start:.3f}", fontsize=10)
    extent = _covering(plane_extent(result.data), np.concatenate([result.before, *result.after.values()]))
    heat = d_grid(result.D, extent)
    real = fixed_sample(result.data, 300, 1)
    for ax, name in zip(axes[1:], names):
        plane = draw_plane(ax, extent, heat=heat, real=real, size=6.0)
        before = scatter_points(ax, result.before, "fake", 6, color="#777777", label="G(z) before")
        after = scatter_points(ax, result.after[name], "fake", 6, label=f"G(z) after {result.g_steps} G steps")
        outline_points(plane["real"], before, after)
        ax.set_title(f"{LOSS_NAMES.get(name, name)}:\nsamples moved {result.moved[name]:.2f}", fontsize=10,
                     color=LOSS_COLORS.get(name))
    handles, labels = axes[0].get_legend_handles_labels()
    more = axes[-1].get_legend_handles_labels()
    fig.legend(handles + more[0], labels + more[1], loc="outside lower center", ncol=5, fontsize=MIN_FONT,
               frameon=False, markerscale=2, columnspacing=1.0, handlelength=1.6)
    return readable(fig)


_ZONE_SHADES = {"sure and wrong": "#f6d5cf", "undecided": "#e8e8e8", "sure and right": "#d4eddf"}


def plot_double_sigmoid(result, size=(8.0, 4.0)):
    """The sigmoid-twice bug (:func:`gan_edu.lessons.clinic.double_sigmoid`). Left: D's own
    probability sigma(l) against what the buggy loss reads, sigma(sigma(l)), stuck in (0.5, 0.731).
    Right: the size of the gradient reaching D's logit with the bug, as a share of the correct
    one (log scale), for a real and a fake sample, against D's margin (its logit signed so that
    + means right), with the zones where D is sure and wrong, undecided, sure and right."""
    from ..lessons.clinic import ZONES

    fig = figure(*size)
    ax_v, ax_r = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.25]})
    m = result.margin
    ax_v.axhspan(0.5, 1 / (1 + np.exp(-1.0)), color="#fbe3c5", zorder=0)
    ax_v.plot(m, result.output, color=D_COLOR, lw=1.8, label="D's output σ(ℓ)")
    ax_v.plot(m, result.view, color=ALERT, lw=1.8, ls="--", label="what the loss reads: σ(σ(ℓ))")
    ax_v.set_ylim(-0.02, 1.02)
    ax_v.set_xlabel("D's logit ℓ", fontsize=9)
    ax_v.set_ylabel("probability of 'real'", fontsize=9)
    ax_v.set_title("the loss only ever sees 0.5 to 0.73", fontsize=10)
    legend_below(ax_v, ncol=1, gap=0.2)
    for name, (lo, hi) in ZONES.items():
        if name in _ZONE_SHADES:
            ax_r.axvspan(max(lo, m.min()), min(hi, m.max()), color=_ZONE_SHADES[name], zorder=0)
            ax_r.text((max(lo, m.min()) + min(hi, m.max())) / 2, 4.0, name.replace(" and ", "\nand "), ha="center",
                      va="center", fontsize=8, color="#444")
    ax_r.axhline(1.0, color=INK, lw=0.8, ls=":")
    ax_r.plot(m, result.ratio["real"], color=REAL, lw=1.8, label="real sample (label 1)")
    ax_r.plot(m, result.ratio["fake"], color=FAKE, lw=1.8, ls="--", label="fake sample (label 0)")
    ax_r.set_yscale("log")
    ax_r.set_ylim(1e-4, 12)
    ax_r.set_xlim(m.min(), m.max())
    ax_r.set_xlabel("D's margin: its logit, + right side, − wrong side", fontsize=9)
    ax_r.set_ylabel("buggy / correct gradient", fontsize=9)
    ax_r.set_title("the gradient D learns from (dotted: no bug)", fontsize=10)
    legend_below(ax_r, ncol=2, gap=0.2)
    fig.tight_layout()
    return readable(fig)
