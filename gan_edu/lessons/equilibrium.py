r"""Lesson 06: where the GAN game ends, in theory, and why practice rarely sits there.

**The optimal discriminator.** For a fixed G, D maximises

.. math::  V(D, G) = \int p_{data}(x) \log D(x) + p_g(x) \log(1 - D(x)) \, dx .

Point by point this is :math:`a \log D + b \log(1 - D)` with :math:`a = p_{data}(x)`,
:math:`b = p_g(x)`, whose maximum is at :math:`D = a / (a + b)`:

.. math::  D^*(x) = \frac{p_{data}(x)}{p_{data}(x) + p_g(x)}
           \qquad \text{(Goodfellow et al. 2014, Prop. 1).}

Where G is perfect (:math:`p_g = p_{data}`) this is 0.5 everywhere.

**What D* tells about G.** Put :math:`D^*` back into V:

.. math::  C(G) = V(D^*, G) = -\log 4 + 2 \cdot JSD(p_{data} \,\|\, p_g),

so the best D's value measures the Jensen-Shannon divergence between the data and G's
distribution; its minimum, :math:`-\log 4`, is reached only at :math:`p_g = p_{data}` (Thm. 1).
A G that minimised V against an optimal D would be minimising the JSD. Training does neither:
D is not optimal after each G step, and with the non-saturating loss the expected gradient
of G's loss against :math:`D^*` is that of :math:`KL(p_g \| p_{data}) - 2\,JSD` (Arjovsky &
Bottou 2017, Thm. 2.5). Any D gives a lower bound: :math:`V(D, G) \le V(D^*, G)`, so
:math:`JSD \ge (\log 4 + V(D, G))/2` (:func:`jsd_lower_bound`).
D's loss (BCE on real + BCE on fake) is :math:`-V`: at the equilibrium it is
:math:`\log 4 = 2 \log 2 \approx 1.386`, and G's non-saturating loss :math:`-\log D(G(z))`
is :math:`\log 2 \approx 0.693`.

**One-sided label smoothing** (real label :math:`r < 1`, fake label 0) changes D's
objective to :math:`E_{p_{data}}[r \log D + (1 - r)\log(1 - D)] + E_{p_g}[\log(1 - D)]`: point
by point :math:`a = r\,p_{data}`, :math:`b = (1 - r)\,p_{data} + p_g`, so

.. math::  D^*_r(x) = \frac{r \, p_{data}(x)}{p_{data}(x) + p_g(x)},

which is :math:`r/2` (0.45 for :math:`r = 0.9`) where :math:`p_g = p_{data}`.

**Gradient play need not converge.** The simplest two-player game, :math:`\min_x \max_y\, xy`,
has its equilibrium at (0, 0). Its gradient *flow* circles around it; *simultaneous* steps of
size :math:`\eta` spiral outward (each multiplies the distance by :math:`\sqrt{1 + \eta^2}`);
*alternating* steps -- y (the maximiser, D) first, then x (G) against the new y, as the Trainer
does -- keep :math:`x^2 + y^2 + \eta\,xy` fixed: a closed orbit (:func:`bilinear_paths`).

Everything here is 1D, where the data density is exact (``gaussian_1d(...).density``) and G's
density is estimated from its samples (:func:`gan_edu.metrics.kde_1d`). Integrals are done by
the trapezoid rule on a fine grid (:func:`gan_edu.metrics.trapezoid`, also ``eq.trapezoid``).

What is here: the integrals (:func:`kl_quad`, :func:`jsd_quad`, :func:`value_quad`,
:func:`c_of_g`), the optimal discriminator with label smoothing
(:func:`d_star`) and the losses at equilibrium (:func:`equilibrium_losses`); the lesson's 1D
GAN (:func:`build_1d`, :func:`line`, :func:`support`), what to draw and measure at one moment
(:func:`curves` -> :class:`Curves`, :func:`gap`, :func:`theory_numbers`), training helpers
(:func:`train_keeping`, :func:`fork`, :func:`train_d_to_optimum`), summaries of a run
(:func:`loss_tail`, :func:`swing`, :func:`band`), the estimator's floor (:func:`kde_floor`) and the
bilinear game (:func:`bilinear_paths`).
"""
from __future__ import annotations

import copy
import math
from collections.abc import Iterable, Sequence
from typing import NamedTuple

import numpy as np
import torch
from scipy.special import ndtri, xlogy
from torch import nn

