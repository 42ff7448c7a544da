"""What the pictures of the 2D plane show, computed (lessons 00-05): D's probability on a
grid, G's "manifold" (where a square grid of noise lands) and fixed samples to draw.

The figures in :mod:`gan_edu.viz` draw these arrays; the explorer and the lab keep copies of
them from the moment of a step, so this module computes and never draws.
"""
from __future__ import annotations

import numpy as np
import torch

from ..models import eval_mode
from .generator import generator_output

__all__ = ["d_grid", "manifold_lines", "fixed_sample"]


@torch.no_grad()
def d_grid(trainer_or_d, extent, n: int = 64) -> np.ndarray:
    """sigmoid(D(x)) on an ``n x n`` grid over ``extent``; row i is y, column j is x
    (ready for ``imshow(origin="lower")``). Takes a Trainer (uses ``trainer.d_prob``) or a D."""
    x0, x1, y0, y1 = extent
    xs, ys = np.linspace(x0, x1, n), np.linspace(y0, y1, n)
    gx, gy = np.meshgrid(xs, ys)
    pts = torch.as_tensor(np.stack([gx.ravel(), gy.ravel()], 1), dtype=torch.float32)     # [n*n, 2]
    if hasattr(trainer_or_d, "d_prob"):
        p = trainer_or_d.d_prob(pts)
    else:
        with eval_mode(trainer_or_d) as D:
            p = torch.sigmoid(D(pts.to(next(D.parameters()).device))).cpu()
    return p.numpy().reshape(n, n)


@torch.no_grad()
def manifold_lines(G, n_lines: int = 11, z_range: float = 2.0, resolution: int = 40) -> list[np.ndarray]:
    """Where a square grid in z-space lands in data space: ``2 * n_lines`` polylines [resolution, 2].
    Uses the first two latent coordinates (the others stay 0). This is G's "manifold"."""
    if G.latent_dim < 2:
        t = torch.linspace(-z_range, z_range, resolution * 4).unsqueeze(1)
        return [generator_output(G, t).numpy()]
    ticks = torch.linspace(-z_range, z_range, n_lines)
    t = torch.linspace(-z_range, z_range, resolution)
    zs = []
    for a in ticks:
        zs.append(torch.stack([a.expand(resolution), t], 1))      # vertical line z1 = a
        zs.append(torch.stack([t, a.expand(resolution)], 1))      # horizontal line z2 = a
    z = torch.cat(zs)
    if G.latent_dim > 2:
        z = torch.cat([z, torch.zeros(z.shape[0], G.latent_dim - 2)], 1)
    out = generator_output(G, z).numpy()
    return [out[i * resolution:(i + 1) * resolution] for i in range(len(zs))]



def fixed_sample(source, n: int, seed: int) -> np.ndarray:
    """``n`` samples [n, ...] from ``source`` (a data source, or a Trainer for G's samples) drawn
    with a random stream of their own seeded by ``seed``: the same points every time they are
    drawn, and the course of training is not touched."""
    return source.sample(n, generator=torch.Generator().manual_seed(seed)).numpy()
