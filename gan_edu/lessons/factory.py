"""The lessons' tiny GANs, built by one seeded factory.

Every lesson that needs a small 2D or 1D GAN of its own (the explorer of lesson 00, the
clinic and the stall experiment of lesson 03, the training lab of lesson 04, the 1D GAN of
lesson 06) builds it here, seeded ONE way:

* the initial weights come from ``torch.manual_seed(seed)`` set inside
  ``torch.random.fork_rng``: G is built first, then D, so a seed always gives the same two
  networks, and the caller's random state is left exactly as it was (a lesson cell that
  builds a GAN does not change the random numbers of the cells after it);
* the trainer's own random stream (noise, real batches) is seeded with the same ``seed``.

    G, D = networks(seed=0, hidden=16, depth=1)              # just the two networks
    tr = tiny_gan(seed=0, data=ge.data.ring(), hidden=64)    # the networks in a Trainer

:func:`progress_reporter` is the one way a lesson's longer training reports to a progress bar
(lessons 09 and 10).
"""
from __future__ import annotations

import torch

from .. import _check
from .. import data as data_mod
from .. import models as models_mod
from ..trainer import Trainer

__all__ = ["networks", "tiny_gan", "progress_reporter"]


def networks(seed: int = 0, dim: int = 2, latent_dim: int = 2, hidden: int = 64, depth: int = 2,
             g_depth: int | None = None, g_activation: str = "relu", noise: str = "normal", g_hidden: int | None = None):
    """A seeded MLP generator ``G`` (z [N, latent_dim] -> x [N, dim]) and discriminator ``D``
    (x [N, dim] -> logits [N]), both ``hidden`` wide with ``depth`` hidden layers (``g_hidden``
    and ``g_depth`` for G if given). The global random state is not changed. Returns ``(G, D)``."""
    seed = _check.integer("seed", seed, minimum=0)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        G = models_mod.MLPGenerator(latent_dim=latent_dim, out_dim=dim, hidden=hidden if g_hidden is None else g_hidden,
                                    depth=depth if g_depth is None else g_depth, activation=g_activation, noise=noise)
        D = models_mod.MLPDiscriminator(in_dim=dim, hidden=hidden, depth=depth)
    return G, D


def tiny_gan(seed: int = 0, data=None, *, latent_dim: int = 2, hidden: int = 64, depth: int = 2,
             g_depth: int | None = None, g_activation: str = "relu", noise: str = "normal", device="cpu",
             g_hidden: int | None = None, **settings) -> Trainer:
    """A :class:`~gan_edu.Trainer` of :func:`networks` on ``data`` (default ``ge.data.ring()``),
    seeded with ``seed``; ``settings`` go to the Trainer (``loss``, ``batch_size``, ``lr_d`` ...).
    On the CPU by default: these networks are too small to gain from a GPU."""
    data = data_mod.ring() if data is None else data
    if not isinstance(data, data_mod.DataSource) or len(data.shape) != 1:
        raise TypeError(f"data must be a gan_edu.data source of points (e.g. ge.data.ring()), got {data!r}")
    G, D = networks(seed, data.shape[0], latent_dim, hidden, depth, g_depth, g_activation, noise, g_hidden)
    return Trainer(G, D, data, seed=seed, device=device, **settings)


def progress_reporter(on_progress, every: int, steps: int):
    """A step_end handler calling ``on_progress(trainer, steps)`` (a progress bar's update) every ``every``
    steps and at step ``steps``; it does nothing when ``on_progress`` is None."""
    every = _check.positive_int("every", every)
    if on_progress is not None and not callable(on_progress):
        raise TypeError(f"on_progress must be a function (trainer, steps) or None, got {type(on_progress).__name__}")

    def progress(t: Trainer) -> None:
        if on_progress is not None and (t.state.step % every == 0 or t.state.step == steps):
            on_progress(t, steps)

    return progress