from .. import _check, metrics, models
from .. import data as data_mod
from ..metrics import trapezoid
from ..models import eval_mode
from .factory import tiny_gan
from .generator import generator_output

__all__ = ["LOG4", "D_LOSS_AT_EQUILIBRIUM", "G_LOSS_AT_EQUILIBRIUM", "OPTIMUM_SCHEDULE", "trapezoid", "kl_quad",
           "jsd_quad", "value_quad", "c_of_g", "d_star", "equilibrium_losses", "build_1d", "line", "support",
           "Curves", "curves", "Gap", "gap", "TheoryNumbers", "theory_numbers", "train_keeping", "fork",
           "train_d_to_optimum", "loss_tail", "Swing", "swing", "band", "nearest", "jsd_lower_bound", "kde_floor",
           "GamePaths", "bilinear_paths", "radius", "SMOOTHED_LEVELS", "SmoothingRun", "smoothing_run"]

LOG4 = math.log(4.0)
#: D's loss (BCE on real + BCE on fake) when D* = 0.5 everywhere: log 4 = 2 log 2
D_LOSS_AT_EQUILIBRIUM = 2 * math.log(2.0)
#: G's non-saturating loss -log D(G(z)) when D = 0.5: log 2
G_LOSS_AT_EQUILIBRIUM = math.log(2.0)
#: (number of D updates, D learning rate) phases of :func:`train_d_to_optimum`: a raised rate to
#: get near the optimum fast, then lower ones so that the batch noise averages out
OPTIMUM_SCHEDULE = ((600, 1e-2), (600, 1e-3), (400, 1e-4))
_TINY = 1e-300


# --------------------------------------------------------------------------- quadrature
def _grid_values(x, *arrays, names=("p",)):
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1 or x.size < 2:
        raise ValueError(f"x must be a 1D grid of at least 2 points, got shape {x.shape}")
    if not np.all(np.diff(x) > 0):
        raise ValueError("x must be strictly increasing")
    out = []
    for name, a in zip(names, arrays):
        a = metrics._to_numpy(a).astype(np.float64).ravel()
        if a.shape != x.shape:
            raise ValueError(f"{name} must have one value per grid point ({x.size}), got {a.size}")
        if not np.all(np.isfinite(a)):
            raise ValueError(f"{name} must be finite numbers")
        out.append(a)
    return x, out


def _densities(x, p, q, names=("p", "q")):
    x, (p, q) = _grid_values(x, p, q, names=names)
    for name, a in zip(names, (p, q)):
        if (a < 0).any():
            raise ValueError(f"{name} is a density and must be >= 0 (min {a.min():.3g})")
    return x, p, q


def kl_quad(x, p, q) -> float:
    r""":math:`KL(p \| q) = \int p \log(p / q)\,dx` from density values on the grid ``x``
    (where :math:`p = 0` the integrand is 0; where :math:`p > 0 = q` it is infinite)."""
    x, p, q = _densities(x, p, q)
    if np.any((p > 0) & (q == 0)):
        return math.inf
    integrand = xlogy(p, p) - xlogy(p, np.where(q > 0, q, 1.0))       # p log p - p log q, 0 where p = 0
    return trapezoid(integrand, x)


def jsd_quad(x, p, q) -> float:
    r""":math:`JSD(p \| q) = \tfrac12 KL(p \| m) + \tfrac12 KL(q \| m)`, :math:`m = (p + q)/2`, by
    quadrature on the grid ``x`` (nats; 0 for equal densities, log 2 for disjoint ones)."""
    x, p, q = _densities(x, p, q)
    m = 0.5 * (p + q)
    m = np.where((p > 0) | (q > 0), np.maximum(m, np.finfo(np.float64).tiny), 0.0)   # p/2 of a subnormal p is 0
    return 0.5 * kl_quad(x, p, m) + 0.5 * kl_quad(x, q, m)


