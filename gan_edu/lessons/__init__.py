"""Lesson support: what one lesson measures or sets up, built from the core.

Each module serves one or two lessons and is imported by name (nothing is loaded up front):

    factory       all  the seeded tiny GANs the lessons build (seeded one way)
    plane         00-05  what the 2D pictures show: D on a grid, G's manifold, fixed samples
    envcheck      00  is this computer ready? (standard library only at import time)
    architecture  00  one step caught live (the explorer's tensors); before vs after training
    generator     01, 07  running G, the shape walk, a transposed conv by hand, the latent space
    scoring       02  D's score: train D alone, accuracy vs confidence, capacity balance
    gradflow      03  where gradients flow; saturating vs non-saturating measured
    clinic        03  the bug clinic: a learner's D step checked against the reference
    training_lab  04  the training lab's set-ups and data, slow motion, the sample inspector
    experiments   04, 05  seeded multi-run comparisons and their tables
    collapse      05  a collapsing run recorded check by check; the remedies table (live and supplement)
    equilibrium   06  the 1D game, the optimal D*, V(D*, G) = -log 4 + 2 JSD
    classifier    07  a small digit classifier for evaluating generated digits; the held-out split
    memorisation  07  did G copy? the nearest-neighbour check against held-out digits
    judges        07, 09, 10  an independent (scikit-learn) judge of digit samples: agreement, confidence ratio
    conditional   09  a conditional GAN trained and checked: steering, label vs noise, copying
    metrics_lab   10  real digits corrupted in controlled ways, scored by every metric

Lesson modules import the core (``gan_edu.data``, ``models``, ``trainer`` ...) and never a
face (``viz``, ``widgets``, ``quiz``, ``cli``): the figures and widgets call into them. A
widget keeps only what draws and what reacts to clicks.
"""
import importlib

_MODULES = ("factory", "plane", "envcheck", "architecture", "generator", "scoring", "gradflow", "clinic", "training_lab",
            "experiments", "collapse", "equilibrium", "classifier", "judges", "conditional", "memorisation", "metrics_lab")
__all__ = list(_MODULES)


def __getattr__(name: str):          # ge.lessons.clinic works without importing every lesson module up front
    if name in _MODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'gan_edu.lessons' has no attribute {name!r}")
