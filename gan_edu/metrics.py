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
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().double().numpy()
    return np.asarray(x, dtype=np.float64)


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
    x, c = _to_numpy(samples), _to_numpy(centers)
    if x.ndim != 2 or c.ndim != 2 or x.shape[1] != c.shape[1]:
        raise ValueError(f"samples [N, d] and centers [K, d] must share d; got shapes {x.shape} and {c.shape}")
    if x.shape[0] == 0:
        raise ValueError("samples must contain at least one sample")
    std = _check.positive("std", std)
    n_std = _check.positive("n_std", n_std)
    d2 = ((x[:, None, :] - c[None, :, :]) ** 2).sum(-1)                  # [N, K]
    nearest = d2.argmin(1)
    hq = np.sqrt(d2[np.arange(len(x)), nearest]) <= n_std * std
    counts = np.bincount(nearest[hq], minlength=len(c))
    return ModeCoverage(int((counts > 0).sum()), float(hq.mean()), counts)


def kl_divergence(p, q, eps: float = 1e-10) -> float:
    r""":math:`KL(p \| q) = \sum_i p_i \log(p_i / q_i)` for two discretised distributions
    (any shape; each is normalised to sum 1; ``eps`` keeps empty cells of q finite)."""
    p, q = _to_numpy(p).ravel(), _to_numpy(q).ravel()
    if p.shape != q.shape:
        raise ValueError(f"p and q must have the same number of cells, got {p.size} and {q.size}")
    if (p < 0).any() or (q < 0).any() or p.sum() <= 0 or q.sum() <= 0:
        raise ValueError("p and q must be non-negative with a positive sum")
    p, q = p / p.sum(), q / q.sum()
    q = (q + eps) / (1 + eps * q.size)
    m = p > 0
    return float(np.sum(p[m] * np.log(p[m] / q[m])))


def js_divergence(p, q) -> float:
    r""":math:`JSD(p \| q) = \tfrac12 KL(p \| m) + \tfrac12 KL(q \| m)`, :math:`m = (p+q)/2`,
    for two discretised distributions. Symmetric, between 0 and log 2."""
    p, q = _to_numpy(p).ravel(), _to_numpy(q).ravel()
    if p.shape != q.shape:
        raise ValueError(f"p and q must have the same number of cells, got {p.size} and {q.size}")
    p, q = p / p.sum(), q / q.sum()
    m = 0.5 * (p + q)
    return 0.5 * kl_divergence(p, m, eps=0) + 0.5 * kl_divergence(q, m, eps=0)




def grid_probabilities(source, bins: int = 60, range=((-2.0, 2.0), (-2.0, 2.0)), method: str = "hist",
                       bandwidth: float | None = None) -> np.ndarray:
    """Probability mass per cell of a ``bins x bins`` grid over ``range``, from samples [N, 2]
    (``method="hist"`` or ``"kde"``: a histogram smoothed by a Gaussian of ``bandwidth``,
    Scott's rule by default) or from a density function evaluated at the cell centres."""
    bins = _check.positive_int("bins", bins)
    _check.one_of("method", method, ("hist", "kde"))
    (x0, x1), (y0, y1) = range
    if callable(source):
        xs = np.linspace(x0, x1, bins + 1)
        ys = np.linspace(y0, y1, bins + 1)
        cx, cy = 0.5 * (xs[1:] + xs[:-1]), 0.5 * (ys[1:] + ys[:-1])
        gx, gy = np.meshgrid(cx, cy, indexing="ij")
        dens = _to_numpy(source(torch.as_tensor(np.stack([gx, gy], -1))))
        return dens / dens.sum() if dens.sum() > 0 else dens
    x = _to_numpy(source)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"samples must have shape [N, 2], got {x.shape}")
    h, _, _ = np.histogram2d(x[:, 0], x[:, 1], bins=bins, range=[[x0, x1], [y0, y1]])
    if method == "kde":
        from scipy.ndimage import gaussian_filter

        if bandwidth is None:   # Scott's rule, per axis, averaged
            bandwidth = float(np.mean(x.std(0))) * len(x) ** (-1 / 6)
        cell = ((x1 - x0) / bins + (y1 - y0) / bins) / 2
        h = gaussian_filter(h, sigma=max(bandwidth / cell, 1e-6), mode="constant")
    total = h.sum()
    return h / total if total > 0 else h


def _grid_pair(p, q, bins, range, method, bandwidth):
    if range is None:
        pts = [_to_numpy(s) for s in (p, q) if not callable(s)]
        if not pts:
            raise ValueError("range is needed when both p and q are density functions")
        allp = np.concatenate(pts)
        lo, hi = allp.min(0), allp.max(0)
        pad = 0.1 * (hi - lo) + 1e-3
        range = ((lo[0] - pad[0], hi[0] + pad[0]), (lo[1] - pad[1], hi[1] + pad[1]))
    return (grid_probabilities(p, bins, range, method, bandwidth),
            grid_probabilities(q, bins, range, method, bandwidth))


def js_divergence_2d(p, q, bins: int = 60, range=None, method: str = "hist", bandwidth: float | None = None) -> float:
    """JSD (nats) between two 2D distributions on a ``bins x bins`` grid; ``p`` and ``q`` are
    samples [N, 2] or density functions. ``range`` defaults to the samples' extent plus 10 %."""
    return js_divergence(*_grid_pair(p, q, bins, range, method, bandwidth))


def optimal_discriminator(p_data, p_g):
    r"""The best possible discriminator for a fixed G (Goodfellow et al. 2014, Prop. 1):

    .. math::  D^*(x) = \frac{p_{data}(x)}{p_{data}(x) + p_g(x)}

    from density values (arrays or tensors of the same shape). Where both densities are 0,
    D* is not determined (it does not change V); 0.5 is returned there.
    """
    is_torch = isinstance(p_data, torch.Tensor)
    p, q = _to_numpy(p_data), _to_numpy(p_g)
    if p.shape != q.shape:
        raise ValueError(f"p_data and p_g must have the same shape, got {p.shape} and {q.shape}")
    if (p < 0).any() or (q < 0).any():
        raise ValueError("p_data and p_g are densities and must be >= 0")
    total = p + q
    out = np.divide(p, total, out=np.full_like(p, 0.5), where=total > 0)
    return torch.as_tensor(out) if is_torch else out


def kde_1d(samples, x, bandwidth: float | None = None) -> np.ndarray:
    """Gaussian kernel density estimate of 1D ``samples`` evaluated at points ``x``
    (bandwidth by Silverman's rule unless given)."""
    s = _to_numpy(samples).ravel()
    x = _to_numpy(x).ravel()
    if s.size < 2:
        raise ValueError("kde_1d needs at least 2 samples")
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
    (not logits) of D on real and on fake samples."""
    r, f = _to_numpy(d_real), _to_numpy(d_fake)
    return float(np.mean(np.log(np.clip(r, eps, 1))) + np.mean(np.log(np.clip(1 - f, eps, 1))))