def value_quad(x, p_data, p_g, d, real_label: float = 1.0) -> float:
    r""":math:`V(D, G) = \int p_{data} \log D + p_g \log(1 - D)\,dx` by quadrature, for D's
    probabilities ``d`` (not logits) on the grid. With ``real_label = r < 1`` (one-sided label
    smoothing) the real term is :math:`r \log D + (1 - r) \log(1 - D)`: minus D's smoothed loss.
    Probabilities are floored at 1e-300 before the log: where D* rounds to exactly 1 (p_g is
    10^-16 times p_data) its term is ~0, not 0 * -inf."""
    x, p, q = _densities(x, p_data, p_g, names=("p_data", "p_g"))
    _, (d,) = _grid_values(x, d, names=("d",))
    if (d < 0).any() or (d > 1).any():
        raise ValueError("d must be probabilities in [0, 1] (apply sigmoid to D's logits first)")
    r = _check.number("real_label", real_label, minimum=0.0, strict_min=True, maximum=1.0)
    d_pos, d_neg = np.maximum(d, _TINY), np.maximum(1 - d, _TINY)    # D exactly 0 or 1 (rounding): log stays finite
    real = xlogy(p, d_pos) if r == 1.0 else r * xlogy(p, d_pos) + (1 - r) * xlogy(p, d_neg)
    return trapezoid(real + xlogy(q, d_neg), x)


def c_of_g(x, p_data, p_g) -> float:
    r""":math:`C(G) = -\log 4 + 2\,JSD(p_{data} \| p_g)`: the value of the game when D is optimal."""
    return -LOG4 + 2 * jsd_quad(x, p_data, p_g)


def jsd_lower_bound(v: float) -> float:
    r"""What a discriminator's value ``v`` = V(D, G) (minus D's loss) says about the JSD:
    :math:`V(D, G) \le V(D^*, G) = -\log 4 + 2\,JSD`, so :math:`JSD \ge (\log 4 + v)/2`, with
    equality only for the optimal D. (Read off a loss: :math:`JSD \ge (\log 4 - loss_D)/2`.)"""
    return (LOG4 + _check.number("v", v)) / 2


def d_star(p_data, p_g, real_label: float = 1.0):
    r"""The optimal discriminator :math:`D^*_r = r\,p_{data} / (p_{data} + p_g)` from density
    values (``real_label = r``; 1 is the original GAN). Where both densities are 0, D* is not
    determined; :func:`gan_edu.metrics.optimal_discriminator` returns 0.5 there (times r here)."""
    r = _check.number("real_label", real_label, minimum=0.0, strict_min=True, maximum=1.0)
    return r * metrics.optimal_discriminator(p_data, p_g)


def equilibrium_losses(real_label: float = 1.0) -> tuple[float, float]:
    r"""(D's loss, G's non-saturating loss) when :math:`p_g = p_{data}` and D is optimal, i.e.
    :math:`D = r/2` everywhere: D's loss is :math:`-[r \log\frac r2 + (1 - r)\log(1 - \frac r2)]
    - \log(1 - \frac r2)` and G's is :math:`-\log \frac r2`. For r = 1: (2 log 2, log 2)."""
    r = _check.number("real_label", real_label, minimum=0.0, strict_min=True, maximum=1.0)
    d = r / 2
    loss_d = -(r * math.log(d) + (1 - r) * math.log(1 - d)) - math.log(1 - d)
    return loss_d, -math.log(d)


# --------------------------------------------------------------------------- the lesson's 1D GAN
def build_1d(mean: float = 2.0, std: float = 0.5, seed: int = 0, real_label: float = 1.0, hidden: int = 32,
             lr_g: float = 2e-4, lr_d: float = 1e-3, batch_size: int = 256, device="cpu"):
    """The lesson's 1D GAN, seeded (:func:`gan_edu.lessons.factory.tiny_gan`): data N(mean, std^2);
    G a one-hidden-layer ELU MLP (``latent_dim=1``: one noise number per sample; its smooth, almost
    linear map can match a Gaussian, tails included), D an MLP of two hidden layers returning logits;
    D learns 5x faster than G (``lr_d = 5 lr_g``) so it stays near its optimum for the current G, as
    the theory assumes."""
    return tiny_gan(seed, data_mod.gaussian_1d(mean, std), latent_dim=1, hidden=hidden, depth=2, g_depth=1,
                    g_activation="elu", device=device, lr_g=lr_g, lr_d=lr_d, batch_size=batch_size,
                    real_label=real_label)


def _gaussian_1d(data) -> tuple[float, float]:
    centers = getattr(data, "centers", None)
    if centers is None or tuple(centers.shape) != (1, 1):
        raise ValueError(f"lesson 06 needs 1D Gaussian data (gan_edu.data.gaussian_1d), got {data!r}")
    return float(centers[0, 0]), float(data.std)


