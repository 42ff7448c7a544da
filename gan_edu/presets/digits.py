"""Presets for the image lessons (8x8 digits).

``digits-dcgan`` -- the DCGAN of lesson 07 on scikit-learn's 8x8 digits, tuned to reach at least
9 of the 10 digit classes with at least 80 % of its samples classified confidently (by
:mod:`gan_edu.lessons.classifier`) in about a minute of training on one CPU thread. :func:`dcgan` builds
the same set-up on any image set (e.g. MNIST), from the data's shape.
"""
from __future__ import annotations

import torch

from .. import _check, models
from .. import data as data_mod
from ..trainer import Trainer
from .registry import Preset, linear_decay, register

__all__ = ["DCGAN", "DCGAN_STEPS", "dcgan"]

#: the tuned settings of ``digits-dcgan`` (see the tuning table in lesson 07's notes)
DCGAN = dict(latent_dim=16, features=32, batch_size=64, lr=2e-3, betas=(0.5, 0.999), decay_start=1000,
             decay_factor=0.1)
#: how many steps ``digits-dcgan`` trains for
DCGAN_STEPS = 2000


def dcgan(data: data_mod.ImageSet | None = None, seed: int = 0, steps: int = DCGAN_STEPS) -> Trainer:
    """A DCGAN Trainer on ``data`` (default: the 8x8 digits) with the settings of ``digits-dcgan``:
    G and D are built from ``data.shape`` under ``seed`` (the caller's random state is left alone),
    Adam with ``DCGAN["lr"]`` for both, and a linear learning-rate decay from step
    ``decay_start`` to ``steps``."""
    data = data_mod.digits() if data is None else data
    if not isinstance(data, data_mod.ImageSet):
        raise TypeError(f"data must be an image set (e.g. ge.data.digits() or ge.data.mnist(root)), got {type(data).__name__}")
    seed = _check.integer("seed", seed, minimum=0)
    steps = _check.integer("steps", steps, minimum=DCGAN["decay_start"] + 1)
    c, h, w = data.shape
    if h != w:
        raise ValueError(f"the DCGAN preset needs square images, got {h}x{w}")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        G = models.DCGenerator(latent_dim=DCGAN["latent_dim"], image_size=h, channels=c, features=DCGAN["features"])
        D = models.DCDiscriminator(image_size=h, channels=c, features=DCGAN["features"])
    tr = Trainer(G, D, data, batch_size=DCGAN["batch_size"], lr_g=DCGAN["lr"], lr_d=DCGAN["lr"], betas=DCGAN["betas"],
                 seed=seed)
    linear_decay(tr, DCGAN["decay_start"], steps, DCGAN["decay_factor"])
    return tr


register(Preset(
    name="digits-dcgan",
    description="DCGAN on the 8x8 digits (latent 16, 32 features, batch 64, Adam 2e-3, linear lr decay): "
                ">= 9 of 10 classes, >= 80 % of samples confidently classified, in about a minute on one CPU thread",
    steps=DCGAN_STEPS,
    make=lambda seed: dcgan(seed=seed),
    tags=("images", "digits", "lesson07"),
))
