r"""Numbers that say how close the generator is to the data.

* :func:`mode_coverage` -- for Gaussian mixtures: how many modes G reaches and what
  share of its samples land near a mode (the VEEGAN / PacGAN protocol).
* :func:`js_divergence_2d` -- the divergence between two 2D
  distributions estimated on a grid (histogram or kernel density estimate).
  Either side may be samples ``[N, 2]`` or a density function (``data.density``).
* :func:`optimal_discriminator` -- :math:`D^*(x) = p_{data}(x) / (p_{data}(x) + p_g(x))`.
* :func:`js_divergence`, :func:`kl_divergence` -- on discretised distributions.

Divergences are in nats (natural log): JSD is between 0 and :math:`\log 2 \approx 0.693`.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch

from . import _check

__all__ = ["ModeCoverage", "mode_coverage", "js_divergence", "kl_divergence", "js_divergence_2d",
           "grid_probabilities", "optimal_discriminator", "kde_1d", "value_function"]


def _to_numpy(x) -> np.ndarray:
    """``x`` as a float64 array, unchecked (lessons/equilibrium.py's quadrature uses it)."""
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().double().numpy()
    return np.asarray(x, dtype=np.float64)


#: what a NaN in generator samples means, said where samples are measured
G_NAN = " -- G produced NaN samples (training diverged): there is nothing to measure"


def _samples(name: str, x) -> np.ndarray:
    """Samples as an array; NaN/inf is refused and put down to G (samples are what G makes)."""
    return _check.array(name, x, hint=G_NAN)


def _distribution(name: str, p) -> np.ndarray:
    """A discretised distribution: finite, non-negative numbers with a positive sum (flattened)."""
    p = _check.array(name, p).ravel()
    if (p < 0).any():
        raise ValueError(f"{name} must be non-negative (a histogram or probabilities), got a value {p.min():g}")
    if p.sum() <= 0:
        raise ValueError(f"{name} must have a positive sum, got all zeros")
    return p


def _probabilities(name: str, d) -> np.ndarray:
    d = _check.array(name, d)
    if d.min() < 0 or d.max() > 1:
        raise ValueError(f"{name} must be probabilities in [0, 1] (D's output after the sigmoid), got values from "
                         f"{d.min():g} to {d.max():g}; for logits pass torch.sigmoid(logits)")
    return d


class ModeCoverage(NamedTuple):
    modes: int             #: how many centres are the nearest centre of >= 1 high-quality sample
    hq_fraction: float     #: share of samples within n_std standard deviations of their nearest centre
    counts: np.ndarray     #: high-quality samples per centre


def mode_coverage(samples, centers, std: float, n_std: float = 3.0) -> ModeCoverage:
    """Mode coverage of ``samples`` [N, d] against mixture ``centers`` [K, d] with component ``std``.

    A sample is *high quality* if it lies within ``n_std * std`` (Euclidean) of its nearest
    centre; a mode is *captured* if it is the nearest centre of at least one high-quality
    sample (Srivastava et al. 2017, VEEGAN; Lin et al. 2018, PacGAN).
    Returns ``ModeCoverage(modes, hq_fraction, counts)`` -- a tuple, so
    ``modes, hq, counts = mode_coverage(...)`` works.
    """
    x, c = _samples("samples", samples), _check.array("centers", centers)
    if x.ndim != 2 or c.ndim != 2 or x.shape[1] != c.shape[1]:
        raise ValueError(f"samples [N, d] and centers [K, d] must share d; got shapes {x.shape} and {c.shape}")
    std = _check.positive("std", std)
    n_std = _check.positive("n_std", n_std)
    nearest = np.empty(len(x), dtype=np.int64)
    dist2 = np.empty(len(x))
    rows = max(1, 2 ** 22 // c.size)                     # chunks of rows keep [rows, K, d] near 32 MB
    for i in range(0, len(x), rows):
        d2 = ((x[i:i + rows, None, :] - c[None, :, :]) ** 2).sum(-1)     # [rows, K]
        nearest[i:i + rows] = d2.argmin(1)
        dist2[i:i + rows] = d2[np.arange(len(d2)), nearest[i:i + rows]]
    hq = np.sqrt(dist2) <= n_std * std
    counts = np.bincount(nearest[hq], minlength=len(c))
    return ModeCoverage(int((counts > 0).sum()), float(hq.mean()), counts)


def kl_divergence(p, q, eps: float = 1e-10) -> float:
    r""":math:`KL(p \| q) = \sum_i p_i \log(p_i / q_i)` for two discretised distributions
    (any shape; each is normalised to sum 1; ``eps`` keeps empty cells of q finite)."""
    p, q = _distribution("p", p), _distribution("q", q)
    if p.shape != q.shape:
        raise ValueError(f"p and q must have the same number of cells, got {p.size} and {q.size}")
    eps = _check.number("eps", eps, minimum=0.0)
    p, q = p / p.sum(), q / q.sum()
    q = (q + eps) / (1 + eps * q.size)
    m = p > 0
    with np.errstate(divide="ignore"):                   # eps=0 and q_i = 0 < p_i: KL is +inf, as in the maths
        return float(np.sum(p[m] * np.log(p[m] / q[m])))


def js_divergence(p, q) -> float:
    r""":math:`JSD(p \| q) = \tfrac12 KL(p \| m) + \tfrac12 KL(q \| m)`, :math:`m = (p+q)/2`,
    for two discretised distributions. Symmetric, between 0 and log 2."""
    p, q = _distribution("p", p), _distribution("q", q)
    if p.shape != q.shape:
        raise ValueError(f"p and q must have the same number of cells, got {p.size} and {q.size}")
    p, q = p / p.sum(), q / q.sum()
    m = 0.5 * (p + q)
    return 0.5 * kl_divergence(p, m, eps=0) + 0.5 * kl_divergence(q, m, eps=0)


#: the finest grid the 2D divergences use (bins x bins cells)
MAX_BINS = 2000


def _box(range) -> tuple[tuple[float, float], tuple[float, float]]:
    """``((x0, x1), (y0, y1))`` with finite numbers and x0 < x1, y0 < y1."""
    try:
        (x0, x1), (y0, y1) = range
        box = tuple((_check.number("range", a), _check.number("range", b)) for a, b in ((x0, x1), (y0, y1)))
    except (TypeError, ValueError):
        raise ValueError(f"range must be ((xmin, xmax), (ymin, ymax)) with finite numbers, got {range!r}") from None
    if not (box[0][0] < box[0][1] and box[1][0] < box[1][1]):
        raise ValueError(f"range must be ((xmin, xmax), (ymin, ymax)) with min < max, got {range!r}")
    return box


def grid_probabilities(source, bins: int = 60, range=((-2.0, 2.0), (-2.0, 2.0)), method: str = "hist",
                       bandwidth: float | None = None) -> np.ndarray:
    """Probability mass per cell of a ``bins x bins`` grid over ``range``, from samples [N, 2]
    (``method="hist"`` or ``"kde"``: a histogram smoothed by a Gaussian of ``bandwidth``,
    Scott's rule by default) or from a density function evaluated at the cell centres
    (``method`` and ``bandwidth`` apply to samples only). Samples outside ``range`` are left out."""
    grid, inside = _grid(source, "samples", bins, range, method, bandwidth)
    if inside == 0:
        raise ValueError(f"none of the samples lies inside range {range!r}; widen the range")
    return grid


def _grid(source, name: str, bins, range, method, bandwidth) -> tuple[np.ndarray, float]:
    """(mass per cell of the grid, normalised to 1 -- zeros if nothing is inside; the share of the
    samples inside ``range``, 1 for a density function)."""
    bins = _check.integer("bins", bins, minimum=1, maximum=MAX_BINS)
    _check.one_of("method", method, ("hist", "kde"))
    if bandwidth is not None:
        if method != "kde":
            raise ValueError(f"bandwidth={bandwidth!r} only applies to method='kde', not {method!r}")
        bandwidth = _check.positive("bandwidth", bandwidth)
    (x0, x1), (y0, y1) = _box(range)
    if callable(source):
        return _density_grid(source, bins, ((x0, x1), (y0, y1))), 1.0
    x = _samples(name, source)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"{name} must be samples of shape [N, 2], got {x.shape}")
    h, _, _ = np.histogram2d(x[:, 0], x[:, 1], bins=bins, range=[[x0, x1], [y0, y1]])
    inside = float(h.sum()) / len(x)
    if inside == 0:
        return h, 0.0
    if method == "kde":
        from scipy.ndimage import gaussian_filter

        if bandwidth is None:   # Scott's rule, per axis, averaged (0 for samples all at one point: no smoothing)
            bandwidth = float(np.mean(x.std(0))) * len(x) ** (-1 / 6)
        cell = ((x1 - x0) / bins + (y1 - y0) / bins) / 2
        h = gaussian_filter(h, sigma=max(bandwidth / cell, 1e-6), mode="constant")
    return h / h.sum(), inside


def _density_grid(density, bins: int, box) -> np.ndarray:
    """A density function at the ``bins x bins`` cell centres of ``box``, normalised to sum 1."""
    (x0, x1), (y0, y1) = box
    xs, ys = np.linspace(x0, x1, bins + 1), np.linspace(y0, y1, bins + 1)
    gx, gy = np.meshgrid(0.5 * (xs[1:] + xs[:-1]), 0.5 * (ys[1:] + ys[:-1]), indexing="ij")
    dens = _check.array("the density function's values", density(torch.as_tensor(np.stack([gx, gy], -1))))
    if dens.shape != (bins, bins):
        raise ValueError(f"the density function must return one value per point (shape {(bins, bins)}), "
                         f"got shape {dens.shape}")
    if (dens < 0).any():
        raise ValueError(f"the density function returned a negative value ({dens.min():g})")
    if dens.sum() <= 0:
        raise ValueError(f"the density function is 0 everywhere on range {box}; widen the range")
    return dens / dens.sum()


def js_divergence_2d(p, q, bins: int = 60, range=None, method: str = "hist", bandwidth: float | None = None) -> float:
    """JSD (nats) between two 2D distributions on a ``bins x bins`` grid; ``p`` and ``q`` are
    samples [N, 2] or density functions. ``range`` defaults to the samples' extent plus 10 %.

    Samples outside ``range`` count as one more cell ("elsewhere"), so a G that puts most of its
    samples off the grid is far from the data, as it should be, instead of being judged by the few
    that land on it. A density function is taken to have its mass on the grid."""
    p, q = (s if callable(s) else _samples(name, s) for name, s in (("p", p), ("q", q)))
    if range is None:
        pts = [s for s in (p, q) if not callable(s)]
        if not pts:
            raise ValueError("range is needed when both p and q are density functions")
        for name, s in zip("pq", (p, q)):
            if not callable(s) and (s.ndim != 2 or s.shape[1] != 2):
                raise ValueError(f"{name} must be samples of shape [N, 2] or a density function, got shape {s.shape}")
        allp = np.concatenate(pts)
        lo, hi = allp.min(0), allp.max(0)
        pad = 0.1 * (hi - lo) + 1e-3
        range = ((lo[0] - pad[0], hi[0] + pad[0]), (lo[1] - pad[1], hi[1] + pad[1]))
    cells = []
    for name, s in (("p", p), ("q", q)):
        grid, inside = _grid(s, name, bins, range, method, bandwidth)
        cells.append(np.append(grid.ravel() * inside, 1.0 - inside))          # [bins * bins + 1]
    return js_divergence(*cells)


def optimal_discriminator(p_data, p_g):
    r"""The best possible discriminator for a fixed G (Goodfellow et al. 2014, Prop. 1):

    .. math::  D^*(x) = \frac{p_{data}(x)}{p_{data}(x) + p_g(x)}

    from density values (arrays or tensors of the same shape). Where both densities are 0,
    D* is not determined (it does not change V); 0.5 is returned there.
    """
    is_torch = isinstance(p_data, torch.Tensor)
    p = _check.array("p_data", p_data, allow_empty=True)
    q = _check.array("p_g", p_g, allow_empty=True)
    if p.shape != q.shape:
        raise ValueError(f"p_data and p_g must have the same shape, got {p.shape} and {q.shape}")
    if (p < 0).any() or (q < 0).any():
        raise ValueError("p_data and p_g are densities and must be >= 0")
    total = p + q
    out = np.divide(p, total, out=np.full_like(p, 0.5), where=total > 0)
    return torch.as_tensor(out) if is_torch else out


def kde_1d(samples, x, bandwidth: float | None = None) -> np.ndarray:
    """Gaussian kernel density estimate of 1D ``samples`` ([N] or [N, 1]) evaluated at points
    ``x`` ([M] or [M, 1]); returns [M]. Bandwidth by Silverman's rule unless given."""
    s, x = _samples("samples", samples), _check.array("x", x, allow_empty=True)
    for name, a in (("samples", s), ("x", x)):
        if a.ndim > 2 or (a.ndim == 2 and a.shape[1] != 1):
            raise ValueError(f"{name} must be 1D ([N] or [N, 1]) for a density on a line, got shape {a.shape}")
    s, x = s.ravel(), x.ravel()
    if s.size < 2:
        raise ValueError(f"kde_1d needs at least 2 samples, got {s.size}")
    if bandwidth is None:
        iqr = np.subtract(*np.percentile(s, [75, 25]))
        spread = min(s.std(), iqr / 1.349) if iqr > 0 else s.std()
        bandwidth = 0.9 * max(spread, 1e-3) * s.size ** (-0.2)
    bandwidth = _check.positive("bandwidth", bandwidth)
    out = np.zeros_like(x)
    for i in np.arange(0, s.size, 4096):                       # chunks keep memory small
        u = (x[:, None] - s[None, i:i + 4096]) / bandwidth
        out += np.exp(-0.5 * u ** 2).sum(1)
    return out / (s.size * bandwidth * np.sqrt(2 * np.pi))


def value_function(d_real, d_fake, eps: float = 1e-12) -> float:
    r""":math:`V(D, G) = E_x \log D(x) + E_z \log(1 - D(G(z)))` from probabilities
    (not logits) of D on real and on fake samples; ``eps`` keeps the logs finite at 0 and 1."""
    r, f = _probabilities("d_real", d_real), _probabilities("d_fake", d_fake)
    eps = _check.number("eps", eps, minimum=0.0, strict_min=True, maximum=0.5)
    return float(np.mean(np.log(np.clip(r, eps, 1))) + np.mean(np.log(np.clip(1 - f, eps, 1))))


def trapezoid(y, x) -> float:
    r""":math:`\int y\,dx` by the trapezoid rule on the 1D grid ``x`` (strictly increasing, at
    least 2 points; exact for piecewise linear ``y``): the quadrature of lesson 06's
    divergences and value function (:mod:`gan_edu.lessons.equilibrium`)."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1 or x.size < 2:
        raise ValueError(f"x must be a 1D grid of at least 2 points, got shape {x.shape}")
    if not np.all(np.diff(x) > 0):
        raise ValueError("x must be strictly increasing")
    y = _to_numpy(y).ravel()
    if y.shape != x.shape:
        raise ValueError(f"y must have one value per grid point ({x.size}), got {y.size}")
    if not np.all(np.isfinite(y)):
        raise ValueError("y must be finite numbers")
    return float(np.sum(0.5 * (y[1:] + y[:-1]) * np.diff(x)))