def line(data, n: int = 400, lo: float | None = None, hi: float | None = None) -> np.ndarray:
    """``n`` evenly spaced points on which to draw and integrate: by default from
    ``min(mean - 5 std, -1)`` to ``max(mean + 5 std, 1)``, wide enough for the data and for an
    untrained G, whose samples start near 0."""
    n = _check.integer("n", n, minimum=10)
    mean, std = _gaussian_1d(data)
    lo = min(mean - 5 * std, -1.0) if lo is None else _check.number("lo", lo)
    hi = max(mean + 5 * std, 1.0) if hi is None else _check.number("hi", hi)
    if hi <= lo:
        raise ValueError(f"hi must be > lo, got lo={lo}, hi={hi}")
    return np.linspace(lo, hi, n)


def support(x, data, n_std: float = 2.0) -> np.ndarray:
    """Boolean mask of the grid points within ``mean +- n_std * std`` of the data: where the
    data has its mass, so where D* is well determined (outside, both densities are tiny and
    their ratio is noise)."""
    mean, std = _gaussian_1d(data)
    n_std = _check.positive("n_std", n_std)
    return np.abs(np.asarray(x, dtype=np.float64) - mean) <= n_std * std + 1e-12


class Curves(NamedTuple):
    """Everything the Goodfellow Figure-1 view shows at one moment, on the grid ``x``:
    ``p_data`` (exact), ``p_g`` (KDE of G's samples), ``d`` = sigmoid(D(x)), ``d_star``
    (optimal D for this G, with the trainer's real label), ``z`` (equal-probability noise
    values) and ``gz`` = G(z) for the mapping lines, the ``step`` and the ``real_label``."""

    x: np.ndarray
    p_data: np.ndarray
    p_g: np.ndarray
    d: np.ndarray
    d_star: np.ndarray
    z: np.ndarray
    gz: np.ndarray
    step: int
    real_label: float
    samples: np.ndarray


def _z_quantiles(G, n_lines: int) -> torch.Tensor:
    u = (np.arange(n_lines) + 0.5) / n_lines
    z = ndtri(u) if getattr(G, "noise", "normal") == "normal" else 2 * u - 1     # equal probability between lines
    return torch.as_tensor(z, dtype=torch.float32).unsqueeze(1)


@torch.no_grad()
def curves(trainer=None, *, G: nn.Module | None = None, D: nn.Module | None = None, data=None, x=None,
           n_samples: int = 20000, seed: int = 0, real_label: float | None = None, step: int | None = None,
           n_lines: int = 15, bandwidth: float | None = None) -> Curves:
    """Measure one moment of a 1D GAN: from a ``trainer``, or from ``G`` and ``D`` (e.g. from
    ``Timeline.view(i)``) with ``data``. G's density is the KDE of ``n_samples`` samples drawn
    with a fixed noise ``seed`` (the same z at every moment, so pictures do not flicker).
    ``x`` defaults to :func:`line`; ``real_label`` to the trainer's (else 1)."""
    if trainer is not None:
        G, D, data = trainer.G, trainer.D, trainer.data
        real_label = trainer.real_label if real_label is None else real_label
        step = trainer.state.step if step is None else step
    if not isinstance(G, nn.Module) or not isinstance(D, nn.Module) or data is None:
        raise TypeError("pass a trainer, or G and D (torch modules) with data")
    _gaussian_1d(data)
    if getattr(G, "latent_dim", None) != 1 or tuple(data.shape) != (1,):
        raise ValueError(f"curves() draws a 1D GAN: G must have latent_dim=1 and the data 1D samples; "
                         f"got latent_dim={getattr(G, 'latent_dim', None)}, data shape {tuple(data.shape)}")
    n_samples = _check.integer("n_samples", n_samples, minimum=2)
    seed = _check.integer("seed", seed, minimum=0)
    n_lines = _check.integer("n_lines", n_lines, minimum=2)
    real_label = 1.0 if real_label is None else _check.number("real_label", real_label, minimum=0.0,
                                                               strict_min=True, maximum=1.0)
    x = line(data) if x is None else np.asarray(x, dtype=np.float64)
    x, _ = _grid_values(x, names=())
    z = G.sample_noise(n_samples, generator=torch.Generator().manual_seed(seed)).cpu()
    samples = generator_output(G, z).numpy().ravel()
    p_data = np.asarray(data.density(x[:, None]), dtype=np.float64)
    p_g = metrics.kde_1d(samples, x, bandwidth=bandwidth)
    with eval_mode(D):
        d = torch.sigmoid(D(torch.as_tensor(x, dtype=torch.float32).unsqueeze(1).to(models._device_of(D))))
    d = d.cpu().numpy().astype(np.float64)
    zq = _z_quantiles(G, n_lines)
    gz = generator_output(G, zq).numpy().ravel()
    return Curves(x, p_data, p_g, d, d_star(p_data, p_g, real_label), zq.numpy().ravel(), gz,
                  -1 if step is None else int(step), real_label, samples)


