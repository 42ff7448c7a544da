"""Presets for the image lessons (8x8 digits).

``digits-dcgan`` -- the DCGAN of lesson 07 on scikit-learn's 8x8 digits, tuned to reach at least
9 of the 10 digit classes with at least 80 % of its samples classified confidently (by
:mod:`gan_edu.lessons.classifier`) in about a minute of training on one CPU thread. :func:`dcgan` builds
the same set-up on any image set (e.g. MNIST), from the data's shape.

``digits-conditional`` -- the same DCGAN made class-conditional (lesson 09):
:class:`~gan_edu.models.ConditionalDCGenerator` (one-hot label into G) against
:class:`~gan_edu.models.ConditionalDCDiscriminator` (projection D), with a moving average of G's
weights (``ema``); ``trainer.sample(n, labels=...)`` draws the digits asked for.
:func:`conditional_dcgan` builds it on any labelled image set.

``digits-selfcond`` -- an *unconditional* generator of digits that is classified about as
confidently as real digits: the conditional networks trained on k-means clusters of the pixels
(:func:`gan_edu.data.clustered`, 30 clusters) instead of the real labels, which it never reads: a
"self-conditioned" GAN (Liu et al. 2020). A continuous z must pass through in-between shapes to
get from one digit to another (lesson 07's latent walk); a cluster index lets G jump instead. Draw
the data's mix of clusters with ``tr.sample(n, labels=tr.data.draw_labels(n))``.
:func:`self_conditioned_dcgan` builds it on any image set.
"""
from __future__ import annotations

import torch

from .. import _check, models
from .. import data as data_mod
from ..trainer import Trainer
from .registry import Preset, linear_decay, register

__all__ = ["DCGAN", "DCGAN_STEPS", "CONDITIONAL_EMA", "SELF_CLUSTERS", "dcgan", "conditional_dcgan",
           "self_conditioned_dcgan"]

#: the tuned settings of ``digits-dcgan`` (see the tuning table in lesson 07's notes)
DCGAN = dict(latent_dim=16, features=32, batch_size=64, lr=2e-3, betas=(0.5, 0.999), decay_start=1000,
             decay_factor=0.1)
#: how many steps ``digits-dcgan`` (and ``digits-conditional``) train for
DCGAN_STEPS = 2000
#: the decay of ``digits-conditional``'s moving average of G (see docs/BENCHMARKS.md, digits quality)
CONDITIONAL_EMA = 0.999
#: how many k-means clusters ``digits-selfcond`` conditions on (see docs/BENCHMARKS.md, digits quality)
SELF_CLUSTERS = 30


def dcgan(data: data_mod.ImageSet | None = None, seed: int = 0, steps: int = DCGAN_STEPS, ema: float = 0.0,
          conditional: bool = False) -> Trainer:
    """A DCGAN Trainer on ``data`` (default: the 8x8 digits) with the settings of ``digits-dcgan``:
    G and D are built from ``data.shape`` under ``seed`` (the caller's random state is left alone),
    Adam with ``DCGAN["lr"]`` for both, and a linear learning-rate decay from step
    ``decay_start`` to ``steps``. ``ema`` > 0 keeps a moving average of G (``trainer.G_ema``, what
    ``sample()`` draws from); ``conditional=True`` builds the class-conditional networks instead."""
    data = data_mod.digits() if data is None else data
    if not isinstance(data, data_mod.ImageSet):
        raise TypeError(f"data must be an image set (e.g. ge.data.digits() or ge.data.mnist(root)), got {type(data).__name__}")
    seed = _check.integer("seed", seed, minimum=0)
    steps = _check.integer("steps", steps, minimum=DCGAN["decay_start"] + 1)
    c, h, w = data.shape
    if h != w:
        raise ValueError(f"the DCGAN preset needs square images, got {h}x{w}")
    size = dict(image_size=h, channels=c, features=DCGAN["features"])
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        if _check.boolean("conditional", conditional):
            k = len(data.classes)
            G = models.ConditionalDCGenerator(latent_dim=DCGAN["latent_dim"], n_classes=k, **size)
            D = models.ConditionalDCDiscriminator(n_classes=k, **size)
        else:
            G, D = models.DCGenerator(latent_dim=DCGAN["latent_dim"], **size), models.DCDiscriminator(**size)
    tr = Trainer(G, D, data, batch_size=DCGAN["batch_size"], lr_g=DCGAN["lr"], lr_d=DCGAN["lr"], betas=DCGAN["betas"],
                 seed=seed, ema=ema)
    linear_decay(tr, DCGAN["decay_start"], steps, DCGAN["decay_factor"])
    return tr


def conditional_dcgan(data: data_mod.ImageSet | None = None, seed: int = 0, steps: int = DCGAN_STEPS,
                      ema: float = CONDITIONAL_EMA) -> Trainer:
    """``digits-conditional``: :func:`dcgan` with class-conditional networks and a moving average of G.
    ``data`` must have labels 0 .. K-1 (the 8x8 digits by default)."""
    return dcgan(data, seed=seed, steps=steps, ema=ema, conditional=True)


def self_conditioned_dcgan(data: data_mod.ImageSet | None = None, seed: int = 0, steps: int = DCGAN_STEPS,
                           clusters: int = SELF_CLUSTERS) -> Trainer:
    """``digits-selfcond``: :func:`conditional_dcgan` (without a moving average) on
    ``data.clustered(data, clusters, seed)``: labels made from the pixels by k-means, never the
    data's own. ``trainer.data`` is the clustered set; ``trainer.data.draw_labels(n)`` gives clusters
    at the data's frequencies for ``trainer.sample(n, labels=...)``."""
    data = data_mod.digits() if data is None else data
    if not isinstance(data, data_mod.ImageSet):
        raise TypeError(f"data must be an image set (e.g. ge.data.digits() or ge.data.mnist(root)), got {type(data).__name__}")
    seed, clusters = _check.integer("seed", seed, minimum=0), _check.integer("clusters", clusters, minimum=2)
    return dcgan(data_mod.clustered(data, clusters, seed=seed), seed=seed, steps=steps, conditional=True)


register(Preset(
    name="digits-dcgan",
    description="DCGAN on the 8x8 digits (latent 16, 32 features, batch 64, Adam 2e-3, linear lr decay): "
                ">= 9 of 10 classes, >= 80 % of samples confidently classified, in about a minute on one CPU thread",
    steps=DCGAN_STEPS,
    make=lambda seed: dcgan(seed=seed),
    tags=("images", "digits", "lesson07"),
))


register(Preset(
    name="digits-conditional",
    description="the digits-dcgan set-up made class-conditional (one-hot label into G, projection D) with a moving "
                "average of G: sample(n, labels=...) draws the digit asked for (98 % by an independent judge, as "
                "confidently as real digits; lesson 09)",
    steps=DCGAN_STEPS,
    make=lambda seed: conditional_dcgan(seed=seed),
    tags=("images", "digits", "conditional", "lesson09"),
))


register(Preset(
    name="digits-selfcond",
    description="unconditional digits about as confidently classified as real ones: the conditional DCGAN trained on 30 "
                "k-means clusters of the pixels instead of the labels (a self-conditioned GAN); sample with "
                "labels=tr.data.draw_labels(n)",
    steps=DCGAN_STEPS,
    make=lambda seed: self_conditioned_dcgan(seed=seed),
    tags=("images", "digits", "conditional", "unsupervised"),
))
