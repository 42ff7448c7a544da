"""Presets for the mode-collapse lesson: a ring of 8 Gaussians (radius 1, std 0.01) and a
5x5 grid (spacing 2, std 0.05).

The ring presets share one set-up -- G: an MLP with 2 hidden layers of 128 and a 16-number
noise z; D: one hidden layer of 128; batch 256; Adam(0.5, 0.999) at 2e-3, decayed linearly
to 1 % over the second half of the run -- and differ in the remedy (and in the number of
steps, so that each trains for a comparable time):

* ``ring-vanilla`` (4000 steps): the plain non-saturating GAN. Against this small D it
  collapsed on every seed we tried: G puts nearly all its samples on one mode (or parks
  them between modes) while D chases it around.
* ``ring-pacgan`` (7000): PacGAN (Lin et al. 2018), D judges 2 samples at once.
* ``ring-minibatch-std`` (4000): D gets the spread of its minibatch as a feature
  (Karras et al. 2018); a step costs about 1.5 plain ones.
* ``ring-unrolled`` (3000): G's loss is taken against D unrolled 3 updates ahead
  (Metz et al. 2017); a step costs about 2.5 plain ones.
* ``ring-wgan-gp`` (1200): Wasserstein critic with gradient penalty and 5 critic steps per
  G step (Gulrajani et al. 2017). Two changes were needed on blobs this small: a critic with
  two hidden layers, and a penalty weight of 0.1 instead of the usual 10 -- with 10 the
  critic is kept too smooth to tell apart points 0.01 apart, and G's samples stay smeared.

``grid-vanilla`` (3000) is the plain GAN on the 5x5 grid, where modes come and go.
"""
from __future__ import annotations

import torch

from .. import data, models
from ..trainer import Trainer
from .registry import Preset, linear_decay, register

__all__ = ["ring_trainer"]

STEPS = 7000
LATENT = 16
WIDTH = 128
LR = 2e-3


def ring_trainer(seed: int, dataset: str = "ring", pack: int = 1, minibatch_std: bool = False, unroll: int = 0,
                 loss: str = "non_saturating", d_steps: int = 1, lr: float = LR, betas=(0.5, 0.999),
                 steps: int = STEPS, decay_from: float = 0.5, final_factor: float = 0.01, width: int = WIDTH,
                 g_depth: int = 2, d_depth: int = 1, latent_dim: int = LATENT, batch_size: int = 256,
                 d_width: int | None = None, lr_d: float | None = None, gp_weight: float = 10.0) -> Trainer:
    """The shared set-up with one remedy switched on (see the module docstring). The networks are
    initialised under ``seed`` in a forked random state: the caller's global torch RNG is left alone."""
    source = data.ring() if dataset == "ring" else data.grid()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        G = models.MLPGenerator(latent_dim=latent_dim, out_dim=2, hidden=width, depth=g_depth)
        D = models.MLPDiscriminator(in_dim=2 * pack, hidden=d_width or width, depth=d_depth, minibatch_std=minibatch_std)
    tr = Trainer(G, D, source, loss=loss, batch_size=batch_size, lr_g=lr, lr_d=lr_d or lr, betas=betas, d_steps=d_steps,
                 seed=seed, pack=pack, unroll=unroll, gp_weight=gp_weight)
    linear_decay(tr, start=int(decay_from * steps), end=steps, final_factor=final_factor)
    return tr


def _register(name: str, description: str, steps: int = STEPS, tags=("ring", "mode-collapse"), **kw) -> None:
    register(Preset(name, description, steps, lambda seed: ring_trainer(seed, steps=steps, **kw), tags))


_register("ring-vanilla", "plain non-saturating GAN on the 8-Gaussian ring: collapses into one clump that travels round the ring",
          steps=4000)
_register("ring-pacgan", "PacGAN: D sees 2 samples at a time", pack=2)
_register("ring-minibatch-std", "D gets a minibatch standard-deviation feature", steps=4000, minibatch_std=True)
_register("ring-unrolled", "look-ahead D (first-order unrolling): G's loss is taken against D 3 updates ahead", steps=3000, unroll=3)
_register("ring-wgan-gp", "WGAN-GP: Wasserstein critic (2 hidden layers) with a light gradient penalty, 5 critic steps",
          steps=1200, loss="wgan_gp", d_steps=5, d_depth=2, betas=(0.5, 0.9), gp_weight=0.1)
_register("grid-vanilla", "plain non-saturating GAN on the 5x5 grid: modes come and go", steps=3000,
          tags=("grid", "mode-collapse"), dataset="grid")