class Gap(NamedTuple):
    """|D - D*| on the data's support: the largest and the mean over the grid points there."""

    max: float
    mean: float


def gap(c: Curves, data, n_std: float = 2.0) -> Gap:
    """How far the learned D is from the optimal D* within ``mean +- n_std * std`` of the data."""
    if not isinstance(c, Curves):
        raise TypeError(f"c must be the Curves returned by curves(), got {type(c).__name__}")
    mask = support(c.x, data, n_std)
    diff = np.abs(c.d - c.d_star)[mask]
    return Gap(float(diff.max()), float(diff.mean()))


class TheoryNumbers(NamedTuple):
    """The value of the game at one moment, by quadrature: ``jsd`` = JSD(p_data || p_g);
    ``v_star`` = V(D*, G); ``c_of_g`` = -log 4 + 2 JSD (equal to v_star in theory);
    ``v_learned`` = V(D, G) for the learned D (never above v_star); ``mass_g``, ``mass_data``:
    the integrals of the two densities over the grid (1 when the grid holds all the mass,
    which the identity needs)."""

    jsd: float
    v_star: float
    c_of_g: float
    v_learned: float
    mass_g: float
    mass_data: float


def theory_numbers(c: Curves) -> TheoryNumbers:
    """JSD, V(D*, G), C(G) and V(D, G) from the :class:`Curves` of one moment (real label 1:
    the identity V(D*, G) = -log 4 + 2 JSD is for the original game)."""
    if not isinstance(c, Curves):
        raise TypeError(f"c must be the Curves returned by curves(), got {type(c).__name__}")
    ds = d_star(c.p_data, c.p_g)
    return TheoryNumbers(jsd_quad(c.x, c.p_data, c.p_g), value_quad(c.x, c.p_data, c.p_g, ds),
                         c_of_g(c.x, c.p_data, c.p_g), value_quad(c.x, c.p_data, c.p_g, c.d),
                         trapezoid(c.p_g, c.x), trapezoid(c.p_data, c.x))


# --------------------------------------------------------------------------- training helpers
def train_keeping(trainer, at: Iterable[int], progress: bool = True) -> dict[int, dict]:
    """Train until the largest step in ``at``, keeping ``trainer.snapshot()`` at each step of
    ``at`` (and at the current step if it is listed, e.g. 0). Returns ``{step: snapshot}``."""
    steps = sorted({_check.integer("step", s, minimum=0) for s in at})
    if not steps:
        raise ValueError("at must list at least one step")
    if steps[0] < trainer.state.step:
        raise ValueError(f"at must list steps >= the trainer's current step ({trainer.state.step}), got {steps[0]}")
    kept = {}
    for s in steps:
        if s > trainer.state.step:
            trainer.run(s - trainer.state.step, progress=progress)
        kept[s] = trainer.snapshot()
    return kept


def fork(trainer, snapshot: dict | None = None):
    """A new Trainer with copies of ``trainer``'s G and D, the same data and settings, put at
    ``snapshot`` (from ``trainer.snapshot()``; default: the trainer as it is now). Training the
    fork changes nothing in the original, whose history stays whole."""
    from ..trainer import Trainer

    new = Trainer(copy.deepcopy(trainer.G), copy.deepcopy(trainer.D), trainer.data, device=trainer.device,
                  **trainer.config())
    new.restore(snapshot if snapshot is not None else trainer.snapshot())
    return new


def _schedule(schedule) -> tuple[tuple[int, float], ...]:
    try:
        phases = tuple((p[0], p[1]) for p in schedule)
    except (TypeError, IndexError, KeyError):
        raise ValueError(f"schedule must be a sequence of (n_updates, lr) pairs, got {schedule!r}") from None
    if not phases:
        raise ValueError("schedule must hold at least one (n_updates, lr) phase")
    return tuple((_check.positive_int(f"schedule[{i}] updates", n), _check.positive(f"schedule[{i}] lr", lr))
                 for i, (n, lr) in enumerate(phases))


