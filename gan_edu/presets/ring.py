"""Presets for the mode-collapse lesson: a ring of 8 Gaussians (radius 1, std 0.01) and a
5x5 grid (spacing 2, std 0.05).

All ring presets share one architecture -- MLPs of width 128 and depth 2, a 16-number
noise z, batch 256, Adam(0.5, 0.999) at 1e-3 decayed linearly to 1 % over the second
half -- and differ only in the remedy, so a side-by-side comparison isolates it:

* ``ring-vanilla``: the plain non-saturating GAN. With this set-up it collapses: G puts
  nearly all its samples on one or two modes and D chases it around.
* ``ring-pacgan``: PacGAN (Lin et al. 2018), D judges 2 samples at once.
* ``ring-minibatch-std``: D gets the spread of its minibatch as a feature (Karras et al. 2018).
* ``ring-unrolled``: G's loss is taken against D unrolled 5 steps ahead (Metz et al. 2017).
* ``ring-wgan-gp``: Wasserstein loss with gradient penalty, 5 critic steps (Gulrajani et al. 2017).

``grid-vanilla`` and ``grid-pacgan`` do the same on the 5x5 grid.
"""
from __future__ import annotations

import torch

from .. import data, models
from ..trainer import Trainer
from . import Preset, linear_decay, register

__all__ = ["ring_trainer"]

STEPS = 4000
LATENT = 16
WIDTH = 128


def ring_trainer(seed: int, dataset: str = "ring", pack: int = 1, minibatch_std: bool = False, unroll: int = 0,
                 loss: str = "non_saturating", d_steps: int = 1, lr: float = 1e-3, betas=(0.5, 0.999),
                 steps: int = STEPS, decay_from: float = 0.5, final_factor: float = 0.01, width: int = WIDTH,
                 g_depth: int = 2, d_depth: int = 2, latent_dim: int = LATENT, batch_size: int = 256,
                 d_width: int | None = None, lr_d: float | None = None) -> Trainer:
    """The shared set-up with one remedy switched on (see the module docstring)."""
    torch.manual_seed(seed)
    source = data.ring() if dataset == "ring" else data.grid()
    G = models.MLPGenerator(latent_dim=latent_dim, out_dim=2, hidden=width, depth=g_depth)
    D = models.MLPDiscriminator(in_dim=2 * pack, hidden=d_width or width, depth=d_depth, minibatch_std=minibatch_std)
    tr = Trainer(G, D, source, loss=loss, batch_size=batch_size, lr_g=lr, lr_d=lr_d or lr, betas=betas, d_steps=d_steps,
                 seed=seed, pack=pack, unroll=unroll)
    linear_decay(tr, start=int(decay_from * steps), end=steps, final_factor=final_factor)
    return tr


def _register(name: str, description: str, steps: int = STEPS, tags=("ring", "mode-collapse"), **kw) -> None:
    register(Preset(name, description, steps, lambda seed: ring_trainer(seed, steps=steps, **kw), tags))


_register("ring-vanilla", "plain non-saturating GAN on the 8-Gaussian ring: collapses onto a few modes")
_register("ring-pacgan", "PacGAN: D sees 2 samples at a time", pack=2)
_register("ring-minibatch-std", "D gets a minibatch standard-deviation feature", minibatch_std=True)
_register("ring-unrolled", "unrolled GAN: G plays against D 5 updates ahead", unroll=5)
_register("ring-wgan-gp", "WGAN-GP: Wasserstein critic with gradient penalty, 5 critic steps",
          loss="wgan_gp", d_steps=5, lr=3e-4, betas=(0.5, 0.9))
_register("grid-vanilla", "plain non-saturating GAN on the 5x5 grid", tags=("grid", "mode-collapse"), dataset="grid")
_register("grid-pacgan", "PacGAN on the 5x5 grid", tags=("grid", "mode-collapse"), dataset="grid", pack=2)