def train_d_to_optimum(trainer, schedule: Sequence[tuple[int, float]] = OPTIMUM_SCHEDULE) -> int:
    """Freeze G and train D towards D*: for each ``(n, lr)`` phase, ``n`` calls of
    ``trainer.step_d()`` (a fresh real and fake batch each; G's parameters are never touched)
    with D's learning rate set to ``lr``; then D's learning rate is put back. Returns the number
    of D updates run. The step counter does not move: G has not taken a step."""
    if not hasattr(trainer, "step_d") or not hasattr(trainer, "configure"):
        raise TypeError(f"trainer must be a gan_edu Trainer, got {type(trainer).__name__}")
    phases = _schedule(schedule)
    lr0 = trainer.lr_d
    try:
        for n, lr in phases:
            trainer.configure(lr_d=lr)
            for _ in range(n):
                trainer.step_d()
    finally:
        trainer.configure(lr_d=lr0)
    return sum(n for n, _ in phases)


# --------------------------------------------------------------------------- summaries of a run
def loss_tail(history, last: int = 200) -> dict[str, float]:
    """Means of ``loss_d``, ``loss_g``, ``d_real`` and ``d_fake`` over the last ``last`` recorded steps."""
    last = _check.positive_int("last", last)
    out = {}
    for key in ("loss_d", "loss_g", "d_real", "d_fake"):
        values = np.asarray(history[key], dtype=np.float64)
        if values.size == 0:
            raise ValueError(f"history has no {key!r} values yet: train first")
        out[key] = float(values[-last:].mean())
    return out


class Swing(NamedTuple):
    """How a recorded quantity moves after smoothing: ``ptp`` = max - min, ``crossings`` = how
    often it crosses its own mean, ``mean``."""

    ptp: float
    crossings: int
    mean: float


def swing(series, after: int = 0, window: int = 10) -> Swing:
    """Smooth ``series`` (e.g. ``trainer.history["d_fake"]``) with a moving average of ``window``
    steps (so batch noise does not count) and measure how much it still swings after index ``after``."""
    values = np.asarray(series, dtype=np.float64)
    after = _check.integer("after", after, minimum=0)
    window = _check.positive_int("window", window)
    if values.ndim != 1 or values.size < after + window + 1:
        raise ValueError(f"series must be 1D with more than after + window = {after + window} values, got {values.size}")
    smooth = np.convolve(values[after:], np.ones(window) / window, mode="valid")
    centred = smooth - smooth.mean()
    crossings = int(np.sum(np.signbit(centred[1:]) != np.signbit(centred[:-1])))
    return Swing(float(smooth.max() - smooth.min()), crossings, float(smooth.mean()))


def band(series, last: int = 100, window: int = 10, lo: float = 10, hi: float = 90) -> tuple[float, float]:
    """The ``lo``-th and ``hi``-th percentiles of ``series`` over its last ``last`` values, after a
    moving average of ``window`` steps: the range a smoothed reading mostly stays in."""
    values = np.asarray(series, dtype=np.float64)
    last = _check.positive_int("last", last)
    window = _check.positive_int("window", window)
    if values.ndim != 1 or values.size < last:
        raise ValueError(f"series must be 1D with at least last = {last} values, got {values.size}")
    smooth = np.convolve(values[-last:], np.ones(window) / window, mode="valid")
    return float(np.percentile(smooth, lo)), float(np.percentile(smooth, hi))


def kde_floor(data, x, n_samples: int = 20000, seed: int = 1) -> float:
    """JSD(p_data || KDE of ``n_samples`` samples *of the data itself*) on the grid ``x``: what the
    lesson's JSD reading gives for a perfect G. Not 0: a KDE smooths and a sample is finite, so a
    G's JSD is read against this floor."""
    _gaussian_1d(data)
    n_samples = _check.integer("n_samples", n_samples, minimum=2)
    x = np.asarray(x, dtype=np.float64)
    real = data.sample(n_samples, generator=torch.Generator().manual_seed(_check.integer("seed", seed, minimum=0)))
    return jsd_quad(x, data.density(x[:, None]), metrics.kde_1d(real.numpy().ravel(), x))


#: the levels prediction 06-smooth offers, by answer key
SMOOTHED_LEVELS = {"half": 0.5, "p45": 0.45, "p55": 0.55, "p90": 0.9}


class SmoothingRun(NamedTuple):
    """The label-smoothing experiment: the ``trainer`` after its steps, its :class:`Curves`, and
    ``settled``, the mean of D(x) over the data's support (mean +- 2 std)."""

    trainer: object
    curves: Curves
    settled: float

    @property
    def outcome(self) -> str:
        """The level of :data:`SMOOTHED_LEVELS` nearest to where D settled (06-smooth's answer)."""
        return nearest(self.settled, SMOOTHED_LEVELS)

    def __str__(self) -> str:
        return (f"mean D(x) on the data support after {self.trainer.state.step} steps with real label "
                f"{self.trainer.real_label:g}: {self.settled:.3f}")


def smoothing_run(x=None, seed: int = 0, real_label: float = 0.9, steps: int = 1000) -> SmoothingRun:
    """A fresh lesson 1D GAN (:func:`build_1d`, ``seed``) trained ``steps`` steps with one-sided label
    smoothing: the same run every time it is called, whatever else was trained before."""
    tr = build_1d(seed=seed, real_label=real_label)
    tr.run(_check.positive_int("steps", steps), progress=False)
    c = curves(tr, x=x)
    return SmoothingRun(tr, c, float(c.d[support(c.x, tr.data)].mean()))


def nearest(value: float, options: dict[str, float]) -> str:
    """The key of ``options`` whose number is closest to ``value`` (for revealing a prediction)."""
    value = _check.number("value", value)
    if not options:
        raise ValueError("options must not be empty")
    return min(options, key=lambda k: abs(options[k] - value))


# --------------------------------------------------------------------------- the bilinear game
class GamePaths(NamedTuple):
    r"""Three ways of playing :math:`\min_x \max_y\, xy` from the same start, each [steps + 1, 2]
    holding (x, y) after every step: ``flow`` (the exact gradient flow, sampled every ``lr`` of
    time), ``simultaneous`` (both step at once from the same point) and ``alternating`` (y steps
    first, then x steps against the new y: the Trainer's D step, then G step)."""

    flow: np.ndarray
    simultaneous: np.ndarray
    alternating: np.ndarray
    lr: float


def bilinear_paths(lr: float = 0.2, steps: int = 48, start=(1.0, 1.0)) -> GamePaths:
    r"""The game :math:`\min_x \max_y\, xy` played by gradient steps of size ``lr``: x descends
    :math:`\partial(xy)/\partial x = y`, y ascends :math:`\partial(xy)/\partial y = x`.

    * flow: :math:`\dot x = -y,\ \dot y = x`, solved exactly: a rotation by angle t about (0, 0);
    * simultaneous: :math:`x' = x - \eta y,\ y' = y + \eta x`, a rotation and a stretch by
      :math:`\sqrt{1 + \eta^2}` every step: an outward spiral;
    * alternating: :math:`y' = y + \eta x,\ x' = x - \eta y'`, which keeps
      :math:`x^2 + y^2 + \eta\,xy` exactly as it was (expand it): for :math:`\eta < 2` that is an
      ellipse, so the players go round and round on a closed orbit that neither grows nor shrinks."""
    lr = _check.positive("lr", lr)
    steps = _check.positive_int("steps", steps)
    try:
        x0, y0 = (float(v) for v in start)
    except (TypeError, ValueError):
        raise ValueError(f"start must be two numbers (x, y), got {start!r}") from None
    t = lr * np.arange(steps + 1)
    flow = np.column_stack([x0 * np.cos(t) - y0 * np.sin(t), x0 * np.sin(t) + y0 * np.cos(t)])
    sim, alt = np.empty((steps + 1, 2)), np.empty((steps + 1, 2))
    sim[0] = alt[0] = (x0, y0)
    for k in range(steps):
        x, y = sim[k]
        sim[k + 1] = (x - lr * y, y + lr * x)              # both from the same point
        x, y = alt[k]
        y = y + lr * x                                      # D (the maximiser) first ...
        alt[k + 1] = (x - lr * y, y)                        # ... then G against the new D
    return GamePaths(flow, sim, alt, lr)


def radius(path) -> np.ndarray:
    """Distance from the equilibrium (0, 0) at every step of a path [n, 2]."""
    p = np.asarray(path, dtype=np.float64)
    if p.ndim != 2 or p.shape[1] != 2:
        raise ValueError(f"path must be [n, 2] points (x, y), got shape {p.shape}")
    return np.hypot(p[:, 0], p[:, 1])
